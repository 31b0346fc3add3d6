//! `bench_kernels` produces one row per kernel and length, skips the naive dense
//! Krylov above its limit, and checks S4 against dense before reporting.

use ssm_s4::{bench_kernels_with, BenchOptions};

#[test]
fn bench_rows_and_skips() {
    let opts = BenchOptions {
        dense_max_l: 64,
        reps: 1,
        seed: 1,
    };
    let rows = bench_kernels_with(&[64, 128], 8, 3, &opts).unwrap();
    let kernels = [
        "dense_krylov_naive",
        "dense_krylov_blocked",
        "s4_c_tilde_setup",
        "s4_dplr_cauchy",
        "s4d_vandermonde",
        "dss_softmax",
    ];
    assert_eq!(rows.len(), 2 * kernels.len());
    for r in &rows {
        assert!(kernels.contains(&r.kernel.as_str()));
        assert_eq!((r.n, r.h), (8, 3));
        if r.kernel == "dense_krylov_naive" && r.l == 128 {
            assert!(r.seconds.is_none());
            assert!(r.note.starts_with("skipped"));
        } else {
            assert!(r.seconds.unwrap() >= 0.0, "{r:?}");
        }
    }
    assert!(bench_kernels_with(&[64], 7, 3, &opts).is_err());
    assert!(bench_kernels_with(&[0], 8, 3, &opts).is_err());
}
