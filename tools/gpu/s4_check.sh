#!/usr/bin/env bash
# S4-family benchmark on the GPU machine, with the release binary in .carry/bin
# (`just gpu-bundle` here):
#   bash tools/gpu/s4_check.sh
# Times the layers' in-graph kernels (f64 and f32; every S4 row checked against its dense
# twin) and the S4 / S4D layers' forward + backward at batch 2 up to L = 65,536 while the GPU is
# idle; writes kernels_cuda.{csv,png,svg} and layers_cuda.csv to $OUT/bench and prints them last.
set -uo pipefail
cd "$(dirname "$0")/../.."
: "${OUT:=/tmp/ssm-lab-out}"
mkdir -p "$OUT/bench"
TORCH_LIB=${TORCH_LIB:-$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')}
export LD_LIBRARY_PATH="$TORCH_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
timeout "${BENCH_TIMEOUT:-300}" .carry/bin/ssm-lab bench kernels --device cuda --out "$OUT/bench" \
  --layer-lengths 256,1024,4096,16384,65536 >"$OUT/bench/log.txt" 2>&1
status=$?
tail -80 "$OUT/bench/log.txt"
exit $status
