//! The `hippo_reconstruction` kind: plans without models or training, strict task checks with
//! key paths and lines, and a small run end to end (CSVs, summary, report, figures, numbers).

use std::path::Path;

use ssm_config::ConfigSource;
use ssm_experiments::{plan, report_sweep, run_plan, Budget, RunConfig};
use tch::Device;

const CFG: &str = "\
experiment: hippo_reconstruction
name: hippo_test
seed: [4, 5]
task:
  measures: [legt, lagt, legs, fout]
  orders: [8, 32]
  length: 1024
  random_signals: 2
  components: 8
  cutoff: 3.0
  fixed_signals: [sine, step]
  window: 0.5
  lagt_timescale: 0.02
  checkpoints: 8
  heatmap_order: 8
";

fn source(text: &str, overrides: &[&str]) -> ConfigSource {
    let ov: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    ConfigSource::from_text(Path::new("h.yaml"), text.to_string(), &ov).unwrap()
}

#[test]
fn one_run_per_seed_and_no_training_sections() {
    let p = plan(&source(CFG, &[]), Budget::Full).unwrap();
    let ids: Vec<&str> = p.runs.iter().map(|r| r.run_id.as_str()).collect();
    assert_eq!(ids, ["hippo_test-s4", "hippo_test-s5"]);
    assert_eq!(p.kind.name(), "hippo_reconstruction");
    // The saved run config holds no placeholder train/model sections, and reads back.
    let yaml = serde_yaml::to_string(&p.runs[0]).unwrap();
    assert!(!yaml.contains("train:") && !yaml.contains("model:"), "{yaml}");
    let back: RunConfig = serde_yaml::from_str(&yaml).unwrap();
    assert_eq!(back.run_id, "hippo_test-s4");
    assert_eq!(back.train.steps.get(), 0);
    let smoke = plan(&source(CFG, &[]), Budget::Smoke).unwrap();
    assert_eq!(smoke.runs[0].task.get("length").and_then(|v| v.as_u64()), Some(512));
    assert_eq!(smoke.runs[0].budget_note.as_deref(), Some("smoke test (short signals, one state size)"));
    // Command-line overrides win over the budget's task patch.
    let smoke = plan(&source(CFG, &["task.length=700"]), Budget::Smoke).unwrap();
    assert_eq!(smoke.runs[0].task.get("length").and_then(|v| v.as_u64()), Some(700));
}

#[test]
fn the_repository_configs_plan() {
    let hippo = ConfigSource::load(Path::new("../configs/hippo_reconstruction.yaml"), &[]).unwrap();
    for b in [Budget::Full, Budget::Smoke] {
        assert_eq!(plan(&hippo, b).unwrap().runs.len(), 1);
    }
    let ih = ConfigSource::load(Path::new("../configs/induction_heads.yaml"), &[]).unwrap();
    let p = plan(&ih, Budget::Full).unwrap();
    let lssl: Vec<&RunConfig> = p.runs.iter().filter(|r| r.model.name == "LSSL").collect();
    assert_eq!(lssl.len(), 2, "LSSL at both learning rates");
    assert_eq!(lssl[0].model.d_model.get(), 128);
    assert_eq!(lssl[0].model.n_layers.get(), 2);
    assert_eq!(lssl[0].model.mixer.get("d_state").and_then(|v| v.as_u64()), Some(64));
}

#[test]
fn task_mistakes_name_the_key_and_line() {
    let err = |text: &str, overrides: &[&str]| plan(&source(text, overrides), Budget::Full).unwrap_err();
    let e = err(&CFG.replace("  window: 0.5", "  window: 0.5\n  windw: 1"), &[]);
    assert_eq!(e.path, "task.windw");
    assert!(e.message.contains("unknown field `windw`"), "{e}");
    assert_eq!(e.origin.as_deref(), Some("h.yaml:13:3"));
    let e = err(&CFG.replace("[legt, lagt, legs, fout]", "[legt, legx]"), &[]);
    assert_eq!(e.path, "task.measures[1]");
    assert!(e.message.contains("unknown measure `legx`"), "{e}");
    let e = err(&CFG.replace("[legt, lagt, legs, fout]", "[legt, glagt]"), &[]);
    assert_eq!(e.path, "task.measures[1]", "{e}");
    let e = err(&CFG.replace("orders: [8, 32]", "orders: [8, 33]"), &[]);
    assert_eq!(e.path, "task.orders[1]");
    assert!(e.message.contains("even"), "{e}");
    let e = err(CFG, &["task.cutoff=600"]);
    assert_eq!(e.path, "task.cutoff");
    assert_eq!(e.origin.as_deref(), Some("command-line override task.cutoff=600"));
    let e = err(CFG, &["task.fixed_signals=[sine, square]"]);
    assert_eq!(e.path, "task.fixed_signals[1]");
    let e = err(CFG, &["task.method=rk4"]);
    assert_eq!(e.path, "task.method");
    let e = err(CFG, &["task.orders=[0]"]);
    assert_eq!(e.path, "task.orders[0]");
    let e = err(CFG, &["task.random_signals=0", "task.fixed_signals=[]"]);
    assert_eq!(e.path, "task.random_signals");
    let e = err(&format!("{CFG}train: {{steps: 1, batch_size: 1, lr: 1.0}}\n"), &[]);
    assert_eq!(e.path, "train");
    assert!(e.message.contains("trains no model"), "{e}");
    let e = err(&format!("{CFG}models: []\n"), &[]);
    assert_eq!(e.path, "models");
    let e = plan(&source(&format!("{CFG}budgets:\n  cpu: {{train: {{steps: 3}}}}\n"), &[]), Budget::Cpu).unwrap_err();
    assert_eq!(e.path, "budgets.cpu.train");
}

#[test]
fn a_small_run_writes_csvs_summary_report_and_sensible_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = plan(&source(CFG, &["seed=4"]), Budget::Full).unwrap();
    let outcome = run_plan(&p, dir.path(), Device::Cpu, &[]).unwrap();
    assert!(outcome.failed.is_empty());
    let run_dir = outcome.dir.join("hippo_test-s4");
    for f in ["config.yaml", "manifest.json", "results.csv", "errors.csv", "final.csv", "reconstruction.csv"] {
        assert!(run_dir.join(f).is_file(), "missing {f}");
    }
    assert_eq!(outcome.rows.len(), 4 * 2, "one summary row per (measure, N)");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["status"], "completed");
    assert_eq!(manifest["model"], "none");

    // Final errors: (signal, measure, n) → rmse.
    let mut rdr = csv::Reader::from_path(run_dir.join("final.csv")).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, ["signal", "signal_kind", "measure", "n", "mse", "rmse", "max_abs", "seconds"]);
    let rows: Vec<(String, String, usize, f64)> = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[2].to_string(), r[3].parse().unwrap(), r[5].parse().unwrap())
        })
        .collect();
    assert_eq!(rows.len(), 4 * 4 * 2, "4 signals × 4 measures × 2 sizes");
    let rmse = |s: &str, m: &str, n: usize| rows.iter().find(|r| r.0 == s && r.1 == m && r.2 == n).unwrap().3;
    for m in ["legt", "lagt", "legs", "fout"] {
        for s in ["random-0", "random-1"] {
            assert!(rmse(s, m, 32) < rmse(s, m, 8), "{m} on {s}: N = 32 is not better than N = 8");
        }
    }
    // Signals below 3 cycles per unit time over a window of 0.5 need few Legendre terms.
    assert!(rmse("random-0", "legt", 32) < 1e-3, "{}", rmse("random-0", "legt", 32));
    assert!(rmse("sine", "legs", 32) < 2e-2, "{}", rmse("sine", "legs", 32));

    // Error over time: 8 checkpoints per (signal, measure, n), the last at t = 1.
    let mut rdr = csv::Reader::from_path(run_dir.join("errors.csv")).unwrap();
    let ts: Vec<f64> = rdr.records().map(|r| r.unwrap()[4].parse().unwrap()).collect();
    assert_eq!(ts.len(), 4 * 4 * 2 * 8);
    assert!((ts[7] - 1.0).abs() < 1e-12 && (ts[0] - 0.125).abs() < 1e-12, "{:?}", &ts[..8]);

    // The report, into its own folder.
    let reports = dir.path().join("reports");
    let files = report_sweep(&outcome.dir, &reports).unwrap();
    for f in ["hippo.md", "hippo_A.png", "hippo_A.svg", "hippo_reconstruction_N8.png", "hippo_reconstruction_N32.svg", "hippo_error_N32.png"] {
        assert!(reports.join(f).is_file(), "missing {f}");
        assert!(files.contains(&reports.join(f)), "{f} not listed");
    }
    let md = std::fs::read_to_string(reports.join("hippo.md")).unwrap();
    assert!(md.contains("| LegT |") && md.contains("N = 32") && md.contains("hippo_A.png"), "{md}");
}

#[test]
fn runs_are_deterministic_per_seed() {
    let dir = tempfile::tempdir().unwrap();
    let finals = |seed: &str, out: &str| {
        let p = plan(&source(CFG, &[&format!("seed={seed}"), "task.orders=[8]", "task.measures=[legt]"]), Budget::Full).unwrap();
        let o = run_plan(&p, &dir.path().join(out), Device::Cpu, &[]).unwrap();
        let text = std::fs::read_to_string(o.dir.join(format!("hippo_test-s{seed}")).join("errors.csv")).unwrap();
        text.lines().map(|l| l.split(',').take(8).collect::<Vec<_>>().join(",")).collect::<Vec<_>>()
    };
    assert_eq!(finals("4", "a"), finals("4", "b"));
    assert_ne!(finals("4", "c"), finals("5", "d"));
}
