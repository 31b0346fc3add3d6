//! Discretizations of `x' = A x + B u` with step Δ (lineage.md §1 "Discretizations").
//!
//! Dense systems use [`discretize`], diagonal complex systems (S4D) use
//! [`discretize_diag`], and the time-varying LegS system `x' = (A/t) x + (B/t) u`
//! uses [`legs_step`] (hippo-code model/hippo.py:88-102).

use std::fmt;
use std::str::FromStr;

use nalgebra::{DMatrix, DVector};
use num_complex::Complex64;
use serde::{Deserialize, Serialize};

use crate::error::{
    check_all_finite, check_finite, check_nonzero, check_positive, HippoError, Result,
};

/// Names accepted by `Discretization::from_str`.
pub const DISCRETIZATION_NAMES: &str =
    "forward (euler), backward, bilinear (tustin), zoh, gbt:<alpha> (alpha in [0, 1])";

/// A discretization rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "lowercase")]
pub enum Discretization {
    /// Forward Euler: `Ā = I + ΔA`, `B̄ = ΔB` (s4 transition.py:101-113; hippo.py:91-93).
    Forward,
    /// Backward Euler: `Ā = (I − ΔA)⁻¹`, `B̄ = Δ(I − ΔA)⁻¹B` (transition.py:115-127; hippo.py:94-96).
    Backward,
    /// Bilinear (Tustin), GBT with α = ½ (ssm.py:298-318; annotated-s4 s4.py:169-174).
    Bilinear,
    /// Generalized bilinear transform:
    /// `Ā = (I − αΔA)⁻¹(I + (1−α)ΔA)`, `B̄ = Δ(I − αΔA)⁻¹B` (transition.py:129-165).
    Gbt {
        /// α ∈ [0, 1]: 0 forward, ½ bilinear, 1 backward.
        alpha: f64,
    },
    /// Zero-order hold: `Ā = exp(ΔA)`, `B̄ = (ΔA)⁻¹(exp(ΔA) − I)ΔB`
    /// (ssm.py:645-647; s4d.py:44).
    Zoh,
}

impl Discretization {
    /// The GBT α of the rule, or `None` for ZOH.
    pub fn gbt_alpha(&self) -> Option<f64> {
        match *self {
            Discretization::Forward => Some(0.0),
            Discretization::Backward => Some(1.0),
            Discretization::Bilinear => Some(0.5),
            Discretization::Gbt { alpha } => Some(alpha),
            Discretization::Zoh => None,
        }
    }

    /// Checks α of a GBT rule (option `alpha`).
    pub fn validate(&self) -> Result<()> {
        if let Discretization::Gbt { alpha } = *self {
            check_finite("alpha", alpha)?;
            if !(0.0..=1.0).contains(&alpha) {
                return Err(HippoError::InvalidOption {
                    option: "alpha",
                    reason: format!("GBT alpha must lie in [0, 1], got {alpha}"),
                });
            }
        }
        Ok(())
    }
}

impl fmt::Display for Discretization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Discretization::Forward => f.write_str("forward"),
            Discretization::Backward => f.write_str("backward"),
            Discretization::Bilinear => f.write_str("bilinear"),
            Discretization::Gbt { alpha } => write!(f, "gbt:{alpha}"),
            Discretization::Zoh => f.write_str("zoh"),
        }
    }
}

impl FromStr for Discretization {
    type Err = HippoError;

    fn from_str(s: &str) -> Result<Self> {
        let key = s.trim().to_ascii_lowercase();
        let unknown = || HippoError::UnknownDiscretization {
            name: s.to_string(),
            valid: DISCRETIZATION_NAMES,
        };
        let d = match key.as_str() {
            "forward" | "euler" | "forward-euler" | "forward_euler" => Discretization::Forward,
            "backward" | "backward-euler" | "backward_euler" => Discretization::Backward,
            "bilinear" | "tustin" => Discretization::Bilinear,
            "zoh" => Discretization::Zoh,
            other => {
                let rest = other
                    .strip_prefix("gbt:")
                    .or_else(|| other.strip_prefix("gbt="))
                    .ok_or_else(unknown)?;
                let alpha: f64 = rest.trim().parse().map_err(|_| HippoError::InvalidOption {
                    option: "alpha",
                    reason: format!("cannot parse GBT alpha from `{rest}`"),
                })?;
                Discretization::Gbt { alpha }
            }
        };
        d.validate()?;
        Ok(d)
    }
}

pub(crate) fn check_system(a: &DMatrix<f64>, b: &DVector<f64>) -> Result<()> {
    check_nonzero("n", a.nrows())?;
    if a.nrows() != a.ncols() {
        return Err(HippoError::Shape {
            option: "a",
            reason: format!("A must be square, got {}x{}", a.nrows(), a.ncols()),
        });
    }
    if b.len() != a.nrows() {
        return Err(HippoError::Shape {
            option: "b",
            reason: format!("B has length {}, A is {}x{}", b.len(), a.nrows(), a.ncols()),
        });
    }
    check_all_finite("a", a.iter())?;
    check_all_finite("b", b.iter())
}

/// Discretizes the dense LTI system (A, B) with step `dt`.
///
/// Errors: `dt` not finite or ≤ 0, non-square A, mismatched B, non-finite
/// entries, a singular `I − αΔA`.
pub fn discretize(
    a: &DMatrix<f64>,
    b: &DVector<f64>,
    dt: f64,
    method: Discretization,
) -> Result<(DMatrix<f64>, DVector<f64>)> {
    check_system(a, b)?;
    check_positive("dt", dt)?;
    method.validate()?;
    match method.gbt_alpha() {
        Some(alpha) => gbt_dense(a, b, dt, alpha),
        None => Ok(zoh_dense(a, b, dt)),
    }
}

/// GBT(α) for a dense system: `Ā = (I − αΔA)⁻¹(I + (1−α)ΔA)`, `B̄ = (I − αΔA)⁻¹ΔB`
/// (s4 transition.py:129-165), via one LU factorization (no explicit inverse).
pub(crate) fn gbt_dense(
    a: &DMatrix<f64>,
    b: &DVector<f64>,
    dt: f64,
    alpha: f64,
) -> Result<(DMatrix<f64>, DVector<f64>)> {
    let n = a.nrows();
    let id = DMatrix::<f64>::identity(n, n);
    let rhs_a = &id + a * ((1.0 - alpha) * dt);
    let rhs_b = b * dt;
    if alpha == 0.0 {
        return Ok((rhs_a, rhs_b));
    }
    let lu = (&id - a * (alpha * dt)).lu();
    let singular = || HippoError::Numerical {
        context: "GBT discretization",
        reason: format!("I - alpha*dt*A is singular (alpha = {alpha}, dt = {dt})"),
    };
    let ab = lu.solve(&rhs_a).ok_or_else(singular)?;
    let bb = lu.solve(&rhs_b).ok_or_else(singular)?;
    Ok((ab, bb))
}

/// ZOH for a dense system through the augmented exponential
/// `exp([[ΔA, ΔB], [0, 0]]) = [[exp(ΔA), ∫₀^Δ exp(sA) ds B], [0, 1]]`,
/// whose top-right block is `A⁻¹(exp(ΔA) − I)B` without inverting A (valid for singular A).
pub(crate) fn zoh_dense(
    a: &DMatrix<f64>,
    b: &DVector<f64>,
    dt: f64,
) -> (DMatrix<f64>, DVector<f64>) {
    let n = a.nrows();
    let mut m = DMatrix::<f64>::zeros(n + 1, n + 1);
    m.view_mut((0, 0), (n, n)).copy_from(&(a * dt));
    m.view_mut((0, n), (n, 1)).copy_from(&(b * dt));
    let e = m.exp();
    let ab = e.view((0, 0), (n, n)).into_owned();
    let bb = e.view((0, n), (n, 1)).column(0).into_owned();
    (ab, bb)
}

/// `expm1(z) = e^z − 1` for complex z without cancellation:
/// `Re = expm1(x)·cos y − 2 sin²(y/2)`, `Im = e^x sin y`.
pub fn complex_expm1(z: Complex64) -> Complex64 {
    let (x, y) = (z.re, z.im);
    let s = (0.5 * y).sin();
    Complex64::new(x.exp_m1() * y.cos() - 2.0 * s * s, x.exp() * y.sin())
}

/// `φ₁(z) = (e^z − 1)/z`, with φ₁(0) = 1.
pub fn phi1(z: Complex64) -> Complex64 {
    if z.norm() < 1e-6 {
        // 1 + z/2 + z²/6 + z³/24, error O(|z|⁴) < 1e-24.
        Complex64::new(1.0, 0.0) + z * (0.5 + z * (1.0 / 6.0 + z / 24.0))
    } else {
        complex_expm1(z) / z
    }
}

/// Discretizes a diagonal complex system `x' = Λx + Bu` elementwise.
///
/// * GBT(α): `Ā = (1 + (1−α)ΔΛ)/(1 − αΔΛ)`, `B̄ = ΔB/(1 − αΔΛ)`; bilinear is
///   ssm.py:648-650.
/// * ZOH: `Ā = exp(ΔΛ)`, `B̄ = B(exp(ΔΛ) − 1)/Λ = ΔB·φ₁(ΔΛ)` (ssm.py:645-647,
///   s4d.py:44), finite at Λ = 0.
pub fn discretize_diag(
    lambda: &DVector<Complex64>,
    b: &DVector<Complex64>,
    dt: f64,
    method: Discretization,
) -> Result<(DVector<Complex64>, DVector<Complex64>)> {
    check_nonzero("n", lambda.len())?;
    if b.len() != lambda.len() {
        return Err(HippoError::Shape {
            option: "b",
            reason: format!(
                "B has length {}, lambda has length {}",
                b.len(),
                lambda.len()
            ),
        });
    }
    check_all_finite("lambda", lambda.iter().flat_map(|z| [&z.re, &z.im]))?;
    check_all_finite("b", b.iter().flat_map(|z| [&z.re, &z.im]))?;
    check_positive("dt", dt)?;
    method.validate()?;
    let n = lambda.len();
    let mut ab = DVector::<Complex64>::zeros(n);
    let mut bb = DVector::<Complex64>::zeros(n);
    match method.gbt_alpha() {
        Some(alpha) => {
            for i in 0..n {
                let z = lambda[i] * dt;
                let den = Complex64::new(1.0, 0.0) - z * alpha;
                if den.norm() == 0.0 {
                    return Err(HippoError::Numerical {
                        context: "diagonal GBT discretization",
                        reason: format!("1 - alpha*dt*lambda[{i}] vanishes"),
                    });
                }
                ab[i] = (Complex64::new(1.0, 0.0) + z * (1.0 - alpha)) / den;
                bb[i] = b[i] * dt / den;
            }
        }
        None => {
            for i in 0..n {
                let z = lambda[i] * dt;
                ab[i] = z.exp();
                bb[i] = b[i] * dt * phi1(z);
            }
        }
    }
    Ok((ab, bb))
}

/// Per-step matrices of the time-varying LegS system `x' = (A/t)x + (B/t)u`
/// at step `k ≥ 1` (hippo-code model/hippo.py:88-102):
/// GBT rules use `A/k`, `B/k` with unit step; ZOH integrates over
/// `log(k+1) − log k`: `Ā = exp(A·δ)`, `B̄ = A⁻¹(Ā − I)B` (augmented exponential,
/// no inverse). Works for any (A, B); LegS is the intended use.
pub fn legs_step(
    a: &DMatrix<f64>,
    b: &DVector<f64>,
    k: usize,
    method: Discretization,
) -> Result<(DMatrix<f64>, DVector<f64>)> {
    check_system(a, b)?;
    check_nonzero("k", k)?;
    method.validate()?;
    let kf = k as f64;
    match method.gbt_alpha() {
        Some(alpha) => gbt_dense(&(a / kf), &(b / kf), 1.0, alpha),
        None => {
            let delta = (1.0 / kf).ln_1p();
            Ok(zoh_dense(a, b, delta))
        }
    }
}
