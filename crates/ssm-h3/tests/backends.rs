//! H3-S6 with the CPU scan kernel equals H3-S6 with the tch reference scan: outputs and every
//! parameter gradient.

mod common;

use std::collections::BTreeMap;

use common::{layer, perturb, rel_err};
use ssm_h3::H3;
use ssm_nn::Mixer;
use ssm_scan::Backend;
use ssm_testkit::output_and_grads;
use tch::{nn, Device, Kind, Tensor};

fn run(vs: &nn::VarStore, m: &mut H3, x: &Tensor, w: &Tensor, backend: Backend) -> (Tensor, BTreeMap<String, Tensor>) {
    m.set_backend(backend);
    output_and_grads(vs, w, || m.forward(x, true))
}

#[test]
fn cpu_kernel_equals_reference_for_h3_s6() {
    for yaml in ["{d_state: 8, inner: s6}", "{d_state: 4, inner: s6, head_dim: 2, dt_rank: 3}"] {
        let (vs, mut m) = layer(9, 8, yaml);
        perturb(&vs, 0.1);
        let x = Tensor::randn([2, 27, 8], (Kind::Float, Device::Cpu));
        let w = Tensor::randn([2, 27, 8], (Kind::Float, Device::Cpu));
        let (y_cpu, g_cpu) = run(&vs, &mut m, &x, &w, Backend::Cpu);
        let (y_ref, g_ref) = run(&vs, &mut m, &x, &w, Backend::Reference);
        let err = rel_err(&y_cpu, &y_ref);
        assert!(err < 1e-4, "{yaml}: output relative error {err:.2e}");
        for (name, g) in &g_cpu {
            let r = &g_ref[name];
            assert!(r.abs().max().double_value(&[]) > 0.0, "{yaml}: {name} has a zero gradient");
            let err = rel_err(g, r);
            eprintln!("{yaml}: {name} gradient {err:.2e}");
            assert!(err < 1e-4, "{yaml}: {name} gradient relative error {err:.2e}");
        }
    }
}
