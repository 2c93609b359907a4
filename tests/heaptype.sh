#!/usr/bin/env bash
# End-to-end check of the static-type -> heap-type conversion
# (analysis/heaptype): every test module in analysis/heaptype/testdata is
# converted, compiled with gcc/g++ -fsyntax-only under
# -DPy_LIMITED_API=<target> against the Python 3.11 headers (and pyenv's
# headers where installed), built as an extension module and imported by
# Python 3.11 (and pyenv interpreters where installed), which exercises it
# and checks that the type's reference count does not leak.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if go test ./analysis/heaptype/ -run '^TestOracle$' -oracle -count=1 -v >"$log" 2>&1; then
  grep -E '^=== RUN +TestOracle/|passed with Python|not compiled|^--- ' "$log" | sed 's/^ *oracle_test.go:[0-9]*: /    /'
  echo "heaptype: $(grep -c -- '--- PASS: TestOracle/' "$log") modules converted, compiled and run"
else
  cat "$log"
  exit 1
fi
