//! Closed-form spot checks of the HiPPO (A, B) pairs (lineage.md §1; s4 hippo.py:21-143).

mod common;

use std::f64::consts::PI;

use nalgebra::DMatrix;
use ssm_hippo::{ln_gamma_abs, rank_correction, transition, HippoError, Measure};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12 * (1.0 + b.abs())
}

#[test]
fn legs_entries() {
    let (a, b) = transition(Measure::LegS, 6).unwrap();
    assert!(close(a[(2, 1)], -15f64.sqrt()), "A[2][1] = {}", a[(2, 1)]);
    assert!(close(a[(1, 1)], -2.0));
    assert!(close(a[(0, 0)], -1.0));
    assert!(close(a[(5, 5)], -6.0));
    assert!(close(a[(3, 0)], -7f64.sqrt()));
    assert_eq!(a[(1, 2)], 0.0, "LegS A is lower triangular");
    assert!(close(b[3], 7f64.sqrt()));
    assert!(close(b[0], 1.0));
    // A = T M T⁻¹ with M = −(tril_incl(r) − diag(q)), T = diag(√(2q+1)) (hippo.py:72-80);
    // numpy broadcasts r = 2q+1 along the column index k.
    let n = 6;
    let m = DMatrix::from_fn(n, n, |i, k| {
        let tril = if i >= k { (2 * k + 1) as f64 } else { 0.0 };
        let diag = if i == k { i as f64 } else { 0.0 };
        -(tril - diag)
    });
    let t = DMatrix::from_fn(n, n, |i, k| {
        if i == k {
            ((2 * i + 1) as f64).sqrt()
        } else {
            0.0
        }
    });
    let tinv = t.clone().try_inverse().unwrap();
    assert!(common::rel_mat_err(&a, &(t * m * tinv)) < 1e-14);
}

#[test]
fn legt_entries_and_halving() {
    let (a, b) = transition(Measure::legt(), 5).unwrap();
    let (au, bu) = transition(Measure::LegT { halved: false }, 5).unwrap();
    // Halved = ½ · unhalved, exactly.
    assert_eq!(a, &au * 0.5);
    assert_eq!(b, &bu * 0.5);
    // Unhalved: A_nk = −√(2n+1)√(2k+1)·(1 if n ≥ k else (−1)^{n−k}).
    assert!(close(au[(0, 0)], -1.0));
    assert!(close(au[(1, 0)], -3f64.sqrt()));
    assert!(close(au[(0, 1)], 3f64.sqrt()), "n<k odd gap flips the sign");
    assert!(
        close(au[(0, 2)], -5f64.sqrt()),
        "n<k even gap keeps the sign"
    );
    assert!(close(au[(2, 2)], -5.0));
    assert!(close(bu[2], 5f64.sqrt()));
    assert!(close(a[(2, 2)], -2.5));
    assert!(close(b[1], 0.5 * 3f64.sqrt()));
}

#[test]
fn lmu_entries_and_relation_to_legt() {
    let n = 7;
    let (a, b) = transition(Measure::Lmu, n).unwrap();
    assert!(close(a[(0, 0)], -1.0));
    assert!(close(a[(1, 0)], 3.0));
    assert!(close(a[(0, 1)], -1.0));
    assert!(close(a[(2, 0)], -5.0));
    assert!(close(a[(1, 1)], -3.0));
    assert!(close(b[1], -3.0));
    assert!(close(b[2], 5.0));
    // LMU = (S D) LegT_unhalved (S D)⁻¹ with S = diag((−1)^n), D = diag(√(2n+1)).
    let (al, bl) = transition(Measure::LegT { halved: false }, n).unwrap();
    let sd = DMatrix::from_fn(n, n, |i, k| {
        if i == k {
            (if i % 2 == 0 { 1.0 } else { -1.0 }) * ((2 * i + 1) as f64).sqrt()
        } else {
            0.0
        }
    });
    let sd_inv = sd.clone().try_inverse().unwrap();
    assert!(common::rel_mat_err(&a, &(&sd * al * sd_inv)) < 1e-13);
    assert!(((&sd * bl) - b).amax() < 1e-12);
}

#[test]
fn lagt_entries() {
    let (a, b) = transition(Measure::LagT { beta: 0.7 }, 4).unwrap();
    assert!(close(a[(0, 0)], -0.5));
    assert!(close(a[(3, 3)], -0.5));
    assert!(close(a[(2, 0)], -1.0));
    assert!(close(a[(3, 2)], -1.0));
    assert_eq!(a[(0, 3)], 0.0);
    assert!(b.iter().all(|&x| close(x, 0.7)));
}

#[test]
fn glagt_entries() {
    // α = 0: A = −(1+β)/2·I − strict tril(1), B = √β.
    let beta = 0.01;
    let (a, b) = transition(Measure::glagt(), 4).unwrap();
    assert!(close(a[(1, 1)], -(1.0 + beta) / 2.0));
    assert!(close(a[(3, 1)], -1.0));
    assert_eq!(a[(1, 3)], 0.0);
    assert!(b.iter().all(|&x| close(x, beta.sqrt())));
    // α = ½, β = 0.25: L_n = √(Γ(n+1.5)/Γ(n+1)), B⁰_n = binom(n + ½, n).
    let (alpha, beta) = (0.5, 0.25);
    let (a, b) = transition(Measure::GLagT { alpha, beta }, 3).unwrap();
    let gamma_1_5 = PI.sqrt() / 2.0; // Γ(3/2)
    let gamma_2_5 = 1.5 * gamma_1_5; // Γ(5/2)
    let l0 = gamma_1_5.sqrt();
    let l1 = gamma_2_5.sqrt();
    let tail = PI.powf(-0.25) * beta.powf(0.25); // Γ(½)^{-½} β^{(1−α)/2}
    assert!(close(b[0], tail / l0), "B0 = {}", b[0]);
    assert!(close(b[1], 1.5 * tail / l1), "B1 = {}", b[1]); // binom(1.5, 1) = 1.5
    assert!(close(a[(1, 0)], -l0 / l1));
    assert!(close(a[(1, 1)], -(1.0 + beta) / 2.0));
    assert!((ln_gamma_abs(2.5) - gamma_2_5.ln()).abs() < 1e-14);
}

#[test]
fn fout_entries() {
    let (a, b) = transition(Measure::FouT, 6).unwrap();
    let s2 = 2f64.sqrt();
    let expected_b = [1.0, 0.0, s2, 0.0, s2, 0.0];
    for i in 0..6 {
        assert!(close(b[i], expected_b[i]));
    }
    assert!(close(a[(2, 3)], -PI));
    assert!(close(a[(3, 2)], PI));
    assert!(close(a[(4, 5)], -2.0 * PI));
    assert!(close(a[(5, 4)], 2.0 * PI));
    assert!(close(a[(0, 0)], -1.0));
    assert!(close(a[(0, 2)], -s2));
    assert!(close(a[(2, 4)], -2.0));
    assert!(close(a[(4, 4)], -2.0));
    for k in 0..6 {
        assert_eq!(a[(1, k)], 0.0);
        assert_eq!(a[(k, 1)], 0.0);
    }
    // A + BBᵀ is skew-symmetric.
    let ap = &a + &b * b.transpose();
    assert!((&ap + ap.transpose()).amax() < 1e-14);
}

#[test]
fn rank_corrections_make_a_skew_plus_identity() {
    let cases = [
        (Measure::LegS, -0.5),
        (Measure::legt(), 0.0),
        (Measure::LegT { halved: false }, 0.0),
        (Measure::lagt(), 0.0),
        (Measure::FouT, 0.0),
    ];
    for (m, c) in cases {
        let n = 10;
        let (a, _) = transition(m, n).unwrap();
        let p = rank_correction(m, n, None).unwrap();
        let ap = &a + p.transpose() * &p;
        let sym = (&ap + ap.transpose()) * 0.5 - DMatrix::<f64>::identity(n, n) * c;
        assert!(
            sym.amax() < 1e-13,
            "{m}: symmetric part off by {}",
            sym.amax()
        );
    }
    let p = rank_correction(Measure::LegS, 4, None).unwrap();
    assert!(close(p[(0, 3)], 3.5f64.sqrt()));
    let p = rank_correction(Measure::legt(), 4, None).unwrap();
    assert_eq!(p[(0, 0)], 0.0);
    assert!(close(p[(0, 1)], (1.5f64).sqrt()));
    assert!(close(p[(1, 2)], (2.5f64).sqrt()));
    assert_eq!(p[(1, 3)], 0.0);
}

#[test]
fn invalid_inputs_are_errors() {
    // The option each bad (measure, N) names.
    let rejected = |m: Measure, n: usize| match transition(m, n) {
        Err(HippoError::InvalidOption { option, .. }) => option,
        other => panic!("{m:?}, N = {n}: expected InvalidOption, got {other:?}"),
    };
    let glagt = |alpha: f64, beta: f64| Measure::GLagT { alpha, beta };
    assert_eq!(rejected(Measure::LegS, 0), "n");
    assert_eq!(rejected(Measure::FouT, 5), "n");
    assert_eq!(rejected(Measure::LagT { beta: f64::NAN }, 4), "beta");
    assert_eq!(rejected(glagt(-1.5, 0.1), 4), "alpha");
    assert_eq!(rejected(glagt(2.0, 0.1), 4), "alpha");
    assert_eq!(rejected(glagt(0.0, 0.0), 4), "beta");
    assert_eq!(rejected(glagt(f64::INFINITY, 0.1), 4), "alpha");
    let msg = transition(Measure::FouT, 5).unwrap_err().to_string();
    assert!(msg.contains("`n`") && msg.contains("even"), "{msg}");
}
