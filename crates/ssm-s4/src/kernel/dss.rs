//! DSS, "diagonal state spaces" with softmax-normalised Vandermonde rows
//! (DSS paper Prop. 1, DSS_softmax; ssm.py:605-625; annotated dss.py:293-312),
//! lineage.md §1 "S4D / DSS".
//!
//! With `P_{nℓ} = ΔΛ_n ℓ` (ℓ < L), `K = Re[W Λ^{-1} · row-softmax(P)]`, and since
//! `Σ_ℓ exp(ℓΔλ) = (e^{LΔλ} − 1)/(e^{Δλ} − 1)`,
//!
//! ```text
//! K_ℓ = f·Re Σ_n W_n (e^{ΔΛ_n} − 1) / (Λ_n (e^{LΔΛ_n} − 1)) · e^{ℓΔΛ_n}.
//! ```
//!
//! For `Re ΔΛ > 0` the row maximum sits at ℓ = L − 1 and the reference subtracts it;
//! here those modes use `e^{ℓΔλ}/(e^{LΔλ} − 1) = e^{−(L−ℓ)Δλ}/(1 − e^{−LΔλ})`,
//! a Vandermonde in `−ΔΛ` read backwards, so no exponential overflows.

use num_complex::Complex64;
use ssm_hippo::discretize::complex_expm1;

use super::{ConvKernel, DiagKernel};
use crate::error::{check_l, check_modes, Result, S4Error};
use crate::functional::log_vandermonde;

/// `e^{LΔλ} − 1` smaller than this times `1 + |LΔλ|` counts as vanishing (its
/// rounding error is of that order): the softmax normaliser is undefined.
const VANISH_TOL: f64 = 1e-12;

fn vanishing(i: usize, lam: Complex64, l: usize) -> S4Error {
    S4Error::Numerical {
        context: "DSS softmax normalisation",
        reason: format!(
            "e^(L·Δ·λ) − 1 vanishes for mode {i} (λ = {lam}, L = {l}): the row sum of the softmax is 0"
        ),
    }
}

/// `e^{Lz} − 1`, or an error when it vanishes up to rounding.
fn denominator(i: usize, lam: Complex64, z: Complex64, l: usize) -> Result<Complex64> {
    let lz = z * l as f64;
    let e = complex_expm1(lz);
    let size = e.norm();
    if !size.is_finite() || size <= VANISH_TOL * (1.0 + lz.norm()) {
        return Err(vanishing(i, lam, l));
    }
    Ok(e)
}

/// DSS kernel parameters of one channel.
#[derive(Debug, Clone, PartialEq)]
pub struct DssKernel {
    /// Λ, one per stored mode (nonzero).
    pub lambda: Vec<Complex64>,
    /// W (the C of DSS).
    pub c: Vec<Complex64>,
    /// Step Δ.
    pub dt: f64,
    /// Conjugate pairs are implied: kernel = 2 Re Σ (else Re Σ).
    pub conj_pairs: bool,
}

impl DssKernel {
    /// Checks lengths, finiteness, Δ and Λ ≠ 0.
    pub fn new(
        lambda: Vec<Complex64>,
        c: Vec<Complex64>,
        dt: f64,
        conj_pairs: bool,
    ) -> Result<Self> {
        check_modes("DSS", dt, &lambda, &[("c", &c)])?;
        if let Some(i) = lambda.iter().position(|z| z.norm() == 0.0) {
            return Err(S4Error::InvalidOption {
                option: "lambda",
                reason: format!(
                    "DSS divides by Λ; lambda[{i}] = 0 (S4D-Real/Lin inits keep Λ ≠ 0)"
                ),
            });
        }
        Ok(Self {
            lambda,
            c,
            dt,
            conj_pairs,
        })
    }

    fn factor(&self) -> f64 {
        if self.conj_pairs {
            2.0
        } else {
            1.0
        }
    }

    /// Per mode: the normalised input weight `B̄_n = (e^{Δλ} − 1)/(λ (e^{LΔλ} − 1))`
    /// (as a diagonal SSM with Ā = e^{ΔΛ} and B = 1), for modes with Re Δλ ≤ 0.
    fn normaliser(&self, l: usize) -> Result<Vec<Complex64>> {
        self.lambda
            .iter()
            .enumerate()
            .map(|(i, &lam)| {
                let z = lam * self.dt;
                let den = lam * denominator(i, lam, z, l)?;
                Ok(complex_expm1(z) / den)
            })
            .collect()
    }

    /// The kernel: Vandermonde products, the `Re ΔΛ > 0` modes read backwards.
    pub fn kernel(&self, l: usize) -> Result<Vec<f64>> {
        check_l(l)?;
        let half = 0.5 * self.factor();
        let lf = l as f64;
        let (mut c_neg, mut la_neg, mut c_pos, mut la_pos) = (vec![], vec![], vec![], vec![]);
        for (i, (&lam, &c)) in self.lambda.iter().zip(&self.c).enumerate() {
            let z = lam * self.dt;
            if z.re <= 0.0 {
                let den = lam * denominator(i, lam, z, l)?;
                c_neg.push(c * complex_expm1(z) / den * half);
                la_neg.push(z);
            } else {
                // e^{ℓz}/(e^{Lz} − 1) = e^{−(L−ℓ)z} / (1 − e^{−Lz}).
                let den = lam * (-complex_expm1(-z * lf));
                c_pos.push(c * complex_expm1(z) / den * half);
                la_pos.push(-z);
            }
        }
        let mut out = if c_neg.is_empty() {
            vec![0.0; l]
        } else {
            log_vandermonde(&c_neg, &la_neg, l)
        };
        if !c_pos.is_empty() {
            // V[m] = 2 Re Σ coef e^{−m z}, m = 0..=L; K_ℓ += V[L − ℓ].
            let v = log_vandermonde(&c_pos, &la_pos, l + 1);
            for (ell, o) in out.iter_mut().enumerate() {
                *o += v[l - ell];
            }
        }
        Ok(out)
    }

    /// The definition evaluated directly (slow twin): per mode the row
    /// `exp(P_{nℓ} − max_ℓ Re P_{nℓ})`, its sum over ℓ, the softmax, and
    /// `K_ℓ = f Re Σ_n W_n/Λ_n · softmax_{nℓ}` (ssm.py:605-625).
    pub fn kernel_naive(&self, l: usize) -> Result<Vec<f64>> {
        check_l(l)?;
        let mut out = vec![0.0; l];
        for (i, (&lam, &c)) in self.lambda.iter().zip(&self.c).enumerate() {
            let z = lam * self.dt;
            let shift = if z.re > 0.0 {
                (l - 1) as f64 * z.re
            } else {
                0.0
            };
            let row: Vec<Complex64> = (0..l).map(|ell| (z * ell as f64 - shift).exp()).collect();
            let sum: Complex64 = row.iter().sum();
            let size: f64 = row.iter().map(|e| e.norm()).sum();
            let total = sum.norm();
            if total.is_nan() || total <= VANISH_TOL * size {
                return Err(vanishing(i, lam, l));
            }
            let w = c / lam / sum;
            for (o, e) in out.iter_mut().zip(&row) {
                *o += self.factor() * (w * e).re;
            }
        }
        Ok(out)
    }

    /// The equivalent diagonal system for length `l` (Ā = e^{ΔΛ}, B̄ normalised):
    /// a [`DiagKernel`] with ZOH, `B = Λ·B̄/(e^{ΔΛ} − 1)` so that its ZOH B̄ is the DSS
    /// weight. Only for modes with Re ΔΛ ≤ 0 (a growing mode would overflow a step).
    pub fn to_diag(&self, l: usize) -> Result<DiagKernel> {
        check_l(l)?;
        if let Some(i) = self.lambda.iter().position(|z| z.re > 0.0) {
            return Err(S4Error::InvalidOption {
                option: "lambda",
                reason: format!("mode {i} grows (Re λ > 0); no stable recurrent form"),
            });
        }
        let nb = self.normaliser(l)?;
        // ZOH gives B̄ = B·(e^{Δλ} − 1)/λ; choose B = 1/(e^{LΔλ} − 1).
        let b: Vec<Complex64> = self
            .lambda
            .iter()
            .zip(&nb)
            .map(|(&lam, &w)| w * lam / complex_expm1(lam * self.dt))
            .collect();
        DiagKernel::new(
            self.lambda.clone(),
            b,
            self.c.clone(),
            self.dt,
            ssm_hippo::Discretization::Zoh,
            self.conj_pairs,
        )
    }
}

impl ConvKernel for DssKernel {
    fn kernel(&self, l: usize) -> Result<Vec<f64>> {
        DssKernel::kernel(self, l)
    }
}
