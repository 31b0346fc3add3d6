use std::path::Path;

use ssm_config::ConfigSource;
use ssm_experiments::{plan, Budget};
use ssm_train::LossPositions;

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

/// `task.train_examples` (a fixed training set) and `train.loss_positions` are checked like every
/// other key: bad values and misspellings are errors naming the key.
#[test]
fn train_examples_and_loss_positions_are_checked_by_key() {
    let p = plan(&source(CFG, &[]), Budget::Full).unwrap();
    assert_eq!(p.runs[0].train.loss_positions, LossPositions::Answer, "the answer alone by default");
    assert_eq!(p.runs[0].task.get("train_examples"), None, "fresh batches by default");
    let p = plan(&source(CFG, &["task.train_examples=5000", "train.loss_positions=all"]), Budget::Full).unwrap();
    assert_eq!(p.runs[0].train.loss_positions, LossPositions::All);
    assert_eq!(p.runs[0].task.get("train_examples").and_then(|v| v.as_u64()), Some(5000));
    assert!(plan(&source(CFG, &["task.train_examples=~"]), Budget::Full).is_ok(), "null: fresh batches");

    for bad in ["0", "-5", "2.5", "many", "[5000]"] {
        let e = plan(&source(CFG, &[&format!("task.train_examples={bad}")]), Budget::Full).unwrap_err();
        assert_eq!(e.path, "task.train_examples", "{bad}: {e}");
    }
    let e = plan(&source(&CFG.replace("train_len: 64,", "train_len: 64, train_examples: 0,"), &[]), Budget::Full).unwrap_err();
    assert_eq!(e.path, "task.train_examples", "{e}");
    assert!(e.origin.as_deref().is_some_and(|o| o.starts_with("p.yaml:3:")), "the line of the key: {e}");
    let e = plan(&source(CFG, &["task.train_example=5000"]), Budget::Full).unwrap_err();
    assert_eq!(e.path, "task.train_example", "{e}");
    assert!(e.message.contains("train_examples"), "the schedule keys are listed: {e}");

    for bad in ["every", "All", "1", "[all]"] {
        let e = plan(&source(CFG, &[&format!("train.loss_positions={bad}")]), Budget::Full).unwrap_err();
        assert_eq!(e.path, "train.loss_positions", "{bad}: {e}");
    }
    let e = plan(&source(CFG, &["train.loss_position=all"]), Budget::Full).unwrap_err();
    assert_eq!(e.path, "train.loss_position", "{e}");
    let e = plan(&source(&CFG.replace("steps: 300,", "steps: 300, loss_positions: each,"), &[]), Budget::Full).unwrap_err();
    assert_eq!(e.path, "models[1].train.loss_positions", "{e}");
    assert!(e.message.contains("answer") && e.message.contains("all"), "the choices are named: {e}");
}

/// `all` needs examples that are one token sequence: MQAR's and the copying tasks' targets are
/// not their next inputs, and classification has no positions to label.
#[test]
fn all_loss_positions_are_refused_where_targets_are_not_the_next_inputs() {
    let mqar = "experiment: mqar\ntask: {train_len: 64, vocab_size: 128, num_kv_pairs: 4}\n\
                train: {steps: 10, batch_size: 4, lr: 1.0e-3, loss_positions: all}\n\
                models: [{name: a, d_model: 16, n_layers: 1, mixer: {kind: attention, heads: 2}}]\n";
    let e = plan(&source(mqar, &[]), Budget::Full).unwrap_err();
    assert_eq!(e.path, "train.loss_positions", "{e}");
    assert!(e.origin.as_deref().is_some_and(|o| o.starts_with("p.yaml:3:")), "the line of the key: {e}");
    assert!(e.message.contains("mqar") && e.message.contains("answer"), "{e}");
    assert!(plan(&source(mqar, &["train.loss_positions=answer"]), Budget::Full).is_ok());
    let copying = mqar.replace("experiment: mqar", "experiment: selective_copying").replace(", vocab_size: 128, num_kv_pairs: 4", "");
    let e = plan(&source(&copying, &[]), Budget::Full).unwrap_err();
    assert_eq!(e.path, "train.loss_positions", "{e}");
    for ok in ["induction_heads", "associative_recall", "induction_head_h3"] {
        let text = mqar
            .replace("experiment: mqar", &format!("experiment: {ok}"))
            .replace("train_len: 64, vocab_size: 128, num_kv_pairs: 4", "train_len: 22");
        assert!(plan(&source(&text, &[]), Budget::Full).is_ok(), "{ok}");
    }
    let listops = Path::new("../configs/lra/listops.yaml");
    let load = |o: &str| plan(&ConfigSource::load(listops, &[o.to_string()]).unwrap(), Budget::Full);
    let e = load("train.loss_positions=all").unwrap_err();
    assert_eq!(e.path, "train.loss_positions", "{e}");
    assert!(e.message.contains("lra_listops"), "{e}");
    assert!(load("train.loss_positions=answer").is_ok());
}

/// The H3 configs train as safari does: a fixed set of 5000 examples, every position in the loss,
/// safari's lm_simple block (an MLP of 4·d_model after every mixer; learned absolute positions for
/// attention).
#[test]
fn the_h3_configs_train_on_safaris_fixed_set_with_every_position() {
    for config in ["induction_head_h3", "associative_recall"] {
        let path = Path::new("../configs").join(format!("{config}.yaml"));
        for budget in [Budget::Full, Budget::Cpu] {
            let p = plan(&ConfigSource::load(&path, &[]).unwrap(), budget).unwrap();
            for r in &p.runs {
                assert_eq!(r.task.get("train_examples").and_then(|v| v.as_u64()), Some(5000), "{config} {}", r.run_id);
                assert_eq!(r.train.loss_positions, LossPositions::All, "{config} {}", r.run_id);
                assert_eq!(r.model.mlp.as_ref().map(|m| m.expand.get()), Some(4), "{config} {}", r.run_id);
                if r.model.mixer.get("kind").and_then(|k| k.as_str()) == Some("attention") {
                    let positions = r.model.mixer.get("positions").and_then(|k| k.as_str());
                    assert_eq!(positions, Some("absolute"), "{config} {}", r.run_id);
                }
            }
        }
    }
}

#[test]
fn every_smoke_patch_is_a_small_budget_with_a_note() {
    for kind in ssm_experiments::EXPERIMENTS {
        let patch = kind.smoke_patch();
        let name = kind.name();
        let note = patch.get("note").and_then(|v| v.as_str()).unwrap_or_else(|| panic!("{name}: smoke patch without a note"));
        assert!(note.starts_with("smoke test"), "{name}: {note}");
        if kind.trains_models() {
            let steps = patch.get("train").and_then(|t| t.get("steps")).and_then(|v| v.as_u64());
            assert!(steps.is_some_and(|s| s <= 20), "{name}: smoke steps {steps:?}");
        }
    }
    let mqar = ssm_experiments::experiment_kind("mqar").unwrap().smoke_patch();
    assert_eq!(mqar.get("train").and_then(|t| t.get("lr")).and_then(|v| v.as_f64()), Some(1.0e-3));
    let copying = ssm_experiments::experiment_kind("copying").unwrap().smoke_patch();
    assert_eq!(copying.get("task").and_then(|t| t.get("n_tokens")).and_then(|v| v.as_u64()), Some(8));
}
