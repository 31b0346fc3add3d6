use serde::{Deserialize, Serialize};
use ssm_config::{parse_value, ConfigError, PositiveInt, UnitFloat, Value};
use ssm_nn::{MixerContext, MixerFactory, NormKind};

use crate::registry::{mixer_factory, mixer_names};

/// One model of an experiment (`models:` entries).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// Label used in run ids, tables and plots.
    pub name: String,
    pub d_model: PositiveInt,
    pub n_layers: PositiveInt,
    /// `{kind: attention, ...options}`; the options are checked by the mixer's factory.
    pub mixer: Value,
    /// Optional MLP block after each mixer (Transformer-style); none by default.
    #[serde(default)]
    pub mlp: Option<MlpConfig>,
    #[serde(default)]
    pub norm: NormKind,
    /// Norm before each mixer/MLP with a final norm (true, mamba_ssm and s4's default), or after
    /// each residual sum with no final norm (false, s4's `prenorm: false`).
    #[serde(default = "ssm_config::defaults::yes")]
    pub prenorm: bool,
    /// A second mixer per layer reads the sequence backwards and its output is added (s4's
    /// `bidirectional: true`); for classification only, since the model is then not causal.
    #[serde(default)]
    pub bidirectional: bool,
    /// Dropout on the residual branches.
    #[serde(default = "zero")]
    pub dropout: UnitFloat,
    /// Dropout on the input embeddings (token or encoder output, plus positions) before the
    /// first layer: safari's `embed_dropout`.
    #[serde(default = "zero")]
    pub embed_dropout: UnitFloat,
    /// Size of the learned position table when a mixer asks for absolute positions.
    #[serde(default = "default_max_positions")]
    pub max_positions: PositiveInt,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MlpConfig {
    #[serde(default = "four")]
    pub expand: PositiveInt,
}

fn zero() -> UnitFloat {
    UnitFloat(0.0)
}
fn four() -> PositiveInt {
    PositiveInt(4)
}
fn default_max_positions() -> PositiveInt {
    PositiveInt(16384)
}

impl ModelConfig {
    /// The mixer kind and its options (the `mixer` mapping without `kind`).
    pub fn mixer_parts(&self) -> Result<(&'static dyn MixerFactory, Value), ConfigError> {
        let Value::Mapping(map) = &self.mixer else {
            return Err(ConfigError::new("mixer", "expected a mapping with a `kind` key, e.g. {kind: attention}"));
        };
        let kind = match map.get("kind") {
            Some(Value::String(s)) => s.as_str(),
            Some(_) => return Err(ConfigError::new("mixer.kind", "expected a mixer name")),
            None => return Err(ConfigError::new("mixer", "missing key `kind` (the mixer name)")),
        };
        let factory = mixer_factory(kind).ok_or_else(|| {
            ConfigError::new("mixer.kind", format!("unknown mixer `{kind}`; known: {}", mixer_names().join(", ")))
        })?;
        let mut options = map.clone();
        options.remove("kind");
        Ok((factory, Value::Mapping(options)))
    }

    /// Checks everything that can be checked without building: the mixer options for every layer.
    /// Paths in errors are relative to this model's mapping.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let (factory, options) = self.mixer_parts()?;
        for layer in 0..self.n_layers.get() {
            let ctx = MixerContext { d_model: self.d_model.get(), layer, n_layers: self.n_layers.get() };
            factory.validate(&options, &ctx).map_err(|e| e.under("mixer"))?;
        }
        Ok(())
    }

    /// Parses and validates a `models:` entry.
    pub fn from_value(value: &Value) -> Result<Self, ConfigError> {
        let cfg: Self = parse_value(value)?;
        cfg.validate()?;
        Ok(cfg)
    }
}
