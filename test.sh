#!/usr/bin/env bash
# Runs every test of the project: formatting, vet, the Go tests, then each
# end-to-end suite under tests/ (editors, node client, oracle, benchmarks in
# short mode). Usage: ./test.sh [-short]   (-short skips the tests/ suites)
set -euo pipefail
cd "$(dirname "$0")"
export PATH=/usr/local/go/bin:$PATH

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
echo "== go vet"
go vet ./...
echo "== go test"
go test ./...

[ "${1:-}" = "-short" ] && exit 0
# Every suite runs even when an earlier one failed, so one run shows all
# failures; the script fails at the end if any did.
failed=()
for t in tests/*.sh; do
  [ -e "$t" ] || continue
  echo "== $t"
  start=$(date +%s)
  if bash "$t"; then
    echo "== $t passed in $(( $(date +%s) - start ))s"
  else
    echo "== $t FAILED after $(( $(date +%s) - start ))s"
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "== failed suites: ${failed[*]}"
  exit 1
fi
echo "== all tests passed"
