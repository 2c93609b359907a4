#!/usr/bin/env bash
# Full-length soak of the language server (issue 11, "Leaks and soak"):
# 2,000 open/edit/close cycles and 10,000 edits of one document against an
# in-process server with the real analysis. Prints RSS, Go heap, live
# tree-sitter trees and goroutines before and after; fails on growth beyond
# the bounds in tests/reliability/soak_test.go. `go test ./...` runs the
# same tests at a tenth of the length.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
ABI3LS_SOAK=full go test ./tests/reliability/ -run '^TestSoak' -count=1 -v 2>&1 |
  grep -v '^=== RUN'
