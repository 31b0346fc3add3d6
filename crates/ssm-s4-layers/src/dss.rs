//! DSS (Gupta, Gu, Berant 2022, "Diagonal State Spaces are as Effective as Structured State
//! Spaces"): a diagonal complex SSM per channel whose Vandermonde rows are
//! softmax-normalised over the kernel length (DSS_softmax); no B.

use ssm_config::ConfigError;
use ssm_nn::ParamGroup;
use tch::{nn, Kind, Tensor};

use crate::error::LayerError;
use crate::kernel_graph::{as_complex, dss_b_bar, dss_kernel, lambda_from};
use crate::layer::{SsmCore, SsmLayer};
use crate::options::{KernelPrecision, LayerKind, S4Options};
use crate::params::{complex_normal, lambda_params, log_dt};
use crate::step::StepCore;

/// DSS parameters of H channels with M = N/2 modes.
#[derive(Debug)]
pub struct Dss {
    /// log Δ (H), [`ParamGroup::Ssm`].
    pub log_dt: Tensor,
    /// log(−Re Λ) (H, M), [`ParamGroup::Ssm`]: Re Λ < 0 (the DSS_exp restriction).
    pub a_real: Tensor,
    /// Im Λ (H, M), [`ParamGroup::Ssm`].
    pub a_imag: Tensor,
    /// W (copies, H, M, 2) as (re, im), CN(0, 1) at init (the C of DSS).
    pub w: Tensor,
    precision: KernelPrecision,
}

/// The DSS mixer.
pub type DssLayer = SsmLayer<Dss>;

impl Dss {
    /// Λ (H, M) in the kernel precision.
    pub fn lambda(&self) -> Tensor {
        let k = self.precision.real();
        lambda_from(&self.a_real.to_kind(k), &self.a_imag.to_kind(k))
    }

    /// Δ (H) in the kernel precision.
    pub fn dt(&self) -> Tensor {
        self.log_dt.to_kind(self.precision.real()).exp()
    }

    /// W (copies, H, M) complex in the kernel precision.
    pub fn w_complex(&self) -> Tensor {
        as_complex(&self.w, self.precision.real())
    }
}

impl SsmCore for Dss {
    const KIND: LayerKind = LayerKind::Dss;

    fn build(vs: &nn::Path, h: i64, opts: &S4Options) -> Result<Self, ConfigError> {
        let n = opts.d_state.get();
        // DSS paper §3.3: Λ from the skew part of HiPPO-LegS by default (S4D-LegS).
        let lambda = opts
            .init_for(LayerKind::Dss)
            .lambda(n)
            .map_err(|e| ConfigError::new("init", e.to_string()))?;
        let ssm = ParamGroup::Ssm.path(vs);
        let log_dt = log_dt(&ssm, h, opts.dt_min.get(), opts.dt_max.get());
        let (a_real, a_imag) = lambda_params(&ssm, h, &lambda);
        let copies = if opts.bidirectional { 2 } else { 1 };
        let w = complex_normal(vs, "W", &[copies, h, lambda.len() as i64]);
        Ok(Self { log_dt, a_real, a_imag, w, precision: opts.kernel_precision })
    }

    fn kernel(&self, l: i64) -> Tensor {
        dss_kernel(&self.lambda(), &self.w_complex(), &self.dt(), l).to_kind(Kind::Float)
    }

    fn copies(&self) -> i64 {
        self.w.size()[0]
    }

    fn recurrent(&self, l: i64) -> Result<(StepCore, Tensor), LayerError> {
        if l < 1 {
            return Err(LayerError::Unsupported(format!(
                "DSS normalises its kernel over the sequence length; need l >= 1, got {l}"
            )));
        }
        Ok(tch::no_grad(|| {
            let lambda = self.lambda();
            let dt = self.dt();
            // Ā = e^{ΔΛ}; B̄ = (e^{ΔΛ} − 1)/(Λ(e^{LΔΛ} − 1)) (DSS Prop. 1 as a recurrence).
            let a_bar = (&lambda * dt.unsqueeze(-1)).exp();
            let b_bar = dss_b_bar(&lambda, &dt, l);
            (StepCore::Diag { a_bar, b_bar }, self.w_complex().get(0))
        }))
    }
}
