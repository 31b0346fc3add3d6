# ssm-lab: the two commands are `just run CONFIG` and `just test`; each sets itself up first.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Show the recipes.
default:
    @just --list

# Create the project-local libtorch (.venv with torch==2.11.0 from PyPI), once.
setup:
    tools/setup-torch.sh

# Build target/release/ssm-lab (finds libtorch by its baked-in rpath).
build: setup
    cargo build --release -p ssm-lab

# Train every run of a config: just run configs/induction_heads.yaml [key=value ...] [--smoke] [--device cuda] ...
run +args: build
    target/release/ssm-lab run {{args}}

# Any other ssm-lab subcommand: just lab list | just lab report | just lab data sample --task induction_heads --seq-len 16
lab +args: build
    target/release/ssm-lab {{args}}

# Every test of the workspace (CPU; GPU tests skip themselves without a GPU).
test: setup
    cargo test --workspace --all-targets

# Clippy over every crate and target, warnings as errors.
lint: setup
    cargo clippy --workspace --all-targets -- -D warnings

# Copy the release binary into .carry/ (git-ignored), the folder a GPU machine run carries.
gpu-bundle: build
    mkdir -p .carry/bin
    cp target/release/ssm-lab .carry/bin/
