use ssm_config::Value;
use ssm_models::{LanguageModel, ModelConfig};
use tch::{nn, Device, Kind, Tensor};

fn model(positions: &str) -> (nn::VarStore, LanguageModel) {
    tch::manual_seed(0);
    let vs = nn::VarStore::new(Device::Cpu);
    let yaml = format!("{{name: m, d_model: 32, n_layers: 2, mixer: {{kind: attention, heads: 4, positions: {positions}}}, max_positions: 64, mlp: {{expand: 2}}}}");
    let v: Value = serde_yaml::from_str(&yaml).unwrap();
    let cfg = ModelConfig::from_value(&v).unwrap();
    let m = LanguageModel::new(&vs.root(), &cfg, 16).unwrap();
    (vs, m)
}

fn tokens(seed: i64, len: i64) -> Tensor {
    tch::manual_seed(seed);
    Tensor::randint(16, [2, len], (Kind::Int64, Device::Cpu))
}

/// Changing a future token leaves every earlier position's logits unchanged, and changes later ones.
#[test]
fn attention_is_causal_for_every_position_scheme() {
    for positions in ["absolute", "rope", "none"] {
        let (_vs, m) = model(positions);
        let x = tokens(1, 20);
        let y = x.copy();
        let _ = y.narrow(1, 12, 1).fill_((x.int64_value(&[0, 12]) + 1) % 16);
        let (a, b) = tch::no_grad(|| (m.forward(&x, false), m.forward(&y, false)));
        let before = (a.narrow(1, 0, 12) - b.narrow(1, 0, 12)).abs().max().double_value(&[]);
        let after = (a.narrow(1, 12, 8) - b.narrow(1, 12, 8)).abs().max().double_value(&[]);
        assert!(before < 1e-6, "{positions}: position < 12 saw the future ({before})");
        assert!(after > 1e-4, "{positions}: the change did not propagate ({after})");
    }
}

/// With learned absolute positions identical tokens at different positions get different logits;
/// without positions every position of a constant sequence is the same.
#[test]
fn rope_and_absolute_positions_make_the_model_position_aware() {
    // A sequence of one repeated token: without positions every position gives the same logits.
    let x = Tensor::full([1, 10], 3, (Kind::Int64, Device::Cpu));
    for (positions, aware) in [("none", false), ("absolute", true)] {
        let (_vs, m) = model(positions);
        let l = tch::no_grad(|| m.forward(&x, false));
        let spread = (l.narrow(1, 1, 9) - l.narrow(1, 0, 1)).abs().max().double_value(&[]);
        assert_eq!(spread > 1e-5, aware, "{positions}: spread {spread}");
    }
}

#[test]
fn bad_mixer_options_name_the_key() {
    let v: Value = serde_yaml::from_str("{name: m, d_model: 30, n_layers: 1, mixer: {kind: attention, heads: 4}}").unwrap();
    let e = ModelConfig::from_value(&v).unwrap_err();
    assert_eq!(e.path, "mixer.heads");
    let v: Value = serde_yaml::from_str("{name: m, d_model: 12, n_layers: 1, mixer: {kind: attention, heads: 4, positions: rope}}").unwrap();
    assert_eq!(ModelConfig::from_value(&v).unwrap_err().path, "mixer.positions");
    let v: Value = serde_yaml::from_str("{name: m, d_model: 12, n_layers: 1, mixer: {kind: attention, dropout: 2.0}}").unwrap();
    assert_eq!(ModelConfig::from_value(&v).unwrap_err().path, "mixer.dropout");
    let v: Value = serde_yaml::from_str("{name: m, d_model: 12, n_layers: 1, mixer: {heads: 4}}").unwrap();
    assert_eq!(ModelConfig::from_value(&v).unwrap_err().path, "mixer");
}

/// RoPE: ⟨R_m q, R_n k⟩ depends on m − n only (RoFormer §3.4.2), and rotation keeps norms.
#[test]
fn rotary_scores_depend_on_relative_position_only() {
    tch::manual_seed(5);
    let (len, dh) = (12i64, 8i64);
    let q = Tensor::randn([1, 1, 1, dh], (Kind::Double, Device::Cpu)).expand([1, 1, len, dh], true);
    let k = Tensor::randn([1, 1, 1, dh], (Kind::Double, Device::Cpu)).expand([1, 1, len, dh], true);
    let (rq, rk) = (ssm_models::rotary(&q, 10_000.0), ssm_models::rotary(&k, 10_000.0));
    let scores = rq.matmul(&rk.transpose(-1, -2)).squeeze(); // (L, L)
    for m in 0..len - 1 {
        for n in 0..len - 1 {
            let a = scores.double_value(&[m, n]);
            let b = scores.double_value(&[m + 1, n + 1]);
            assert!((a - b).abs() < 1e-6, "score({m},{n}) = {a} but score({},{}) = {b}", m + 1, n + 1);
        }
    }
    let norm_in = q.square().sum_dim_intlist(-1, false, Kind::Double);
    let norm_out = rq.square().sum_dim_intlist(-1, false, Kind::Double);
    assert!((norm_in - norm_out).abs().max().double_value(&[]) < 1e-6);
    // Not the identity: position 0 is unrotated, position 1 is not.
    assert!((rq.get(0).get(0).get(1) - q.get(0).get(0).get(1)).abs().max().double_value(&[]) > 1e-3);
}
