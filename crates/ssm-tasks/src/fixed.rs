use std::collections::HashSet;

use rand::seq::SliceRandom;

use crate::{rng_for, Batch, Stream, Task, TaskError};

/// A fixed training set served in epochs, as safari's `ICLDataModule` trains (HazyResearch/safari,
/// `src/dataloaders/synthetics.py`, `setup` and `train_dataloader`): `num_examples` distinct
/// examples drawn once, then every epoch a fresh shuffle cut into batches, the last one smaller
/// when the batch size does not divide the set (a `DataLoader` with `shuffle=True` and no
/// `drop_last`).
///
/// Everything is a pure function of the seed:
/// - example draw `j` uses [`rng_for`]`(seed, Stream::Train, j)`; a draw equal to an example
///   already kept (inputs and targets alike) is skipped, so the set holds distinct examples
///   (safari's `torch.unique` and its refill loop);
/// - the order of epoch `e` is a shuffle by [`rng_for`]`(seed, Stream::Shuffle, e)`;
/// - training step `s` is batch `s mod B` of epoch `s / B`, `B` = [`FixedSet::batches_per_epoch`].
///
/// So the batch of any step can be rebuilt alone, and a run resumed at step `s` sees the same
/// batches as one that never stopped.
#[derive(Debug, Clone)]
pub struct FixedSet {
    examples: Batch,
    batch: usize,
    seed: u64,
    /// The order of the epoch last asked for.
    order: Option<(usize, Vec<usize>)>,
}

impl FixedSet {
    /// `examples` distinct examples of length `seq_len`, served `batch` at a time. An error when
    /// the task cannot make that many distinct examples at this length (a tiny vocabulary).
    pub fn new(task: &dyn Task, seq_len: usize, examples: usize, batch: usize, seed: u64) -> Result<Self, TaskError> {
        if examples == 0 || batch == 0 {
            return Err(TaskError::new("train_examples", "the training set and its batches need at least one example"));
        }
        // Each draw is new with high probability for the published settings; the cap only stops
        // a task whose distinct examples run out.
        let max_draws = examples.saturating_mul(20).saturating_add(1000);
        let mut out = Batch::zeros(examples, seq_len);
        let mut seen: HashSet<(Vec<i64>, Vec<i64>)> = HashSet::with_capacity(examples);
        let (mut kept, mut draws) = (0, 0);
        while kept < examples {
            if draws == max_draws {
                return Err(TaskError::new(
                    "train_examples",
                    format!(
                        "the {} task gave only {kept} distinct examples of length {seq_len} in {draws} draws; \
                         {examples} were asked for",
                        task.name()
                    ),
                ));
            }
            let one = task.sample(seq_len, 1, &mut rng_for(seed, Stream::Train, draws as u64))?;
            draws += 1;
            if seen.insert((one.inputs.clone(), one.targets.clone())) {
                let row = kept * seq_len..(kept + 1) * seq_len;
                out.inputs[row.clone()].copy_from_slice(&one.inputs);
                out.targets[row].copy_from_slice(&one.targets);
                kept += 1;
            }
        }
        Ok(Self { examples: out, batch, seed, order: None })
    }

    /// Every example, in the order drawn.
    pub fn examples(&self) -> &Batch {
        &self.examples
    }

    pub fn len(&self) -> usize {
        self.examples.batch
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Steps per epoch: `ceil(len / batch)`.
    pub fn batches_per_epoch(&self) -> usize {
        self.len().div_ceil(self.batch)
    }

    /// The order in which epoch `epoch` visits the examples (a permutation of `0..len`).
    pub fn epoch_order(&self, epoch: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.shuffle(&mut rng_for(self.seed, Stream::Shuffle, epoch as u64));
        order
    }

    /// The example indices of training step `step`.
    pub fn batch_indices(&mut self, step: usize) -> &[usize] {
        let per_epoch = self.batches_per_epoch();
        let (epoch, i) = (step / per_epoch, step % per_epoch);
        if self.order.as_ref().is_none_or(|(e, _)| *e != epoch) {
            self.order = Some((epoch, self.epoch_order(epoch)));
        }
        let order = &self.order.as_ref().expect("set above").1;
        &order[i * self.batch..((i + 1) * self.batch).min(order.len())]
    }

    /// The batch of training step `step`.
    pub fn batch_at(&mut self, step: usize) -> Batch {
        let rows = self.batch_indices(step).to_vec();
        self.examples.select(&rows)
    }
}
