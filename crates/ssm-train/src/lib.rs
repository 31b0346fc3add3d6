//! The training runner shared by every experiment: [`TrainConfig`], an AdamW with parameter
//! groups ([`optim`]), LR schedules, checkpoints that can be resumed, metrics written whole.

pub mod atomic;
pub mod checkpoint;
mod config;
pub mod device;
pub mod manifest;
pub mod metrics;
pub mod optim;
mod progress;
mod schedule;
mod trainer;

pub use config::{EarlyStop, LossPositions, Metric, OptimizerKind, ScheduleKind, TrainConfig};
pub use metrics::{MetricRow, MetricsLog, Split};
pub use schedule::lr_at;
pub use trainer::{Objective, RunStatus, StepOutput, Trainer, TrainOutcome};
