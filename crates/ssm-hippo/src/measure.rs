//! The HiPPO measures (s4 src/models/hippo/hippo.py:21-143, HiPPO paper §3 and App. D).
//!
//! A measure fixes how the past of a signal is weighted; together with an
//! orthogonal basis it determines the transition pair (A, B) of
//! [`crate::transition`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{check_finite, check_positive, HippoError, Result};

/// Names accepted by `Measure::from_str` (case-insensitive).
pub const MEASURE_NAMES: &str = "legs, legt, legt-unhalved, lagt, glagt, fout, lmu";

/// A HiPPO measure.
///
/// Serialized with an internal tag, e.g. `{"name":"lagt","beta":1.0}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "lowercase")]
pub enum Measure {
    /// Scaled Legendre: uniform measure on [0, t] (HiPPO eq. (2)/Thm 2; s4 hippo.py:72-80).
    #[serde(rename = "legs")]
    LegS,
    /// Translated Legendre: uniform measure on a sliding window (s4 hippo.py:53-63).
    ///
    /// `halved = true` is the s4 convention, A and B multiplied by ½
    /// ("halve again for timescale correctness"); `halved = false` is the
    /// hippo-code op.py:42-48 / HiPPO paper App. D.1 convention (no ½).
    /// In unit time the halved pair describes a window of length 2, the
    /// unhalved pair a window of length 1.
    #[serde(rename = "legt")]
    LegT {
        /// s4 convention (½ factor) when true.
        #[serde(default = "default_true")]
        halved: bool,
    },
    /// Translated Laguerre, s4 variant `A = ½I − tril(1)`, `B = β·1` (s4 hippo.py:31-34).
    #[serde(rename = "lagt")]
    LagT {
        /// Input scale β (s4 default 1).
        #[serde(default = "default_one")]
        beta: f64,
    },
    /// Generalized Laguerre with parameters α, β (s4 hippo.py:43-51).
    #[serde(rename = "glagt")]
    GLagT {
        /// Laguerre order α (> −1, not a positive integer); s4 default 0.
        #[serde(default)]
        alpha: f64,
        /// Tilt β (> 0); s4 default 0.01.
        #[serde(default = "default_glagt_beta")]
        beta: f64,
    },
    /// Truncated Fourier on a sliding window (s4 hippo.py:101-111, 'fout').
    #[serde(rename = "fout")]
    FouT,
    /// Legendre Memory Unit: LegT up to a diagonal change of basis (s4 hippo.py:65-70).
    #[serde(rename = "lmu")]
    Lmu,
}

fn default_true() -> bool {
    true
}
fn default_one() -> f64 {
    1.0
}
fn default_glagt_beta() -> f64 {
    0.01
}

impl Measure {
    /// LegT in the s4 (halved) convention.
    pub const fn legt() -> Self {
        Measure::LegT { halved: true }
    }

    /// LagT with the s4 default β = 1.
    pub const fn lagt() -> Self {
        Measure::LagT { beta: 1.0 }
    }

    /// GLagT with the s4 defaults α = 0, β = 0.01.
    pub const fn glagt() -> Self {
        Measure::GLagT {
            alpha: 0.0,
            beta: 0.01,
        }
    }

    /// Short lower-case name, the one `FromStr` accepts.
    pub fn name(&self) -> &'static str {
        match self {
            Measure::LegS => "legs",
            Measure::LegT { halved: true } => "legt",
            Measure::LegT { halved: false } => "legt-unhalved",
            Measure::LagT { .. } => "lagt",
            Measure::GLagT { .. } => "glagt",
            Measure::FouT => "fout",
            Measure::Lmu => "lmu",
        }
    }

    /// True when the measure slides with t (time-invariant dynamics);
    /// false only for LegS, whose dynamics are A/t, B/t.
    pub fn is_time_invariant(&self) -> bool {
        !matches!(self, Measure::LegS)
    }

    /// True when [`crate::nplr`] supports the measure (s4 hippo.py:145-186).
    pub fn has_nplr(&self) -> bool {
        matches!(
            self,
            Measure::LegS | Measure::LegT { .. } | Measure::LagT { .. } | Measure::FouT
        )
    }

    /// True when the state size must be even (FouT pairs cosine/sine rows).
    pub fn needs_even_n(&self) -> bool {
        matches!(self, Measure::FouT)
    }

    /// Checks the measure's parameters; the error names the parameter.
    pub fn validate(&self) -> Result<()> {
        match *self {
            Measure::LagT { beta } => check_finite("beta", beta),
            Measure::GLagT { alpha, beta } => {
                check_finite("alpha", alpha)?;
                check_positive("beta", beta)?;
                if alpha <= -1.0 {
                    return Err(HippoError::InvalidOption {
                        option: "alpha",
                        reason: format!("generalized Laguerre needs alpha > -1, got {alpha}"),
                    });
                }
                // Γ(1 − α) appears in the B normalization (hippo.py:51): poles at α = 1, 2, ...
                if alpha >= 1.0 && alpha.fract() == 0.0 {
                    return Err(HippoError::InvalidOption {
                        option: "alpha",
                        reason: format!(
                            "Gamma(1 - alpha) has a pole at alpha = {alpha}; use a non-integer alpha"
                        ),
                    });
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Measure::LagT { beta } if beta != 1.0 => write!(f, "lagt(beta={beta})"),
            Measure::GLagT { alpha, beta } => write!(f, "glagt(alpha={alpha}, beta={beta})"),
            m => f.write_str(m.name()),
        }
    }
}

impl FromStr for Measure {
    type Err = HippoError;

    /// Parses `legs`, `legt`, `legt-unhalved` (also `legt_unhalved`), `lagt`,
    /// `glagt`, `fout`, `lmu` (case-insensitive, surrounding blanks ignored);
    /// parameters take the s4 defaults.
    fn from_str(s: &str) -> Result<Self> {
        let key = s.trim().to_ascii_lowercase();
        Ok(match key.as_str() {
            "legs" => Measure::LegS,
            "legt" => Measure::legt(),
            "legt-unhalved" | "legt_unhalved" => Measure::LegT { halved: false },
            "lagt" => Measure::lagt(),
            "glagt" => Measure::glagt(),
            "fout" => Measure::FouT,
            "lmu" => Measure::Lmu,
            _ => {
                return Err(HippoError::UnknownMeasure {
                    name: s.to_string(),
                    valid: MEASURE_NAMES,
                })
            }
        })
    }
}
