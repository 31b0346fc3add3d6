//! Synthetic sequence tasks. Every generator is a pure function of (options, length, batch, RNG),
//! and [`rng_for`] derives the RNG from (seed, stream, index) so that any batch can be rebuilt
//! alone: training batch `s` of seed 3 is the same whether the run started at step 0 or resumed.
//!
//! Tasks: [`InductionHeads`], [`InductionHeadSafari`], [`AssociativeRecall`], [`Mqar`],
//! [`SelectiveCopying`], [`Copying`]. [`FixedSet`] draws a fixed training set from any of them
//! and serves it in seeded per-epoch shuffles (safari's 5000-example training sets).
//! Each is a struct of public options whose `Default` is the published setting and which
//! deserializes from a YAML mapping (unknown keys rejected); [`task_from_options`] builds one by name.

mod associative_recall;
mod batch;
mod copying;
mod fixed;
mod induction_head_safari;
mod induction_heads;
mod mqar;
mod registry;
mod rng;
mod safari_vocab;
mod sampling;
mod selective_copying;

pub use associative_recall::AssociativeRecall;
pub use batch::{Batch, IGNORE_INDEX};
pub use copying::Copying;
pub use fixed::FixedSet;
pub use induction_head_safari::InductionHeadSafari;
pub use induction_heads::InductionHeads;
pub use mqar::Mqar;
pub use registry::{task_by_name, task_from_options, TASK_NAMES};
pub use rng::{rng_for, Stream};
pub use selective_copying::SelectiveCopying;

/// Why a task cannot produce a batch with the options asked for.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{option}: {message}")]
pub struct TaskError {
    /// The option at fault (`seq_len`, `vocab_size`, ...).
    pub option: String,
    pub message: String,
}

impl TaskError {
    pub fn new(option: impl Into<String>, message: impl Into<String>) -> Self {
        Self { option: option.into(), message: message.into() }
    }
}

impl From<TaskError> for ssm_config::ConfigError {
    /// The option becomes the key path, so that a config section can place it (`task.vocab_size`).
    fn from(e: TaskError) -> Self {
        ssm_config::ConfigError::new(e.option, e.message)
    }
}

/// A sequence task: token inputs and the targets as they are scored.
pub trait Task: Send + Sync {
    fn name(&self) -> &'static str;
    /// Size of the token vocabulary (inputs and targets are in `0..vocab_size`).
    fn vocab_size(&self) -> usize;
    /// Smallest sequence length the task can be generated at.
    fn min_len(&self) -> usize;
    /// A batch of `batch` examples of length `seq_len`.
    fn sample(&self, seq_len: usize, batch: usize, rng: &mut rand_chacha::ChaCha8Rng) -> Result<Batch, TaskError>;
    /// Checks the options that do not depend on the sequence length (those that do are checked by
    /// [`Task::sample`]); the error names the option at fault.
    fn validate(&self) -> Result<(), TaskError> {
        Ok(())
    }
    /// The task's options as a JSON object (for run records).
    fn options_json(&self) -> serde_json::Value {
        serde_json::Value::Object(serde_json::Map::new())
    }
    /// True when every example is one token sequence `ex` with inputs `ex[:-1]` and its scored
    /// targets taken from `ex[1:]` (the scored target at position `i < seq_len - 1` is input
    /// `i + 1`), so that every position can be labelled with the next token
    /// ([`Batch::with_next_token_targets`]; safari's training labels). False where the scored
    /// targets are not the next inputs (the copying tasks' outputs, MQAR's values).
    fn is_next_token_sequence(&self) -> bool {
        false
    }
}
