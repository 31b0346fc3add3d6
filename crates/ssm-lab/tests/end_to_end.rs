//! A tiny run end to end: every output, the CSV schemas, determinism, and resume.

mod common;
use std::path::Path;

use common::*;

fn column(csv_path: &Path, name: &str) -> Vec<String> {
    let mut rdr = csv::Reader::from_path(csv_path).unwrap();
    let idx = rdr.headers().unwrap().iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    rdr.records().map(|r| r.unwrap()[idx].to_string()).collect()
}

fn headers(csv_path: &Path) -> Vec<String> {
    csv::Reader::from_path(csv_path).unwrap().headers().unwrap().iter().map(String::from).collect()
}

#[test]
fn a_tiny_run_writes_every_output_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(dir.path(), "tiny.yaml", TINY);
    let mut metrics = Vec::new();
    for k in 0..2 {
        let out = dir.path().join(format!("r{k}"));
        let o = run(&["run", cfg.to_str().unwrap(), "train.log_every=2", "--out", out.to_str().unwrap(), "--device", "cpu"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(stdout.contains("summary: ") && stdout.contains("tiny-lr0.001-s3"), "{stdout}");
        let sweep = sweep_dir(&out, "induction_heads");
        let run_dir = sweep.join("tiny-lr0.001-s3");
        for f in ["config.yaml", "manifest.json", "metrics.csv", "results.csv", "checkpoint.safetensors", "curves.png"] {
            assert!(run_dir.join(f).is_file(), "missing {f}");
        }
        for f in ["summary.csv", "sweep.yaml", "induction_heads.md", "induction_heads.png", "induction_heads.svg"] {
            assert!(sweep.join(f).is_file(), "missing {f}");
        }
        let m = run_dir.join("metrics.csv");
        assert_eq!(
            headers(&m),
            ["step", "split", "seq_len", "loss", "accuracy", "tokens_per_s", "lr", "elapsed_s", "status", "note"]
        );
        let splits = column(&m, "split");
        assert_eq!(splits.iter().filter(|s| *s == "train").count(), 4, "a train row every 2 of 8 steps");
        assert_eq!(splits.iter().filter(|s| *s == "val").count(), 2);
        assert_eq!(splits.iter().filter(|s| *s == "test").count(), 2);
        let summary = sweep.join("summary.csv");
        assert_eq!(column(&summary, "seq_len"), ["16", "32"]);
        assert!(headers(&summary).contains(&"accuracy".to_string()));
        let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(run_dir.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["status"], "completed");
        assert_eq!(manifest["steps_done"], 8);
        assert_eq!(manifest["seed"], 3);
        assert_eq!(manifest["overrides"], serde_json::json!(["train.log_every=2"]));
        assert!(manifest["torch_version"].as_str().unwrap().starts_with("2.11.0"));
        metrics.push((column(&m, "loss"), column(&m, "accuracy")));
    }
    assert_eq!(metrics[0], metrics[1], "same config and seed, same numbers");
}

#[test]
fn an_interrupted_run_resumes_to_the_same_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(dir.path(), "tiny.yaml", TINY);
    let straight = dir.path().join("straight");
    let o = run(&["run", cfg.to_str().unwrap(), "--out", straight.to_str().unwrap(), "--device", "cpu"]);
    assert!(o.status.success(), "{}", stderr(&o));

    let broken = dir.path().join("broken");
    let o = bin()
        .args(["run", cfg.to_str().unwrap(), "--out", broken.to_str().unwrap(), "--device", "cpu"])
        .env("SSM_LAB_INTERRUPT_AT_STEP", "4")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let sweep = sweep_dir(&broken, "induction_heads");
    let run_dir = sweep.join("tiny-lr0.001-s3");
    assert_eq!(column(&run_dir.join("metrics.csv"), "step").last().unwrap(), "4", "metrics flushed whole at the checkpoint");

    let o = run(&["run", "--resume", sweep.to_str().unwrap(), "--device", "cpu"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("resumed at step 4"), "{}", stderr(&o));
    let a = sweep_dir(&straight, "induction_heads").join("tiny-lr0.001-s3/metrics.csv");
    let b = run_dir.join("metrics.csv");
    assert_eq!(column(&a, "step"), column(&b, "step"));
    assert_eq!(column(&a, "loss"), column(&b, "loss"));
    assert_eq!(column(&a, "accuracy"), column(&b, "accuracy"));
}

/// A fixed training set (`task.train_examples`, 10 examples: 3 batches of 4 an epoch, the last of
/// 2) with every next-token position in the loss: an interrupted run resumes mid-epoch to the
/// same numbers as one that never stopped, and the fixed set trains differently from fresh batches.
#[test]
fn a_run_on_a_fixed_training_set_resumes_to_the_same_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(dir.path(), "tiny.yaml", TINY);
    let fixed = ["task.train_examples=10", "train.loss_positions=all"];
    let args = |out: &Path, extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = ["run", cfg.to_str().unwrap(), "--out", out.to_str().unwrap(), "--device", "cpu"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let straight = dir.path().join("straight");
    let o = bin().args(args(&straight, &fixed)).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let broken = dir.path().join("broken");
    let o = bin().args(args(&broken, &fixed)).env("SSM_LAB_INTERRUPT_AT_STEP", "4").output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let sweep = sweep_dir(&broken, "induction_heads");
    let o = run(&["run", "--resume", sweep.to_str().unwrap(), "--device", "cpu"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("resumed at step 4"), "{}", stderr(&o));
    let a = sweep_dir(&straight, "induction_heads").join("tiny-lr0.001-s3/metrics.csv");
    let b = sweep.join("tiny-lr0.001-s3/metrics.csv");
    assert_eq!(column(&a, "step"), column(&b, "step"));
    assert_eq!(column(&a, "loss"), column(&b, "loss"));
    assert_eq!(column(&a, "accuracy"), column(&b, "accuracy"));
    let saved = std::fs::read_to_string(sweep.join("tiny-lr0.001-s3/config.yaml")).unwrap();
    assert!(saved.contains("train_examples: 10") && saved.contains("loss_positions: all"), "{saved}");

    let fresh = dir.path().join("fresh");
    let o = bin().args(args(&fresh, &[])).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let c = sweep_dir(&fresh, "induction_heads").join("tiny-lr0.001-s3/metrics.csv");
    assert_ne!(column(&a, "loss"), column(&c, "loss"), "the fixed set and the loss on every position change training");
}

/// `train.max_minutes` ends training early but still validates, checkpoints and tests; the run
/// is recorded as `time_limit`, and `--models` runs the named model only.
#[test]
fn a_time_limited_run_is_tested_and_recorded_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(dir.path(), "tiny.yaml", TINY);
    let out = dir.path().join("out");
    let o = run(&["run", cfg.to_str().unwrap(), "train.max_minutes=1e-7", "train.steps=1000", "--models", "tiny", "--out",
        out.to_str().unwrap(), "--device", "cpu"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let run_dir = sweep_dir(&out, "induction_heads").join("tiny-lr0.001-s3");
    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(run_dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["status"], "time_limit");
    assert!(manifest["steps_done"].as_u64().unwrap() < 1000);
    let splits = column(&run_dir.join("metrics.csv"), "split");
    assert!(splits.contains(&"val".to_string()) && splits.iter().filter(|s| *s == "test").count() == 2, "{splits:?}");
    let o = run(&["run", cfg.to_str().unwrap(), "--models", "nope", "--out", out.to_str().unwrap(), "--device", "cpu"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--models: no model `nope`"), "{}", stderr(&o));
}

/// Every shipped token-task config runs end to end in `--smoke` on CPU and reports, with each
/// of its models in the table.
#[test]
fn the_shipped_configs_run_in_smoke_mode() {
    for (config, experiment, marker) in [
        ("induction_heads", "induction_heads", "Table 11"),
        ("associative_recall", "associative_recall", "Table 2"),
        ("induction_head_h3", "induction_head_h3", "Table 2"),
        ("selective_copying", "selective_copying", "Table 1"),
        ("mqar", "mqar", "Multi-query"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let cfg = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../configs/{config}.yaml"));
        let out = dir.path().join("out");
        let o = run(&["run", cfg.to_str().unwrap(), "--smoke", "--out", out.to_str().unwrap(), "--device", "cpu"]);
        assert!(o.status.success(), "{config}: {}", stderr(&o));
        let sweep = sweep_dir(&out, experiment);
        assert!(sweep.to_string_lossy().ends_with("-smoke"));
        let o = run(&["report", sweep.to_str().unwrap(), "--reports", dir.path().join("reports").to_str().unwrap()]);
        assert!(o.status.success(), "{config}: {}", stderr(&o));
        let md = std::fs::read_to_string(dir.path().join(format!("reports/{experiment}.md"))).unwrap();
        assert!(md.contains(marker), "{config}: {md}");
        let text = std::fs::read_to_string(&cfg).unwrap();
        for name in text.lines().filter_map(|l| l.trim().strip_prefix("- name: ")) {
            assert!(md.contains(&format!("| {name} |")), "{config}: model {name} missing from the report\n{md}");
        }
    }
}

#[test]
fn data_sample_prints_inputs_and_scored_targets() {
    let o = run(&["data", "sample", "--task", "induction_heads", "--seq-len", "10", "--batch", "3", "--seed", "5", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let inputs = v["inputs"].as_array().unwrap();
    let targets = v["targets"].as_array().unwrap();
    assert_eq!(inputs.len(), 3);
    for (x, y) in inputs.iter().zip(targets) {
        let x: Vec<i64> = x.as_array().unwrap().iter().map(|t| t.as_i64().unwrap()).collect();
        let y: Vec<i64> = y.as_array().unwrap().iter().map(|t| t.as_i64().unwrap()).collect();
        assert_eq!(x.len(), 10);
        assert!(y[..9].iter().all(|&t| t < 0));
        let trigger = x.iter().position(|&t| t == 15).unwrap();
        assert_eq!(y[9], x[trigger + 1]);
    }
    let again = run(&["data", "sample", "--task", "induction_heads", "--seq-len", "10", "--batch", "3", "--seed", "5"]);
    assert_eq!(o.stdout, again.stdout);
}

/// safari's induction head at its defaults (vocab 20, one trigger, one copied token): 30 input
/// tokens and "=>" (19), the trigger in 0..28 followed by the answer, scored at "=>" alone.
#[test]
fn data_sample_prints_safaris_induction_head() {
    let args = ["data", "sample", "--task", "induction_head_safari", "--seq-len", "31", "--batch", "8", "--seed", "5"];
    let o = run(&[&args[..], &["--format", "json"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = |key: &str| -> Vec<Vec<i64>> {
        let rows = v[key].as_array().unwrap().iter();
        rows.map(|r| r.as_array().unwrap().iter().map(|t| t.as_i64().unwrap()).collect()).collect()
    };
    let (inputs, targets) = (rows("inputs"), rows("targets"));
    assert_eq!(inputs.len(), 8);
    for (x, y) in inputs.iter().zip(&targets) {
        assert_eq!((x.len(), x[30]), (31, 19), "{x:?}");
        let triggers: Vec<usize> = (0..30).filter(|&i| x[i] == 19).collect();
        assert!(triggers.len() == 1 && triggers[0] < 28, "one trigger in 0..28: {x:?}");
        assert!(x.iter().all(|&t| (1..=19).contains(&t)), "no \".\": {x:?}");
        assert_eq!(y[30], x[triggers[0] + 1], "{x:?} {y:?}");
        assert!(y[..30].iter().all(|&t| t < 0));
    }
    assert_eq!(o.stdout, run(&args).stdout, "the same seed, the same batch");
}
