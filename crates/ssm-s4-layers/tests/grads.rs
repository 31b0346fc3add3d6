//! Gradients reach every parameter, SSM parameters sit in their group, and the S4D kernel's
//! autograd gradient matches central finite differences in f64.

mod common;

use common::options;
use ssm_nn::{named_trainables, Mixer, ParamGroup};
use ssm_s4_layers::kernel_graph::{lambda_from, s4d_kernel};
use ssm_s4_layers::{DssLayer, S4Layer, S4dLayer, SsmCore, SsmLayer};
use tch::{nn, Device, Kind, Tensor};

fn check_every_parameter<K: SsmCore>(name: &str, yaml: &str, ssm: &[&str]) {
    tch::manual_seed(12);
    let vs = nn::VarStore::new(Device::Cpu);
    let layer = SsmLayer::<K>::new(&vs.root(), 6, &options(yaml)).unwrap();
    let x = Tensor::randn([2, 33, 6], (Kind::Float, Device::Cpu));
    layer.forward(&x, true).square().sum(Kind::Float).backward();
    let params = named_trainables(&vs);
    assert!(!params.is_empty());
    for p in &params {
        let g = p.tensor.grad();
        assert!(g.defined(), "{name}: {} has no gradient", p.name);
        let norm = g.abs().sum(Kind::Double).double_value(&[]);
        assert!(norm.is_finite() && norm > 0.0, "{name}: {} gradient norm {norm}", p.name);
        let want = if ssm.contains(&p.name.as_str()) { ParamGroup::Ssm } else { p.group };
        assert_eq!(p.group, want, "{name}: {} in {:?}", p.name, p.group);
    }
    for s in ssm {
        let p = params.iter().find(|p| p.name == *s).unwrap_or_else(|| panic!("{name}: no parameter {s}"));
        assert_eq!(p.group, ParamGroup::Ssm, "{name}: {s}");
    }
}

#[test]
fn gradients_reach_every_parameter() {
    let diag = ["log_dt", "A_real", "A_imag"];
    check_every_parameter::<ssm_s4_layers::S4d>("s4d", "{d_state: 8}", &[&diag[..], &["B"]].concat());
    check_every_parameter::<ssm_s4_layers::S4d>("s4d-bi", "{d_state: 8, bidirectional: true, output: gelu}", &diag);
    check_every_parameter::<ssm_s4_layers::Dss>("dss", "{d_state: 8}", &diag);
    check_every_parameter::<ssm_s4_layers::S4>("s4", "{d_state: 8}", &[&diag[..], &["B", "P"]].concat());
    check_every_parameter::<ssm_s4_layers::S4>("s4-bi", "{d_state: 8, bidirectional: true, dropout: 0.1}", &diag);
    let _ = (S4Layer::new, S4dLayer::new, DssLayer::new);
}

#[test]
fn s4d_kernel_gradient_matches_finite_differences() {
    tch::manual_seed(13);
    let (h, m, l) = (2i64, 3i64, 9i64);
    let o = (Kind::Double, Device::Cpu);
    let base = [
        Tensor::randn([h, m], o) * 0.3,         // A_real
        Tensor::randn([h, m], o) * 3.0,         // A_imag
        Tensor::randn([h, m, 2], o),            // B
        Tensor::randn([1, h, m, 2], o),         // C
        Tensor::randn([h], o) * 0.5 - 2.0,      // log Δ
    ];
    let weights = Tensor::randn([1, h, l], o);
    let loss = |p: &[Tensor]| -> Tensor {
        let lam = lambda_from(&p[0], &p[1]);
        let k = s4d_kernel(&lam, &p[2].view_as_complex(), &p[3].view_as_complex(), &p[4].exp(), l);
        (k * &weights).sum(Kind::Double)
    };
    let leaves: Vec<Tensor> = base.iter().map(|t| t.copy().set_requires_grad(true)).collect();
    loss(&leaves).backward();
    let eps = 1e-6;
    for (i, leaf) in leaves.iter().enumerate() {
        let grad = leaf.grad().flatten(0, -1);
        let n = grad.size()[0];
        for j in 0..n {
            let bump = |s: f64| -> f64 {
                let ps: Vec<Tensor> = base.iter().map(|t| t.copy()).collect();
                let flat = ps[i].view([-1]);
                let v = flat.double_value(&[j]);
                let _ = flat.get(j).fill_(v + s);
                loss(&ps).double_value(&[])
            };
            let fd = (bump(eps) - bump(-eps)) / (2.0 * eps);
            let ad = grad.double_value(&[j]);
            assert!((fd - ad).abs() <= 1e-6 * (1.0 + ad.abs()), "parameter {i}[{j}]: autograd {ad}, finite difference {fd}");
        }
    }
}

#[test]
fn cauchy_closed_form_pole_gradient_equals_autograd_of_the_slow_twin() {
    use ssm_s4_layers::kernel_graph::{cauchy_conj_pairs, cauchy_conj_pairs_autograd};
    tch::manual_seed(14);
    let o = (Kind::Double, Device::Cpu);
    let (h, r, m, k) = (3i64, 4i64, 5i64, 17i64);
    let v0 = Tensor::complex(&Tensor::randn([h, r, m], o), &Tensor::randn([h, r, m], o));
    // Poles in the left half plane, one near a node (b ≈ t) as at resonance.
    let w0 = Tensor::complex(&(-Tensor::rand([h, m], o) - 0.05), &(Tensor::randn([h, m], o) * 3.0));
    let t = Tensor::linspace(-6.0, 6.0, k, o);
    let weights = Tensor::complex(&Tensor::randn([h, r, k], o), &Tensor::randn([h, r, k], o));
    let run = |f: fn(&Tensor, &Tensor, &Tensor) -> Tensor| {
        let v = v0.copy().set_requires_grad(true);
        let w = w0.copy().set_requires_grad(true);
        let y = f(&v, &w, &t);
        (y.conj_physical() * &weights).real().sum(Kind::Double).backward();
        (y.detach(), v.grad(), w.grad())
    };
    let (y_fast, dv_fast, dw_fast) = run(cauchy_conj_pairs);
    let (y_slow, dv_slow, dw_slow) = run(cauchy_conj_pairs_autograd);
    let rel = |a: &Tensor, b: &Tensor| (a - b).abs().max().double_value(&[]) / b.abs().max().double_value(&[]);
    assert!(rel(&y_fast, &y_slow) < 1e-12, "values {}", rel(&y_fast, &y_slow));
    assert!(rel(&dv_fast, &dv_slow) < 1e-12, "dv {}", rel(&dv_fast, &dv_slow));
    assert!(rel(&dw_fast, &dw_slow) < 1e-10, "dw {}", rel(&dw_fast, &dw_slow));
    assert!(dw_slow.abs().max().double_value(&[]) > 1e-3, "the poles' gradient must take part");
}
