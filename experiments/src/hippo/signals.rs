//! The signals to reconstruct, sampled on t ∈ (0, 1]: random band-limited ones (HiPPO §5 /
//! App. F: band-limited white noise, here a seeded sum of sinusoids below a cutoff frequency)
//! and a few deterministic ones.
//!
//! Sample k (1-based) stands for the cell ((k−1)·dt, k·dt] and holds f at the cell midpoint
//! (k − ½)·dt, the time at which ssm-hippo's `window_error` compares it.

use std::f64::consts::{PI, TAU};

use rand::Rng;
use ssm_tasks::{rng_for, Stream};

use crate::hippo::task::Resolved;

/// Names of the deterministic signals.
pub const FIXED_SIGNALS: &[&str] = &["sine", "chirp", "step", "sawtooth"];

/// One sampled signal.
#[derive(Debug, Clone)]
pub struct Signal {
    /// `random-<i>` or the fixed signal's name.
    pub name: String,
    /// `random` or `fixed`.
    pub kind: &'static str,
    pub values: Vec<f64>,
}

/// Midpoint time of sample `j` (0-based).
pub fn sample_time(j: usize, dt: f64) -> f64 {
    (j as f64 + 0.5) * dt
}

/// Every signal of a run: the random ones first (seeded by `seed`), then the fixed ones.
pub fn signals(task: &Resolved, seed: u64) -> Vec<Signal> {
    let mut out: Vec<Signal> = (0..task.random_signals)
        .map(|i| Signal { name: format!("random-{i}"), kind: "random", values: band_limited(task, seed, i as u64) })
        .collect();
    for name in &task.fixed_signals {
        out.push(Signal { name: name.clone(), kind: "fixed", values: fixed(name, task) });
    }
    out
}

/// `f(t) = Σ_i a_i sin(2π ν_i t + φ_i)` with `a_i ~ N(0, 1)`, `ν_i ~ U(0, cutoff]`,
/// `φ_i ~ U[0, 2π)`, scaled to unit RMS over the samples.
fn band_limited(task: &Resolved, seed: u64, index: u64) -> Vec<f64> {
    let mut rng = rng_for(seed, Stream::Test, index);
    let waves: Vec<(f64, f64, f64)> = (0..task.components)
        .map(|_| {
            // Box–Muller for the amplitude.
            let (u1, u2): (f64, f64) = (1.0 - rng.random::<f64>(), rng.random::<f64>());
            let amp = (-2.0 * u1.ln()).sqrt() * (TAU * u2).cos();
            let freq = task.cutoff * (1.0 - rng.random::<f64>());
            let phase = TAU * rng.random::<f64>();
            (amp, freq, phase)
        })
        .collect();
    let dt = 1.0 / task.length as f64;
    let mut v: Vec<f64> = (0..task.length)
        .map(|j| {
            let t = sample_time(j, dt);
            waves.iter().map(|&(a, f, p)| a * (TAU * f * t + p).sin()).sum()
        })
        .collect();
    let rms = (v.iter().map(|x| x * x).sum::<f64>() / v.len() as f64).sqrt();
    if rms > 0.0 {
        v.iter_mut().for_each(|x| *x /= rms);
    }
    v
}

/// A deterministic signal (`name` is one of [`FIXED_SIGNALS`]):
/// * `sine`: `sin(2π·4t + 0.3)`;
/// * `chirp`: frequency sweeping linearly from 1 to `cutoff`, `sin(2π(t + (cutoff − 1)t²/2))`;
/// * `step`: 0 before t = ½, 1 after (a jump: Gibbs oscillations in every polynomial basis);
/// * `sawtooth`: `2·frac(3t) − 1`.
fn fixed(name: &str, task: &Resolved) -> Vec<f64> {
    let dt = 1.0 / task.length as f64;
    let sweep = (task.cutoff - 1.0).max(0.0);
    let f = |t: f64| match name {
        "sine" => (TAU * 4.0 * t + 0.3).sin(),
        "chirp" => (2.0 * PI * (t + 0.5 * sweep * t * t)).sin(),
        "step" => {
            if t >= 0.5 {
                1.0
            } else {
                0.0
            }
        }
        "sawtooth" => 2.0 * (3.0 * t).fract() - 1.0,
        _ => unreachable!("signal names are checked by the task"),
    };
    (0..task.length).map(|j| f(sample_time(j, dt))).collect()
}
