#!/usr/bin/env bash
# Wire-level test of `abi3ls serve` with vscode-languageserver-protocol (the
# library under vscode-languageclient): initialize, diagnostics, hover,
# abi3ls/fileStatus, quick fix + didChange, source.fixAll.abi3ls, executeCommand
# abi3ls.fixAll through workspace/applyEdit, didChangeConfiguration,
# MethodNotFound, shutdown/exit. Then the same test against
# tests/editors/silent-server.mjs must FAIL. Options: see tests/editors/lib.sh.
source "$(dirname "$0")/editors/lib.sh"
editors_init "$@"
echo "node $(node --version)"
build_server
npm_deps

run_protocol() {
  (cd "$EDT" && SERVER="$1" DIAG_WAIT="$2" FIXTURE="$EDT/fixture/spam.c" \
    timeout 120 node --test --test-reporter=spec protocol.test.mjs)
}
t0=$(now_ms)
rc=0
run_protocol "$SERVER" 15000 || rc=$?
timing "protocol test" "$t0"

self_rc=0
if [ "$SERVER_MODE" = build ] && [ $rc = 0 ]; then
  echo "--- test of the test: the same run against a server that publishes nothing must fail"
  t0=$(now_ms)
  run_protocol "$EDT/silent-server.mjs" 2000 >"$WORK/silent.txt" 2>&1 && self_rc=1
  grep -E '^\s*(✔|✖)' "$WORK/silent.txt" | sed 's/^/  | /' || true
  timing "protocol test against the silent server" "$t0"
  if [ $self_rc = 1 ]; then echo "FAIL the protocol test passed against the silent server"; fi
fi
suite_done
if [ $rc != 0 ] || [ $self_rc != 0 ]; then
  echo "FAIL editor-protocol"
  exit 1
fi
echo "PASS editor-protocol"
