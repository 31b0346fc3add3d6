//! Recurrent steps against the convolution: `step_many` over a sequence (split into
//! several multi-token chunks) from an initial state equals
//! `K ∗ u + D u + state_kernel(s0)` within 1e-10 (f64).

mod common;

use common::{add, rand_c, rand_u, rel_err, rng};
use ssm_hippo::{causal_conv_fft, Discretization, Measure};
use ssm_s4::{
    DenseKernel, DenseStep, DiagInit, DiagKernel, DiagStep, DplrKernel, DplrStep, DssKernel, Recurrence,
};

const L: usize = 600;
const CHUNKS: [usize; 4] = [1, 99, 200, 300];

fn run_chunks<S>(
    state: &mut S,
    u: &[f64],
    mut f: impl FnMut(&mut S, &[f64]) -> Vec<f64>,
) -> Vec<f64> {
    let mut out = Vec::new();
    let mut start = 0;
    for &c in &CHUNKS {
        out.extend(f(state, &u[start..start + c]));
        start += c;
    }
    assert_eq!(start, u.len());
    out
}

#[test]
fn dplr_step_equals_convolution() {
    let mut r = rng(21);
    for (measure, n, dt) in [
        (Measure::LegS, 64usize, 0.01),
        (Measure::legt(), 32, 0.03),
        (Measure::FouT, 32, 1.0 / 600.0),
        (Measure::LegS, 16, 0.5),
    ] {
        let k = DplrKernel::from_hippo(measure, n, dt).unwrap();
        let d = 0.7;
        let u = rand_u(&mut r, L);
        let s0 = rand_c(&mut r, n / 2);
        let step = DplrStep::new(&k, d).unwrap();

        // From zero.
        let mut s = step.zero_state();
        let y_rec = run_chunks(&mut s, &u, |s, c| step.step_many(s, c).unwrap());
        let kern = k.kernel(L).unwrap();
        let y_conv = causal_conv_fft(&u, &kern, d).unwrap();
        let e0 = rel_err(&y_rec, &y_conv);
        assert!(e0 <= 1e-10, "{} zero state: {e0:.3e}", measure.name());

        // From s0.
        let mut s = s0.clone();
        let y_rec = run_chunks(&mut s, &u, |s, c| step.step_many(s, c).unwrap());
        let y_conv = add(&y_conv, &k.state_kernel(&s0, L).unwrap());
        let e1 = rel_err(&y_rec, &y_conv);
        assert!(e1 <= 1e-10, "{} initial state: {e1:.3e}", measure.name());
    }
}

/// The O(N) DPLR step is the bilinear step of the dense real system.
#[test]
fn dplr_step_equals_dense_step() {
    let mut r = rng(22);
    let k = DplrKernel::from_hippo(Measure::LegS, 16, 0.05).unwrap();
    let sd = DplrStep::new(&k, 0.0).unwrap();
    let dense = DenseStep::new(&k.to_dense().unwrap(), 0.0).unwrap();
    let s0 = rand_c(&mut r, 8);
    let mut s = s0.clone();
    let mut x: Vec<f64> = s0
        .iter()
        .map(|z| z.re)
        .chain(s0.iter().map(|z| z.im))
        .collect();
    let u = rand_u(&mut r, 50);
    let a = sd.step_many(&mut s, &u).unwrap();
    let b = dense.step_many(&mut x, &u).unwrap();
    assert!(rel_err(&a, &b) <= 1e-12);
    let xs: Vec<f64> = s
        .iter()
        .map(|z| z.re)
        .chain(s.iter().map(|z| z.im))
        .collect();
    assert!(rel_err(&xs, &x) <= 1e-12);
}

#[test]
fn diag_step_equals_convolution() {
    let mut r = rng(23);
    for init in [DiagInit::Lin, DiagInit::Inv, DiagInit::Real, DiagInit::LegS] {
        for disc in [Discretization::Zoh, Discretization::Bilinear] {
            let lambda = init.lambda(32).unwrap();
            let k = DiagKernel::new(
                lambda,
                rand_c(&mut r, 16),
                rand_c(&mut r, 16),
                0.02,
                disc,
                true,
            )
            .unwrap();
            let d = -0.3;
            let step = DiagStep::new(&k, d).unwrap();
            let u = rand_u(&mut r, L);
            let s0 = rand_c(&mut r, 16);
            let mut s = s0.clone();
            let y_rec = run_chunks(&mut s, &u, |s, c| step.step_many(s, c).unwrap());
            let y_conv = add(
                &causal_conv_fft(&u, &k.kernel(L).unwrap(), d).unwrap(),
                &k.state_kernel(&s0, L).unwrap(),
            );
            let e = rel_err(&y_rec, &y_conv);
            assert!(e <= 1e-10, "{init} {disc}: {e:.3e}");
        }
    }
}

#[test]
fn dss_step_equals_convolution() {
    let mut r = rng(24);
    let k = DssKernel::new(
        DiagInit::LegS.lambda(32).unwrap(),
        rand_c(&mut r, 16),
        0.01,
        true,
    )
    .unwrap();
    let step = DiagStep::from_dss(&k, L, 0.4).unwrap();
    let u = rand_u(&mut r, L);
    let mut s = step.zero_state();
    let y_rec = run_chunks(&mut s, &u, |s, c| step.step_many(s, c).unwrap());
    let y_conv = causal_conv_fft(&u, &k.kernel(L).unwrap(), 0.4).unwrap();
    assert!(rel_err(&y_rec, &y_conv) <= 1e-10);
}

#[test]
fn dense_step_equals_convolution() {
    let mut r = rng(25);
    let k =
        DenseKernel::from_hippo(Measure::LegS, 24, 0.02, Discretization::Bilinear, None).unwrap();
    let step = DenseStep::new(&k, 1.1).unwrap();
    let u = rand_u(&mut r, L);
    let x0 = rand_u(&mut r, 24);
    let mut x = x0.clone();
    let y_rec = run_chunks(&mut x, &u, |x, c| step.step_many(x, c).unwrap());
    let y_conv = add(
        &causal_conv_fft(&u, &k.kernel_naive(L).unwrap(), 1.1).unwrap(),
        &k.state_kernel(&x0, L).unwrap(),
    );
    assert!(rel_err(&y_rec, &y_conv) <= 1e-10);
}

#[test]
fn step_rejects_wrong_state_size() {
    let k = DplrKernel::from_hippo(Measure::LegS, 8, 0.1).unwrap();
    let step = DplrStep::new(&k, 0.0).unwrap();
    let mut s = vec![num_complex::Complex64::new(0.0, 0.0); 3];
    assert!(step.step_many(&mut s, &[1.0]).is_err());
    assert!(DplrStep::new(&k, f64::NAN).is_err());
}
