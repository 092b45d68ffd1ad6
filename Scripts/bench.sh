#!/usr/bin/env bash
# Issue 7, "as fast as zlib": builds flowaudit in release mode and runs the throughput
# benchmark on a generated 1 GiB corpus (4 gzipped NSG v2 / VNet v4 blobs, written once into
# bench-out/ and reused). Run it on a quiet machine: it times child processes by wall clock.
#
#   Scripts/bench.sh              the full benchmark (the figures in docs/performance.md)
#   Scripts/bench.sh --quick      a 64 MiB corpus, to check that everything runs
#   Scripts/bench.sh --help       every option (runs, corpus size, jobs, Python, paths)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release
exec .build/release/flowaudit-bench throughput "$@"
