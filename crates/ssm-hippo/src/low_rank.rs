//! Low-rank corrections P with `A + PᵀP` normal (s4 hippo.py:145-186 `rank_correction`).
//!
//! P is returned as a `rank × N` matrix (one correction vector per row), so the
//! correction term is `Σ_r P_rᵀ P_r = PᵀP`.

use nalgebra::DMatrix;

use crate::error::{check_nonzero, HippoError, Result};
use crate::matrices::fout_b;
use crate::measure::Measure;

/// The natural rank of the correction: 1 for LegS, LagT and FouT, 2 for LegT.
pub fn natural_rank(measure: Measure) -> Result<usize> {
    match measure {
        Measure::LegS | Measure::LagT { .. } | Measure::FouT => Ok(1),
        Measure::LegT { .. } => Ok(2),
        Measure::GLagT { .. } | Measure::Lmu => Err(no_nplr(measure)),
    }
}

pub(crate) fn no_nplr(measure: Measure) -> HippoError {
    let reason = match measure {
        Measure::Lmu => {
            "its A is LegT conjugated by the non-unitary diagonal diag((-1)^n sqrt(2n+1)); use legt"
        }
        Measure::GLagT { .. } => {
            "the gamma-ratio rescaling makes A + low-rank non-normal; s4 defines no rank correction for it"
        }
        _ => "no rank correction is defined",
    };
    HippoError::NoNplr {
        measure: measure.name().to_string(),
        reason: reason.to_string(),
    }
}

/// Rank correction P (`rank × N`) such that `A + PᵀP` is skew-symmetric plus a multiple of I.
///
/// * LegS: `P_n = √(n + ½)` (hippo.py:150-152) — `A + PᵀP` = −½I + skew.
/// * LegT: `√(2n+1)·2^{−½}` split into a row vanishing on even n and a row
///   vanishing on odd n (hippo.py:153-161); without the ½ convention the
///   factor `2^{−½}` is dropped, so that the sum stays skew.
/// * LagT: `P_n = √½` (hippo.py:162-164).
/// * FouT: `P = B = [1, 0, √2, 0, …]` (hippo.py:165-169).
///
/// `rank` larger than the natural rank pads with zero rows (hippo.py:183-185);
/// smaller is an error naming `rank`.
pub fn rank_correction(measure: Measure, n: usize, rank: Option<usize>) -> Result<DMatrix<f64>> {
    check_nonzero("n", n)?;
    measure.validate()?;
    let natural = natural_rank(measure)?;
    let rank = rank.unwrap_or(natural);
    if rank < natural {
        return Err(HippoError::InvalidOption {
            option: "rank",
            reason: format!(
                "measure `{}` needs a correction of rank at least {natural}, got {rank}",
                measure.name()
            ),
        });
    }
    if measure.needs_even_n() && n & 1 == 1 {
        return Err(HippoError::InvalidOption {
            option: "n",
            reason: format!(
                "measure `{}` needs an even state size, got {n}",
                measure.name()
            ),
        });
    }
    let mut p = DMatrix::<f64>::zeros(rank, n);
    match measure {
        Measure::LegS => {
            for i in 0..n {
                p[(0, i)] = (i as f64 + 0.5).sqrt();
            }
        }
        Measure::LegT { halved } => {
            let s = if halved {
                std::f64::consts::FRAC_1_SQRT_2
            } else {
                1.0
            };
            for i in 0..n {
                let v = s * ((2 * i + 1) as f64).sqrt();
                // Row 0 is zero on even indices, row 1 on odd indices.
                let row = if i % 2 == 1 { 0 } else { 1 };
                p[(row, i)] = v;
            }
        }
        Measure::LagT { .. } => {
            for i in 0..n {
                p[(0, i)] = std::f64::consts::FRAC_1_SQRT_2;
            }
        }
        Measure::FouT => {
            let b = fout_b(n);
            for i in 0..n {
                p[(0, i)] = b[i];
            }
        }
        Measure::GLagT { .. } | Measure::Lmu => unreachable!("natural_rank rejected it"),
    }
    Ok(p)
}
