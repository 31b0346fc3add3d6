//! Associative recall and the H3 paper's induction head (H3 paper §3.1, Table 2; generators
//! after safari's `synthetics.py`: ssm-tasks' `associative_recall` and `induction_head_safari`):
//! two-layer models, accuracy on the answer.

use crate::length_report::Published;
use crate::token_task::{token_smoke, TokenTaskExperiment};

/// H3 paper (Fu, Dao et al. 2023), Table 2, associative recall column.
const PUBLISHED_RECALL: Published = Published {
    source: "H3 paper (Fu, Dao et al. 2023), Table 2, associative recall",
    columns: &["accuracy"],
    rows: &[("Random", &["25.0"]), ("S4D", &["86.0"]), ("GSS", &["78.0"]), ("H3", &["99.8"]), ("Attention", &["100.0"])],
};

/// H3 paper, Table 2, induction head column.
const PUBLISHED_INDUCTION: Published = Published {
    source: "H3 paper (Fu, Dao et al. 2023), Table 2, induction head",
    columns: &["accuracy"],
    rows: &[("Random", &["5.0"]), ("S4D", &["35.6"]), ("GSS", &["6.8"]), ("H3", &["100.0"]), ("Attention", &["100.0"])],
};

const SMOKE: &str = token_smoke!("{test_examples: 16, val_examples: 16}");

pub static ASSOCIATIVE_RECALL: TokenTaskExperiment = TokenTaskExperiment {
    name: "associative_recall",
    task: "associative_recall",
    title: "Associative recall",
    summary: "H3 paper associative recall: key-value pairs, then a key; final-token accuracy (Table 2)",
    smoke: SMOKE,
    published: Some(&PUBLISHED_RECALL),
};

pub static INDUCTION_HEAD_H3: TokenTaskExperiment = TokenTaskExperiment {
    name: "induction_head_h3",
    task: "induction_head_safari",
    title: "Induction head (H3 setting)",
    summary: "H3 paper induction head: safari's generator at the H3 paper's setting (Table 2)",
    smoke: SMOKE,
    published: Some(&PUBLISHED_INDUCTION),
};
