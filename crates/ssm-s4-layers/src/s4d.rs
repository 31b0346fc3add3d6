//! S4D (Gu, Gupta, Goel, Ré 2022, "On the Parameterization and Initialization of Diagonal
//! State Space Models"): a diagonal complex SSM per channel, ZOH, Vandermonde kernel.

use ssm_config::ConfigError;
use tch::{nn, Kind, Tensor};

use crate::error::LayerError;
use crate::kernel_graph::{as_complex, cexpm1, lambda_from, s4d_kernel};
use crate::layer::{SsmCore, SsmLayer};
use crate::options::{KernelPrecision, LayerKind, S4Options};
use crate::params::{complex_normal, complex_rows, lambda_params, log_dt};
use crate::step::StepCore;
use ssm_nn::ParamGroup;

/// S4D parameters of H channels with M = N/2 modes.
#[derive(Debug)]
pub struct S4d {
    /// log Δ (H), [`ParamGroup::Ssm`].
    pub log_dt: Tensor,
    /// log(−Re Λ) (H, M), [`ParamGroup::Ssm`].
    pub a_real: Tensor,
    /// Im Λ (H, M), [`ParamGroup::Ssm`].
    pub a_imag: Tensor,
    /// B (H, M, 2) as (re, im), 1 at init, [`ParamGroup::Ssm`].
    pub b: Tensor,
    /// C (copies, H, M, 2) as (re, im), CN(0, 1) at init.
    pub c: Tensor,
    precision: KernelPrecision,
}

/// The S4D mixer.
pub type S4dLayer = SsmLayer<S4d>;

impl S4d {
    /// Λ (H, M) in the kernel precision.
    pub fn lambda(&self) -> Tensor {
        let k = self.precision.real();
        lambda_from(&self.a_real.to_kind(k), &self.a_imag.to_kind(k))
    }

    /// Δ (H) in the kernel precision.
    pub fn dt(&self) -> Tensor {
        self.log_dt.to_kind(self.precision.real()).exp()
    }

    /// B (H, M) and C (copies, H, M), complex in the kernel precision.
    pub fn b_c(&self) -> (Tensor, Tensor) {
        let k = self.precision.real();
        (as_complex(&self.b, k), as_complex(&self.c, k))
    }
}

impl SsmCore for S4d {
    const KIND: LayerKind = LayerKind::S4d;

    fn build(vs: &nn::Path, h: i64, opts: &S4Options) -> Result<Self, ConfigError> {
        let n = opts.d_state.get();
        let lambda = opts
            .init_for(LayerKind::S4d)
            .lambda(n)
            .map_err(|e| ConfigError::new("init", e.to_string()))?;
        let ssm = ParamGroup::Ssm.path(vs);
        let log_dt = log_dt(&ssm, h, opts.dt_min.get(), opts.dt_max.get());
        let (a_real, a_imag) = lambda_params(&ssm, h, &lambda);
        // B = 1 (S4D paper §4: B is fixed to 1 at init and trained).
        let ones = vec![num_complex::Complex64::new(1.0, 0.0); lambda.len()];
        let b = complex_rows(&ssm, "B", h, &ones);
        let copies = if opts.bidirectional { 2 } else { 1 };
        let c = complex_normal(vs, "C", &[copies, h, lambda.len() as i64]);
        Ok(Self { log_dt, a_real, a_imag, b, c, precision: opts.kernel_precision })
    }

    fn kernel(&self, l: i64) -> Tensor {
        let (b, c) = self.b_c();
        s4d_kernel(&self.lambda(), &b, &c, &self.dt(), l).to_kind(Kind::Float)
    }

    fn copies(&self) -> i64 {
        self.c.size()[0]
    }

    fn recurrent(&self, _l: i64) -> Result<(StepCore, Tensor), LayerError> {
        Ok(tch::no_grad(|| {
            let lambda = self.lambda();
            let (b, c) = self.b_c();
            let dta = &lambda * self.dt().unsqueeze(-1);
            // ZOH: Ā = e^{ΔΛ}, B̄ = B (e^{ΔΛ} − 1)/Λ (S4D paper eq. (5)).
            let a_bar = dta.exp();
            let b_bar = b * cexpm1(&dta) / &lambda;
            (StepCore::Diag { a_bar, b_bar }, c.get(0))
        }))
    }
}
