//! Sequence-classification data: every loader (release formats, offline packages) and every
//! generator (ListOps, Pathfinder) returns a [`Dataset`]: token sequences with a class label,
//! split into train / val / test, and a [`DataInfo`] that says what the tokens mean.
//!
//! Conventions shared by all data sets:
//! - Token inputs ([`InputKind::Tokens`]) reserve id 0 for padding ([`PAD`]), 1 for unknown
//!   ([`UNK`]) and 2 for end of sequence ([`EOS`]), as the s4 repository's torchtext vocabularies.
//! - Pixel inputs ([`InputKind::Pixels`]) are 8-bit intensities 0..=255 of fixed length; a model
//!   embeds them as tokens (LRA) or feeds them as scalars (S4).
//! - Real-valued inputs ([`InputKind::Levels`]) are 16-bit levels 0..=65535 of one affine map
//!   fitted on the training split ([`LevelMap`]); a model feeds them as scalars.
//! - Nothing is dropped silently: a documented rule that skips examples counts them in
//!   [`DataInfo::dropped`].

mod error;
mod inspect;
mod levels;
mod split;

pub use error::{DataError, Location};
pub use inspect::{Inspection, LengthStats};
pub use levels::{LevelMap, LEVELS};
pub use split::{seeded_permutation, split_by_fractions};

use serde::Serialize;

/// Padding token of token inputs.
pub const PAD: u16 = 0;
/// Unknown token of token inputs.
pub const UNK: u16 = 1;
/// End-of-sequence token of token inputs.
pub const EOS: u16 = 2;
/// First id free for a data set's own symbols.
pub const FIRST_SYMBOL: u16 = 3;

/// One example: a token sequence (two for pair tasks such as AAN retrieval) and its class.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Example {
    pub tokens: Vec<u16>,
    /// The second document of a pair task; `None` for single-sequence tasks.
    pub pair: Option<Vec<u16>>,
    pub label: u32,
}

impl Example {
    pub fn single(tokens: Vec<u16>, label: u32) -> Self {
        Self { tokens, pair: None, label }
    }

    pub fn pair(first: Vec<u16>, second: Vec<u16>, label: u32) -> Self {
        Self { tokens: first, pair: Some(second), label }
    }
}

/// What the token ids of a data set are.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// Symbols of a vocabulary (ids below `vocab_size`; 0 = pad, 1 = unk, 2 = eos).
    Tokens,
    /// 8-bit pixel intensities (0..=255), every sequence of the same length.
    Pixels,
    /// Real values as 16-bit levels (0..=65535, `vocab_size` [`LEVELS`]): level `v` stands for
    /// `min + v · (max − min) / 65535`, `min..=max` the range of the training split
    /// ([`LevelMap`]); every sequence of the same length.
    Levels { min: f64, max: f64 },
}

/// Where the examples came from, for reports: the real release, a generator following the
/// benchmark's published recipe, or a stand-in for a data set that cannot be had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Provenance {
    Release { path: String },
    Generated { recipe: String },
    StandIn { for_task: String, what: String },
}

/// Facts about a data set that a model and a report need.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataInfo {
    /// Short name, e.g. `listops`.
    pub name: String,
    pub input: InputKind,
    /// Every token id is below this.
    pub vocab_size: usize,
    pub n_classes: usize,
    /// No sequence is longer than this (the `l_max` of the s4 configs).
    pub max_len: usize,
    /// Whether examples are pairs of sequences (retrieval).
    pub pairs: bool,
    pub provenance: Provenance,
    /// Examples skipped by a documented rule: (rule, count).
    pub dropped: Vec<(String, usize)>,
    /// Facts a reader of the data needs that no other field holds (how source labels map to
    /// classes, how many values were clamped), one sentence each.
    pub notes: Vec<String>,
}

/// The three splits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Splits {
    pub train: Vec<Example>,
    pub val: Vec<Example>,
    pub test: Vec<Example>,
}

/// A loaded or generated data set.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub info: DataInfo,
    pub splits: Splits,
}

impl Dataset {
    /// Checks the invariants every consumer relies on: token ids below `vocab_size`, labels
    /// below `n_classes`, lengths within `1..=max_len`, pairs exactly when `info.pairs`.
    pub fn check(&self) -> Result<(), DataError> {
        let info = &self.info;
        for (split, examples) in self.splits.named() {
            for (i, ex) in examples.iter().enumerate() {
                let at = |msg: String| DataError::Invalid(format!("{} {split} example {i}: {msg}", info.name));
                if ex.label as usize >= info.n_classes {
                    return Err(at(format!("label {} ≥ n_classes {}", ex.label, info.n_classes)));
                }
                if ex.pair.is_some() != info.pairs {
                    return Err(at("pair presence does not match the data set".into()));
                }
                for seq in std::iter::once(&ex.tokens).chain(ex.pair.as_ref()) {
                    if seq.is_empty() || seq.len() > info.max_len {
                        return Err(at(format!("length {} outside 1..={}", seq.len(), info.max_len)));
                    }
                    if let Some(&t) = seq.iter().find(|&&t| t as usize >= info.vocab_size) {
                        return Err(at(format!("token {t} ≥ vocab_size {}", info.vocab_size)));
                    }
                }
            }
        }
        Ok(())
    }
}

impl Splits {
    /// `("train", ..), ("val", ..), ("test", ..)`.
    pub fn named(&self) -> [(&'static str, &Vec<Example>); 3] {
        [("train", &self.train), ("val", &self.val), ("test", &self.test)]
    }
}
