//! One reconstruction: a signal streamed through an [`OnlineApproximator`] of one measure and
//! state size, with the error recorded over time and the final reconstruction kept.
//!
//! The approximator integrates HiPPO's coefficient dynamics `c'(t) = A(t)c(t) + B(t)f(t)`
//! (HiPPO §2.2, with the per-measure (A, B) of App. D; LegS: `c' = (1/t)(Ac + Bf)`, HiPPO
//! Thm 2), discretized by the task's rule, and reconstructs `f(x) ≈ Σ_n c_n(t) g_n(t, x)` from
//! the projection onto the measure's orthonormal basis (HiPPO §2.1).

use std::time::Instant;

use serde::{Deserialize, Serialize};
use ssm_hippo::{Measure, OnlineApproximator, OnlineOptions};

use crate::hippo::signals::{sample_time, Signal};
use crate::hippo::task::Resolved;

/// Error of one reconstruction at one time, over the measure's span ending there.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorRow {
    pub signal: String,
    pub signal_kind: String,
    pub measure: String,
    pub n: usize,
    pub t: f64,
    pub mse: f64,
    pub rmse: f64,
    pub max_abs: f64,
}

/// Error at the final time t = 1, and the time the whole stream took.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FinalRow {
    pub signal: String,
    pub signal_kind: String,
    pub measure: String,
    pub n: usize,
    pub mse: f64,
    pub rmse: f64,
    pub max_abs: f64,
    pub seconds: f64,
}

/// One point of a curve of the figure: the signal (`measure = signal`, `n = 0`) or a
/// reconstruction at the final time.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CurveRow {
    pub signal: String,
    pub measure: String,
    pub n: usize,
    pub t: f64,
    pub value: f64,
}

pub struct Outcome {
    pub errors: Vec<ErrorRow>,
    pub last: FinalRow,
    pub curve: Vec<CurveRow>,
}

/// Options of the approximator for `measure`: θ is the window of LegT/FouT/LMU, the time scale
/// of LagT, unused by LegS.
pub fn options(measure: Measure, task: &Resolved) -> OnlineOptions {
    let theta = match measure {
        Measure::LagT { .. } => task.lagt_timescale,
        _ => task.window,
    };
    OnlineOptions { dt: 1.0 / task.length as f64, theta, method: task.method }
}

/// The span of the error at time t: all of [0, t] for LegS, the task's window otherwise.
fn span(measure: Measure, task: &Resolved) -> Option<f64> {
    (measure != Measure::LegS).then_some(task.window)
}

/// Sample counts (1-based) at which the error is recorded; the last is the whole signal.
pub fn checkpoint_steps(task: &Resolved) -> Vec<usize> {
    let (l, c) = (task.length, task.checkpoints);
    let mut steps: Vec<usize> = (1..=c).map(|i| (i * l).div_ceil(c)).collect();
    steps.dedup();
    steps
}

/// Streams `signal` through the measure at state size `n`; keeps the final reconstruction when
/// `keep_curve`.
pub fn reconstruct(signal: &Signal, measure: Measure, n: usize, task: &Resolved, keep_curve: bool) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let mut ap = OnlineApproximator::new(measure, n, options(measure, task))
        .map_err(|e| anyhow::anyhow!("{} N = {n}: {e}", measure.name()))?;
    let span = span(measure, task);
    let row = |ap: &OnlineApproximator, upto: usize| -> anyhow::Result<ErrorRow> {
        let m = ap.window_error(&signal.values[..upto], span)?;
        Ok(ErrorRow {
            signal: signal.name.clone(),
            signal_kind: signal.kind.to_string(),
            measure: measure.name().to_string(),
            n,
            t: ap.time(),
            mse: m.mse,
            rmse: m.rmse,
            max_abs: m.max_abs,
        })
    };
    let mut errors = Vec::new();
    let mut fed = 0;
    for upto in checkpoint_steps(task) {
        ap.extend(&signal.values[fed..upto])?;
        fed = upto;
        errors.push(row(&ap, upto)?);
    }
    let seconds = started.elapsed().as_secs_f64();
    let end = errors.last().expect("at least one checkpoint").clone();
    let last = FinalRow {
        signal: end.signal,
        signal_kind: end.signal_kind,
        measure: end.measure,
        n,
        mse: end.mse,
        rmse: end.rmse,
        max_abs: end.max_abs,
        seconds,
    };
    let curve = if keep_curve { final_curve(&ap, signal, measure, n)? } else { Vec::new() };
    Ok(Outcome { errors, last, curve })
}

/// The reconstruction at t = 1 at every sample time it covers (LagT: all of them).
fn final_curve(ap: &OnlineApproximator, signal: &Signal, measure: Measure, n: usize) -> anyhow::Result<Vec<CurveRow>> {
    let dt = ap.options().dt;
    let (lo, _) = ap.support();
    let lagt = matches!(measure, Measure::LagT { .. });
    let times: Vec<f64> =
        (0..signal.values.len()).map(|j| sample_time(j, dt)).filter(|&x| lagt || x >= lo).collect();
    let values = ap.reconstruct(&times)?;
    Ok(times
        .into_iter()
        .zip(values)
        .map(|(t, value)| CurveRow { signal: signal.name.clone(), measure: measure.name().to_string(), n, t, value })
        .collect())
}

/// The signal itself as curve rows.
pub fn signal_curve(signal: &Signal, dt: f64) -> Vec<CurveRow> {
    signal
        .values
        .iter()
        .enumerate()
        .map(|(j, &value)| CurveRow { signal: signal.name.clone(), measure: "signal".into(), n: 0, t: sample_time(j, dt), value })
        .collect()
}
