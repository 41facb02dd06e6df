#!/usr/bin/env bash
# Runs every fuzz target of the repository briefly: a duration (10s) or an input count (2000x; the default, steadier on a busy machine).
# Usage: scripts/fuzz.sh [10s|2000x]
set -euo pipefail
cd "$(dirname "$0")/.."
t="${1:-2000x}"
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "fuzz $pkg $f ($t)"
    go test "$pkg" -run '^$' -fuzz "^$f\$" -fuzztime "$t" >/tmp/fuzz.$$.log 2>&1 || { cat /tmp/fuzz.$$.log; exit 1; }
  done
done
rm -f /tmp/fuzz.$$.log
