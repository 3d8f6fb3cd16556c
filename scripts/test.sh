#!/usr/bin/env bash
# Runs every test of the solution (installing what they need first) and ends with the line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh || exit 1

log=$(mktemp)
dotnet test Pcn.slnx -c Release --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# VSTest prints one summary per test assembly: "Passed!  - Failed: 0, Passed: 20, Skipped: 0, Total: 20, ...".
summary=$(grep -E '^(Passed|Failed)!' "$log" | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\1 \2 \3/' |
  awk '{f += $1; p += $2; s += $3} END {printf "%d passed, %d failed, %d skipped\n", p, f, s}')
rm -f "$log"
if [ -z "$summary" ] || [ "$summary" = "0 passed, 0 failed, 0 skipped" ]; then
  echo "0 passed, 1 failed"
  echo "No test summary found: the build or the test run failed (exit code $status)." >&2
  exit 1
fi
echo "$summary"
exit "$status"
