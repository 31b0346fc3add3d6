use std::path::Path;

use ssm_config::{ConfigError, Value};
use ssm_models::ModelConfig;
use ssm_train::{LossPositions, RunStatus, TrainConfig};
use tch::Device;

use crate::{RunConfig, SummaryRow};

/// Where and how one run executes.
pub struct RunContext<'a> {
    pub dir: &'a Path,
    pub device: Device,
    pub resume: bool,
}

/// What one run ended with.
pub struct RunResult {
    pub status: RunStatus,
    pub steps_done: usize,
    pub parameters: i64,
    pub rows: Vec<SummaryRow>,
}

/// An experiment kind: a typed `task:` section and the run function.
pub trait ExperimentKind: Sync {
    fn name(&self) -> &'static str;
    fn summary(&self) -> &'static str;
    /// False for kinds that train no model (computations such as HiPPO reconstruction): their
    /// configs have no `train:` or `models:` section, and each seed is one run.
    fn trains_models(&self) -> bool {
        true
    }
    /// Built-in `--smoke` changes (`{task: ..., train: ...}`), under the config's `budgets.smoke`.
    fn smoke_patch(&self) -> Value;
    /// Checks the `task:` section; paths relative to it.
    fn validate_task(&self, task: &Value) -> Result<(), ConfigError>;
    /// Checks a model against the task (vocabulary, lengths); paths relative to the model.
    fn validate_model(&self, _task: &Value, _model: &ModelConfig) -> Result<(), ConfigError> {
        Ok(())
    }
    /// Checks the `train:` settings that depend on the kind and its task; paths relative to
    /// `train`. By default only the answer may be trained on (`loss_positions: answer`).
    fn validate_train(&self, _task: &Value, train: &TrainConfig) -> Result<(), ConfigError> {
        if train.loss_positions != LossPositions::Answer {
            return Err(ConfigError::new(
                "loss_positions",
                format!(
                    "`{}` applies to the token-sequence experiments; the {} experiment trains on its labels alone \
                     (use `answer`)",
                    train.loss_positions.as_str(),
                    self.name()
                ),
            ));
        }
        Ok(())
    }
    fn run(&self, run: &RunConfig, ctx: &RunContext) -> anyhow::Result<RunResult>;
    /// Rebuilds `reports/<name>.{md,png,svg}` from a sweep's `summary.csv`.
    fn report(&self, sweep_dir: &Path, reports_dir: &Path) -> anyhow::Result<Vec<std::path::PathBuf>>;
}

/// Checks that `model` can take sequences of `len` tokens: its position table (MHA-Abs) and its
/// mixer's own limit. `what` names the length in messages (e.g. "task.train_len = 256").
pub(crate) fn check_model_length(model: &ModelConfig, len: usize, what: &str) -> Result<(), ConfigError> {
    let (factory, options) = model.mixer_parts()?;
    if factory.absolute_positions(&options) && model.max_positions.get() < len {
        return Err(ConfigError::new("max_positions", format!("{} is below {what}", model.max_positions)));
    }
    if let Some(max) = factory.max_len(&options).filter(|&m| m < len) {
        return Err(ConfigError::new(
            "mixer",
            format!("a {} layer with these options takes sequences of at most {max}; {what}", factory.name()),
        ));
    }
    Ok(())
}
