//! Functional building blocks of the structured kernels (s4
//! src/models/functional/{cauchy,vandermonde}.py), each with a naive twin.
//!
//! * [`cauchy`]: `r_k = Σ_n v_n / (z_k − w_n)` over modes and their conjugates.
//! * [`vandermonde`]: `K_ℓ = 2·Re Σ_n C_n exp(ℓ·log A_n)`.

pub mod cauchy;
pub mod vandermonde;

pub use cauchy::{cauchy_conj, cauchy_conj_naive, cauchy_naive, ImagNodeCauchy};
pub use vandermonde::{log_vandermonde, log_vandermonde_naive};
