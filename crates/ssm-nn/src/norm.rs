use serde::{Deserialize, Serialize};
use tch::{nn, nn::Module, Tensor};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NormKind {
    #[default]
    Layer,
    Rms,
}

#[derive(Debug)]
/// LayerNorm, or RMSNorm (x / rms(x) · w, as mamba_ssm's `RMSNorm`).
pub enum Norm {
    Layer(nn::LayerNorm),
    Rms { weight: Tensor, eps: f64 },
}

impl Norm {
    pub fn new(vs: nn::Path, kind: NormKind, dim: i64) -> Self {
        let vs = crate::ParamGroup::NoDecay.path(&vs);
        match kind {
            NormKind::Layer => Norm::Layer(nn::layer_norm(vs, vec![dim], Default::default())),
            NormKind::Rms => Norm::Rms { weight: vs.ones("weight", &[dim]), eps: 1e-5 },
        }
    }
}

impl Module for Norm {
    fn forward(&self, xs: &Tensor) -> Tensor {
        match self {
            Norm::Layer(ln) => ln.forward(xs),
            Norm::Rms { weight, eps } => {
                let rms = (xs.square().mean_dim(-1, true, xs.kind()) + *eps).rsqrt();
                xs * rms * weight
            }
        }
    }
}
