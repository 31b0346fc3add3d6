use std::collections::HashMap;
use std::ops::Range;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::{safari_vocab, Batch, Task, TaskError};

/// Associative recall as in the H3 paper (Fu et al. 2023, §3.1, Table 2), generator after safari's
/// `generate_assoc_recall` (`src/dataloaders/synthetics.py:130-167`) and its `ICLDataModule`.
///
/// **Vocabulary** (`V = vocab_size`; safari builds `V - 2` ordinary tokens plus two specials and
/// numbers them in string order, which puts `"."` first and `"=>"` last: `safari_vocab.rs`):
/// - `0` — the no-op token `"."`: the answer when the queried key never appeared (`allow_dot` only);
///   it never occurs in the inputs;
/// - `1 ..= K` with `K = (V - 2) / 2` — keys (first half of the ordinary tokens);
/// - `K + 1 ..= V - 2` — values (second half; gets the extra token when `V - 2` is odd);
/// - `V - 1` — the query token `"=>"` (safari's copy prefix).
///
/// **Example** (`n = num_keys` tokens per key; `seq_len` must be a multiple of `n + 1`): a random map
/// from every key (n-tuple of key tokens) to a value, drawn uniformly with replacement, fresh per
/// example; then `P = seq_len / (n + 1) - 1` pairs, each a uniformly random key followed by its
/// value (keys may repeat, always with the same value); then `"=>"`, the query key, and its value.
/// With `allow_dot = false` (safari's default) the query key is uniform over the distinct keys that
/// appeared; with `allow_dot = true` it is uniform over all keys and the answer is `"."` if absent.
/// As in safari the inputs are the example minus its last token and the targets are shifted by one,
/// so `seq_len = P (n + 1) + n + 1` (safari's `input_seq_len + 1 + num_keys` for an `input_seq_len`
/// that is a multiple of `n + 1`):
///
/// ```text
/// position  0   1   2   3  ...  2P-2 2P-1  2P   2P+1          (num_keys = 1, seq_len = 2P + 2)
/// input     k0  v0  k1  v1 ...  kP-1 vP-1  =>   kq
/// target    -   -   -   -  ...  -    -     -    v(kq)
/// ```
///
/// Only the last position is scored (safari's test split; its training split also labels every
/// next-token position, which [`Batch::with_next_token_targets`] adds: `train.loss_positions: all`).
///
/// Options (YAML keys): `vocab_size` (default 10), `num_keys` (1), `allow_dot` (false).
/// Defaults: safari `configs/experiment/synthetics/associative_recall/h3-vs10.yaml` (the H3 Table 2
/// run: vocab 10, `input_seq_len` 20, i.e. `seq_len` 22 here), which has 4 values and hence the
/// table's 25% random baseline; `num_keys` 1 and `allow_dot` false are `ICLDataModule`'s defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AssociativeRecall {
    pub vocab_size: usize,
    /// Tokens per key (a key is an n-tuple of key tokens).
    pub num_keys: usize,
    /// Query keys that may be absent from the context, answered by the no-op token.
    pub allow_dot: bool,
}

impl Default for AssociativeRecall {
    fn default() -> Self {
        Self { vocab_size: 10, num_keys: 1, allow_dot: false }
    }
}

impl AssociativeRecall {
    /// `"."`, the answer to an absent key.
    pub const NOOP_TOKEN: i64 = safari_vocab::NOOP;

    /// `"=>"`, which starts the query.
    pub fn query_token(&self) -> i64 {
        safari_vocab::copy_prefix(self.vocab_size)
    }

    fn n_key_tokens(&self) -> i64 {
        (self.vocab_size as i64 - 2) / 2
    }

    /// Token ids of the key tokens.
    pub fn key_tokens(&self) -> Range<i64> {
        1..1 + self.n_key_tokens()
    }

    /// Token ids of the values.
    pub fn value_tokens(&self) -> Range<i64> {
        1 + self.n_key_tokens()..safari_vocab::ordinary(self.vocab_size).end
    }

    /// Number of distinct keys, `K^num_keys`, if it fits in a `u64`.
    fn n_keys(&self) -> Option<u64> {
        (self.n_key_tokens() as u64).checked_pow(u32::try_from(self.num_keys).ok()?)
    }
}

impl Task for AssociativeRecall {
    fn name(&self) -> &'static str {
        "associative_recall"
    }

    fn vocab_size(&self) -> usize {
        self.vocab_size
    }

    fn min_len(&self) -> usize {
        self.num_keys.saturating_add(1).saturating_mul(2)
    }

    fn validate(&self) -> Result<(), TaskError> {
        if self.vocab_size < 4 || self.vocab_size > i64::MAX as usize {
            return Err(TaskError::new(
                "vocab_size",
                format!("must be at least 4 (a key, a value, \".\" and \"=>\"), got {}", self.vocab_size),
            ));
        }
        if self.num_keys == 0 {
            return Err(TaskError::new("num_keys", "must be a positive integer, got 0"));
        }
        if self.n_keys().is_none() {
            return Err(TaskError::new(
                "num_keys",
                format!("{} key tokens to the power {} overflows 64 bits", self.n_key_tokens(), self.num_keys),
            ));
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
        let n = self.num_keys;
        let block = n + 1;
        if seq_len < self.min_len() || seq_len / block * block != seq_len {
            return Err(TaskError::new(
                "seq_len",
                format!(
                    "must be a multiple of num_keys + 1 = {block} and at least {} (one pair plus the query), got {seq_len}",
                    self.min_len()
                ),
            ));
        }
        let pairs = seq_len / block - 1;
        let n_keys = self.n_keys().expect("validated");
        let k_tokens = self.n_key_tokens() as u64;
        let values = self.value_tokens();
        // Writes the tokens of key `t` (base-K digits, most significant first) at `out`.
        let write_key = |out: &mut [i64], mut t: u64| {
            for slot in out.iter_mut().rev() {
                *slot = 1 + (t % k_tokens) as i64;
                t /= k_tokens;
            }
        };
        let mut out = Batch::zeros(batch, seq_len);
        let mut map: HashMap<u64, i64> = HashMap::new();
        let mut seen: Vec<u64> = Vec::new();
        for b in 0..batch {
            map.clear();
            seen.clear();
            let row = &mut out.inputs[b * seq_len..(b + 1) * seq_len];
            for p in 0..pairs {
                let t = rng.random_range(0..n_keys);
                // The map's value for a key is drawn when the key first appears: the same
                // distribution as safari's map drawn up front for every key.
                let v = match map.get(&t) {
                    Some(&v) => v,
                    None => {
                        let v = rng.random_range(values.clone());
                        map.insert(t, v);
                        seen.push(t);
                        v
                    }
                };
                write_key(&mut row[p * block..p * block + n], t);
                row[p * block + n] = v;
            }
            let (query, answer) = if self.allow_dot {
                let t = rng.random_range(0..n_keys);
                (t, map.get(&t).copied().unwrap_or(Self::NOOP_TOKEN))
            } else {
                let t = seen[rng.random_range(0..seen.len() as u64) as usize];
                (t, map[&t])
            };
            let q = pairs * block;
            row[q] = self.query_token();
            write_key(&mut row[q + 1..q + 1 + n], query);
            out.targets[b * seq_len + seq_len - 1] = answer;
        }
        Ok(out)
    }
}
