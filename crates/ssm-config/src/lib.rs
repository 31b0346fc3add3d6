//! Strict YAML configuration for ssm-lab.
//!
//! Every config goes the same way: text → [`serde_yaml::Value`] (syntax errors carry a line and
//! column) → command-line overrides applied → typed sections deserialized with unknown keys
//! rejected. Each error names the key path and, where the key came from the file, its
//! `file:line:column`; where it came from an override, the override.

pub mod defaults;
mod error;
mod line_index;
mod merge;
mod overrides;
mod source;
mod values;

pub use error::ConfigError;
pub use line_index::LineIndex;
pub use merge::deep_merge;
pub use overrides::Override;
pub use source::{parse_value, ConfigSource};
pub use values::{NonNegFloat, NonNegInt, OneOrMany, PositiveFloat, PositiveInt, UnitFloat};

/// Re-exported so that sections can hold raw sub-trees (mixer options, task options).
pub use serde_yaml::{Mapping, Value};
