use crate::associative_recall::{ASSOCIATIVE_RECALL, INDUCTION_HEAD_H3};
use crate::classification::{LRA_IMAGE, LRA_LISTOPS, LRA_PATHFINDER, LRA_PATHX, LRA_RETRIEVAL, LRA_TEXT, SMNIST, UCR};
use crate::hippo_reconstruction::HippoReconstructionExperiment;
use crate::induction_heads::INDUCTION_HEADS;
use crate::mqar::MQAR;
use crate::selective_copying::{COPYING, SELECTIVE_COPYING};
use crate::ExperimentKind;

/// Every experiment kind a config can name as `experiment:`.
pub static EXPERIMENTS: &[&dyn ExperimentKind] = &[
    &INDUCTION_HEADS,
    &ASSOCIATIVE_RECALL,
    &INDUCTION_HEAD_H3,
    &SELECTIVE_COPYING,
    &COPYING,
    &MQAR,
    &HippoReconstructionExperiment,
    &LRA_LISTOPS,
    &LRA_TEXT,
    &LRA_RETRIEVAL,
    &LRA_IMAGE,
    &LRA_PATHFINDER,
    &LRA_PATHX,
    &SMNIST,
    &UCR,
];

pub fn experiment_kind(name: &str) -> Option<&'static dyn ExperimentKind> {
    EXPERIMENTS.iter().copied().find(|k| k.name() == name)
}

pub fn experiment_names() -> Vec<&'static str> {
    EXPERIMENTS.iter().map(|k| k.name()).collect()
}
