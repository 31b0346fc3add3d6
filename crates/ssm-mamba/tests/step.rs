//! The recurrent form equals `forward` (eval): token by token, and a prefill chunk followed by
//! single-token decoding, for the four Table 1 variants (inner s6 | s4 × gate mamba | none).

mod common;

use common::{layer, perturb, rel_err};
use ssm_mamba::MambaState;
use ssm_nn::{Mixer, MixerState};
use ssm_testkit::stepped;
use tch::{Device, Kind, Tensor};

const TOL: f64 = 1e-4;
const L: i64 = 37;
const D_MODEL: usize = 8;

fn check(yaml: &str) {
    let (vs, m) = layer(3, D_MODEL, 2, yaml);
    perturb(&vs, 0.1);
    let x = Tensor::randn([2, L, D_MODEL as i64], (Kind::Float, Device::Cpu));
    let full = m.forward(&x, false);
    let singles = vec![1; L as usize];
    for (name, chunks) in [
        ("token by token", singles),
        ("prefill 20 then decode", [vec![20], vec![1; 17]].concat()),
        ("prefill 2, chunks", vec![2, 5, 1, 3, 26]),
        ("one chunk", vec![L]),
    ] {
        let err = rel_err(&stepped(&m, &x, L, &chunks), &full);
        eprintln!("{yaml} {name}: relative error {err:.2e}");
        assert!(err < TOL, "{yaml} {name}: relative error {err:.2e}");
    }
}

#[test]
fn steps_equal_forward_s6_gated() {
    check("{d_state: 8, backend: cpu}");
}

#[test]
fn steps_equal_forward_s4_gated() {
    check("{d_state: 8, inner: s4, backend: cpu}");
}

#[test]
fn steps_equal_forward_s6_no_gate() {
    check("{d_state: 8, gate: none, backend: cpu}");
}

#[test]
fn steps_equal_forward_s4_no_gate() {
    check("{d_state: 8, inner: s4, gate: none, backend: cpu}");
}

#[test]
fn steps_equal_forward_reference_backend_wide_conv() {
    check("{d_state: 4, d_conv: 6, expand: 1, backend: reference, bias: true}");
}

#[test]
fn the_state_is_carried_and_checked() {
    let (_vs, m) = layer(4, D_MODEL, 1, "{d_state: 8, backend: cpu}");
    let x = Tensor::randn([2, 6, D_MODEL as i64], (Kind::Float, Device::Cpu));
    let mut state = m.initial_state(2, 6).unwrap();
    let first = m.step(&x.narrow(1, 0, 3), &mut state).unwrap();
    // A fresh state gives another output for the second half than the carried one.
    let carried = m.step(&x.narrow(1, 3, 3), &mut state).unwrap();
    let mut fresh = m.initial_state(2, 6).unwrap();
    let restarted = m.step(&x.narrow(1, 3, 3), &mut fresh).unwrap();
    assert!(rel_err(&carried, &restarted) > 1e-3);
    assert_eq!(first.size(), [2, 3, D_MODEL as i64]);
    let s = state.downcast_ref::<MambaState>().unwrap();
    assert_eq!(s.conv.size(), [2, 2 * D_MODEL as i64, 4]);
    assert_eq!(s.ssm.size(), [2, 2 * D_MODEL as i64, 8]);
    assert_eq!(s.ssm.kind(), Kind::Float);
    // Wrong batch, wrong width, a state of another kind.
    assert!(m.step(&Tensor::randn([3, 1, D_MODEL as i64], (Kind::Float, Device::Cpu)), &mut state).is_err());
    assert!(m.step(&Tensor::randn([2, 1, 5], (Kind::Float, Device::Cpu)), &mut state).is_err());
    let mut other: MixerState = Box::new(0u8);
    let err = m.step(&x.narrow(1, 0, 1), &mut other).unwrap_err();
    assert!(err.0.contains("mamba"), "{err}");
    assert!(m.initial_state(0, 6).is_err());
}
