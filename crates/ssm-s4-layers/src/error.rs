//! Errors of the layers' non-config entry points (recurrent steps, benches).

use thiserror::Error;

/// An error of a layer call on user-supplied tensors.
#[derive(Debug, Error)]
pub enum LayerError {
    /// A tensor of the wrong shape.
    #[error("{what}: expected shape {expected:?}, got {got:?}")]
    Shape { what: &'static str, expected: Vec<i64>, got: Vec<i64> },
    /// A tensor of the wrong element kind.
    #[error("{what}: expected {expected}, got {got:?}")]
    Kind { what: &'static str, expected: &'static str, got: tch::Kind },
    /// An operation this configuration does not have.
    #[error("{0}")]
    Unsupported(String),
    /// Options rejected while building.
    #[error("{0}")]
    Config(#[from] ssm_config::ConfigError),
}

/// `Err(Shape)` unless `t` has exactly the shape `expected`.
pub fn check_shape(what: &'static str, t: &tch::Tensor, expected: &[i64]) -> Result<(), LayerError> {
    let got = t.size();
    if got != expected {
        return Err(LayerError::Shape { what, expected: expected.to_vec(), got });
    }
    Ok(())
}
