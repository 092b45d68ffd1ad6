"""The Spark job's overhead in local mode, against one `flowaudit analyze`, on the benchmark's corpus.

    Scripts/bench-spark.sh [--quick] [--runs N] [--master local[2]]

Runs, interleaved, each `--runs` times (the fastest counts), from the repository's folder:
  (c)  flowaudit analyze CORPUS --jobs CORES --quiet --json --junit --markdown
  (s)  flowaudit_spark.py --master MASTER --output DIR CORPUS --quiet (one task per core)
  (s0) the same Spark job on one small blob of sample-logs: the fixed cost of starting Spark
and prints the wall time of each (from start to exit), s/c, and (s − s0)/c. The Spark
job's three reports must equal (c)'s byte for byte. The corpus is Scripts/bench.sh's (4 gzipped NSG v2 and
VNet v4 blobs of 256 MiB decompressed in bench-out/corpus-4x256MiB, 16 MiB each with --quick), written with
flowaudit-samples corpus when absent.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import time

REPOSITORY = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DRIVER = os.path.join("deploy", "spark", "flowaudit_spark.py")
REPORTS = ("report.json", "report.xml", "report.md", "report.html")
SMALL_BLOB = (
    "sample-logs/insights-logs-flowlogflowevent/flowLogResourceID=/6F2C3A51-8E0B-4C77-9D1A-2B5E0C9F4A13_"
    "NETWORKWATCHERRG/NETWORKWATCHER_CHINANORTH3_AML-VNET-FLOWLOG/y=2026/m=07/d=20/h=08/m=00/"
    "macAddress=000D3A9C41B2/PT1H.json.gz"
)


def measure(command: list[str], expected_statuses=(0, 1)) -> float:
    """Wall seconds of one run of `command`, from start to exit."""
    start = time.monotonic()
    done = subprocess.run(command, cwd=REPOSITORY, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    wall = time.monotonic() - start
    if done.returncode not in expected_statuses:
        sys.exit(f"{' '.join(command)} exited with {done.returncode}:\n{done.stderr.decode()[-2000:]}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a 64 MiB corpus, to check that everything runs")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement; the fastest counts")
    parser.add_argument("--master", default="local[2]", help="the Spark master (default local[2])")
    parser.add_argument("--flowaudit", default=os.path.join(".build", "release", "flowaudit"))
    parser.add_argument("--output", default="bench-out", help="the folder for the corpus and reports")
    options = parser.parse_args()

    cores = os.cpu_count() or 1
    megabytes = 16 if options.quick else 256
    corpus = os.path.join(options.output, f"corpus-4x{megabytes}MiB")
    if not all(
        os.path.exists(os.path.join(REPOSITORY, corpus, f"blob-00{i}-{k}.json.gz"))
        for i, k in ((0, "nsg"), (1, "vnet"), (2, "nsg"), (3, "vnet"))
    ):
        print(f"writing the corpus to {corpus} ...", flush=True)
        samples = os.path.join(os.path.dirname(options.flowaudit), "flowaudit-samples")
        subprocess.run(
            [samples, "corpus", "--output", corpus, "--files", "4", "--megabytes", str(megabytes)],
            cwd=REPOSITORY,
            check=True,
        )
    blobs = sorted(name for name in os.listdir(os.path.join(REPOSITORY, corpus)) if name.endswith(".json.gz"))
    size = sum(os.path.getsize(os.path.join(REPOSITORY, corpus, name)) for name in blobs)
    print(
        f"corpus: {corpus}, {len(blobs)} blobs, {size / 1048576:.0f} MiB gzipped "
        f"({megabytes * len(blobs)} MiB decompressed); {cores} cores; Spark master {options.master}; "
        f"fastest of {options.runs} runs"
    )

    folders = {name: os.path.join(options.output, "spark-bench", name) for name in ("single", "spark", "small")}
    for folder in folders.values():
        shutil.rmtree(os.path.join(REPOSITORY, folder), ignore_errors=True)
        os.makedirs(os.path.join(REPOSITORY, folder))
    single_reports = [os.path.join(folders["single"], name) for name in REPORTS]
    single = [
        options.flowaudit,
        "analyze",
        corpus,
        "--jobs",
        str(cores),
        "--quiet",
        "--json",
        single_reports[0],
        "--junit",
        single_reports[1],
        "--markdown",
        single_reports[2],
        "--html",
        single_reports[3],
    ]

    def spark(output: str, *paths: str) -> list[str]:
        return [
            sys.executable,
            DRIVER,
            "--flowaudit",
            options.flowaudit,
            "--master",
            options.master,
            "--conf",
            "spark.ui.enabled=false",
            "--output",
            output,
            "--quiet",
            *paths,
        ]

    rows = {"c": [], "s": [], "s0": []}
    for run in range(options.runs):
        rows["c"].append(measure(single))
        rows["s"].append(measure(spark(folders["spark"], corpus)))
        rows["s0"].append(measure(spark(folders["small"], SMALL_BLOB)))
        print(f"run {run + 1}: " + ", ".join(f"{key} {values[-1]:.2f} s" for key, values in rows.items()), flush=True)
    for name in REPORTS:
        if not filecmp.cmp(
            os.path.join(REPOSITORY, folders["single"], name),
            os.path.join(REPOSITORY, folders["spark"], name),
            shallow=False,
        ):
            sys.exit(f"the Spark job's {name} differs from flowaudit analyze's")

    best = {key: min(values) for key, values in rows.items()}
    labels = {
        "c": f"(c) `flowaudit analyze --jobs {cores}`",
        "s": f"(s) Spark job, `{options.master}`",
        "s0": f"(s0) Spark job, `{options.master}`, one 4 KiB blob",
    }
    print()
    print("| run | wall s |")
    print("|---|---|")
    for key in ("c", "s", "s0"):
        print(f"| {labels[key]} | {best[key]:.2f} |")
    print()
    wall_c, wall_s, wall_s0 = best["c"], best["s"], best["s0"]
    print(
        f"s/c: {wall_s / wall_c:.1f}× the wall time of one analyze; (s − s0)/c: {(wall_s - wall_s0) / wall_c:.1f}× "
        f"without Spark's start; the Spark job's reports equal (c)'s, byte for byte"
    )


if __name__ == "__main__":
    main()
