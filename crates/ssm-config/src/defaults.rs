//! Default values shared by the option structs of several crates, for `#[serde(default = "…")]`
//! (serde takes a function path there, not a value).

use crate::{PositiveFloat, PositiveInt};

/// `true`.
pub fn yes() -> bool {
    true
}

/// 1 (a scale).
pub fn one() -> PositiveFloat {
    PositiveFloat(1.0)
}

/// 64 (a state size).
pub fn sixty_four() -> PositiveInt {
    PositiveInt(64)
}

/// The lower end of the initial Δ range, 1e-3 (S4 and Mamba inits alike).
pub fn dt_min() -> PositiveFloat {
    PositiveFloat(1e-3)
}

/// The upper end of the initial Δ range, 1e-1.
pub fn dt_max() -> PositiveFloat {
    PositiveFloat(1e-1)
}

/// The floor of the initial Δ in Mamba's dt_proj init, 1e-4 (mamba_simple.py, `dt_init_floor`).
pub fn dt_floor() -> PositiveFloat {
    PositiveFloat(1e-4)
}
