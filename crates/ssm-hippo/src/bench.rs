//! Timings of the structured algorithms against their naive counterparts.
//! Plain functions returning [`BenchRow`]s; writing them out is left to the caller.
//!
//! Every function checks that the fast and the naive route agree before it
//! returns (`HippoError::Numerical` otherwise), so a row never times a wrong answer.

use std::time::Instant;

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

use crate::discretize::{discretize, legs_step, Discretization};
use crate::error::{check_nonzero, HippoError, Result};
use crate::krylov::{krylov_blocked, krylov_doubling, krylov_naive};
use crate::matrices::transition;
use crate::measure::Measure;
use crate::online::{OnlineApproximator, OnlineOptions};

/// One timing.
///
/// `speedup` is the per-sample time of the group's baseline row divided by the
/// per-sample time of this row (baseline rows have 1.0): for the online group the
/// baseline is `online_legs_dense_n2`, for the Krylov group `krylov_naive`.
/// Rows with an O(N³)-per-step cost are run on a prefix of the signal; their `l`
/// is the number of steps actually timed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchRow {
    /// What was timed.
    pub name: String,
    /// State size N.
    pub n: usize,
    /// Number of steps / kernel length actually run.
    pub l: usize,
    /// Wall-clock seconds (best of the repetitions).
    pub seconds: f64,
    /// Baseline per-sample time / this row's per-sample time.
    pub speedup: f64,
}

/// Deterministic generator for benchmark inputs (SplitMix64).
struct SplitMix(u64);

impl SplitMix {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

fn time_best<T>(reps: usize, mut f: impl FnMut() -> Result<T>) -> Result<(f64, T)> {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..reps.max(1) {
        let t0 = Instant::now();
        let out = f()?;
        best = best.min(t0.elapsed().as_secs_f64());
        last = Some(out);
    }
    Ok((best, last.expect("at least one repetition")))
}

fn agree(context: &'static str, fast: &[f64], slow: &[f64], rel_tol: f64) -> Result<()> {
    let scale = slow.iter().fold(0.0f64, |m, x| m.max(x.abs())).max(1e-300);
    let diff = fast
        .iter()
        .zip(slow)
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    if diff <= rel_tol * scale {
        Ok(())
    } else {
        Err(HippoError::Numerical {
            context,
            reason: format!(
                "fast and naive results differ: max |diff| = {diff:.3e}, scale {scale:.3e}"
            ),
        })
    }
}

/// Test signal: two low-frequency tones over the run.
fn signal(l: usize) -> Vec<f64> {
    let tau = 2.0 * std::f64::consts::PI;
    (0..l)
        .map(|k| {
            let x = k as f64 / l as f64;
            (tau * 3.0 * x).sin() + 0.5 * (tau * 7.0 * x + 0.3).cos()
        })
        .collect()
}

/// Naive LegS bilinear loop with O(N²) per step: a dense matrix-vector product
/// with the full A (zeros included) and a dense forward substitution with
/// `I − A/(2k)` formed on the fly.
fn legs_dense_loop(a: &DMatrix<f64>, b: &DVector<f64>, u: &[f64]) -> Vec<f64> {
    let n = a.nrows();
    let mut c = DVector::<f64>::zeros(n);
    let mut ac = DVector::<f64>::zeros(n);
    let mut rhs = vec![0.0; n];
    for (idx, &f) in u.iter().enumerate() {
        let h = 1.0 / (idx + 1) as f64;
        ac.gemv(1.0, a, &c, 0.0);
        for i in 0..n {
            rhs[i] = c[i] + 0.5 * h * ac[i] + h * b[i] * f;
        }
        for i in 0..n {
            let mut s = rhs[i];
            for j in 0..i {
                s += 0.5 * h * a[(i, j)] * c[j];
            }
            c[i] = s / (1.0 - 0.5 * h * a[(i, i)]);
        }
    }
    c.iter().copied().collect()
}

/// Naive loop that forms `Ā_k = (I − A/2k)⁻¹(I + A/2k)` (an O(N³) solve) at every step.
fn legs_inverse_loop(a: &DMatrix<f64>, b: &DVector<f64>, u: &[f64]) -> Result<Vec<f64>> {
    let n = a.nrows();
    let mut c = DVector::<f64>::zeros(n);
    for (idx, &f) in u.iter().enumerate() {
        let (ab, bb) = legs_step(a, b, idx + 1, Discretization::Bilinear)?;
        c = &ab * &c + bb * f;
    }
    Ok(c.iter().copied().collect())
}

/// Online approximation timings at order `n` over `l` samples (LegS, bilinear):
/// structured O(N) step vs the dense O(N²) loop vs an O(N³) per-step inverse
/// (on `min(l, inverse_steps)` samples), plus LegT with a precomputed Ā.
pub fn bench_online(n: usize, l: usize, inverse_steps: usize) -> Result<Vec<BenchRow>> {
    check_nonzero("n", n)?;
    check_nonzero("l", l)?;
    check_nonzero("inverse_steps", inverse_steps)?;
    let u = signal(l);
    let (a, b) = transition(Measure::LegS, n)?;
    let opts = OnlineOptions {
        dt: 1.0 / l as f64,
        theta: 1.0,
        method: Discretization::Bilinear,
    };

    let (t_fast, c_fast) = time_best(1, || {
        let mut ap = OnlineApproximator::new(Measure::LegS, n, opts)?;
        ap.extend(&u)?;
        Ok(ap.coefficients().iter().copied().collect::<Vec<_>>())
    })?;
    let (t_dense, c_dense) = time_best(1, || Ok(legs_dense_loop(&a, &b, &u)))?;
    agree("bench_online legs dense", &c_fast, &c_dense, 1e-9)?;

    let li = inverse_steps.min(l);
    let (t_inv, c_inv) = time_best(1, || legs_inverse_loop(&a, &b, &u[..li]))?;
    let mut ap = OnlineApproximator::new(Measure::LegS, n, opts)?;
    ap.extend(&u[..li])?;
    let c_pref: Vec<f64> = ap.coefficients().iter().copied().collect();
    agree("bench_online legs inverse", &c_pref, &c_inv, 1e-9)?;

    let (t_legt, _) = time_best(1, || {
        let mut ap = OnlineApproximator::new(Measure::legt(), n, opts)?;
        ap.extend(&u)?;
        Ok(())
    })?;

    let per = |t: f64, steps: usize| t / steps as f64;
    let base = per(t_dense, l);
    Ok(vec![
        BenchRow {
            name: "online_legs_structured_n1".into(),
            n,
            l,
            seconds: t_fast,
            speedup: base / per(t_fast, l),
        },
        BenchRow {
            name: "online_legs_dense_n2".into(),
            n,
            l,
            seconds: t_dense,
            speedup: 1.0,
        },
        BenchRow {
            name: "online_legs_inverse_per_step_n3".into(),
            n,
            l: li,
            seconds: t_inv,
            speedup: base / per(t_inv, li),
        },
        BenchRow {
            name: "online_legt_precomputed_n2".into(),
            n,
            l,
            seconds: t_legt,
            speedup: base / per(t_legt, l),
        },
    ])
}

/// Krylov kernel timings at order `n`, length `l`: naive O(N²L) loop vs doubling
/// vs baby-step/giant-step blocks, on the bilinear LegS system with Δ = 1/`n` and a
/// pseudo-random C.
pub fn bench_krylov(n: usize, l: usize) -> Result<Vec<BenchRow>> {
    check_nonzero("n", n)?;
    check_nonzero("l", l)?;
    let (a, b) = transition(Measure::LegS, n)?;
    let (ab, bb) = discretize(&a, &b, 1.0 / n as f64, Discretization::Bilinear)?;
    let mut rng = SplitMix(0x5EED);
    let c = DVector::from_fn(n, |_, _| rng.next_f64());

    let (t_naive, k_naive) = time_best(1, || krylov_naive(&ab, &bb, &c, l))?;
    let (t_dbl, k_dbl) = time_best(1, || krylov_doubling(&ab, &bb, &c, l))?;
    let (t_blk, k_blk) = time_best(1, || krylov_blocked(&ab, &bb, &c, l))?;
    agree("bench_krylov doubling", &k_dbl, &k_naive, 1e-8)?;
    agree("bench_krylov blocked", &k_blk, &k_naive, 1e-8)?;
    Ok(vec![
        BenchRow {
            name: "krylov_naive".into(),
            n,
            l,
            seconds: t_naive,
            speedup: 1.0,
        },
        BenchRow {
            name: "krylov_doubling".into(),
            n,
            l,
            seconds: t_dbl,
            speedup: t_naive / t_dbl,
        },
        BenchRow {
            name: "krylov_blocked".into(),
            n,
            l,
            seconds: t_blk,
            speedup: t_naive / t_blk,
        },
    ])
}

/// The default sizes: online N = 256, L = 100 000 (O(N³) row on 200
/// steps); Krylov N = 256, L = 16 384.
pub fn bench_default() -> Result<Vec<BenchRow>> {
    let mut rows = bench_online(256, 100_000, 200)?;
    rows.extend(bench_krylov(256, 16_384)?);
    Ok(rows)
}
