use serde::{Deserialize, Serialize};

/// One row of a sweep's `summary.csv`: a run's result at one evaluation length.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryRow {
    pub run_id: String,
    pub model: String,
    pub lr: f64,
    pub seed: u64,
    pub budget: String,
    /// How the run ended (`completed`, `early_stopped`, `diverged`, `failed`).
    pub run_status: String,
    pub steps: usize,
    pub parameters: i64,
    pub seq_len: usize,
    pub loss: Option<f64>,
    pub accuracy: Option<f64>,
    /// `ok`, `oom` or `skipped`.
    pub status: String,
    pub note: String,
}
