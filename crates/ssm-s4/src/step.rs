//! Recurrent (step) modes: the state recurrence that the convolution kernels
//! summarise (S4 paper Thm 2, the O(N) DPLR recurrence; ssm.py:911-1038).
//!
//! * [`DplrStep`]: the O(N) bilinear step of a DPLR system (ssm.py:911-972;
//!   annotated-s4 discrete_DPLR 1074-1103). `(2/Δ − A) x' = (2/Δ + A) x + 2Bu` with
//!   `A = Λ − PP*`: `x' = D(E x − P(P*x) + 2Bu)` corrected for the rank-r term by
//!   Woodbury, `D = (2/Δ − Λ)^{-1}`, `E = 2/Δ + Λ`.
//! * [`DiagStep`]: `s' = Ā s + B̄ u` elementwise (S4D, DSS; ssm.py:997-1038).
//! * [`DenseStep`]: `x' = Ā x + B̄ u` with the dense discretised matrices.
//!
//! All keep the output convention of the kernels (`y_k = C x_k + D u_k`, `x_{−1}` the
//! initial state), so `step_many` from a zero state equals `K ∗ u + D u`, and from
//! a state s0 adds the kernels' `state_kernel(s0)`. Half-basis states stand for
//! `[s; s̄]`; the output is `2 Re(c·s)`.

use nalgebra::{DMatrix, DVector};
use num_complex::Complex64;

use crate::error::{check_len, Result, S4Error};
use crate::kernel::{DenseKernel, DiagKernel, DplrKernel, DssKernel};

fn check_d(d: f64) -> Result<()> {
    if !d.is_finite() {
        return Err(S4Error::InvalidOption {
            option: "d",
            reason: format!("the skip term must be finite, got {d}"),
        });
    }
    Ok(())
}

/// A recurrent (step) mode: one output per input token, the state updated in place.
pub trait Recurrence {
    /// What the state holds: complex modes (half basis) or real coordinates.
    type Elem: Clone + Default;

    /// The number of state entries.
    fn state_len(&self) -> usize;

    /// One step: updates `s` with input `u` and returns the output.
    fn step(&self, s: &mut [Self::Elem], u: f64) -> f64;

    /// The zero state.
    fn zero_state(&self) -> Vec<Self::Elem> {
        vec![Self::Elem::default(); self.state_len()]
    }

    /// Several steps (a chunk of tokens); returns one output per input.
    fn step_many(&self, s: &mut [Self::Elem], u: &[f64]) -> Result<Vec<f64>> {
        check_len("state", s, self.state_len())?;
        Ok(u.iter().map(|&x| self.step(s, x)).collect())
    }
}

/// O(N) bilinear step of a DPLR system.
#[derive(Debug, Clone)]
pub struct DplrStep {
    p: Vec<Vec<Complex64>>,
    b: Vec<Complex64>,
    c: Vec<Complex64>,
    /// `D_n = 1/(2/Δ − Λ_n)`.
    dinv: Vec<Complex64>,
    /// `E_n = 2/Δ + Λ_n`.
    e: Vec<Complex64>,
    /// `(I + P_f* D_f P_f)^{-1}` (real r×r, row-major).
    cap_inv: Vec<f64>,
    d: f64,
}

impl DplrStep {
    /// Precomputes D, E and the real r×r capacitance inverse
    /// `(I + M)^{-1}`, `M_jk = 2 Re Σ_n conj(p_j,n) D_n p_k,n`; `d` is the skip term.
    pub fn new(k: &DplrKernel, d: f64) -> Result<Self> {
        check_d(d)?;
        let two_dt = 2.0 / k.dt;
        let dinv: Vec<Complex64> = k
            .lambda
            .iter()
            .map(|l| Complex64::new(1.0, 0.0) / (Complex64::new(two_dt, 0.0) - l))
            .collect();
        if dinv.iter().any(|z| !z.re.is_finite() || !z.im.is_finite()) {
            return Err(S4Error::Numerical {
                context: "DPLR step",
                reason: "2/Δ − Λ_n vanishes for some mode".to_string(),
            });
        }
        let e = k
            .lambda
            .iter()
            .map(|l| Complex64::new(two_dt, 0.0) + l)
            .collect();
        let r = k.rank();
        let mut m = DMatrix::<f64>::identity(r, r);
        for j in 0..r {
            for q in 0..r {
                let s: Complex64 = (0..k.modes())
                    .map(|n| k.p[j][n].conj() * dinv[n] * k.p[q][n])
                    .sum();
                m[(j, q)] += 2.0 * s.re;
            }
        }
        let inv = m.try_inverse().ok_or_else(|| S4Error::Numerical {
            context: "DPLR step",
            reason: "I + P*DP is singular".to_string(),
        })?;
        let cap_inv = (0..r * r).map(|i| inv[(i / r, i % r)]).collect();
        Ok(Self {
            p: k.p.clone(),
            b: k.b.clone(),
            c: k.c.clone(),
            dinv,
            e,
            cap_inv,
            d,
        })
    }


    fn project(&self, v: &[Complex64]) -> Vec<f64> {
        // P_f^* [v; v̄] = 2 Re(p_j^H v) per rank.
        self.p
            .iter()
            .map(|pj| {
                2.0 * pj
                    .iter()
                    .zip(v)
                    .map(|(p, x)| p.conj() * x)
                    .sum::<Complex64>()
                    .re
            })
            .collect()
    }
}

impl Recurrence for DplrStep {
    type Elem = Complex64;

    fn state_len(&self) -> usize {
        self.b.len()
    }

    /// One step: updates `s` with input `u` and returns `y = 2 Re(c·s') + d·u`.
    fn step(&self, s: &mut [Complex64], u: f64) -> f64 {
        debug_assert_eq!(s.len(), self.b.len());
        // rhs = E s − P (P* s) + 2 B u.
        let g = self.project(s);
        for (n, x) in s.iter_mut().enumerate() {
            let mut v = self.e[n] * *x + self.b[n] * (2.0 * u);
            for (pj, gj) in self.p.iter().zip(&g) {
                v -= pj[n] * *gj;
            }
            // y1 = D rhs.
            *x = self.dinv[n] * v;
        }
        // x' = y1 − D P (I + P*DP)^{-1} P* y1.
        let delta = self.project(s);
        let r = self.p.len();
        let mu: Vec<f64> = (0..r)
            .map(|j| (0..r).map(|q| self.cap_inv[j * r + q] * delta[q]).sum())
            .collect();
        for (n, x) in s.iter_mut().enumerate() {
            let mut corr = Complex64::new(0.0, 0.0);
            for (pj, mj) in self.p.iter().zip(&mu) {
                corr += pj[n] * *mj;
            }
            *x -= self.dinv[n] * corr;
        }
        2.0 * self
            .c
            .iter()
            .zip(s.iter())
            .map(|(c, x)| c * x)
            .sum::<Complex64>()
            .re
            + self.d * u
    }

}

/// Elementwise step of a diagonal system.
#[derive(Debug, Clone)]
pub struct DiagStep {
    a_bar: Vec<Complex64>,
    b_bar: Vec<Complex64>,
    c: Vec<Complex64>,
    factor: f64,
    d: f64,
}

impl DiagStep {
    /// From an S4D kernel (its rule's Ā, B̄); `d` is the skip term.
    pub fn new(k: &DiagKernel, d: f64) -> Result<Self> {
        check_d(d)?;
        let (a_bar, b_bar) = k.discrete()?;
        Ok(Self {
            a_bar,
            b_bar,
            c: k.c.clone(),
            factor: k.factor(),
            d,
        })
    }

    /// From a DSS kernel normalised for length `l` (see [`DssKernel::to_diag`]).
    pub fn from_dss(k: &DssKernel, l: usize, d: f64) -> Result<Self> {
        Self::new(&k.to_diag(l)?, d)
    }

}

impl Recurrence for DiagStep {
    type Elem = Complex64;

    fn state_len(&self) -> usize {
        self.b_bar.len()
    }

    /// One step: `s ← Ā s + B̄ u`, returns `f Re(c·s) + d u`.
    fn step(&self, s: &mut [Complex64], u: f64) -> f64 {
        let mut y = Complex64::new(0.0, 0.0);
        for (n, x) in s.iter_mut().enumerate() {
            *x = self.a_bar[n] * *x + self.b_bar[n] * u;
            y += self.c[n] * *x;
        }
        self.factor * y.re + self.d * u
    }

}

/// Step of the dense discretised system.
#[derive(Debug, Clone)]
pub struct DenseStep {
    a_bar: DMatrix<f64>,
    b_bar: DVector<f64>,
    c: DVector<f64>,
    d: f64,
}

impl DenseStep {
    /// From a dense kernel (its rule); `d` is the skip term.
    pub fn new(k: &DenseKernel, d: f64) -> Result<Self> {
        check_d(d)?;
        let (a_bar, b_bar) = k.discrete()?;
        Ok(Self {
            a_bar,
            b_bar,
            c: k.c.clone(),
            d,
        })
    }

}

impl Recurrence for DenseStep {
    type Elem = f64;

    fn state_len(&self) -> usize {
        self.b_bar.len()
    }

    /// One step: `x ← Ā x + B̄ u`, returns `C x + d u`.
    fn step(&self, x: &mut [f64], u: f64) -> f64 {
        let xv = DVector::from_column_slice(x);
        let next = &self.a_bar * xv + &self.b_bar * u;
        x.copy_from_slice(next.as_slice());
        self.c.dot(&next) + self.d * u
    }

}
