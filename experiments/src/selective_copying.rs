//! Selective copying (Mamba paper §4.1.1, Table 1; generator after s4's `copying.py` with
//! `variable=True`) and the classic copying task (`variable=False`): accuracy over the copied
//! tokens.

use crate::length_report::Published;
use crate::token_task::{token_smoke, TokenTaskExperiment};

/// Mamba paper (Gu & Dao 2023), Table 1: architecture (gate) × inner layer.
const PUBLISHED: Published = Published {
    source: "Mamba paper (Gu & Dao 2023), Table 1",
    columns: &["accuracy"],
    rows: &[
        ("NoGate-S4", &["18.3"]),
        ("NoGate-S6", &["97.0"]),
        ("H3-S4", &["57.0"]),
        ("H3-Hyena", &["30.1"]),
        ("H3-S6", &["99.7"]),
        ("Mamba-S4", &["56.4"]),
        ("Mamba-Hyena", &["28.4"]),
        ("Mamba-S6", &["99.8"]),
    ],
};

const SMOKE: &str = token_smoke!("{train_len: 48, test_examples: 16, val_examples: 16}");

pub static SELECTIVE_COPYING: TokenTaskExperiment = TokenTaskExperiment {
    name: "selective_copying",
    task: "selective_copying",
    title: "Selective copying",
    summary: "Mamba paper selective copying: data tokens among noise, recalled after markers (Table 1)",
    smoke: SMOKE,
    published: Some(&PUBLISHED),
};

pub static COPYING: TokenTaskExperiment = TokenTaskExperiment {
    name: "copying",
    task: "copying",
    title: "Copying",
    summary: "classic copying: tokens, blanks, markers; the tokens recalled after the markers",
    smoke: token_smoke!("{n_tokens: 8, train_len: 48, test_examples: 16, val_examples: 16}"),
    published: None,
};
