//! Online function approximation (HiPPO §2-3, App. D-E; hippo-code model/hippo.py).

mod common;

use std::f64::consts::PI;

use nalgebra::DVector;
use ssm_hippo::basis::legs_basis;
use ssm_hippo::{
    legs_step, transition, Discretization, HippoError, Measure, OnlineApproximator, OnlineOptions,
};

fn smooth(x: f64) -> f64 {
    (2.0 * PI * x).sin() + 0.5 * (5.0 * x).cos() + 0.3 * x
}

/// Samples of `f` at the cell midpoints (j − ½)·dt, j = 1..=l.
fn samples(f: impl Fn(f64) -> f64, dt: f64, l: usize) -> Vec<f64> {
    (1..=l).map(|j| f((j as f64 - 0.5) * dt)).collect()
}

fn run(m: Measure, n: usize, opts: OnlineOptions, hist: &[f64]) -> OnlineApproximator {
    let mut ap = OnlineApproximator::new(m, n, opts).unwrap();
    ap.extend(hist).unwrap();
    ap
}

fn opts(dt: f64, theta: f64, method: Discretization) -> OnlineOptions {
    OnlineOptions { dt, theta, method }
}

#[test]
fn legs_error_decreases_with_n() {
    let l = 20_000;
    let dt = 1.0 / l as f64;
    let f = |x: f64| (2.0 * PI * x).sin() + 0.5 * (3.0 * x).cos();
    let hist = samples(f, dt, l);
    let mut errs = Vec::new();
    for n in [2, 4, 6, 8] {
        let ap = run(
            Measure::LegS,
            n,
            opts(dt, 1.0, Discretization::Bilinear),
            &hist,
        );
        errs.push(ap.window_error(&hist, None).unwrap().rmse);
    }
    for w in errs.windows(2) {
        assert!(w[1] < 0.6 * w[0], "LegS error must fall with N: {errs:?}");
    }
    assert!(errs[3] < 1e-3, "N=8 error {errs:?}");
    assert!(
        errs[0] > 0.05,
        "N=2 cannot represent a full period: {errs:?}"
    );
}

/// Exact LegS coefficients `c_n(t) = (1/t)∫₀ᵗ f(x) √(2n+1) P_n(2x/t − 1) dx` by Simpson's rule.
fn exact_legs(f: impl Fn(f64) -> f64, n: usize, t: f64) -> Vec<f64> {
    let m = 20_000;
    let h = t / m as f64;
    let mut c = vec![0.0; n];
    for i in 0..=m {
        let x = i as f64 * h;
        let w = if i == 0 || i == m {
            1.0
        } else if i % 2 == 1 {
            4.0
        } else {
            2.0
        };
        let g = legs_basis(n, t, x);
        let fx = f(x);
        for k in 0..n {
            c[k] += w * fx * g[k];
        }
    }
    c.iter().map(|v| v * h / 3.0 / t).collect()
}

#[test]
fn legs_coefficients_converge_to_exact_projection() {
    let n = 12;
    let t = 2.0;
    let exact = exact_legs(smooth, n, t);
    for method in [
        Discretization::Bilinear,
        Discretization::Zoh,
        Discretization::Backward,
        Discretization::Forward,
    ] {
        let mut errs = Vec::new();
        for l in [500, 2000] {
            let dt = t / l as f64;
            let ap = run(
                Measure::LegS,
                n,
                opts(dt, 1.0, method),
                &samples(smooth, dt, l),
            );
            let c: Vec<f64> = ap.coefficients().iter().copied().collect();
            errs.push(common::max_abs_diff(&c, &exact));
        }
        // First order in 1/L (the steps use A/k as hippo-code does).
        assert!(errs[1] < 6e-3, "{method}: {errs:?}");
        let ratio = errs[0] / errs[1];
        assert!(
            (3.5..4.5).contains(&ratio),
            "{method}: ratio {ratio} from {errs:?}"
        );
    }
}

#[test]
fn structured_legs_step_equals_dense_per_step_matrices() {
    let n = 12;
    let (a, b) = transition(Measure::LegS, n).unwrap();
    let hist = samples(smooth, 1e-2, 300);
    for method in common::RULES {
        let ap = run(Measure::LegS, n, opts(1e-2, 1.0, method), &hist);
        let mut c = DVector::<f64>::zeros(n);
        for (j, &f) in hist.iter().enumerate() {
            let (ab, bb) = legs_step(&a, &b, j + 1, method).unwrap();
            c = &ab * &c + bb * f;
        }
        let err = (ap.coefficients() - &c).amax() / c.amax();
        assert!(err < 1e-12, "{method}: {err:e}");
    }
}

#[test]
fn legs_is_timescale_invariant() {
    // dt only rescales the time axis: coefficients do not depend on it.
    let hist = samples(smooth, 1e-3, 500);
    let a = run(
        Measure::LegS,
        8,
        opts(1e-3, 1.0, Discretization::Bilinear),
        &hist,
    );
    let b = run(
        Measure::LegS,
        8,
        opts(7.0, 1.0, Discretization::Bilinear),
        &hist,
    );
    assert_eq!(a.coefficients(), b.coefficients());
    assert!((b.time() - 3500.0).abs() < 1e-9);
    let x = 0.25 * a.time();
    let va = a.evaluate(x).unwrap();
    let vb = b.evaluate(x / 1e-3 * 7.0).unwrap();
    assert!((va - vb).abs() < 1e-12);
}

#[test]
fn legt_reconstructs_the_sliding_window() {
    let dt = 2e-3;
    let l = 2000;
    let hist = samples(smooth, dt, l);
    let mut errs = Vec::new();
    for n in [2, 4, 8, 16] {
        let ap = run(
            Measure::legt(),
            n,
            opts(dt, 1.0, Discretization::Bilinear),
            &hist,
        );
        let (lo, hi) = ap.support();
        assert!((hi - 4.0).abs() < 1e-12 && (lo - 3.0).abs() < 1e-12);
        errs.push(ap.window_error(&hist, None).unwrap().rmse);
    }
    for w in errs.windows(2) {
        assert!(w[1] < 0.6 * w[0], "LegT error must fall with N: {errs:?}");
    }
    assert!(errs[2] < 1e-3 && errs[3] < 1e-4, "{errs:?}");
}

#[test]
fn legt_conventions_agree_and_lmu_is_a_rescaled_legt() {
    let dt = 2e-3;
    let hist = samples(smooth, dt, 1500);
    let o = opts(dt, 0.8, Discretization::Bilinear);
    let half = run(Measure::legt(), 10, o, &hist);
    let full = run(Measure::LegT { halved: false }, 10, o, &hist);
    let lmu = run(Measure::Lmu, 10, o, &hist);
    let scale = half.coefficients().amax();
    assert!((half.coefficients() - full.coefficients()).amax() < 1e-10 * scale);
    // m_n = (−1)^n √(2n+1) c_n.
    for i in 0..10 {
        let s = if i % 2 == 0 { 1.0 } else { -1.0 };
        let want = s * ((2 * i + 1) as f64).sqrt() * half.coefficients()[i];
        assert!(
            (lmu.coefficients()[i] - want).abs() < 1e-9 * scale,
            "index {i}"
        );
    }
    let t = half.time();
    let xs: Vec<f64> = (0..20).map(|i| t - 0.8 * i as f64 / 19.0).collect();
    let a = half.reconstruct(&xs).unwrap();
    let b = lmu.reconstruct(&xs).unwrap();
    assert!(common::max_abs_diff(&a, &b) < 1e-9);
}

#[test]
fn fout_reconstructs_a_window_periodic_signal() {
    // Period = θ: the window holds exactly frequencies 1 and 2.
    let theta = 0.5;
    let f = |x: f64| (2.0 * PI * x / theta).sin() + 0.5 * (4.0 * PI * x / theta + 0.4).cos() + 0.2;
    let dt = 1e-3;
    let hist = samples(f, dt, 3000);
    let err = |n: usize| {
        let ap = run(
            Measure::FouT,
            n,
            opts(dt, theta, Discretization::Bilinear),
            &hist,
        );
        ap.window_error(&hist, None).unwrap().rmse
    };
    let (e2, e4, e6, e10) = (err(2), err(4), err(6), err(10));
    assert!(
        e2 > 0.3 && e4 > 0.2,
        "missing frequencies must show: {e2} {e4}"
    );
    assert!(
        e6 < 1e-3 && e10 < 1e-3,
        "frequencies 0..2 suffice: {e6} {e10}"
    );
}

fn onset(x: f64) -> f64 {
    (1.0 - (-(x / 0.5).powi(4)).exp()) * smooth(x)
}

#[test]
fn lagt_error_decreases_with_n() {
    let dt = 2e-3;
    let hist = samples(onset, dt, 2000);
    let errs: Vec<f64> = [16, 32, 64]
        .iter()
        .map(|&n| {
            let ap = run(
                Measure::lagt(),
                n,
                opts(dt, 0.1, Discretization::Bilinear),
                &hist,
            );
            ap.window_error(&hist, Some(1.0)).unwrap().rmse
        })
        .collect();
    assert!(
        errs[1] < 0.5 * errs[0] && errs[2] < 0.5 * errs[1],
        "{errs:?}"
    );
    assert!(errs[2] < 2e-2, "{errs:?}");
    // β only scales the state: reconstructions are identical.
    let a = run(
        Measure::LagT { beta: 1.0 },
        16,
        opts(dt, 0.1, Discretization::Zoh),
        &hist,
    );
    let b = run(
        Measure::LagT { beta: 3.0 },
        16,
        opts(dt, 0.1, Discretization::Zoh),
        &hist,
    );
    assert!((b.coefficients() - a.coefficients() * 3.0).amax() < 1e-10);
    let t = a.time();
    assert!((a.evaluate(t - 0.3).unwrap() - b.evaluate(t - 0.3).unwrap()).abs() < 1e-12);
}

#[test]
fn lti_measures_use_precomputed_pairs() {
    let ap = OnlineApproximator::new(Measure::legt(), 8, OnlineOptions::default()).unwrap();
    assert!(ap.discrete_pair().is_some());
    let ap = OnlineApproximator::new(Measure::LegS, 8, OnlineOptions::default()).unwrap();
    assert!(ap.discrete_pair().is_none());
}

#[test]
fn reset_and_accessors() {
    let mut ap =
        OnlineApproximator::new(Measure::LegS, 6, opts(0.5, 1.0, Discretization::Bilinear))
            .unwrap();
    ap.extend(&[1.0, 2.0, 3.0]).unwrap();
    assert_eq!(ap.steps(), 3);
    assert!((ap.time() - 1.5).abs() < 1e-15);
    assert_eq!(ap.support(), (0.0, 1.5));
    ap.reset();
    assert_eq!(ap.steps(), 0);
    assert_eq!(ap.coefficients().amax(), 0.0);
    // A constant input f is the fixed point c = f·e₀ of the LegT dynamics
    // (A e₀ = −B); every GBT rule keeps fixed points, so the state converges to it.
    for method in [
        Discretization::Bilinear,
        Discretization::Backward,
        Discretization::Zoh,
    ] {
        let mut ap = OnlineApproximator::new(Measure::legt(), 6, opts(1e-3, 0.1, method)).unwrap();
        ap.extend(&[2.5; 4000]).unwrap();
        assert!(
            (ap.coefficients()[0] - 2.5).abs() < 1e-9,
            "{method}: {}",
            ap.coefficients()
        );
        assert!(ap.coefficients().rows(1, 5).amax() < 1e-9, "{method}");
        assert!((ap.evaluate(ap.time() - 0.05).unwrap() - 2.5).abs() < 1e-9);
    }
}

fn option_of(r: Result<OnlineApproximator, HippoError>) -> String {
    match r {
        Err(HippoError::InvalidOption { option, .. }) => option.to_string(),
        Err(HippoError::Unsupported { measure, .. }) => format!("unsupported:{measure}"),
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn invalid_options_are_errors() {
    let o = OnlineOptions::default();
    assert_eq!(option_of(OnlineApproximator::new(Measure::LegS, 0, o)), "n");
    assert_eq!(option_of(OnlineApproximator::new(Measure::FouT, 7, o)), "n");
    assert_eq!(
        option_of(OnlineApproximator::new(
            Measure::LegS,
            4,
            OnlineOptions { dt: 0.0, ..o }
        )),
        "dt"
    );
    assert_eq!(
        option_of(OnlineApproximator::new(
            Measure::LegS,
            4,
            OnlineOptions { dt: -1.0, ..o }
        )),
        "dt"
    );
    assert_eq!(
        option_of(OnlineApproximator::new(
            Measure::legt(),
            4,
            OnlineOptions { dt: f64::NAN, ..o }
        )),
        "dt"
    );
    assert_eq!(
        option_of(OnlineApproximator::new(
            Measure::legt(),
            4,
            OnlineOptions {
                theta: f64::INFINITY,
                ..o
            }
        )),
        "theta"
    );
    assert_eq!(
        option_of(OnlineApproximator::new(
            Measure::legt(),
            4,
            OnlineOptions { theta: -2.0, ..o }
        )),
        "theta"
    );
    assert_eq!(
        option_of(OnlineApproximator::new(
            Measure::legt(),
            4,
            OnlineOptions {
                method: Discretization::Gbt { alpha: -0.1 },
                ..o
            }
        )),
        "alpha"
    );
    assert_eq!(
        option_of(OnlineApproximator::new(Measure::LagT { beta: 0.0 }, 4, o)),
        "beta"
    );
    assert_eq!(
        option_of(OnlineApproximator::new(Measure::glagt(), 4, o)),
        "unsupported:glagt"
    );
    let msg = OnlineApproximator::new(Measure::LegS, 4, OnlineOptions { dt: -1.0, ..o })
        .unwrap_err()
        .to_string();
    assert!(msg.contains("`dt`") && msg.contains("-1"), "{msg}");
}

#[test]
fn invalid_samples_and_times_are_errors() {
    let mut ap = OnlineApproximator::new(
        Measure::legt(),
        6,
        opts(0.01, 0.5, Discretization::Bilinear),
    )
    .unwrap();
    match ap.evaluate(0.0) {
        Err(HippoError::InvalidOption { option, .. }) => assert_eq!(option, "x"),
        other => panic!("{other:?}"),
    }
    ap.extend(&[0.1; 100]).unwrap();
    let before = ap.coefficients().clone();
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        match ap.update(bad) {
            Err(HippoError::InvalidOption { option, .. }) => assert_eq!(option, "f"),
            other => panic!("{other:?}"),
        }
    }
    assert!(ap.extend(&[1.0, f64::NAN]).is_err());
    assert_eq!(ap.steps(), 100, "rejected samples leave the state alone");
    assert_eq!(ap.coefficients(), &before);
    // Outside the window [0.5, 1.0].
    for x in [0.2, 1.5, f64::NAN] {
        match ap.evaluate(x) {
            Err(HippoError::InvalidOption { option, .. }) => assert_eq!(option, "x"),
            other => panic!("x = {x}: {other:?}"),
        }
    }
    assert!(ap.evaluate(0.75).is_ok());
    match ap.window_error(&[0.0; 3], None) {
        Err(HippoError::Shape { option, .. }) => assert_eq!(option, "history"),
        other => panic!("{other:?}"),
    }
    match ap.window_error(&[0.1; 100], Some(-1.0)) {
        Err(HippoError::InvalidOption { option, .. }) => assert_eq!(option, "span"),
        other => panic!("{other:?}"),
    }
}
