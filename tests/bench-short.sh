#!/usr/bin/env bash
# Runs the benchmarks once in short mode so they cannot rot: every figure
# is measured and printed; no threshold is asserted (the machine is shared
# and CI machines vary). Fails only when a benchmark cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."
bench/run -short
