//! Runs `bench_scan` and writes `scan_bench.csv` and `scan_bench.md` into the folder given as the
//! first argument (default: the current folder). Options: `--cpu` (the CPU configuration),
//! `--lengths 512,4096`, `--reps N`, `--batch N` (warps per launch scale with it: an occupancy
//! probe) and `--kernel-only` (no baselines: tch reference, SDPA, FFT).
use std::path::PathBuf;

use ssm_scan::bench::{to_csv, to_markdown};
use ssm_scan::{bench_scan, BenchOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut out = PathBuf::from(".");
    let mut opts = BenchOptions::default();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--cpu" => {
                let keep_lengths = opts.lengths != BenchOptions::default().lengths;
                let lengths = opts.lengths.clone();
                opts = BenchOptions::cpu();
                if keep_lengths {
                    opts.lengths = lengths;
                }
            }
            "--lengths" => {
                let v = args.next().unwrap_or_default();
                opts.lengths = v.split(',').filter_map(|x| x.trim().parse().ok()).collect();
            }
            "--kernel-only" => opts.baselines = false,
            "--reps" => opts.reps = args.next().and_then(|x| x.parse().ok()).unwrap_or(10),
            "--batch" => opts.batch = args.next().and_then(|x| x.parse().ok()).unwrap_or(opts.batch),
            other => out = PathBuf::from(other),
        }
    }
    match bench_scan(&opts) {
        Ok(rows) => {
            std::fs::create_dir_all(&out).ok();
            let device = rows.first().map(|r| r.device.clone()).unwrap_or_default();
            let md = format!("Selective scan benchmark on {device} (batch {}, D {}, N {}; median of {} after warm-up)\n\n{}", opts.batch, opts.dim, opts.nstate, opts.reps, to_markdown(&rows));
            std::fs::write(out.join("scan_bench.csv"), to_csv(&rows)).expect("write csv");
            std::fs::write(out.join("scan_bench.md"), &md).expect("write md");
            println!("{md}");
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
