#!/usr/bin/env bash
# The real VS Code test: builds abi3ls and the .vsix, installs the .vsix into a
# fresh code-server (VS Code in the browser), opens the fixture workspace in
# headless Chromium (playwright-core) and checks, in the editor UI: squiggles and
# Problems entries with ABI001 for PyTuple_GET_ITEM, the hover naming the Limited
# API alternative, the status bar target, a Quick Fix that removes one problem,
# and "abi3ls: Fix All in File" that removes the other. Screenshots are saved
# and their paths printed. Needs .ci/install.d/50-editors.sh (Node 24,
# code-server, chromium). Options: see tests/editors/lib.sh
# (--server /wrong/path must make it fail).
source "$(dirname "$0")/editors/lib.sh"
editors_init "$@"

NODE24=$TOOLS/node24/bin
CS=$TOOLS/code-server/node_modules/.bin/code-server
for f in "$NODE24/node" "$CS" /usr/bin/chromium; do
  [ -x "$f" ] || { echo "FAIL missing $f: run .ci/install.d/50-editors.sh"; exit 1; }
done

build_server
t0=$(now_ms)
# The .vsix bundles the fresh build; a --server/--silent-server run bundles a
# placeholder that cannot serve and points abi3ls.path at the server under test.
bundle=$SERVER
if [ "$SERVER_MODE" != build ]; then
  bundle=$WORK/bin/placeholder
  mkdir -p "$WORK/bin"
  printf '#!/bin/sh\necho "bundled placeholder: abi3ls.path was not used" >&2\nexit 2\n' >"$bundle"
  chmod +x "$bundle"
fi
"$REPO/editors/vscode/build.sh" "$WORK/abi3ls.vsix" "$bundle" | tail -1
timing "build .vsix" "$t0"
npm_deps

OUT=$ARTIFACTS/vscode
rm -rf "$OUT"
mkdir -p "$OUT"
WS=$WORK/ws
make_workspace "$WS"
UD=$WORK/user-data EXT=$WORK/extensions
mkdir -p "$UD/User" "$EXT"
editor_env "$WORK"
path_setting=""
[ "$SERVER_MODE" != build ] && path_setting="\"abi3ls.path\": \"$SERVER\","
cat >"$UD/User/settings.json" <<JSON
{
  $path_setting
  "abi3ls.trace.server": "messages",
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "workbench.tips.enabled": false,
  "chat.disableAIFeatures": true,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "workbench.enableExperiments": false,
  "editor.hover.delay": 100,
  "C_Cpp.intelliSenseEngine": "disabled"
}
JSON

# abi3ls.path is machine-overridable: code-server reads it from the Machine settings.
mkdir -p "$UD/Machine"
echo "{ $path_setting \"abi3ls.trace.server\": \"messages\" }" >"$UD/Machine/settings.json"
cs=(env "${EDITOR_ENV[@]}" PATH="$NODE24:$PATH" "$CS" --user-data-dir "$UD" --extensions-dir "$EXT")
t0=$(now_ms)
timeout 180 "${cs[@]}" --install-extension "$WORK/abi3ls.vsix" >"$OUT/install.log" 2>&1 ||
  { cat "$OUT/install.log"; echo "FAIL code-server --install-extension"; exit 1; }
timing "code-server --install-extension" "$t0"
echo "code-server $(timeout 60 "${cs[@]}" --version 2>/dev/null | tail -1), $(/usr/bin/chromium --version 2>/dev/null)"
installed=$(timeout 60 "${cs[@]}" --list-extensions --show-versions 2>/dev/null)
echo "installed extensions: $installed"
grep -q '^abi3ls.abi3ls@' <<<"$installed" || { echo "FAIL extension not listed"; exit 1; }

# A free port on the loopback interface.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18123)
t0=$(now_ms)
setsid env "${EDITOR_ENV[@]}" PATH="$NODE24:$PATH" "$CS" --bind-addr "127.0.0.1:$PORT" --auth none \
  --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override \
  --ignore-last-opened --user-data-dir "$UD" --extensions-dir "$EXT" "$WS" >"$OUT/code-server.log" 2>&1 &
CSPID=$!
# Stop code-server and everything it started (extension host, abi3ls) by process group.
stop_code_server() {
  kill -TERM -- -"$CSPID" 2>/dev/null || return 0
  for _ in $(seq 1 20); do kill -0 -- -"$CSPID" 2>/dev/null || return 0; sleep 0.25; done
  kill -KILL -- -"$CSPID" 2>/dev/null || true
}
on_exit stop_code_server
up=0
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then up=1; break; fi
  sleep 0.5
done
[ $up = 1 ] || { tail -30 "$OUT/code-server.log"; echo "FAIL code-server did not come up on port $PORT"; exit 1; }
timing "code-server up" "$t0"

t0=$(now_ms)
rc=0
(cd "$EDT" && PORT=$PORT WS=$WS OUT=$OUT PROFILE=$WORK/chromium \
  timeout 300 "$NODE24/node" drive-vscode.mjs) || rc=$?
timing "browser drive (Chromium + code-server)" "$t0"
t0=$(now_ms)
stop_code_server
# Nothing started for this run (code-server, extension host, abi3ls, Chromium) may outlive it.
left=$(pgrep -a -f -- "$WORK/" | grep -v -e pgrep -e "$0" || true)
if [ -n "$left" ]; then
  echo "FAIL processes left after stopping code-server:"; echo "$left"; rc=1
fi
timing "stop code-server (process group)" "$t0"
echo "--- spam.c on disk after the test:"
grep -n 'PyTuple_' "$WS/spam.c" || true
# The extension's log (output channel) from the extension host logs, for diagnosis.
find "$UD/logs" -name '*abi3ls*' -type f 2>/dev/null | while read -r f; do cp "$f" "$OUT/"; done
echo "artifacts: $OUT"
suite_done
if [ $rc != 0 ]; then
  echo "FAIL editor-vscode (rc=$rc)"
  exit 1
fi
echo "PASS editor-vscode"
