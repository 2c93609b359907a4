#!/usr/bin/env bash
# Runs every Go fuzz target of the repository for a short time each, beyond
# the committed seed corpora (testdata/fuzz/<Target>) that `go test` already
# runs. Targets are discovered: every package with a `func Fuzz` in a test
# file is asked for its targets with `go test -list`.
#
# Environment:
#   FUZZTIME          time per target (default 10s)
#   FUZZMINIMIZETIME  time to minimize a failing input (default 5s)
#   FUZZPARALLEL      fuzz workers per target (default 2)
#   FUZZ_PKGS         packages to fuzz instead of all (e.g. "./server/")
#   FUZZ_MATCH        only targets whose name matches this grep -E pattern
#
# A failing target prints the go test output; the failing input is written
# by go test under the package's testdata/fuzz/<Target>/ (commit it as a
# regression seed once fixed). At the end a table gives the executions of
# every target.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
fuzztime=${FUZZTIME:-10s}
minimize=${FUZZMINIMIZETIME:-5s}
parallel=${FUZZPARALLEL:-2}
match=${FUZZ_MATCH:-.}

if [ -n "${FUZZ_PKGS:-}" ]; then
  read -r -a pkgs <<<"$FUZZ_PKGS"
else
  mapfile -t pkgs < <(git ls-files '*_test.go' | xargs grep -l '^func Fuzz' | xargs -n1 dirname | sort -u | sed 's|^|./|; s|$|/|')
fi
if [ ${#pkgs[@]} -eq 0 ]; then
  echo "no packages with fuzz targets found" >&2
  exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
summary=()
failed=0
total=0
for pkg in "${pkgs[@]}"; do
  targets=$(go test "$pkg" -run '^$' -list '^Fuzz' | grep '^Fuzz' | grep -E "$match" || true)
  if [ -z "$targets" ]; then
    echo "-- $pkg: no fuzz targets"
    continue
  fi
  for t in $targets; do
    total=$((total + 1))
    echo "-- $pkg $t ($fuzztime)"
    start=$(date +%s)
    run() {
      go test "$pkg" -run '^$' -fuzz "^${t}\$" -fuzztime "$fuzztime" \
        -fuzzminimizetime "$minimize" -parallel "$parallel" >"$log" 2>&1
    }
    # Go's fuzzing coordinator sometimes ends a run whose time ran out with a
    # bare "context deadline exceeded" and no failing input (a known flake
    # of the go command under load, not a finding): run such a target once
    # more. A real failure writes its input ("Failing input written to").
    if run || { grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log" &&
      echo "   (go fuzz coordinator timed out without a finding; running $t again)" && run; }; then
      status=ok
    else
      status=FAIL
      failed=$((failed + 1))
      cat "$log"
    fi
    execs=$(grep -o 'execs: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2 || true)
    corpus=$(grep -o 'total: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2 || true)
    summary+=("$(printf '%-4s %-28s %-24s %10s execs %6s corpus %4ss' \
      "$status" "$pkg" "$t" "${execs:-?}" "${corpus:-?}" "$(( $(date +%s) - start ))")")
    tail -n 3 "$log"
  done
done

echo "== fuzz summary ($total targets, $fuzztime each)"
printf '%s\n' "${summary[@]}"
if [ "$total" -eq 0 ]; then
  echo "no fuzz targets found" >&2
  exit 1
fi
if [ "$failed" -gt 0 ]; then
  echo "$failed fuzz target(s) failed; the failing inputs are under the packages' testdata/fuzz/" >&2
  exit 1
fi
