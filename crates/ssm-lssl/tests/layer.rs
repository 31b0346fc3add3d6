//! The layer: convolution = recurrence, gradients (autograd against finite differences in f64),
//! parameter groups, and option errors.

use ssm_lssl::{bilinear, causal_conv, krylov_kernel, Lssl, LsslFactory, LsslOptions};
use ssm_nn::{named_trainables, Mixer, MixerContext, MixerFactory, ParamGroup};
use ssm_testkit::max_abs_diff;
use tch::{nn, Device, Kind, Tensor};

fn options(yaml: &str) -> LsslOptions {
    ssm_testkit::options(yaml)
}

#[test]
fn convolution_equals_recurrence_on_a_random_input() {
    for (measure, kind, tol) in [("legs", Kind::Double, 1e-10), ("legt", Kind::Double, 1e-10), ("lagt", Kind::Float, 1e-4)] {
        tch::manual_seed(3);
        let mut vs = nn::VarStore::new(Device::Cpu);
        let opts = options(&format!("{{measure: {measure}, d_state: 8, dt_min: 0.01, dt_max: 0.3}}"));
        let layer = Lssl::new(&vs.root(), 4, &opts).unwrap();
        if kind == Kind::Double {
            vs.double();
        }
        let u = Tensor::randn([2, 4, 50], (kind, Device::Cpu));
        let conv = layer.ssm_conv(&u);
        let rec = layer.ssm_recurrent(&u);
        assert_eq!(conv.size(), [2, 4, 50]);
        let scale = rec.abs().max().double_value(&[]);
        let err = max_abs_diff(&conv, &rec) / scale;
        assert!(err < tol, "{measure}: relative difference {err:.2e}");
        // Shifting the input one step shifts the output one step (time invariance).
        let shifted = Tensor::cat(&[Tensor::zeros([2, 4, 1], (kind, Device::Cpu)), u.narrow(-1, 0, 49)], -1);
        let y2 = layer.ssm_conv(&shifted);
        assert!(max_abs_diff(&y2.narrow(-1, 1, 49), &conv.narrow(-1, 0, 49)) / scale < tol * 10.0);
    }
}

/// The SSM loss `Σ w·(K ∗ u + Du)` as a function of every SSM parameter.
fn ssm_loss(p: &[Tensor; 5], u: &Tensor, w: &Tensor) -> Tensor {
    let [a, b, log_dt, c, d] = p;
    let (a_bar, b_bar) = bilinear(a, b, &log_dt.exp());
    let l = u.size()[2];
    let k = krylov_kernel(&a_bar, &b_bar, c, l);
    (causal_conv(u, &k, d) * w).sum(Kind::Double)
}

#[test]
fn gradients_match_finite_differences_in_f64() {
    tch::manual_seed(11);
    let (h, n, l) = (2i64, 4i64, 11i64);
    let opts = (Kind::Double, Device::Cpu);
    let (a0, b0) = ssm_lssl::layer::hippo_tensors(ssm_hippo::Measure::LegS, n as usize).unwrap();
    let base: [Tensor; 5] = [
        a0.to_kind(Kind::Double),
        b0.to_kind(Kind::Double),
        Tensor::from_slice(&[-2.0f64, -0.7]),
        Tensor::randn([h, n], opts),
        Tensor::randn([h], opts),
    ];
    let u = Tensor::randn([3, h, l], opts);
    let w = Tensor::randn([3, h, l], opts);
    let params: Vec<Tensor> = base.iter().map(|t| t.copy().set_requires_grad(true)).collect();
    let p: [Tensor; 5] = [0, 1, 2, 3, 4].map(|i| params[i].shallow_clone());
    ssm_loss(&p, &u, &w).backward();
    let names = ["A", "B", "log_dt", "C", "D"];
    let eps = 1e-6;
    for (i, name) in names.iter().enumerate() {
        let grad = params[i].grad();
        let numel = base[i].numel() as i64;
        let flat_grad = grad.view([-1]);
        for e in 0..numel {
            let shifted = |delta: f64| {
                let mut q: [Tensor; 5] = [0, 1, 2, 3, 4].map(|j| base[j].copy());
                let flat = q[i].view([-1]);
                let _ = flat.get(e).f_add_scalar_(delta).unwrap();
                q[i] = flat.view(base[i].size().as_slice());
                ssm_loss(&q, &u, &w).double_value(&[])
            };
            let fd = (shifted(eps) - shifted(-eps)) / (2.0 * eps);
            let ad = flat_grad.double_value(&[e]);
            assert!(
                (fd - ad).abs() <= 1e-6 * (1.0 + fd.abs()),
                "d loss / d {name}[{e}]: autograd {ad}, finite difference {fd}"
            );
        }
        assert!(grad.abs().sum(Kind::Double).double_value(&[]) > 0.0, "{name} got no gradient");
    }
}

#[test]
fn the_layer_trains_c_d_dt_and_optionally_a_with_ssm_groups() {
    for learn_a in [false, true] {
        tch::manual_seed(5);
        let vs = nn::VarStore::new(Device::Cpu);
        let opts = options(&format!("{{d_state: 8, learn_a: {learn_a}, learn_b: {learn_a}}}"));
        let layer = Lssl::new(&vs.root(), 6, &opts).unwrap();
        let x = Tensor::randn([2, 20, 6], (Kind::Float, Device::Cpu));
        let y = layer.forward(&x, true);
        assert_eq!(y.size(), [2, 20, 6]);
        y.square().sum(Kind::Float).backward();
        let vars = named_trainables(&vs);
        let names: Vec<&str> = vars.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names.contains(&"A"), learn_a, "{names:?}");
        assert_eq!(names.contains(&"B"), learn_a, "{names:?}");
        for v in &vars {
            let g = v.tensor.grad();
            assert!(g.defined(), "{} has no gradient", v.name);
            let s = g.abs().sum(Kind::Double).double_value(&[]);
            assert!(s.is_finite() && s > 0.0, "{}: gradient sum {s}", v.name);
            let ssm = matches!(v.name.as_str(), "A" | "B" | "log_dt");
            assert_eq!(v.group == ParamGroup::Ssm, ssm, "{} is in {:?}", v.name, v.group);
        }
        // The fixed A is still stored (checkpoints carry it).
        assert!(vs.variables().contains_key("A"));
    }
}

#[test]
fn dt_is_log_uniform_within_its_range() {
    tch::manual_seed(9);
    let vs = nn::VarStore::new(Device::Cpu);
    let layer = Lssl::new(&vs.root(), 512, &options("{dt_min: 0.001, dt_max: 0.1, d_state: 4}")).unwrap();
    let dt = layer.log_dt.exp();
    assert!(dt.min().double_value(&[]) >= 0.001 - 1e-9 && dt.max().double_value(&[]) <= 0.1 + 1e-9);
    // log-uniform: the median of log Δ sits near the middle of [ln 1e-3, ln 1e-1].
    let mid = layer.log_dt.median().double_value(&[]);
    assert!((mid - (0.01f64).ln()).abs() < 0.4, "median log dt {mid}");
}

#[test]
fn option_errors_name_the_option() {
    let ctx = MixerContext { d_model: 8, layer: 0, n_layers: 1 };
    let check = |yaml: &str| LsslFactory.validate(&serde_yaml::from_str(yaml).unwrap(), &ctx).unwrap_err();
    let e = check("{measure: legx}");
    assert_eq!(e.path, "measure");
    assert!(e.message.contains("unknown measure `legx`"), "{e}");
    let e = check("{measure: fout, d_state: 7}");
    assert_eq!(e.path, "d_state", "{e}");
    let e = check("{dt_min: 0.5, dt_max: 0.1}");
    assert_eq!(e.path, "dt_min", "{e}");
    let e = check("{dt_min: 0.1, dt_max: 0.1}");
    assert!(e.message.contains("below dt_max"), "{e}");
    let e = check("{d_state: 0}");
    assert_eq!(e.path, "d_state", "{e}");
    let e = check("{dt_min: -1}");
    assert_eq!(e.path, "dt_min", "{e}");
    let e = check("{state: 4}");
    assert!(e.message.contains("unknown field `state`"), "{e}");
    let e = check("{output: relu}");
    assert_eq!(e.path, "output", "{e}");
    assert!(LsslFactory.validate(&serde_yaml::from_str("{measure: legt, d_state: 16, output: gelu}").unwrap(), &ctx).is_ok());
}
