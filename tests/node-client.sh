#!/usr/bin/env bash
# Node protocol client test: builds abi3ls into a temporary directory and
# drives `abi3ls serve` with vscode-languageserver-protocol (tests/node/).
# Dependencies come from tests/node/package-lock.json (npm ci, skipped when
# node_modules already matches the lock file).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/abi3ls" ./cmd/abi3ls

dir=tests/node
sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$dir/node_modules/.lock-sha256" 2>/dev/null)" != "$sum" ]; then
  (cd "$dir" && timeout 300 npm ci --prefer-offline --ignore-scripts --loglevel=error)
  echo "$sum" >"$dir/node_modules/.lock-sha256"
fi
echo "node $(node --version)"
cd "$dir"
SERVER="$tmp/abi3ls" timeout 120 node --test --test-reporter=spec client.test.mjs
