//! `ssm-s4-layers`: the S4, S4D and DSS sequence mixers in tch (f32 layers, kernels built in
//! the autograd graph).
//!
//! * [`options`]: typed `mixer:` options shared by the three kinds, checked at config time.
//! * [`params`]: parameter creation (log Δ, Λ as (A_real, A_imag), complex vectors).
//! * [`kernel_graph`]: the kernels with complex tensors — Vandermonde (S4D, DSS), Cauchy +
//!   Woodbury rank 1 + bilinear correction + irfft (S4).
//! * [`fftconv`]: `y = irfft(rfft(u, 2L)·rfft(K, 2L))[:L] + D·u`, causal or bidirectional.
//! * [`s4d`], [`dss`], [`s4`]: the three SSM cores; [`layer`]: the layer around them (GELU,
//!   dropout, GLU or GELU output projection) implementing [`ssm_nn::Mixer`].
//! * [`step`]: the recurrent view (diagonal steps, the O(N) DPLR bilinear step).
//! * [`factory`]: registry entries `s4`, `s4d`, `dss`; [`mod@bench`]: [`bench_layers`].
//!
//! Conventions: H = d_model channels, N = `d_state` real state size, M = N/2 stored complex
//! modes (one of each conjugate pair; outputs are `2 Re(c·s)`), Λ = −exp(A_real) + i·A_imag.

pub mod bench;
pub mod dss;
pub mod error;
pub mod factory;
pub mod fftconv;
pub mod kernel_graph;
pub mod layer;
pub mod options;
pub mod params;
pub mod s4;
pub mod s4d;
pub mod step;

pub use bench::{bench_layers, Row};
pub use dss::{Dss, DssLayer};
pub use error::LayerError;
pub use factory::{DssFactory, S4Factory, S4dFactory};
pub use fftconv::{direct_conv, fft_conv};
pub use layer::{SsmCore, SsmLayer};
pub use options::{KernelPrecision, LayerKind, OutputKind, S4Options};
pub use s4::{S4Layer, S4};
pub use s4d::{S4d, S4dLayer};
pub use step::{StepCore, Stepper};
