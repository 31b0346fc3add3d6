//! Forward + backward time of the S4 and S4D layers (batch 2, H = 256, N = 64 by default).
//! Usage: `cargo run --release -p ssm-s4-layers --example bench_layers -- [L ...]`.

fn main() {
    let mut ls: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    if ls.is_empty() {
        ls = vec![256, 1024, 4096, 16384];
    }
    println!("threads: {}", tch::get_num_threads());
    println!("{:>6} {:>6} {:>6} {:>4} {:>6} {:>10}", "layer", "L", "H", "N", "batch", "fwd+bwd s");
    for r in ssm_s4_layers::bench_layers(&ls, 256, 64, 2) {
        println!("{:>6} {:>6} {:>6} {:>4} {:>6} {:>10.3}", r.layer, r.l, r.h, r.n, r.batch, r.seconds);
    }
}
