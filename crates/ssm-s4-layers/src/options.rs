//! The `mixer:` options shared by `kind: s4`, `kind: s4d` and `kind: dss`, checked at
//! config time with errors placed at the offending key.

use serde::{Deserialize, Serialize};
use ssm_config::defaults::{dt_max, dt_min, sixty_four};
use ssm_config::{ConfigError, PositiveFloat, PositiveInt, UnitFloat};
use ssm_s4::DiagInit;
use tch::Kind;

/// Which of the three layers the options describe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerKind {
    /// S4: diagonal plus low rank (HiPPO-LegS NPLR), Cauchy + Woodbury kernel.
    S4,
    /// S4D: diagonal, ZOH, Vandermonde kernel.
    S4d,
    /// DSS: diagonal, softmax-normalised Vandermonde kernel.
    Dss,
}

impl LayerKind {
    /// The registry name.
    pub fn name(self) -> &'static str {
        match self {
            LayerKind::S4 => "s4",
            LayerKind::S4d => "s4d",
            LayerKind::Dss => "dss",
        }
    }
}

/// What follows the SSM (s4 `FFTConv`: activation, dropout, `output_linear`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputKind {
    /// GELU → dropout → Linear(H → 2H) → GLU.
    Glu,
    /// GELU → dropout → Linear(H → H).
    Gelu,
}

/// Precision of the kernel computation (the layer itself stays f32; the kernel is cast
/// back before the convolution).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KernelPrecision {
    /// Kernel and recurrent step in f64 / complex128.
    Double,
    /// Kernel and recurrent step in f32 / complex64.
    Single,
}

impl KernelPrecision {
    /// The real kind of the computation.
    pub fn real(self) -> Kind {
        match self {
            KernelPrecision::Double => Kind::Double,
            KernelPrecision::Single => Kind::Float,
        }
    }

    /// The complex kind of the computation.
    pub fn complex(self) -> Kind {
        match self {
            KernelPrecision::Double => Kind::ComplexDouble,
            KernelPrecision::Single => Kind::ComplexFloat,
        }
    }
}

/// Options of the s4 / s4d / dss mixers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S4Options {
    /// Real state size N per channel (even: N/2 complex modes are stored).
    #[serde(default = "sixty_four")]
    pub d_state: PositiveInt,
    /// Λ initialisation: lin | inv | real | legs (S4D paper §4). Default lin for s4d,
    /// legs for dss; s4 accepts legs only.
    #[serde(default)]
    pub init: Option<DiagInit>,
    /// log Δ ~ U[log dt_min, log dt_max] per channel.
    #[serde(default = "dt_min")]
    pub dt_min: PositiveFloat,
    #[serde(default = "dt_max")]
    pub dt_max: PositiveFloat,
    /// Two kernels per channel, one causal and one anti-causal (non-causal layer).
    #[serde(default)]
    pub bidirectional: bool,
    #[serde(default = "glu")]
    pub output: OutputKind,
    /// Dropout after the activation (training only).
    #[serde(default = "no_dropout")]
    pub dropout: UnitFloat,
    #[serde(default = "double")]
    pub kernel_precision: KernelPrecision,
}

fn glu() -> OutputKind {
    OutputKind::Glu
}
fn no_dropout() -> UnitFloat {
    UnitFloat(0.0)
}
fn double() -> KernelPrecision {
    KernelPrecision::Double
}

impl Default for S4Options {
    fn default() -> Self {
        Self {
            d_state: sixty_four(),
            init: None,
            dt_min: dt_min(),
            dt_max: dt_max(),
            bidirectional: false,
            output: glu(),
            dropout: no_dropout(),
            kernel_precision: double(),
        }
    }
}

impl S4Options {
    /// The initialisation of Λ for `kind` (its default when `init` is absent).
    pub fn init_for(&self, kind: LayerKind) -> DiagInit {
        match (self.init, kind) {
            (Some(i), _) => i,
            (None, LayerKind::S4d) => DiagInit::Lin,
            (None, _) => DiagInit::LegS,
        }
    }

    /// Number of stored complex modes N/2.
    pub fn modes(&self) -> i64 {
        (self.d_state.get() / 2) as i64
    }

    /// Checks what serde cannot, for the layer `kind`.
    pub fn check(&self, kind: LayerKind) -> Result<(), ConfigError> {
        let n = self.d_state.get();
        if !n.is_multiple_of(2) {
            return Err(ConfigError::new(
                "d_state",
                format!("must be even (the state is N/2 conjugate pairs of complex modes), got {n}"),
            ));
        }
        ssm_nn::check_dt_range(self.dt_min.get(), self.dt_max.get())?;
        if kind == LayerKind::S4 && self.init_for(kind) != DiagInit::LegS {
            return Err(ConfigError::new(
                "init",
                "s4 is built from the rank-1 NPLR form of HiPPO-LegS; only `legs` is accepted \
                 (use s4d or dss for the other diagonal inits)",
            ));
        }
        Ok(())
    }
}
