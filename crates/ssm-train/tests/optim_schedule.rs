use ssm_config::{parse_value, Value};
use ssm_nn::ParamGroup;
use ssm_train::optim::AdamW;
use ssm_train::{lr_at, TrainConfig};
use tch::{nn, Kind, Tensor};

fn cfg(yaml: &str) -> TrainConfig {
    let v: Value = serde_yaml::from_str(yaml).unwrap();
    parse_value(&v).unwrap()
}

#[test]
fn cosine_schedule_warms_up_then_decays_to_the_floor() {
    let c = cfg("{steps: 110, batch_size: 1, lr: 1.0, schedule: cosine, warmup_steps: 10, min_lr_ratio: 0.1}");
    assert!((lr_at(&c, 0) - 0.1).abs() < 1e-12);
    assert!((lr_at(&c, 9) - 1.0).abs() < 1e-12);
    assert!((lr_at(&c, 10) - 1.0).abs() < 1e-12);
    assert!((lr_at(&c, 60) - 0.55).abs() < 1e-12, "half way: floor + (1 - floor)/2");
    assert!(lr_at(&c, 109) > 0.1 && lr_at(&c, 109) < 0.11);
    let k = cfg("{steps: 5, batch_size: 1, lr: 1.0}");
    assert_eq!(lr_at(&k, 3), 1.0);
}

/// safari's `linear_warmup` (transformers' get_linear_schedule_with_warmup): step / warmup, then
/// (steps − step) / (steps − warmup) down to 0 at the last step.
#[test]
fn linear_schedule_warms_up_then_decays_linearly() {
    let c = cfg("{steps: 110, batch_size: 1, lr: 1.0, schedule: linear, warmup_steps: 10}");
    assert!((lr_at(&c, 4) - 0.5).abs() < 1e-12);
    assert!((lr_at(&c, 10) - 1.0).abs() < 1e-12);
    assert!((lr_at(&c, 35) - 0.75).abs() < 1e-12, "a quarter of the decay");
    assert!((lr_at(&c, 85) - 0.25).abs() < 1e-12);
    let floored = cfg("{steps: 110, batch_size: 1, lr: 1.0, schedule: linear, warmup_steps: 10, min_lr_ratio: 0.2}");
    assert!((lr_at(&floored, 60) - 0.6).abs() < 1e-12, "half way: floor + (1 - floor)/2");
    assert!((lr_at(&floored, 110) - 0.2).abs() < 1e-12);
}

/// Two Adam updates on f(θ) = Σ g·θ (constant gradient g) against the closed form, with decoupled
/// weight decay on the decayed group, none on the no-decay group and the SSM group's own rate.
#[test]
fn adamw_matches_the_closed_form_per_group() {
    let vs = nn::VarStore::new(tch::Device::Cpu);
    let root = vs.root();
    let w = ParamGroup::Decay.path(&root).var_copy("w", &Tensor::from_slice(&[1.0f32, -2.0]));
    let b = ParamGroup::NoDecay.path(&root).var_copy("b", &Tensor::from_slice(&[0.5f32]));
    let a = ParamGroup::Ssm.path(&root).var_copy("a", &Tensor::from_slice(&[3.0f32]));
    let c = cfg("{steps: 2, batch_size: 1, lr: 0.1, weight_decay: 0.5, ssm_lr: 0.01}");
    let mut opt = AdamW::new(ssm_nn::named_trainables(&vs), &c);
    let g = [0.3f64, -0.7, 2.0, 1.5];
    for _ in 0..2 {
        opt.zero_grad();
        let loss = (&w * Tensor::from_slice(&[0.3f32, -0.7])).sum(Kind::Float)
            + (&b * 2.0).sum(Kind::Float)
            + (&a * 1.5).sum(Kind::Float);
        loss.backward();
        opt.step(&c, 1.0);
    }
    // With a constant gradient, m̂ = g and v̂ = g², so each step moves by lr·g/(|g| + ε).
    let step = |p: f64, g: f64, lr: f64, wd: f64| {
        let mut p = p;
        for _ in 0..2 {
            p *= 1.0 - lr * wd;
            p -= lr * g / (g.abs() + 1e-8);
        }
        p
    };
    let got = |t: &Tensor, i: i64| t.double_value(&[i]);
    assert!((got(&w, 0) - step(1.0, g[0], 0.1, 0.5)).abs() < 1e-6);
    assert!((got(&w, 1) - step(-2.0, g[1], 0.1, 0.5)).abs() < 1e-6);
    assert!((got(&b, 0) - step(0.5, g[2], 0.1, 0.0)).abs() < 1e-6, "no decay on the no-decay group");
    assert!((got(&a, 0) - step(3.0, g[3], 0.01, 0.0)).abs() < 1e-6, "SSM group: own lr, no decay");
}
