//! Pieces of the `hippo_reconstruction` experiment: the task section, the signals, one
//! reconstruction, the report.

pub(crate) mod reconstruct;
pub(crate) mod report;
pub(crate) mod signals;
pub(crate) mod task;
