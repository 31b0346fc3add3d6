//! Helpers shared by the integration tests.
#![allow(dead_code, unused_imports)]

pub use ssm_testkit::{rel_err, yaml as value};
use ssm_mamba::Mamba;
use tch::{nn, Device};

/// A Mamba layer on the CPU, seeded.
pub fn layer(seed: i64, d_model: usize, n_layers: usize, yaml: &str) -> (nn::VarStore, Mamba) {
    tch::manual_seed(seed);
    let vs = nn::VarStore::new(Device::Cpu);
    let m = Mamba::new(&(vs.root() / "mixer"), d_model, n_layers, &ssm_testkit::options(yaml)).unwrap();
    (vs, m)
}

/// Adds N(0, σ²) noise to every trainable variable (so that structured inits such as D = 1 or
/// A = −(1..N) cannot hide a mistake).
pub fn perturb(vs: &nn::VarStore, sigma: f64) {
    tch::no_grad(|| {
        for mut v in vs.trainable_variables() {
            let noise = v.randn_like() * sigma;
            let _ = v.g_add_(&noise);
        }
    });
}
