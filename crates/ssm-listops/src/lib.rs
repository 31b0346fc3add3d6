//! ListOps, the hierarchical-expression task of the Long Range Arena (Tay et al., 2021), as a
//! [`ssm_data::Dataset`]: a generator following the published grammar and a loader for the
//! release files.
//!
//! Sources (read for the facts; no code copied):
//! - google-research/long-range-arena, `lra_benchmarks/data/listops.py`: the grammar
//!   (`generate_tree`, `VALUE_P` = 0.25), evaluation (`to_value`), the written form
//!   (`to_string`), the defaults (`max_depth` 10, `max_args` 10, lengths strictly between 500
//!   and 2000, 96,000 / 2,000 / 2,000 examples) and the file format (`write_to_file`).
//! - same repository, `lra_benchmarks/listops/input_pipeline.py`: the `Source` / `Target` TSV
//!   columns and the file names `<task>_{train,val,test}.tsv`.
//! - state-spaces/s4, `src/dataloaders/lra.py` (`listops_tokenizer`, class `ListOps`): `]` as
//!   `X`, parentheses dropped, EOS appended, `l_max` 2048 with the EOS counted.
//!
//! Conventions a caller must know:
//! - The vocabulary is fixed ([`tokenize::SYMBOLS`]), not built from the training split:
//!   PAD 0, UNK 1, EOS 2, `[MIN` `[MAX` `[MED` `[SM` 3..=6, `X` 7, digits 0..9 at 8..=17,
//!   `[FIRST` `[LAST` 18, 19; [`VOCAB_SIZE`] is 20, [`N_CLASSES`] 10. A symbol outside the
//!   table becomes UNK.
//! - Every sequence ends with EOS and is at most `l_max` long: the symbols are cut to
//!   `l_max - 1` first (s4's rule). Generated sequences are never cut (the options require
//!   `l_max >= max_len`); with the default `l_max` no release sequence is cut either.
//! - Generated example `i` of a split depends only on `(options, seed, split, i)`; the
//!   generator does not de-duplicate (see [`generate`](mod@generate)).

pub mod expr;
pub mod generate;
pub mod options;
pub mod release;
pub mod tokenize;

pub use expr::{Expr, Op};
pub use generate::{generate, generate_exprs, generate_sources, sample_expr, Split};
pub use options::ListOpsOptions;
pub use release::{load_release, load_split, write_tsv, RELEASE_FILES};
pub use tokenize::{encode, tokenize, VOCAB_SIZE};

use ssm_data::{DataInfo, InputKind, Provenance};

/// Name of the data set in [`DataInfo::name`].
pub const NAME: &str = "listops";

/// Classes: the values 0..=9.
pub const N_CLASSES: usize = 10;

/// The [`DataInfo`] of a ListOps data set with sequences of at most `l_max` tokens.
pub(crate) fn dataset_info(l_max: usize, provenance: Provenance) -> DataInfo {
    DataInfo {
        name: NAME.into(),
        input: InputKind::Tokens,
        vocab_size: VOCAB_SIZE,
        n_classes: N_CLASSES,
        max_len: l_max,
        pairs: false,
        provenance,
        dropped: Vec::new(),
        notes: Vec::new(),
    }
}
