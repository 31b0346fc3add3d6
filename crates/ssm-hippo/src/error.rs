//! Error type shared by every module of the crate.
//!
//! Every check on user input returns one of these instead of panicking; the
//! message names the offending option (`n`, `dt`, `theta`, `measure`, ...).

use thiserror::Error;

/// Errors returned by `ssm-hippo`.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum HippoError {
    /// A measure name that [`crate::Measure`]'s `FromStr` does not know.
    #[error("unknown measure `{name}`; valid names: {valid}")]
    UnknownMeasure {
        /// The name that was given.
        name: String,
        /// Comma separated list of accepted names.
        valid: &'static str,
    },
    /// A discretization name that [`crate::Discretization`]'s `FromStr` does not know.
    #[error("unknown discretization `{name}`; valid names: {valid}")]
    UnknownDiscretization {
        /// The name that was given.
        name: String,
        /// Comma separated list of accepted names.
        valid: &'static str,
    },
    /// An option with a value outside its domain (n = 0, dt <= 0, NaN, ...).
    #[error("invalid value for `{option}`: {reason}")]
    InvalidOption {
        /// Name of the option, as the user would write it.
        option: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The measure has no normal-plus-low-rank form in this crate.
    #[error("measure `{measure}` has no NPLR form: {reason}")]
    NoNplr {
        /// Measure name.
        measure: String,
        /// Why.
        reason: String,
    },
    /// The operation is not available for this measure.
    #[error("measure `{measure}` does not support {what}")]
    Unsupported {
        /// Measure name.
        measure: String,
        /// The operation that was asked for.
        what: &'static str,
    },
    /// Operands whose sizes do not fit together.
    #[error("shape mismatch for `{option}`: {reason}")]
    Shape {
        /// Name of the argument with the wrong size.
        option: &'static str,
        /// Expected versus given size.
        reason: String,
    },
    /// A linear-algebra step failed (singular system, loss of precision).
    #[error("numerical failure in {context}: {reason}")]
    Numerical {
        /// The computation that failed.
        context: &'static str,
        /// Details.
        reason: String,
    },
}

/// Result alias used across the crate.
pub type Result<T> = std::result::Result<T, HippoError>;

/// `Err` unless `x` is finite and strictly positive.
pub(crate) fn check_positive(option: &'static str, x: f64) -> Result<()> {
    if !x.is_finite() {
        return Err(HippoError::InvalidOption {
            option,
            reason: format!("must be finite, got {x}"),
        });
    }
    if x <= 0.0 {
        return Err(HippoError::InvalidOption {
            option,
            reason: format!("must be > 0, got {x}"),
        });
    }
    Ok(())
}

/// `Err` unless `x` is finite.
pub(crate) fn check_finite(option: &'static str, x: f64) -> Result<()> {
    if x.is_finite() {
        Ok(())
    } else {
        Err(HippoError::InvalidOption {
            option,
            reason: format!("must be finite, got {x}"),
        })
    }
}

/// `Err` unless every entry of `xs` is finite.
pub(crate) fn check_all_finite<'a>(
    option: &'static str,
    xs: impl IntoIterator<Item = &'a f64>,
) -> Result<()> {
    for (i, x) in xs.into_iter().enumerate() {
        if !x.is_finite() {
            return Err(HippoError::InvalidOption {
                option,
                reason: format!("entry {i} is not finite ({x})"),
            });
        }
    }
    Ok(())
}

/// `Err` unless `n >= 1`.
pub(crate) fn check_nonzero(option: &'static str, n: usize) -> Result<()> {
    if n == 0 {
        Err(HippoError::InvalidOption {
            option,
            reason: "must be at least 1, got 0".to_string(),
        })
    } else {
        Ok(())
    }
}
