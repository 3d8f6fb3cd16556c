#!/usr/bin/env bash
# Runs every test of the solution (installing what they need first) and ends with the line
# "N passed, N failed, N skipped", counted from the test platform's own reports (one .trx per test project).
# The test projects run one after another, so the process tests do not compete with the others for the cores.
#   bash scripts/test.sh [dotnet test options, e.g. --filter "FullyQualifiedName~Grains"]
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh || exit 1

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
if dotnet build Pcn.slnx -c Release --nologo; then
  for project in tests/*/*.csproj; do
    name=$(basename "$project" .csproj)
    dotnet test "$project" -c Release --no-build --nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results" "$@" || status=1
  done
else
  status=1
fi

# Each test's outcome as the platform recorded it: Passed, Failed, or NotExecuted (skipped).
summary=$(python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
counts = {"Passed": 0, "Failed": 0, "NotExecuted": 0}
reports = glob.glob(sys.argv[1] + "/**/*.trx", recursive=True)
for report in reports:
    for result in ET.parse(report).getroot().iter("{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}UnitTestResult"):
        outcome = result.get("outcome", "Failed")
        counts[outcome if outcome in counts else "Failed"] += 1
if reports:
    print(f"{counts['Passed']} passed, {counts['Failed']} failed, {counts['NotExecuted']} skipped")
PY
)
if [ -z "$summary" ] || [[ "$summary" == "0 passed, 0 failed, "* ]]; then
  echo "0 passed, 1 failed"
  echo "No test report found: the build or the test run failed (exit code $status)." >&2
  exit 1
fi
echo "$summary"
if [ "$status" -eq 0 ] && [[ "$summary" != *", 0 failed,"* ]]; then
  status=1
fi
exit "$status"
