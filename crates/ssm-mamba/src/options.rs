//! The `mixer:` options of `kind: mamba` (the constructor arguments of mamba_simple.py `Mamba`,
//! lines 33-50, plus the Mamba paper's Table 1 ablations), checked at config time with errors
//! placed at the offending key.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use ssm_config::defaults::{dt_floor, dt_max, dt_min, one};
use ssm_config::{ConfigError, PositiveFloat, PositiveInt};
use ssm_scan::Backend;

use crate::selective::{CoreConfig, Inner};

/// Largest state size the CUDA selective-scan kernel takes (`MAX_DSTATE`, lineage §3).
pub const CUDA_MAX_D_STATE: usize = ssm_scan::cuda::launch::MAX_NSTATE;

/// Rank of the Δ projection: `auto` = ⌈d_model / 16⌉ (mamba_simple.py:58) or a fixed integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DtRank {
    #[default]
    Auto,
    Fixed(usize),
}

impl DtRank {
    /// The rank for a model width (`auto` is taken from `width`, the mixer's d_model).
    pub fn resolve(self, width: usize) -> usize {
        match self {
            DtRank::Auto => width.div_ceil(16),
            DtRank::Fixed(r) => r,
        }
    }
}

impl Serialize for DtRank {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            DtRank::Auto => s.serialize_str("auto"),
            DtRank::Fixed(r) => s.serialize_u64(*r as u64),
        }
    }
}

struct DtRankVisitor;

impl<'de> Visitor<'de> for DtRankVisitor {
    type Value = DtRank;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`auto` or a positive integer")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<DtRank, E> {
        if v == "auto" {
            Ok(DtRank::Auto)
        } else {
            Err(E::custom(format!("expected `auto` or a positive integer, got `{v}`")))
        }
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<DtRank, E> {
        if v >= 1 {
            Ok(DtRank::Fixed(v as usize))
        } else {
            Err(E::custom(format!("expected `auto` or a positive integer, got {v}")))
        }
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<DtRank, E> {
        if v >= 1 && v <= usize::MAX as u64 {
            Ok(DtRank::Fixed(v as usize))
        } else {
            Err(E::custom(format!("expected `auto` or a positive integer, got {v}")))
        }
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<DtRank, E> {
        Err(E::custom(format!("expected `auto` or a positive integer, got {v}")))
    }
}

impl<'de> Deserialize<'de> for DtRank {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DtRankVisitor)
    }
}

/// Initialisation of the `dt_proj` weight (mamba_simple.py:83-89).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DtInit {
    /// U(−σ, σ) with σ = dt_rank^{−½}·dt_scale (`nn.init.uniform_`, line 88).
    #[default]
    Random,
    /// The constant σ (`nn.init.constant_`, line 86).
    Constant,
}

/// The multiplicative branch of the block (Mamba paper Table 1, "Arch." column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gate {
    /// The Mamba block (paper Fig. 3): `in_proj` gives (x, z); out = out_proj(SSM(x') · silu(z))
    /// (mamba_simple.py:62, 161, 176-188).
    #[default]
    Mamba,
    /// Table 1's "No gate" architecture: the same block with the z branch removed — `in_proj` maps
    /// d_model → d_inner only (x), the causal conv + SiLU and `out_proj` stay, and
    /// out = out_proj(SSM(silu(conv(x)))) with no multiplication by silu(z). (The "No gate"
    /// rows of Table 1 — S4 18.3, S6 97.0 on selective copying — are the inner layer without the
    /// gating branch; keeping the short conv is this harness's reading.)
    None,
}

/// Options of the `mamba` mixer. Keys and defaults are mamba_simple.py `Mamba.__init__`
/// (lines 33-50) unless marked as an ablation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MambaOptions {
    /// SSM state size N per channel (mamba_simple.py:36, default 16).
    #[serde(default = "sixteen")]
    pub d_state: PositiveInt,
    /// Width of the causal depthwise conv (mamba_simple.py:37, 64-71; default 4).
    #[serde(default = "four")]
    pub d_conv: PositiveInt,
    /// d_inner = expand · d_model (mamba_simple.py:38, 57; default 2).
    #[serde(default = "two")]
    pub expand: PositiveInt,
    /// Rank of the Δ projection: `auto` = ⌈d_model/16⌉ (mamba_simple.py:58) or an integer.
    #[serde(default)]
    pub dt_rank: DtRank,
    /// Δ at init: dt ~ exp(U[ln dt_min, ln dt_max]) (mamba_simple.py:92-95; default 1e-3).
    #[serde(default = "dt_min")]
    pub dt_min: PositiveFloat,
    /// Upper end of the Δ init range (default 1e-1).
    #[serde(default = "dt_max")]
    pub dt_max: PositiveFloat,
    /// dt_proj weight init: random (U(±dt_rank^{−½}·dt_scale)) | constant (mamba_simple.py:83-89).
    #[serde(default)]
    pub dt_init: DtInit,
    /// Scale of the dt_proj weight init (mamba_simple.py:84; default 1).
    #[serde(default = "one")]
    pub dt_scale: PositiveFloat,
    /// Floor of the initial Δ, `.clamp(min=dt_init_floor)` (mamba_simple.py:95; default 1e-4).
    #[serde(default = "dt_floor")]
    pub dt_init_floor: PositiveFloat,
    /// Bias of the depthwise conv (mamba_simple.py:66; default true).
    #[serde(default = "ssm_config::defaults::yes")]
    pub conv_bias: bool,
    /// Biases of in_proj and out_proj (mamba_simple.py:62, 117; default false).
    #[serde(default)]
    pub bias: bool,
    /// Selective-scan implementation: auto | cuda | cpu | reference (ssm-scan). An unusable one is
    /// an error, never a fallback (lineage §4).
    #[serde(default)]
    pub backend: Backend,
    /// Ablation (Mamba paper Table 1, "Layer" column): s6 = selective (Δ, B, C from x_proj of the
    /// input, Alg. 2) | s4 = time-invariant (Δ = softplus(dt bias) per channel, B and C learned
    /// constants (d_inner, N), Alg. 1).
    #[serde(default)]
    pub inner: Inner,
    /// Ablation (Table 1, "Arch." column): mamba = gated block | none = no z branch (see [`Gate`]).
    #[serde(default)]
    pub gate: Gate,
}

fn sixteen() -> PositiveInt {
    PositiveInt(16)
}
fn four() -> PositiveInt {
    PositiveInt(4)
}
fn two() -> PositiveInt {
    PositiveInt(2)
}

impl Default for MambaOptions {
    fn default() -> Self {
        Self {
            d_state: sixteen(),
            d_conv: four(),
            expand: two(),
            dt_rank: DtRank::Auto,
            dt_min: dt_min(),
            dt_max: dt_max(),
            dt_init: DtInit::Random,
            dt_scale: one(),
            dt_init_floor: dt_floor(),
            conv_bias: true,
            bias: false,
            backend: Backend::Auto,
            inner: Inner::S6,
            gate: Gate::Mamba,
        }
    }
}

/// Largest channel count accepted (the CUDA kernel indexes batch·channels with 32-bit integers).
pub const MAX_CHANNELS: usize = i32::MAX as usize;

/// Checks the Δ-init keys shared by the Mamba and H3 options.
pub fn check_dt(dt_min: f64, dt_max: f64, floor: f64, scale: f64) -> Result<(), ConfigError> {
    ssm_nn::check_dt_range(dt_min, dt_max)?;
    if !floor.is_finite() {
        return Err(ConfigError::new("dt_init_floor", format!("must be finite, got {floor}")));
    }
    if !scale.is_finite() {
        return Err(ConfigError::new("dt_scale", format!("must be finite, got {scale}")));
    }
    Ok(())
}

/// Rejects a state size the CUDA kernel cannot take when the backend may be CUDA.
pub fn check_d_state_for_backend(d_state: usize, backend: Backend) -> Result<(), ConfigError> {
    if matches!(backend, Backend::Cuda | Backend::Auto) && d_state > CUDA_MAX_D_STATE {
        return Err(ConfigError::new(
            "d_state",
            format!(
                "the CUDA selective-scan kernel takes d_state <= {CUDA_MAX_D_STATE}, got {d_state} with backend \
                 `{backend}` (use backend cpu or reference for larger states)"
            ),
        ));
    }
    Ok(())
}

impl MambaOptions {
    /// d_inner = expand · d_model, or an error naming `expand` when it overflows.
    pub fn d_inner(&self, d_model: usize) -> Result<usize, ConfigError> {
        let e = self.expand.get();
        match d_model.checked_mul(e) {
            Some(d) if d <= MAX_CHANNELS => Ok(d),
            _ => Err(ConfigError::new(
                "expand",
                format!("expand · d_model = {e} · {d_model} exceeds the largest channel count {MAX_CHANNELS}"),
            )),
        }
    }

    /// Checks what serde cannot, for a layer of width `d_model`.
    pub fn check(&self, d_model: usize) -> Result<(), ConfigError> {
        if d_model == 0 {
            return Err(ConfigError::new("", "d_model must be positive"));
        }
        self.d_inner(d_model)?;
        check_dt(self.dt_min.get(), self.dt_max.get(), self.dt_init_floor.get(), self.dt_scale.get())?;
        check_d_state_for_backend(self.d_state.get(), self.backend)?;
        if self.d_conv.get() > 1 << 16 {
            return Err(ConfigError::new("d_conv", format!("unreasonably wide conv: {}", self.d_conv.get())));
        }
        Ok(())
    }

    /// The SSM core's configuration for this block (d_inner channels).
    pub fn core(&self, d_model: usize) -> Result<CoreConfig, ConfigError> {
        Ok(CoreConfig {
            channels: self.d_inner(d_model)?,
            d_state: self.d_state.get(),
            dt_rank: self.dt_rank.resolve(d_model),
            dt_min: self.dt_min.get(),
            dt_max: self.dt_max.get(),
            dt_init: self.dt_init,
            dt_scale: self.dt_scale.get(),
            dt_init_floor: self.dt_init_floor.get(),
            inner: self.inner,
            backend: self.backend,
        })
    }
}
