//! Helpers shared by the integration tests.
#![allow(dead_code)]

use nalgebra::{DMatrix, DVector};
use ssm_hippo::Discretization;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

pub fn rand_vec(r: &mut ChaCha8Rng, n: usize) -> DVector<f64> {
    DVector::from_fn(n, |_, _| r.random_range(-1.0..1.0))
}

pub fn rand_mat(r: &mut ChaCha8Rng, n: usize, m: usize) -> DMatrix<f64> {
    DMatrix::from_fn(n, m, |_, _| r.random_range(-1.0..1.0))
}

pub fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
}

pub fn max_abs(a: &[f64]) -> f64 {
    a.iter().fold(0.0f64, |m, x| m.max(x.abs()))
}

pub fn rel_mat_err(a: &DMatrix<f64>, b: &DMatrix<f64>) -> f64 {
    (a - b).amax() / b.amax().max(1e-300)
}

/// Every discretization rule, GBT at one α strictly between the named ones.
pub const RULES: [Discretization; 5] = [
    Discretization::Forward,
    Discretization::Backward,
    Discretization::Bilinear,
    Discretization::Gbt { alpha: 0.3 },
    Discretization::Zoh,
];
