//! The recurrent view equals the convolution: from the zero state, from a state reached by a
//! prefix, in chunks of several tokens, and from a random initial state (against the f64
//! reference zero-input responses).

mod common;

use common::{complexes, options, reals, rel_err, rel_err_t, row};
use ssm_nn::Mixer;
use ssm_s4_layers::{DssLayer, S4Layer, S4dLayer, SsmCore, SsmLayer};
use tch::{nn, Device, Kind, Tensor};

const H: i64 = 3;
const L: i64 = 200;
const TOL: f64 = 1e-5;

/// Step-by-step in chunks of the given sizes, from the zero state.
fn stepped<K: SsmCore>(layer: &SsmLayer<K>, u: &Tensor, chunks: &[i64]) -> Tensor {
    let st = layer.stepper(L).unwrap();
    let mut state = st.zero_state(u.size()[0]);
    let mut outs = Vec::new();
    let mut at = 0;
    for &c in chunks {
        outs.push(st.step_chunk(&mut state, &u.narrow(-1, at, c)).unwrap());
        at += c;
    }
    Tensor::cat(&outs, -1)
}

fn check_zero_and_chunks<K: SsmCore>(name: &str, layer: &SsmLayer<K>) {
    let u = Tensor::randn([2, H, L], (Kind::Float, Device::Cpu));
    let conv = layer.ssm(&u);
    for chunks in [vec![L], vec![1, 1, 7, 31, 60, 100], vec![100, 100]] {
        let err = rel_err_t(&stepped(layer, &u, &chunks), &conv);
        eprintln!("{name} chunks {chunks:?}: relative error {err:.2e}");
        assert!(err < TOL, "{name} chunks {chunks:?}: relative error {err:.2e}");
    }
    // One token at a time through `step`.
    let st = layer.stepper(L).unwrap();
    let mut state = st.zero_state(2);
    let ys: Vec<Tensor> = (0..L).map(|k| st.step(&mut state, &u.select(-1, k)).unwrap()).collect();
    let err = rel_err_t(&Tensor::stack(&ys, -1), &conv);
    eprintln!("{name} single steps: relative error {err:.2e}");
    assert!(err < TOL, "{name} single steps: relative error {err:.2e}");
    // The whole layer, token chunks against forward in eval mode.
    let x = u.transpose(1, 2);
    let full = layer.forward(&x, false);
    let mut state = st.zero_state(2);
    let a = layer.step_tokens(&st, &mut state, &x.narrow(1, 0, 50)).unwrap();
    let b = layer.step_tokens(&st, &mut state, &x.narrow(1, 50, L - 50)).unwrap();
    let err = rel_err_t(&Tensor::cat(&[a, b], 1), &full);
    eprintln!("{name} whole layer: relative error {err:.2e}");
    assert!(err < TOL, "{name} whole layer: relative error {err:.2e}");
}

#[test]
fn s4d_steps_equal_the_convolution() {
    for init in ["lin", "inv", "real", "legs"] {
        tch::manual_seed(7);
        let vs = nn::VarStore::new(Device::Cpu);
        let layer = S4dLayer::new(&vs.root(), H, &options(&format!("{{d_state: 16, init: {init}}}"))).unwrap();
        check_zero_and_chunks(&format!("s4d-{init}"), &layer);
    }
}

#[test]
fn dss_steps_equal_the_convolution() {
    tch::manual_seed(8);
    let vs = nn::VarStore::new(Device::Cpu);
    let layer = DssLayer::new(&vs.root(), H, &options("{d_state: 16}")).unwrap();
    check_zero_and_chunks("dss", &layer);
}

#[test]
fn s4_dplr_steps_equal_the_convolution() {
    tch::manual_seed(9);
    let vs = nn::VarStore::new(Device::Cpu);
    let layer = S4Layer::new(&vs.root(), H, &options("{d_state: 64}")).unwrap();
    check_zero_and_chunks("s4", &layer);
}

/// A random state s0 (2, H, M) complex128.
fn random_state(m: i64) -> Tensor {
    let o = (Kind::Double, Device::Cpu);
    Tensor::complex(&Tensor::randn([2, H, m], o), &Tensor::randn([2, H, m], o))
}

#[test]
fn steps_from_an_initial_state_add_its_zero_input_response() {
    tch::manual_seed(10);
    let (n, m) = (16i64, 8usize);
    let u = Tensor::randn([2, H, L], (Kind::Float, Device::Cpu));
    let s0 = random_state(m as i64);
    let s0v = complexes(&s0);
    // S4D: y = K ∗ u + D u + 2 Re Σ c Ā^{k+1} s0.
    let vs = nn::VarStore::new(Device::Cpu);
    let s4d = S4dLayer::new(&vs.root(), H, &options(&format!("{{d_state: {n}}}"))).unwrap();
    let vs2 = nn::VarStore::new(Device::Cpu);
    let s4 = S4Layer::new(&vs2.root(), H, &options(&format!("{{d_state: {n}}}"))).unwrap();
    let (lam, b, c, dt) = (complexes(&s4d.core.lambda()), complexes(&s4d.core.b_c().0), complexes(&s4d.core.b_c().1), reals(&s4d.core.dt()));
    let (p4, b4, c4) = s4.core.p_b_c();
    let (lam4, p4, b4, c4, dt4) = (complexes(&s4.core.lambda()), complexes(&p4), complexes(&b4), complexes(&c4), reals(&s4.core.dt()));
    for (name, conv, st) in [
        ("s4d", s4d.ssm(&u), s4d.stepper(L).unwrap()),
        ("s4", s4.ssm(&u), s4.stepper(L).unwrap()),
    ] {
        let mut state = st.state_from(&s0).unwrap();
        let y = st.step_chunk(&mut state, &u).unwrap();
        let conv = reals(&conv);
        let y = reals(&y);
        for bi in 0..2usize {
            for h in 0..H as usize {
                let s = row(&s0v, bi * H as usize + h, m);
                let zir = if name == "s4d" {
                    ssm_s4::DiagKernel::new(row(&lam, h, m), row(&b, h, m), row(&c, h, m), dt[h], ssm_hippo::Discretization::Zoh, true)
                        .unwrap()
                        .state_kernel(&s, L as usize)
                        .unwrap()
                } else {
                    ssm_s4::DplrKernel::new(row(&lam4, h, m), vec![row(&p4, h, m)], row(&b4, h, m), row(&c4, h, m), dt4[h])
                        .unwrap()
                        .state_kernel(&s, L as usize)
                        .unwrap()
                };
                let at = (bi * H as usize + h) * L as usize;
                let want: Vec<f64> = (0..L as usize).map(|k| conv[at + k] + zir[k]).collect();
                let err = rel_err(&y[at..at + L as usize], &want);
                eprintln!("{name} batch {bi} channel {h}: relative error {err:.2e}");
                assert!(err < TOL, "{name} batch {bi} channel {h}: relative error {err:.2e}");
            }
        }
    }
}

#[test]
fn step_inputs_are_checked() {
    let vs = nn::VarStore::new(Device::Cpu);
    let layer = S4dLayer::new(&vs.root(), H, &options("{d_state: 8}")).unwrap();
    let st = layer.stepper(L).unwrap();
    let mut bad = Tensor::zeros([2, H, 5], (Kind::ComplexFloat, Device::Cpu));
    assert!(st.step(&mut bad, &Tensor::zeros([2, H], (Kind::Float, Device::Cpu))).is_err());
    let mut real = Tensor::zeros([2, H, 4], (Kind::Float, Device::Cpu));
    assert!(st.step(&mut real, &Tensor::zeros([2, H], (Kind::Float, Device::Cpu))).is_err());
    let mut ok = st.zero_state(2);
    assert!(st.step(&mut ok, &Tensor::zeros([3, H], (Kind::Float, Device::Cpu))).is_err());
    let vs = nn::VarStore::new(Device::Cpu);
    let bi = S4dLayer::new(&vs.root(), H, &options("{d_state: 8, bidirectional: true}")).unwrap();
    assert!(bi.stepper(L).is_err());
}
