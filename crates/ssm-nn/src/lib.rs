//! Layer plumbing shared by every sequence mixer: the [`Mixer`] trait and its factory (the
//! registry's entry type), parameter groups for per-group learning rates, and norms.

mod groups;
mod mixer;
mod norm;

pub use groups::{named_trainables, ParamGroup, Trainable};
pub use mixer::{Mixer, MixerContext, MixerFactory};
pub use norm::{Norm, NormKind};
