//! `ssm-hippo`: the mathematics of the HiPPO → LSSL → S4 lineage in f64.
//!
//! * [`measure`]: the HiPPO measures ([`Measure`]).
//! * [`matrices`]: continuous-time (A, B) per measure ([`transition`]).
//! * [`low_rank`] / [`nplr`]: rank corrections and `A = V(Λ − PP*)V*`.
//! * [`discretize`]: Euler, bilinear/GBT, ZOH for dense and diagonal systems,
//!   and the time-varying LegS steps.
//! * [`online`]: streaming function approximation ([`OnlineApproximator`]) with the
//!   reconstruction [`basis`] functions.
//! * [`krylov`] / [`conv`]: the LSSL convolution kernel, the recurrence and the
//!   causal FFT convolution.
//! * [`bench`]: timings of the structured algorithms against naive ones.
//!
//! Conventions (design notes lineage.md §1): row n, column k, 0-indexed.

pub mod basis;
pub mod bench;
pub mod conv;
pub mod discretize;
pub mod error;
pub mod krylov;
pub mod low_rank;
pub mod matrices;
pub mod measure;
pub mod nplr;
pub mod online;
mod special;

pub use bench::{bench_default, bench_krylov, bench_online, BenchRow};
pub use conv::{
    causal_conv_direct, causal_conv_fft, causal_conv_fft_batch, diag_kernel, recurrence,
};
pub use discretize::{discretize, discretize_diag, legs_step, Discretization};
pub use error::{HippoError, Result};
pub use krylov::{krylov_blocked, krylov_doubling, krylov_matrix, krylov_naive, matrix_power};
pub use low_rank::{natural_rank, rank_correction};
pub use matrices::transition;
pub use measure::Measure;
pub use nplr::{nplr, nplr_with_rank, Nplr};
pub use online::{ErrorMetrics, OnlineApproximator, OnlineOptions};
pub use special::ln_gamma_abs;
