//! The Δ (timescale) initialisation range every SSM mixer takes: log Δ ~ U[ln dt_min, ln dt_max]
//! per channel (LSSL §3 "Timescale Δt"; S4 §C.4; Mamba's dt_proj bias init).

use ssm_config::ConfigError;

/// Checks the options `dt_min` and `dt_max` (already positive by their type): both finite and
/// dt_min below dt_max. The error names `dt_min`.
pub fn check_dt_range(dt_min: f64, dt_max: f64) -> Result<(), ConfigError> {
    if !dt_min.is_finite() || !dt_max.is_finite() {
        return Err(ConfigError::new("dt_min", "dt_min and dt_max must be finite"));
    }
    if dt_min >= dt_max {
        return Err(ConfigError::new("dt_min", format!("must be below dt_max = {dt_max}, got {dt_min}")));
    }
    Ok(())
}
