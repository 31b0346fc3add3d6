//! Timings of the kernels over H channels (`ssm-lab bench kernels`).
//!
//! Per length L, for H channels of state size N (real; N/2 complex modes):
//!
//! * `dense_krylov_naive`: the real N×N system of each S4 channel, bilinear, L
//!   matrix-vector products; skipped above [`BenchOptions::dense_max_l`].
//! * `dense_krylov_blocked`: the same systems by baby-step/giant-step Krylov.
//! * `s4_dplr_cauchy`: Cauchy + Woodbury + irfft from a stored C̃, the
//!   work of s4's kernel forward (C̃ is a parameter there).
//! * `s4_c_tilde_setup`: computing `C̃ = C(I − Ā^L)` for all channels.
//! * `s4d_vandermonde`: S4D-Lin, ZOH, log-Vandermonde.
//! * `dss_softmax`: DSS over the LegS Λ, softmax-normalised Vandermonde.
//!
//! S4 channels: Λ, P, B of `nplr(legs, N)`, C ~ CN(0, 1), log Δ ~ U[log 1e-3, log 1e-1]
//! (ssm.py:136-151). Before a row is reported the S4 kernel of channel 0 is
//! checked against its dense twin, so no row times a wrong answer.

use std::time::Instant;

use num_complex::Complex64;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{check_even_n, check_l, Result, S4Error};
use crate::init::{complex_normal, init_dt, DiagInit};
use crate::kernel::{kernels_par, DiagKernel, DplrKernel, DssKernel, Woodbury};

/// One timing row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchRow {
    /// What was timed.
    pub kernel: String,
    /// Real state size N.
    pub n: usize,
    /// Channels H.
    pub h: usize,
    /// Kernel length L.
    pub l: usize,
    /// Median wall-clock seconds over the repetitions, `None` when skipped.
    pub seconds: Option<f64>,
    /// `"ok"`, or why the row was skipped.
    pub note: String,
}

/// Knobs of [`bench_kernels_with`].
#[derive(Debug, Clone, PartialEq)]
pub struct BenchOptions {
    /// Largest L for the naive dense Krylov (O(N²L) per channel).
    pub dense_max_l: usize,
    /// Repetitions per row (median reported); rows slower than 2 s run once.
    pub reps: usize,
    /// Seed of C and Δ.
    pub seed: u64,
}

impl Default for BenchOptions {
    fn default() -> Self {
        Self {
            dense_max_l: 16384,
            reps: 3,
            seed: 0,
        }
    }
}

fn time_median<T>(reps: usize, mut f: impl FnMut() -> Result<T>) -> Result<(f64, T)> {
    let mut times = Vec::new();
    let t0 = Instant::now();
    let mut last = f()?;
    times.push(t0.elapsed().as_secs_f64());
    let reps = if times[0] > 2.0 { 1 } else { reps.max(1) };
    for _ in 1..reps {
        let t0 = Instant::now();
        last = f()?;
        times.push(t0.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], last))
}

fn rel_err(a: &[f64], b: &[f64]) -> f64 {
    let num: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    let den: f64 = b.iter().map(|y| y * y).sum();
    (num / den.max(f64::MIN_POSITIVE)).sqrt()
}

/// [`bench_kernels_with`] with the default options.
pub fn bench_kernels(ls: &[usize], n: usize, h: usize) -> Result<Vec<BenchRow>> {
    bench_kernels_with(ls, n, h, &BenchOptions::default())
}

/// Times every kernel at every L in `ls` for `h` channels of real state size `n`.
pub fn bench_kernels_with(
    ls: &[usize],
    n: usize,
    h: usize,
    opts: &BenchOptions,
) -> Result<Vec<BenchRow>> {
    check_even_n(n, "benchmark")?;
    if h == 0 {
        return Err(S4Error::InvalidOption {
            option: "--h",
            reason: "at least one channel is needed".to_string(),
        });
    }
    for &l in ls {
        check_l(l)?;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let dts = init_dt(h, 1e-3, 1e-1, &mut rng)?;
    let legs = DplrKernel::from_hippo(ssm_hippo::Measure::LegS, n, 1.0)?;
    let modes = n / 2;
    let s4: Vec<DplrKernel> = dts
        .iter()
        .map(|&dt| {
            let c = complex_normal(modes, &mut rng);
            DplrKernel::new(legs.lambda.clone(), legs.p.clone(), legs.b.clone(), c, dt)
        })
        .collect::<Result<_>>()?;
    let dense: Vec<_> = s4.iter().map(|k| k.to_dense()).collect::<Result<_>>()?;
    let lin = DiagInit::Lin.lambda(n)?;
    let ones = vec![Complex64::new(1.0, 0.0); modes];
    let s4d: Vec<DiagKernel> = dts
        .iter()
        .map(|&dt| {
            let c = complex_normal(modes, &mut rng);
            DiagKernel::new(
                lin.clone(),
                ones.clone(),
                c,
                dt,
                ssm_hippo::Discretization::Zoh,
                true,
            )
        })
        .collect::<Result<_>>()?;
    let dss: Vec<DssKernel> = dts
        .iter()
        .map(|&dt| {
            let c = complex_normal(modes, &mut rng);
            DssKernel::new(legs.lambda.clone(), c, dt, true)
        })
        .collect::<Result<_>>()?;

    let mut rows = Vec::new();
    let row = |kernel: &str, l: usize, seconds: Option<f64>, note: String| BenchRow {
        kernel: kernel.to_string(),
        n,
        h,
        l,
        seconds,
        note,
    };
    for &l in ls {
        if l <= opts.dense_max_l {
            let (t, _) = time_median(opts.reps, || {
                dense
                    .par_iter()
                    .map(|k| k.kernel_naive(l))
                    .collect::<Result<Vec<_>>>()
            })?;
            rows.push(row("dense_krylov_naive", l, Some(t), "ok".into()));
        } else {
            rows.push(row(
                "dense_krylov_naive",
                l,
                None,
                format!("skipped: L > dense_max_l = {}", opts.dense_max_l),
            ));
        }
        let (t, dense_k) = time_median(opts.reps, || {
            dense
                .par_iter()
                .map(|k| k.kernel_blocked(l))
                .collect::<Result<Vec<_>>>()
        })?;
        rows.push(row("dense_krylov_blocked", l, Some(t), "ok".into()));

        let (t, cts) = time_median(opts.reps, || {
            s4.par_iter()
                .map(|k| k.c_tilde(l))
                .collect::<Result<Vec<_>>>()
        })?;
        rows.push(row("s4_c_tilde_setup", l, Some(t), "ok".into()));
        let (t, ks) = time_median(opts.reps, || {
            s4.par_iter()
                .zip(cts.par_iter())
                .map(|(k, ct)| k.kernel_from_c_tilde(ct, l, Woodbury::Auto))
                .collect::<Result<Vec<_>>>()
        })?;
        let err = rel_err(&ks[0], &dense_k[0]);
        if err > 1e-7 {
            return Err(S4Error::Numerical {
                context: "bench_kernels",
                reason: format!(
                    "S4 and dense kernels of channel 0 differ at L = {l}: relative error {err:.3e}"
                ),
            });
        }
        rows.push(row(
            "s4_dplr_cauchy",
            l,
            Some(t),
            format!("ok (channel 0 vs dense: rel err {err:.1e})"),
        ));

        let (t, _) = time_median(opts.reps, || kernels_par(&s4d, l))?;
        rows.push(row("s4d_vandermonde", l, Some(t), "ok".into()));
        let (t, _) = time_median(opts.reps, || kernels_par(&dss, l))?;
        rows.push(row("dss_softmax", l, Some(t), "ok".into()));
    }
    Ok(rows)
}
