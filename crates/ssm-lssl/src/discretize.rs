//! Bilinear discretization of the per-channel SSMs, written with tch ops so that gradients
//! flow to Δ (and to A, B when they are trained).

use tch::Tensor;

/// Per-channel bilinear (Tustin, GBT with α = ½) discretization (LSSL §2.1, the generalized
/// bilinear transform; the same rule as [`ssm_hippo::Discretization::Bilinear`]):
///
/// `Ā_h = (I − Δ_h/2·A)⁻¹(I + Δ_h/2·A)`, `B̄_h = (I − Δ_h/2·A)⁻¹·Δ_h·B`.
///
/// Shapes: `a` (N, N), `b` (N), `dt` (H) → `(Ā (H, N, N), B̄ (H, N))`. Both come from one
/// batched solve against `[I + Δ/2·A | Δ·B]` (no explicit inverse).
pub fn bilinear(a: &Tensor, b: &Tensor, dt: &Tensor) -> (Tensor, Tensor) {
    let n = a.size()[0];
    let h = dt.size()[0];
    let eye = Tensor::eye(n, (a.kind(), a.device()));
    let half = (dt * 0.5).view([h, 1, 1]);
    let lhs = &eye - &half * a; // I − Δ/2·A
    let rhs_a = &eye + &half * a; // I + Δ/2·A
    let rhs_b = (dt.view([h, 1]) * b).unsqueeze(-1); // Δ·B, (H, N, 1)
    let sol = Tensor::linalg_solve(&lhs, &Tensor::cat(&[rhs_a, rhs_b], -1), true);
    let a_bar = sol.narrow(-1, 0, n);
    let b_bar = sol.narrow(-1, n, 1).squeeze_dim(-1);
    (a_bar, b_bar)
}
