//! The classifier: padding never changes a sequence's logits (mean/last pooling, bidirectional
//! blocks), the reversal index mirrors within each length, and the retrieval head's features.

use ssm_models::{reversal_index, reverse, ClassifierSpec, Encoder, ModelConfig, Padded, Pool, SequenceClassifier};
use ssm_testkit::max_abs_diff;
use tch::{nn, Kind, Tensor};

fn model(yaml: &str, spec: ClassifierSpec) -> (nn::VarStore, SequenceClassifier) {
    tch::manual_seed(0);
    let vs = nn::VarStore::new(tch::Device::Cpu);
    let cfg: ModelConfig = ModelConfig::from_value(&serde_yaml::from_str(yaml).unwrap()).unwrap();
    let m = SequenceClassifier::new(&vs.root(), &cfg, spec).unwrap();
    (vs, m)
}

fn spec(pool: Pool, pairs: bool) -> ClassifierSpec {
    ClassifierSpec { vocab_size: 12, n_classes: 3, encoder: Encoder::Embedding, pool, pairs }
}

fn logits(m: &SequenceClassifier, rows: &[&[i64]], lengths: &[i64]) -> Tensor {
    let width = rows[0].len() as i64;
    let flat: Vec<i64> = rows.iter().flat_map(|r| r.iter().copied()).collect();
    let tokens = Tensor::from_slice(&flat).view([rows.len() as i64, width]);
    let lengths = Tensor::from_slice(lengths);
    m.forward(&Padded { tokens: &tokens, lengths: &lengths }, None, false)
}

#[test]
fn reversal_index_mirrors_each_sequence_within_its_length() {
    let idx = reversal_index(&Tensor::from_slice(&[3i64, 5]), 5);
    let rows: Vec<Vec<i64>> = Vec::<Vec<i64>>::try_from(idx.shallow_clone()).unwrap();
    assert_eq!(rows, vec![vec![2, 1, 0, 3, 4], vec![4, 3, 2, 1, 0]]);
    let x = Tensor::arange(10, (Kind::Float, tch::Device::Cpu)).view([2, 5, 1]);
    let back = reverse(&reverse(&x, &idx), &idx);
    assert_eq!(max_abs_diff(&back, &x), 0.0);
}

/// Padding content and amount must not reach the logits, for every mixer family and both
/// directions (a bidirectional block that flipped the padded length would fail this).
#[test]
fn padding_never_changes_the_logits() {
    let configs = [
        "{name: a, d_model: 16, n_layers: 2, bidirectional: true, mixer: {kind: attention, heads: 2}}",
        "{name: m, d_model: 16, n_layers: 2, bidirectional: true, norm: rms, mixer: {kind: mamba, d_state: 4}}",
        "{name: s, d_model: 16, n_layers: 2, prenorm: false, mixer: {kind: s4d, d_state: 4}}",
        "{name: h, d_model: 16, n_layers: 2, bidirectional: true, mixer: {kind: h3, d_state: 4}}",
    ];
    for yaml in configs {
        for pool in [Pool::Mean, Pool::Last] {
            let (_vs, m) = model(yaml, spec(pool, false));
            let seq = [3i64, 7, 4, 9, 5];
            let alone = logits(&m, &[&seq], &[5]);
            let padded = logits(&m, &[&[3, 7, 4, 9, 5, 0, 0, 0], &[3, 7, 4, 9, 5, 11, 6, 2]], &[5, 5]);
            assert!(max_abs_diff(&padded.get(0), &alone.get(0)) < 1e-5, "{yaml} {pool:?}: zero padding changed the logits");
            assert!(max_abs_diff(&padded.get(1), &alone.get(0)) < 1e-5, "{yaml} {pool:?}: padding content changed the logits");
            // And the content of the sequence does matter.
            let other = logits(&m, &[&[9, 9, 9, 9, 9]], &[5]);
            assert!(max_abs_diff(&other, &alone) > 1e-4, "{yaml} {pool:?}: the logits ignore the input");
        }
    }
}

/// Positions past a sequence's length never leak in, and a bidirectional model's backward
/// mixers are used (their parameters receive gradients).
#[test]
fn positions_past_the_length_are_ignored_and_backward_mixers_are_trained() {
    let both = "{name: b, d_model: 16, n_layers: 1, bidirectional: true, mixer: {kind: s4d, d_state: 4}}";
    let (vs, m) = model(both, spec(Pool::Mean, false));
    let a = logits(&m, &[&[3, 4, 5, 6]], &[2]);
    let b = logits(&m, &[&[3, 4, 9, 9]], &[2]);
    assert!(max_abs_diff(&a, &b) < 1e-6, "positions past the length leaked in");
    let out = m.forward(
        &Padded { tokens: &Tensor::from_slice(&[3i64, 4, 5, 6]).view([1, 4]), lengths: &Tensor::from_slice(&[4i64]) },
        None,
        true,
    );
    out.sum(Kind::Float).backward();
    let vars = vs.variables();
    let backward: Vec<_> = vars.iter().filter(|(k, _)| k.contains("mixer_backward")).collect();
    assert!(!backward.is_empty(), "{:?}", vars.keys());
    assert!(backward.iter().any(|(_, t)| t.grad().defined() && t.grad().abs().sum(Kind::Float).double_value(&[]) > 0.0));
}

#[test]
fn mean_pooling_excludes_padding_and_last_pooling_takes_the_last_valid_position() {
    let h = Tensor::from_slice(&[1.0f32, 2.0, 3.0, 100.0, 4.0, 5.0, 6.0, 7.0]).view([2, 4, 1]);
    let lengths = Tensor::from_slice(&[3i64, 4]);
    let mean = Vec::<f32>::try_from(ssm_models::pool(&h, &lengths, Pool::Mean).view([-1])).unwrap();
    assert_eq!(mean, vec![2.0, 5.5]);
    let last = Vec::<f32>::try_from(ssm_models::pool(&h, &lengths, Pool::Last).view([-1])).unwrap();
    assert_eq!(last, vec![3.0, 7.0]);
}

#[test]
fn the_retrieval_head_is_symmetric_in_shape_and_uses_both_documents() {
    let (_vs, m) = model("{name: r, d_model: 8, n_layers: 1, mixer: {kind: s4d, d_state: 4}}", spec(Pool::Mean, true));
    let x = Tensor::from_slice(&[3i64, 4, 5, 6, 7, 8]).view([2, 3]);
    let y = Tensor::from_slice(&[9i64, 10, 0, 5, 5, 5]).view([2, 3]);
    let (lx, ly) = (Tensor::from_slice(&[3i64, 3]), Tensor::from_slice(&[2i64, 3]));
    let out = m.forward(&Padded { tokens: &x, lengths: &lx }, Some(&Padded { tokens: &y, lengths: &ly }), false);
    assert_eq!(out.size(), vec![2, 3]);
    let y2 = Tensor::from_slice(&[4i64, 10, 0, 5, 5, 5]).view([2, 3]);
    let out2 = m.forward(&Padded { tokens: &x, lengths: &lx }, Some(&Padded { tokens: &y2, lengths: &ly }), false);
    assert!(max_abs_diff(&out.get(0), &out2.get(0)) > 1e-6, "the second document must matter");
    assert!(max_abs_diff(&out.get(1), &out2.get(1)) < 1e-6, "examples are independent");
}

#[test]
fn batch_norm_post_norm_models_train_and_evaluate() {
    let (vs, m) = model("{name: p, d_model: 8, n_layers: 2, prenorm: false, norm: batch, mixer: {kind: s4d, d_state: 4}}", spec(Pool::Mean, false));
    let x = Tensor::from_slice(&[3i64, 4, 5, 6, 7, 8]).view([2, 3]);
    let l = Tensor::from_slice(&[3i64, 3]);
    let train = m.forward(&Padded { tokens: &x, lengths: &l }, None, true);
    let eval = m.forward(&Padded { tokens: &x, lengths: &l }, None, false);
    assert!(max_abs_diff(&train, &eval) > 1e-6, "batch statistics differ from the running ones");
    assert!(vs.variables().keys().any(|k| k.contains("norm")), "{:?}", vs.variables().keys());
}

#[test]
fn a_language_model_refuses_to_be_bidirectional() {
    let vs = nn::VarStore::new(tch::Device::Cpu);
    let cfg = ModelConfig::from_value(&serde_yaml::from_str("{name: x, d_model: 8, n_layers: 1, bidirectional: true, mixer: {kind: s4d}}").unwrap()).unwrap();
    let err = ssm_models::LanguageModel::new(&vs.root(), &cfg, 10).err().expect("bidirectional LM must fail");
    assert!(err.to_string().contains("bidirectional"), "{err}");
}

/// The linear encoder reads tokens as 2·v/(vocab_size − 1) − 1: 8-bit pixel v and 16-bit level
/// 257·v (65535 = 255 · 257) are the same scalar, so the same weights give the same logits.
#[test]
fn the_linear_encoder_scales_pixels_and_levels_to_the_same_range() {
    let yaml = "{name: s, d_model: 8, n_layers: 1, mixer: {kind: s4d, d_state: 4}}";
    let linear = |vocab_size| ClassifierSpec { vocab_size, encoder: Encoder::Linear, ..spec(Pool::Mean, false) };
    let (a, pixels) = model(yaml, linear(256));
    let (mut b, levels) = model(yaml, linear(65536));
    // The same weights by copy: the seed alone is not enough while other tests draw from
    // libtorch's global generator in parallel.
    b.copy(&a).unwrap();
    let seq = [0i64, 255, 17, 128, 3];
    let scaled: Vec<i64> = seq.iter().map(|v| v * 257).collect();
    let diff = max_abs_diff(&logits(&pixels, &[&seq], &[5]), &logits(&levels, &[&scaled], &[5]));
    assert!(diff < 1e-5, "{diff}");
}
