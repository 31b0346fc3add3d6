//! On a CUDA device (skipped, with a note, where libtorch sees none): the block with the CUDA
//! scan kernel equals the block with the reference scan (outputs and parameter gradients), and
//! its recurrent form equals its forward.

mod common;

use std::collections::BTreeMap;

use common::rel_err;
use ssm_mamba::Mamba;
use ssm_nn::Mixer;
use ssm_scan::Backend;
use ssm_testkit::output_and_grads;
use tch::{nn, Device, Kind, Tensor};

fn cuda() -> Option<Device> {
    if tch::Cuda::is_available() {
        Some(Device::Cuda(0))
    } else {
        eprintln!("no CUDA device: skipped");
        None
    }
}

fn build(device: Device, yaml: &str) -> (nn::VarStore, Mamba) {
    tch::manual_seed(31);
    let vs = nn::VarStore::new(device);
    let m = Mamba::new(&(vs.root() / "mixer"), 32, 2, &ssm_testkit::options(yaml)).unwrap();
    (vs, m)
}

fn grads(
    vs: &nn::VarStore,
    m: &mut Mamba,
    x: &Tensor,
    w: &Tensor,
    backend: Backend,
) -> (Tensor, BTreeMap<String, Tensor>) {
    m.set_backend(backend);
    output_and_grads(vs, w, || m.forward(x, true))
}

#[test]
fn cuda_kernel_equals_reference_and_steps_equal_forward() {
    let Some(device) = cuda() else { return };
    for yaml in ["{backend: cuda}", "{backend: cuda, inner: s4, gate: none}", "{backend: auto, d_state: 64}"] {
        let (vs, mut m) = build(device, yaml);
        let x = Tensor::randn([3, 300, 32], (Kind::Float, device));
        let w = Tensor::randn([3, 300, 32], (Kind::Float, device));
        let (y_gpu, g_gpu) = grads(&vs, &mut m, &x, &w, Backend::Cuda);
        let (y_ref, g_ref) = grads(&vs, &mut m, &x, &w, Backend::Reference);
        let err = rel_err(&y_gpu, &y_ref);
        eprintln!("{yaml}: output {err:.2e}");
        assert!(err < 1e-4, "{yaml}: output relative error {err:.2e}");
        for (name, g) in &g_gpu {
            let err = rel_err(g, &g_ref[name]);
            eprintln!("{yaml}: {name} gradient {err:.2e}");
            assert!(err < 1e-4, "{yaml}: {name} gradient relative error {err:.2e}");
        }
        m.set_backend(Backend::Cuda);
        let full = m.forward(&x, false);
        let mut state = m.initial_state(3, 300).unwrap();
        let mut outs = vec![m.step(&x.narrow(1, 0, 200), &mut state).unwrap()];
        for t in 200..300 {
            outs.push(m.step(&x.narrow(1, t, 1), &mut state).unwrap());
        }
        let err = rel_err(&Tensor::cat(&outs, 1), &full);
        eprintln!("{yaml}: prefill + decode {err:.2e}");
        assert!(err < 1e-4, "{yaml}: prefill + decode relative error {err:.2e}");
    }
}

#[test]
fn cpu_backend_on_cuda_tensors_is_refused_at_build() {
    let Some(device) = cuda() else { return };
    let vs = nn::VarStore::new(device);
    let err = Mamba::new(&vs.root(), 16, 1, &ssm_testkit::options("{backend: cpu}")).unwrap_err();
    assert_eq!(err.path, "backend", "{err}");
}
