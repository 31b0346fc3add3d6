//! Prints the default benchmark rows as CSV:
//! `cargo run --release -p ssm-hippo --example hippo_bench`.

fn main() -> Result<(), ssm_hippo::HippoError> {
    let rows = ssm_hippo::bench_default()?;
    println!("name,n,l,seconds,speedup");
    for r in rows {
        println!(
            "{},{},{},{:.6},{:.2}",
            r.name, r.n, r.l, r.seconds, r.speedup
        );
    }
    Ok(())
}
