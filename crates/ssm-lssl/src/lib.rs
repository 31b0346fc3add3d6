//! `ssm-lssl`: the Linear State-Space Layer (Gu, Johnson, Goel, Saab, Dao, Rudra, Ré 2021,
//! "Combining Recurrent, Convolutional, and Continuous-time Models with Linear State-Space
//! Layers") as a tch sequence mixer.
//!
//! Each of the H = d_model channels is a dense SSM `x' = Ax + Bu`, `y = Cx + Du` (LSSL §3)
//! with (A, B) from a HiPPO measure (HiPPO §3; [`ssm_hippo::transition`]) and its own step Δ:
//!
//! * [`discretize`]: bilinear (GBT α = ½) discretization per channel, in the graph.
//! * [`kernel`]: the Krylov kernel `K = (CB̄, CĀB̄, …, CĀ^{L−1}B̄)` (LSSL §3.2) by
//!   doubling in a baby-step/giant-step split, so gradients reach C, D, Δ and A.
//! * [`conv`]: the causal convolution `y = K ∗ u + Du` through an FFT of size 2L, and the
//!   recurrence it equals (the reference).
//! * [`layer`]: the mixer (SSM → GELU → GLU or GELU output projection).
//! * [`factory`]: the registry entry `lssl` with typed options ([`options`]).

pub mod conv;
pub mod discretize;
pub mod factory;
pub mod kernel;
pub mod layer;
pub mod options;

pub use conv::{causal_conv, recurrence};
pub use discretize::bilinear;
pub use factory::LsslFactory;
pub use kernel::krylov_kernel;
pub use layer::Lssl;
pub use options::{LsslOptions, OutputKind};
