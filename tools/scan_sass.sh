#!/usr/bin/env bash
# The static instruction mix of the selective-scan kernels, per forward layout, on this machine:
# no GPU needed. NVRTC makes the PTX of the benchmark configuration (batch 8, D 1536, N 16, L 4096;
# the scan_ptx example), ptxas turns it into sm_90 SASS, and the SASS is counted by opcode.
#   bash tools/scan_sass.sh [VARIANT...]     (default: epi c32; names as in tools/gpu/scan_check.sh)
# ptxas, cuobjdump and nvdisasm come from NVIDIA's PyPI wheels, installed once into .venv.
# Writes and prints $OUT/scan_sass.csv (OUT defaults to /tmp/scan-sass): variant, dtype, kernel,
# registers, spills, then the count of each opcode class (the forward's chunk loop is unrolled,
# so the counts are per chunk of 32 steps and 4 states per thread); the .sass files stay beside.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/scan-sass}
mkdir -p "$OUT"
SITE=$(ls -d .venv/lib/python*/site-packages 2>/dev/null | head -1)
[ -n "$SITE" ] || { echo "error: no .venv here; run tools/setup-torch.sh first" >&2; exit 1; }
CUBIN_TOOLS="$SITE/nvidia/cu13/bin"
if [ ! -x "$CUBIN_TOOLS/ptxas" ] || [ ! -x "$CUBIN_TOOLS/nvdisasm" ]; then
  echo "scan_sass: installing ptxas, cuobjdump and nvdisasm into .venv (about 80 MB)" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps \
    "nvidia-cuda-nvcc==13.0.88" "nvidia-cuda-cuobjdump==13.2.51" "nvidia-cuda-nvdisasm==13.2.51"
fi
export PATH="$CUBIN_TOOLS:$PATH"
export LD_LIBRARY_PATH="$PWD/$SITE/nvidia/cu13/lib:${LD_LIBRARY_PATH:-}"
cargo build --quiet --release -p ssm-scan --example scan_ptx
PTX_BIN=${CARGO_TARGET_DIR:-target}/release/examples/scan_ptx

# The layouts by name, with the environment that selects each.
source tools/gpu/scan_variants.sh
CLASSES="FMUL FFMA FADD MUFU LOP3 SHF IMAD PRMT F2FP LDS STS SHFL FSEL HMMA LDG STG BAR"
echo "variant,dtype,kernel,registers,spill_bytes,instructions,${CLASSES// /,}" >"$OUT/scan_sass.csv"
for name in ${*:-epi c32}; do
  [ -n "${VARENV[$name]:-}" ] || { echo "error: unknown variant '$name' (known: ${!VARENV[*]})" >&2; exit 1; }
  for dtype in f32 bf16; do
    for kernel in fwd bwd; do
      base="$OUT/${name}_${dtype}_$kernel"
      flag=$([ "$kernel" = bwd ] && echo bwd || true)
      env ${VARENV[$name]} "$PTX_BIN" $dtype $flag 4096 >"$base.ptx"
      ptxas -arch=sm_90 -O3 -v "$base.ptx" -o "$base.cubin" 2>"$base.ptxas.txt"
      cuobjdump -sass "$base.cubin" >"$base.sass"
      regs=$(grep -o 'Used [0-9]* registers' "$base.ptxas.txt" | awk '{print $2}' | head -1)
      spill=$(grep -o '[0-9]* bytes spill stores' "$base.ptxas.txt" | awk '{s += $1} END {print s + 0}')
      # One SASS instruction per line of the form  /*0a30*/  OPCODE.MODS operands ;
      grep -oE '/\*[0-9a-f]{4,}\*/ +[A-Z][A-Z0-9_]*' "$base.sass" | awk '{print $2}' >"$base.ops"
      row="$name,$dtype,$kernel,$regs,$spill,$(wc -l <"$base.ops")"
      for c in $CLASSES; do row="$row,$(grep -cx "$c" "$base.ops" || true)"; done
      echo "$row" >>"$OUT/scan_sass.csv"
    done
  done
done
{ column -s, -t "$OUT/scan_sass.csv" 2>/dev/null || cat "$OUT/scan_sass.csv"; }
