use std::path::Path;

use ssm_config::ConfigSource;
use ssm_experiments::{plan, Budget};

const CFG: &str = "\
experiment: induction_heads
seed: [1, 2]
task: {train_len: 64, test_lens: [64, 128]}
train: {steps: 100, batch_size: 8, lr: [1.0e-4, 1.0e-3]}
models:
  - name: a
    d_model: 16
    n_layers: 1
    mixer: {kind: attention, heads: 2}
  - name: b
    d_model: 16
    n_layers: 1
    mixer: {kind: attention, heads: 2, positions: absolute}
    max_positions: 128
    train: {steps: 300, lr: 5.0e-4}
    task: {max_test_len: 64}
budgets:
  cpu:
    note: short
    train: {steps: 10}
    seed: 7
    models: [b]
";

fn source(text: &str, overrides: &[&str]) -> ConfigSource {
    let ov: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    ConfigSource::from_text(Path::new("p.yaml"), text.to_string(), &ov).unwrap()
}

#[test]
fn models_learning_rates_and_seeds_expand_into_a_grid() {
    let p = plan(&source(CFG, &[]), Budget::Full).unwrap();
    let ids: Vec<&str> = p.runs.iter().map(|r| r.run_id.as_str()).collect();
    assert_eq!(
        ids,
        ["a-lr0.0001-s1", "a-lr0.0001-s2", "a-lr0.001-s1", "a-lr0.001-s2", "b-lr0.0005-s1", "b-lr0.0005-s2"]
    );
    assert_eq!(p.runs[0].train.steps.get(), 100);
    assert_eq!(p.runs[4].train.steps.get(), 300, "the model's train patch applies");
    assert_eq!(p.runs[4].task.get("max_test_len").and_then(|v| v.as_u64()), Some(64), "and its task patch");
    assert_eq!(p.runs[0].task.get("max_test_len"), None);
}

#[test]
fn the_cpu_budget_applies_over_model_patches_and_is_recorded() {
    let p = plan(&source(CFG, &[]), Budget::Cpu).unwrap();
    let ids: Vec<&str> = p.runs.iter().map(|r| r.run_id.as_str()).collect();
    assert_eq!(ids, ["b-lr0.0005-s7"]);
    assert_eq!(p.runs[0].train.steps.get(), 10);
    assert_eq!(p.runs[0].budget, Budget::Cpu);
    assert_eq!(p.runs[0].budget_note.as_deref(), Some("short"));
}

#[test]
fn smoke_shrinks_every_run() {
    let p = plan(&source(CFG, &[]), Budget::Smoke).unwrap();
    assert_eq!(p.runs.len(), 6);
    assert!(p.runs.iter().all(|r| r.train.steps.get() <= 20));
}

#[test]
fn errors_point_at_the_entry_that_holds_the_key() {
    let e = plan(&source(CFG, &["train.lr=[1.0e-4, -1.0]"]), Budget::Full).unwrap_err();
    assert_eq!(e.path, "train.lr[1]");
    let e = plan(&source(&CFG.replace("steps: 300", "steps: -300"), &[]), Budget::Full).unwrap_err();
    assert_eq!(e.path, "models[1].train.steps");
    assert_eq!(e.origin.as_deref(), Some("p.yaml:15:5"));
    let e = plan(&source(&CFG.replace("max_positions: 128", "max_positions: 32"), &[]), Budget::Full).unwrap_err();
    assert_eq!(e.path, "models[1].max_positions");
    let e = plan(&source(&CFG.replace("name: b", "name: a"), &[]), Budget::Full).unwrap_err();
    assert!(e.message.contains("duplicate model name"), "{e}");
    let e = plan(&source(CFG, &["budgets.cpu.models=[zzz]"]), Budget::Cpu).unwrap_err();
    assert_eq!(e.path, "budgets");
}

#[test]
fn command_line_overrides_win_over_model_and_budget_patches() {
    let p = plan(&source(CFG, &["train.steps=42", "task.max_test_len=128"]), Budget::Cpu).unwrap();
    assert_eq!(p.runs[0].train.steps.get(), 42);
    assert_eq!(p.runs[0].task.get("max_test_len").and_then(|v| v.as_u64()), Some(128));
}

/// The H3 paper's induction head runs safari's generator: its options are checked by name, and a
/// trigger count the training length cannot hold is an error at `task.train_len`.
#[test]
fn the_h3_induction_head_config_takes_safaris_generator_options() {
    let path = Path::new("../configs/induction_head_h3.yaml");
    let load = |overrides: &[&str]| {
        let ov: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
        plan(&ConfigSource::load(path, &ov).unwrap(), Budget::Full)
    };
    let p = load(&["task.num_triggers=4", "task.induction_len=2"]).unwrap();
    assert_eq!(p.runs.len(), 3);
    assert_eq!(p.runs[0].task.get("num_triggers").and_then(|v| v.as_u64()), Some(4));
    let e = load(&["task.num_triggers=20"]).unwrap_err();
    assert_eq!(e.path, "task.train_len", "{e}");
    assert!(e.message.contains("num_triggers") && e.message.contains("induction_head_safari"), "{e}");
    let e = load(&["task.num_trigers=2"]).unwrap_err();
    assert_eq!(e.path, "task.num_trigers", "{e}");
    let e = load(&["task.num_triggers=0"]).unwrap_err();
    assert_eq!(e.path, "task.num_triggers", "{e}");
}
