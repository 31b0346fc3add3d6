//! Log-Vandermonde products `K_ℓ = 2·Re Σ_n C_n exp(ℓ·log A_n)`, ℓ = 0..L−1
//! (s4 src/models/functional/vandermonde.py:36-47; used by the diagonal kernels,
//! ssm.py:569-636). The factor 2 accounts for the conjugate half that is not stored.
//!
//! * [`log_vandermonde_naive`]: one complex exponential per (mode, ℓ).
//! * [`log_vandermonde`]: split ℓ = q·m + j; `exp(ℓ·log A) = exp(qm·log A)·exp(j·log A)`
//!   turns the sum into a real matrix product
//!   `K[j + qm] = Σ_n [Re E_{nj}, Im E_{nj}]·[2 Re γ_{nq}, −2 Im γ_{nq}]`
//!   with `E_{nj} = exp(j·log A_n)`, `γ_{nq} = C_n exp(qm·log A_n)`:
//!   `N(m + L/m)` exponentials and one `m × 2N × L/m` GEMM, split over rayon tasks.
//!
//! A mode with `Re log A = −∞` (Ā = 0) contributes only at ℓ = 0.

use nalgebra::DMatrix;
use num_complex::Complex64;
use rayon::prelude::*;

/// Giant steps per rayon task of [`log_vandermonde`].
const PAR_BLOCKS: usize = 16;

fn split_modes(coef: &[Complex64], log_a: &[Complex64]) -> (f64, Vec<(Complex64, Complex64)>) {
    assert_eq!(
        coef.len(),
        log_a.len(),
        "log_vandermonde: coef and log_a differ in length"
    );
    let mut k0 = 0.0;
    let mut finite = Vec::with_capacity(coef.len());
    for (&c, &la) in coef.iter().zip(log_a) {
        if la.re == f64::NEG_INFINITY {
            k0 += 2.0 * c.re;
        } else {
            finite.push((c, la));
        }
    }
    (k0, finite)
}

/// `K_ℓ = 2·Re Σ_n coef_n exp(ℓ·log_a_n)` by direct exponentials (reference), O(N·L).
pub fn log_vandermonde_naive(coef: &[Complex64], log_a: &[Complex64], l: usize) -> Vec<f64> {
    let (k0, modes) = split_modes(coef, log_a);
    let mut out: Vec<f64> = (0..l)
        .map(|ell| {
            let lf = ell as f64;
            modes
                .iter()
                .map(|&(c, la)| 2.0 * (c * (la * lf).exp()).re)
                .sum::<f64>()
        })
        .collect();
    if let Some(first) = out.first_mut() {
        *first += k0;
    }
    out
}

/// Baby-step length m: a power of two near √L.
fn baby_steps(l: usize) -> usize {
    let m = ((l as f64).sqrt().ceil() as usize).next_power_of_two();
    m.clamp(1, l.max(1))
}

/// Same result as [`log_vandermonde_naive`] through the baby-step/giant-step GEMM
/// of the module docs; rayon over giant steps.
pub fn log_vandermonde(coef: &[Complex64], log_a: &[Complex64], l: usize) -> Vec<f64> {
    let (k0, modes) = split_modes(coef, log_a);
    let mut out = vec![0.0f64; l];
    if l == 0 {
        return out;
    }
    let n = modes.len();
    if n > 0 {
        let m = baby_steps(l);
        let giants = l.div_ceil(m);
        // Baby steps: PT[j, n] = Re exp(j log A_n), PT[j, N + n] = Im exp(j log A_n).
        let mut pt = DMatrix::<f64>::zeros(m, 2 * n);
        for (i, &(_, la)) in modes.iter().enumerate() {
            for j in 0..m {
                let e = (la * j as f64).exp();
                pt[(j, i)] = e.re;
                pt[(j, n + i)] = e.im;
            }
        }
        // Output column q of the product holds K[qm .. qm + m] (column-major).
        out.par_chunks_mut(m * PAR_BLOCKS)
            .enumerate()
            .for_each(|(task, o)| {
                let q0 = task * PAR_BLOCKS;
                let qn = o.len().div_ceil(m);
                let mut gt = DMatrix::<f64>::zeros(2 * n, qn);
                for q in 0..qn {
                    let shift = ((q0 + q) * m) as f64;
                    for (i, &(c, la)) in modes.iter().enumerate() {
                        let g = c * (la * shift).exp();
                        gt[(i, q)] = 2.0 * g.re;
                        gt[(n + i, q)] = -2.0 * g.im;
                    }
                }
                let prod = &pt * &gt;
                let len = o.len();
                o.copy_from_slice(&prod.as_slice()[..len]);
            });
        debug_assert!(giants * m >= l);
    }
    out[0] += k0;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocked_matches_naive() {
        let coef: Vec<Complex64> = (0..5)
            .map(|i| Complex64::new(1.0 + i as f64, 0.5 - i as f64))
            .collect();
        let log_a: Vec<Complex64> = (0..5)
            .map(|i| Complex64::new(-0.01 * (i + 1) as f64, 0.3 * i as f64))
            .collect();
        for l in [1usize, 2, 3, 17, 64, 100, 1000] {
            let a = log_vandermonde_naive(&coef, &log_a, l);
            let b = log_vandermonde(&coef, &log_a, l);
            let scale = a.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            for (x, y) in a.iter().zip(&b) {
                assert!((x - y).abs() <= 1e-12 * scale, "l={l}: {x} vs {y}");
            }
        }
    }

    #[test]
    fn zero_transition_only_at_lag_zero() {
        let coef = [Complex64::new(1.5, 2.0)];
        let log_a = [Complex64::new(f64::NEG_INFINITY, 0.0)];
        assert_eq!(log_vandermonde(&coef, &log_a, 4), vec![3.0, 0.0, 0.0, 0.0]);
        assert_eq!(
            log_vandermonde_naive(&coef, &log_a, 4),
            vec![3.0, 0.0, 0.0, 0.0]
        );
    }
}
