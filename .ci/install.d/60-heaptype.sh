#!/usr/bin/env bash
# tests/heaptype.sh builds converted extension modules with gcc and g++
# against the Python 3.11 headers and imports them with Python 3.11.
set -euo pipefail
need=()
command -v gcc >/dev/null || need+=(gcc)
command -v g++ >/dev/null || need+=(g++)
[ -f /usr/include/python3.11/Python.h ] || need+=(python3-dev)
[ -x /usr/bin/python3.11 ] || need+=(python3.11)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${need[@]}"
fi
