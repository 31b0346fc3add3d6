use crate::hippo_reconstruction::HippoReconstructionExperiment;
use crate::induction_heads::InductionHeadsExperiment;
use crate::ExperimentKind;

/// Every experiment kind a config can name as `experiment:`.
pub static EXPERIMENTS: &[&dyn ExperimentKind] = &[&InductionHeadsExperiment, &HippoReconstructionExperiment];

pub fn experiment_kind(name: &str) -> Option<&'static dyn ExperimentKind> {
    EXPERIMENTS.iter().copied().find(|k| k.name() == name)
}

pub fn experiment_names() -> Vec<&'static str> {
    EXPERIMENTS.iter().map(|k| k.name()).collect()
}
