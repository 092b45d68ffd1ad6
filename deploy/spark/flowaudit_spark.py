#!/usr/bin/env python3
"""Runs `flowaudit analyze` over blobs with Apache Spark and writes the reports of one run.

    python3 deploy/spark/flowaudit_spark.py --flowaudit BIN [--master MASTER] --output DIR \\
        [--tasks N] [--merge-width K] [--conf KEY=VALUE]... [analyze flags] PATH...

The driver lists the files the way `flowaudit analyze PATH...` would (directories walked, hidden entries
skipped, files ending in .json .jsonl .log .csv .gz kept, the configuration file and rule exports left
out), through Spark's own file system layer, so PATH may be a local path or an abfss://, wasbs://, dbfs:
or hdfs: URI. It deals the files into groups balanced by size; one Spark task per group reads its blobs
(binaryFiles), lays them out in a scratch folder under the names the single run would record, and runs
the shipped flowaudit binary on them (`analyze --partial -`). The partial results are merged in a tree
on the executors (`flowaudit merge --partial -`, K at a time), and the driver's last `flowaudit merge`
writes DIR/report.json, DIR/report.xml, DIR/report.md and DIR/report.html, prints the text report, and
gives the exit status: 0, 1 or 2 as flowaudit's. docs/spark.md says more.
"""

from __future__ import annotations

import filecmp
import math
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

PROGRAM = "flowaudit_spark"

USAGE = f"""usage: python3 deploy/spark/{PROGRAM}.py --flowaudit BIN [--master MASTER] --output DIR
           [--tasks N] [--merge-width K] [--conf KEY=VALUE]... [analyze flags] PATH...

Runs `flowaudit analyze PATH...` on Apache Spark: one task per group of files, partial results merged
in a tree on the executors, the reports written by the driver.

  --flowaudit BIN     the flowaudit executable, shipped to the executors (a local path, or a URI that
                      Spark can read, such as dbfs:/Volumes/.../flowaudit)
  --master MASTER     the Spark master, such as local[2] (default: spark-submit's, or the cluster's)
  --output DIR        writes DIR/report.json, DIR/report.xml (JUnit), DIR/report.md and DIR/report.html;
                      DIR is a local folder of the driver, or a URI Spark writes (abfss://.../reviews/2026-07)
  --tasks N           groups of files, one task each (default: enough for 256 MiB a task, and at least
                      the default parallelism)
  --merge-width K     partial results merged at once on an executor (default 8)
  --conf KEY=VALUE    a Spark setting, as spark-submit's --conf; repeatable
  analyze flags       passed on: the deployment, rule, limit and filter flags to every task, and the
                      report flags (--format, --fail-on, --quiet, --partial FILE...) to the last merge
  PATH                files and directories: local paths, or URIs Spark reads (abfss://, wasbs://...)

Exit status: as flowaudit's: 0 clean, 1 findings or damaged input, 2 usage, settings or read errors."""

LOG_SUFFIXES = (".json", ".jsonl", ".log", ".csv", ".gz")
CONFIG_NAME = ".flowaudit.toml"
PARTIAL_MAGIC = bytes([0x89, 0x46, 0x41, 0x50, 0x0D, 0x0A, 0x1A, 0x0A])
REPORT_NAMES = ("report.json", "report.xml", "report.md", "report.html")
DEFAULT_TASK_BYTES = 256 << 20
DEFAULT_MERGE_WIDTH = 8
LISTING_THREADS = 16

# analyze's options whose values are files every task needs: read on the driver and shipped.
SETTINGS_FILE_OPTIONS = ("--config", "--service-tags", "--nsg-export", "--firewall-policy")
# The report files are the job's own (DIR/report.*); a share of the files is the job's to choose.
REFUSED_OPTIONS = {
    "--json": "the Spark job writes DIR/report.json; drop --json",
    "--junit": "the Spark job writes DIR/report.xml; drop --junit",
    "--markdown": "the Spark job writes DIR/report.md; drop --markdown",
    "--html": "the Spark job writes DIR/report.html; drop --html",
    "--shard": "the Spark job shares the files out itself; drop --shard",
}
DRIVER_OPTIONS = ("--flowaudit", "--master", "--output", "--tasks", "--merge-width", "--conf")
URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


try:
    import tomllib
except ImportError:  # Python 3.10 (older Spark runtimes): the same parser from PyPI, if installed
    try:
        import tomli as tomllib
    except ImportError:
        tomllib = None


class UsageError(Exception):
    """A problem with the command line, the settings or the inputs: exit status 2, nothing written."""


# MARK: - The command line


@dataclass
class DriverOptions:
    flowaudit: str = ""
    master: str | None = None
    output: str = ""
    tasks: int | None = None
    merge_width: int = DEFAULT_MERGE_WIDTH
    conf: list[tuple[str, str]] = field(default_factory=list)
    rest: list[str] = field(default_factory=list)


def parse_driver_options(argv: list[str]) -> DriverOptions:
    """Takes the driver's own options out of `argv`; the rest is `flowaudit analyze`'s."""
    options = DriverOptions()
    index = 0
    while index < len(argv):
        word = argv[index]
        if word == "--":
            options.rest.extend(argv[index:])
            break
        if word in ("-h", "--help"):
            print(USAGE)
            raise SystemExit(0)
        name, equals, value = word.partition("=")
        if name not in DRIVER_OPTIONS:
            options.rest.append(word)
            index += 1
            continue
        if not equals:
            if index + 1 >= len(argv):
                raise UsageError(f"{name} needs a value")
            value = argv[index + 1]
            index += 1
        index += 1
        if name == "--flowaudit":
            options.flowaudit = value
        elif name == "--master":
            options.master = value
        elif name == "--output":
            options.output = value
        elif name == "--conf":
            key, equals, setting = value.partition("=")
            if not equals or not key:
                raise UsageError(f"--conf takes KEY=VALUE, such as spark.ui.enabled=false; got '{value}'")
            options.conf.append((key, setting))
        else:
            if not value.isdigit() or int(value) < 1 or (name == "--merge-width" and int(value) < 2):
                least = 2 if name == "--merge-width" else 1
                raise UsageError(f"{name} takes a whole number of at least {least}; got '{value}'")
            if name == "--tasks":
                options.tasks = int(value)
            else:
                options.merge_width = int(value)
    if not options.flowaudit:
        raise UsageError("--flowaudit BIN is required: the flowaudit executable to run on the executors")
    if not options.output:
        raise UsageError(
            "--output DIR is required: the folder for report.json, report.xml, report.md and report.html")
    return options


def command_options(binary: str, subcommand: str) -> dict[str, bool]:
    """Each option of `flowaudit SUBCOMMAND` by its spelling (`--region`, `-h`): whether it takes a value.

    Asked of the binary itself (swift-argument-parser's --experimental-dump-help), so that the driver
    passes on every flag of the flowaudit it runs, whatever its version.
    """
    import json

    try:
        done = subprocess.run(
            [binary, subcommand, "--experimental-dump-help"], capture_output=True, timeout=60, check=False
        )
    except OSError as error:
        raise UsageError(f"cannot run '{binary}': {error.strerror}; pass the flowaudit executable") from None
    try:
        arguments = json.loads(done.stdout)["command"]["arguments"]
    except (ValueError, KeyError, TypeError):
        detail = done.stderr.decode(errors="replace").strip() or f"exit status {done.returncode}"
        raise UsageError(f"'{binary}' did not describe its '{subcommand}' command ({detail}); is it flowaudit?")
    options: dict[str, bool] = {}
    for argument in arguments:
        if argument.get("kind") not in ("option", "flag"):
            continue
        for name in argument.get("names", []):
            dashes = "-" if name.get("kind") == "short" else "--"
            options[dashes + name["name"]] = argument["kind"] == "option"
    return options


@dataclass
class AnalyzeArguments:
    """`flowaudit analyze`'s arguments, sorted by where they go."""

    paths: list[str] = field(default_factory=list)
    # Every task's: the deployment, rule, limit and filter flags, without the files below.
    task_flags: list[str] = field(default_factory=list)
    # The last merge's: --format, --fail-on, --quiet, --partial, and whatever else merge takes.
    report_flags: list[str] = field(default_factory=list)
    # The values of the options in SETTINGS_FILE_OPTIONS, by option, in order.
    settings_files: dict[str, list[str]] = field(default_factory=dict)
    quiet: bool = False
    partial: str | None = None
    jobs_given: bool = False


# `--from`/`--to` spans back from the newest log (`90m`, `24h`, `7d`), as flowaudit reads them.
RELATIVE_TIME = re.compile(r"[0-9]+[mhd]")


def sort_analyze_arguments(words: list[str], analyze: dict[str, bool], merge: dict[str, bool]) -> AnalyzeArguments:
    """Sorts `flowaudit analyze` arguments by where they go, checking each option against the binary's."""
    result = AnalyzeArguments()
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            result.paths.extend(words[index:])
            break
        if not word.startswith("-") or word == "-":
            if word == "-":
                raise UsageError("standard input (-) cannot be shared out over Spark tasks; pass files or folders")
            result.paths.append(word)
            continue
        name, equals, value = word.partition("=")
        if name not in analyze:
            raise UsageError(f"unknown option '{name}' (see flowaudit analyze --help and {PROGRAM}.py --help)")
        if name in REFUSED_OPTIONS:
            raise UsageError(f"{name}: {REFUSED_OPTIONS[name]}")
        if analyze[name]:
            if not equals:
                if index >= len(words):
                    raise UsageError(f"{name} needs a value")
                value = words[index]
                index += 1
        elif equals:
            raise UsageError(f"{name} takes no value; got '{word}'")
        if name in ("--from", "--to") and RELATIVE_TIME.fullmatch(value):
            # Each task sees only its blobs, so "back from the newest log" would differ from task to task.
            raise UsageError(
                f"{name} {value}: a time relative to the newest log cannot be shared out over Spark tasks; "
                "give an absolute time (ISO 8601 UTC, such as 2026-07-20T09:00:00Z)"
            )
        if name in SETTINGS_FILE_OPTIONS:
            result.settings_files.setdefault(name, []).append(value)
        elif name in merge:
            if name == "--quiet":
                result.quiet = True
            if name == "--partial":
                result.partial = value
            result.report_flags += [name, value] if analyze[name] else [name]
        else:
            if name == "--jobs":
                result.jobs_given = True
            result.task_flags += [name, value] if analyze[name] else [name]
    if not result.paths:
        raise UsageError("no PATH given: pass log files or folders (local paths or URIs such as abfss://...)")
    return result


# MARK: - Files and names


def path_order_key(name: str) -> list[bytes]:
    """flowaudit's order of input paths (InputPathOrder): component by component, each by its bytes."""
    return [component.encode("utf-8", "surrogateescape") for component in name.split("/")]


def is_log_file_name(name: str) -> bool:
    """Whether a file found in a directory walk is read (InputDiscovery.isLogFileName)."""
    return name.lower().endswith(LOG_SUFFIXES)


def joined(directory: str, name: str) -> str:
    """A walked path, spelt as flowaudit spells it: the directory as given, a slash, the entry's name."""
    return directory + name if directory.endswith("/") else directory + "/" + name


def resolve_relative(config_path: str, file: str) -> str:
    """A path named in the configuration file, as flowaudit reads it: relative to the file's folder."""
    if file.startswith("/") or "/" not in config_path:
        return file
    return config_path[: config_path.rindex("/") + 1] + file


def climb(path: str) -> int:
    """How many folders above its start a relative path reaches (`../../x` reaches 2)."""
    depth = lowest = 0
    for component in path.split("/"):
        if component == "..":
            depth -= 1
            lowest = min(lowest, depth)
        elif component not in ("", "."):
            depth += 1
    return -lowest


def place(root: str, name: str) -> str:
    """Where a file recorded as `name` lies in a task's scratch folder whose working folder is `root`."""
    return os.path.normpath(os.path.join(root, name))


def unreadable_by_spark(uri: str) -> str | None:
    """Why Spark's binaryFiles cannot read the file at `uri`, or None.

    Hadoop's file input skips names starting with `_` or `.`, splits its list of paths at commas (braces
    group alternatives), and its paths cannot hold a colon; such files would be lost or stop the job, so
    the driver refuses them first.
    """
    path = URI_SCHEME.sub("", uri, count=1)
    if path.startswith("//"):
        path = path[path.find("/", 2) :] if path.find("/", 2) >= 0 else ""
    base = path.rstrip("/").rsplit("/", 1)[-1]
    if base.startswith(("_", ".")):
        return f"its name starts with '{base[0]}', which Spark's file input skips"
    for character in ",{}:":
        if character in path:
            return f"its path holds '{character}', which Spark's file input cannot take"
    return None


def spark_input_path(uri: str) -> str:
    """`uri` for binaryFiles' list of paths: glob characters escaped, so that it names one file."""
    return re.sub(r"([\\*?\[\]])", r"\\\1", uri)


@dataclass(frozen=True)
class InputFile:
    name: str  # as flowaudit records it: the argument as given, then the walked entries
    uri: str  # as Spark's file system layer names it
    size: int
    argument: int  # the index of the PATH argument it was found under


def balanced_groups(files: list[InputFile], count: int) -> list[list[InputFile]]:
    """Deals files into `count` groups by size, largest first, each to the lightest group (as --shard does).

    Every driver that sees the same listing makes the same groups; no group is empty when there are at
    least `count` files.
    """
    count = max(1, min(count, len(files)))
    order = sorted(files, key=lambda file: (-file.size, path_order_key(file.name)))
    loads = [(0, 0, index) for index in range(count)]
    groups: list[list[InputFile]] = [[] for _ in range(count)]
    for file in order:
        lightest = min(loads)
        groups[lightest[2]].append(file)
        loads[lightest[2]] = (lightest[0] + file.size, lightest[1] + 1, lightest[2])
    for group in groups:
        group.sort(key=lambda file: path_order_key(file.name))
    return groups


def task_count(requested: int | None, parallelism: int, files: list[InputFile]) -> int:
    if requested:
        return min(requested, len(files))
    total = sum(file.size for file in files)
    return min(len(files), max(parallelism, math.ceil(total / DEFAULT_TASK_BYTES)))


# MARK: - Listing through Spark's file system layer


class FileSystems:
    """The Hadoop file systems of the driver's Spark context, through py4j."""

    def __init__(self, spark_context):
        self.jvm = spark_context._jvm
        self.configuration = spark_context._jsc.hadoopConfiguration()

    def _path(self, text: str):
        path = self.jvm.org.apache.hadoop.fs.Path(text)
        system = path.getFileSystem(self.configuration)
        return system, system.makeQualified(path)

    def qualified(self, text: str) -> str:
        return self._path(text)[1].toString()

    def status(self, text: str):
        """(qualified URI, is a directory, size), or None when nothing is there."""
        try:
            system, path = self._path(text)
            status = system.getFileStatus(path)
        except Exception as error:  # py4j wraps java.io.FileNotFoundException and the like
            if "FileNotFoundException" in str(error):
                return None
            raise UsageError(f"cannot open '{text}': {java_message(error)}") from None
        return path.toString(), status.isDirectory(), status.getLen()

    def children(self, uri: str):
        """[(name, URI, is a directory, size)] of a directory."""
        system, path = self._path(uri)
        try:
            statuses = system.listStatus(path)
        except Exception as error:
            raise UsageError(f"cannot list '{uri}': {java_message(error)}") from None
        return [
            (status.getPath().getName(), status.getPath().toString(), status.isDirectory(), status.getLen())
            for status in statuses
        ]

    def create_folder(self, text: str) -> None:
        try:
            system, path = self._path(text)
            system.mkdirs(path)
        except Exception as error:
            raise UsageError(f"cannot create the output folder '{text}': {java_message(error)}") from None

    def upload(self, local: str, text: str) -> None:
        """Copies a local file to `text` (a URI), replacing what is there."""
        system, path = self._path(text)
        source = self.jvm.org.apache.hadoop.fs.Path("file:" + os.path.abspath(local))
        try:
            system.copyFromLocalFile(False, True, source, path)
        except Exception as error:
            raise UsageError(f"cannot write '{text}': {java_message(error)}") from None

    def read(self, text: str, what: str) -> bytes:
        system, path = self._path(text)
        try:
            stream = system.open(path)
            try:
                output = self.jvm.java.io.ByteArrayOutputStream()
                self.jvm.org.apache.hadoop.io.IOUtils.copyBytes(stream, output, 65536, False)
                return bytes(output.toByteArray())
            finally:
                stream.close()
        except Exception as error:
            raise UsageError(f"cannot read the {what} '{text}': {java_message(error)}") from None


def java_message(error: Exception) -> str:
    """The first line of a py4j error: the Java exception and its message."""
    java = getattr(error, "java_exception", None)
    if java is not None:
        return str(java.toString())
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def identity(uri: str) -> str:
    """What makes two names one file: the URI, with links resolved on the local file system."""
    if uri.startswith("file:"):
        return os.path.realpath(uri[len("file:") :])
    return uri


def recorded_name(argument: str, qualified: str) -> str:
    """The name flowaudit records for a PATH argument: as given when relative or a URI, else its URI.

    A relative path is recorded as given, so that the reports equal those of `flowaudit analyze` run in
    the same folder; an absolute path has no place in a task's scratch folder and is recorded as the URI
    Spark reads it by (`/data/logs` as `file:/data/logs`).
    """
    return qualified if argument.startswith("/") else argument


@dataclass
class Listing:
    """What `flowaudit analyze PATHS` reads: its files, and each PATH as flowaudit names it."""

    files: list[InputFile]
    arguments: list[str]  # each PATH, named as recorded_name says
    directories: set[int]  # the indexes of the PATHs that are directories


def list_inputs(systems: FileSystems, paths: list[str], excluded: set[str]) -> Listing:
    """The files `flowaudit analyze PATHS` reads, named as it names them (InputDiscovery.inputs)."""
    found: list[InputFile] = []
    arguments: list[str] = []
    directories: set[int] = set()
    with ThreadPoolExecutor(LISTING_THREADS) as pool:
        for argument, path in enumerate(paths):
            status = systems.status(path)
            if status is None:
                raise UsageError(f"cannot open '{path}': No such file or directory; check the path and its permissions")
            uri, is_directory, size = status
            name = recorded_name(path, uri)
            arguments.append(name)
            if not is_directory:
                found.append(InputFile(name, uri, size, argument))
                continue
            directories.add(argument)
            before = len(found)
            level = [(name, uri)]
            while level:
                next_level = []
                listed = pool.map(lambda directory: systems.children(directory[1]), level)
                for (directory, _), entries in zip(level, listed):
                    for entry, child, child_is_directory, child_size in entries:
                        if entry.startswith("."):
                            continue
                        child_name = joined(directory, entry)
                        if child_is_directory:
                            next_level.append((child_name, child))
                        elif is_log_file_name(entry) and identity(child) not in excluded:
                            found.append(InputFile(child_name, child, child_size, argument))
                level = next_level
            if len(found) == before:
                raise UsageError(
                    f"'{path}' holds no log files (.json, .json.gz, .jsonl, .log, .csv, .gz); pass a blob tree or "
                    "log files"
                )
    # A file reached twice is read once, under the name that comes first (as flowaudit does).
    found.sort(key=lambda file: path_order_key(file.name))
    seen: set[str] = set()
    files = []
    for file in found:
        key = identity(file.uri)
        if key not in seen:
            seen.add(key)
            files.append(file)
    for file in files:
        reason = unreadable_by_spark(file.uri)
        if reason:
            raise UsageError(f"cannot read '{file.name}' with Spark: {reason}; rename it, or run flowaudit analyze")
    return Listing(files, arguments, directories)


# MARK: - Settings


@dataclass
class Settings:
    """The configuration file and the files it and the flags name, as every task needs them."""

    # (option, the file's name as given, its bytes), in the order of the flags passed to every task.
    files: list[tuple[str, str, bytes]]
    # Files left out of directory walks: the rule exports and a configuration file found in the folder.
    excluded: set[str]


def load_settings(systems: FileSystems, arguments: AnalyzeArguments) -> Settings:
    """Finds the configuration as `flowaudit analyze` would, and reads it and the files it names.

    flowaudit reads `--config FILE`, or `.flowaudit.toml` in the first PATH that is a directory (else in
    the working folder); flags win over the file. The tasks get the effective files as flags, so that
    they need not lie where the file says.
    """
    given = arguments.settings_files
    search = next((path for path in arguments.paths if (systems.status(path) or (0, False))[1]), ".")
    located = joined(search, CONFIG_NAME)
    located_status = systems.status(located)
    located = located if located_status is not None and not located_status[1] else None
    config = given["--config"][-1] if "--config" in given else located
    named: dict[str, list[str]] = {}
    files: list[tuple[str, str, bytes]] = []
    if config is not None:
        content = systems.read(config, "configuration file")
        files.append(("--config", config, content))
        if tomllib is None:
            raise UsageError(f"reading '{config}' needs Python 3.11, or the tomli package (pip install tomli)")
        try:
            document = tomllib.loads(content.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            document = {}  # flowaudit says what is wrong with it when the settings are checked
        exports = document.get("exports", {}) if isinstance(document.get("exports"), dict) else {}
        for option, value in (
            ("--service-tags", document.get("serviceTags")),
            ("--nsg-export", exports.get("nsg")),
            ("--firewall-policy", exports.get("firewallPolicy")),
        ):
            if isinstance(value, list) and all(isinstance(item, str) for item in value):
                named[option] = [resolve_relative(config, item) for item in value]
    what = {"--service-tags": "service-tag file", "--nsg-export": "NSG export", "--firewall-policy": "firewall policy"}
    excluded: set[str] = set()
    for option in ("--service-tags", "--nsg-export", "--firewall-policy"):
        for path in given.get(option) or named.get(option, []):
            files.append((option, path, systems.read(path, what[option])))
            if option != "--service-tags":
                excluded.add(identity(systems.qualified(path)))
    if located is not None:
        excluded.add(identity(systems.qualified(located)))
    return Settings(files, excluded)


def write_settings(settings: list[tuple[str, str, bytes]], folder: str) -> list[str]:
    """Writes the settings files under `folder` and returns the flags that name them there."""
    flags = []
    for index, (option, path, content) in enumerate(settings):
        directory = os.path.join(folder, str(index))
        os.makedirs(directory, exist_ok=True)
        local = os.path.join(directory, path.rstrip("/").rsplit("/", 1)[-1] or "settings")
        with open(local, "wb") as handle:
            handle.write(content)
        flags += [option, local]
    return flags


# MARK: - Tasks (run on the executors)


class TaskFailure(RuntimeError):
    """A task's flowaudit run went wrong; the message reaches the driver."""


def executable(name: str, scratch: str) -> str:
    """The flowaudit binary Spark shipped to this node, executable."""
    from pyspark import SparkFiles

    path = SparkFiles.get(name)
    if not os.access(path, os.X_OK):
        copy = os.path.join(scratch, name)
        shutil.copyfile(path, copy)
        os.chmod(copy, os.stat(copy).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        path = copy
    return path


def run_flowaudit(command: list[str], cwd: str, what: str) -> bytes:
    """Runs flowaudit with `--partial -` and returns the partial result it printed.

    Exit status 1 (findings, damage) and 2 with a partial (nothing readable in this share) are results;
    the merge decides. No partial is a failure, with flowaudit's message.
    """
    done = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    if done.stdout.startswith(PARTIAL_MAGIC):
        return done.stdout
    message = done.stderr.decode(errors="replace").strip() or f"exit status {done.returncode} and no partial result"
    raise TaskFailure(f"{what}: {message}")


def analyze_group(plan, binary_name: str):
    """The task of one group: its blobs laid out under their names, flowaudit analyze over them."""

    def task(index, blobs):
        group = plan.value["groups"][index]
        scratch = tempfile.mkdtemp(prefix="flowaudit-task-")
        try:
            binary = executable(binary_name, scratch)
            flags = write_settings(plan.value["settings"], os.path.join(scratch, "settings"))
            root = os.path.join(scratch, "logs", *(["up"] * plan.value["climb"]))
            names = {uri: name for name, uri in group["files"]}
            for argument in group["arguments"]:
                target = argument if argument in group["directories"] else os.path.dirname(argument)
                os.makedirs(os.path.join(root, target), exist_ok=True)
            received = set()
            for uri, content in blobs:
                name = names.get(uri)
                if name is None or uri in received:
                    raise TaskFailure(f"task {index}: Spark read '{uri}', which is not in this task's list")
                received.add(uri)
                target = place(root, name)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "wb") as handle:
                    handle.write(content)
            missing = sorted(set(names) - received)
            if missing:
                raise TaskFailure(f"task {index}: Spark did not read {', '.join(missing[:5])}")
            command = [binary, "analyze", *group["arguments"], *plan.value["flags"], *flags, "--quiet"]
            yield index, run_flowaudit(command + ["--partial", "-"], root, f"flowaudit analyze in task {index}")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    return task


def merge_partials(binary_name: str):
    """The task of one node of the merge tree: its partial results into one.

    Each item is (node, (index, partial)); the partials are merged in the order of their indexes.
    """

    def task(items):
        items = sorted(items, key=lambda item: item[1][0])
        if not items:
            return
        key = items[0][0]
        if len(items) == 1:
            yield key, items[0][1][1]
            return
        scratch = tempfile.mkdtemp(prefix="flowaudit-merge-")
        try:
            binary = executable(binary_name, scratch)
            paths = []
            for _, (index, partial) in items:
                path = os.path.join(scratch, f"{index}.partial")
                with open(path, "wb") as handle:
                    handle.write(partial)
                paths.append(path)
            command = [binary, "merge", *paths, "--quiet", "--partial", "-"]
            yield key, run_flowaudit(command, scratch, f"flowaudit merge of tasks {items[0][1][0]}…{items[-1][1][0]}")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    return task


# MARK: - The driver


def task_plan(groups: list[list[InputFile]], listing: Listing) -> list[dict]:
    """What each task is given: its files (name, URI) and the PATH arguments that reach them.

    A task passes flowaudit the PATH arguments as given, directories included, so that flowaudit walks
    and names the files it finds exactly as the single run does; only the task's files are there.
    """
    plans = []
    for group in groups:
        reached = sorted({file.argument for file in group})
        plans.append(
            {
                "files": [(file.name, file.uri) for file in group],
                "arguments": [listing.arguments[index] for index in reached],
                "directories": [listing.arguments[index] for index in reached if index in listing.directories],
            }
        )
    return plans


def size_text(size: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift:
            return f"{size / (1 << shift):.1f} {unit}"
    return f"{size} B"


def note(message: str, quiet: bool) -> None:
    if not quiet:
        print(f"{PROGRAM}: {message}", file=sys.stderr, flush=True)


def start_spark(options: DriverOptions, quiet: bool):
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UsageError("pyspark is not installed: pip install pyspark (docs/spark.md)") from None
    builder = SparkSession.builder.appName("flowaudit")
    given = {key for key, _ in options.conf}
    if __name__ != "__main__":
        # Imported (a wheel, a notebook): ship this module's task functions by value, as when run as a script.
        from pyspark import cloudpickle

        cloudpickle.register_pickle_by_value(sys.modules[__name__])
    if options.master:
        builder = builder.master(options.master)
        if options.master.startswith("local"):
            # Local mode needs no network: keep the driver on the loopback interface.
            for key in ("spark.driver.bindAddress", "spark.driver.host"):
                if key not in given:
                    builder = builder.config(key, "127.0.0.1")
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    for key, value in options.conf:
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    if quiet:
        session.sparkContext.setLogLevel("ERROR")
    return session


def check_settings(binary: str, arguments: AnalyzeArguments, flags: list[str], scratch: str) -> None:
    """Runs flowaudit once on the driver over an empty share, so that a wrong flag or setting stops the
    job before any task, with flowaudit's own message (and prints its notices, as one run would)."""
    empty = os.path.join(scratch, "check", "empty.json")
    os.makedirs(os.path.dirname(empty))
    open(empty, "wb").close()
    report_flags = list(arguments.report_flags)
    if arguments.partial is not None and arguments.partial != "-":
        position = report_flags.index("--partial")
        report_flags[position + 1] = os.path.join(scratch, "check", "partial")
    outputs = [os.path.join(scratch, "check", name) for name in REPORT_NAMES]
    command = [binary, "analyze", empty, "--shard", "2/2", *flags, *report_flags]
    command += ["--json", outputs[0], "--junit", outputs[1], "--markdown", outputs[2], "--html", outputs[3]]
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    message = done.stderr.decode(errors="replace").strip()
    if done.returncode not in (0, 1):
        raise UsageError(message or f"flowaudit exited with status {done.returncode} on the settings")
    if message and not arguments.quiet:
        print(message, file=sys.stderr, flush=True)


def local_executable(path: str, scratch: str) -> str:
    """The driver's flowaudit: `path`, or a copy in `scratch` made executable (a file on a mount such as
    /Volumes/… or /dbfs/… may not be)."""
    if not os.path.isfile(path):
        raise UsageError(f"--flowaudit '{path}': no such file; build it (swift build -c release) or give its path")
    if os.access(path, os.X_OK):
        return os.path.abspath(path)
    copy = os.path.join(scratch, os.path.basename(path))
    shutil.copyfile(path, copy)
    os.chmod(copy, 0o755)
    return copy


def analyze_arguments(binary: str, words: list[str]) -> tuple[AnalyzeArguments, dict[str, bool]]:
    analyze = command_options(binary, "analyze")
    return sort_analyze_arguments(words, analyze, command_options(binary, "merge")), analyze


def output_folder(path: str) -> str:
    """The local output folder, created; a URI's is created once Spark runs (FileSystems.create_folder)."""
    folder = os.path.abspath(path)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot create the output folder '{path}': {error.strerror}") from None
    if not os.access(folder, os.W_OK):
        raise UsageError(f"cannot write to the output folder '{path}'")
    return folder


def ship(context, source: str, name: str, local: str | None) -> str:
    """Ships the flowaudit binary to the executors (SparkContext.addFile) and returns the driver's copy.

    One that spark-submit --files already shipped under the same name is used as it is.
    """
    from pyspark import SparkFiles

    copy = SparkFiles.get(name)
    if os.path.isfile(copy):
        if local is not None and not filecmp.cmp(local, copy, shallow=False):
            raise UsageError(
                f"another file named '{name}' is already shipped to this Spark application (spark-submit --files?); "
                f"give --flowaudit the shipped name, or rename '{local}'"
            )
    else:
        context.addFile(source)
    if not os.access(copy, os.X_OK):
        os.chmod(copy, os.stat(copy).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return copy


def run_tasks(context, groups: list[list[InputFile]], plan, binary_name: str, width: int) -> list[tuple[int, bytes]]:
    """One task per group, then a merge tree `width` wide; the last level's partial results, in order."""
    try:
        reads = [
            context.binaryFiles(",".join(spark_input_path(file.uri) for file in group)).coalesce(1) for group in groups
        ]
        level = context.union(reads).mapPartitionsWithIndex(analyze_group(plan, binary_name))
        count = len(groups)
        while count > width:
            count = math.ceil(count / width)
            level = (
                level.map(lambda item: (item[0] // width, item))
                .partitionBy(count, lambda key: key)
                .mapPartitions(merge_partials(binary_name))
            )
        return sorted(level.collect())
    except Exception as error:
        raise UsageError(f"the Spark job failed: {task_message(error)}") from None


def run(argv: list[str]) -> int:
    options = parse_driver_options(argv)
    with tempfile.TemporaryDirectory(prefix="flowaudit-driver-") as scratch:
        return run_job(options, scratch)


def run_job(options: DriverOptions, scratch: str) -> int:
    binary_name = os.path.basename(options.flowaudit.rstrip("/"))
    if URI_SCHEME.match(options.flowaudit):
        binary = None  # on a file system Spark reads: checked once Spark has fetched it
        quiet = "--quiet" in options.rest
    else:
        binary = local_executable(options.flowaudit, scratch)
        arguments, analyze = analyze_arguments(binary, options.rest)
        quiet = arguments.quiet
    remote_output = bool(URI_SCHEME.match(options.output))
    output = os.path.join(scratch, "reports") if remote_output else output_folder(options.output)

    context = start_spark(options, quiet).sparkContext
    shipped = ship(context, binary or options.flowaudit, binary_name, binary)
    if binary is None:
        binary = shipped
        arguments, analyze = analyze_arguments(binary, options.rest)
    systems = FileSystems(context)
    if remote_output:
        systems.create_folder(options.output)
        os.makedirs(output)

    settings = load_settings(systems, arguments)
    listing = list_inputs(systems, arguments.paths, settings.excluded)
    task_flags = list(arguments.task_flags)
    if not arguments.jobs_given and "--jobs" in analyze:
        task_flags += ["--jobs", context.getConf().get("spark.task.cpus", "1")]
    settings_flags = write_settings(settings.files, os.path.join(scratch, "settings"))
    check_settings(binary, arguments, task_flags + settings_flags, scratch)

    groups = balanced_groups(listing.files, task_count(options.tasks, context.defaultParallelism, listing.files))
    total = sum(file.size for file in listing.files)
    note(
        f"{len(listing.files)} files, {size_text(total)}, in {len(groups)} tasks; partial results merged "
        f"{options.merge_width} at a time",
        quiet,
    )
    plan = context.broadcast(
        {
            "groups": task_plan(groups, listing),
            "flags": task_flags,
            "settings": settings.files,
            "climb": max(climb(argument) for argument in listing.arguments),
        }
    )
    try:
        partials = run_tasks(context, groups, plan, binary_name, options.merge_width)
    finally:
        plan.unpersist()

    paths = []
    for index, partial in partials:
        paths.append(os.path.join(scratch, f"part-{index}.partial"))
        with open(paths[-1], "wb") as handle:
            handle.write(partial)
    reports = [os.path.join(output, name) for name in REPORT_NAMES]
    command = [binary, "merge", *paths, "--json", reports[0], "--junit", reports[1], "--markdown", reports[2]]
    command += ["--html", reports[3]]
    sys.stdout.flush()
    status = subprocess.run(command + arguments.report_flags, check=False).returncode
    if remote_output:
        for report in reports:
            if os.path.getsize(report):
                systems.upload(report, joined(options.output, os.path.basename(report)))
    return status


def task_message(error: Exception) -> str:
    """The message of the task failure behind a Spark job's error, or the error's first line."""
    text = str(error)
    found = re.search(r"TaskFailure: (.*?)(?:\n\s*at |\n\n|$)", text, re.S)
    if found:
        return found.group(1).strip()
    for line in text.splitlines():
        if "Exception" in line or "Error" in line:
            return line.strip()
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__


def main() -> int:
    try:
        return run(sys.argv[1:])
    except UsageError as error:
        print(f"{PROGRAM}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
