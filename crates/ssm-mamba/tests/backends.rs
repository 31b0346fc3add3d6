//! The block with the CPU scan kernel equals the block with the tch reference scan: outputs,
//! input gradients and every parameter gradient, for the four Table 1 variants.

mod common;

use std::collections::BTreeMap;

use common::{layer, perturb, rel_err};
use ssm_nn::Mixer;
use ssm_scan::Backend;
use ssm_testkit::output_and_grads;
use tch::{nn, Device, Kind, Tensor};

const TOL: f64 = 1e-4;

/// Output, input gradient and parameter gradients of `Σ y·w` with the block on `backend`.
fn run(
    vs: &nn::VarStore,
    m: &mut ssm_mamba::Mamba,
    x: &Tensor,
    w: &Tensor,
    backend: Backend,
) -> (Tensor, Tensor, BTreeMap<String, Tensor>) {
    m.set_backend(backend);
    let x = x.detach().set_requires_grad(true);
    let (y, grads) = output_and_grads(vs, w, || m.forward(&x, true));
    (y, x.grad().copy(), grads)
}

fn check(yaml: &str) {
    let (vs, mut m) = layer(11, 8, 2, yaml);
    perturb(&vs, 0.1);
    let x = Tensor::randn([2, 29, 8], (Kind::Float, Device::Cpu));
    let w = Tensor::randn([2, 29, 8], (Kind::Float, Device::Cpu));
    let (y_cpu, dx_cpu, g_cpu) = run(&vs, &mut m, &x, &w, Backend::Cpu);
    let (y_ref, dx_ref, g_ref) = run(&vs, &mut m, &x, &w, Backend::Reference);
    let err = rel_err(&y_cpu, &y_ref);
    eprintln!("{yaml}: output {err:.2e}");
    assert!(err < TOL, "{yaml}: output relative error {err:.2e}");
    let err = rel_err(&dx_cpu, &dx_ref);
    assert!(err < TOL, "{yaml}: input gradient relative error {err:.2e}");
    assert_eq!(g_cpu.keys().collect::<Vec<_>>(), g_ref.keys().collect::<Vec<_>>());
    for (name, g) in &g_cpu {
        let r = &g_ref[name];
        assert!(r.abs().max().double_value(&[]) > 0.0, "{yaml}: {name} has a zero reference gradient");
        let err = rel_err(g, r);
        eprintln!("{yaml}: {name} gradient {err:.2e}");
        assert!(err < TOL, "{yaml}: {name} gradient relative error {err:.2e}");
    }
}

#[test]
fn cpu_kernel_equals_reference_s6_gated() {
    check("{d_state: 8, bias: true}");
}

#[test]
fn cpu_kernel_equals_reference_s4_gated() {
    check("{d_state: 8, inner: s4}");
}

#[test]
fn cpu_kernel_equals_reference_s6_no_gate() {
    check("{d_state: 8, gate: none}");
}

#[test]
fn cpu_kernel_equals_reference_s4_no_gate() {
    check("{d_state: 8, inner: s4, gate: none}");
}

#[test]
fn auto_on_cpu_is_the_cpu_kernel_and_cuda_is_refused() {
    let (_vs, m) = layer(12, 8, 1, "{d_state: 4}");
    let x = Tensor::randn([1, 5, 8], (Kind::Float, Device::Cpu));
    let y_auto = m.forward(&x, false);
    let mut m = m;
    m.set_backend(Backend::Cpu);
    assert_eq!(rel_err(&y_auto, &m.forward(&x, false)), 0.0);
    // Asking for the CUDA kernel on CPU tensors is an error carrying the scan's message, not a
    // fallback.
    m.set_backend(Backend::Cuda);
    let err = m.try_forward(&x).unwrap_err().to_string();
    assert!(err.contains("cuda"), "{err}");
}
