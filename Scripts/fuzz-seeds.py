#!/usr/bin/env python3
"""Cuts seeds for the narrow fuzz targets out of whole log files.

    Scripts/fuzz-seeds.py OUTPUT_DIR FILE...

Writes, under OUTPUT_DIR:
  flow-tuple/        each distinct `flowTuples` entry of NSG and VNet flow logs;
  firewall-message/  each distinct legacy firewall `msg` (and Log Analytics `msg_s`);
  firewall-record/   each firewall record or CSV row as the field lines FuzzFirewallRecord reads
                     (`SCOPE KIND KEY=VALUE`, scope `r` for top-level members, `p` for properties).
Files may be gzip, JSON documents, JSON Lines or CSV; what cannot be read is skipped. Used by
Scripts/fuzz.sh.
"""

import csv
import gzip
import hashlib
import io
import itertools
import json
import os
import sys
import zlib

LIMIT_PER_TARGET = 400
# Log Analytics system columns and the names the raw logs give them.
SYSTEM_COLUMNS = {"Type": "category", "TimeGenerated": "time", "OperationName": "operationName"}


def load(path):
    with open(path, "rb") as handle:
        data = handle.read()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            return b""
    return data


def json_values(data):
    """The JSON values of a document, or of each line of JSON Lines."""
    text = data.decode("utf-8", "replace").lstrip("\ufeff")
    try:
        yield json.loads(text)
        return
    except ValueError:
        pass
    for line in text.splitlines():
        line = line.strip().lstrip(",")
        if line.startswith("{"):
            try:
                yield json.loads(line)
            except ValueError:
                continue


def walk(value, key=None):
    """Every (key, value) pair under a JSON value."""
    if isinstance(value, dict):
        for name, member in value.items():
            yield name, member
            yield from walk(member, name)
    elif isinstance(value, list):
        for element in value:
            yield key, element
            yield from walk(element, key)


def scalar_line(scope, key, value):
    if isinstance(value, bool):
        kind, text = "b", "true" if value else "false"
    elif value is None:
        kind, text = "z", "null"
    elif isinstance(value, (int, float)):
        kind, text = "n", json.dumps(value)
    elif isinstance(value, str):
        kind, text = "s", value
    else:
        return None
    return f"{scope}{kind}{key}={text}".replace("\n", " ")


def record_fields(record):
    lines = [scalar_line("r", key, value) for key, value in record.items() if key != "properties"]
    properties = record.get("properties")
    if isinstance(properties, dict):
        lines += [scalar_line("p", key, value) for key, value in properties.items()]
    return "\n".join(line for line in lines if line)


def csv_rows(data):
    text = data.decode("utf-8", "replace").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2 or not any(name.startswith("TimeGenerated") for name in rows[0]):
        return
    header = [name.removesuffix(" [UTC]") for name in rows[0]]
    for row in rows[1:]:
        if len(row) != len(header):
            continue
        lines = [f"ps{name}={value}".replace("\n", " ") for name, value in zip(header, row)]
        columns = dict(zip(header, row))
        for column, key in SYSTEM_COLUMNS.items():
            if columns.get(column):
                lines.append(f"rs{key}={columns[column]}")
        resource = columns.get("ResourceId") or columns.get("_ResourceId")
        if resource:
            lines.append(f"rsresourceId={resource}")
        yield "\n".join(lines)


def main():
    output, paths = sys.argv[1], sys.argv[2:]
    seeds = {"flow-tuple": set(), "firewall-message": set(), "firewall-record": set()}
    for path in paths:
        data = load(path)
        if path.endswith(".csv"):
            seeds["firewall-record"].update(csv_rows(data))
            continue
        for document in json_values(data):
            for key, value in itertools.chain([(None, document)], walk(document)):
                if key == "flowTuples" and isinstance(value, str):
                    seeds["flow-tuple"].add(value)
                elif key in ("msg", "msg_s") and isinstance(value, str):
                    seeds["firewall-message"].add(value)
                elif isinstance(value, dict) and "category" in value and "flowRecords" not in value:
                    properties = value.get("properties")
                    if not (isinstance(properties, dict) and "flows" in properties):
                        seeds["firewall-record"].add(record_fields(value))
    for target, texts in seeds.items():
        directory = os.path.join(output, target)
        os.makedirs(directory, exist_ok=True)
        for text in sorted(texts)[:LIMIT_PER_TARGET]:
            name = hashlib.sha1(text.encode()).hexdigest()[:16]
            with open(os.path.join(directory, name), "w", encoding="utf-8") as handle:
                handle.write(text)


if __name__ == "__main__":
    main()
