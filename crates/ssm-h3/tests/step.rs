//! The recurrent form equals `forward` (eval): token by token, a prefill chunk then decoding,
//! and uneven chunks, for inner s4d (bilinear and zoh) and s6, head_dim 1 and 2.

mod common;

use common::{layer, perturb, rel_err};
use ssm_h3::H3State;
use ssm_nn::{Mixer, MixerState};
use ssm_testkit::stepped;
use tch::{Device, Kind, Tensor};

const TOL: f64 = 1e-4;
const D_MODEL: usize = 8;

fn check(yaml: &str, len: i64) {
    let (vs, m) = layer(5, D_MODEL, yaml);
    perturb(&vs, 0.1);
    let x = Tensor::randn([2, len, D_MODEL as i64], (Kind::Float, Device::Cpu));
    let full = m.forward(&x, false);
    let p = len / 2;
    for (name, chunks) in [
        ("token by token", vec![1; len as usize]),
        ("prefill then decode", [vec![p], vec![1; (len - p) as usize]].concat()),
        ("uneven chunks", vec![3, 1, p - 4, len - p]),
        ("one chunk", vec![len]),
    ] {
        let err = rel_err(&stepped(&m, &x, len, &chunks), &full);
        eprintln!("{yaml} L={len} {name}: relative error {err:.2e}");
        assert!(err < TOL, "{yaml} L={len} {name}: relative error {err:.2e}");
    }
}

#[test]
fn s4d_head_dim_1() {
    check("{d_state: 16}", 41);
}

#[test]
fn s4d_head_dim_2() {
    check("{d_state: 16, head_dim: 2}", 41);
}

#[test]
fn s4d_zoh_head_dim_2_short_sequence() {
    // L < d_state: the shift FIR is cut to L.
    check("{d_state: 24, head_dim: 2, disc: zoh, init: inv}", 13);
}

#[test]
fn s4d_single_precision_kernel() {
    check("{d_state: 8, head_dim: 4, kernel_precision: single}", 30);
}

#[test]
fn s6_head_dim_1() {
    check("{d_state: 8, inner: s6, backend: cpu}", 41);
}

#[test]
fn s6_head_dim_2() {
    check("{d_state: 8, inner: s6, head_dim: 2, backend: reference}", 41);
}

#[test]
fn the_state_is_carried_and_checked() {
    let (_vs, m) = layer(6, D_MODEL, "{d_state: 8, head_dim: 2}");
    let x = Tensor::randn([3, 6, D_MODEL as i64], (Kind::Float, Device::Cpu));
    let mut state = m.initial_state(3, 6).unwrap();
    let _ = m.step(&x.narrow(1, 0, 3), &mut state).unwrap();
    let carried = m.step(&x.narrow(1, 3, 3), &mut state).unwrap();
    let mut fresh = m.initial_state(3, 6).unwrap();
    let restarted = m.step(&x.narrow(1, 3, 3), &mut fresh).unwrap();
    assert!(rel_err(&carried, &restarted) > 1e-3);
    let s = state.downcast_ref::<H3State>().unwrap();
    assert_eq!(s.shift.size(), [3, D_MODEL as i64, 8]);
    match &s.inner {
        ssm_h3::InnerState::S4d { state, .. } => assert_eq!(state.size(), [3 * 4, 4, 4]),
        other => panic!("{other:?}"),
    }
    assert!(m.step(&Tensor::randn([2, 1, D_MODEL as i64], (Kind::Float, Device::Cpu)), &mut state).is_err());
    assert!(m.step(&Tensor::randn([3, 1, 7], (Kind::Float, Device::Cpu)), &mut state).is_err());
    let mut other: MixerState = Box::new(1u32);
    assert!(m.step(&x.narrow(1, 0, 1), &mut other).unwrap_err().0.contains("h3"));
    // The s6 state is (B·hd², H, N) f32.
    let (_vs, m) = layer(6, D_MODEL, "{d_state: 8, head_dim: 2, inner: s6}");
    let state = m.initial_state(3, 6).unwrap();
    match &state.downcast_ref::<H3State>().unwrap().inner {
        ssm_h3::InnerState::S6(h) => {
            assert_eq!(h.size(), [12, 4, 8]);
            assert_eq!(h.kind(), Kind::Float);
        }
        other => panic!("{other:?}"),
    }
}
