#!/usr/bin/env bash
# Selective-scan checks and benchmark on the GPU machine. Run from the repo root there, after
# tools/gpu/scan_build.sh (here) has put the release binaries into .carry/scan:
#   [TEST_VARIANTS="default bc16"] [BENCH_VARIANTS="default rpt1"] [SCAN_BENCH_ARGS="--lengths 4096"] \
#   bash tools/gpu/scan_check.sh [quick|short]
# 1. the CUDA tests (values and gradients against the float64 reference) once per forward
#    variant, the variants in parallel: the default, RPT=1 (one channel per thread) and BC16
#    (bf16 B/C staged as 16-bit values);
# 2. the forward variants side by side (kernel only, L = 2048, 4096, 8192);
# 3. compute-sanitizer memcheck and racecheck on small cases (skipped with `quick`; only the
#    tiled kernels with full blocks with `short`);
# 4. the benchmark with the baselines (tch reference, causal SDPA, FFT convolution, copy).
# The NVRTC compile check of every configuration needs no GPU: it runs here with `just test`
# when libnvrtc is on the loader path. Prints a short table last; logs and CSVs go to $OUT (or
# /tmp/scan-out): device.txt, tests.log, sanitizer.log, scan_variants.csv, scan_bench.{csv,md}, bench.log.
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=.carry/scan
OUT=${OUT:-/tmp/scan-out}
RAW=/tmp/scan-raw   # full logs; $OUT keeps the 7 files a device call brings back
mkdir -p "$OUT" "$RAW"
TORCH_LIB=$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
NV_LIB=$(dirname "$TORCH_LIB")/../nvidia/cu13/lib
export LD_LIBRARY_PATH="$TORCH_LIB:$NV_LIB:${LD_LIBRARY_PATH:-}"
export SSM_SCAN_NVRTC_CACHE=/tmp/ssm-scan-nvrtc
export RUST_BACKTRACE=1
status=0
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$OUT/device.txt"

section() { echo; echo "=== $* ($(date +%T)) ==="; }

# The forward variants by name (the environment that selects each); TEST_VARIANTS and
# BENCH_VARIANTS pick which are tested and timed.
declare -A VARENV=([default]="SSM_SCAN_FWD=tile" [rpt1]="SSM_SCAN_FWD_RPT=1" [bc16]="SSM_SCAN_FWD_BC16=1"
  [rpt2_tr16]="SSM_SCAN_TILE_ROWS_FWD=16")
TEST_VARIANTS=${TEST_VARIANTS:-default rpt1 bc16}
BENCH_VARIANTS=${BENCH_VARIANTS:-default rpt1 bc16 rpt2_tr16}

section "CUDA tests, one process per forward variant"
for name in $TEST_VARIANTS; do
  (env "${VARENV[$name]}" timeout 240 "$BIN/cuda_vs_reference" --test-threads=4 >"$RAW/tests_$name.raw" 2>&1
   echo "exit $?" >>"$RAW/tests_$name.raw") &
done
timeout 60 "$BIN/errors" 2>&1 | grep -E "test result|FAILED|unavailable|available" >"$RAW/tests_errors.log"
wait
{
  for name in $TEST_VARIANTS; do
    echo "-- $name (${VARENV[$name]})"
    grep -E "^test |test result|failed|exceeds|non-finite|panicked|^exit" "$RAW/tests_$name.raw"
  done
  echo "-- errors"
  cat "$RAW/tests_errors.log"
} | tee "$OUT/tests.log"
grep -q "^exit 0" "$RAW/tests_default.raw" || status=1

section "forward variants (kernel only)"
for name in $BENCH_VARIANTS; do
  mkdir -p "/tmp/var_$name"
  env "${VARENV[$name]}" timeout 90 "$BIN/scan_bench" "/tmp/var_$name" --kernel-only --lengths 2048,4096,8192 >/dev/null 2>&1
  sed "1!s/^/$name,/; 1s/^/variant,/" "/tmp/var_$name/scan_bench.csv" 2>/dev/null
done | awk 'NR == 1 || !/^variant/' | tee "$OUT/scan_variants.csv"

case "${1:-}" in
  quick) ;;
  short)
    section "compute-sanitizer memcheck and racecheck (tiled kernels, full blocks)"
    for tool in memcheck racecheck; do
      timeout 120 compute-sanitizer --tool $tool --error-exitcode 9 "$BIN/cuda_vs_reference" cuda_tiled_kernels_with_full_blocks 2>&1 \
        | grep -E "SUMMARY|test result|Invalid|out of bounds|hazard" | head -8
    done 2>&1 | tee "$OUT/sanitizer.log"
    ;;
  *)
    section "compute-sanitizer memcheck and racecheck"
    # memcheck: the row kernels at N = 256 and with grouped B/C, the tiled kernels; racecheck:
    # the tiled forward alone, then the tiled kernels with full blocks (the default, then bc16).
    {
      for t in cuda_large_state_and_many_rows cuda_tiled_kernels_with_full_blocks; do
        timeout 120 compute-sanitizer --tool memcheck --error-exitcode 9 "$BIN/cuda_vs_reference" "$t" 2>&1 \
          | grep -E "ERROR SUMMARY|test result|Invalid|out of bounds" | head -8
      done
      for t in cuda_matches_cpu_kernel_and_auto_picks_cuda cuda_tiled_kernels_with_full_blocks; do
        timeout 120 compute-sanitizer --tool racecheck --error-exitcode 9 "$BIN/cuda_vs_reference" "$t" 2>&1 \
          | grep -E "RACECHECK SUMMARY|test result|hazard" | head -8
      done
      echo "-- bc16"
      SSM_SCAN_FWD_BC16=1 timeout 120 compute-sanitizer --tool racecheck --error-exitcode 9 "$BIN/cuda_vs_reference" cuda_tiled_kernels_with_full_blocks 2>&1 \
        | grep -E "RACECHECK SUMMARY|test result|hazard" | head -8
    } 2>&1 | tee "$OUT/sanitizer.log"
    ;;
esac

section "benchmark"
timeout 240 "$BIN/scan_bench" "$OUT" ${SCAN_BENCH_ARGS:-} >"$OUT/bench.log" 2>&1 || status=1

section "summary"
grep -h "test result" "$RAW"/tests_*.raw | sort | uniq -c
grep -h "SUMMARY" "$OUT/sanitizer.log" 2>/dev/null | sort | uniq -c
{ column -s, -t "$OUT/scan_variants.csv" 2>/dev/null || cat "$OUT/scan_variants.csv"; } | cut -c1-110
tail -40 "$OUT/bench.log"
exit $status
