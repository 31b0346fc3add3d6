//! Creation of the SSM parameters: log Δ, Λ as (A_real, A_imag), complex vectors stored as
//! real tensors with a trailing (re, im) axis.

use num_complex::Complex64;
use tch::{nn, Kind, Tensor};

/// `log Δ ~ U[log dt_min, log dt_max]` for h channels (S4 paper §C.4 / S4D paper §4 init of
/// the timescale; ssm.py:136-151).
pub fn log_dt(p: &nn::Path, h: i64, dt_min: f64, dt_max: f64) -> Tensor {
    let (lo, hi) = (dt_min.ln(), dt_max.ln());
    let init = Tensor::rand([h], (Kind::Float, p.device())) * (hi - lo) + lo;
    p.var_copy("log_dt", &init)
}

/// `A_real = log(−Re Λ)`, `A_imag = Im Λ`, each (h, M), the same Λ in every channel
/// (S4D paper §4; ssm.py:526-547). Every Re Λ must be negative.
pub fn lambda_params(p: &nn::Path, h: i64, lambda: &[Complex64]) -> (Tensor, Tensor) {
    let re: Vec<f32> = lambda.iter().map(|z| (-z.re).ln() as f32).collect();
    let im: Vec<f32> = lambda.iter().map(|z| z.im as f32).collect();
    let m = lambda.len() as i64;
    let re = Tensor::from_slice(&re).view([1, m]).repeat([h, 1]).to_device(p.device());
    let im = Tensor::from_slice(&im).view([1, m]).repeat([h, 1]).to_device(p.device());
    (p.var_copy("A_real", &re), p.var_copy("A_imag", &im))
}

/// A complex (h, M) parameter, the same vector in every channel, stored as (h, M, 2).
pub fn complex_rows(p: &nn::Path, name: &str, h: i64, values: &[Complex64]) -> Tensor {
    let flat: Vec<f32> = values.iter().flat_map(|z| [z.re as f32, z.im as f32]).collect();
    let m = values.len() as i64;
    let init = Tensor::from_slice(&flat).view([1, m, 2]).repeat([h, 1, 1]).to_device(p.device());
    p.var_copy(name, &init)
}

/// A complex parameter of `shape` (plus the trailing (re, im) axis) drawn from CN(0, 1):
/// real and imaginary parts N(0, ½).
pub fn complex_normal(p: &nn::Path, name: &str, shape: &[i64]) -> Tensor {
    let mut dims = shape.to_vec();
    dims.push(2);
    let init = Tensor::randn(dims.as_slice(), (Kind::Float, p.device())) * 0.5f64.sqrt();
    p.var_copy(name, &init)
}
