//! Initialisations of the diagonal kernels (S4D paper §4; s4 dplr.py:44-85,
//! lineage.md §1 "Inits") and of the step size (ssm.py:136-151; s4d.py:18-20).
//!
//! With N the real state size, N/2 modes `Λ_n = −Re_n − i·Im_n` (dplr.py "A = −real
//! − 1j·imag"), n = 0..N/2 − 1:
//!
//! * S4D-Lin: Re = ½, Im_n = πn.
//! * S4D-Inv: Re = ½, Im_n = (N/π)(N/(2n+1) − 1).
//! * S4D-Real: Re_n = n + 1, Im = 0.
//! * S4D-LegS: Λ of `nplr(legs, N)` (Re = −½, Im ≤ 0).

use std::f64::consts::PI;
use std::fmt;
use std::str::FromStr;

use num_complex::Complex64;
use rand::Rng;
use serde::{Deserialize, Serialize};
use ssm_hippo::{nplr, Measure};

use crate::error::{check_even_n, Result, S4Error};

/// Names accepted by `DiagInit::from_str`.
pub const DIAG_INIT_NAMES: &str = "lin (s4d-lin), inv (s4d-inv), real (s4d-real), legs (s4d-legs)";

/// Initialisation of Λ for S4D / DSS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiagInit {
    /// S4D-Lin: `Λ_n = −½ − iπn` (dplr.py "lin").
    Lin,
    /// S4D-Inv: `Λ_n = −½ − i(N/π)(N/(2n+1) − 1)` (dplr.py "inv").
    Inv,
    /// S4D-Real: `Λ_n = −(n + 1)` (dplr.py "real").
    Real,
    /// S4D-LegS: the diagonal part Λ of the NPLR form of HiPPO-LegS (dplr.py "legs").
    LegS,
}

impl DiagInit {
    /// The name `FromStr` accepts.
    pub fn name(&self) -> &'static str {
        match self {
            DiagInit::Lin => "lin",
            DiagInit::Inv => "inv",
            DiagInit::Real => "real",
            DiagInit::LegS => "legs",
        }
    }

    /// The N/2 modes Λ for real state size `n` (even, option `--n`).
    pub fn lambda(&self, n: usize) -> Result<Vec<Complex64>> {
        check_even_n(n, "diagonal")?;
        let h = n / 2;
        let nf = n as f64;
        Ok(match self {
            DiagInit::Lin => (0..h)
                .map(|i| Complex64::new(-0.5, -PI * i as f64))
                .collect(),
            DiagInit::Inv => (0..h)
                .map(|i| Complex64::new(-0.5, -(nf / PI) * (nf / (2 * i + 1) as f64 - 1.0)))
                .collect(),
            DiagInit::Real => (0..h)
                .map(|i| Complex64::new(-((i + 1) as f64), 0.0))
                .collect(),
            DiagInit::LegS => nplr(Measure::LegS, n)?.lambda.iter().copied().collect(),
        })
    }

    /// `B` of s4's `B_init='legs'` (dplr.py: the NPLR B̃ = V*B of LegS, halved because
    /// the conjugate half doubles it). The default S4D B is 1.
    pub fn legs_b(n: usize) -> Result<Vec<Complex64>> {
        check_even_n(n, "diagonal")?;
        Ok(nplr(Measure::LegS, n)?.b.iter().map(|z| z * 0.5).collect())
    }
}

impl fmt::Display for DiagInit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DiagInit {
    type Err = S4Error;

    fn from_str(s: &str) -> Result<Self> {
        let key = s.trim().to_ascii_lowercase();
        let key = key.strip_prefix("s4d-").unwrap_or(&key);
        match key {
            "lin" | "linear" => Ok(DiagInit::Lin),
            "inv" | "inverse" => Ok(DiagInit::Inv),
            "real" => Ok(DiagInit::Real),
            "legs" | "hippo" => Ok(DiagInit::LegS),
            _ => Err(S4Error::UnknownName {
                option: "--init",
                name: s.to_string(),
                valid: DIAG_INIT_NAMES,
            }),
        }
    }
}

/// Checks `0 < dt_min ≤ dt_max`, both finite (options `--dt-min`, `--dt-max`).
fn check_dt_range(dt_min: f64, dt_max: f64) -> Result<()> {
    if !dt_min.is_finite() || dt_min <= 0.0 {
        return Err(S4Error::InvalidOption {
            option: "--dt-min",
            reason: format!("must be finite and > 0, got {dt_min}"),
        });
    }
    if !dt_max.is_finite() || dt_max < dt_min {
        return Err(S4Error::InvalidOption {
            option: "--dt-max",
            reason: format!("must be finite and >= dt_min = {dt_min}, got {dt_max}"),
        });
    }
    Ok(())
}

/// `h` step sizes with `log Δ ~ U[log dt_min, log dt_max]` (ssm.py:136-151; s4 defaults
/// dt_min = 1e-3, dt_max = 1e-1).
pub fn init_dt<R: Rng + ?Sized>(
    h: usize,
    dt_min: f64,
    dt_max: f64,
    rng: &mut R,
) -> Result<Vec<f64>> {
    check_dt_range(dt_min, dt_max)?;
    let (lo, hi) = (dt_min.ln(), dt_max.ln());
    Ok((0..h)
        .map(|_| {
            let u: f64 = rng.random();
            (lo + u * (hi - lo)).exp().clamp(dt_min, dt_max)
        })
        .collect())
}

/// `n` draws of a standard complex normal `CN(0, 1)` (real and imaginary parts
/// N(0, ½), as torch's complex randn), by Box-Muller.
pub fn complex_normal<R: Rng + ?Sized>(n: usize, rng: &mut R) -> Vec<Complex64> {
    (0..n)
        .map(|_| {
            let u1: f64 = 1.0 - rng.random::<f64>();
            let u2: f64 = rng.random();
            let rad = (-u1.ln()).sqrt();
            let th = 2.0 * PI * u2;
            Complex64::new(rad * th.cos(), rad * th.sin())
        })
        .collect()
}
