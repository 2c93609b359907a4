#!/usr/bin/env bash
# Neovim test: runs editors/nvim (require('abi3ls').setup, :Abi3lsFixAll,
# :Abi3lsTarget, :checkhealth abi3ls) in headless Neovim against a fresh abi3ls
# build: diagnostics with codes, hover, a quick fix through vim.lsp.buf.code_action,
# fix-all. Then runs the same test against tests/editors/silent-server.mjs and
# requires it to FAIL (a test of the test). Options: see tests/editors/lib.sh.
source "$(dirname "$0")/editors/lib.sh"
editors_init "$@"
command -v nvim >/dev/null || { echo "FAIL nvim missing: run .ci/install.d/50-editors.sh"; exit 1; }
echo "$(nvim --version | head -1)"
build_server

# run_nvim SERVER DIAG_WAIT_MS -> exit status of the headless run; output in $WORK/nvim-*.txt
run_nvim() {
  local ws=$WORK/ws-$RANDOM
  make_workspace "$ws"
  editor_env "$ws"
  env "${EDITOR_ENV[@]}" SERVER="$1" DIAG_WAIT="$2" PLUGIN="$REPO/editors/nvim" CFILE="$ws/spam.c" \
    RESULT="$ws/result.txt" timeout 90 nvim --headless -n -i NONE -u "$EDT/nvim-test.lua" </dev/null
}

t0=$(now_ms)
rc=0
run_nvim "$SERVER" 15000 || rc=$?
timing "nvim test" "$t0"

self_rc=0
if [ "$SERVER_MODE" = build ] && [ $rc = 0 ]; then
  echo "--- test of the test: the same run against a server that publishes nothing must fail"
  t0=$(now_ms)
  run_nvim "$EDT/silent-server.mjs" 3000 >"$WORK/silent.txt" 2>&1 && self_rc=1
  sed 's/^/  | /' "$WORK/silent.txt"
  timing "nvim test against the silent server" "$t0"
  if [ $self_rc = 1 ]; then echo "FAIL the nvim test passed against the silent server"; fi
fi
suite_done
if [ $rc != 0 ] || [ $self_rc != 0 ]; then
  echo "FAIL editor-nvim"
  exit 1
fi
echo "PASS editor-nvim"
