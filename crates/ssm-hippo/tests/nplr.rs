//! NPLR / DPLR decomposition checks (S4 Thm 1; s4 hippo.py:203-280).

mod common;

use nalgebra::DMatrix;
use num_complex::Complex64;
use ssm_hippo::{nplr, nplr_with_rank, transition, HippoError, Measure};

const MEASURES: [Measure; 5] = [
    Measure::LegS,
    Measure::LegT { halved: true },
    Measure::LegT { halved: false },
    Measure::LagT { beta: 1.0 },
    Measure::FouT,
];

#[test]
fn legs_real_parts_are_minus_half() {
    for n in [2, 4, 8, 16, 64, 128] {
        let d = nplr(Measure::LegS, n).unwrap();
        assert_eq!(d.lambda.len(), n / 2);
        for z in d.lambda.iter() {
            assert!((z.re + 0.5).abs() < 1e-12, "N={n}: Re Λ = {}", z.re);
            assert!(z.im < 0.0, "kept half must have Im < 0, got {}", z.im);
        }
    }
}

#[test]
fn other_measures_real_parts() {
    // A + PᵀP is purely skew for LegT, LagT and FouT: Re Λ = 0.
    for m in [
        Measure::legt(),
        Measure::LegT { halved: false },
        Measure::lagt(),
        Measure::FouT,
    ] {
        let d = nplr(m, 16).unwrap();
        for z in d.lambda.iter() {
            assert!(z.re.abs() < 1e-12, "{m}: Re Λ = {}", z.re);
        }
    }
}

#[test]
fn imaginary_parts_sorted_ascending() {
    for m in MEASURES {
        let d = nplr(m, 32).unwrap();
        for w in d.lambda.as_slice().windows(2) {
            assert!(w[0].im <= w[1].im + 1e-12, "{m}: not sorted");
        }
    }
}

#[test]
fn rebuilds_a_and_b_over_all_modes() {
    for m in MEASURES {
        for n in [2, 4, 6, 8, 16, 32, 64, 128] {
            let d = nplr(m, n).unwrap();
            let (a, b) = transition(m, n).unwrap();
            let full = d.rebuild_a_complex();
            let im = full.map(|z| z.im).amax();
            let re_err = common::rel_mat_err(&full.map(|z| z.re), &a);
            assert!(re_err < 1e-10, "{m} N={n}: relative error {re_err:e}");
            assert!(im < 1e-10 * a.amax(), "{m} N={n}: imaginary residue {im:e}");
            assert!(d.reconstruction_error() < 1e-10);
            let b_err = (d.rebuild_b() - &b).amax() / b.amax();
            assert!(b_err < 1e-10, "{m} N={n}: B relative error {b_err:e}");
        }
    }
}

#[test]
fn basis_is_unitary_and_diagonalizes_the_normal_part() {
    for m in MEASURES {
        let n = 24;
        let d = nplr(m, n).unwrap();
        let w = d.full_basis();
        let gram = w.adjoint() * &w;
        let eye = DMatrix::<Complex64>::identity(n, n);
        let err = (gram - eye).iter().fold(0.0f64, |acc, z| acc.max(z.norm()));
        assert!(err < 1e-10, "{m}: W*W − I = {err:e}");
        // V*·A·V = Λ − P̃P̃* (the DPLR matrix), computed independently from A.
        let (a, _) = transition(m, n).unwrap();
        let ac = a.map(|x| Complex64::new(x, 0.0));
        let proj = d.v.adjoint() * ac * &d.v;
        let dplr = d.dplr_matrix();
        let err = (proj - dplr)
            .iter()
            .fold(0.0f64, |acc, z| acc.max(z.norm()));
        assert!(err < 1e-10 * a.amax(), "{m}: V*AV vs Λ − PP*: {err:e}");
    }
}

#[test]
fn p_and_b_are_projections() {
    let d = nplr(Measure::LegS, 16).unwrap();
    assert_eq!(d.rank(), 1);
    assert_eq!(d.p.shape(), (1, 8));
    assert_eq!(d.v.shape(), (16, 8));
    // P̃ = V*P with P_n = √(n + ½); B = √2·P for LegS, so B̃ = √2 P̃.
    for j in 0..8 {
        let ratio = d.b[j] / d.p[(0, j)];
        assert!((ratio - Complex64::new(2f64.sqrt(), 0.0)).norm() < 1e-10);
    }
    let legt = nplr(Measure::legt(), 16).unwrap();
    assert_eq!(legt.rank(), 2);
}

#[test]
fn fourier_zero_mode_is_paired() {
    let d = nplr(Measure::FouT, 8).unwrap();
    let last = d.lambda[3];
    assert!(last.norm() < 1e-12, "zero eigenvalue kept last, got {last}");
    // Its eigenvector lies in span(e0, e1) and is orthogonal to its conjugate.
    let v = d.v.column(3);
    let self_dot: Complex64 = v.iter().map(|z| z * z).sum();
    assert!(self_dot.norm() < 1e-12);
    for r in 2..8 {
        assert!(v[r].norm() < 1e-12);
    }
}

#[test]
fn padded_rank_and_errors() {
    let d = nplr_with_rank(Measure::LegS, 8, Some(3)).unwrap();
    assert_eq!(d.rank(), 3);
    assert!(d.reconstruction_error() < 1e-10);
    match nplr_with_rank(Measure::legt(), 8, Some(1)) {
        Err(HippoError::InvalidOption { option, .. }) => assert_eq!(option, "rank"),
        other => panic!("expected rank error, got {other:?}"),
    }
    for n in [1, 3, 7] {
        match nplr(Measure::LegS, n) {
            Err(HippoError::InvalidOption { option, reason }) => {
                assert_eq!(option, "n");
                assert!(reason.contains("even"), "{reason}");
            }
            other => panic!("expected odd-N error, got {other:?}"),
        }
    }
    match nplr(Measure::LegS, 0) {
        Err(HippoError::InvalidOption { option, .. }) => assert_eq!(option, "n"),
        other => panic!("expected n = 0 error, got {other:?}"),
    }
    for m in [Measure::Lmu, Measure::glagt()] {
        match nplr(m, 8) {
            Err(HippoError::NoNplr { measure, .. }) => assert_eq!(measure, m.name()),
            other => panic!("expected NoNplr for {m}, got {other:?}"),
        }
        let msg = nplr(m, 8).unwrap_err().to_string();
        assert!(msg.contains(m.name()) && msg.contains("no NPLR"), "{msg}");
    }
}

#[test]
fn clipping_b() {
    let d = nplr(Measure::LegS, 64).unwrap();
    let c = d.b_clipped_imag(2.0).unwrap();
    assert!(c.iter().all(|z| z.im.abs() <= 2.0));
    assert!(d.b_clipped_imag(-1.0).is_err());
}
