#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ and runs each one for a while.
#
#   Scripts/fuzz.sh [SECONDS] [TARGET...]     open-ended: explore, and keep what is found
#   Scripts/fuzz.sh --ci [TARGET...]          deterministic: what .ci/run runs
#
# SECONDS (default 60) is the time per target; 0 means no time limit (then set FUZZ_RUNS).
#
# --ci gives the same result on every run of the same commit: a fixed -seed, a fixed -runs count
# per target (a few seconds each), only the committed seeds as input (test fixtures, sample-logs,
# Fuzz/Corpus; not ../shared), a fresh corpus that is thrown away afterwards, and deterministic
# Swift hashing. It fails only when the code changes what those inputs do.
# TARGETs are file names in Fuzz/ without `Fuzz` and `.swift`, in kebab case: log-reader,
# json-tokenizer, flow-tuple, firewall-message, firewall-record, csv-reader, json-parser,
# service-tags, rule-export, partial-body. Without any, every target runs.
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

ci=false
if [[ ${1:-} == --ci ]]; then
    ci=true
    shift
    seconds=0
else
    seconds=${1:-60}
    shift || true
fi
all_targets=(log-reader json-tokenizer flow-tuple firewall-message firewall-record csv-reader json-parser service-tags
    rule-export partial-body)
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")

out=.build-fuzz
features=(-enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility
    -enable-upcoming-feature InternalImportsByDefault)
# One package name, as SwiftPM gives its targets: the library's `package` declarations are the targets' too.
common=(-sanitize=fuzzer,address -O -I Sources/CZlib -I Sources/CLibXML2 -Xcc -I/usr/include/libxml2 "${features[@]}"
    -package-name flowaudit)

# The Swift runtime's backtracer would take over libFuzzer's crash handling.
export SWIFT_BACKTRACE=enable=no

# Per target, for --ci: the inputs run, sized to a few seconds each on one core.
ci_runs() {
    case "$1" in
    log-reader) echo 3000 ;;
    csv-reader) echo 3500 ;;
    json-tokenizer) echo 12000 ;;
    json-parser) echo 16000 ;;
    service-tags) echo 30000 ;;
    rule-export) echo 20000 ;;
    partial-body) echo 3000 ;;
    firewall-record) echo 120000 ;;
    firewall-message) echo 250000 ;;
    flow-tuple) echo 600000 ;;
    esac
}

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
    # A static archive keeps the members of source files that are gone: start it afresh.
    rm -f "$library"
    # shellcheck disable=SC2086
    nice -n 10 swiftc "${common[@]}" -enable-testing -parse-as-library -module-name FlowAudit \
        -emit-module -emit-module-path "$out/lib/FlowAudit.swiftmodule" \
        -emit-library -static -o "$library" $sources
fi

# Seeds, gathered afresh for each run (runs may go on side by side).
seed_root=$out/seeds.$$
trap 'rm -rf "$seed_root"' EXIT
seed_sources=(Tests/FlowAuditTests/Fixtures sample-logs)
# What runs each target: as is, or, for --ci, with address space randomization off where the system
# allows it (comparisons of addresses reach libFuzzer's comparison tracing and steer its mutations).
launcher=(nice -n 10)
if $ci; then
    # Swift's hashing is seeded per process unless told otherwise; coverage must not depend on it.
    export SWIFT_DETERMINISTIC_HASHING=1
    # The log-reader target reads blocks on one thread: which thread reads a block ahead, and which code
    # runs for it, must not depend on scheduling (BlockReadingTests and Scripts/tsan.sh cover the threads).
    export FLOWAUDIT_FUZZ_BLOCK_THREADS=1
    if setarch "$(uname -m)" -R true 2>/dev/null; then
        launcher+=(setarch "$(uname -m)" -R)
    else
        echo "warning: setarch -R is not available: address randomization may change --ci coverage figures" >&2
    fi
else
    seed_sources+=(../shared/samples)
fi
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
done < <(find "${seed_sources[@]}" -type f ! -name '*.md' -print0 2>/dev/null | sort -z)
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

    # Open-ended runs keep what they discover for the next run; --ci starts from the seeds alone.
    if $ci; then corpus=$seed_root/corpus/$target; else corpus=$out/corpus/$target; fi
    artifacts=$out/artifacts/$target
    seeds=$seed_root/$target
    mkdir -p "$corpus" "$artifacts" "$seeds"
    for directory in Fuzz/Corpus/"$target" "$extracted/$target"; do
        if [[ -d $directory ]]; then find "$directory" -type f -exec cp {} "$seeds"/ \;; fi
    done
    options=(-max_len="$(max_len "$target")" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10
        -print_final_stats=1 -artifact_prefix="$artifacts/")
    if $ci; then
        # -reload=0: re-reading the output corpus on a timer makes the run depend on the clock.
        # -use_cmp=0 -use_memmem=0: operands of traced comparisons include addresses, which differ
        # from run to run and would steer the mutations differently.
        options+=(-seed=1 -runs="$(ci_runs "$target")" -reload=0 -use_cmp=0 -use_memmem=0)
    else
        ((seconds > 0)) && options+=(-max_total_time="$seconds")
        [[ -n ${FUZZ_RUNS:-} ]] && options+=(-runs="$FUZZ_RUNS")
    fi
    [[ -f Fuzz/Dictionaries/$target.dict ]] && options+=(-dict=Fuzz/Dictionaries/"$target".dict)
    log=$out/$target.log
    echo "== $target: $binary ${options[*]} $corpus $seeds $shared_seeds"
    set +e
    started=$SECONDS
    "${launcher[@]}" "$binary" "${options[@]}" "$corpus" "$seeds" "$shared_seeds" >"$log" 2>&1
    status=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    # Coverage and features of the last status line: the same on every --ci run of one commit.
    coverage=$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*' "$log" | tail -1)
    elapsed=$((SECONDS - started))
    if ((status != 0)); then
        failed+=("$target")
        summary+=("$target: FAILED (status $status) after ${runs:-?} runs")
        echo "-- $target failed; the end of $log:" >&2
        grep -v '^#[0-9]' "$log" | tail -40 >&2
        ls "$artifacts" >&2
    elif $ci; then
        summary+=("$target: ${runs:-?} runs, ${coverage:-no coverage line}")
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
