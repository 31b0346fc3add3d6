//! The recurrent view: one token at a time with a state, equal to the convolution
//! (S4 paper §2.3 / eq. (3): `x_k = Ā x_{k−1} + B̄ u_k`, `y_k = C x_k + D u_k`).
//!
//! * Diagonal layers (S4D, DSS) step elementwise: `s' = Ā∘s + B̄u`.
//! * S4 steps its DPLR bilinear system in O(N) (S4 paper §3.3, Thm 2 recurrence;
//!   ssm.py:911-972): `(2/Δ − A)x' = (2/Δ + A)x + 2Bu` with `A = Λ − PP*` gives
//!   `y1 = D(Ex − P(P*x) + 2Bu)`, `x' = y1 − DP(1 + P*DP)^{-1}P*y1`, D = (2/Δ − Λ)^{-1},
//!   E = 2/Δ + Λ (Woodbury for the rank-1 term).
//!
//! States are (B, H, M) complex: the half of each conjugate pair; the output is
//! `2 Re(c·s) + D u`. The computation runs in the layer's kernel precision.

use tch::{Kind, Tensor};

use crate::error::{check_shape, LayerError};

/// The discretised per-channel system of a layer.
#[derive(Debug)]
pub enum StepCore {
    /// `s' = Ā∘s + B̄u` (H, M) each.
    Diag { a_bar: Tensor, b_bar: Tensor },
    /// The O(N) bilinear DPLR step: `dinv` = (2/Δ − Λ)^{-1}, `e` = 2/Δ + Λ, `p`, `b2` = 2B
    /// (H, M) each; `cap` = (1 + 2 Re Σ p̄ D p)^{-1} (H) real.
    Dplr { dinv: Tensor, e: Tensor, p: Tensor, b2: Tensor, cap: Tensor },
}

/// A layer's SSM in recurrent form (no autograd: built from detached parameters).
#[derive(Debug)]
pub struct Stepper {
    core: StepCore,
    /// Output vector C (H, M) complex.
    c: Tensor,
    /// Skip term D (H) real.
    d: Tensor,
}

/// `P_f*[s; s̄] = 2 Re Σ_n p̄_n s_n` per (batch, channel).
fn project(p_conj: &Tensor, s: &Tensor) -> Tensor {
    (p_conj * s).sum_dim_intlist(-1, false, s.kind()).real() * 2.0
}

impl Stepper {
    /// From the discretised system, C (H, M) complex and D (H) real, all in one precision.
    pub fn new(core: StepCore, c: Tensor, d: Tensor) -> Self {
        Self { core, c, d }
    }

    /// (H, M).
    pub fn dims(&self) -> (i64, i64) {
        let s = self.c.size();
        (s[0], s[1])
    }

    /// The complex kind of states.
    pub fn state_kind(&self) -> Kind {
        self.c.kind()
    }

    /// The zero state for `batch` sequences (B, H, M).
    pub fn zero_state(&self, batch: i64) -> Tensor {
        let (h, m) = self.dims();
        Tensor::zeros([batch, h, m], (self.c.kind(), self.c.device()))
    }

    /// Checks a user state (B, H, M) of a complex kind and brings it to this precision.
    pub fn state_from(&self, s: &Tensor) -> Result<Tensor, LayerError> {
        let (h, m) = self.dims();
        let size = s.size();
        if size.len() != 3 {
            return Err(LayerError::Shape { what: "state", expected: vec![-1, h, m], got: size });
        }
        check_shape("state", s, &[size[0], h, m])?;
        if !matches!(s.kind(), Kind::ComplexFloat | Kind::ComplexDouble) {
            return Err(LayerError::Kind { what: "state", expected: "a complex tensor", got: s.kind() });
        }
        Ok(s.to_kind(self.c.kind()).to_device(self.c.device()))
    }

    /// One token: `u` (B, H) real; updates `state` (B, H, M) and returns y (B, H) in u's kind.
    pub fn step(&self, state: &mut Tensor, u: &Tensor) -> Result<Tensor, LayerError> {
        let s = self.state_from(state)?;
        let batch = s.size()[0];
        check_shape("u", u, &[batch, self.dims().0])?;
        let y = tch::no_grad(|| self.step_unchecked(&s, u));
        *state = y.1;
        Ok(y.0)
    }

    fn step_unchecked(&self, s: &Tensor, u: &Tensor) -> (Tensor, Tensor) {
        let real = self.d.kind();
        let uc = u.to_kind(real).unsqueeze(-1);
        let next = match &self.core {
            // s' = Ā s + B̄ u (S4D paper eq. (1) discretised by ZOH).
            StepCore::Diag { a_bar, b_bar } => a_bar * s + b_bar * &uc,
            StepCore::Dplr { dinv, e, p, b2, cap } => {
                let pc = p.conj_physical();
                // y1 = D (E s − P (P* s) + 2 B u)  (bilinear rule, S4 paper eq. (3)).
                let g = project(&pc, s).unsqueeze(-1);
                let y1 = dinv * (e * s + b2 * &uc - p * g);
                // s' = y1 − D P (1 + P* D P)^{-1} P* y1  (Woodbury, rank 1).
                let delta = (project(&pc, &y1) * cap).unsqueeze(-1);
                &y1 - dinv * p * delta
            }
        };
        let y = (&self.c * &next).sum_dim_intlist(-1, false, next.kind()).real() * 2.0
            + &self.d * uc.squeeze_dim(-1);
        (y.to_kind(u.kind()), next)
    }

    /// A chunk of tokens: `u` (B, H, T); returns (B, H, T) and leaves the state after the
    /// last token.
    pub fn step_chunk(&self, state: &mut Tensor, u: &Tensor) -> Result<Tensor, LayerError> {
        let mut s = self.state_from(state)?;
        let (batch, h) = (s.size()[0], self.dims().0);
        let size = u.size();
        if size.len() != 3 {
            return Err(LayerError::Shape { what: "u", expected: vec![batch, h, -1], got: size });
        }
        check_shape("u", u, &[batch, h, size[2]])?;
        let mut ys = Vec::with_capacity(size[2] as usize);
        tch::no_grad(|| {
            for k in 0..size[2] {
                let (y, next) = self.step_unchecked(&s, &u.select(-1, k));
                ys.push(y);
                s = next;
            }
        });
        *state = s;
        if ys.is_empty() {
            return Ok(u.zeros_like());
        }
        Ok(Tensor::stack(&ys, -1))
    }
}
