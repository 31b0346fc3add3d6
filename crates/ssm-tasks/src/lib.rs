//! Synthetic sequence tasks. Every generator is a pure function of (options, length, batch, RNG),
//! and [`rng_for`] derives the RNG from (seed, stream, index) so that any batch can be rebuilt
//! alone: training batch `s` of seed 3 is the same whether the run started at step 0 or resumed.

mod batch;
mod induction_heads;
mod registry;
mod rng;

pub use batch::{Batch, IGNORE_INDEX};
pub use induction_heads::InductionHeads;
pub use registry::{task_by_name, TASK_NAMES};
pub use rng::{rng_for, Stream};

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

/// A sequence task: token inputs and the targets as they are scored.
pub trait Task: Send + Sync {
    fn name(&self) -> &'static str;
    /// Size of the token vocabulary (inputs and targets are in `0..vocab_size`).
    fn vocab_size(&self) -> usize;
    /// Smallest sequence length the task can be generated at.
    fn min_len(&self) -> usize;
    /// A batch of `batch` examples of length `seq_len`.
    fn sample(&self, seq_len: usize, batch: usize, rng: &mut rand_chacha::ChaCha8Rng) -> Result<Batch, TaskError>;
}
