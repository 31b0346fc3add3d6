use crate::{InductionHeads, Task};

/// Names accepted by [`task_by_name`].
pub const TASK_NAMES: &[&str] = &["induction_heads"];

/// A task with its default options, by name.
pub fn task_by_name(name: &str) -> Option<Box<dyn Task>> {
    match name {
        "induction_heads" => Some(Box::new(InductionHeads::default())),
        _ => None,
    }
}
