//! Normal-plus-low-rank (NPLR / DPLR) form `A = V(Λ − PP*)V*` (S4 Thm 1;
//! s4 hippo.py:203-280 `nplr`).
//!
//! Route, all in f64:
//! 1. `AP = A + PᵀP` must equal `c·I + S` with S real skew-symmetric
//!    (hippo.py:228-230 check); `Re Λ = c = mean(diag AP)` (hippo.py:235).
//! 2. `(Im Λ, V) = eigh(−i·S)` — a Hermitian eigenproblem (hippo.py:235-242).
//! 3. Eigenvalues come in conjugate pairs ±ω with eigenvectors v, v̄; keep the
//!    half with ω < 0, sorted ascending like hippo.py:247-255. A zero-eigenvalue
//!    subspace (FouT, hippo.py:256-260) is real; an orthonormal real basis
//!    q₁, q₂, … of it is paired into `(q₁ + i q₂)/√2`, which is orthogonal to its
//!    own conjugate (the general form of s4's `V[0] = 2^{-½}, V[1] = 2^{-½}i`).
//! 4. `B ← V*B`, `P ← V*Pᵀ` (hippo.py:270-272).

use nalgebra::{DMatrix, DVector};
use num_complex::Complex64;

use crate::error::{check_nonzero, HippoError, Result};
use crate::low_rank::{natural_rank, rank_correction};
use crate::matrices::transition;
use crate::measure::Measure;

/// NPLR decomposition of a HiPPO pair, keeping one eigenvalue of each conjugate pair.
#[derive(Debug, Clone)]
pub struct Nplr {
    /// Measure the decomposition belongs to.
    pub measure: Measure,
    /// Full state size N.
    pub n: usize,
    /// Λ: N/2 eigenvalues of `A + PᵀP`, imaginary parts ascending (all ≤ 0).
    pub lambda: DVector<Complex64>,
    /// P̃ = (V*Pᵀ)ᵀ, `rank × N/2`.
    pub p: DMatrix<Complex64>,
    /// B̃ = V*B, length N/2.
    pub b: DVector<Complex64>,
    /// V: `N × N/2`, orthonormal columns, orthogonal to their conjugates.
    pub v: DMatrix<Complex64>,
    /// The real correction P used (`rank × N`).
    pub p_real: DMatrix<f64>,
    /// The real transition matrix A it decomposes.
    pub a_real: DMatrix<f64>,
    /// The real input vector B.
    pub b_real: DVector<f64>,
}

/// NPLR form of `measure` at size `n` with the natural correction rank.
///
/// Errors: `n == 0` or odd `n` (option `n`: conjugate pairs need an even
/// state size), a measure without a rank correction (LMU, GLagT:
/// [`HippoError::NoNplr`]), or a failed eigen-decomposition.
pub fn nplr(measure: Measure, n: usize) -> Result<Nplr> {
    nplr_with_rank(measure, n, None)
}

/// [`nplr`] with the correction padded to `rank` rows (s4 `rank` argument).
pub fn nplr_with_rank(measure: Measure, n: usize, rank: Option<usize>) -> Result<Nplr> {
    check_nonzero("n", n)?;
    measure.validate()?;
    natural_rank(measure)?;
    if n & 1 == 1 {
        return Err(HippoError::InvalidOption {
            option: "n",
            reason: format!(
                "the NPLR form keeps N/2 conjugate pairs, so N must be even; got {n} for measure `{}`",
                measure.name()
            ),
        });
    }
    let (a, b) = transition(measure, n)?;
    let p = rank_correction(measure, n, rank)?;
    let ap = &a + p.transpose() * &p;

    // Step 1: AP = c·I + S (hippo.py:228-235).
    let c = ap.diagonal().mean();
    let scale = ap.amax().max(1.0);
    let sym = (&ap + ap.transpose()) * 0.5;
    let sym_err = (&sym - DMatrix::<f64>::identity(n, n) * c).amax();
    if sym_err > 1e-10 * scale {
        return Err(no_nplr_numeric(
            measure,
            format!(
                "A + PᵀP is not skew-symmetric plus a multiple of I (max deviation {sym_err:.3e})"
            ),
        ));
    }
    let s = (&ap - ap.transpose()) * 0.5;

    // Step 2: Hermitian eigenproblem of −i·S.
    let h = s.map(|x| Complex64::new(0.0, -x));
    let eig = h.symmetric_eigen();
    let omega = eig.eigenvalues;
    let u = eig.eigenvectors;

    // Step 3: keep the ω < 0 half, pair up the null space.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| omega[i].total_cmp(&omega[j]));
    let omax = omega.amax().max(1.0);
    let tol = 1e-9 * omax;
    let neg: Vec<usize> = order.iter().copied().filter(|&i| omega[i] < -tol).collect();
    let zero: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| omega[i].abs() <= tol)
        .collect();
    let pos = n - neg.len() - zero.len();
    if pos != neg.len() || zero.len() & 1 == 1 {
        return Err(no_nplr_numeric(
            measure,
            format!(
                "eigenvalues of the skew part do not come in conjugate pairs ({} negative, {} zero, {pos} positive)",
                neg.len(),
                zero.len()
            ),
        ));
    }
    let half = n / 2;
    let mut v = DMatrix::<Complex64>::zeros(n, half);
    let mut lambda = DVector::<Complex64>::zeros(half);
    for (j, &i) in neg.iter().enumerate() {
        v.set_column(j, &u.column(i));
        lambda[j] = Complex64::new(c, omega[i]);
    }
    if !zero.is_empty() {
        let q = real_basis(&u, &zero)?;
        let r = std::f64::consts::FRAC_1_SQRT_2;
        for m in 0..zero.len() / 2 {
            let j = neg.len() + m;
            for row in 0..n {
                v[(row, j)] = Complex64::new(r * q[(row, 2 * m)], r * q[(row, 2 * m + 1)]);
            }
            lambda[j] = Complex64::new(c, 0.0);
        }
    }

    // Step 4: B̃ = V*B, P̃ = V*Pᵀ (hippo.py:270-272).
    let vh = v.adjoint();
    let b_c = b.map(|x| Complex64::new(x, 0.0));
    let b_t = &vh * b_c;
    let p_c = p.map(|x| Complex64::new(x, 0.0));
    let p_t = (&vh * p_c.transpose()).transpose();

    Ok(Nplr {
        measure,
        n,
        lambda,
        p: p_t,
        b: b_t,
        v,
        p_real: p,
        a_real: a,
        b_real: b,
    })
}

fn no_nplr_numeric(measure: Measure, reason: String) -> HippoError {
    HippoError::NoNplr {
        measure: measure.name().to_string(),
        reason,
    }
}

/// Orthonormal real basis (N × z) of the span of the complex columns `cols` of `u`,
/// known to be a real subspace of dimension z.
fn real_basis(u: &DMatrix<Complex64>, cols: &[usize]) -> Result<DMatrix<f64>> {
    let n = u.nrows();
    let z = cols.len();
    let mut m = DMatrix::<f64>::zeros(n, 2 * z);
    for (j, &c) in cols.iter().enumerate() {
        for r in 0..n {
            m[(r, j)] = u[(r, c)].re;
            m[(r, z + j)] = u[(r, c)].im;
        }
    }
    let svd = m.svd(true, false);
    let uu = svd.u.ok_or_else(|| HippoError::Numerical {
        context: "nplr null space",
        reason: "SVD did not return singular vectors".to_string(),
    })?;
    let mut idx: Vec<usize> = (0..svd.singular_values.len()).collect();
    idx.sort_by(|&i, &j| svd.singular_values[j].total_cmp(&svd.singular_values[i]));
    let mut q = DMatrix::<f64>::zeros(n, z);
    for (j, &i) in idx.iter().take(z).enumerate() {
        q.set_column(j, &uu.column(i));
    }
    Ok(q)
}

impl Nplr {
    /// Number of low-rank terms.
    pub fn rank(&self) -> usize {
        self.p.nrows()
    }

    /// `Λ − P̃P̃*` on the kept half (`N/2 × N/2`): the DPLR state matrix S4 uses.
    pub fn dplr_matrix(&self) -> DMatrix<Complex64> {
        let h = self.n / 2;
        let mut m = DMatrix::<Complex64>::from_fn(h, h, |i, j| {
            let mut s = Complex64::new(0.0, 0.0);
            for r in 0..self.rank() {
                s += self.p[(r, i)] * self.p[(r, j)].conj();
            }
            -s
        });
        for i in 0..h {
            m[(i, i)] += self.lambda[i];
        }
        m
    }

    /// The unitary `W = [V, V̄]` (N × N) over all N modes.
    pub fn full_basis(&self) -> DMatrix<Complex64> {
        let h = self.n / 2;
        let mut w = DMatrix::<Complex64>::zeros(self.n, self.n);
        w.view_mut((0, 0), (self.n, h)).copy_from(&self.v);
        w.view_mut((0, h), (self.n, h))
            .copy_from(&self.v.map(|z| z.conj()));
        w
    }

    /// Rebuilds A over all N modes: `W(Λ_f − P_f P_f*)W*` with `Λ_f = [Λ, Λ̄]`,
    /// `P_f = [P̃ᵀ; conj P̃ᵀ]`. Returns the real part; see [`Nplr::rebuild_a_complex`].
    pub fn rebuild_a(&self) -> DMatrix<f64> {
        self.rebuild_a_complex().map(|z| z.re)
    }

    /// Complex form of [`Nplr::rebuild_a`] (its imaginary part should vanish).
    pub fn rebuild_a_complex(&self) -> DMatrix<Complex64> {
        let h = self.n / 2;
        let r = self.rank();
        let w = self.full_basis();
        let mut pf = DMatrix::<Complex64>::zeros(self.n, r);
        for k in 0..r {
            for i in 0..h {
                pf[(i, k)] = self.p[(k, i)];
                pf[(h + i, k)] = self.p[(k, i)].conj();
            }
        }
        let mut core = -(&pf * pf.adjoint());
        for i in 0..h {
            core[(i, i)] += self.lambda[i];
            core[(h + i, h + i)] += self.lambda[i].conj();
        }
        &w * core * w.adjoint()
    }

    /// Rebuilds B = `V B̃ + V̄ B̃̄ = 2 Re(V B̃)`.
    pub fn rebuild_b(&self) -> DVector<f64> {
        (&self.v * &self.b).map(|z| 2.0 * z.re)
    }

    /// Max |A_rebuilt − A| / max |A| (should be ~1e-13).
    pub fn reconstruction_error(&self) -> f64 {
        let diff = (self.rebuild_a_complex() - self.a_real.map(|x| Complex64::new(x, 0.0)))
            .iter()
            .fold(0.0f64, |m, z| m.max(z.norm()));
        diff / self.a_real.amax().max(f64::MIN_POSITIVE)
    }

    /// B̃ with its imaginary part clipped to `[−bound, bound]` (newer s4
    /// hippo.py:274-275 clips to ±2). Not applied by [`nplr`], so that the exact
    /// decomposition is kept; callers that want s4's initialization apply it.
    pub fn b_clipped_imag(&self, bound: f64) -> Result<DVector<Complex64>> {
        crate::error::check_positive("bound", bound)?;
        Ok(self
            .b
            .map(|z| Complex64::new(z.re, z.im.clamp(-bound, bound))))
    }
}
