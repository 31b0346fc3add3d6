use crate::{ScheduleKind, TrainConfig};

/// Multiplier of the peak learning rate at `step` (0-based): linear warm-up over
/// `warmup_steps`, then constant, or cosine or linear decay to `min_lr_ratio` at the last step.
pub fn lr_at(cfg: &TrainConfig, step: usize) -> f64 {
    let warmup = cfg.warmup_steps.get();
    if step < warmup {
        return (step + 1) as f64 / warmup as f64;
    }
    match cfg.schedule {
        ScheduleKind::Constant => 1.0,
        ScheduleKind::Cosine | ScheduleKind::Linear => {
            let total = (cfg.steps.get() - warmup).max(1) as f64;
            let t = ((step - warmup) as f64 / total).min(1.0);
            let floor = cfg.min_lr_ratio.get();
            let decay = match cfg.schedule {
                ScheduleKind::Linear => 1.0 - t,
                _ => 0.5 * (1.0 + (std::f64::consts::PI * t).cos()),
            };
            floor + (1.0 - floor) * decay
        }
    }
}
