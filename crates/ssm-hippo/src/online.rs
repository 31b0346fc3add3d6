//! Online function approximation, HiPPO's core (HiPPO §2-3, App. D-E;
//! hippo-code model/hippo.py HiPPO_LegS / HiPPO_LegT).
//!
//! An [`OnlineApproximator`] is fed a signal sample by sample and keeps the
//! coefficient vector c_k of the projection of the history onto the measure's
//! basis; [`OnlineApproximator::reconstruct`] evaluates the approximation.
//!
//! Time convention: sample k (1-based) stands for the cell `((k−1)·dt, k·dt]`
//! (the held input of ZOH, the midpoint input of the bilinear rule), so after k
//! samples the time is `t = k·dt` and sample j is compared with the
//! reconstruction at the cell midpoint `(j − ½)·dt`.
//!
//! * LegS: `c' = (1/t)(A c + B f)`; step k uses `A/k`, `B/k` (GBT rules) or ZOH over
//!   `log(k+1) − log k` (hippo.py:88-102). dt only scales the time axis (LegS is
//!   timescale invariant). GBT steps cost O(N): `A = −(tril-of-rank-1 + diag)` is
//!   applied and inverted with prefix sums (HiPPO App. E, "fast LegS"); ZOH builds
//!   the per-step exponential (O(N³) per step).
//! * Time-invariant measures: `c' = (s/θ)(A c + B f)` with the convention factor
//!   s (2 for the halved s4 LegT and FouT, 1 for unhalved LegT, LMU and LagT) so
//!   that θ is the true window length (LegT, LMU, FouT) or time scale (LagT);
//!   Ā, B̄ are precomputed once and each step is one O(N²) matrix-vector product.

use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::basis::{fout_basis, lagt_basis, legs_basis, legt_basis, lmu_basis};
use crate::discretize::{discretize, legs_step, Discretization};
use crate::error::{check_finite, check_nonzero, check_positive, HippoError, Result};
use crate::matrices::transition;
use crate::measure::Measure;

/// Options of an [`OnlineApproximator`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OnlineOptions {
    /// Time between samples (> 0).
    pub dt: f64,
    /// Window length (LegT, LMU, FouT) or time scale (LagT); unused by LegS.
    pub theta: f64,
    /// Discretization rule.
    pub method: Discretization,
}

impl Default for OnlineOptions {
    fn default() -> Self {
        OnlineOptions {
            dt: 1e-3,
            theta: 1.0,
            method: Discretization::Bilinear,
        }
    }
}

/// Error of a reconstruction against the samples it saw.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ErrorMetrics {
    /// Mean squared error.
    pub mse: f64,
    /// Root mean squared error.
    pub rmse: f64,
    /// Largest absolute error.
    pub max_abs: f64,
    /// Number of samples compared.
    pub count: usize,
}

impl ErrorMetrics {
    /// Metrics of `approx` against `target` (equal lengths, at least one).
    pub fn between(approx: &[f64], target: &[f64]) -> Result<Self> {
        if approx.len() != target.len() {
            return Err(HippoError::Shape {
                option: "target",
                reason: format!(
                    "{} approximations vs {} targets",
                    approx.len(),
                    target.len()
                ),
            });
        }
        check_nonzero("count", approx.len())?;
        let mut se = 0.0;
        let mut max_abs = 0.0f64;
        for (x, y) in approx.iter().zip(target) {
            let e = x - y;
            se += e * e;
            max_abs = max_abs.max(e.abs());
        }
        let mse = se / approx.len() as f64;
        Ok(ErrorMetrics {
            mse,
            rmse: mse.sqrt(),
            max_abs,
            count: approx.len(),
        })
    }
}

#[derive(Debug, Clone)]
enum Stepper {
    /// O(N) LegS GBT(α) step: only √(2n+1) is needed.
    LegsGbt { alpha: f64, r: Vec<f64> },
    /// LegS ZOH: per-step exponential of the dense A.
    LegsZoh { a: DMatrix<f64>, b: DVector<f64> },
    /// Time-invariant: precomputed Ā, B̄.
    Lti {
        a_bar: DMatrix<f64>,
        b_bar: DVector<f64>,
    },
}

/// Streaming HiPPO projection of a scalar signal.
#[derive(Debug, Clone)]
pub struct OnlineApproximator {
    measure: Measure,
    n: usize,
    opts: OnlineOptions,
    stepper: Stepper,
    c: DVector<f64>,
    scratch: DVector<f64>,
    k: usize,
}

/// Convention factor s of `c' = (s/θ)(A c + B f)` (see the module docs).
pub fn timescale_factor(measure: Measure) -> Result<f64> {
    match measure {
        Measure::LegT { halved: true } | Measure::FouT => Ok(2.0),
        Measure::LegT { halved: false } | Measure::Lmu | Measure::LagT { .. } => Ok(1.0),
        Measure::LegS => Ok(1.0),
        Measure::GLagT { .. } => Err(HippoError::Unsupported {
            measure: measure.name().to_string(),
            what: "online reconstruction (use lagt, legt, legs, fout or lmu)",
        }),
    }
}

impl OnlineApproximator {
    /// New approximator of order `n` with zero state.
    ///
    /// Errors name the option: `n` (0, or odd for FouT), `dt`, `theta`
    /// (≤ 0 / non-finite), `beta` (0 for LagT: the basis divides by β),
    /// `measure` (GLagT is not supported online), `alpha` (GBT).
    pub fn new(measure: Measure, n: usize, opts: OnlineOptions) -> Result<Self> {
        check_nonzero("n", n)?;
        check_positive("dt", opts.dt)?;
        check_positive("theta", opts.theta)?;
        opts.method.validate()?;
        measure.validate()?;
        let s = timescale_factor(measure)?;
        if let Measure::LagT { beta } = measure {
            if beta == 0.0 {
                return Err(HippoError::InvalidOption {
                    option: "beta",
                    reason:
                        "must be nonzero for online reconstruction (the basis is scaled by 1/beta)"
                            .to_string(),
                });
            }
        }
        let (a, b) = transition(measure, n)?;
        let stepper = match measure {
            Measure::LegS => match opts.method.gbt_alpha() {
                Some(alpha) => Stepper::LegsGbt {
                    alpha,
                    r: (0..n).map(|i| ((2 * i + 1) as f64).sqrt()).collect(),
                },
                None => Stepper::LegsZoh { a, b },
            },
            _ => {
                let scale = s / opts.theta;
                let (a_bar, b_bar) = discretize(&(a * scale), &(b * scale), opts.dt, opts.method)?;
                Stepper::Lti { a_bar, b_bar }
            }
        };
        Ok(OnlineApproximator {
            measure,
            n,
            opts,
            stepper,
            c: DVector::zeros(n),
            scratch: DVector::zeros(n),
            k: 0,
        })
    }

    /// The measure.
    pub fn measure(&self) -> Measure {
        self.measure
    }

    /// State size N.
    pub fn order(&self) -> usize {
        self.n
    }

    /// Options it was built with.
    pub fn options(&self) -> OnlineOptions {
        self.opts
    }

    /// Number of samples consumed.
    pub fn steps(&self) -> usize {
        self.k
    }

    /// Current time `k·dt`.
    pub fn time(&self) -> f64 {
        self.k as f64 * self.opts.dt
    }

    /// Current coefficients c_k.
    pub fn coefficients(&self) -> &DVector<f64> {
        &self.c
    }

    /// Precomputed (Ā, B̄) of a time-invariant measure; `None` for LegS.
    pub fn discrete_pair(&self) -> Option<(&DMatrix<f64>, &DVector<f64>)> {
        match &self.stepper {
            Stepper::Lti { a_bar, b_bar } => Some((a_bar, b_bar)),
            _ => None,
        }
    }

    /// Back to zero state and time 0.
    pub fn reset(&mut self) {
        self.c.fill(0.0);
        self.k = 0;
    }

    /// Consumes one sample. Errors (option `f`) if it is not finite; the state is unchanged then.
    pub fn update(&mut self, f: f64) -> Result<()> {
        check_finite("f", f)?;
        self.k += 1;
        match &self.stepper {
            Stepper::LegsGbt { alpha, r } => {
                legs_gbt_step(&mut self.c, r, *alpha, self.k, f);
            }
            Stepper::LegsZoh { a, b } => {
                let (ab, bb) = legs_step(a, b, self.k, Discretization::Zoh)?;
                self.scratch.gemv(1.0, &ab, &self.c, 0.0);
                self.scratch.axpy(f, &bb, 1.0);
                std::mem::swap(&mut self.c, &mut self.scratch);
            }
            Stepper::Lti { a_bar, b_bar } => {
                self.scratch.gemv(1.0, a_bar, &self.c, 0.0);
                self.scratch.axpy(f, b_bar, 1.0);
                std::mem::swap(&mut self.c, &mut self.scratch);
            }
        }
        Ok(())
    }

    /// Consumes every sample of `fs` (checks all of them first, option `f`).
    pub fn extend(&mut self, fs: &[f64]) -> Result<()> {
        crate::error::check_all_finite("f", fs.iter())?;
        for &f in fs {
            self.update(f)?;
        }
        Ok(())
    }

    /// Interval `[lo, hi]` on which the basis represents the signal:
    /// LegS `[0, t]`; LegT, LMU, FouT `[t − θ, t]`; LagT `[t − 40θ, t]`
    /// (the Laguerre functions are negligible beyond; any earlier time is also accepted).
    pub fn support(&self) -> (f64, f64) {
        let t = self.time();
        match self.measure {
            Measure::LegS => (0.0, t),
            Measure::LagT { .. } => (t - 40.0 * self.opts.theta, t),
            _ => (t - self.opts.theta, t),
        }
    }

    /// Default span used by [`OnlineApproximator::window_error`]: t for LegS, θ otherwise.
    pub fn default_span(&self) -> f64 {
        match self.measure {
            Measure::LegS => self.time(),
            _ => self.opts.theta,
        }
    }

    /// Basis values at absolute time `x`.
    fn basis_at(&self, x: f64) -> Vec<f64> {
        let t = self.time();
        let age = t - x;
        let theta = self.opts.theta;
        match self.measure {
            Measure::LegS => legs_basis(self.n, t, x),
            Measure::LegT { .. } => legt_basis(self.n, theta, age),
            Measure::Lmu => lmu_basis(self.n, theta, age),
            Measure::LagT { beta } => lagt_basis(self.n, theta, beta, age),
            Measure::FouT => fout_basis(self.n, theta, age),
            Measure::GLagT { .. } => unreachable!("rejected in new"),
        }
    }

    fn check_time(&self, x: f64) -> Result<()> {
        check_finite("x", x)?;
        if self.k == 0 {
            return Err(HippoError::InvalidOption {
                option: "x",
                reason: "no sample has been consumed yet".to_string(),
            });
        }
        let (lo, hi) = self.support();
        let slack = 1e-9 * self.opts.dt.max(hi.abs());
        let lo_ok = matches!(self.measure, Measure::LagT { .. }) || x >= lo - slack;
        if !lo_ok || x > hi + slack {
            return Err(HippoError::InvalidOption {
                option: "x",
                reason: format!("time {x} lies outside the approximation window [{lo}, {hi}]"),
            });
        }
        Ok(())
    }

    /// Value of the approximation at absolute time `x` (inside [`Self::support`]).
    pub fn evaluate(&self, x: f64) -> Result<f64> {
        self.check_time(x)?;
        Ok(self
            .basis_at(x)
            .iter()
            .zip(self.c.iter())
            .map(|(g, c)| g * c)
            .sum())
    }

    /// Values at many absolute times (evaluated in parallel).
    pub fn reconstruct(&self, times: &[f64]) -> Result<Vec<f64>> {
        for &x in times {
            self.check_time(x)?;
        }
        Ok(times
            .par_iter()
            .map(|&x| {
                self.basis_at(x)
                    .iter()
                    .zip(self.c.iter())
                    .map(|(g, c)| g * c)
                    .sum()
            })
            .collect())
    }

    /// Error of the reconstruction over the last `span` time units (default
    /// [`Self::default_span`]) against the samples seen, `history[j−1]` being
    /// sample j, compared at its cell midpoint `(j − ½)·dt`.
    /// `history.len()` must equal [`Self::steps`].
    pub fn window_error(&self, history: &[f64], span: Option<f64>) -> Result<ErrorMetrics> {
        if history.len() != self.k {
            return Err(HippoError::Shape {
                option: "history",
                reason: format!("{} samples given, {} consumed", history.len(), self.k),
            });
        }
        check_nonzero("history", history.len())?;
        let span = span.unwrap_or_else(|| self.default_span());
        check_positive("span", span)?;
        let t = self.time();
        let (lo, _) = self.support();
        let start = if matches!(self.measure, Measure::LagT { .. }) {
            t - span
        } else {
            (t - span).max(lo)
        };
        let dt = self.opts.dt;
        let mut times = Vec::new();
        let mut target = Vec::new();
        for (j, &f) in history.iter().enumerate() {
            let x = (j as f64 + 0.5) * dt;
            if x >= start - 1e-9 * dt {
                times.push(x);
                target.push(f);
            }
        }
        let approx = self.reconstruct(&times)?;
        ErrorMetrics::between(&approx, &target)
    }
}

/// One O(N) LegS GBT(α) step at index k (HiPPO App. E):
/// `c ← (I − αA/k)⁻¹[(I + (1−α)A/k)c + (B/k)f]` with
/// `(A x)_n = −√(2n+1) Σ_{j<n} √(2j+1) x_j − (n+1) x_n` (prefix sums) and the
/// lower-triangular solve `y_n = (r_n − (α/k)√(2n+1) Σ_{j<n} √(2j+1) y_j) / (1 + (α/k)(n+1))`.
///
/// The running sum of the solve is updated as `S ← S·(1 − (α/k)(2n+1)/d_n) + √(2n+1)·r_n/d_n`
/// (d_n the divisor), so the loop-carried dependency is one multiply-add and the
/// division stays off the critical path.
pub(crate) fn legs_gbt_step(c: &mut DVector<f64>, r: &[f64], alpha: f64, k: usize, f: f64) {
    let h = 1.0 / k as f64;
    let fw = (1.0 - alpha) * h;
    let bw = alpha * h;
    let hf = h * f;
    let mut s_c = 0.0; // Σ_{j<n} r_j c_j (old c)
    let mut s_y = 0.0; // Σ_{j<n} r_j y_j (new c)
    for (ci, (i, &ri)) in c.iter_mut().zip(r.iter().enumerate()) {
        let old = *ci;
        let np1 = (i + 1) as f64;
        let inv = 1.0 / (1.0 + bw * np1);
        let rhs = old + fw * (-ri * s_c - np1 * old) + ri * hf;
        *ci = (rhs - bw * ri * s_y) * inv;
        s_c += ri * old;
        let g = ri * inv;
        s_y = s_y * (1.0 - bw * ri * g) + g * rhs;
    }
}
