#!/usr/bin/env bash
# Issues 7 and 12: builds flowaudit in release mode and runs the throughput benchmark on a
# generated 1 GiB corpus (4 gzipped NSG v2 / VNet v4 blobs, and the first two as plain JSON, written
# once into bench-out/ and reused): zlib alone, analyze on one and on all cores, one large blob on all
# cores, plain JSON per flow, naive Python and jq. Run it on a quiet machine: it times child processes
# by wall clock, interleaving their runs, and shows the noise.
# Issue 11 adds split runs: --shard processes and their merge against one process, the merge of
# 100 partials, and the partial's size for the corpus and for one four times as large (written once
# too, 4 GiB).
#
#   Scripts/bench.sh              the full benchmark (the figures in docs/performance.md)
#   Scripts/bench.sh --quick      a 64 MiB corpus, to check that everything runs
#   Scripts/bench.sh --help       every option (runs, corpus size, jobs, Python, paths)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release
exec .build/release/flowaudit-bench throughput "$@"
