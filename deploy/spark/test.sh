#!/usr/bin/env bash
# Runs the Spark job's tests (deploy/spark/tests) with real Spark in local mode: the job's reports must equal,
# byte for byte, those of one flowaudit analyze. Installs Java and PySpark first where missing
# (deploy/spark/setup.sh). Needs a release build: swift build -c release (or FLOWAUDIT_BIN=path).
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/spark/setup.sh
export FLOWAUDIT_BIN=${FLOWAUDIT_BIN:-$PWD/.build/release/flowaudit}
if [[ ! -x $FLOWAUDIT_BIN ]]; then
    echo "no flowaudit executable at $FLOWAUDIT_BIN: build it with swift build -c release" >&2
    exit 1
fi
# Spark's driver and executors talk over the loopback interface only.
export SPARK_LOCAL_IP=127.0.0.1
export FLOWAUDIT_REQUIRE_SPARK=1
exec "${FLOWAUDIT_SPARK_VENV:-.build-spark/venv}/bin/python" -m unittest discover -s deploy/spark/tests -v
