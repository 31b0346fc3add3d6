//! S4D (ZOH and bilinear) and DSS kernels against their naive twins, their
//! recurrences and the dense realified systems.

mod common;

use common::{rand_c, rand_stable_lambda, rel_err, rng};
use num_complex::Complex64;
use ssm_hippo::Discretization;
use ssm_s4::functional::{log_vandermonde, log_vandermonde_naive};
use ssm_s4::{DiagInit, DiagKernel, DiagStep, DssKernel, Recurrence};

const INITS: [DiagInit; 4] = [DiagInit::Lin, DiagInit::Inv, DiagInit::Real, DiagInit::LegS];

/// Impulse response of the recurrence: y_k for u = δ.
fn impulse(step: &DiagStep, l: usize) -> Vec<f64> {
    let mut s = step.zero_state();
    let mut u = vec![0.0; l];
    u[0] = 1.0;
    step.step_many(&mut s, &u).unwrap()
}

fn check_diag(k: &DiagKernel, l: usize, what: &str) {
    let fast = k.kernel(l).unwrap();
    let naive = k.kernel_naive(l).unwrap();
    let rec = impulse(&DiagStep::new(k, 0.0).unwrap(), l);
    let dense = k.to_dense().unwrap().kernel_naive(l).unwrap();
    assert!(
        rel_err(&fast, &naive) <= 1e-12,
        "{what} L={l}: fast vs naive {:.3e}",
        rel_err(&fast, &naive)
    );
    assert!(
        rel_err(&fast, &rec) <= 1e-11,
        "{what} L={l}: vs recurrence {:.3e}",
        rel_err(&fast, &rec)
    );
    assert!(
        rel_err(&fast, &dense) <= 1e-10,
        "{what} L={l}: vs dense {:.3e}",
        rel_err(&fast, &dense)
    );
}

#[test]
fn s4d_zoh_matches_recurrence_and_dense() {
    let mut r = rng(1);
    for init in INITS {
        for (n, dt) in [(16usize, 0.1), (64, 0.01)] {
            let lambda = init.lambda(n).unwrap();
            let h = lambda.len();
            let k = DiagKernel::new(
                lambda,
                rand_c(&mut r, h),
                rand_c(&mut r, h),
                dt,
                Discretization::Zoh,
                true,
            )
            .unwrap();
            for l in [1usize, 7, 1000] {
                check_diag(&k, l, &format!("zoh {init} N={n}"));
            }
        }
    }
}

#[test]
fn s4d_bilinear_matches_recurrence_and_dense() {
    let mut r = rng(2);
    for init in INITS {
        let lambda = init.lambda(32).unwrap();
        let h = lambda.len();
        let k = DiagKernel::new(
            lambda,
            rand_c(&mut r, h),
            rand_c(&mut r, h),
            0.05,
            Discretization::Bilinear,
            true,
        )
        .unwrap();
        for l in [1usize, 7, 1000] {
            check_diag(&k, l, &format!("bilinear {init}"));
        }
    }
}

/// Random stable modes, without conjugate pairs (kernel = Re Σ) and with other rules.
#[test]
fn s4d_random_modes_other_rules() {
    let mut r = rng(3);
    let lambda = rand_stable_lambda(&mut r, 10);
    for disc in [
        Discretization::Zoh,
        Discretization::Bilinear,
        Discretization::Backward,
    ] {
        for conj in [true, false] {
            let k = DiagKernel::new(
                lambda.clone(),
                rand_c(&mut r, 10),
                rand_c(&mut r, 10),
                0.07,
                disc,
                conj,
            )
            .unwrap();
            check_diag(&k, 513, &format!("{disc} conj={conj}"));
        }
    }
}

/// The ZOH kernel of Λ = 0 (an integrator) is C·B·Δ for every lag.
#[test]
fn s4d_zoh_integrator_mode() {
    let k = DiagKernel::new(
        vec![Complex64::new(0.0, 0.0)],
        vec![Complex64::new(1.0, 0.0)],
        vec![Complex64::new(0.5, 0.0)],
        0.2,
        Discretization::Zoh,
        true,
    )
    .unwrap();
    let kk = k.kernel(5).unwrap();
    for x in kk {
        assert!((x - 0.2).abs() <= 1e-15);
    }
}

/// The S4D-Lin ZOH kernel with B = C = 1 in closed form:
/// K_ℓ = 2 Re Σ_n (e^{Δλ_n} − 1)/λ_n · e^{ℓΔλ_n}.
#[test]
fn s4d_lin_closed_form() {
    let n = 8;
    let dt = 0.3;
    let k = DiagKernel::from_init(DiagInit::Lin, n, dt, Discretization::Zoh).unwrap();
    let kk = k.kernel(20).unwrap();
    for (ell, &x) in kk.iter().enumerate() {
        let mut s = 0.0;
        for m in 0..n / 2 {
            let lam = Complex64::new(-0.5, -std::f64::consts::PI * m as f64);
            let z = lam * dt;
            s += 2.0 * ((z.exp() - 1.0) / lam * (z * ell as f64).exp()).re;
        }
        assert!(
            (x - s).abs() <= 1e-13 * (1.0 + s.abs()),
            "ell={ell}: {x} vs {s}"
        );
    }
}

#[test]
fn vandermonde_blocked_matches_naive_many_lengths() {
    let mut r = rng(4);
    let coef = rand_c(&mut r, 17);
    let log_a: Vec<Complex64> = rand_stable_lambda(&mut r, 17)
        .into_iter()
        .map(|z| z * 0.01)
        .collect();
    for l in [1usize, 2, 5, 63, 64, 65, 1000, 4097] {
        let a = log_vandermonde(&coef, &log_a, l);
        let b = log_vandermonde_naive(&coef, &log_a, l);
        assert!(rel_err(&a, &b) <= 1e-12, "L={l}");
    }
}

/// DSS fast (geometric-series normalisation, Vandermonde) against the definition
/// (explicit softmax over ℓ with the row maximum subtracted), including growing
/// modes (Re Λ > 0).
#[test]
fn dss_matches_softmax_definition() {
    let mut r = rng(5);
    for init in [DiagInit::LegS, DiagInit::Lin, DiagInit::Inv] {
        let lambda = init.lambda(16).unwrap();
        let k = DssKernel::new(lambda.clone(), rand_c(&mut r, 8), 0.05, true).unwrap();
        for l in [1usize, 7, 64, 300] {
            let a = k.kernel(l).unwrap();
            let b = k.kernel_naive(l).unwrap();
            assert!(
                rel_err(&a, &b) <= 1e-11,
                "{init} L={l}: {:.3e}",
                rel_err(&a, &b)
            );
        }
    }
    // Mixed signs of Re Λ, no conjugate pairs.
    let lambda = vec![
        Complex64::new(0.8, 3.0),
        Complex64::new(-0.4, -1.0),
        Complex64::new(2.5, 0.0),
        Complex64::new(-3.0, 10.0),
    ];
    let k = DssKernel::new(lambda, rand_c(&mut r, 4), 0.1, false).unwrap();
    for l in [1usize, 7, 64, 500] {
        let a = k.kernel(l).unwrap();
        let b = k.kernel_naive(l).unwrap();
        assert!(a.iter().all(|x| x.is_finite()));
        assert!(
            rel_err(&a, &b) <= 1e-11,
            "mixed L={l}: {:.3e}",
            rel_err(&a, &b)
        );
    }
}

/// A large positive Re ΔΛ·L would overflow e^{ℓΔλ}; the reversed Vandermonde keeps
/// the kernel finite and equal to the shifted softmax.
#[test]
fn dss_growing_mode_does_not_overflow() {
    let k = DssKernel::new(
        vec![Complex64::new(50.0, 1.0)],
        vec![Complex64::new(1.0, 0.0)],
        1.0,
        true,
    )
    .unwrap();
    let a = k.kernel(40).unwrap();
    let b = k.kernel_naive(40).unwrap();
    assert!(a.iter().all(|x| x.is_finite()));
    assert!(rel_err(&a, &b) <= 1e-12);
}

/// DSS is a diagonal SSM with L-dependent B̄: kernel = impulse response of that
/// recurrence = its dense ZOH system.
#[test]
fn dss_equals_its_recurrence() {
    let mut r = rng(6);
    let lambda = DiagInit::LegS.lambda(16).unwrap();
    let k = DssKernel::new(lambda, rand_c(&mut r, 8), 0.02, true).unwrap();
    let l = 256;
    let a = k.kernel(l).unwrap();
    let rec = impulse(&DiagStep::from_dss(&k, l, 0.0).unwrap(), l);
    let dense = k
        .to_diag(l)
        .unwrap()
        .to_dense()
        .unwrap()
        .kernel_naive(l)
        .unwrap();
    assert!(rel_err(&rec, &a) <= 1e-11);
    assert!(rel_err(&dense, &a) <= 1e-10);
}

#[test]
fn diag_invalid_parameters_are_errors() {
    let one = vec![Complex64::new(1.0, 0.0)];
    let lam = vec![Complex64::new(-0.5, 1.0)];
    let e = DiagKernel::new(
        lam.clone(),
        one.clone(),
        one.clone(),
        -1.0,
        Discretization::Zoh,
        true,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("--dt"), "{e}");
    assert!(DiagKernel::new(
        lam.clone(),
        vec![],
        one.clone(),
        0.1,
        Discretization::Zoh,
        true
    )
    .is_err());
    let e = DssKernel::new(vec![Complex64::new(0.0, 0.0)], one.clone(), 0.1, true).unwrap_err();
    assert!(e.to_string().contains("lambda"));
    // Λ purely imaginary with LΔ·Im λ = 2π: the softmax normaliser vanishes.
    let dss = DssKernel::new(
        vec![Complex64::new(0.0, std::f64::consts::PI)],
        one,
        0.5,
        true,
    )
    .unwrap();
    assert!(dss.kernel(4).is_err());
}
