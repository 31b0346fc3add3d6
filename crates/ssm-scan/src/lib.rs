//! Selective scan (the S6 layer of Mamba) for the ssm-lab harness.
//!
//! `selective_scan(u, Δ, A, B, C, D?, z?, delta_bias?, softplus, h0?) -> (y, last_state)` with the
//! semantics of mamba_ssm's `selective_scan_fn` plus an initial state (lineage.md §1 "Scan
//! semantics"):
//!
//! * Δ = softplus(Δ + delta_bias) when asked (Mamba Alg. 2, line 5),
//! * h_t = exp(Δ_t A) h_{t−1} + Δ_t B_t u_t (Mamba eq. (2a) with the ZOH `Ā = exp(ΔA)` of eq. (4)
//!   and the Euler simplification `B̄ = ΔB`),
//! * y_t = C_t · h_t + D u_t (eq. (2b) plus the skip), out = y · silu(z).
//!
//! Four backends ([`Backend`]): the tch [`reference`] (ground truth, autograd by libtorch), a
//! rayon [`cpu`] kernel, an NVRTC-compiled [`cuda`] kernel, chosen by `Auto` from the device.
//! The two kernels are differentiable through a C++ `torch::autograd::Function` ([`bridge`]).

pub mod backend;
pub mod bench;
pub mod bridge;
pub mod conformance;
pub mod cpu;
pub mod cuda;
pub mod error;
pub mod reference;
pub mod shapes;

use tch::{Kind, Tensor};

pub use backend::{Backend, ScanDtype};
pub use bench::{bench_scan, BenchOptions, BenchRow};
pub use conformance::run_conformance;
pub use error::{Result, ScanError};
pub use shapes::{BcLayout, ScanShape};

use backend::Resolved;

/// The inputs of one selective scan. Optional inputs are `None` when absent.
#[derive(Clone, Copy)]
pub struct ScanArgs<'a> {
    /// (batch, D, L)
    pub u: &'a Tensor,
    /// (batch, D, L), before bias and softplus
    pub delta: &'a Tensor,
    /// (D, N), real
    pub a: &'a Tensor,
    /// (batch, N, L), (batch, G, N, L) or constant (D, N)
    pub b: &'a Tensor,
    /// (batch, N, L), (batch, G, N, L) or constant (D, N)
    pub c: &'a Tensor,
    /// (D): skip connection weight
    pub d: Option<&'a Tensor>,
    /// (batch, D, L): gate, out = y · silu(z)
    pub z: Option<&'a Tensor>,
    /// (D): added to Δ before the softplus
    pub delta_bias: Option<&'a Tensor>,
    /// (batch, D, N): initial state (zeros when absent)
    pub h0: Option<&'a Tensor>,
}

impl<'a> ScanArgs<'a> {
    /// The required inputs; the optional ones start absent.
    pub fn new(u: &'a Tensor, delta: &'a Tensor, a: &'a Tensor, b: &'a Tensor, c: &'a Tensor) -> Self {
        ScanArgs { u, delta, a, b, c, d: None, z: None, delta_bias: None, h0: None }
    }
    pub fn with_d(mut self, d: Option<&'a Tensor>) -> Self {
        self.d = d;
        self
    }
    pub fn with_z(mut self, z: Option<&'a Tensor>) -> Self {
        self.z = z;
        self
    }
    pub fn with_delta_bias(mut self, b: Option<&'a Tensor>) -> Self {
        self.delta_bias = b;
        self
    }
    pub fn with_h0(mut self, h0: Option<&'a Tensor>) -> Self {
        self.h0 = h0;
        self
    }
}

/// Runs the selective scan on `backend`. Returns `(y, last_state)`: y (batch, D, L) in u's dtype
/// (the gated output when z is given), last_state (batch, D, N) in float32 (float64 for the
/// reference on float64 inputs). Both are differentiable in every input, on every backend.
pub fn selective_scan(args: &ScanArgs<'_>, delta_softplus: bool, backend: Backend) -> Result<(Tensor, Tensor)> {
    let shape = shapes::validate(args)?;
    match backend.resolve(args.u.device())? {
        Resolved::Reference => reference::selective_scan_reference(args, delta_softplus),
        Resolved::Cpu => {
            shapes::kernel_input_kind(args, &shape, "cpu")?;
            bridge::apply(args, &shape, delta_softplus, bridge::KernelId::Cpu, Kind::Float)
        }
        Resolved::Cuda => {
            let kind = shapes::kernel_input_kind(args, &shape, "cuda")?;
            cuda::check_supported(&shape, args.u.device())?;
            bridge::apply(args, &shape, delta_softplus, bridge::KernelId::Cuda, kind)
        }
    }
}
