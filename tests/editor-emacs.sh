#!/usr/bin/env bash
# Emacs test: loads editors/emacs/abi3ls.el (byte-compiled, warnings are
# errors) in `emacs --batch` with eglot, against a fresh abi3ls build: flymake
# diagnostics with codes, hover, a quick fix through eglot-code-actions,
# abi3ls-fix-all, abi3ls-show-target, settings sent as initializationOptions and
# didChangeConfiguration; then the lsp-mode add-on registration (diagnostics,
# hover, quick fix, fix-all, target). Then runs the eglot test the same test against
# tests/editors/silent-server.mjs and requires it to FAIL. Options: see tests/editors/lib.sh.
source "$(dirname "$0")/editors/lib.sh"
editors_init "$@"
command -v emacs >/dev/null || { echo "FAIL emacs missing: run .ci/install.d/50-editors.sh"; exit 1; }
emacs --version | head -1
build_server

# run_emacs SERVER DIAG_WAIT_S [TEST_FILE] -> exit status of the batch run
run_emacs() {
  local ws=$WORK/ws-$RANDOM
  make_workspace "$ws"
  editor_env "$ws"
  env "${EDITOR_ENV[@]}" SERVER="$1" DIAG_WAIT="$2" PLUGIN="$REPO/editors/emacs" CFILE="$ws/spam.c" \
    timeout 90 emacs --batch -Q -l "$EDT/${3:-emacs-test.el}" </dev/null 2>&1 |
    grep -E '^(PASS|FAIL|INFO|DIAG) |rror'
  return "${PIPESTATUS[0]}"
}

t0=$(now_ms)
rc=0
run_emacs "$SERVER" 15 || rc=$?
timing "emacs + eglot test" "$t0"
t0=$(now_ms)
run_emacs "$SERVER" 15 emacs-lsp-mode-test.el || rc=$?
timing "emacs + lsp-mode test" "$t0"

self_rc=0
if [ "$SERVER_MODE" = build ] && [ $rc = 0 ]; then
  echo "--- test of the test: the same run against a server that publishes nothing must fail"
  t0=$(now_ms)
  run_emacs "$EDT/silent-server.mjs" 3 >"$WORK/silent.txt" 2>&1 && self_rc=1
  sed 's/^/  | /' "$WORK/silent.txt"
  timing "emacs test against the silent server" "$t0"
  if [ $self_rc = 1 ]; then echo "FAIL the emacs test passed against the silent server"; fi
fi
suite_done
if [ $rc != 0 ] || [ $self_rc != 0 ]; then
  echo "FAIL editor-emacs"
  exit 1
fi
echo "PASS editor-emacs"
