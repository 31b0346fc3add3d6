use serde::de::DeserializeOwned;
use ssm_config::{ConfigError, Value};

use crate::{AssociativeRecall, Copying, InductionHeadSafari, InductionHeads, Mqar, SelectiveCopying, Task};

/// Names accepted by [`task_by_name`] and [`task_from_options`].
pub const TASK_NAMES: &[&str] =
    &["induction_heads", "induction_head_safari", "associative_recall", "mqar", "selective_copying", "copying"];

/// A task with its default options, by name.
pub fn task_by_name(name: &str) -> Option<Box<dyn Task>> {
    match name {
        "induction_heads" => Some(Box::new(InductionHeads::default())),
        "induction_head_safari" => Some(Box::new(InductionHeadSafari::default())),
        "associative_recall" => Some(Box::new(AssociativeRecall::default())),
        "mqar" => Some(Box::new(Mqar::default())),
        "selective_copying" => Some(Box::new(SelectiveCopying::default())),
        "copying" => Some(Box::new(Copying::default())),
        _ => None,
    }
}

/// A task by name with its options read from a YAML mapping (`{vocab_size: 32, num_kv_pairs: 4}`);
/// missing keys keep their defaults, and `~` (null) or `{}` gives the defaults. Unknown keys, values
/// of the wrong type and values the task rejects (checked by [`Task::validate`]) are errors whose
/// path is the key at fault, relative to `options` (place it with [`ConfigError::under`]); an
/// unknown task name is an error with an empty path.
pub fn task_from_options(name: &str, options: &Value) -> Result<Box<dyn Task>, ConfigError> {
    match name {
        "induction_heads" => parse::<InductionHeads>(options),
        "induction_head_safari" => parse::<InductionHeadSafari>(options),
        "associative_recall" => parse::<AssociativeRecall>(options),
        "mqar" => parse::<Mqar>(options),
        "selective_copying" => parse::<SelectiveCopying>(options),
        "copying" => parse::<Copying>(options),
        _ => Err(ConfigError::new("", format!("unknown task `{name}`; known: {}", TASK_NAMES.join(", ")))),
    }
}

fn parse<T: Task + DeserializeOwned + Default + 'static>(options: &Value) -> Result<Box<dyn Task>, ConfigError> {
    let task: T = match options {
        Value::Null => T::default(),
        v => ssm_config::parse_value(v)?,
    };
    task.validate()?;
    Ok(Box::new(task))
}
