use serde::{Deserialize, Serialize};
use ssm_config::{ConfigError, NonNegFloat, NonNegInt, PositiveFloat, PositiveInt, UnitFloat};

/// The `train:` section of an experiment (one run: a single learning rate).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    pub steps: PositiveInt,
    pub batch_size: PositiveInt,
    pub lr: PositiveFloat,
    #[serde(default)]
    pub optimizer: OptimizerKind,
    #[serde(default = "zero")]
    pub weight_decay: NonNegFloat,
    #[serde(default = "beta1")]
    pub beta1: UnitFloat,
    #[serde(default = "beta2")]
    pub beta2: UnitFloat,
    /// Learning rate of the SSM parameters (A, B, Δ, ...); the main `lr` when absent.
    #[serde(default)]
    pub ssm_lr: Option<PositiveFloat>,
    #[serde(default = "zero")]
    pub ssm_weight_decay: NonNegFloat,
    #[serde(default)]
    pub schedule: ScheduleKind,
    #[serde(default = "zero_int")]
    pub warmup_steps: NonNegInt,
    /// Floor of the cosine or linear decay as a fraction of the peak learning rate.
    #[serde(default = "zero_unit")]
    pub min_lr_ratio: UnitFloat,
    /// Clip the global gradient norm to this value.
    #[serde(default)]
    pub grad_clip: Option<PositiveFloat>,
    #[serde(default = "hundred")]
    pub log_every: PositiveInt,
    #[serde(default = "thousand")]
    pub eval_every: PositiveInt,
    #[serde(default = "thousand")]
    pub checkpoint_every: PositiveInt,
    /// Stop once the validation metric reaches the target.
    #[serde(default)]
    pub early_stop: Option<EarlyStop>,
    /// Stop training after this many minutes of wall-clock time (counted across resumes), then
    /// validate, checkpoint and test as at the last step; the run is recorded as `time_limit`
    /// with the steps it did. For fixed-time budgets on shared machines (not deterministic).
    #[serde(default)]
    pub max_minutes: Option<PositiveFloat>,
    /// Which positions the training loss covers: the scored answer (default) or every
    /// next-token position. Evaluation always scores the answer alone. Only experiments whose
    /// examples are token sequences accept `all` (the experiment checks it).
    #[serde(default)]
    pub loss_positions: LossPositions,
}

/// `train.loss_positions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossPositions {
    /// The positions the task scores (the answer), as in evaluation.
    #[default]
    Answer,
    /// Every next-token position of the input sequence (the target at position `i` is input
    /// `i + 1`) besides the answer: the language-model loss of safari's synthetic training sets.
    All,
}

impl LossPositions {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Answer => "answer",
            Self::All => "all",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    /// Adam with L2 weight decay added to the gradient (torch.optim.Adam).
    Adam,
    /// Adam with decoupled weight decay (torch.optim.AdamW).
    #[default]
    Adamw,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleKind {
    #[default]
    Constant,
    /// Linear warm-up, then cosine decay to `min_lr_ratio · lr` at the last step.
    Cosine,
    /// Linear warm-up, then linear decay to `min_lr_ratio · lr` at the last step (with a floor of
    /// 0, transformers' `get_linear_schedule_with_warmup`, safari's `linear_warmup`).
    Linear,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Accuracy,
    Loss,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarlyStop {
    pub metric: Metric,
    /// Accuracy at or above, or loss at or below, this value ends training.
    pub target: f64,
}

fn zero() -> NonNegFloat {
    NonNegFloat(0.0)
}
fn zero_unit() -> UnitFloat {
    UnitFloat(0.0)
}
fn zero_int() -> NonNegInt {
    NonNegInt(0)
}
fn beta1() -> UnitFloat {
    UnitFloat(0.9)
}
fn beta2() -> UnitFloat {
    UnitFloat(0.999)
}
fn hundred() -> PositiveInt {
    PositiveInt(100)
}
fn thousand() -> PositiveInt {
    PositiveInt(1000)
}

impl TrainConfig {
    /// Cross-field checks; paths are relative to the `train` section.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.warmup_steps.get() >= self.steps.get() && self.schedule != ScheduleKind::Constant {
            return Err(ConfigError::new(
                "warmup_steps",
                format!("must be below steps ({}), got {}", self.steps, self.warmup_steps),
            ));
        }
        if self.beta1.get() >= 1.0 || self.beta2.get() >= 1.0 {
            return Err(ConfigError::new("beta1", "Adam betas must be below 1"));
        }
        if let Some(es) = &self.early_stop {
            if !es.target.is_finite() {
                return Err(ConfigError::new("early_stop.target", "must be a finite number"));
            }
        }
        Ok(())
    }

    pub fn ssm_lr(&self) -> f64 {
        self.ssm_lr.map_or(self.lr.get(), |x| x.get())
    }
}
