//! S4D: the kernel of a diagonal system (S4D paper §3, eq. (5)-(6); ssm.py
//! `SSMKernelDiag.forward` 569-636; minimal s4d.py:31-47), lineage.md §1 "S4D / DSS".
//!
//! `K_ℓ = f·Re Σ_n C_n B̄_n Ā_n^ℓ` (f = 2 with conjugate pairs) as a log-Vandermonde
//! product in `log Ā`:
//!
//! * ZOH: `B̄ = B(exp(ΔΛ) − 1)/Λ`, `log Ā = ΔΛ` (ssm.py:645-647; s4d.py:44).
//! * bilinear: `B̄ = ΔB/(1 − ΔΛ/2)`, `log Ā = log((1 + ΔΛ/2)/(1 − ΔΛ/2))` (ssm.py:648-650).
//! * any other rule of `ssm_hippo::discretize_diag`: `log Ā` by the complex logarithm.

use num_complex::Complex64;
use ssm_hippo::{discretize_diag, Discretization};

use super::{realify, ConvKernel, DenseKernel};
use crate::error::{check_l, check_len, check_modes, Result, S4Error};
use crate::functional::{log_vandermonde, log_vandermonde_naive};
use crate::init::DiagInit;

/// Diagonal (S4D) kernel parameters of one channel.
#[derive(Debug, Clone, PartialEq)]
pub struct DiagKernel {
    /// Λ, one per stored mode.
    pub lambda: Vec<Complex64>,
    /// B.
    pub b: Vec<Complex64>,
    /// C.
    pub c: Vec<Complex64>,
    /// Step Δ.
    pub dt: f64,
    /// Discretization rule (ZOH in S4D by default).
    pub discretization: Discretization,
    /// Conjugate pairs are implied: kernel = 2 Re Σ (else Re Σ).
    pub conj_pairs: bool,
}

impl DiagKernel {
    /// Checks lengths, finiteness, Δ and the rule.
    pub fn new(
        lambda: Vec<Complex64>,
        b: Vec<Complex64>,
        c: Vec<Complex64>,
        dt: f64,
        discretization: Discretization,
        conj_pairs: bool,
    ) -> Result<Self> {
        check_modes("diagonal", dt, &lambda, &[("b", &b), ("c", &c)])?;
        discretization
            .validate()
            .map_err(|e| S4Error::InvalidOption {
                option: "--discretization",
                reason: e.to_string(),
            })?;
        Ok(Self {
            lambda,
            b,
            c,
            dt,
            discretization,
            conj_pairs,
        })
    }

    /// S4D with Λ from `init` at real state size n (N/2 modes), B = C = 1,
    /// conjugate pairs.
    pub fn from_init(
        init: DiagInit,
        n: usize,
        dt: f64,
        discretization: Discretization,
    ) -> Result<Self> {
        let lambda = init.lambda(n)?;
        let ones = vec![Complex64::new(1.0, 0.0); lambda.len()];
        Self::new(lambda, ones.clone(), ones, dt, discretization, true)
    }

    /// 2 with conjugate pairs, else 1.
    pub fn factor(&self) -> f64 {
        if self.conj_pairs {
            2.0
        } else {
            1.0
        }
    }

    /// `(Ā, B̄)` elementwise (`ssm_hippo::discretize_diag`).
    pub fn discrete(&self) -> Result<(Vec<Complex64>, Vec<Complex64>)> {
        let lam = nalgebra::DVector::from_column_slice(&self.lambda);
        let b = nalgebra::DVector::from_column_slice(&self.b);
        let (ab, bb) = discretize_diag(&lam, &b, self.dt, self.discretization)?;
        Ok((ab.iter().copied().collect(), bb.iter().copied().collect()))
    }

    /// Vandermonde inputs `(coef, log Ā)` with `K_ℓ = 2 Re Σ coef exp(ℓ log Ā)`:
    /// `coef = (f/2)·C·B̄·Ā^{shift}`; `shift = 1` gives the response to a state.
    fn vandermonde_inputs(
        &self,
        weights: &[Complex64],
    ) -> Result<(Vec<Complex64>, Vec<Complex64>)> {
        let (ab, _) = self.discrete()?;
        let half = 0.5 * self.factor();
        let log_a: Vec<Complex64> = if self.discretization == Discretization::Zoh {
            self.lambda.iter().map(|z| z * self.dt).collect()
        } else {
            ab.iter()
                .map(|a| {
                    if a.norm() == 0.0 {
                        Complex64::new(f64::NEG_INFINITY, 0.0)
                    } else {
                        a.ln()
                    }
                })
                .collect()
        };
        let coef = self
            .c
            .iter()
            .zip(weights)
            .map(|(c, w)| c * w * half)
            .collect();
        Ok((coef, log_a))
    }

    /// The kernel by the blocked log-Vandermonde product.
    pub fn kernel(&self, l: usize) -> Result<Vec<f64>> {
        check_l(l)?;
        let (_, bb) = self.discrete()?;
        let (coef, log_a) = self.vandermonde_inputs(&bb)?;
        Ok(log_vandermonde(&coef, &log_a, l))
    }

    /// The kernel by direct exponentials (naive twin).
    pub fn kernel_naive(&self, l: usize) -> Result<Vec<f64>> {
        check_l(l)?;
        let (_, bb) = self.discrete()?;
        let (coef, log_a) = self.vandermonde_inputs(&bb)?;
        Ok(log_vandermonde_naive(&coef, &log_a, l))
    }

    /// The dense twin: the realified system with the same rule.
    pub fn to_dense(&self) -> Result<DenseKernel> {
        let (a, b, c) = realify(&self.lambda, &[], &self.b, &self.c, self.factor());
        DenseKernel::new(a, b, c, self.dt, self.discretization)
    }

    /// `y_k = f Re Σ_n C_n Ā_n^{k+1} s0_n`, k < l: the zero-input response of `s0`.
    pub fn state_kernel(&self, s0: &[Complex64], l: usize) -> Result<Vec<f64>> {
        check_l(l)?;
        check_len("state", s0, self.lambda.len())?;
        let (ab, _) = self.discrete()?;
        let w: Vec<Complex64> = ab.iter().zip(s0).map(|(a, s)| a * s).collect();
        let (coef, log_a) = self.vandermonde_inputs(&w)?;
        Ok(log_vandermonde(&coef, &log_a, l))
    }
}

impl ConvKernel for DiagKernel {
    fn kernel(&self, l: usize) -> Result<Vec<f64>> {
        DiagKernel::kernel(self, l)
    }
}
