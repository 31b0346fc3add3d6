//! Prints the PTX of the CUDA kernel for the benchmark shape (batch 8, D 1536, N 16, variable
//! B/C, z, D, bias, softplus): `scan_ptx [bf16] [bwd] [L]`. Needs only the NVRTC library.
use ssm_scan::ScanShape;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bf16 = args.iter().any(|a| a == "bf16");
    let bwd = args.iter().any(|a| a == "bwd");
    let len = args.iter().find_map(|a| a.parse::<usize>().ok()).unwrap_or(4096);
    let shape = ScanShape::mamba(8, 1536, len, 16);
    match ssm_scan::cuda::ptx_for_shape(&shape, bf16, true, bwd, (9, 0)) {
        Ok(p) => println!("{p}"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
