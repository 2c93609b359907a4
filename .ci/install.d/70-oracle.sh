#!/usr/bin/env bash
# Installs what the oracle suite (tests/oracle.sh) needs beyond .ci/run's
# gcc and python3-dev: g++ (the corpus has C++ files) and binutils (nm, for
# the symbol tables of older libpython builds). Quick when already there.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
missing=()
command -v g++ >/dev/null || missing+=(g++)
command -v nm >/dev/null || missing+=(binutils)
[ -f /usr/include/python3.11/Python.h ] || missing+=(python3-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "70-oracle: apt-get install ${missing[*]}"
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
