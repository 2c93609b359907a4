#!/usr/bin/env bash
# Node and the packages of tests/node (the protocol client test run by
# tests/node-client.sh). Idempotent: npm ci runs only when node_modules does
# not match package-lock.json.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends nodejs npm
fi
dir=$(cd "$(dirname "$0")/../../tests/node" && pwd)
sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$dir/node_modules/.lock-sha256" 2>/dev/null)" != "$sum" ]; then
  (cd "$dir" && timeout 300 npm ci --ignore-scripts --loglevel=error)
  echo "$sum" >"$dir/node_modules/.lock-sha256"
fi
echo "60-node-client: node $(node --version), npm $(npm --version)"
