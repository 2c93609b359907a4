#!/usr/bin/env bash
# The oracle suite (tests/oracle): abi3ls against gcc on the real CPython
# headers (Debian's python3-dev and every pyenv Python found). Prints the
# figures: names checked per header set and target, agreement, exceptions,
# corpus recall and precision per target. Takes a few minutes on 2 cores.
#
# Compiler output is cached under $ABI3LS_ORACLE_CACHE (keyed by compiler
# version, arguments, source and header files), so reruns on one machine
# are fast; set it to "" to disable.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
export ABI3LS_ORACLE_CACHE="${ABI3LS_ORACLE_CACHE-${TMPDIR:-/tmp}/abi3ls-oracle-cache}"
go vet -tags oracle ./tests/oracle/
go test -tags oracle -run '^TestOracle$' -count=1 -v -timeout 60m ./tests/oracle/
