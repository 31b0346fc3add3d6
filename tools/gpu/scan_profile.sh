#!/usr/bin/env bash
# Profiles the tiled forward at the benchmark shape (batch 8, D 1536, N 16, L 4096) on the GPU
# machine. Run from the repo root there, after tools/gpu/scan_build.sh (here), which also puts
# the PTX of the benchmark configuration (f32 and bf16, built here by the scan_ptx example) into
# .carry/ptx:
#   [SKIP=28] [VARIANT_ENV="SSM_SCAN_FWD_YRED=0"] bash tools/gpu/scan_profile.sh
# Writes to $OUT (or /tmp/scan-prof): the SASS of each PTX (ptxas + cuobjdump, with ptxas's
# register and spill report), and ncu's per-instruction source counters (executed instructions
# and stall samples per SASS line, CSV) plus the usual sections for one bf16 forward launch
# (SKIP launches of selective_scan_fwd are skipped first: the f32 ones of scan_bench's
# kernel-only run and the first bf16 call).
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/scan-prof}
mkdir -p "$OUT"
source tools/gpu/scan_env.sh
export PATH="$PATH:/usr/local/cuda/bin"
for f in .carry/ptx/*.ptx; do
  name=$(basename "$f" .ptx)
  ptxas -arch=sm_90 -O3 -v "$f" -o "/tmp/$name.cubin" 2>"$OUT/$name.ptxas.txt" && cuobjdump -sass "/tmp/$name.cubin" >"$OUT/$name.sass"
done
run() { env ${VARIANT_ENV:-} ncu --clock-control none -k selective_scan_fwd --launch-skip "${SKIP:-28}" --launch-count 1 "$@" \
  .carry/scan/scan_bench /tmp/scan-prof-bench --kernel-only --lengths 4096; }
run --section SourceCounters --section WarpStateStats --page source --print-source sass --csv >"$OUT/ncu_fwd_source.csv" 2>"$OUT/ncu_fwd_source.err"
run --section SpeedOfLight --section LaunchStats --section Occupancy --section ComputeWorkloadAnalysis --section InstructionStats \
  --section WarpStateStats --metrics smsp__inst_executed.sum,l1tex__data_pipe_lsu_wavefronts_mem_shared.sum >"$OUT/ncu_fwd_details.txt" 2>&1
grep -E "Duration|Registers|Executed Instructions|Issue Slots Busy|Eligible|smsp__inst_executed|wavefronts" "$OUT/ncu_fwd_details.txt" | head -20
wc -l "$OUT"/*.sass "$OUT/ncu_fwd_source.csv"; head -c 600 "$OUT/ncu_fwd_source.err"
