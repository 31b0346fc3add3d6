//! The in-graph kernel benchmark times right answers: its dense twin (L sequential products
//! of the bilinear N×N system) agrees with the S4 Cauchy + Woodbury kernel, and every kernel
//! gets a row per length and precision.

use ssm_s4_layers::bench::bench_kernel_graphs;
use tch::Device;

#[test]
fn kernel_graph_rows_check_s4_against_its_dense_twin() {
    let rows = bench_kernel_graphs(&[1, 7, 64], 3, 16, 64, Device::Cpu);
    let kinds = [
        "s4_c_tilde_setup",
        "dense_krylov_naive",
        "s4_dplr_cauchy",
        "s4d_vandermonde",
        "dss_softmax",
    ];
    assert_eq!(rows.len(), kinds.len() * 3 * 2, "{rows:?}");
    for r in &rows {
        assert!(kinds.contains(&r.kernel), "{}", r.kernel);
        assert!(r.seconds.is_finite() && r.seconds >= 0.0);
        assert_eq!((r.h, r.n), (3, 16));
        match (r.kernel, r.precision) {
            ("s4_dplr_cauchy", "f64") => assert!(r.error_vs_dense.unwrap() < 1e-9, "{r:?}"),
            ("s4_dplr_cauchy", "f32") => assert!(r.error_vs_dense.unwrap() < 1e-4, "{r:?}"),
            _ => assert!(r.error_vs_dense.is_none(), "{r:?}"),
        }
    }
}

#[test]
fn the_dense_twin_stops_at_its_length_limit_and_odd_states_give_no_rows() {
    let rows = bench_kernel_graphs(&[8, 32], 2, 8, 8, Device::Cpu);
    assert!(rows
        .iter()
        .filter(|r| r.kernel == "dense_krylov_naive")
        .all(|r| r.l == 8));
    assert!(rows
        .iter()
        .filter(|r| r.kernel == "s4_dplr_cauchy" && r.l == 32)
        .all(|r| r.error_vs_dense.is_none()));
    assert!(bench_kernel_graphs(&[8], 2, 7, 8, Device::Cpu).is_empty());
}
