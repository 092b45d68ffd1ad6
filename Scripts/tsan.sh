#!/usr/bin/env bash
# Runs the test suite under ThreadSanitizer, in its own build folder so that the normal build stays.
#
#   Scripts/tsan.sh [swift test options, e.g. --filter AnalyzerTests]
#
# The parallel parts are the per-file tasks of InputScanner (one reader, buffers and sink per file,
# results merged in input order) and the atomic counters of ReadProgress, bumped by every file task
# and read by the progress line. Expect a slow run: the whole suite, instrumented, on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
nice -n 10 swift test --sanitize=thread --disable-xctest --scratch-path .build-tsan "$@"
