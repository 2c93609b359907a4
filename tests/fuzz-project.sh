#!/usr/bin/env bash
# Runs every Go fuzz target of analysis/project (the build-file, compile
# database and settings readers) for a short time each, beyond the committed
# seed corpus that `go test` already runs. FUZZTIME overrides the duration.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
fuzztime=${FUZZTIME:-15s}
pkg=./analysis/project/
targets=$(go test "$pkg" -list '^Fuzz' | grep '^Fuzz' || true)
if [ -z "$targets" ]; then
  echo "no fuzz targets found in $pkg" >&2
  exit 1
fi
for t in $targets; do
  echo "-- $t ($fuzztime)"
  go test "$pkg" -run '^$' -fuzz "^${t}\$" -fuzztime "$fuzztime" -fuzzminimizetime 5s -parallel 2 2>&1 | tail -n 20
done
