use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::{safari_vocab, Batch, Task, TaskError};

/// The H3 paper's induction head (Fu, Dao et al. 2023, §3.1, Table 2) with safari's generator:
/// `generate_start_seq` and `generate_induction_head` (HazyResearch/safari,
/// `src/dataloaders/synthetics.py:79-128`) as `ICLDataModule` turns their examples into inputs and
/// targets (`:224-226`, `:298-300`).
///
/// **Vocabulary** (`V = vocab_size`, safari's numbering, `safari_vocab.rs`): `0` is `"."` (never
/// generated), `1 ..= V - 2` the ordinary tokens, `V - 1` the copy prefix `"=>"`.
///
/// **Example** (`k = induction_len`, `n = num_triggers`; safari's `input_seq_len` is
/// `I = seq_len - k`):
/// 1. `I` ordinary tokens, uniform with replacement, then `"=>"` (`:81-88`);
/// 2. with probability ½ one trigger, otherwise `n` (`:105-106`): that many positions, uniform with
///    replacement on `0 .. I - 1 - k` and sorted (`:107-109`), of which a position is kept when it
///    lies more than `k` after the last one kept (`:110-115`), so up to `n` triggers;
/// 3. the `k` tokens after the first trigger are the answer (`:116-119`); every kept trigger is
///    overwritten by `"=>"` followed by the answer (`:120-123`), and the answer is appended after
///    the final `"=>"` (`:127`).
///
/// The example has `I + 1 + k` tokens; the inputs are all but the last and the targets are shifted
/// by one (`:298`), so `seq_len = I + k`. Only the last `k` targets, the answer, are scored
/// (safari's test split, `:226` and `:300`; its training split also labels every next-token
/// position, which [`Batch::with_next_token_targets`] adds: `train.loss_positions: all`):
///
/// ```text
/// position  0 .. t-1   t    t+1  ..  I-1   I    I+1 .. I+k-1      (k = 1: seq_len = I + 1)
/// input     random     =>   a    ..  x     =>   a1  .. a(k-1)
/// target    -          -    -    ..  -     a0   a1  .. a(k-1)
/// ```
///
/// The shortest length that fits `n` triggers more than `k` apart before the query is
/// `(n + 1)(k + 1)`; a shorter `seq_len` is an error (safari would silently keep fewer triggers).
///
/// Options (YAML keys): `vocab_size` (default 20), `induction_len` (1), `num_triggers` (1).
/// Defaults: safari's H3 runs (`configs/experiment/synthetics/induction_head/*.yaml` over
/// `configs/pipeline/induction_head.yaml`: vocab 20, `input_seq_len` 30, i.e. `seq_len` 31 here)
/// set neither `induction_len` nor `induction_num_triggers`, so `ICLDataModule`'s defaults of 1
/// apply (`:183-184`): one trigger in every example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InductionHeadSafari {
    pub vocab_size: usize,
    /// Tokens copied after each trigger and answered at the end.
    pub induction_len: usize,
    /// Most triggers in an example (one in half of the examples).
    pub num_triggers: usize,
}

impl Default for InductionHeadSafari {
    fn default() -> Self {
        Self { vocab_size: 20, induction_len: 1, num_triggers: 1 }
    }
}

impl InductionHeadSafari {
    /// `"=>"`: each trigger, and the query before the answer.
    pub fn copy_prefix(&self) -> i64 {
        safari_vocab::copy_prefix(self.vocab_size)
    }

    /// safari's `input_seq_len` for a sequence of `seq_len` inputs.
    pub fn input_seq_len(&self, seq_len: usize) -> usize {
        seq_len - self.induction_len
    }
}

impl Task for InductionHeadSafari {
    fn name(&self) -> &'static str {
        "induction_head_safari"
    }

    fn vocab_size(&self) -> usize {
        self.vocab_size
    }

    /// `n` triggers, each `k + 1` tokens long and more than `k` apart, fit in the trigger range
    /// `0 .. I - 1 - k` when `I - 1 - k >= (n - 1)(k + 1) + 1`, i.e. `seq_len = I + k >= (n + 1)(k + 1)`.
    fn min_len(&self) -> usize {
        self.num_triggers.saturating_add(1).saturating_mul(self.induction_len.saturating_add(1))
    }

    fn validate(&self) -> Result<(), TaskError> {
        if self.vocab_size < 3 || self.vocab_size > i64::MAX as usize {
            return Err(TaskError::new(
                "vocab_size",
                format!("must be at least 3 (an ordinary token, \".\" and \"=>\"), got {}", self.vocab_size),
            ));
        }
        for (option, value) in [("induction_len", self.induction_len), ("num_triggers", self.num_triggers)] {
            if value == 0 {
                return Err(TaskError::new(option, "must be a positive integer, got 0"));
            }
        }
        Ok(())
    }

    fn options_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("plain options serialize")
    }

    /// One token sequence: inputs `ex[:-1]`, targets `ex[1:]` (safari `:298`).
    fn is_next_token_sequence(&self) -> bool {
        true
    }

    fn sample(&self, seq_len: usize, batch: usize, rng: &mut ChaCha8Rng) -> Result<Batch, TaskError> {
        self.validate()?;
        let (k, n) = (self.induction_len, self.num_triggers);
        if seq_len < self.min_len() {
            return Err(TaskError::new(
                "seq_len",
                format!(
                    "must be at least (num_triggers + 1)(induction_len + 1) = {} to fit {n} triggers more than \
                     induction_len = {k} apart before the query, got {seq_len}",
                    self.min_len()
                ),
            ));
        }
        let input_len = self.input_seq_len(seq_len);
        let positions = input_len - 1 - k;
        let ordinary = safari_vocab::ordinary(self.vocab_size);
        let prefix = self.copy_prefix();
        let mut out = Batch::zeros(batch, seq_len);
        // safari's example, one token longer than the inputs: [input_len tokens, "=>", answer].
        let mut ex = vec![0i64; seq_len + 1];
        let (mut drawn, mut kept) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for b in 0..batch {
            for x in &mut ex[..input_len] {
                *x = rng.random_range(ordinary.clone());
            }
            ex[input_len] = prefix;
            let triggers = if rng.random::<f64>() < 0.5 { 1 } else { n };
            drawn.clear();
            drawn.extend((0..triggers).map(|_| rng.random_range(0..positions)));
            drawn.sort_unstable();
            kept.clear();
            for &p in &drawn {
                if kept.last().is_none_or(|&last| p - last > k) {
                    kept.push(p);
                }
            }
            // The answer, read before any trigger is written; the triggers copy it from the end.
            let answer = input_len + 1..=seq_len;
            ex.copy_within(kept[0] + 1..=kept[0] + k, *answer.start());
            for &p in &kept {
                ex[p] = prefix;
                ex.copy_within(answer.clone(), p + 1);
            }
            out.inputs[b * seq_len..(b + 1) * seq_len].copy_from_slice(&ex[..seq_len]);
            out.targets[(b + 1) * seq_len - k..(b + 1) * seq_len].copy_from_slice(&ex[input_len + 1..]);
        }
        Ok(out)
    }
}
