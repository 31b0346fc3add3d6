#!/usr/bin/env bash
# Builds (here, on the CPU machine) the release test and benchmark binaries of ssm-scan that
# tools/gpu/scan_check.sh runs on the GPU machine, into the git-ignored folder .carry/scan.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target/h-scan}
mkdir -p .carry/scan
cargo build --release -p ssm-scan --example scan_bench --example scan_ptx
cp "$CARGO_TARGET_DIR/release/examples/scan_bench" .carry/scan/
cargo test --release -p ssm-scan --no-run --message-format=json 2>/dev/null \
  | grep -o '"executable":"[^"]*"' | sed 's/"executable":"//; s/"$//' | while read -r exe; do
    name=$(basename "$exe" | sed 's/-[0-9a-f]*$//')
    case "$name" in cuda_vs_reference|cuda_memory|nvrtc_compile|errors) cp "$exe" ".carry/scan/$name" ;; esac
  done
# The PTX of the benchmark configuration, for tools/gpu/scan_profile.sh (needs libnvrtc here).
mkdir -p .carry/ptx
NV_LIB=$(ls -d .venv/lib/python*/site-packages/nvidia/cu13/lib 2>/dev/null | head -1)
export LD_LIBRARY_PATH="${NV_LIB:+$PWD/$NV_LIB:}${LD_LIBRARY_PATH:-}"
for args in "f32" "bf16"; do
  "$CARGO_TARGET_DIR/release/examples/scan_ptx" $args 4096 >".carry/ptx/fwd_$args.ptx" || rm -f ".carry/ptx/fwd_$args.ptx"
done
ls -la .carry/scan .carry/ptx
