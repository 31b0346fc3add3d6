use serde::{Deserialize, Serialize};
use ssm_config::{parse_value, ConfigError, PositiveFloat, PositiveInt, UnitFloat, Value};
use ssm_nn::{Mixer, MixerContext, MixerFactory};
use tch::{nn, nn::Module, Kind, Tensor};

use crate::backbone::linear_zero_bias;

/// How attention knows positions: the Mamba paper's MHA-Abs (learned absolute embeddings, added
/// by the backbone), MHA-RoPE (rotary, Su et al. 2021), or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Positions {
    Absolute,
    Rope,
    None,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttentionOptions {
    #[serde(default = "eight")]
    pub heads: PositiveInt,
    #[serde(default = "rope")]
    pub positions: Positions,
    #[serde(default = "rope_base")]
    pub rope_base: PositiveFloat,
    /// Dropout on the attention probabilities (training only).
    #[serde(default = "no_dropout")]
    pub dropout: UnitFloat,
}

fn eight() -> PositiveInt {
    PositiveInt(8)
}
fn rope() -> Positions {
    Positions::Rope
}
fn rope_base() -> PositiveFloat {
    PositiveFloat(10_000.0)
}
fn no_dropout() -> UnitFloat {
    UnitFloat(0.0)
}

impl AttentionOptions {
    fn check(&self, d_model: usize) -> Result<(), ConfigError> {
        let heads = self.heads.get();
        if d_model % heads != 0 {
            return Err(ConfigError::new("heads", format!("{heads} heads do not divide d_model = {d_model}")));
        }
        if self.positions == Positions::Rope && (d_model / heads) % 2 != 0 {
            return Err(ConfigError::new(
                "positions",
                format!("rope needs an even head dimension, d_model / heads = {}", d_model / heads),
            ));
        }
        Ok(())
    }
}

/// Causal multi-head self-attention through libtorch's `scaled_dot_product_attention`
/// (FlashAttention-2 on CUDA in half precision, a fused kernel on CPU).
#[derive(Debug)]
pub struct Attention {
    qkv: nn::Linear,
    out: nn::Linear,
    heads: i64,
    opts: AttentionOptions,
}

impl Attention {
    pub fn new(vs: nn::Path, d_model: i64, opts: AttentionOptions) -> Self {
        Self {
            qkv: linear_zero_bias(&vs / "qkv", d_model, 3 * d_model, true),
            out: linear_zero_bias(&vs / "out_proj", d_model, d_model, true),
            heads: opts.heads.get() as i64,
            opts,
        }
    }
}

/// Rotary embedding: pairs (x_i, x_{i+d/2}) rotated by angle pos·θ_i, θ_i = base^(−2i/d)
/// (RoFormer eq. 34, GPT-NeoX's half-split layout). `x`: (B, H, L, Dh) with Dh even.
pub fn rotary(x: &Tensor, base: f64) -> Tensor {
    let (len, dh) = (x.size()[2], x.size()[3]);
    let half = dh / 2;
    let opts = (Kind::Float, x.device());
    let inv_freq = Tensor::arange(half, opts).g_mul_scalar(-2.0 * base.ln() / dh as f64).exp();
    let angles = Tensor::arange(len, opts).outer(&inv_freq); // (L, Dh/2)
    let (cos, sin) = (angles.cos().to_kind(x.kind()), angles.sin().to_kind(x.kind()));
    let x1 = x.narrow(-1, 0, half);
    let x2 = x.narrow(-1, half, half);
    Tensor::cat(&[&x1 * &cos - &x2 * &sin, &x1 * &sin + &x2 * &cos], -1)
}

impl Mixer for Attention {
    fn forward(&self, xs: &Tensor, train: bool) -> Tensor {
        let (b, l, d) = xs.size3().expect("attention input is (batch, length, d_model)");
        let dh = d / self.heads;
        let qkv = self.qkv.forward(xs).view([b, l, 3, self.heads, dh]).permute([2, 0, 3, 1, 4]);
        let (mut q, mut k, v) = (qkv.get(0), qkv.get(1), qkv.get(2));
        if self.opts.positions == Positions::Rope {
            q = rotary(&q, self.opts.rope_base.get());
            k = rotary(&k, self.opts.rope_base.get());
        }
        let p = if train { self.opts.dropout.get() } else { 0.0 };
        let y = Tensor::scaled_dot_product_attention(&q, &k, &v, None::<Tensor>, p, true, None, false);
        self.out.forward(&y.transpose(1, 2).reshape([b, l, d]))
    }
}

/// Registry entry `attention`.
pub struct AttentionFactory;

impl MixerFactory for AttentionFactory {
    fn name(&self) -> &'static str {
        "attention"
    }

    fn summary(&self) -> &'static str {
        "causal multi-head attention (positions: absolute | rope | none), flash kernel on CUDA"
    }

    fn validate(&self, options: &Value, ctx: &MixerContext) -> Result<(), ConfigError> {
        parse_value::<AttentionOptions>(options)?.check(ctx.d_model)
    }

    fn build(&self, vs: nn::Path, options: &Value, ctx: &MixerContext) -> Result<Box<dyn Mixer>, ConfigError> {
        let opts: AttentionOptions = parse_value(options)?;
        opts.check(ctx.d_model)?;
        Ok(Box::new(Attention::new(vs, ctx.d_model as i64, opts)))
    }

    fn absolute_positions(&self, options: &Value) -> bool {
        parse_value::<AttentionOptions>(options).is_ok_and(|o| o.positions == Positions::Absolute)
    }
}
