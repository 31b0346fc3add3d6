//! Multi-query associative recall (Zoology, Arora et al. 2023, §3, Fig. 2; generator after
//! zoology's `multiquery_ar.py`): key-value pairs, then queries at power-law gaps; accuracy over
//! every query.

use crate::token_task::{token_smoke, TokenTaskExperiment};

pub static MQAR: TokenTaskExperiment = TokenTaskExperiment {
    name: "mqar",
    task: "mqar",
    title: "Multi-query associative recall",
    summary: "Zoology MQAR: key-value pairs then many queries; accuracy vs model width (Fig. 2)",
    smoke: token_smoke!("{train_len: 64, num_kv_pairs: 4, test_examples: 16, val_examples: 16}", "lr: 1.0e-3, "),
    published: None,
};
