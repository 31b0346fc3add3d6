use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::atomic;

/// `manifest.json`: what ran, where, from which code, and how it ended.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub run_id: String,
    pub experiment: String,
    pub model: String,
    pub seed: u64,
    pub lr: f64,
    pub git_commit: String,
    pub ssm_lab_version: String,
    pub tch_version: String,
    pub torch_version: String,
    pub device: String,
    /// `full`, `cpu_budget` or `smoke`: which budget the run used.
    pub budget: String,
    /// Command-line overrides the run was started with (`key.path=value`).
    #[serde(default)]
    pub overrides: Vec<String>,
    pub parameters: i64,
    pub started: String,
    pub finished: Option<String>,
    /// `running`, `completed`, `early_stopped`, `diverged` or `failed`.
    pub status: String,
    pub steps_done: usize,
    pub wall_s: f64,
    pub note: String,
}

impl Manifest {
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        atomic::write(path, serde_json::to_string_pretty(self)?.as_bytes())?;
        Ok(())
    }

    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }
}

pub fn now() -> String {
    chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
