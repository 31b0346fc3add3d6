#!/usr/bin/env bash
# Does the tiled forward get faster per channel with more warps per scheduler? Run from the repo
# root on the GPU machine, after tools/gpu/scan_build.sh (here):
#   [LAYOUTS="default mmay32a"] [BATCHES="4 8 11 16"] bash tools/gpu/occupancy_probe.sh
# The benchmark shape (D 1536, N 16) at several batch sizes: 4 threads per channel, so batch 8
# is 1,536 warps (~2.9 per scheduler on 132 SMs); batch 11 fills 4 blocks per SM, batch 16 needs
# two waves. Writes $OUT/occupancy.csv (or /tmp/scan-out) and prints the forward's picoseconds
# per channel-step, which stay flat when more warps do not help.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/scan-out}
mkdir -p "$OUT"
source tools/gpu/scan_env.sh
source tools/gpu/scan_variants.sh
echo "layout,batch,impl,dtype,L,fwd_ms,fwdbwd_ms,ps_per_channel_step" >"$OUT/occupancy.csv"
for v in ${LAYOUTS:-default mmay32a}; do
  for b in ${BATCHES:-4 8 11 16}; do
    env ${VARENV[$v]} timeout 60 .carry/scan/scan_bench "/tmp/occ_${v}_$b" --kernel-only --lengths 2048,4096 --batch "$b" >/dev/null 2>&1
    awk -F, -v v="$v" -v b="$b" 'NR > 1 && $1 == "cuda_kernel" { printf "%s,%s,%s,%s,%s,%s,%s,%.2f\n", v, b, $1, $2, $3, $4, $5, $4 * 1e9 / (b * 1536 * $3) }' \
      "/tmp/occ_${v}_$b/scan_bench.csv" >>"$OUT/occupancy.csv"
  done
done
awk -F, 'NR > 1 { printf "%-9s batch %-3s %-5s L %-5s fwd %.3f ms  %.2f ps per channel-step\n", $1, $2, $4, $5, $6, $8 }' "$OUT/occupancy.csv"
