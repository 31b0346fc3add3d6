#!/usr/bin/env bash
# Builds (here, on the CPU machine) the release test and benchmark binaries of ssm-scan that
# tools/gpu/scan_check.sh runs on the GPU machine, into the git-ignored folder .carry/scan.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target/h-scan}
mkdir -p .carry/scan
cargo build --release -p ssm-scan --example scan_bench
cp "$CARGO_TARGET_DIR/release/examples/scan_bench" .carry/scan/
cargo test --release -p ssm-scan --no-run --message-format=json 2>/dev/null \
  | grep -o '"executable":"[^"]*"' | sed 's/"executable":"//; s/"$//' | while read -r exe; do
    name=$(basename "$exe" | sed 's/-[0-9a-f]*$//')
    case "$name" in cuda_vs_reference|nvrtc_compile|errors) cp "$exe" ".carry/scan/$name" ;; esac
  done
ls -la .carry/scan
