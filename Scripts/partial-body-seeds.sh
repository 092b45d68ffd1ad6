#!/usr/bin/env bash
# Writes the seeds of the partial-body fuzz target (Fuzz/Corpus/partial-body/): the bodies of three
# partials of the demo (with its rule exports, filtered to one node and two hours, and with every blob
# pruned). Run it when the partial format changes: FuzzRegressionTests fails until the seeds are current.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product flowaudit
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
analyze() { .build/release/flowaudit analyze sample-logs --quiet --format json --partial "$scratch/$1.partial" "${@:2}" >/dev/null || true; }
analyze demo-with-exports
analyze demo-filtered --host 10.0.1.6 --from 2026-07-20T09:00Z
analyze no-files --from 2030-01-01T00:00Z
python3 - "$scratch" Fuzz/Corpus/partial-body <<'PY'
import gzip, sys
source, target = sys.argv[1:]
def varint(data, at):
    value = shift = 0
    while True:
        byte = data[at]; at += 1; value |= (byte & 0x7F) << shift; shift += 7
        if byte < 0x80: return value, at
for name in ["demo-with-exports", "demo-filtered", "no-files"]:
    data = open(f"{source}/{name}.partial", "rb").read()
    at = 8  # the magic bytes; then the version and the body's sizes, plain and compressed
    _, at = varint(data, at); size, at = varint(data, at); compressed, at = varint(data, at)
    body = gzip.decompress(data[at:at + compressed])
    assert len(body) == size, name
    open(f"{target}/{name}.body", "wb").write(body)
    print(f"{target}/{name}.body: {size} bytes")
PY
