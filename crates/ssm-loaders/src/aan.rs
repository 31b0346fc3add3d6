//! LRA Retrieval: ACL Anthology Network citation pairs from the LRA release TSV files, byte level.
//!
//! Files (the `tsv_data` folder of `lra_release.gz`): `new_aan_pairs.train.tsv`,
//! `new_aan_pairs.eval.tsv` (→ val), `new_aan_pairs.test.tsv`. No header; tab-separated, no
//! quoting; columns `label id1 id2 text1 text2`; the label is read as a float (`0`, `1`, `0.0`,
//! `1.0` all occur in the wild) and must be 0 or 1.
//!
//! Followed: long-range-arena `lra_benchmarks/matching/input_pipeline.py`: `get_tsv_dataset`
//! (lines 14–31: `column_defaults = [tf.float32, tf.string, …]`, `use_quote_delim=False`,
//! `field_delim='\t'`, `header=False`), `get_dataset` (`.eval.tsv` is the validation file) and
//! `get_matching_datasets` (`encoder.encode(s.numpy()[:10000])` then `[:max_length]`, with
//! `max_length` 4000 in the byte-level configs and s4's `AAN.init_defaults` `l_max: 4000`):
//! every document is cut to its first 4000 bytes. Each line gives `Example::pair(text1, text2,
//! label)`.
//!
//! A pair with an empty document is skipped and counted in `dropped` (LRA would feed an all-pad
//! sequence); every other irregular line is an error naming the file and the line.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde::{Deserialize, Serialize};
use ssm_data::{DataError, Dataset, Example, Location, Provenance, Splits};

use crate::bytes::{check_len, encode_bytes, has_bytes};
use crate::files::{require_dir, require_file};
use crate::{byte_text_info, Drops};

/// Options of [`load_aan`]; the defaults are LRA's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AanOptions {
    /// Longest document in tokens (LRA `max_length` 4000); longer documents are cut.
    pub l_max: usize,
    /// End each document with EOS within `l_max` (s4's default); LRA does not.
    pub append_eos: bool,
}

impl Default for AanOptions {
    fn default() -> Self {
        Self { l_max: 4000, append_eos: false }
    }
}

impl AanOptions {
    pub fn validate(&self) -> Result<(), DataError> {
        check_len("aan", "l_max", self.l_max, self.append_eos)
    }
}

const EMPTY_RULE: &str = "pair with an empty document";

/// Loads the folder `dir` holding the three `new_aan_pairs.*.tsv` files.
pub fn load_aan(dir: &Path, opts: &AanOptions) -> Result<Dataset, DataError> {
    opts.validate()?;
    require_dir(dir, "the LRA tsv_data folder with new_aan_pairs.{train,eval,test}.tsv")?;
    let mut drops = Drops::default();
    let mut read = |split: &str| read_tsv(&dir.join(format!("new_aan_pairs.{split}.tsv")), opts, &mut drops);
    let (train, val, test) = (read("train")?, read("eval")?, read("test")?);
    let info =
        byte_text_info("aan", opts.l_max, 2, true, Provenance::Release { path: dir.display().to_string() }, drops);
    Ok(Dataset { info, splits: Splits { train, val, test } })
}

fn read_tsv(path: &Path, opts: &AanOptions, drops: &mut Drops) -> Result<Vec<Example>, DataError> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    require_file(path, &format!("the AAN pair file {name} (label, id1, id2, text1, text2; tab-separated)"))?;
    let mut reader = BufReader::new(File::open(path).map_err(|e| DataError::io(path, e))?);
    let mut examples = Vec::new();
    let mut line = Vec::new();
    for number in 1.. {
        line.clear();
        if reader.read_until(b'\n', &mut line).map_err(|e| DataError::io(path, e))? == 0 {
            break;
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        let bad = |msg: String| DataError::malformed(path, Location::Line(number), msg);
        let fields: Vec<&[u8]> = line.split(|&b| b == b'\t').collect();
        if fields.len() != 5 {
            return Err(bad(format!(
                "expected 5 tab-separated columns (label, id1, id2, text1, text2), found {}",
                fields.len()
            )));
        }
        let label = parse_label(fields[0]).ok_or_else(|| {
            bad(format!("label {:?} is not 0 or 1 (0.0 and 1.0 are accepted)", String::from_utf8_lossy(fields[0])))
        })?;
        let first = encode_bytes(fields[3], opts.l_max, opts.append_eos);
        let second = encode_bytes(fields[4], opts.l_max, opts.append_eos);
        if has_bytes(&first) && has_bytes(&second) {
            examples.push(Example::pair(first, second, label));
        } else {
            drops.add(EMPTY_RULE, 1);
        }
    }
    Ok(examples)
}

/// `0`/`1` written as an integer or a float (LRA parses the column as `tf.float32`).
fn parse_label(field: &[u8]) -> Option<u32> {
    let value: f64 = std::str::from_utf8(field).ok()?.trim().parse().ok()?;
    match value {
        0.0 => Some(0),
        1.0 => Some(1),
        _ => None,
    }
}
