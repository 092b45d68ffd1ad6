#!/usr/bin/env bash
# Issue 11, the Spark job's local-mode overhead: builds flowaudit in release mode, installs Java and PySpark
# where missing (deploy/spark/setup.sh), and times the Spark job in local[2] against one flowaudit analyze on
# Scripts/bench.sh's corpus (bench-out/corpus-4x256MiB, written once and shared with it), in the same run.
# Run it on a quiet machine: it times child processes by wall clock.
#
#   Scripts/bench-spark.sh            the full measurement (docs/spark.md's figures)
#   Scripts/bench-spark.sh --quick    a 64 MiB corpus, to check that everything runs
#   Scripts/bench-spark.sh --help     every option
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release
deploy/spark/setup.sh
export SPARK_LOCAL_IP=127.0.0.1
exec "${FLOWAUDIT_SPARK_VENV:-.build-spark/venv}/bin/python" deploy/spark/bench_spark.py "$@"
