//! LSSL kernel, recurrence and causal FFT convolution agree (LSSL §3; S4 §2.4).

mod common;

use nalgebra::{DMatrix, DVector};
use num_complex::Complex64;
use ssm_hippo::{
    causal_conv_direct, causal_conv_fft, causal_conv_fft_batch, diag_kernel, discretize,
    krylov_blocked, krylov_doubling, krylov_matrix, krylov_naive, matrix_power, recurrence,
    transition, Discretization, HippoError, Measure,
};

fn system(m: Measure, n: usize, dt: f64, seed: u64) -> (DMatrix<f64>, DVector<f64>, DVector<f64>) {
    let (a, b) = transition(m, n).unwrap();
    let (ab, bb) = discretize(&a, &b, dt, Discretization::Bilinear).unwrap();
    let mut r = common::rng(seed);
    let c = common::rand_vec(&mut r, n);
    (ab, bb, c)
}

#[test]
fn kernels_equal_impulse_response() {
    for (m, n, l) in [
        (Measure::LegS, 16, 1000),
        (Measure::legt(), 12, 777),
        (Measure::FouT, 10, 513),
        (Measure::LegS, 5, 1),
        (Measure::LegS, 7, 2),
        (Measure::lagt(), 9, 64),
    ] {
        let (ab, bb, c) = system(m, n, 0.02, 1);
        // Impulse response of the recurrence with D = 0 is the kernel.
        let mut u = vec![0.0; l];
        u[0] = 1.0;
        let imp = recurrence(&ab, &bb, &c, 0.0, &u).unwrap();
        let scale = common::max_abs(&imp);
        let naive = krylov_naive(&ab, &bb, &c, l).unwrap();
        let dbl = krylov_doubling(&ab, &bb, &c, l).unwrap();
        let blk = krylov_blocked(&ab, &bb, &c, l).unwrap();
        assert_eq!(naive.len(), l);
        assert!(
            common::max_abs_diff(&naive, &imp) <= 1e-13 * scale,
            "{m} naive"
        );
        assert!(
            common::max_abs_diff(&dbl, &imp) <= 1e-10 * scale,
            "{m} doubling"
        );
        assert!(
            common::max_abs_diff(&blk, &imp) <= 1e-10 * scale,
            "{m} blocked"
        );
        // First entries in closed form: K₀ = C·B̄, K₁ = C·ĀB̄.
        assert!((dbl[0] - c.dot(&bb)).abs() < 1e-13 * scale);
        if l > 1 {
            assert!((blk[1] - c.dot(&(&ab * &bb))).abs() < 1e-12 * scale);
        }
    }
}

#[test]
fn krylov_matrix_columns_are_powers() {
    let (ab, bb, _) = system(Measure::LegS, 6, 0.1, 2);
    let x = krylov_matrix(&ab, &bb, 11).unwrap();
    for j in 0..11 {
        let want = matrix_power(&ab, j).unwrap() * &bb;
        assert!((x.column(j) - want).amax() < 1e-13, "column {j}");
    }
    let p0 = matrix_power(&ab, 0).unwrap();
    assert_eq!(p0, DMatrix::identity(6, 6));
    let p5 = matrix_power(&ab, 5).unwrap();
    let mut q = ab.clone();
    for _ in 0..4 {
        q = &q * &ab;
    }
    assert!(common::rel_mat_err(&p5, &q) < 1e-14);
}

#[test]
fn fft_convolution_equals_recurrence_on_random_inputs() {
    for (seed, n, l, d) in [
        (3u64, 16usize, 1024usize, 0.7),
        (4, 8, 1000, -1.3),
        (5, 32, 300, 0.0),
        (6, 4, 1, 2.0),
    ] {
        let (ab, bb, c) = system(Measure::LegS, n, 1.0 / l as f64 + 0.01, seed);
        let mut r = common::rng(seed + 100);
        let u: Vec<f64> = common::rand_vec(&mut r, l).iter().copied().collect();
        let y_rec = recurrence(&ab, &bb, &c, d, &u).unwrap();
        let k = krylov_blocked(&ab, &bb, &c, l).unwrap();
        let y_fft = causal_conv_fft(&u, &k, d).unwrap();
        let y_dir = causal_conv_direct(&u, &k, d).unwrap();
        let scale = common::max_abs(&y_rec).max(1.0);
        assert!(
            common::max_abs_diff(&y_fft, &y_rec) < 1e-10 * scale,
            "seed {seed}: fft vs recurrence"
        );
        assert!(
            common::max_abs_diff(&y_dir, &y_rec) < 1e-10 * scale,
            "seed {seed}: direct vs recurrence"
        );
    }
}

#[test]
fn fft_convolution_is_causal_and_not_circular() {
    // An impulse at the last position must not wrap around to the start.
    let l = 64;
    let mut u = vec![0.0; l];
    u[l - 1] = 1.0;
    let k: Vec<f64> = (0..l).map(|j| 1.0 + j as f64).collect();
    let y = causal_conv_fft(&u, &k, 0.0).unwrap();
    // Round-off relative to Σ|K|·max|u| only.
    let bound = 1e-14 * k.iter().map(|x| x.abs()).sum::<f64>();
    assert!(
        common::max_abs(&y[..l - 1]) < bound,
        "{:e}",
        common::max_abs(&y[..l - 1])
    );
    assert!((y[l - 1] - 1.0).abs() < bound);
    // Shorter kernel than input.
    let u: Vec<f64> = (0..50).map(|i| (i as f64 * 0.3).sin()).collect();
    let k = vec![0.5, -0.25, 0.125];
    let a = causal_conv_fft(&u, &k, 0.1).unwrap();
    let b = causal_conv_direct(&u, &k, 0.1).unwrap();
    assert!(
        common::max_abs_diff(&a, &b) < 1e-13,
        "{:?}\n{:?}",
        &a[..5],
        &b[..5]
    );
    let batch = causal_conv_fft_batch(
        &[u.clone(), u.clone()],
        &[k.clone(), vec![1.0]],
        &[0.1, 0.0],
    )
    .unwrap();
    assert!(common::max_abs_diff(&batch[0], &b) < 1e-13);
    assert!(common::max_abs_diff(&batch[1], &u) < 1e-13);
}

#[test]
fn diagonal_kernel_matches_real_block_system() {
    // Conjugate pairs λ = a + ib as real 2×2 rotation blocks; y = 2 Re(C z).
    let lams = [
        Complex64::new(0.9, 0.2),
        Complex64::new(0.5, -0.6),
        Complex64::new(-0.3, 0.1),
    ];
    let bs = [
        Complex64::new(1.0, 0.5),
        Complex64::new(-0.2, 0.3),
        Complex64::new(0.7, -0.1),
    ];
    let cs = [
        Complex64::new(0.3, -1.0),
        Complex64::new(1.1, 0.4),
        Complex64::new(-0.5, 0.2),
    ];
    let h = lams.len();
    let mut a = DMatrix::<f64>::zeros(2 * h, 2 * h);
    let mut b = DVector::<f64>::zeros(2 * h);
    let mut c = DVector::<f64>::zeros(2 * h);
    for i in 0..h {
        let (p, q) = (2 * i, 2 * i + 1);
        a[(p, p)] = lams[i].re;
        a[(p, q)] = -lams[i].im;
        a[(q, p)] = lams[i].im;
        a[(q, q)] = lams[i].re;
        b[p] = bs[i].re;
        b[q] = bs[i].im;
        c[p] = 2.0 * cs[i].re;
        c[q] = -2.0 * cs[i].im;
    }
    let l = 40;
    let dense = krylov_naive(&a, &b, &c, l).unwrap();
    let diag = diag_kernel(
        &DVector::from_column_slice(&lams),
        &DVector::from_column_slice(&bs),
        &DVector::from_column_slice(&cs),
        l,
        true,
    )
    .unwrap();
    assert!(common::max_abs_diff(&dense, &diag) < 1e-13);
}

#[test]
fn errors_name_the_argument() {
    let (ab, bb, c) = system(Measure::LegS, 4, 0.1, 7);
    match krylov_naive(&ab, &bb, &c, 0) {
        Err(HippoError::InvalidOption { option, .. }) => assert_eq!(option, "l"),
        other => panic!("{other:?}"),
    }
    let short = DVector::from_vec(vec![1.0]);
    match krylov_blocked(&ab, &bb, &short, 5) {
        Err(HippoError::Shape { option, .. }) => assert_eq!(option, "c"),
        other => panic!("{other:?}"),
    }
    match recurrence(&ab, &bb, &c, 0.0, &[1.0, f64::NAN]) {
        Err(HippoError::InvalidOption { option, .. }) => assert_eq!(option, "u"),
        other => panic!("{other:?}"),
    }
    match causal_conv_fft(&[], &[1.0], 0.0) {
        Err(HippoError::InvalidOption { option, .. }) => assert_eq!(option, "u"),
        other => panic!("{other:?}"),
    }
    match causal_conv_fft(&[1.0], &[f64::INFINITY], 0.0) {
        Err(HippoError::InvalidOption { option, .. }) => assert_eq!(option, "k"),
        other => panic!("{other:?}"),
    }
    match causal_conv_fft(&[1.0], &[1.0], f64::NAN) {
        Err(HippoError::InvalidOption { option, .. }) => assert_eq!(option, "d"),
        other => panic!("{other:?}"),
    }
}
