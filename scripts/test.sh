#!/usr/bin/env bash
# The whole test suite: installs what it needs, runs every test project, and ends with one line
# `N passed, N failed[, N skipped]` summed over the results. Exits non-zero when anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

# Results of earlier runs (git-ignored) are removed so that TestResults/ does not grow run by run.
rm -rf TestResults/run-*
results="TestResults/run-$(date +%s)-$$"
mkdir -p "$results"
status=0
dotnet test ParmaOperator.sln \
  --results-directory "$results" \
  --blame-hang-timeout 10m \
  || status=$?

passed=0; failed=0; skipped=0; total=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -1)"
  get() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  total=$((total + $(get total)))
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  # A skipped test counts in total but not in executed.
  skipped=$((skipped + $(get total) - $(get executed)))
done

line="$passed passed, $failed failed"
if [ "$skipped" -gt 0 ]; then line="$line, $skipped skipped"; fi
echo "$line"

if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$total" -eq 0 ]; then
  exit 1
fi
