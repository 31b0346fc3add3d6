use ssm_config::{ConfigError, Value};
use tch::{nn, Tensor};

/// A sequence mixer: `(batch, length, d_model) → (batch, length, d_model)`, causal unless its
/// options say otherwise.
pub trait Mixer {
    fn forward(&self, xs: &Tensor, train: bool) -> Tensor;
}

/// Where a mixer sits in the model.
#[derive(Debug, Clone, Copy)]
pub struct MixerContext {
    pub d_model: usize,
    pub layer: usize,
    pub n_layers: usize,
}

/// A registered mixer kind: validates its options (the `mixer:` mapping of a model config, less
/// `kind`) and builds layers from them. Errors carry paths relative to that mapping.
pub trait MixerFactory: Sync {
    /// The name used as `mixer.kind` in configs.
    fn name(&self) -> &'static str;
    /// One line for `ssm-lab list`.
    fn summary(&self) -> &'static str;
    /// Checks the options for this context without building anything.
    fn validate(&self, options: &Value, ctx: &MixerContext) -> Result<(), ConfigError>;
    fn build(&self, vs: nn::Path, options: &Value, ctx: &MixerContext) -> Result<Box<dyn Mixer>, ConfigError>;
    /// Whether the backbone must add learned absolute position embeddings (MHA-Abs).
    fn absolute_positions(&self, _options: &Value) -> bool {
        false
    }
}
