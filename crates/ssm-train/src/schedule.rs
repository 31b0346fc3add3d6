use crate::{ScheduleKind, TrainConfig};

/// Multiplier of the peak learning rate at `step` (0-based): linear warm-up over
/// `warmup_steps`, then constant, or cosine or linear decay to `min_lr_ratio` at the last step.
pub fn lr_at(cfg: &TrainConfig, step: usize) -> f64 {
    let warmup = cfg.warmup_steps.get();
    if step < warmup {
        return (step + 1) as f64 / warmup as f64;
    }
    let decay: fn(f64) -> f64 = match cfg.schedule {
        ScheduleKind::Constant => return 1.0,
        ScheduleKind::Cosine => |t| 0.5 * (1.0 + (std::f64::consts::PI * t).cos()),
        ScheduleKind::Linear => |t| 1.0 - t,
    };
    let t = ((step - warmup) as f64 / (cfg.steps.get() - warmup).max(1) as f64).min(1.0);
    let floor = cfg.min_lr_ratio.get();
    floor + (1.0 - floor) * decay(t)
}
