//! Ground truth: the dense discrete system and its Krylov kernel
//! `K = (CB̄, CĀB̄, …, CĀ^{L−1}B̄)` (LSSL §3.2; S4 paper eq. (4)-(5)),
//! discretised and powered by `ssm-hippo` (ssm.py:298-318 `SSMKernelDense`).

use nalgebra::{DMatrix, DVector};
use ssm_hippo::{discretize, krylov_blocked, krylov_naive, transition, Discretization, Measure};

use super::ConvKernel;
use crate::error::{check_dt, check_l, Result, S4Error};

/// A dense continuous-time system `x' = Ax + Bu`, `y = Cx`, and its step Δ.
#[derive(Debug, Clone, PartialEq)]
pub struct DenseKernel {
    /// A (N × N).
    pub a: DMatrix<f64>,
    /// B (N).
    pub b: DVector<f64>,
    /// C (N), the output row.
    pub c: DVector<f64>,
    /// Step Δ.
    pub dt: f64,
    /// Discretization rule.
    pub discretization: Discretization,
}

impl DenseKernel {
    /// Checks shapes, finiteness and Δ.
    pub fn new(
        a: DMatrix<f64>,
        b: DVector<f64>,
        c: DVector<f64>,
        dt: f64,
        discretization: Discretization,
    ) -> Result<Self> {
        check_dt(dt)?;
        let n = a.nrows();
        if n == 0 || a.ncols() != n || b.len() != n || c.len() != n {
            return Err(S4Error::Shape {
                what: "dense system",
                reason: format!(
                    "A is {}x{}, B has {} entries, C has {}",
                    a.nrows(),
                    a.ncols(),
                    b.len(),
                    c.len()
                ),
            });
        }
        if a.iter()
            .chain(b.iter())
            .chain(c.iter())
            .any(|x| !x.is_finite())
        {
            return Err(S4Error::InvalidOption {
                option: "dense system",
                reason: "A, B and C must be finite".to_string(),
            });
        }
        Ok(Self {
            a,
            b,
            c,
            dt,
            discretization,
        })
    }

    /// The HiPPO system of `measure` at size n with output row `c`
    /// (all ones when `None`), the `--c ones` of `ssm-lab kernel`.
    pub fn from_hippo(
        measure: Measure,
        n: usize,
        dt: f64,
        discretization: Discretization,
        c: Option<&[f64]>,
    ) -> Result<Self> {
        let (a, b) = transition(measure, n)?;
        let c = match c {
            Some(c) => {
                if c.len() != n {
                    return Err(S4Error::Shape {
                        what: "c",
                        reason: format!("C has {} entries, N = {n}", c.len()),
                    });
                }
                DVector::from_column_slice(c)
            }
            None => DVector::from_element(n, 1.0),
        };
        Self::new(a, b, c, dt, discretization)
    }

    /// State size N.
    pub fn state_size(&self) -> usize {
        self.a.nrows()
    }

    /// `(Ā, B̄)` of the chosen rule.
    pub fn discrete(&self) -> Result<(DMatrix<f64>, DVector<f64>)> {
        Ok(discretize(&self.a, &self.b, self.dt, self.discretization)?)
    }

    /// Kernel by L matrix-vector products (`krylov_naive`), O(N²L): the reference.
    pub fn kernel_naive(&self, l: usize) -> Result<Vec<f64>> {
        check_l(l)?;
        let (ab, bb) = self.discrete()?;
        Ok(krylov_naive(&ab, &bb, &self.c, l)?)
    }

    /// Kernel by baby-step/giant-step blocks (`krylov_blocked`).
    pub fn kernel_blocked(&self, l: usize) -> Result<Vec<f64>> {
        check_l(l)?;
        let (ab, bb) = self.discrete()?;
        Ok(krylov_blocked(&ab, &bb, &self.c, l)?)
    }

    /// Zero-input response from the state `x0` before the first input:
    /// `y_k = C Ā^{k+1} x0`, k < l.
    pub fn state_kernel(&self, x0: &[f64], l: usize) -> Result<Vec<f64>> {
        check_l(l)?;
        if x0.len() != self.state_size() {
            return Err(S4Error::Shape {
                what: "state",
                reason: format!("state has {} entries, N = {}", x0.len(), self.state_size()),
            });
        }
        let (ab, _) = self.discrete()?;
        let start = &ab * DVector::from_column_slice(x0);
        Ok(krylov_naive(&ab, &start, &self.c, l)?)
    }
}

impl ConvKernel for DenseKernel {
    /// The naive Krylov kernel.
    fn kernel(&self, l: usize) -> Result<Vec<f64>> {
        self.kernel_naive(l)
    }
}
