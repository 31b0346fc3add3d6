#!/usr/bin/env bash
# Times two builds of scan_bench side by side on the GPU machine (kernel only, alternating, each
# ROUNDS times): .carry/old/scan_bench (built from an earlier commit) and .carry/scan/scan_bench.
#   [ROUNDS=2] [LENGTHS=2048,4096,8192] bash tools/gpu/ab_time.sh
# Prints and writes $OUT/ab_time.csv: build, round, then scan_bench's columns.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/scan-ab}
mkdir -p "$OUT"
source tools/gpu/scan_env.sh
for r in $(seq 1 "${ROUNDS:-2}"); do
  for build in old scan; do
    d=/tmp/ab_${build}_$r
    mkdir -p "$d"
    timeout 120 ".carry/$build/scan_bench" "$d" --kernel-only --lengths "${LENGTHS:-2048,4096,8192}" >/dev/null 2>&1
    # Columns up to fwdbwd_ms (the two builds may differ in later columns).
    cut -d, -f1-5 "$d/scan_bench.csv" | sed "1s/^/build,round,/; 1!s/^/$build,$r,/"
  done
done | awk 'NR == 1 || !/^build/' | tee "$OUT/ab_time.csv"
