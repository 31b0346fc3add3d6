//! Helpers shared by the integration tests.
#![allow(dead_code, unused_imports)]

pub use ssm_testkit::{rel_err, yaml as value};
use ssm_h3::H3;
use tch::{nn, Device};

/// An H3 layer on the CPU, seeded.
pub fn layer(seed: i64, d_model: usize, yaml: &str) -> (nn::VarStore, H3) {
    tch::manual_seed(seed);
    let vs = nn::VarStore::new(Device::Cpu);
    let m = H3::new(&(vs.root() / "mixer"), d_model, &ssm_testkit::options(yaml)).unwrap();
    (vs, m)
}

/// Adds N(0, σ²) noise to every trainable variable, and widens the projections to
/// N(0, 1/d) so that every branch of the layer carries signal of order one.
pub fn perturb(vs: &nn::VarStore, sigma: f64) {
    tch::no_grad(|| {
        for (name, mut v) in vs.variables() {
            let noise = v.randn_like() * sigma;
            let _ = v.g_add_(&noise);
            if name.ends_with("proj.weight") || name.ends_with("output_linear.weight") {
                let d = v.size()[1] as f64;
                v.copy_(&(v.randn_like() / d.sqrt()));
            }
        }
    });
}
