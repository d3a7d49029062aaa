#!/usr/bin/env bash
# build/conformance.sh — runs the OTP conformance scenarios with the Otp.Net runner, repeatedly if asked, and
# compares every trace byte for byte with its golden trace.
#
# Usage: build/conformance.sh [-n N] [-f FILTER] [-l K] [-x] [-p] [-d DIR] [-k]
#   -n N       run every scenario N times (default 1); each run is a fresh runner process
#   -p         run the repetitions inside one runner process (Otp.Net.Conformance --check), a fresh node per run:
#              much faster, but warm (JIT, thread pool), so it rarely exposes ordering races that a fresh process
#              per run shows within a few hundred runs; use it for quick checks, not for flakiness hunting
#   -f FILTER  only scenarios whose name contains FILTER (may be given several times)
#   -l K       load the machine with K CPU burners (`yes > /dev/null`) while running; they are stopped on exit
#   -x         stop at the first difference
#   -d DIR     directory holding scenarios/*.scn and expected/*.out (default: tests/Otp.Net.Conformance, the
#              project's copy of the suite; the shared suite, if checked out next to the clone, is ../shared/conformance)
#   -k         keep (do not rebuild) the runner: use the Release build already in tests/Otp.Net.Conformance/bin
#
# Prints one line per scenario, "PASS name N/N" or "FAIL name F/N failed", with the first diff of each failing
# scenario (the failing traces are kept in a temporary directory whose path is printed), then "N passed, M failed"
# counting runs. Exits 0 only if every run of every scenario matched.
#
# Examples:
#   build/conformance.sh                                   # the whole suite once
#   build/conformance.sh -n 20 -l 2                        # 20 rounds under load
#   build/conformance.sh -n 200 -l 2 -f proc_self_exit_kill
#   build/conformance.sh -p -n 200 -l 2 -f _before_result
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

runs=1
filters=()
burners=0
stop_first=0
dir="tests/Otp.Net.Conformance"
rebuild=1
in_process=0
while getopts "n:f:l:xpd:kh" opt; do
    case $opt in
        n) runs=$OPTARG ;;
        f) filters+=("$OPTARG") ;;
        l) burners=$OPTARG ;;
        x) stop_first=1 ;;
        d) dir=$OPTARG ;;
        k) rebuild=0 ;;
        p) in_process=1 ;;
        *) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
done
if [ ! -d "$dir/scenarios" ]; then
    echo "conformance.sh: $dir/scenarios is not a directory" >&2
    exit 2
fi

if [ "$rebuild" -eq 1 ]; then
    if ! dotnet build tests/Otp.Net.Conformance -c Release -v quiet -nologo > /dev/null; then
        dotnet build tests/Otp.Net.Conformance -c Release -nologo 2>&1 | tail -20 >&2
        exit 2
    fi
fi
dll=$(ls "$root"/tests/Otp.Net.Conformance/bin/Release/*/Otp.Net.Conformance.dll 2>/dev/null | head -n 1)
if [ -z "$dll" ]; then
    echo "conformance.sh: runner not built (run without -k)" >&2
    exit 2
fi

tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
for ((i = 0; i < burners; i++)); do
    yes > /dev/null &
    pids+=($!)
done

if [ "$in_process" -eq 1 ]; then
    dotnet "$dll" --check "$runs" "$dir" "${filters[@]}"
    exit $?
fi

total_pass=0
total_fail=0
shopt -s nullglob
for scn in "$dir"/scenarios/*.scn; do
    name=$(basename "$scn" .scn)
    if [ ${#filters[@]} -gt 0 ]; then
        keep=0
        for f in "${filters[@]}"; do [[ "$name" == *"$f"* ]] && keep=1; done
        [ "$keep" -eq 1 ] || continue
    fi
    expected="$dir/expected/$name.out"
    failed=0
    first_diff=""
    for ((r = 1; r <= runs; r++)); do
        actual="$tmp/$name.$r.out"
        timeout 120 dotnet "$dll" "$scn" > "$actual" 2> "$tmp/$name.$r.err" < /dev/null
        rc=$?
        if [ "$rc" -eq 0 ] && [ -f "$expected" ] && cmp -s "$expected" "$actual"; then
            rm -f "$actual" "$tmp/$name.$r.err"
            continue
        fi
        failed=$((failed + 1))
        if [ -z "$first_diff" ]; then
            first_diff=$( { echo "run $r: exit status $rc"; head -n 5 "$tmp/$name.$r.err" | sed 's/^/stderr: /';
                            diff -u "${expected:-/dev/null}" "$actual" | head -n 30; } 2>&1)
        fi
        [ "$stop_first" -eq 1 ] && break
    done
    done_runs=$((r > runs ? runs : r))
    if [ "$failed" -eq 0 ]; then
        echo "PASS $name $runs/$runs"
    else
        echo "FAIL $name $failed/$done_runs failed"
        echo "$first_diff" | sed 's/^/    /'
    fi
    total_pass=$((total_pass + done_runs - failed))
    total_fail=$((total_fail + failed))
    if [ "$failed" -gt 0 ] && [ "$stop_first" -eq 1 ]; then break; fi
done

if [ "$total_fail" -gt 0 ]; then
    echo "failing traces kept in $tmp"
else
    rm -rf "$tmp"
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ "$total_pass" -gt 0 ]
