use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::{Batch, Task, TaskError};

/// Induction heads as in the Mamba paper (§4.1.1, App. E.1; generator after safari's
/// `synthetics.py:90-128`): a random sequence over the ordinary tokens in which the special token
/// appears once at a random position followed by the answer token, and again at the last position;
/// the model must output the answer there. Only the last position is scored.
///
/// Tokens `0..vocab_size-1` are ordinary; `vocab_size - 1` is the special token
/// (the paper's vocabulary of 16 includes it).
///
/// Options (YAML keys): `vocab_size` (default 16, Mamba paper App. E.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InductionHeads {
    pub vocab_size: usize,
}

impl Default for InductionHeads {
    fn default() -> Self {
        Self { vocab_size: 16 }
    }
}

impl InductionHeads {
    pub fn special_token(&self) -> i64 {
        self.vocab_size as i64 - 1
    }
}

impl Task for InductionHeads {
    fn name(&self) -> &'static str {
        "induction_heads"
    }

    fn vocab_size(&self) -> usize {
        self.vocab_size
    }

    fn min_len(&self) -> usize {
        3
    }

    fn validate(&self) -> Result<(), TaskError> {
        if self.vocab_size < 3 {
            return Err(TaskError::new("vocab_size", format!("must be at least 3, got {}", self.vocab_size)));
        }
        Ok(())
    }

    fn options_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("plain options serialize")
    }

    /// One token sequence: the answer is the token after the final special token.
    fn is_next_token_sequence(&self) -> bool {
        true
    }

    fn sample(&self, seq_len: usize, batch: usize, rng: &mut ChaCha8Rng) -> Result<Batch, TaskError> {
        self.validate()?;
        if seq_len < self.min_len() {
            return Err(TaskError::new("seq_len", format!("must be at least {}, got {seq_len}", self.min_len())));
        }
        let ordinary = self.vocab_size as i64 - 1;
        let special = self.special_token();
        let mut out = Batch::zeros(batch, seq_len);
        for b in 0..batch {
            let row = &mut out.inputs[b * seq_len..(b + 1) * seq_len];
            for x in row.iter_mut() {
                *x = rng.random_range(0..ordinary);
            }
            // The trigger and its answer sit strictly before the final query position.
            let trigger = rng.random_range(0..seq_len - 2);
            let answer = rng.random_range(0..ordinary);
            row[trigger] = special;
            row[trigger + 1] = answer;
            row[seq_len - 1] = special;
            out.targets[b * seq_len + seq_len - 1] = answer;
        }
        Ok(out)
    }
}
