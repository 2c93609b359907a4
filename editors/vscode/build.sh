#!/usr/bin/env bash
# Builds the extension and packages it as a .vsix with the linux-x64 server
# built from this repository bundled in bin/linux-x64/abi3ls. Offline once the
# npm cache holds the locked packages.
# Usage: editors/vscode/build.sh [OUT.vsix] [SERVER_BINARY]
#   SERVER_BINARY: an already built abi3ls (default: go build from the repo).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-$here/abi3ls.vsix}
server=${2:-}
cd "$here"
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

t0=$(date +%s%N)
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.abi3ls-lock-sha256 2>/dev/null)" != "$lock_sum" ]; then
  timeout 600 npm ci --prefer-offline --ignore-scripts --loglevel=error
  echo "$lock_sum" >node_modules/.abi3ls-lock-sha256
fi
rm -rf out
timeout 300 node node_modules/typescript/bin/tsc -p . --noEmit      # type check
timeout 120 node node_modules/esbuild/bin/esbuild src/serverPath.ts src/status.ts --platform=node --format=cjs \
  --log-level=warning --outdir=out/unit
timeout 120 node --test test/ >out/unit/test.log 2>&1 || { cat out/unit/test.log; echo "unit tests failed" >&2; exit 1; }
grep -E '^# (pass|fail)' out/unit/test.log | tr '\n' ' '; echo "(extension unit tests)"
timeout 120 node node_modules/esbuild/bin/esbuild src/extension.ts --bundle --platform=node --format=cjs \
  --target=node18 --external:vscode --minify-whitespace --minify-syntax --log-level=warning --outfile=out/extension.js

mkdir -p bin/linux-x64
if [ -n "$server" ]; then
  cp "$server" bin/linux-x64/abi3ls
else
  (cd "$repo" && GOOS=linux GOARCH=amd64 go build -trimpath -o "$here/bin/linux-x64/abi3ls" ./cmd/abi3ls)
fi
chmod 755 bin/linux-x64/abi3ls
timeout 300 node node_modules/@vscode/vsce/vsce package --no-dependencies -o "$out" \
  | grep -v '^$' || { echo "vsce package failed" >&2; exit 1; }
echo "built $out ($(stat -c %s "$out") bytes) in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
