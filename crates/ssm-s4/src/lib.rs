//! `ssm-s4`: f64 CPU reference kernels of S4, S4D and DSS.
//!
//! * [`functional`]: Cauchy sums and log-Vandermonde products, each fast routine
//!   beside its naive twin (s4 src/models/functional).
//! * [`kernel`]: per-channel kernels — [`DplrKernel`] (S4: generating function,
//!   Cauchy, Woodbury, bilinear correction, irfft), [`DiagKernel`] (S4D),
//!   [`DssKernel`] (DSS), [`DenseKernel`] (the Krylov ground truth) — and
//!   [`cli_kernel`], the entry of `ssm-lab kernel`.
//! * [`init`]: S4D-Lin/Inv/Real/LegS and log-uniform Δ.
//! * [`step`]: recurrent modes (O(N) DPLR bilinear step, diagonal and dense steps).
//! * [`mod@bench`]: [`bench_kernels`] for `ssm-lab bench kernels`.
//!
//! Conventions (lineage.md §1): N is the real state size; the complex kernels
//! store N/2 modes, one of each conjugate pair, and output `2 Re(c·s)`.

pub mod bench;
pub mod error;
pub mod functional;
pub mod init;
pub mod kernel;
pub mod step;

pub use bench::{bench_kernels, bench_kernels_with, BenchOptions, BenchRow};
pub use error::{Result, S4Error};
pub use init::{complex_normal, init_dt, DiagInit};
pub use kernel::{
    cli_kernel, kernels_par, nodes, realify, ConvKernel, DenseKernel, DiagKernel, DplrKernel,
    DssKernel, Irfft, KernelModel, Nodes, Woodbury,
};
pub use step::{DenseStep, DiagStep, DplrStep, Recurrence};
