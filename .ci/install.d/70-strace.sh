#!/usr/bin/env bash
# strace, for the safety tests of tests/reliability (no program started, no
# network call, no write outside `abi3ls fix`, observed at the system-call
# boundary). Idempotent.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! command -v strace >/dev/null; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends strace
fi
echo "70-strace: $(strace -V | head -n 1)"
