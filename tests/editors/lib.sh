# Shared by tests/editor-*.sh (sourced, not run). Each suite:
#   source "$(dirname "$0")/editors/lib.sh"; editors_init "$@"
# Options every suite takes:
#   --silent-server   run against tests/editors/silent-server.mjs, a server that
#                     answers initialize but publishes nothing: the suite must FAIL
#   --server PATH     run against this binary instead of a fresh build
#                     (e.g. a wrong path, to see the suite fail)
#   --keep            keep the scratch directory
# Environment: ABI3LS_TOOLS (where .ci/install.d/50-editors.sh put Node 24 and
# code-server; default /opt/abi3ls-tools), ABI3LS_ARTIFACTS (screenshots/logs;
# default <repo>/tmp/editor-tests).

set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
EDT=$REPO/tests/editors
TOOLS=${ABI3LS_TOOLS:-/opt/abi3ls-tools}
ARTIFACTS=${ABI3LS_ARTIFACTS:-$REPO/tmp/editor-tests}
export PATH=/usr/local/go/bin:$PATH

now_ms() { echo $(($(date +%s%N) / 1000000)); }
SUITE_T0=$(now_ms)
# timing LABEL START_MS: prints one "TIME" line.
timing() { printf 'TIME %-44s %7d ms\n' "$1" "$(($(now_ms) - $2))"; }

SERVER_MODE=build
SERVER=
KEEP=0
WORK=

_cleanup_cmds=()
# on_exit CMD: run CMD (a string for eval) when the suite exits, last added first.
on_exit() { _cleanup_cmds=("$1" "${_cleanup_cmds[@]}"); }
_run_cleanup() {
  local rc=$?
  for c in "${_cleanup_cmds[@]}"; do eval "$c" || true; done
  if [ -n "$WORK" ] && [ "$KEEP" = 0 ]; then rm -rf "$WORK"; fi
  [ -n "$WORK" ] && [ "$KEEP" = 1 ] && echo "kept $WORK"
  return $rc
}

editors_init() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --silent-server) SERVER_MODE=silent ;;
      --server) SERVER_MODE=given; SERVER=$2; shift ;;
      --keep) KEEP=1 ;;
      *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
  done
  WORK=$(mktemp -d /tmp/abi3ls-editor-XXXXXX)
  trap _run_cleanup EXIT
  trap 'exit 130' INT TERM
  mkdir -p "$ARTIFACTS"
}

# build_server: sets SERVER to the abi3ls binary the editors start (as "$SERVER serve").
build_server() {
  local t0
  t0=$(now_ms)
  case "$SERVER_MODE" in
    build)
      (cd "$REPO" && go build -o "$WORK/bin/abi3ls" ./cmd/abi3ls)
      SERVER=$WORK/bin/abi3ls
      timing "go build abi3ls" "$t0"
      ;;
    silent)
      SERVER=$EDT/silent-server.mjs
      echo "NOTE running against the silent server: this run is expected to FAIL"
      ;;
    given)
      echo "NOTE running against --server $SERVER"
      ;;
  esac
}

# make_workspace DIR: a fresh copy of the fixture project (spam.c, pyproject.toml, a .git marker).
make_workspace() {
  mkdir -p "$1"
  cp "$EDT"/fixture/* "$1"/
  mkdir -p "$1/.git"
}

# npm_deps: installs tests/editors/node_modules from the lock file (offline when cached).
npm_deps() {
  local t0
  t0=$(now_ms)
  local sum
  sum=$(sha256sum "$EDT/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$EDT/node_modules/.abi3ls-lock-sha256" 2>/dev/null)" != "$sum" ]; then
    (cd "$EDT" && npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false \
      timeout 300 npm ci --prefer-offline --ignore-scripts --loglevel=error)
    echo "$sum" >"$EDT/node_modules/.abi3ls-lock-sha256"
  fi
  timing "npm ci tests/editors" "$t0"
}

# editor_env DIR: sets EDITOR_ENV, assignments for `env` giving an editor an
# isolated HOME and XDG dirs under DIR (the suite's own HOME, with the Go and
# npm caches, is left alone).
EDITOR_ENV=()
editor_env() {
  EDITOR_ENV=(HOME="$1/home" XDG_CONFIG_HOME="$1/home/.config" XDG_DATA_HOME="$1/home/.local/share"
    XDG_STATE_HOME="$1/home/.local/state" XDG_CACHE_HOME="$1/home/.cache" XDG_RUNTIME_DIR="$1/run")
  mkdir -p "$1/home/.config" "$1/home/.local/share" "$1/home/.local/state" "$1/home/.cache" "$1/run"
  chmod 700 "$1/run"
}

suite_done() {
  timing "suite total" "$SUITE_T0"
}
