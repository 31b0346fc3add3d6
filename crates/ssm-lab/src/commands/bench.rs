//! `ssm-lab bench <what>`: timings written as CSV under `--out` and printed as a table.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use ssm_hippo::{bench_default, bench_krylov, bench_online, BenchRow};
use ssm_report::{line_plot, LinePlot, Series};

use ssm_train::device::{describe, DeviceChoice};
use tch::Device;

use crate::exit::{Failure, Result};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// HiPPO online approximation (N = 256, L = 100,000: structured O(N) LegS step vs dense
    /// O(N²) and O(N³) loops) and the LSSL Krylov kernel (N = 256, L = 16,384: doubling and
    /// blocked vs the naive O(N²L) loop). Writes <out>/hippo.csv.
    Hippo(BenchHippoArgs),
    /// The selective scan (Mamba Fig. 8 left): forward and forward+backward time and bandwidth
    /// vs L for the CUDA kernel, the tch reference, flash attention and an FFT convolution on a
    /// GPU; on a CPU the Rust kernel vs the tch reference (batch 2, D = 64, N = 16, L = 4096).
    /// Writes <out>/scan_<device>.csv and .md.
    Scan(BenchScanArgs),
    /// SSM convolution kernels: naive Krylov vs Cauchy/Woodbury (S4) vs Vandermonde (S4D) vs DSS,
    /// N = 64, H = 256, L = 2^8 … 2^16, and the S4 / S4D layers' forward + backward at batch 2.
    /// On `--device cpu` the f64 reference kernels; on `--device cuda` the layers' in-graph
    /// kernels in f64 and f32. Writes <out>/kernels_<device>.csv, kernels_<device>.{png,svg} and
    /// <out>/layers_<device>.csv.
    Kernels(BenchKernelsArgs),
    /// Generation throughput (Mamba Fig. 8 right): prefill a prompt, decode greedily; Mamba's
    /// recurrent state vs attention's key/value cache at equal size, batch 1 … 128. Writes
    /// <out>/generate_<device>.{csv,md,png,svg}.
    Generate(crate::commands::bench_generate::BenchGenerateArgs),
}

#[derive(Args)]
pub struct BenchScanArgs {
    #[arg(long, default_value = "results/bench")]
    pub out: PathBuf,
    /// The CPU configuration even when a GPU is present.
    #[arg(long)]
    pub cpu: bool,
    /// Lengths to time (default: 2^9 … 2^17 on a GPU, 4096 on CPU).
    #[arg(long, value_delimiter = ',')]
    pub lengths: Option<Vec<usize>>,
}

#[derive(Args)]
pub struct BenchKernelsArgs {
    #[arg(long, default_value = "results/bench")]
    pub out: PathBuf,
    /// Lengths to time (default 2^8 … 2^16).
    #[arg(long, value_delimiter = ',')]
    pub lengths: Option<Vec<usize>>,
    /// Channels H.
    #[arg(long, default_value_t = 256)]
    pub h: usize,
    /// cpu (the f64 reference kernels) or cuda (the in-graph kernels of the layers).
    #[arg(long, default_value = "cpu", value_parser = parse_device)]
    pub device: DeviceChoice,
    /// Lengths of the layers' forward + backward timings; `--layer-lengths 0` skips them.
    #[arg(long, value_delimiter = ',', default_value = "256,1024,4096,16384")]
    pub layer_lengths: Vec<usize>,
}

fn parse_device(s: &str) -> std::result::Result<DeviceChoice, String> {
    match s.parse::<DeviceChoice>()? {
        DeviceChoice::Auto => Err("expected cpu or cuda".into()),
        d => Ok(d),
    }
}

#[derive(Args)]
pub struct BenchHippoArgs {
    /// Folder of the CSV.
    #[arg(long, default_value = "results/bench")]
    pub out: PathBuf,
    /// Small sizes (N = 32, L = 2,000 and 512) for a check that finishes in a second.
    #[arg(long)]
    pub quick: bool,
}

pub fn bench(cmd: BenchCommand) -> Result {
    match cmd {
        BenchCommand::Hippo(args) => hippo(args),
        BenchCommand::Scan(args) => scan(args),
        BenchCommand::Kernels(args) => kernels(args),
        BenchCommand::Generate(args) => crate::commands::bench_generate::generate(args),
    }
}

fn scan(args: BenchScanArgs) -> Result {
    ssm_experiments::check_writable(&args.out)?;
    let mut opts = if args.cpu || !tch::Cuda::is_available() {
        ssm_scan::bench::BenchOptions::cpu()
    } else {
        ssm_scan::bench::BenchOptions::default()
    };
    if let Some(l) = args.lengths {
        opts.lengths = l;
    }
    let shape = format!("batch {}, D = {}, N = {}", opts.batch, opts.dim, opts.nstate);
    let rows = ssm_scan::bench::bench_scan(&opts).map_err(|e| Failure::Runtime(format!("bench scan: {e}")))?;
    let device = rows.first().map(|r| r.device.clone()).unwrap_or_default();
    let slug: String = device.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    let csv = args.out.join(format!("scan_{slug}.csv"));
    let md = args.out.join(format!("scan_{slug}.md"));
    ssm_train::atomic::write(&csv, ssm_scan::bench::to_csv(&rows).as_bytes()).map_err(anyhow::Error::from)?;
    let table = ssm_scan::bench::to_markdown(&rows);
    ssm_train::atomic::write(&md, format!("# Selective scan on {device}\n\n{table}").as_bytes()).map_err(anyhow::Error::from)?;
    scan_plots(&args.out.join(format!("scan_{slug}")), &format!("{shape}, {device}"), &rows)?;
    println!("{table}");
    println!("csv: {}", csv.display());
    Ok(())
}

/// Forward and forward+backward time against L, one line per implementation and dtype
/// (Mamba Fig. 8, left): `<stem>_fwd.{png,svg}` and `<stem>_fwdbwd.{png,svg}`.
fn scan_plots(stem: &Path, setting: &str, rows: &[ssm_scan::BenchRow]) -> Result {
    let rows: Vec<&ssm_scan::BenchRow> = rows.iter().filter(|r| r.len > 0).collect();
    for (suffix, what, pick) in [
        ("fwd", "forward", (|r: &ssm_scan::BenchRow| Some(r.fwd_ms)) as fn(&ssm_scan::BenchRow) -> Option<f64>),
        ("fwdbwd", "forward + backward", |r: &ssm_scan::BenchRow| r.fwdbwd_ms),
    ] {
        let series = Series::group(&rows, |r| format!("{} {}", r.impl_name, r.dtype), |r| pick(r).map(|ms| (r.len as f64, ms)));
        let title = format!("Selective scan {what} ({setting})");
        let file = stem.with_file_name(format!("{}_{suffix}", stem.file_name().unwrap_or_default().to_string_lossy()));
        line_plot(&file, &LinePlot::log_log(&title, "sequence length L", "time (ms)", &series))?;
    }
    Ok(())
}

fn kernels(args: BenchKernelsArgs) -> Result {
    let device = args.device.resolve().map_err(Failure::Usage)?;
    ssm_experiments::check_writable(&args.out)?;
    let ls = args.lengths.unwrap_or_else(|| (8..=16).map(|p| 1usize << p).collect());
    let (slug, rows) = match device {
        Device::Cpu => {
            let rows = ssm_s4::bench_kernels(&ls, 64, args.h).map_err(|e| Failure::Runtime(format!("bench kernels: {e}")))?;
            ("cpu", rows)
        }
        _ => {
            let rows = ssm_s4_layers::bench::bench_kernel_graphs(&ls, args.h, 64, 16384, device);
            ("cuda", rows.into_iter().map(graph_row).collect())
        }
    };
    let what = if slug == "cpu" { "f64 reference, CPU".to_string() } else { format!("in-graph, {}", describe(device)) };
    let path = args.out.join(format!("kernels_{slug}.csv"));
    ssm_train::metrics::write_csv(&path, &rows)?;
    let series = Series::group(&rows, |r| r.kernel.clone(), |r| r.seconds.map(|s| (r.l as f64, 1e3 * s)));
    let title = format!("SSM convolution kernels, N = 64, H = {} ({what})", args.h);
    line_plot(&args.out.join(format!("kernels_{slug}")), &LinePlot::log_log(&title, "kernel length L", "time (ms)", &series))?;
    println!("{:<34} {:>4} {:>5} {:>7} {:>10}  note", "kernel", "N", "H", "L", "seconds");
    for r in &rows {
        let secs = r.seconds.map_or("–".to_string(), |s| format!("{s:.4}"));
        println!("{:<34} {:>4} {:>5} {:>7} {:>10}  {}", r.kernel, r.n, r.h, r.l, secs, r.note);
    }
    println!("csv: {}", path.display());
    layers(&args.out, &args.layer_lengths, args.h, slug, device)
}

/// A row of the in-graph benchmark in the CSV layout of the reference benchmark.
fn graph_row(r: ssm_s4_layers::bench::KernelRow) -> ssm_s4::BenchRow {
    ssm_s4::BenchRow {
        kernel: format!("{} {}", r.kernel, r.precision),
        n: r.n,
        h: r.h,
        l: r.l,
        seconds: Some(r.seconds),
        note: r.error_vs_dense.map_or("ok".into(), |e| format!("rel. error vs dense {e:.1e}")),
    }
}

/// The S4 and S4D layers' forward + backward at batch 2 (kernels in f64 and f32):
/// <out>/layers_<slug>.csv.
fn layers(out: &Path, ls: &[usize], h: usize, slug: &str, device: Device) -> Result {
    let ls: Vec<usize> = ls.iter().copied().filter(|&l| l > 0).collect();
    if ls.is_empty() {
        return Ok(());
    }
    let rows = ssm_s4_layers::bench_layers(&ls, h, 64, 2, device);
    let path = out.join(format!("layers_{slug}.csv"));
    ssm_train::metrics::write_csv(&path, &rows)?;
    println!("{:>6} {:>6} {:>6} {:>10}", "layer", "kernel", "L", "fwd+bwd s");
    for r in &rows {
        println!("{:>6} {:>6} {:>6} {:>10.4}", r.layer, r.kernel, r.l, r.seconds);
    }
    println!("csv: {}", path.display());
    Ok(())
}

fn hippo(args: BenchHippoArgs) -> Result {
    ssm_experiments::check_writable(&args.out)?;
    let rows = if args.quick {
        bench_online(32, 2_000, 20).and_then(|mut r| {
            r.extend(bench_krylov(32, 512)?);
            Ok(r)
        })
    } else {
        bench_default()
    }
    .map_err(|e| Failure::Runtime(format!("bench hippo: {e}")))?;
    let path = args.out.join("hippo.csv");
    ssm_train::metrics::write_csv(&path, &rows)?;
    print_table(&rows, &path);
    Ok(())
}

fn print_table(rows: &[BenchRow], path: &Path) {
    println!("{:<34} {:>5} {:>8} {:>11} {:>14} {:>9}", "name", "N", "L", "seconds", "us/sample", "speedup");
    for r in rows {
        println!(
            "{:<34} {:>5} {:>8} {:>11.4} {:>14.3} {:>9}",
            r.name,
            r.n,
            r.l,
            r.seconds,
            1e6 * r.seconds / r.l as f64,
            ssm_report::speedup_cell(r.speedup)
        );
    }
    println!("csv: {}", path.display());
}

