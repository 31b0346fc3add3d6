//! Helpers for the workspace's tests (a dev-dependency only): options from YAML, tensor
//! comparisons, a module's output with every parameter gradient, and a mixer's recurrent form
//! run over a sequence in chunks.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use ssm_config::Value;
use ssm_nn::Mixer;
use tch::{nn, Kind, Tensor};

/// A YAML text (a flow mapping, say) as a config value.
pub fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).unwrap_or_else(|e| panic!("test YAML {text:?}: {e}"))
}

/// Typed options from a YAML text, through the strict config parser.
pub fn options<T: DeserializeOwned>(text: &str) -> T {
    ssm_config::parse_value(&yaml(text)).unwrap_or_else(|e| panic!("test options {text:?}: {e}"))
}

/// `max |a − b|`, in f64.
pub fn max_abs_diff(a: &Tensor, b: &Tensor) -> f64 {
    assert_eq!(a.size(), b.size(), "compared tensors differ in shape");
    (a.detach().to_kind(Kind::Double) - b.detach().to_kind(Kind::Double)).abs().max().double_value(&[])
}

/// `max |a − b| / max |b|`, in f64.
pub fn rel_err(a: &Tensor, b: &Tensor) -> f64 {
    max_abs_diff(a, b) / b.detach().to_kind(Kind::Double).abs().max().double_value(&[])
}

/// The output of `forward` and the gradient of Σ output·w with respect to every variable of
/// `vs`, by name (earlier gradients are cleared first).
pub fn output_and_grads(vs: &nn::VarStore, w: &Tensor, forward: impl FnOnce() -> Tensor) -> (Tensor, BTreeMap<String, Tensor>) {
    for v in vs.variables().values() {
        let mut g = v.grad();
        if g.defined() {
            let _ = g.zero_();
        }
    }
    let y = forward();
    (&y * w).sum(Kind::Double).backward();
    (y.detach(), vs.variables().into_iter().map(|(n, v)| (n, v.grad().copy())).collect())
}

/// The recurrent form of `mixer` over `x` (batch, L, d): from the initial state for sequences of
/// at most `max_len` tokens, token chunks of the given sizes (summing to L) through `step`, the
/// outputs joined along the sequence.
pub fn stepped(mixer: &dyn Mixer, x: &Tensor, max_len: i64, chunks: &[i64]) -> Tensor {
    let mut state = mixer.initial_state(x.size()[0], max_len).expect("initial state");
    let mut at = 0;
    let mut outs = Vec::new();
    for &c in chunks {
        outs.push(mixer.step(&x.narrow(1, at, c), &mut state).expect("step"));
        at += c;
    }
    assert_eq!(at, x.size()[1], "the chunks {chunks:?} do not cover the sequence");
    Tensor::cat(&outs, 1)
}
