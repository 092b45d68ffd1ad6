#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ and runs each one for a while.
#
#   Scripts/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS (default 60) is the time per target; 0 means no time limit (then set FUZZ_RUNS).
# TARGETs are file names in Fuzz/ without `Fuzz` and `.swift`, in kebab case: log-reader,
# json-tokenizer, flow-tuple, firewall-message, firewall-record, csv-reader, json-parser,
# service-tags, rule-export. Without any, every target runs.
#
# Environment:
#   FUZZ_RUNS=N   stop each target after N inputs (libFuzzer -runs), or at SECONDS if that comes first.
#
# The library is compiled once with coverage and AddressSanitizer (and -enable-testing, so that
# the targets reach internal API through `@testable import`), then each target is linked to it.
# Seeds: the test fixtures, the sample logs (as stored and decompressed), ../shared/samples when
# present, and the hand-written inputs in Fuzz/Corpus/<target>/. What a run discovers is kept in
# .build-fuzz/corpus/<target>/ for the next run. A crash, timeout or out-of-memory input is saved in
# .build-fuzz/artifacts/<target>/ and fails the script; turn it into a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
all_targets=(log-reader json-tokenizer flow-tuple firewall-message firewall-record csv-reader json-parser service-tags
    rule-export)
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")

out=.build-fuzz
features=(-enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility
    -enable-upcoming-feature InternalImportsByDefault)
common=(-sanitize=fuzzer,address -O -I Sources/CZlib -I Sources/CLibXML2 -Xcc -I/usr/include/libxml2 "${features[@]}")

# The Swift runtime's backtracer would take over libFuzzer's crash handling.
export SWIFT_BACKTRACE=enable=no

# Per target: the longest input, and any libFuzzer options of its own.
max_len() {
    case "$1" in
    flow-tuple) echo 512 ;;
    firewall-message) echo 2048 ;;
    firewall-record | csv-reader | json-tokenizer | log-reader) echo 16384 ;;
    *) echo 65536 ;;
    esac
}

swift_name() {
    local name="" part
    IFS=- read -ra parts <<<"$1"
    for part in "${parts[@]}"; do
        case "$part" in
        json) name+=JSON ;;
        csv) name+=CSV ;;
        *) name+=${part^} ;;
        esac
    done
    echo "Fuzz${name}.swift"
}

mkdir -p "$out/lib"
library=$out/lib/libFlowAudit.a
sources=$(find Sources/FlowAudit -name '*.swift' | sort)
if [[ ! -f $library ]] || [[ -n $(find Sources/FlowAudit -name '*.swift' -newer "$library" | head -1) ]]; then
    echo "== building the instrumented library"
    # shellcheck disable=SC2086
    nice -n 10 swiftc "${common[@]}" -enable-testing -parse-as-library -module-name FlowAudit \
        -emit-module -emit-module-path "$out/lib/FlowAudit.swiftmodule" \
        -emit-library -static -o "$library" $sources
fi

# Seeds, gathered afresh for each run (runs may go on side by side).
seed_root=$out/seeds.$$
trap 'rm -rf "$seed_root"' EXIT
# Seeds shared by every target: real logs in every layout the reader accepts.
shared_seeds=$seed_root/common
mkdir -p "$shared_seeds"
index=0
while IFS= read -r -d '' file; do
    index=$((index + 1))
    cp "$file" "$shared_seeds/$index-$(basename "$file")"
    if [[ $file == *.gz ]]; then
        gzip -dc "$file" >"$shared_seeds/$index-$(basename "$file" .gz)" 2>/dev/null || true
    fi
done < <(find Tests/FlowAuditTests/Fixtures sample-logs ../shared/samples -type f ! -name '*.md' -print0 2>/dev/null)
# Tuples, firewall messages and records cut out of those logs, for the targets that read just those.
extracted=$seed_root/extracted
python3 Scripts/fuzz-seeds.py "$extracted" "$shared_seeds"/*

failed=()
summary=()
for target in "${targets[@]}"; do
    source_file=Fuzz/$(swift_name "$target")
    if [[ ! -f $source_file ]]; then
        echo "unknown target '$target' (no $source_file); known: ${all_targets[*]}" >&2
        exit 64
    fi
    binary=$out/fuzz-$target
    echo "== $target: building"
    nice -n 10 swiftc "${common[@]}" -parse-as-library Fuzz/Support/*.swift "$source_file" -I "$out/lib" -L "$out/lib" -lFlowAudit \
        -lz -lxml2 -o "$binary" 2> >(grep -v "ld.gold: warning: Cannot export local symbol" >&2)

    corpus=$out/corpus/$target
    artifacts=$out/artifacts/$target
    seeds=$seed_root/$target
    mkdir -p "$corpus" "$artifacts" "$seeds"
    for directory in Fuzz/Corpus/"$target" "$extracted/$target"; do
        if [[ -d $directory ]]; then find "$directory" -type f -exec cp {} "$seeds"/ \;; fi
    done
    options=(-max_len="$(max_len "$target")" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10
        -print_final_stats=1 -artifact_prefix="$artifacts/")
    ((seconds > 0)) && options+=(-max_total_time="$seconds")
    [[ -n ${FUZZ_RUNS:-} ]] && options+=(-runs="$FUZZ_RUNS")
    [[ -f Fuzz/Dictionaries/$target.dict ]] && options+=(-dict=Fuzz/Dictionaries/"$target".dict)
    log=$out/$target.log
    echo "== $target: $binary ${options[*]} $corpus $seeds $shared_seeds"
    set +e
    started=$SECONDS
    nice -n 10 "$binary" "${options[@]}" "$corpus" "$seeds" "$shared_seeds" >"$log" 2>&1
    status=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    elapsed=$((SECONDS - started))
    if ((status != 0)); then
        failed+=("$target")
        summary+=("$target: FAILED (status $status) after ${runs:-?} runs")
        echo "-- $target failed; the end of $log:" >&2
        grep -v '^#[0-9]' "$log" | tail -40 >&2
        ls "$artifacts" >&2
    else
        summary+=("$target: ${runs:-?} runs in ${elapsed}s")
    fi
done

echo "== fuzzing summary"
printf '%s\n' "${summary[@]}"
if ((${#failed[@]})); then
    echo "failed: ${failed[*]}; inputs in $out/artifacts/" >&2
    exit 1
fi
