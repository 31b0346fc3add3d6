//! `ssm-lab scan`: the selective-scan op on tensors from a safetensors file, so that any outside
//! program can check it (conformance).

use std::path::PathBuf;

use clap::Args;
use ssm_scan::{run_conformance, Backend, ScanDtype, ScanError};

use crate::exit::{Failure, Result};

#[derive(Args)]
pub struct ScanArgs {
    /// reference (tch ops), cpu (Rust kernel) or cuda (NVRTC kernel).
    #[arg(long, value_parser = parse_backend)]
    pub backend: Backend,
    /// safetensors with u, delta, A, B, C and optionally D, z, delta_bias, h0, dy.
    #[arg(long)]
    pub input: PathBuf,
    /// Writes y and last_state, and with dy the gradients du, ddelta, dA, dB, dC, dD, dz, ddelta_bias, dh0.
    #[arg(long)]
    pub output: PathBuf,
    #[arg(long)]
    pub delta_softplus: bool,
    /// Input dtype the op runs in (math is fp32 either way).
    #[arg(long, default_value = "f32", value_parser = parse_dtype)]
    pub dtype: ScanDtype,
}

fn parse_backend(s: &str) -> std::result::Result<Backend, String> {
    s.parse().map_err(|e: ScanError| e.to_string())
}

fn parse_dtype(s: &str) -> std::result::Result<ScanDtype, String> {
    s.parse().map_err(|e: ScanError| e.to_string())
}

pub fn scan(args: ScanArgs) -> Result {
    if !args.input.is_file() {
        return Err(Failure::Usage(format!("--input {}: no such file", args.input.display())));
    }
    run_conformance(args.backend, &args.input, &args.output, args.delta_softplus, args.dtype).map_err(|e| match e {
        ScanError::Compile(_) | ScanError::Emulation(_) | ScanError::Driver(_) | ScanError::Torch(_) | ScanError::Bridge(_) => {
            Failure::Runtime(e.to_string())
        }
        _ => Failure::Usage(e.to_string()),
    })?;
    eprintln!("wrote {}", args.output.display());
    Ok(())
}
