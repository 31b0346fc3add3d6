//! Reconstruction bases: the functions whose combination with the HiPPO
//! coefficients c(t) approximates the signal's history (HiPPO §2, App. D).
//!
//! Every `*_basis` function returns the N basis values at one point, so that
//! `f̂(x) = Σ_n c_n · basis[n]`.

/// Legendre polynomials `P_0(x) … P_{n−1}(x)` by Bonnet's recurrence
/// `(m+1)P_{m+1} = (2m+1)x P_m − m P_{m−1}`.
pub fn legendre_all(n: usize, x: f64) -> Vec<f64> {
    three_term(n, x, |m, p, q| ((2.0 * m + 1.0) * x * p - m * q) / (m + 1.0))
}

/// Generalized Laguerre polynomials `L_0^{(α)}(x) … L_{n−1}^{(α)}(x)` by
/// `(m+1)L_{m+1} = (2m+1+α−x)L_m − (m+α)L_{m−1}`.
pub fn laguerre_all(n: usize, alpha: f64, x: f64) -> Vec<f64> {
    three_term(n, 1.0 + alpha - x, |m, p, q| ((2.0 * m + 1.0 + alpha - x) * p - (m + alpha) * q) / (m + 1.0))
}

/// The first `n` terms of a family with `f_0 = 1`, `f_1 = first`, and
/// `f_{m+1} = next(m, f_m, f_{m−1})` for m ≥ 1.
fn three_term(n: usize, first: f64, next: impl Fn(f64, f64, f64) -> f64) -> Vec<f64> {
    let mut out: Vec<f64> = [1.0, first].into_iter().take(n).collect();
    for m in 1..n.saturating_sub(1) {
        out.push(next(m as f64, out[m], out[m - 1]));
    }
    out
}

/// LegS basis on [0, t] (HiPPO App. D.3; hippo-code hippo.py eval_matrix):
/// `g_n(x) = √(2n+1) P_n(2x/t − 1)`.
pub fn legs_basis(n: usize, t: f64, x: f64) -> Vec<f64> {
    let mut p = legendre_all(n, 2.0 * x / t - 1.0);
    for (i, v) in p.iter_mut().enumerate() {
        *v *= ((2 * i + 1) as f64).sqrt();
    }
    p
}

/// LegT basis on the window [t − θ, t], as a function of the age `a = t − x ∈ [0, θ]`
/// (HiPPO App. D.1): `g_n = √(2n+1) P_n(1 − 2a/θ)` (newest point at P_n(1) = 1).
pub fn legt_basis(n: usize, theta: f64, age: f64) -> Vec<f64> {
    let mut p = legendre_all(n, 1.0 - 2.0 * age / theta);
    for (i, v) in p.iter_mut().enumerate() {
        *v *= ((2 * i + 1) as f64).sqrt();
    }
    p
}

/// LMU basis (Voelker et al. 2019): `f(t − a) ≈ Σ m_n P̃_n(a/θ)` with the shifted
/// Legendre polynomial `P̃_n(r) = P_n(2r − 1)`. The LMU state is
/// `m_n = (−1)^n √(2n+1) c_n^{LegT}`.
pub fn lmu_basis(n: usize, theta: f64, age: f64) -> Vec<f64> {
    legendre_all(n, 2.0 * age / theta - 1.0)
}

/// LagT basis (s4 variant A = ½I − tril(1)): with `s = a/θ`,
/// `g_n = e^{−s/2} L_n(s) / β` — the orthonormal Laguerre functions on [0, ∞).
pub fn lagt_basis(n: usize, theta: f64, beta: f64, age: f64) -> Vec<f64> {
    let s = age / theta;
    let w = (-0.5 * s).exp() / beta;
    let mut p = laguerre_all(n, 0.0, s);
    for v in p.iter_mut() {
        *v *= w;
    }
    p
}

/// FouT basis on the window [t − θ, t] with `s = a/θ ∈ [0, 1]`:
/// index 0 → 1, index 2k → √2 cos(2πks), index 2k+1 → √2 sin(2πks) (index 1 is 0).
pub fn fout_basis(n: usize, theta: f64, age: f64) -> Vec<f64> {
    let s = age / theta;
    let two_pi = 2.0 * std::f64::consts::PI;
    (0..n)
        .map(|i| {
            let k = (i / 2) as f64;
            if i == 0 {
                1.0
            } else if i % 2 == 0 {
                std::f64::consts::SQRT_2 * (two_pi * k * s).cos()
            } else {
                std::f64::consts::SQRT_2 * (two_pi * k * s).sin()
            }
        })
        .collect()
}
