//! The two views of a discrete LTI SSM (LSSL §3; S4 §2.4): the recurrence
//! `x_k = Āx_{k−1} + B̄u_k`, `y_k = Cx_k + Du_k` (x_{−1} = 0), and the causal
//! convolution `y = K ∗ u + Du` with `K_j = CĀ^jB̄`, computed with an FFT of
//! size ≥ 2L (s4 fftconv.py:112-119: `irfft(rfft(u, 2L)·rfft(K, 2L))[:L]`).

use nalgebra::{DMatrix, DVector};
use num_complex::Complex64;
use rayon::prelude::*;
use rustfft::FftPlanner;

use crate::error::{check_all_finite, check_finite, check_nonzero, HippoError, Result};

/// Runs the recurrence over `u` and returns y (length `u.len()`).
pub fn recurrence(
    a_bar: &DMatrix<f64>,
    b_bar: &DVector<f64>,
    c: &DVector<f64>,
    d: f64,
    u: &[f64],
) -> Result<Vec<f64>> {
    crate::discretize::check_system(a_bar, b_bar)?;
    if c.len() != a_bar.nrows() {
        return Err(HippoError::Shape {
            option: "c",
            reason: format!(
                "C has length {}, A is {}x{}",
                c.len(),
                a_bar.nrows(),
                a_bar.ncols()
            ),
        });
    }
    check_all_finite("c", c.iter())?;
    check_finite("d", d)?;
    check_all_finite("u", u.iter())?;
    let n = a_bar.nrows();
    let mut x = DVector::<f64>::zeros(n);
    let mut next = DVector::<f64>::zeros(n);
    let mut y = Vec::with_capacity(u.len());
    for &uk in u {
        next.gemv(1.0, a_bar, &x, 0.0);
        next.axpy(uk, b_bar, 1.0);
        std::mem::swap(&mut x, &mut next);
        y.push(c.dot(&x) + d * uk);
    }
    Ok(y)
}

fn check_conv(u: &[f64], k: &[f64], d: f64) -> Result<()> {
    check_nonzero("u", u.len())?;
    check_nonzero("k", k.len())?;
    check_all_finite("u", u.iter())?;
    check_all_finite("k", k.iter())?;
    check_finite("d", d)
}

/// Direct O(L·len K) causal convolution `y_i = Σ_{j ≤ i} K_j u_{i−j} + D u_i` (reference).
pub fn causal_conv_direct(u: &[f64], k: &[f64], d: f64) -> Result<Vec<f64>> {
    check_conv(u, k, d)?;
    Ok((0..u.len())
        .map(|i| {
            let taps = k.len().min(i + 1);
            (0..taps).map(|j| k[j] * u[i - j]).sum::<f64>() + d * u[i]
        })
        .collect())
}

/// Causal convolution through an FFT of size `next_pow2(L + len K)` ≥ 2L when
/// `len K = L` (no circular wrap-around). Output length `u.len()`.
pub fn causal_conv_fft(u: &[f64], k: &[f64], d: f64) -> Result<Vec<f64>> {
    check_conv(u, k, d)?;
    let l = u.len();
    let taps = k.len().min(l);
    let size = (l + taps).next_power_of_two();
    let mut planner = FftPlanner::<f64>::new();
    let fwd = planner.plan_fft_forward(size);
    let inv = planner.plan_fft_inverse(size);
    // Two separate transforms: packing u and K into one complex signal would
    // mix their round-off, which hurts when their scales differ a lot.
    let mut uf = vec![Complex64::new(0.0, 0.0); size];
    for (i, &x) in u.iter().enumerate() {
        uf[i].re = x;
    }
    let mut prod = vec![Complex64::new(0.0, 0.0); size];
    for (i, &x) in k.iter().take(taps).enumerate() {
        prod[i].re = x;
    }
    fwd.process(&mut uf);
    fwd.process(&mut prod);
    for (p, x) in prod.iter_mut().zip(&uf) {
        *p *= x;
    }
    inv.process(&mut prod);
    let scale = 1.0 / size as f64;
    Ok((0..l).map(|i| prod[i].re * scale + d * u[i]).collect())
}

/// [`causal_conv_fft`] over several channels in parallel (rayon); channel h
/// uses kernel `ks[h]` and skip `ds[h]`.
pub fn causal_conv_fft_batch(
    us: &[Vec<f64>],
    ks: &[Vec<f64>],
    ds: &[f64],
) -> Result<Vec<Vec<f64>>> {
    if ks.len() != us.len() || ds.len() != us.len() {
        return Err(HippoError::Shape {
            option: "ks",
            reason: format!(
                "{} inputs, {} kernels, {} skips",
                us.len(),
                ks.len(),
                ds.len()
            ),
        });
    }
    us.par_iter()
        .zip(ks.par_iter())
        .zip(ds.par_iter())
        .map(|((u, k), &d)| causal_conv_fft(u, k, d))
        .collect()
}

/// Kernel of a diagonal complex system (S4D; ssm.py:569-636):
/// `K_j = Re Σ_n C_n B̄_n Ā_n^j`, doubled when `conj_pairs` (only one of each
/// conjugate pair is stored, "×2 when keeping half", lineage.md §1).
pub fn diag_kernel(
    a_bar: &DVector<Complex64>,
    b_bar: &DVector<Complex64>,
    c: &DVector<Complex64>,
    l: usize,
    conj_pairs: bool,
) -> Result<Vec<f64>> {
    check_nonzero("l", l)?;
    check_nonzero("n", a_bar.len())?;
    if b_bar.len() != a_bar.len() || c.len() != a_bar.len() {
        return Err(HippoError::Shape {
            option: "b_bar",
            reason: format!(
                "A has {} entries, B {}, C {}",
                a_bar.len(),
                b_bar.len(),
                c.len()
            ),
        });
    }
    let factor = if conj_pairs { 2.0 } else { 1.0 };
    let mut w: Vec<Complex64> = c.iter().zip(b_bar.iter()).map(|(c, b)| c * b).collect();
    let mut out = Vec::with_capacity(l);
    for _ in 0..l {
        out.push(factor * w.iter().map(|z| z.re).sum::<f64>());
        for (wi, ai) in w.iter_mut().zip(a_bar.iter()) {
            *wi *= ai;
        }
    }
    Ok(out)
}
