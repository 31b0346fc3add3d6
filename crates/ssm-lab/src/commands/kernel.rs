//! `ssm-lab kernel`: one channel's SSM convolution kernel from the f64 reference path.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use ssm_hippo::{Discretization, Measure};
use ssm_report::{line_plot, LinePlot, Series};
use ssm_s4::{cli_kernel, DiagInit, KernelModel};

use crate::exit::{Failure, Result};

#[derive(Args)]
pub struct KernelArgs {
    /// dense (Krylov of the bilinear-discretized HiPPO system), s4 (DPLR + Cauchy + Woodbury),
    /// s4d (diagonal, Vandermonde) or dss.
    #[arg(long)]
    pub model: String,
    /// HiPPO measure for dense and s4.
    #[arg(long, default_value = "legs")]
    pub measure: String,
    /// Diagonal init for s4d and dss: lin, inv, real or legs.
    #[arg(long, default_value = "lin")]
    pub init: String,
    /// State size (for s4d/dss the real size: N/2 complex modes in conjugate pairs).
    #[arg(long)]
    pub n: usize,
    /// Kernel length.
    #[arg(long)]
    pub l: usize,
    #[arg(long)]
    pub dt: f64,
    /// C in the original basis; only `ones` is defined.
    #[arg(long, default_value = "ones")]
    pub c: String,
    /// zoh or bilinear (default: bilinear for dense/s4, zoh for s4d/dss).
    #[arg(long)]
    pub discretization: Option<String>,
    #[arg(long, value_enum, default_value_t = KernelFormat::Json)]
    pub format: KernelFormat,
    /// Also draw the kernel to FILE (.png; an .svg is written beside it).
    #[arg(long)]
    pub plot: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum KernelFormat {
    Json,
}

pub fn kernel(args: KernelArgs) -> Result {
    let usage = |m: String| Failure::Usage(m);
    if args.c != "ones" {
        return Err(usage(format!("--c: only `ones` is supported, got `{}`", args.c)));
    }
    let model: KernelModel = args.model.parse().map_err(|e: ssm_s4::S4Error| usage(e.to_string()))?;
    let measure: Measure = args.measure.parse().map_err(|e| usage(format!("--measure: {e}")))?;
    let init: DiagInit = args.init.parse().map_err(|e: ssm_s4::S4Error| usage(e.to_string()))?;
    let disc = match &args.discretization {
        Some(d) => Some(d.parse::<Discretization>().map_err(|e| usage(format!("--discretization: {e}")))?),
        None => None,
    };
    let k = cli_kernel(model, measure, init, args.n, args.l, args.dt, disc).map_err(|e| usage(e.to_string()))?;
    match args.format {
        KernelFormat::Json => println!("{}", serde_json::json!({ "kernel": k })),
    }
    if let Some(path) = &args.plot {
        let title = format!("{} kernel, N = {}, dt = {}", args.model, args.n, args.dt);
        let series = [Series { name: args.model.clone(), points: k.iter().enumerate().map(|(i, &v)| (i as f64, v)).collect() }];
        line_plot(&path.with_extension(""), &LinePlot::linear(&title, "lag", "K", &series))?;
    }
    Ok(())
}
