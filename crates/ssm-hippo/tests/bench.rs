//! Benchmark functions: a small smoke run, and the full sizes behind `--ignored`.

use ssm_hippo::{bench_default, bench_krylov, bench_online, HippoError};

#[test]
fn small_bench_rows_are_well_formed() {
    let mut rows = bench_online(16, 500, 20).unwrap();
    rows.extend(bench_krylov(16, 300).unwrap());
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "online_legs_structured_n1",
            "online_legs_dense_n2",
            "online_legs_inverse_per_step_n3",
            "online_legt_precomputed_n2",
            "krylov_naive",
            "krylov_doubling",
            "krylov_blocked"
        ]
    );
    for r in &rows {
        assert!(
            r.seconds >= 0.0 && r.speedup.is_finite() && r.speedup > 0.0,
            "{r:?}"
        );
        assert_eq!(r.n, 16);
    }
    assert_eq!(rows[2].l, 20);
    assert_eq!(rows[1].speedup, 1.0);
    assert_eq!(rows[4].speedup, 1.0);
}

#[test]
fn bench_arguments_are_checked() {
    assert!(matches!(
        bench_online(0, 10, 1),
        Err(HippoError::InvalidOption { option: "n", .. })
    ));
    assert!(matches!(
        bench_krylov(4, 0),
        Err(HippoError::InvalidOption { option: "l", .. })
    ));
}

/// Full sizes: `cargo test --release -p ssm-hippo --test bench -- --ignored --nocapture`.
#[test]
#[ignore]
fn full_bench() {
    let rows = bench_default().unwrap();
    println!("name,n,l,seconds,speedup");
    for r in rows {
        println!(
            "{},{},{},{:.6},{:.2}",
            r.name, r.n, r.l, r.seconds, r.speedup
        );
    }
}
