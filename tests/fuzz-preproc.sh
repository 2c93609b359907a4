#!/usr/bin/env bash
# Runs the Go fuzz targets of analysis/preproc (the directive scanner and the
# #if expression evaluator) for a short time each, beyond the committed seed
# corpus that `go test` already runs. FUZZTIME overrides the duration.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
fuzztime=${FUZZTIME:-15s}
pkg=./analysis/preproc/
targets=$(go test "$pkg" -list '^Fuzz' | grep '^Fuzz' || true)
if [ -z "$targets" ]; then
  echo "no fuzz targets found in $pkg" >&2
  exit 1
fi
for t in $targets; do
  echo "-- $t ($fuzztime)"
  go test "$pkg" -run '^$' -fuzz "^${t}\$" -fuzztime "$fuzztime" -parallel 2 2>&1 | tail -n 20
done
