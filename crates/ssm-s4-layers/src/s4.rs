//! S4 (Gu, Goel, Ré 2022, "Efficiently Modeling Long Sequences with Structured State
//! Spaces"): per channel the DPLR system `A = Λ − PP*` from the NPLR form of HiPPO-LegS
//! (S4 paper Thm 1), bilinear discretisation, kernel by Cauchy sums + Woodbury (Alg. 1).
//!
//! The trained output vector is C itself; C̃ = C(I − Ā^L) is formed in the graph for each
//! length, so one layer serves every sequence length and the recurrent form needs no
//! inversion of (I − Ā^L).

use num_complex::Complex64;
use ssm_config::ConfigError;
use ssm_hippo::{nplr, Measure};
use ssm_nn::ParamGroup;
use tch::{nn, Kind, Tensor};

use crate::error::LayerError;
use crate::kernel_graph::{as_complex, dplr_kernel, lambda_from};
use crate::layer::{SsmCore, SsmLayer};
use crate::options::{KernelPrecision, LayerKind, S4Options};
use crate::params::{complex_normal, complex_rows, lambda_params, log_dt};
use crate::step::StepCore;

/// S4 parameters of H channels with M = N/2 modes, rank 1.
#[derive(Debug)]
pub struct S4 {
    /// log Δ (H), [`ParamGroup::Ssm`].
    pub log_dt: Tensor,
    /// log(−Re Λ) (H, M), [`ParamGroup::Ssm`].
    pub a_real: Tensor,
    /// Im Λ (H, M), [`ParamGroup::Ssm`].
    pub a_imag: Tensor,
    /// P (H, M, 2) as (re, im), the low-rank term, [`ParamGroup::Ssm`].
    pub p: Tensor,
    /// B (H, M, 2) as (re, im), [`ParamGroup::Ssm`].
    pub b: Tensor,
    /// C (copies, H, M, 2) as (re, im), CN(0, 1) at init.
    pub c: Tensor,
    precision: KernelPrecision,
}

/// The S4 mixer.
pub type S4Layer = SsmLayer<S4>;

impl S4 {
    /// Λ (H, M) in the kernel precision.
    pub fn lambda(&self) -> Tensor {
        let k = self.precision.real();
        lambda_from(&self.a_real.to_kind(k), &self.a_imag.to_kind(k))
    }

    /// Δ (H) in the kernel precision.
    pub fn dt(&self) -> Tensor {
        self.log_dt.to_kind(self.precision.real()).exp()
    }

    /// P (H, M), B (H, M), C (copies, H, M), complex in the kernel precision.
    pub fn p_b_c(&self) -> (Tensor, Tensor, Tensor) {
        let k = self.precision.real();
        (as_complex(&self.p, k), as_complex(&self.b, k), as_complex(&self.c, k))
    }
}

impl SsmCore for S4 {
    const KIND: LayerKind = LayerKind::S4;

    fn build(vs: &nn::Path, h: i64, opts: &S4Options) -> Result<Self, ConfigError> {
        let n = opts.d_state.get();
        // A = V(Λ − PP*)V* (S4 paper Thm 1); Λ, P̃ = V*P, B̃ = V*B are the initial values.
        let decomp = nplr(Measure::LegS, n).map_err(|e| ConfigError::new("d_state", e.to_string()))?;
        let lambda: Vec<Complex64> = decomp.lambda.iter().copied().collect();
        let m = lambda.len();
        let p0: Vec<Complex64> = (0..m).map(|j| decomp.p[(0, j)]).collect();
        let b0: Vec<Complex64> = decomp.b.iter().copied().collect();
        let ssm = ParamGroup::Ssm.path(vs);
        let log_dt = log_dt(&ssm, h, opts.dt_min.get(), opts.dt_max.get());
        let (a_real, a_imag) = lambda_params(&ssm, h, &lambda);
        let p = complex_rows(&ssm, "P", h, &p0);
        let b = complex_rows(&ssm, "B", h, &b0);
        let copies = if opts.bidirectional { 2 } else { 1 };
        let c = complex_normal(vs, "C", &[copies, h, m as i64]);
        Ok(Self { log_dt, a_real, a_imag, p, b, c, precision: opts.kernel_precision })
    }

    fn kernel(&self, l: i64) -> Tensor {
        let (p, b, c) = self.p_b_c();
        dplr_kernel(&self.lambda(), &p, &b, &c, &self.dt(), l).to_kind(Kind::Float)
    }

    fn copies(&self) -> i64 {
        self.c.size()[0]
    }

    fn recurrent(&self, _l: i64) -> Result<(StepCore, Tensor), LayerError> {
        Ok(tch::no_grad(|| {
            let lambda = self.lambda();
            let (p, b, c) = self.p_b_c();
            let two_dt = (self.dt().reciprocal() * 2.0).unsqueeze(-1);
            // D = (2/Δ − Λ)^{-1}, E = 2/Δ + Λ (S4 paper §3.3 / eq. (3) bilinear rule).
            let dinv = (-&lambda + &two_dt).reciprocal();
            let e = &lambda + &two_dt;
            // (1 + P_f* D_f P_f)^{-1} = 1/(1 + 2 Re Σ p̄ D p).
            let m = (p.conj_physical() * &dinv * &p).sum_dim_intlist(-1, false, p.kind()).real() * 2.0;
            let cap = (m + 1.0).reciprocal();
            let b2 = b * 2.0;
            (StepCore::Dplr { dinv, e, p, b2, cap }, c.get(0))
        }))
    }
}
