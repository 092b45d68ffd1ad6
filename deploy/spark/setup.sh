#!/usr/bin/env bash
# Installs what the Spark job and its tests need and a machine lacks: Java 17 or later (Debian's
# openjdk-17-jre-headless), python3-venv, and deploy/spark/requirements.txt (PySpark) in a virtual
# environment, by default .build-spark/venv (FLOWAUDIT_SPARK_VENV sets another). Each is installed once: a
# machine that has them is left as it is.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=${FLOWAUDIT_SPARK_VENV:-.build-spark/venv}

java_major() {
    command -v java >/dev/null || { echo 0; return; }
    java -version 2>&1 | sed -n 's/.*version "\(1\.\)\{0,1\}\([0-9]*\).*/\2/p' | head -n 1
}

missing=()
(($(java_major) >= 17)) || missing+=(openjdk-17-jre-headless)
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
if ((${#missing[@]})); then
    echo "== installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # The JRE's post-installation links a manual page there; slim images have no such folder.
    mkdir -p /usr/share/man/man1
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    if (($(java_major) < 17)); then
        update-alternatives --set java "$(ls -d /usr/lib/jvm/java-17-openjdk-*/bin/java | head -n 1)"
    fi
fi

if ! "$venv/bin/python" -c 'import pyspark, yaml' 2>/dev/null; then
    echo "== installing $(grep -v '^#' deploy/spark/requirements.txt | tr '\n' ' ')into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r deploy/spark/requirements.txt
fi
