//! Helpers shared by the integration tests: tensor ↔ f64 vectors, relative errors, options.
#![allow(dead_code, unused_imports)]

use num_complex::Complex64;
use ssm_s4_layers::S4Options;
use tch::{Kind, Tensor};

/// Options from a YAML flow mapping.
pub fn options(yaml: &str) -> S4Options {
    ssm_testkit::options(yaml)
}

/// A real tensor as a flat f64 vector.
pub fn reals(t: &Tensor) -> Vec<f64> {
    Vec::<f64>::try_from(t.detach().to_kind(Kind::Double).contiguous().flatten(0, -1)).unwrap()
}

/// A complex tensor (any shape) as a flat vector.
pub fn complexes(t: &Tensor) -> Vec<Complex64> {
    let r = reals(&t.detach().to_kind(Kind::ComplexDouble).view_as_real());
    r.chunks(2).map(|p| Complex64::new(p[0], p[1])).collect()
}

/// Row `i` of a flat vector cut in rows of `m`.
pub fn row<T: Clone>(v: &[T], i: usize, m: usize) -> Vec<T> {
    v[i * m..(i + 1) * m].to_vec()
}

/// `max |a − b| / max |b|`.
pub fn rel_err(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let diff = a.iter().zip(b).fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
    diff / scale
}

/// `max |a − b| / max |b|` of tensors.
pub use ssm_testkit::rel_err as rel_err_t;

/// Overwrites a parameter in place (outside the graph).
pub fn set(param: &Tensor, value: &Tensor) {
    let mut p = param.shallow_clone();
    tch::no_grad(|| p.copy_(value));
}
