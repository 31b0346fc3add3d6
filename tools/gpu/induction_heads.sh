#!/usr/bin/env bash
# Runs configs/induction_heads.yaml on a CUDA machine with the release binary in .carry/bin
# (`just gpu-bundle` puts it there), then packs the sweep into $OUT. Extra arguments go to
# `ssm-lab run` (for example `train.steps=8192` for a shorter budget).
set -euo pipefail
: "${OUT:=/tmp/ssm-lab-out}"
mkdir -p "$OUT"
TORCH_LIB=${TORCH_LIB:-$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')}
export LD_LIBRARY_PATH="$TORCH_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
BIN=${BIN:-.carry/bin/ssm-lab}
CONFIG=${CONFIG:-configs/induction_heads.yaml}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
start=$(date +%s)
set +e
timeout "${RUN_TIMEOUT:-540}" "$BIN" run "$CONFIG" --device cuda --out "$OUT/results" "$@" 2>&1 | tee "$OUT/run.log"
status=${PIPESTATUS[0]}
set -e
echo "wall time: $(( $(date +%s) - start )) s, exit status $status"
sweep=$(ls -d "$OUT"/results/induction_heads/*/ | tail -n 1)
if [ ! -f "$sweep/induction_heads.md" ]; then
  # Interrupted before the report: build it from what finished.
  "$BIN" report "$sweep" --reports "$sweep" >/dev/null 2>&1 || true
fi
cp "$sweep"/summary.csv "$sweep"/induction_heads.md "$sweep"/induction_heads.png "$sweep"/induction_heads.svg "$OUT"/ || true
tar czf "$OUT/sweep.tgz" --exclude='*.safetensors' -C "$OUT/results" .
rm -rf "$OUT/results"
cat "$OUT/induction_heads.md" | sed -n '/^| Model/,/^$/p'
exit "$status"
