//! HiPPO transition matrices (A, B) for each [`Measure`].
//!
//! Conventions follow the design notes (lineage.md §1): row n, column k,
//! 0-indexed, continuous-time dynamics `c'(t) = A c(t) + B f(t)` (LegS:
//! `c'(t) = (1/t)(A c + B f)`).

use nalgebra::{DMatrix, DVector};

use crate::error::{check_nonzero, HippoError, Result};
use crate::measure::Measure;
use crate::special::ln_gamma_abs;

/// `(−1)^m` for a signed exponent.
#[inline]
pub(crate) fn sign_pow(m: i64) -> f64 {
    if m.rem_euclid(2) == 0 {
        1.0
    } else {
        -1.0
    }
}

/// Continuous-time HiPPO pair (A, B) of size N for `measure`.
///
/// Errors: `n == 0` (option `n`), odd `n` for FouT (option `n`), invalid
/// measure parameters (option `beta` / `alpha`).
pub fn transition(measure: Measure, n: usize) -> Result<(DMatrix<f64>, DVector<f64>)> {
    check_nonzero("n", n)?;
    measure.validate()?;
    Ok(match measure {
        Measure::LegS => legs(n),
        Measure::LegT { halved } => legt(n, halved),
        Measure::Lmu => lmu(n),
        Measure::LagT { beta } => lagt(n, beta),
        Measure::GLagT { alpha, beta } => glagt(n, alpha, beta),
        Measure::FouT => {
            if n & 1 == 1 {
                return Err(HippoError::InvalidOption {
                    option: "n",
                    reason: format!("measure `fout` needs an even state size, got {n}"),
                });
            }
            fout(n)
        }
    })
}

/// LegS (s4 hippo.py:72-80; HiPPO Thm 2; annotated-s4 make_HiPPO 661-665):
/// `A_nk = −√(2n+1)√(2k+1)` for n > k, `−(n+1)` for n = k, 0 above the diagonal;
/// `B_n = √(2n+1)`.
fn legs(n: usize) -> (DMatrix<f64>, DVector<f64>) {
    let r = |i: usize| ((2 * i + 1) as f64).sqrt();
    let a = DMatrix::from_fn(n, n, |i, k| {
        if i > k {
            -r(i) * r(k)
        } else if i == k {
            -((i + 1) as f64)
        } else {
            0.0
        }
    });
    let b = DVector::from_fn(n, |i, _| r(i));
    (a, b)
}

/// LegT (s4 hippo.py:53-63): `A_nk = −s·√(2n+1)√(2k+1)·(1 if n ≥ k else (−1)^{n−k})`,
/// `B_n = s·√(2n+1)` with s = ½ (s4) or 1 (hippo-code op.py:42-48).
fn legt(n: usize, halved: bool) -> (DMatrix<f64>, DVector<f64>) {
    let s = if halved { 0.5 } else { 1.0 };
    let r = |i: usize| ((2 * i + 1) as f64).sqrt();
    let a = DMatrix::from_fn(n, n, |i, k| {
        let sign = if i >= k {
            1.0
        } else {
            sign_pow(i as i64 - k as i64)
        };
        -s * r(i) * r(k) * sign
    });
    let b = DVector::from_fn(n, |i, _| s * r(i));
    (a, b)
}

/// LMU (s4 hippo.py:65-70; Voelker et al. 2019):
/// `A_nk = (2n+1)·(−1 if n < k else (−1)^{n−k+1})`, `B_n = (−1)^n (2n+1)`.
fn lmu(n: usize) -> (DMatrix<f64>, DVector<f64>) {
    let a = DMatrix::from_fn(n, n, |i, k| {
        let q = (2 * i + 1) as f64;
        if i < k {
            -q
        } else {
            q * sign_pow(i as i64 - k as i64 + 1)
        }
    });
    let b = DVector::from_fn(n, |i, _| sign_pow(i as i64) * (2 * i + 1) as f64);
    (a, b)
}

/// LagT (s4 hippo.py:31-34): `A = ½I − tril(1)` (−½ on the diagonal, −1 below),
/// `B = β·1`.
fn lagt(n: usize, beta: f64) -> (DMatrix<f64>, DVector<f64>) {
    let a = DMatrix::from_fn(n, n, |i, k| {
        if i > k {
            -1.0
        } else if i == k {
            -0.5
        } else {
            0.0
        }
    });
    (a, DVector::from_element(n, beta))
}

/// GLagT (s4 hippo.py:43-51): `A⁰ = −(1+β)/2·I − tril(1, −1)`,
/// `B⁰_n = binom(α+n, n)`, rescaled by `L_n = √(Γ(n+α+1)/Γ(n+1))`:
/// `A_nk = A⁰_nk L_k / L_n`, `B_n = B⁰_n / L_n · Γ(1−α)^{−½} · β^{(1−α)/2}`
/// (|Γ| as scipy's `gammaln`).
fn glagt(n: usize, alpha: f64, beta: f64) -> (DMatrix<f64>, DVector<f64>) {
    // ln L_n = ½(lnΓ(n+α+1) − lnΓ(n+1)).
    let ln_l: Vec<f64> = (0..n)
        .map(|i| 0.5 * (ln_gamma_abs(i as f64 + alpha + 1.0) - ln_gamma_abs(i as f64 + 1.0)))
        .collect();
    let a = DMatrix::from_fn(n, n, |i, k| {
        let a0 = if i > k {
            -1.0
        } else if i == k {
            -(1.0 + beta) / 2.0
        } else {
            0.0
        };
        if a0 == 0.0 {
            0.0
        } else {
            a0 * (ln_l[k] - ln_l[i]).exp()
        }
    });
    let tail = -0.5 * ln_gamma_abs(1.0 - alpha) + 0.5 * (1.0 - alpha) * beta.ln();
    let b = DVector::from_fn(n, |i, _| {
        let x = i as f64;
        // ln binom(α+n, n) = lnΓ(α+n+1) − lnΓ(n+1) − lnΓ(α+1), all arguments > 0.
        let ln_binom =
            ln_gamma_abs(alpha + x + 1.0) - ln_gamma_abs(x + 1.0) - ln_gamma_abs(alpha + 1.0);
        (ln_binom - ln_l[i] + tail).exp()
    });
    (a, b)
}

/// FouT (s4 hippo.py:101-111): with `d = interleave(0, 0..N/2)[1:]`
/// (so `d_{2k} = k`, `d_{2k+1} = 0`), `A = π(−diag(d, +1) + diag(d, −1)) − B Bᵀ`,
/// `B = [1, 0, √2, 0, √2, 0, …]`. Rows 2k / 2k+1 hold the cosine / sine
/// coefficients of frequency k; row 1 (sine of frequency 0) is identically 0.
fn fout(n: usize) -> (DMatrix<f64>, DVector<f64>) {
    let b = fout_b(n);
    let d = |i: usize| if i & 1 == 0 { (i / 2) as f64 } else { 0.0 };
    let pi = std::f64::consts::PI;
    let a = DMatrix::from_fn(n, n, |i, k| {
        let skew = if k == i + 1 {
            -pi * d(i)
        } else if i == k + 1 {
            pi * d(k)
        } else {
            0.0
        };
        skew - b[i] * b[k]
    });
    (a, b)
}

/// FouT input vector `[1, 0, √2, 0, √2, …]` (also its rank-1 correction P).
pub(crate) fn fout_b(n: usize) -> DVector<f64> {
    DVector::from_fn(n, |i, _| {
        if i == 0 {
            1.0
        } else if i % 2 == 0 {
            std::f64::consts::SQRT_2
        } else {
            0.0
        }
    })
}
