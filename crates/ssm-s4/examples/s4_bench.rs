//! Kernel timings for `ssm-lab bench kernels`, printed as CSV:
//! `cargo run --release -p ssm-s4 --example s4_bench -- [log2_min log2_max [n h [dense_max_l]]]`
//! (defaults 8 16 64 256 16384: L = 2^8 … 2^16, N = 64, H = 256).

use ssm_s4::{bench_kernels_with, BenchOptions};

fn arg(args: &[String], i: usize, default: usize) -> usize {
    args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default)
}

fn main() -> Result<(), ssm_s4::S4Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (lo, hi) = (arg(&args, 0, 8), arg(&args, 1, 16));
    let (n, h) = (arg(&args, 2, 64), arg(&args, 3, 256));
    let opts = BenchOptions {
        dense_max_l: arg(&args, 4, 16384),
        ..BenchOptions::default()
    };
    let ls: Vec<usize> = (lo..=hi).map(|p| 1usize << p).collect();
    eprintln!("threads: {}", rayon::current_num_threads());
    let rows = bench_kernels_with(&ls, n, h, &opts)?;
    println!("kernel,n,h,l,seconds,note");
    for r in &rows {
        let secs = r.seconds.map_or(String::from(""), |s| format!("{s:.6}"));
        println!("{},{},{},{},{},{}", r.kernel, r.n, r.h, r.l, secs, r.note);
    }
    Ok(())
}
