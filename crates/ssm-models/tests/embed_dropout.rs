//! `embed_dropout` (safari's dropout on the input embeddings): active in training only, for the
//! language model and the classifier alike, and checked as a probability.

use ssm_models::{ClassifierSpec, Encoder, LanguageModel, ModelConfig, Padded, Pool, SequenceClassifier};
use ssm_testkit::max_abs_diff;
use tch::{nn, Device, Tensor};

const BASE: &str = "name: m, d_model: 16, n_layers: 1, mixer: {kind: s4d, d_state: 8}";

fn config(embed_dropout: f64) -> ModelConfig {
    let yaml = format!("{{{BASE}, embed_dropout: {embed_dropout}}}");
    ModelConfig::from_value(&serde_yaml::from_str(&yaml).unwrap()).unwrap()
}

/// (train − eval, eval − eval of the same weights without embedding dropout) for one model kind.
fn gaps<M>(build: impl Fn(&nn::Path, &ModelConfig) -> M, run: impl Fn(&M, bool) -> Tensor) -> (f64, f64, f64) {
    let plain_vs = nn::VarStore::new(Device::Cpu);
    let plain = build(&plain_vs.root(), &config(0.0));
    let mut dropped_vs = nn::VarStore::new(Device::Cpu);
    let dropped = build(&dropped_vs.root(), &config(0.5));
    dropped_vs.copy(&plain_vs).unwrap();
    let eval_plain = tch::no_grad(|| run(&plain, false));
    let train_plain = tch::no_grad(|| run(&plain, true));
    let eval_dropped = tch::no_grad(|| run(&dropped, false));
    let train_dropped = tch::no_grad(|| run(&dropped, true));
    (max_abs_diff(&train_plain, &eval_plain), max_abs_diff(&eval_dropped, &eval_plain), max_abs_diff(&train_dropped, &eval_plain))
}

#[test]
fn the_language_model_drops_embeddings_in_training_only() {
    let tokens = Tensor::from_slice(&[1i64, 4, 2, 7, 3, 3, 9, 0, 5, 6]).view([2, 5]);
    let (plain_train, eval, dropped_train) =
        gaps(|vs, cfg| LanguageModel::new(vs, cfg, 10).unwrap(), |m, train| m.forward(&tokens, train));
    assert!(plain_train < 1e-6, "no dropout: training and evaluation differ by {plain_train}");
    assert!(eval < 1e-6, "embed_dropout changed the evaluation logits by {eval}");
    assert!(dropped_train > 1e-3, "embed_dropout 0.5 left the training logits unchanged ({dropped_train})");
}

#[test]
fn the_classifier_drops_embeddings_in_training_only() {
    let spec = ClassifierSpec { vocab_size: 10, n_classes: 3, encoder: Encoder::Embedding, pool: Pool::Mean, pairs: false };
    let tokens = Tensor::from_slice(&[1i64, 4, 2, 7, 3, 3, 9, 0, 5, 6]).view([2, 5]);
    let lengths = Tensor::from_slice(&[5i64, 3]);
    let (plain_train, eval, dropped_train) = gaps(
        |vs, cfg| SequenceClassifier::new(vs, cfg, spec).unwrap(),
        |m, train| m.forward(&Padded { tokens: &tokens, lengths: &lengths }, None, train),
    );
    assert!(plain_train < 1e-6, "no dropout: training and evaluation differ by {plain_train}");
    assert!(eval < 1e-6, "embed_dropout changed the evaluation logits by {eval}");
    assert!(dropped_train > 1e-3, "embed_dropout 0.5 left the training logits unchanged ({dropped_train})");
}

#[test]
fn embed_dropout_must_be_a_probability() {
    let yaml = format!("{{{BASE}, embed_dropout: 1.5}}");
    let err = ModelConfig::from_value(&serde_yaml::from_str(&yaml).unwrap()).unwrap_err().to_string();
    assert!(err.contains("embed_dropout"), "{err}");
}
