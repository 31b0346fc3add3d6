//! Layer plumbing shared by every sequence mixer: the [`Mixer`] trait and its factory (the
//! registry's entry type), parameter groups for per-group learning rates, and norms.

mod groups;
mod mixer;
mod norm;
mod panic;
mod timescale;

pub use groups::{named_trainables, ParamGroup, Trainable};
pub use mixer::{state_mut, Mixer, MixerContext, MixerFactory, MixerState, StepError};
pub use norm::{Norm, NormKind};
pub use panic::quiet_catch;
pub use timescale::check_dt_range;
