//! Induction heads (Mamba paper §4.1.1, Table 11, App. E.1): train at length 256 on fresh batches
//! of 8, then test the final-token accuracy at lengths 2^6 … 2^20.

use crate::length_report::Published;
use crate::token_task::{token_smoke, TokenTaskExperiment};

/// Mamba paper, Table 11 (accuracy %, ✓ = 100, lengths 2^6 … 2^20).
const PUBLISHED: Published = Published {
    source: "Mamba paper (Gu & Dao 2023), Table 11",
    columns: &["2^6", "2^7", "2^8", "2^9", "2^10", "2^11", "2^12", "2^13", "2^14", "2^15", "2^16", "2^17", "2^18", "2^19", "2^20"],
    rows: &[
        ("MHA-Abs", &["✓", "99.6", "100", "58.6", "26.6", "18.8", "9.8", "10.9", "7.8", "OOM", "OOM", "OOM", "OOM", "OOM", "OOM"]),
        ("MHA-RoPE", &["✓", "✓", "100", "83.6", "31.3", "18.4", "8.6", "9.0", "5.5", "OOM", "OOM", "OOM", "OOM", "OOM", "OOM"]),
        ("MHA-xPos", &["✓", "✓", "100", "99.6", "67.6", "25.4", "7.0", "9.0", "7.8", "OOM", "OOM", "OOM", "OOM", "OOM", "OOM"]),
        ("H3", &["✓", "✓", "100", "80.9", "39.5", "23.8", "14.8", "8.2", "5.9", "6.6", "8.2", "4.7", "8.2", "6.3", "7.4"]),
        ("Hyena", &["97.7", "✓", "100", "✓", "44.1", "12.5", "6.6", "5.1", "7.0", "5.9", "6.6", "6.6", "5.9", "6.3", "9.8"]),
        ("Mamba", &["✓", "✓", "100", "✓", "✓", "✓", "✓", "✓", "✓", "✓", "✓", "✓", "✓", "✓", "✓"]),
    ],
};

pub static INDUCTION_HEADS: TokenTaskExperiment = TokenTaskExperiment {
    name: "induction_heads",
    task: "induction_heads",
    title: "Induction heads",
    summary: "Mamba paper induction heads: train at 256, final-token accuracy at 2^6..2^20 (Table 11)",
    smoke: token_smoke!("{train_len: 32, test_lens: [16, 32, 64, 128], test_examples: 16, val_examples: 16}"),
    published: Some(&PUBLISHED),
};
