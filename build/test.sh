#!/usr/bin/env bash
# Builds what the tests need (build/test.slnf: the libraries, the examples, the test projects and their fixtures;
# not the benchmark and soak programs, which build with build/bench.sh and build/soak.sh) and runs every test project.
# Prints "N passed, N failed" as its last line, with the real totals of the run. A test host that makes no
# progress for 5 minutes is stopped, and the test it was running is named, instead of hanging the run.
set -uo pipefail
cd "$(dirname "$0")/.."
config="${CONFIGURATION:-Release}"
log="$(mktemp)"
dotnet test build/test.slnf -c "$config" --blame-hang-timeout 5m --blame-hang-dump-type none "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=0
failed=0
while read -r f p; do
  passed=$((passed + p))
  failed=$((failed + f))
done < <(sed -nE 's/.*Failed:[[:space:]]*([0-9]+),[[:space:]]*Passed:[[:space:]]*([0-9]+),.*/\1 \2/p' "$log")
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with status $status before reporting failures (build error?)" >&2
  failed=1
fi
echo "$passed passed, $failed failed"
exit "$status"
