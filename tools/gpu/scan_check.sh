#!/usr/bin/env bash
# Selective-scan checks and benchmark on the GPU machine. Run from the repo root there, after
# tools/gpu/scan_build.sh (here) has put the release binaries into .carry/scan:
#   [TEST_VARIANTS="default epi"] [BENCH_VARIANTS="default epi default epi"] [SCAN_BENCH_ARGS="--lengths 4096"] \
#   [TEST_TIMEOUT=240] [BENCH_TIMEOUT=240] [SAN_VARIANTS="default rpt2 best"] [LAB_BIN=.carry/bin/ssm-lab] \
#   bash tools/gpu/scan_check.sh [quick|short]
# 1. the CUDA tests (values and gradients against the float64 reference) once per forward
#    variant (tools/gpu/scan_variants.sh names and describes them), the variants in parallel;
# 2. the forward variants side by side (kernel only, L = 2048, 4096, 8192; a name given twice
#    is timed twice, and the choice below takes the mean);
# 3. compute-sanitizer memcheck and racecheck (skipped with `quick`; with `short`, on the tiled
#    kernels with full blocks, once per name in SAN_VARIANTS; `best` is the fastest variant);
# 4. the benchmark with the baselines (tch reference, causal SDPA, FFT convolution, copy), with
#    the fastest variant whose tests passed: scan_bench, or `ssm-lab bench scan` (with its
#    plots) when LAB_BIN names the binary. Last, as it takes longest.
# The NVRTC compile check of every configuration needs no GPU: it runs here with `just test`
# when libnvrtc is on the loader path. Prints a short table last; logs and CSVs go to $OUT (or
# /tmp/scan-out): device.txt, tests.log, sanitizer.log, scan_variants.csv, bench.log and the
# benchmark's files.
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=.carry/scan
OUT=${OUT:-/tmp/scan-out}
RAW=/tmp/scan-raw   # full logs; $OUT keeps the files a device call brings back
mkdir -p "$OUT" "$RAW"
source tools/gpu/scan_env.sh
export RUST_BACKTRACE=1
status=0
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$OUT/device.txt"

section() { echo; echo "=== $* ($(date +%T)) ==="; }

# The forward variants by name (tools/gpu/scan_variants.sh); TEST_VARIANTS and BENCH_VARIANTS
# pick which are tested and timed.
source tools/gpu/scan_variants.sh
TEST_VARIANTS=${TEST_VARIANTS:-default epi}
BENCH_VARIANTS=${BENCH_VARIANTS:-default epi default epi}

section "CUDA tests, one process per forward variant"
for name in $TEST_VARIANTS; do
  (env ${VARENV[$name]} timeout "${TEST_TIMEOUT:-240}" "$BIN/cuda_vs_reference" --test-threads=4 >"$RAW/tests_$name.raw" 2>&1
   echo "exit $?" >>"$RAW/tests_$name.raw") &
done
timeout 60 "$BIN/errors" 2>&1 | grep -E "test result|FAILED|unavailable|available" >"$RAW/tests_errors.log"
wait
# The working-memory test reads the allocator's process-wide peak: alone, after the others.
(timeout 120 "$BIN/cuda_memory" 2>&1; echo "exit $?") | grep -E "^test |test result|panicked|measured|forward|^exit" >"$RAW/tests_memory.log"
grep -q "^exit 0" "$RAW/tests_memory.log" || status=1
{
  for name in $TEST_VARIANTS; do
    echo "-- $name (${VARENV[$name]})"
    grep -E "^test |test result|failed|exceeds|non-finite|panicked|^exit" "$RAW/tests_$name.raw"
  done
  echo "-- errors"
  cat "$RAW/tests_errors.log"
  echo "-- working memory"
  cat "$RAW/tests_memory.log"
} | tee "$OUT/tests.log"
for name in $TEST_VARIANTS; do grep -q "^exit 0" "$RAW/tests_$name.raw" || status=1; done

section "forward variants (kernel only)"
for name in $BENCH_VARIANTS; do
  mkdir -p "/tmp/var_$name"
  env ${VARENV[$name]} timeout 90 "$BIN/scan_bench" "/tmp/var_$name" --kernel-only --lengths 2048,4096,8192 >/dev/null 2>&1
  sed "1!s/^/$name,/; 1s/^/variant,/" "/tmp/var_$name/scan_bench.csv" 2>/dev/null
done | awk 'NR == 1 || !/^variant/' | tee "$OUT/scan_variants.csv"

section "forward variant for the sanitizers and the benchmark"
# With the fastest forward variant at L = 4096 (f32 + bf16, fwd and fwd+bwd) whose tests passed.
best=$(awk -F, 'NR > 1 && $2 == "cuda_kernel" && $4 == 4096 { t[$1] += $5 + $6; n[$1]++ } END { for (v in t) print t[v] / n[v], v }' \
  "$OUT/scan_variants.csv" 2>/dev/null | sort -n | while read -r _ v; do
    if grep -q "^exit 0" "$RAW/tests_$v.raw" 2>/dev/null; then echo "$v"; break; fi
  done)
best=${best:-default}
echo "forward variant: $best (${VARENV[$best]})" | tee "$OUT/bench.log"
# Sanitizers: `short` runs the variants of SAN_VARIANTS, the full check the defaults and rpt2.
san() {  # san TOOL TEST [variant]
  env ${VARENV[${3:-default}]} timeout 120 compute-sanitizer --tool "$1" --error-exitcode 9 "$BIN/cuda_vs_reference" "$2" 2>&1 \
    | grep -E "SUMMARY|test result|Invalid|out of bounds|hazard" | head -8
}
case "${1:-}" in
  quick) ;;
  short)
    section "compute-sanitizer memcheck and racecheck (tiled kernels, full blocks)"
    for v in ${SAN_VARIANTS:-default rpt2}; do
      [ "$v" = best ] && v=$best  # the variant the benchmark ran
      echo "-- $v"; san memcheck cuda_tiled_kernels_with_full_blocks "$v"; san racecheck cuda_tiled_kernels_with_full_blocks "$v"
    done 2>&1 | tee "$OUT/sanitizer.log"
    ;;
  *)
    section "compute-sanitizer memcheck and racecheck"
    # memcheck: the row kernels at N = 256 and with grouped B/C, the tiled kernels; racecheck:
    # the tiled forward alone, then the tiled kernels with full blocks (defaults, then rpt2).
    {
      san memcheck cuda_large_state_and_many_rows
      san memcheck cuda_tiled_kernels_with_full_blocks
      san racecheck cuda_matches_cpu_kernel_and_auto_picks_cuda
      san racecheck cuda_tiled_kernels_with_full_blocks
      echo "-- rpt2"
      san racecheck cuda_tiled_kernels_with_full_blocks rpt2
    } 2>&1 | tee "$OUT/sanitizer.log"
    ;;
esac

section "benchmark"
if [ -n "${LAB_BIN:-}" ]; then  # the ssm-lab binary: `bench scan`, with its plots
  env ${VARENV[$best]} timeout "${BENCH_TIMEOUT:-240}" "$LAB_BIN" bench scan --out "$OUT" ${SCAN_BENCH_ARGS:-} >>"$OUT/bench.log" 2>&1 || status=1
else
  env ${VARENV[$best]} timeout "${BENCH_TIMEOUT:-240}" "$BIN/scan_bench" "$OUT" ${SCAN_BENCH_ARGS:-} >>"$OUT/bench.log" 2>&1 || status=1
fi

section "summary"
grep -h "test result" "$RAW"/tests_*.raw | sort | uniq -c
grep -h "SUMMARY" "$OUT/sanitizer.log" 2>/dev/null | sort | uniq -c
{ column -s, -t "$OUT/scan_variants.csv" 2>/dev/null || cat "$OUT/scan_variants.csv"; } | cut -c1-110
tail -40 "$OUT/bench.log"
exit $status
