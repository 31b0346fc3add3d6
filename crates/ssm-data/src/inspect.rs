use std::collections::BTreeMap;

use serde::Serialize;

use crate::{Dataset, Example, InputKind, Provenance};

/// Lengths of the sequences of one split (both documents of pairs counted).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LengthStats {
    pub min: usize,
    pub max: usize,
    pub mean: f64,
}

/// What `ssm-lab data inspect` prints for a data set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inspection {
    pub name: String,
    pub train: usize,
    pub val: usize,
    pub test: usize,
    pub input: InputKind,
    pub vocab_size: usize,
    pub n_classes: usize,
    pub max_len: usize,
    pub pairs: bool,
    /// Per split.
    pub lengths: BTreeMap<String, Option<LengthStats>>,
    /// Examples per class, per split.
    pub classes: BTreeMap<String, Vec<usize>>,
    /// Examples skipped by a documented rule.
    pub dropped: BTreeMap<String, usize>,
    /// The data set's notes (label mapping, clamped values), when it has any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub provenance: Provenance,
}

fn lengths(examples: &[Example]) -> Option<LengthStats> {
    let lens: Vec<usize> =
        examples.iter().flat_map(|e| std::iter::once(e.tokens.len()).chain(e.pair.as_ref().map(Vec::len))).collect();
    let (min, max) = (*lens.iter().min()?, *lens.iter().max()?);
    Some(LengthStats { min, max, mean: lens.iter().sum::<usize>() as f64 / lens.len() as f64 })
}

impl Dataset {
    pub fn inspect(&self) -> Inspection {
        let info = &self.info;
        let mut length_map = BTreeMap::new();
        let mut classes = BTreeMap::new();
        for (split, examples) in self.splits.named() {
            length_map.insert(split.to_string(), lengths(examples));
            let mut counts = vec![0; info.n_classes];
            for e in examples {
                if let Some(c) = counts.get_mut(e.label as usize) {
                    *c += 1;
                }
            }
            classes.insert(split.to_string(), counts);
        }
        Inspection {
            name: info.name.clone(),
            train: self.splits.train.len(),
            val: self.splits.val.len(),
            test: self.splits.test.len(),
            input: info.input,
            vocab_size: info.vocab_size,
            n_classes: info.n_classes,
            max_len: info.max_len,
            pairs: info.pairs,
            lengths: length_map,
            classes,
            dropped: info.dropped.iter().cloned().collect(),
            notes: info.notes.clone(),
            provenance: info.provenance.clone(),
        }
    }
}
