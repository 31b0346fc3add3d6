use serde::{Deserialize, Serialize};
use ssm_config::{parse_value, ConfigError, PositiveFloat, PositiveInt, UnitFloat, Value};
use ssm_nn::{state_mut, Mixer, MixerContext, MixerFactory, MixerState, StepError};
use tch::{nn, nn::Module, Kind, Tensor};

use crate::stack::linear_zero_bias;

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
        if !d_model.is_multiple_of(heads) {
            return Err(ConfigError::new("heads", format!("{heads} heads do not divide d_model = {d_model}")));
        }
        if self.positions == Positions::Rope && !(d_model / heads).is_multiple_of(2) {
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
    rotary_from(x, base, 0)
}

/// [`rotary`] for positions `offset, offset + 1, …` (a chunk continuing a cached sequence).
pub fn rotary_from(x: &Tensor, base: f64, offset: i64) -> Tensor {
    let (len, dh) = (x.size()[2], x.size()[3]);
    let half = dh / 2;
    let opts = (Kind::Float, x.device());
    let inv_freq = Tensor::arange(half, opts).g_mul_scalar(-2.0 * base.ln() / dh as f64).exp();
    let angles = Tensor::arange_start(offset, offset + len, opts).outer(&inv_freq); // (L, Dh/2)
    let (cos, sin) = (angles.cos().to_kind(x.kind()), angles.sin().to_kind(x.kind()));
    let x1 = x.narrow(-1, 0, half);
    let x2 = x.narrow(-1, half, half);
    Tensor::cat(&[&x1 * &cos - &x2 * &sin, &x1 * &sin + &x2 * &cos], -1)
}

impl Attention {
    /// q, k, v (B, heads, L, Dh) of `xs` (B, L, d) at positions `offset..offset + L`.
    fn project(&self, xs: &Tensor, offset: i64) -> (Tensor, Tensor, Tensor) {
        let (b, l, d) = xs.size3().expect("attention input is (batch, length, d_model)");
        let qkv = self.qkv.forward(xs).view([b, l, 3, self.heads, d / self.heads]).permute([2, 0, 3, 1, 4]);
        let (mut q, mut k, v) = (qkv.get(0), qkv.get(1), qkv.get(2));
        if self.opts.positions == Positions::Rope {
            q = rotary_from(&q, self.opts.rope_base.get(), offset);
            k = rotary_from(&k, self.opts.rope_base.get(), offset);
        }
        (q, k, v)
    }

    /// (B, heads, L, Dh) → out_proj of (B, L, d).
    fn merge(&self, y: &Tensor) -> Tensor {
        let (b, _, l, _) = y.size4().expect("attention heads are (batch, heads, length, dh)");
        self.out.forward(&y.transpose(1, 2).reshape([b, l, -1]))
    }
}

/// The key/value cache of a decoding sequence: (B, heads, max_len, Dh) each, `len` filled.
struct KvCache {
    k: Tensor,
    v: Tensor,
    len: i64,
}

impl Mixer for Attention {
    fn forward(&self, xs: &Tensor, train: bool) -> Tensor {
        let (q, k, v) = self.project(xs, 0);
        let p = if train { self.opts.dropout.get() } else { 0.0 };
        let y = Tensor::scaled_dot_product_attention(&q, &k, &v, None::<Tensor>, p, true, None, false);
        self.merge(&y)
    }

    fn initial_state(&self, batch: i64, max_len: i64) -> Result<MixerState, StepError> {
        let w = &self.qkv.ws;
        let shape = [batch, self.heads, max_len, w.size()[1] / self.heads];
        let zeros = || Tensor::zeros(shape, (w.kind(), w.device()));
        Ok(Box::new(KvCache { k: zeros(), v: zeros(), len: 0 }))
    }

    /// Appends the chunk's keys and values to the cache and attends over everything cached:
    /// query `i` of the chunk sees cached positions `0..=len + i`.
    fn step(&self, xs: &Tensor, state: &mut MixerState) -> Result<Tensor, StepError> {
        let cache = state_mut::<KvCache>(state, "attention")?;
        let t = xs.size()[1];
        let capacity = cache.k.size()[2];
        if cache.len + t > capacity {
            return Err(StepError::new(format!(
                "the key/value cache holds {capacity} positions; {} were asked for",
                cache.len + t
            )));
        }
        Ok(tch::no_grad(|| {
            let (q, k, v) = self.project(xs, cache.len);
            cache.k.narrow(2, cache.len, t).copy_(&k);
            cache.v.narrow(2, cache.len, t).copy_(&v);
            let total = cache.len + t;
            let (keys, values) = (cache.k.narrow(2, 0, total), cache.v.narrow(2, 0, total));
            let mask = (t > 1).then(|| {
                // Query i (absolute position len + i) sees keys j ≤ len + i.
                let opts = (Kind::Int64, xs.device());
                let rows = Tensor::arange_start(cache.len, total, opts).unsqueeze(1);
                Tensor::arange(total, opts).unsqueeze(0).le_tensor(&rows)
            });
            let y = Tensor::scaled_dot_product_attention(&q, &keys, &values, mask, 0.0, false, None, false);
            cache.len = total;
            self.merge(&y)
        }))
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
