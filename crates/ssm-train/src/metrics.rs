use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::atomic;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    Train,
    Val,
    Test,
}

/// One row of `metrics.csv`. Evaluations that could not run (`oom`, `skipped`) keep the row with
/// empty loss and accuracy and the reason in `note`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricRow {
    pub step: usize,
    pub split: Split,
    pub seq_len: usize,
    pub loss: Option<f64>,
    pub accuracy: Option<f64>,
    pub tokens_per_s: Option<f64>,
    pub lr: Option<f64>,
    pub elapsed_s: f64,
    /// `ok`, `oom`, `skipped` or `diverged`.
    pub status: String,
    pub note: String,
}

impl MetricRow {
    pub fn ok(step: usize, split: Split, seq_len: usize, loss: f64, accuracy: f64) -> Self {
        Self {
            step,
            split,
            seq_len,
            loss: Some(loss),
            accuracy: Some(accuracy),
            tokens_per_s: None,
            lr: None,
            elapsed_s: 0.0,
            status: "ok".into(),
            note: String::new(),
        }
    }

    pub fn not_run(step: usize, split: Split, seq_len: usize, status: &str, note: impl Into<String>) -> Self {
        Self {
            step,
            split,
            seq_len,
            loss: None,
            accuracy: None,
            tokens_per_s: None,
            lr: None,
            elapsed_s: 0.0,
            status: status.into(),
            note: note.into(),
        }
    }
}

/// The rows of one run, rewritten whole on every flush.
#[derive(Debug)]
pub struct MetricsLog {
    path: PathBuf,
    pub rows: Vec<MetricRow>,
}

impl MetricsLog {
    pub fn new(path: &Path) -> Self {
        Self { path: path.to_path_buf(), rows: Vec::new() }
    }

    /// Reads an existing log (for resume); a missing file is an empty log.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let mut log = Self::new(path);
        if path.exists() {
            let mut rdr = csv::Reader::from_path(path)?;
            for row in rdr.deserialize() {
                log.rows.push(row.map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?);
            }
        }
        Ok(log)
    }

    pub fn push(&mut self, row: MetricRow) {
        self.rows.push(row);
    }

    /// Drops rows logged after `step` (work that a resume from that checkpoint redoes).
    pub fn truncate_after(&mut self, step: usize) {
        self.rows.retain(|r| r.step <= step);
    }

    pub fn flush(&self) -> anyhow::Result<()> {
        write_csv(&self.path, &self.rows)
    }
}

/// Writes rows as CSV with a header, atomically.
pub fn write_csv<T: Serialize>(path: &Path, rows: &[T]) -> anyhow::Result<()> {
    let mut wtr = csv::Writer::from_writer(Vec::new());
    for r in rows {
        wtr.serialize(r)?;
    }
    let bytes = wtr.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    atomic::write(path, &bytes)?;
    Ok(())
}
