#!/usr/bin/env bash
# Selective-scan checks and benchmark on the GPU machine. Run from the repo root there, after
# tools/gpu/scan_build.sh (here) has put the release binaries into .carry/scan:
#   bash tools/gpu/scan_check.sh [quick]
# Runs the CUDA tests (values and gradients against the float64 reference), the NVRTC compile
# check, compute-sanitizer memcheck and racecheck on small cases, then the benchmark; prints a
# short table last. Logs and CSVs go to $OUT (or /tmp/scan-out).
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=.carry/scan
OUT=${OUT:-/tmp/scan-out}
mkdir -p "$OUT"
TORCH_LIB=/opt/torch/.venv/lib/python3.12/site-packages/torch/lib
NV_LIB=/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib
export LD_LIBRARY_PATH="$TORCH_LIB:$NV_LIB:${LD_LIBRARY_PATH:-}"
export SSM_SCAN_NVRTC_CACHE=/tmp/ssm-scan-nvrtc
export RUST_BACKTRACE=1
status=0
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$OUT/device.txt"

section() { echo; echo "=== $* ==="; }

section "NVRTC compile check"
timeout 120 "$BIN/nvrtc_compile" 2>&1 | tail -4 | tee "$OUT/tests.log" || status=1

section "CUDA tests"
timeout 300 "$BIN/cuda_vs_reference" --test-threads=4 2>&1 | grep -E "^test |test result|failed|exceeds|non-finite|note|panicked" | tee -a "$OUT/tests.log"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
timeout 60 "$BIN/errors" 2>&1 | grep -E "test result|FAILED|unavailable|available" | tee -a "$OUT/tests.log"

if [ "${1:-}" != "quick" ]; then
  section "compute-sanitizer memcheck"
  timeout 240 compute-sanitizer --tool memcheck --error-exitcode 9 "$BIN/cuda_vs_reference" cuda_large_state_and_many_rows 2>&1 \
    | grep -E "ERROR SUMMARY|test result|Invalid|out of bounds" | head -20 | tee -a "$OUT/tests.log"
  section "compute-sanitizer racecheck"
  # The first test runs the tiled forward alone; the second the tiled forward and backward
  # (D = 96) besides the row kernels (N = 256, grouped B/C).
  for t in cuda_matches_cpu_kernel_and_auto_picks_cuda cuda_large_state_and_many_rows; do
    timeout 240 compute-sanitizer --tool racecheck --error-exitcode 9 "$BIN/cuda_vs_reference" "$t" 2>&1 \
      | grep -E "RACECHECK SUMMARY|ERROR SUMMARY|test result|hazard" | head -20 | tee -a "$OUT/tests.log"
  done
fi

section "row kernels (the previous design, for comparison; L = 4096)"
mkdir -p /tmp/rowk
SSM_SCAN_FWD=row timeout 120 "$BIN/scan_bench" /tmp/rowk --lengths 4096 2>&1 | grep cuda_kernel
cp /tmp/rowk/scan_bench.csv "$OUT/scan_bench_row_kernels.csv" 2>/dev/null

section "benchmark"
timeout 400 "$BIN/scan_bench" "$OUT" ${SCAN_BENCH_ARGS:-} 2>&1 | tail -60 | tee "$OUT/bench.log"
exit $status
