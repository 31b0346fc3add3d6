//! Error type of the crate.
//!
//! Checks on user input return these instead of panicking. Options are named
//! the way the command line spells them (`--n`, `--l`, `--dt`, `--measure`, ...).

use ssm_hippo::HippoError;
use thiserror::Error;

/// Errors returned by `ssm-s4`.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum S4Error {
    /// An option whose value is outside its domain.
    #[error("invalid value for `{option}`: {reason}")]
    InvalidOption {
        /// The option as the command line spells it (`--n`, `--dt`, ...).
        option: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A name that a `FromStr` implementation does not know.
    #[error("unknown value `{name}` for `{option}`; valid values: {valid}")]
    UnknownName {
        /// The option (`--model`, `--init`).
        option: &'static str,
        /// The name that was given.
        name: String,
        /// Accepted names.
        valid: &'static str,
    },
    /// Parameter arrays whose lengths do not fit together.
    #[error("shape mismatch for `{what}`: {reason}")]
    Shape {
        /// The argument with the wrong size.
        what: &'static str,
        /// Expected versus given.
        reason: String,
    },
    /// A computation that cannot be carried out with these parameters
    /// (a singular resolvent, a vanishing normalisation).
    #[error("numerical failure in {context}: {reason}")]
    Numerical {
        /// The computation that failed.
        context: &'static str,
        /// Details.
        reason: String,
    },
    /// An error of the HiPPO layer underneath.
    #[error(transparent)]
    Hippo(#[from] HippoError),
}

/// Result alias of the crate.
pub type Result<T> = std::result::Result<T, S4Error>;

/// `L ≥ 1` (option `--l`).
pub(crate) fn check_l(l: usize) -> Result<()> {
    if l == 0 {
        return Err(S4Error::InvalidOption {
            option: "--l",
            reason: "the kernel length must be at least 1, got 0".to_string(),
        });
    }
    Ok(())
}

/// `dt` finite and > 0 (option `--dt`).
pub(crate) fn check_dt(dt: f64) -> Result<()> {
    if !dt.is_finite() || dt <= 0.0 {
        return Err(S4Error::InvalidOption {
            option: "--dt",
            reason: format!("the step size must be finite and > 0, got {dt}"),
        });
    }
    Ok(())
}

/// An even state size `N ≥ 2` (option `--n`): DPLR and diagonal kernels keep
/// N/2 conjugate pairs.
pub(crate) fn check_even_n(n: usize, model: &str) -> Result<()> {
    if n == 0 || n % 2 == 1 {
        return Err(S4Error::InvalidOption {
            option: "--n",
            reason: format!(
                "the {model} kernel keeps N/2 complex conjugate pairs, so N must be even and >= 2; got {n}"
            ),
        });
    }
    Ok(())
}

/// Every entry finite.
pub(crate) fn check_finite_c(what: &'static str, v: &[num_complex::Complex64]) -> Result<()> {
    if let Some((i, z)) = v
        .iter()
        .enumerate()
        .find(|(_, z)| !(z.re.is_finite() && z.im.is_finite()))
    {
        return Err(S4Error::InvalidOption {
            option: what,
            reason: format!("entry {i} is not finite ({z})"),
        });
    }
    Ok(())
}

/// `v.len() == n`.
pub(crate) fn check_len<T>(what: &'static str, v: &[T], n: usize) -> Result<()> {
    if v.len() != n {
        return Err(S4Error::Shape {
            what,
            reason: format!(
                "expected {n} entries (one per complex mode), got {}",
                v.len()
            ),
        });
    }
    Ok(())
}

/// The inputs of a diagonal kernel: `dt` as [`check_dt`], at least one finite mode in `lambda`,
/// and each named vector one finite entry per mode.
pub(crate) fn check_modes(
    kernel: &str,
    dt: f64,
    lambda: &[num_complex::Complex64],
    per_mode: &[(&'static str, &[num_complex::Complex64])],
) -> Result<()> {
    check_dt(dt)?;
    if lambda.is_empty() {
        return Err(S4Error::InvalidOption {
            option: "--n",
            reason: format!("the {kernel} kernel needs at least one mode"),
        });
    }
    check_finite_c("lambda", lambda)?;
    for (what, v) in per_mode {
        check_len(what, v, lambda.len())?;
        check_finite_c(what, v)?;
    }
    Ok(())
}
