//! Discretization checks (lineage.md §1 "Discretizations").

mod common;

use nalgebra::{DMatrix, DVector};
use num_complex::Complex64;
use ssm_hippo::{
    discretize, discretize_diag, legs_step, transition, Discretization, HippoError, Measure,
};

fn eye(n: usize) -> DMatrix<f64> {
    DMatrix::identity(n, n)
}

#[test]
fn bilinear_matches_explicit_inverse() {
    for m in [
        Measure::LegS,
        Measure::legt(),
        Measure::FouT,
        Measure::lagt(),
    ] {
        let (a, b) = transition(m, 8).unwrap();
        let dt = 0.05;
        let (ab, bb) = discretize(&a, &b, dt, Discretization::Bilinear).unwrap();
        let inv = (eye(8) - &a * (dt / 2.0)).try_inverse().unwrap();
        let ab_ref = &inv * (eye(8) + &a * (dt / 2.0));
        let bb_ref = &inv * &b * dt;
        assert!(common::rel_mat_err(&ab, &ab_ref) < 1e-13, "{m}");
        assert!((bb - bb_ref).amax() < 1e-13, "{m}");
    }
}

#[test]
fn euler_rules_and_gbt_endpoints() {
    let (a, b) = transition(Measure::LegS, 6).unwrap();
    let dt = 0.1;
    let (af, bf) = discretize(&a, &b, dt, Discretization::Forward).unwrap();
    assert_eq!(af, eye(6) + &a * dt);
    assert_eq!(bf, &b * dt);
    let (abk, bbk) = discretize(&a, &b, dt, Discretization::Backward).unwrap();
    let inv = (eye(6) - &a * dt).try_inverse().unwrap();
    assert!(common::rel_mat_err(&abk, &inv) < 1e-13);
    assert!((bbk - &inv * &b * dt).amax() < 1e-13);
    let (g0, h0) = discretize(&a, &b, dt, Discretization::Gbt { alpha: 0.0 }).unwrap();
    assert!(common::rel_mat_err(&g0, &af) < 1e-15 && (h0 - &bf).amax() < 1e-15);
    let (g1, _) = discretize(&a, &b, dt, Discretization::Gbt { alpha: 1.0 }).unwrap();
    assert!(common::rel_mat_err(&g1, &abk) < 1e-13);
    let (gh, _) = discretize(&a, &b, dt, Discretization::Gbt { alpha: 0.5 }).unwrap();
    let (bl, _) = discretize(&a, &b, dt, Discretization::Bilinear).unwrap();
    assert!(common::rel_mat_err(&gh, &bl) < 1e-15);
}

/// Truncated Taylor series of exp(ΔA) and of Σ Δ^{k+1}A^kB/(k+1)!.
fn taylor_zoh(
    a: &DMatrix<f64>,
    b: &DVector<f64>,
    dt: f64,
    terms: usize,
) -> (DMatrix<f64>, DVector<f64>) {
    let n = a.nrows();
    let mut ea = eye(n);
    let mut eb = DVector::zeros(n);
    let mut term = eye(n); // (ΔA)^k / k!
    for k in 0..terms {
        eb += &term * b * (dt / (k + 1) as f64);
        term = &term * a * (dt / (k + 1) as f64);
        ea += &term;
    }
    (ea, eb)
}

#[test]
fn zoh_matches_taylor_for_small_steps() {
    for m in [Measure::LegS, Measure::legt(), Measure::FouT, Measure::Lmu] {
        let (a, b) = transition(m, 6).unwrap();
        let dt = 1e-3;
        let (az, bz) = discretize(&a, &b, dt, Discretization::Zoh).unwrap();
        let (at, bt) = taylor_zoh(&a, &b, dt, 12);
        assert!(
            common::rel_mat_err(&az, &at) < 1e-13,
            "{m}: {}",
            common::rel_mat_err(&az, &at)
        );
        assert!((&bz - &bt).amax() < 1e-13 * bt.amax(), "{m}");
        // And it is not forward Euler: the second-order term is visible.
        let (af, _) = discretize(&a, &b, dt, Discretization::Forward).unwrap();
        assert!((az - af).amax() > 1e-8);
    }
}

#[test]
fn zoh_handles_singular_a() {
    // A = 0: Ā = I, B̄ = ΔB.
    let a = DMatrix::<f64>::zeros(3, 3);
    let b = DVector::from_vec(vec![1.0, -2.0, 0.5]);
    let (az, bz) = discretize(&a, &b, 0.3, Discretization::Zoh).unwrap();
    assert!((az - eye(3)).amax() < 1e-15);
    assert!((bz - &b * 0.3).amax() < 1e-15);
    // Nilpotent A (shift): exp(ΔA) = I + ΔA + Δ²A²/2, B̄ = ΔB + Δ²AB/2 + Δ³A²B/6.
    let a = DMatrix::from_fn(3, 3, |i, k| if i == k + 1 { 1.0 } else { 0.0 });
    let dt = 0.7;
    let (az, bz) = discretize(&a, &b, dt, Discretization::Zoh).unwrap();
    let a2 = &a * &a;
    let ea = eye(3) + &a * dt + &a2 * (dt * dt / 2.0);
    let eb = &b * dt + &a * &b * (dt * dt / 2.0) + &a2 * &b * (dt * dt * dt / 6.0);
    assert!((az - ea).amax() < 1e-14);
    assert!((bz - eb).amax() < 1e-14);
}

#[test]
fn diagonal_rules_match_dense_on_real_diagonals() {
    let lam = [-0.5, -2.0, 0.0, -7.5];
    let bv = [1.0, 0.5, -1.0, 2.0];
    let a = DMatrix::from_fn(4, 4, |i, k| if i == k { lam[i] } else { 0.0 });
    let b = DVector::from_column_slice(&bv);
    let lc = DVector::from_iterator(4, lam.iter().map(|&x| Complex64::new(x, 0.0)));
    let bc = DVector::from_iterator(4, bv.iter().map(|&x| Complex64::new(x, 0.0)));
    for method in common::RULES {
        let (ad, bd) = discretize(&a, &b, 0.1, method).unwrap();
        let (ag, bg) = discretize_diag(&lc, &bc, 0.1, method).unwrap();
        for i in 0..4 {
            assert!(
                (ag[i].re - ad[(i, i)]).abs() < 1e-14 && ag[i].im == 0.0,
                "{method}"
            );
            assert!((bg[i].re - bd[i]).abs() < 1e-14, "{method} B[{i}]");
        }
    }
}

#[test]
fn diagonal_complex_formulas() {
    let lam = DVector::from_vec(vec![Complex64::new(-0.5, 3.0), Complex64::new(-1e-9, 1e-9)]);
    let b = DVector::from_vec(vec![Complex64::new(1.0, -1.0), Complex64::new(2.0, 0.0)]);
    let dt = 0.01;
    let (ab, bb) = discretize_diag(&lam, &b, dt, Discretization::Bilinear).unwrap();
    // ssm.py:648-650: dA = (1 + ΔA/2)/(1 − ΔA/2), dB = ΔB/(1 − ΔA/2).
    let z = lam[0] * dt;
    let one = Complex64::new(1.0, 0.0);
    assert!((ab[0] - (one + z / 2.0) / (one - z / 2.0)).norm() < 1e-15);
    assert!((bb[0] - b[0] * dt / (one - z / 2.0)).norm() < 1e-15);
    let (az, bz) = discretize_diag(&lam, &b, dt, Discretization::Zoh).unwrap();
    assert!((az[0] - z.exp()).norm() < 1e-15);
    assert!((bz[0] - b[0] * (z.exp() - one) / lam[0]).norm() < 1e-14);
    // Near-zero eigenvalue: B̄ = ΔB(1 + z/2 + …) without cancellation.
    let z1 = lam[1] * dt;
    assert!((bz[1] - b[1] * dt * (one + z1 / 2.0)).norm() < 1e-17);
}

#[test]
fn legs_time_varying_steps() {
    let (a, b) = transition(Measure::LegS, 5).unwrap();
    let k = 7;
    let kf = k as f64;
    let (af, bf) = legs_step(&a, &b, k, Discretization::Forward).unwrap();
    assert!(common::rel_mat_err(&af, &(eye(5) + &a / kf)) < 1e-15);
    assert!((bf - &b / kf).amax() < 1e-15);
    let (abl, bbl) = legs_step(&a, &b, k, Discretization::Bilinear).unwrap();
    let inv = (eye(5) - &a / (2.0 * kf)).try_inverse().unwrap();
    assert!(common::rel_mat_err(&abl, &(&inv * (eye(5) + &a / (2.0 * kf)))) < 1e-13);
    assert!((bbl - &inv * &b / kf).amax() < 1e-13);
    // ZOH over log(k+1) − log k: Ā = exp(Aδ), B̄ = A⁻¹(Ā − I)B (hippo.py:97-100).
    let (az, bz) = legs_step(&a, &b, k, Discretization::Zoh).unwrap();
    let delta = ((kf + 1.0) / kf).ln();
    let (at, _) = taylor_zoh(&a, &b, delta, 40);
    assert!(common::rel_mat_err(&az, &at) < 1e-12);
    let ainv = a.clone().try_inverse().unwrap();
    let bref = &ainv * ((&az - eye(5)) * &b);
    assert!((bz - bref).amax() < 1e-12);
    assert!(legs_step(&a, &b, 0, Discretization::Zoh).is_err());
}

#[test]
fn invalid_arguments() {
    let (a, b) = transition(Measure::LegS, 4).unwrap();
    let option = |r: Result<(DMatrix<f64>, DVector<f64>), HippoError>| match r {
        Err(HippoError::InvalidOption { option, .. }) => option.to_string(),
        Err(HippoError::Shape { option, .. }) => option.to_string(),
        other => panic!("expected an error, got {other:?}"),
    };
    assert_eq!(
        option(discretize(&a, &b, 0.0, Discretization::Bilinear)),
        "dt"
    );
    assert_eq!(option(discretize(&a, &b, -1.0, Discretization::Zoh)), "dt");
    assert_eq!(
        option(discretize(&a, &b, f64::NAN, Discretization::Zoh)),
        "dt"
    );
    assert_eq!(
        option(discretize(&a, &b, f64::INFINITY, Discretization::Zoh)),
        "dt"
    );
    assert_eq!(
        option(discretize(&a, &b, 0.1, Discretization::Gbt { alpha: 2.0 })),
        "alpha"
    );
    let mut bad = a.clone();
    bad[(1, 1)] = f64::NAN;
    assert_eq!(
        option(discretize(&bad, &b, 0.1, Discretization::Bilinear)),
        "a"
    );
    let short = DVector::from_vec(vec![1.0, 2.0]);
    assert_eq!(
        option(discretize(&a, &short, 0.1, Discretization::Bilinear)),
        "b"
    );
    let rect = DMatrix::<f64>::zeros(4, 3);
    assert_eq!(
        option(discretize(&rect, &b, 0.1, Discretization::Bilinear)),
        "a"
    );
    let empty = DMatrix::<f64>::zeros(0, 0);
    assert_eq!(
        option(discretize(
            &empty,
            &DVector::zeros(0),
            0.1,
            Discretization::Bilinear
        )),
        "n"
    );
    // Singular I − αΔA is reported, not a panic.
    let one = DMatrix::from_element(1, 1, 1.0);
    let r = discretize(
        &one,
        &DVector::from_element(1, 1.0),
        1.0,
        Discretization::Backward,
    );
    assert!(matches!(r, Err(HippoError::Numerical { .. })), "{r:?}");
    let msg = discretize(&a, &b, -1.0, Discretization::Zoh)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("`dt`"), "{msg}");
}
