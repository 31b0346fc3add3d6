//! The `mixer:` options of `kind: h3` (safari h3.py `H3.__init__`, lines 22-33, with the
//! SSKernel arguments of safari configs/model/layer/h3.yaml), plus the Mamba paper's Table 1
//! H3-S6 ablation; checked at config time with errors at the offending key.

use serde::{Deserialize, Serialize};
use ssm_config::defaults::{dt_floor, dt_max, dt_min, one, sixty_four};
use ssm_config::{ConfigError, PositiveFloat, PositiveInt};
use ssm_mamba::options::{check_d_state_for_backend, check_dt, MAX_CHANNELS};
use ssm_mamba::{CoreConfig, DtInit, DtRank, Inner};
use ssm_s4::DiagInit;
use ssm_s4_layers::KernelPrecision;
use ssm_scan::Backend;

/// The SSM applied to the kv outer product (Mamba paper Table 1, "Layer" column, H3 rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum H3Inner {
    /// The diagonal S4D SSM of H3 (SSKernel `mode: diag`; h3.py:67-68, 143-148).
    #[default]
    S4d,
    /// Table 1's "H3 / S6": the S6 core of ssm-mamba (selective Δ, B, C from x_proj of kv, the
    /// D skip, no gate) in place of S4D, over the same H heads.
    S6,
}

/// Discretisation of the diagonal SSM (SSKernelDiag `disc`, ss_kernel_diag.py:48, 118-139).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Disc {
    /// `Ā = (1 + ΔΛ/2)/(1 − ΔΛ/2)`, `B̄ = Δ B/(1 − ΔΛ/2)`: SSKernelDiag's default, which
    /// safari's h3.yaml does not override.
    #[default]
    Bilinear,
    /// `Ā = exp(ΔΛ)`, `B̄ = B (exp(ΔΛ) − 1)/Λ` (S4D paper eq. (5)).
    Zoh,
}

/// Options of the `h3` mixer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct H3Options {
    /// State size N of the diagonal SSM (s4d: real size, N/2 complex modes; s6: the S6 state),
    /// and the length of the shift SSM's FIR (h3.py:24, 62-63; default 64).
    #[serde(default = "sixty_four")]
    pub d_state: PositiveInt,
    /// Head dimension: H = d_model/head_dim heads, each with its own SSM on the head_dim² kv
    /// products (h3.py:26, 49-51; default 1).
    #[serde(default = "one_int")]
    pub head_dim: PositiveInt,
    /// Ablation: s4d (H3) | s6 (Table 1's H3-S6).
    #[serde(default)]
    pub inner: H3Inner,
    /// Λ init of the diagonal SSM: lin | inv | real | legs (h3.yaml `measure: diag-lin`).
    #[serde(default = "lin")]
    pub init: DiagInit,
    /// Discretisation of the diagonal SSM: bilinear | zoh.
    #[serde(default)]
    pub disc: Disc,
    /// Precision of the diagonal SSM's kernel and recurrent step (the layer stays f32).
    #[serde(default = "double")]
    pub kernel_precision: KernelPrecision,
    /// Δ init range: log Δ ~ U[ln dt_min, ln dt_max] (s4d; SSKernel, ss_kernel.py dt_min/dt_max),
    /// or the S6 Δ-bias range (mamba_simple.py:92-95). Default 1e-3.
    #[serde(default = "dt_min")]
    pub dt_min: PositiveFloat,
    /// Default 1e-1.
    #[serde(default = "dt_max")]
    pub dt_max: PositiveFloat,
    /// s6 only: rank of the Δ projection, `auto` = ⌈H/16⌉ or an integer (mamba_simple.py:58).
    #[serde(default)]
    pub dt_rank: DtRank,
    /// s6 only: dt_proj weight init random | constant (mamba_simple.py:83-89).
    #[serde(default)]
    pub dt_init: DtInit,
    /// s6 only: dt_proj weight scale (default 1).
    #[serde(default = "one")]
    pub dt_scale: PositiveFloat,
    /// s6 only: floor of the initial Δ (default 1e-4).
    #[serde(default = "dt_floor")]
    pub dt_init_floor: PositiveFloat,
    /// s6 only: selective-scan implementation auto | cuda | cpu | reference.
    #[serde(default)]
    pub backend: Backend,
}

fn one_int() -> PositiveInt {
    PositiveInt(1)
}
fn lin() -> DiagInit {
    DiagInit::Lin
}
fn double() -> KernelPrecision {
    KernelPrecision::Double
}

impl Default for H3Options {
    fn default() -> Self {
        Self {
            d_state: sixty_four(),
            head_dim: one_int(),
            inner: H3Inner::S4d,
            init: lin(),
            disc: Disc::Bilinear,
            kernel_precision: double(),
            dt_min: dt_min(),
            dt_max: dt_max(),
            dt_rank: DtRank::Auto,
            dt_init: DtInit::Random,
            dt_scale: one(),
            dt_init_floor: dt_floor(),
            backend: Backend::Auto,
        }
    }
}

impl H3Options {
    /// Number of heads H = d_model/head_dim.
    pub fn heads(&self, d_model: usize) -> usize {
        d_model / self.head_dim.get()
    }

    /// Checks what serde cannot, for a layer of width `d_model`.
    #[allow(clippy::manual_is_multiple_of)] // `is_multiple_of` needs Rust 1.87, the workspace says 1.85
    pub fn check(&self, d_model: usize) -> Result<(), ConfigError> {
        let hd = self.head_dim.get();
        if d_model == 0 {
            return Err(ConfigError::new("", "d_model must be positive"));
        }
        if d_model % hd != 0 {
            return Err(ConfigError::new("head_dim", format!("head_dim = {hd} does not divide d_model = {d_model}")));
        }
        // The kv branch holds batch·head_dim²·H = batch·head_dim·d_model channels.
        if hd.checked_mul(d_model).is_none_or(|c| c > MAX_CHANNELS) {
            return Err(ConfigError::new("head_dim", format!("head_dim · d_model = {hd} · {d_model} is too large")));
        }
        check_dt(self.dt_min.get(), self.dt_max.get(), self.dt_init_floor.get(), self.dt_scale.get())?;
        let n = self.d_state.get();
        match self.inner {
            H3Inner::S4d => {
                if n % 2 != 0 {
                    return Err(ConfigError::new(
                        "d_state",
                        format!("must be even for inner s4d (N/2 conjugate pairs of complex modes), got {n}"),
                    ));
                }
                self.init.lambda(n).map_err(|e| ConfigError::new("init", e.to_string()))?;
            }
            H3Inner::S6 => check_d_state_for_backend(n, self.backend)?,
        }
        Ok(())
    }

    /// The S6 core over the H heads (inner s6).
    pub fn s6_core(&self, d_model: usize) -> CoreConfig {
        let h = self.heads(d_model);
        CoreConfig {
            channels: h,
            d_state: self.d_state.get(),
            dt_rank: self.dt_rank.resolve(h),
            dt_min: self.dt_min.get(),
            dt_max: self.dt_max.get(),
            dt_init: self.dt_init,
            dt_scale: self.dt_scale.get(),
            dt_init_floor: self.dt_init_floor.get(),
            inner: Inner::S6,
            backend: self.backend,
        }
    }
}
