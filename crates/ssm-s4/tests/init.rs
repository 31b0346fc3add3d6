//! Closed forms of the S4D initialisations and the Δ initialisation.

mod common;

use std::f64::consts::PI;

use common::rng;
use ssm_hippo::{nplr, Measure};
use ssm_s4::{complex_normal, init_dt, DiagInit};

#[test]
fn s4d_lin_closed_form() {
    let lam = DiagInit::Lin.lambda(64).unwrap();
    assert_eq!(lam.len(), 32);
    for (n, z) in lam.iter().enumerate() {
        assert_eq!(z.re, -0.5);
        assert!((-z.im - PI * n as f64).abs() <= 1e-12, "n={n}");
    }
}

#[test]
fn s4d_inv_closed_form() {
    let big_n = 64.0;
    let lam = DiagInit::Inv.lambda(64).unwrap();
    for (n, z) in lam.iter().enumerate() {
        let want = big_n / PI * (big_n / (2 * n + 1) as f64 - 1.0);
        assert_eq!(z.re, -0.5);
        assert!((-z.im - want).abs() <= 1e-12 * want.abs().max(1.0), "n={n}");
    }
    // n = 0 gives (N/π)(N − 1).
    assert!((-lam[0].im - big_n * (big_n - 1.0) / PI).abs() < 1e-9);
}

#[test]
fn s4d_real_closed_form() {
    let lam = DiagInit::Real.lambda(10).unwrap();
    let want: Vec<f64> = (1..=5).map(|x| -(x as f64)).collect();
    assert_eq!(lam.iter().map(|z| z.re).collect::<Vec<_>>(), want);
    assert!(lam.iter().all(|z| z.im == 0.0));
}

#[test]
fn s4d_legs_is_the_nplr_diagonal() {
    let lam = DiagInit::LegS.lambda(32).unwrap();
    let d = nplr(Measure::LegS, 32).unwrap();
    assert_eq!(lam.len(), 16);
    for (a, b) in lam.iter().zip(d.lambda.iter()) {
        assert_eq!(a, b);
        assert!((a.re + 0.5).abs() <= 1e-12);
        assert!(a.im <= 0.0);
    }
    let b = DiagInit::legs_b(32).unwrap();
    assert!((b[0] - d.b[0] * 0.5).norm() < 1e-15);
}

#[test]
fn inits_reject_odd_n_and_parse_names() {
    for init in [DiagInit::Lin, DiagInit::Inv, DiagInit::Real, DiagInit::LegS] {
        let e = init.lambda(7).unwrap_err().to_string();
        assert!(e.contains("--n"), "{e}");
        assert_eq!(init.name().parse::<DiagInit>().unwrap(), init);
    }
    assert_eq!("S4D-Inv".parse::<DiagInit>().unwrap(), DiagInit::Inv);
    let e = "quadratic".parse::<DiagInit>().unwrap_err().to_string();
    assert!(e.contains("--init"), "{e}");
}

#[test]
fn dt_is_log_uniform_in_range() {
    let mut r = rng(3);
    let dts = init_dt(20000, 1e-3, 1e-1, &mut r).unwrap();
    assert!(dts.iter().all(|&d| (1e-3..=1e-1).contains(&d)));
    // log Δ uniform on [ln 1e-3, ln 1e-1]: mean ln 1e-2, fraction below 1e-2 is ½.
    let mean_log = dts.iter().map(|d| d.ln()).sum::<f64>() / dts.len() as f64;
    assert!((mean_log - 1e-2f64.ln()).abs() < 0.03, "{mean_log}");
    let below = dts.iter().filter(|&&d| d < 1e-2).count() as f64 / dts.len() as f64;
    assert!((below - 0.5).abs() < 0.02, "{below}");
    // Deterministic per seed.
    assert_eq!(
        init_dt(5, 1e-3, 1e-1, &mut rng(9)).unwrap(),
        init_dt(5, 1e-3, 1e-1, &mut rng(9)).unwrap()
    );
    assert!(init_dt(3, 0.0, 1e-1, &mut r).is_err());
    assert!(init_dt(3, 1e-1, 1e-3, &mut r).is_err());
}

#[test]
fn complex_normal_has_unit_variance() {
    let mut r = rng(4);
    let c = complex_normal(40000, &mut r);
    let var = c.iter().map(|z| z.norm_sqr()).sum::<f64>() / c.len() as f64;
    let mean = c.iter().sum::<num_complex::Complex64>() / c.len() as f64;
    assert!((var - 1.0).abs() < 0.03, "{var}");
    assert!(mean.norm() < 0.02);
    let re_var = c.iter().map(|z| z.re * z.re).sum::<f64>() / c.len() as f64;
    assert!((re_var - 0.5).abs() < 0.02);
}
