//! The S4 kernel of a diagonal-plus-low-rank system (S4 paper §3.3, Alg. 1, Thm 3;
//! ssm.py `SSMKernelDPLR`, lineage.md §1 "S4 (DPLR) kernel").
//!
//! # Parameters and conventions
//!
//! The state matrix is `A = Λ − P P*` in a basis where the full state is
//! conjugate-symmetric, `[s; s̄]`; only the half s (N/2 modes) is stored
//! (ssm.py:195-198). With `Λ_f = [Λ, Λ̄]`, `P_f = [p; p̄]` per rank, B_f = [b; b̄],
//! C_f = [c, c̄], the kernel is `K_ℓ = C_f Ā_f^ℓ B̄_f` with the bilinear rule, and the
//! output of a state is `C_f [s; s̄] = 2 Re(c·s)`.
//!
//! # Algorithm (S4 Alg. 1)
//!
//! 1. `C̃ = C (I − Ā^L)` (Alg. 1 step 1, the truncated generating function;
//!    ssm.py:683-709 `_setup_C`). Computed once per length.
//! 2. At the roots of unity ω_k the generating function is
//!    `K̂(ω) = C̃ (I − Āω)^{-1} B̄ = 2/(1+ω) · C̃ (z − ΔA)^{-1} Δ B`,
//!    `z = 2(1−ω)/(1+ω)` (Alg. 1 steps 2-3, the bilinear correction; ssm.py:876).
//! 3. Woodbury (Alg. 1 step 3; ssm.py:849-873): with `D = z − ΔΛ` and
//!    `r_ij = Σ Δ x_i y_j / (z − ΔΛ)` over the conjugate pairs (a Cauchy sum,
//!    Alg. 1 step 2; ssm.py:846), rows `x = [C̃; P*]`, columns `y = [B; P]`:
//!    rank 1 `k̂ = r00 − r01 r10/(1 + r11)` (ssm.py:849-850), rank 2 the 2×2 closed
//!    form (ssm.py:851-864), rank r a small solve (ssm.py:865-873).
//! 4. `K = irfft(K̂, L)` (ssm.py:879-882).
//!
//! The nodes `z_k = 2i·tan(πk/L)` are purely imaginary (see [`super::nodes`]);
//! the node ω = −1 of an even L is evaluated through its limit
//! `K̂(−1) = C̃_f (I + Ā)^{-1} B̄_f = Δ Re Σ c̃_n b_n`.
//!
//! # Near-singular nodes
//!
//! LegT, LagT and FouT have `Re Λ = 0`, so a node can come arbitrarily close to a
//! mode (Δ = 1/L for FouT does). When a node is within `τ·(|z| + max|ΔΛ|)` of a
//! mode, τ = [`RESONANCE_TOL`], the Cauchy terms blow up although `z − ΔA` may be
//! regular. Such nodes are evaluated exactly through an enlarged Woodbury
//! identity: the offending diagonal entries d_f are replaced by 1 and
//! `(d_f − 1) e_f e_fᵀ` joins the low-rank part, `M = D_reg + U G V*`,
//! `G = diag(Δ I_r, d_f − 1)`, solved with `G^{-1}` (finite). The same route takes
//! nodes where a closed-form denominator cancels.
//!
//! `z − ΔA` itself can be singular: FouT's state 1 (the sine of frequency 0) is
//! a dead mode, `A e_1 = 0`, so at z_0 = 0 the resolvent does not exist. The
//! generating function is still determined when C̃ and B avoid the null
//! direction (here C̃ = C(I − Ā^L) vanishes on it and B does too): the small
//! capacitance system is then consistent and any of its solutions gives the
//! value (rank-revealing elimination). When B reaches the dead mode (an initial
//! state with a component on it), C̃ alone no longer determines the value;
//! [`DplrKernel::kernel`] and [`DplrKernel::state_kernel`], which know C,
//! evaluate such a node by the geometric series `C Σ_{ℓ<L} (ωĀ)^ℓ B̄` instead.

use nalgebra::{DMatrix, DVector};
use num_complex::Complex64;
use rayon::prelude::*;
use ssm_hippo::{discretize, matrix_power, nplr, Discretization, Measure, Nplr};

use super::{realify, solve_small, ConvKernel, DenseKernel, Irfft, Nodes, SmallSolve};
use crate::error::{check_dt, check_finite_c, check_l, check_len, Result, S4Error};
use crate::functional::ImagNodeCauchy;

/// Relative distance between a node and a mode below which the node is
/// evaluated with the enlarged Woodbury identity (module docs). A Cauchy term
/// amplifies rounding by at most `1/τ` outside it.
pub const RESONANCE_TOL: f64 = 1e-5;

/// Nodes per rayon task.
const PAR_NODES: usize = 256;

/// Which Woodbury formula evaluates `C̃ (z − ΔA)^{-1} ΔB` (ssm.py:849-873).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Woodbury {
    /// Closed forms for rank 0, 1, 2; the small solve above.
    Auto,
    /// `r00 − r01 r10/(1 + r11)`; rank must be 1.
    Rank1,
    /// The 2×2 closed form; rank must be 2.
    Rank2,
    /// Gaussian elimination on the r×r capacitance matrix, any rank.
    General,
}

/// S4 kernel parameters of one channel (half basis, see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct DplrKernel {
    /// Λ, N/2 complex eigenvalues.
    pub lambda: Vec<Complex64>,
    /// P, rank × N/2.
    pub p: Vec<Vec<Complex64>>,
    /// B in the half basis.
    pub b: Vec<Complex64>,
    /// C in the half basis (output `2 Re(c·s)`); not C̃.
    pub c: Vec<Complex64>,
    /// Step Δ.
    pub dt: f64,
}

impl DplrKernel {
    /// Checks lengths, finiteness and Δ.
    pub fn new(
        lambda: Vec<Complex64>,
        p: Vec<Vec<Complex64>>,
        b: Vec<Complex64>,
        c: Vec<Complex64>,
        dt: f64,
    ) -> Result<Self> {
        check_dt(dt)?;
        let h = lambda.len();
        if h == 0 {
            return Err(S4Error::InvalidOption {
                option: "--n",
                reason: "the DPLR kernel needs at least one mode".to_string(),
            });
        }
        check_finite_c("lambda", &lambda)?;
        check_len("b", &b, h)?;
        check_len("c", &c, h)?;
        check_finite_c("b", &b)?;
        check_finite_c("c", &c)?;
        for row in &p {
            check_len("p", row, h)?;
            check_finite_c("p", row)?;
        }
        Ok(Self {
            lambda,
            p,
            b,
            c,
            dt,
        })
    }

    /// The DPLR form of a real system from its NPLR decomposition
    /// `A = V(Λ − PP*)V*` (S4 Thm 1; hippo.py:203-280): Λ, P̃ = V*Pᵀ, B̃ = V*B are
    /// taken over, and the real output row `c_orig` becomes `c = Vᵀ c_orig`
    /// (`= conj(V* c_orig)`), so that `2 Re(c·s) = c_orig · 2 Re(V s)`.
    pub fn from_nplr(decomp: &Nplr, c_orig: &[f64], dt: f64) -> Result<Self> {
        let n = decomp.n;
        if c_orig.len() != n {
            return Err(S4Error::Shape {
                what: "c",
                reason: format!("C has {} entries, N = {n}", c_orig.len()),
            });
        }
        let h = n / 2;
        let c: Vec<Complex64> = (0..h)
            .map(|j| (0..n).map(|i| decomp.v[(i, j)] * c_orig[i]).sum())
            .collect();
        let p = (0..decomp.rank())
            .map(|r| (0..h).map(|j| decomp.p[(r, j)]).collect())
            .collect();
        Self::new(
            decomp.lambda.iter().copied().collect(),
            p,
            decomp.b.iter().copied().collect(),
            c,
            dt,
        )
    }

    /// `from_nplr(nplr(measure, n), ones, dt)`: the S4 form of the HiPPO system with
    /// C = 1 in the original basis (`ssm-lab kernel --model s4 --c ones`).
    pub fn from_hippo(measure: Measure, n: usize, dt: f64) -> Result<Self> {
        check_dt(dt)?;
        let decomp = nplr(measure, n)?;
        Self::from_nplr(&decomp, &vec![1.0; n], dt)
    }

    /// Number of stored modes N/2.
    pub fn modes(&self) -> usize {
        self.lambda.len()
    }

    /// Rank of the low-rank term.
    pub fn rank(&self) -> usize {
        self.p.len()
    }

    /// The equivalent real system `(A, B, C)` of size N ([`super::realify`]).
    pub fn real_system(&self) -> (DMatrix<f64>, DVector<f64>, DVector<f64>) {
        realify(&self.lambda, &self.p, &self.b, &self.c, 2.0)
    }

    /// The dense twin: the real system with the bilinear rule.
    pub fn to_dense(&self) -> Result<DenseKernel> {
        let (a, b, c) = self.real_system();
        DenseKernel::new(a, b, c, self.dt, Discretization::Bilinear)
    }

    /// `A s` for a half state s: `Λs − Σ_j p_j · 2 Re(p_j^H s)`.
    pub fn apply_a(&self, s: &[Complex64]) -> Vec<Complex64> {
        let mut out: Vec<Complex64> = self.lambda.iter().zip(s).map(|(l, x)| l * x).collect();
        for pj in &self.p {
            let g = 2.0
                * pj.iter()
                    .zip(s)
                    .map(|(p, x)| p.conj() * x)
                    .sum::<Complex64>()
                    .re;
            for (o, p) in out.iter_mut().zip(pj) {
                *o -= p * g;
            }
        }
        out
    }

    /// `C̃ = C (I − Ā^L)` in the half basis (S4 Alg. 1 step 1; ssm.py:683-709), through
    /// the real system: `ĉ̃ = ĉ − (Ā^L)ᵀ ĉ`, `Ā^L` by repeated squaring, O(N³ log L).
    pub fn c_tilde(&self, l: usize) -> Result<Vec<Complex64>> {
        check_l(l)?;
        let (a, b, c) = self.real_system();
        let (ab, _) = discretize(&a, &b, self.dt, Discretization::Bilinear)?;
        let pw = matrix_power(&ab, l)?;
        let ct = &c - pw.tr_mul(&c);
        let h = self.modes();
        Ok((0..h)
            .map(|i| Complex64::new(0.5 * ct[i], -0.5 * ct[h + i]))
            .collect())
    }

    /// The kernel `K_0 … K_{l−1}` (Woodbury closed forms by rank).
    pub fn kernel(&self, l: usize) -> Result<Vec<f64>> {
        self.kernel_with(l, Woodbury::Auto)
    }

    /// The kernel with the chosen Woodbury formula.
    pub fn kernel_with(&self, l: usize, mode: Woodbury) -> Result<Vec<f64>> {
        self.kernel_own(&self.b, l, mode)
    }

    /// The kernel from a precomputed C̃ (s4 keeps C̃ as the trained parameter).
    pub fn kernel_from_c_tilde(
        &self,
        c_tilde: &[Complex64],
        l: usize,
        mode: Woodbury,
    ) -> Result<Vec<f64>> {
        let spec = self.generating_function(c_tilde, &self.b, l, mode)?;
        Ok(Irfft::cached(l).process(&spec))
    }

    /// `kernel_from_c_tilde` for a C̃ computed from `self.c`, with the series
    /// fallback for singular nodes.
    fn kernel_own(&self, b: &[Complex64], l: usize, mode: Woodbury) -> Result<Vec<f64>> {
        let ct = self.c_tilde(l)?;
        let spec = self.generating_inner(&ct, b, l, mode, true)?;
        Ok(Irfft::cached(l).process(&spec))
    }

    /// `K̂(ω_k) = C_f Σ_{ℓ<L} (ω_k Ā)^ℓ B̄_f` on the real system, for a node where the
    /// resolvent route is undetermined (z − ΔA singular, e.g. FouT's dead mode at
    /// ω = 1 when the input vector reaches it). log₂L squarings of the N×N real
    /// matrix (2N×2N for complex ω) and O(log L) matrix-vector products:
    /// `S_{2m} v = S_m v + X^m S_m v`, `S_{a+2^j} v = S_{2^j} v + X^{2^j} S_a v`.
    fn series_node(&self, b: &[Complex64], l: usize, k: usize) -> Result<Complex64> {
        let (a, bv, c) = realify(&self.lambda, &self.p, b, &self.c, 2.0);
        let (ab, bb) = discretize(&a, &bv, self.dt, Discretization::Bilinear)?;
        let n = ab.nrows();
        let om = super::omega(l, k);
        let real = k == 0;
        let dim = if real { n } else { 2 * n };
        let mut x = DMatrix::<f64>::zeros(dim, dim);
        let mut v = DVector::<f64>::zeros(dim);
        if real {
            x.copy_from(&ab);
            v.copy_from(&bb);
        } else {
            x.view_mut((0, 0), (n, n)).copy_from(&(&ab * om.re));
            x.view_mut((0, n), (n, n)).copy_from(&(&ab * -om.im));
            x.view_mut((n, 0), (n, n)).copy_from(&(&ab * om.im));
            x.view_mut((n, n), (n, n)).copy_from(&(&ab * om.re));
            v.rows_mut(0, n).copy_from(&bb);
        }
        let mut pw = x; // X^{2^j}
        let mut sv = v; // S_{2^j} v
        let mut acc = DVector::<f64>::zeros(dim); // S_a v, a = low bits of L seen so far
        let mut rest = l;
        while rest > 0 {
            if rest & 1 == 1 {
                acc = &sv + &pw * &acc;
            }
            rest >>= 1;
            if rest > 0 {
                sv = &sv + &pw * &sv;
                pw = &pw * &pw;
            }
        }
        let (re, im) = if real {
            (c.dot(&acc), 0.0)
        } else {
            (c.dot(&acc.rows(0, n)), c.dot(&acc.rows(n, n)))
        };
        Ok(Complex64::new(re, im))
    }

    /// `K̂(ω_k)`, k = 0..=⌊L/2⌋, of the system with C̃ = `c_tilde` and input
    /// vector `b` (steps 2-3 of the module docs), Cauchy sums over node tiles,
    /// rayon over node chunks.
    ///
    /// A node where `z − ΔA` is singular and C̃, b do not avoid the singular
    /// direction is an error here: from C̃ alone its value is undetermined.
    /// [`DplrKernel::kernel`] and [`DplrKernel::state_kernel`], which know C,
    /// evaluate such nodes by the geometric series instead.
    pub fn generating_function(
        &self,
        c_tilde: &[Complex64],
        b: &[Complex64],
        l: usize,
        mode: Woodbury,
    ) -> Result<Vec<Complex64>> {
        self.generating_inner(c_tilde, b, l, mode, false)
    }

    fn generating_inner(
        &self,
        c_tilde: &[Complex64],
        b: &[Complex64],
        l: usize,
        mode: Woodbury,
        series_fallback: bool,
    ) -> Result<Vec<Complex64>> {
        check_l(l)?;
        let h = self.modes();
        check_len("c_tilde", c_tilde, h)?;
        check_len("b", b, h)?;
        let r = self.rank();
        match mode {
            Woodbury::Rank1 if r != 1 => return Err(rank_mismatch(mode, r)),
            Woodbury::Rank2 if r != 2 => return Err(rank_mismatch(mode, r)),
            _ => {}
        }
        let dt = self.dt;
        let w: Vec<Complex64> = self.lambda.iter().map(|z| z * dt).collect();
        let (xs, ys) = self.stacks(c_tilde, b);
        let r1 = r + 1;
        // v_ij = Δ x_i y_j, numerator i·(r+1) + j (ssm.py:837-846).
        let mut vs = Vec::with_capacity(r1 * r1);
        for x in &xs {
            for y in &ys {
                vs.push(x.iter().zip(y).map(|(a, b)| a * b * dt).collect::<Vec<_>>());
            }
        }
        let table = ImagNodeCauchy::new(&w, &vs);
        let nd = Nodes::cached(l);
        let wmax = w.iter().fold(0.0f64, |m, z| m.max(z.norm()));
        // (node, full index) pairs closer than τ·(t + max|w|): t_k increases with k,
        // so each mode needs one binary search.
        let resonant = resonances(&nd.t, &w, wmax);
        let nfin = nd.t.len();
        let mut spec = vec![Complex64::new(0.0, 0.0); l / 2 + 1];
        let m = r1 * r1;
        spec[..nfin]
            .par_chunks_mut(PAR_NODES)
            .zip(nd.t.par_chunks(PAR_NODES))
            .enumerate()
            .try_for_each(|(chunk, (out, ts))| -> Result<()> {
                let mut sums = vec![Complex64::new(0.0, 0.0); ts.len() * m];
                table.eval(ts, &mut sums);
                let mut flags = Vec::new();
                let first = chunk * PAR_NODES;
                let mut next = resonant.partition_point(|&(kk, _)| kk < first);
                for (k, (&t, o)) in ts.iter().zip(out.iter_mut()).enumerate() {
                    let z = Complex64::new(0.0, t);
                    flags.clear();
                    while next < resonant.len() && resonant[next].0 == first + k {
                        flags.push(resonant[next].1);
                        next += 1;
                    }
                    let fast = if flags.is_empty() {
                        woodbury(mode, &sums[k * m..(k + 1) * m], r)
                    } else {
                        None
                    };
                    let kh = match fast {
                        Some(v) => v,
                        None => match resolvent_node(z, &w, &xs, &ys, dt, &flags) {
                            Some(v) => v,
                            None if series_fallback => {
                                // Already includes the bilinear factor.
                                *o = self.series_node(b, l, chunk * PAR_NODES + k)?;
                                continue;
                            }
                            None => return Err(singular()),
                        },
                    };
                    // Bilinear correction 2/(1 + ω) = 1 + z/2 (ssm.py:876).
                    *o = Complex64::new(1.0, 0.5 * t) * kh;
                }
                Ok(())
            })?;
        if nd.nyquist {
            // ω = −1: C̃_f (I + Ā)^{-1} B̄_f = C̃_f Δ B_f / 2.
            let s: Complex64 = c_tilde.iter().zip(b).map(|(c, b)| c * b).sum();
            spec[l / 2] = Complex64::new(dt * s.re, 0.0);
        }
        Ok(spec)
    }

    /// Slow twin of [`DplrKernel::generating_function`]: at each node
    /// `z = 2(1 − ω)/(1 + ω)` formed from ω as s4 does, the plain double loop over
    /// the full conjugate-extended state and one small solve (no node tiles,
    /// no closed forms). Singular at a node that hits a mode, unlike the fast route.
    pub fn generating_function_naive(
        &self,
        c_tilde: &[Complex64],
        b: &[Complex64],
        l: usize,
    ) -> Result<Vec<Complex64>> {
        check_l(l)?;
        let h = self.modes();
        check_len("c_tilde", c_tilde, h)?;
        check_len("b", b, h)?;
        let dt = self.dt;
        let w: Vec<Complex64> = self.lambda.iter().map(|z| z * dt).collect();
        let (xs, ys) = self.stacks(c_tilde, b);
        let one = Complex64::new(1.0, 0.0);
        (0..=l / 2)
            .map(|k| {
                let om = super::omega(l, k);
                if 2 * k == l {
                    let s: Complex64 = c_tilde.iter().zip(b).map(|(c, b)| c * b).sum();
                    return Ok(Complex64::new(dt * s.re, 0.0));
                }
                let z = (one - om) * 2.0 / (one + om);
                let kh = resolvent_node(z, &w, &xs, &ys, dt, &[]).ok_or_else(singular)?;
                Ok(kh * (2.0 / (one + om)))
            })
            .collect()
    }

    /// Rows `x = [C̃, conj p_1, …]` and columns `y = [B, p_1, …]` (ssm.py:837-840).
    fn stacks(
        &self,
        c_tilde: &[Complex64],
        b: &[Complex64],
    ) -> (Vec<Vec<Complex64>>, Vec<Vec<Complex64>>) {
        let mut xs = vec![c_tilde.to_vec()];
        let mut ys = vec![b.to_vec()];
        for pj in &self.p {
            xs.push(pj.iter().map(|z| z.conj()).collect());
            ys.push(pj.clone());
        }
        (xs, ys)
    }

    /// Input vector B' whose kernel is the zero-input response of the state `s0`
    /// (ssm.py DPLR `forward(state=…)`): `B̄' = Ā s0` needs `B' = s0/Δ + A s0/2`.
    pub fn state_input(&self, s0: &[Complex64]) -> Result<Vec<Complex64>> {
        check_len("state", s0, self.modes())?;
        let a_s = self.apply_a(s0);
        Ok(s0
            .iter()
            .zip(&a_s)
            .map(|(s, a)| s / self.dt + a * 0.5)
            .collect())
    }

    /// `y_k = C Ā^{k+1} s0`, k < l: what the half state `s0` (before the first
    /// input) adds to the output of the convolution.
    pub fn state_kernel(&self, s0: &[Complex64], l: usize) -> Result<Vec<f64>> {
        let bp = self.state_input(s0)?;
        self.kernel_own(&bp, l, Woodbury::Auto)
    }
}

impl ConvKernel for DplrKernel {
    fn kernel(&self, l: usize) -> Result<Vec<f64>> {
        DplrKernel::kernel(self, l)
    }
}

fn rank_mismatch(mode: Woodbury, r: usize) -> S4Error {
    S4Error::InvalidOption {
        option: "woodbury",
        reason: format!(
            "{mode:?} needs a rank-{} correction, the kernel has rank {r}",
            match mode {
                Woodbury::Rank1 => 1,
                _ => 2,
            }
        ),
    }
}

/// Pairs (k, f), sorted by k, of nodes `z_k = i t_k` and full indices f (n for
/// `z − w_n`, N/2 + n for `z − w̄_n`) with `|z_k − w| < τ·(t_k + wmax)`, τ =
/// [`RESONANCE_TOL`]. `t` is increasing and ≥ 0, so the nodes near `Im w = ±t_k`
/// are found by binary search.
fn resonances(t: &[f64], w: &[Complex64], wmax: f64) -> Vec<(usize, usize)> {
    let h = w.len();
    let mut out = Vec::new();
    let Some(&tmax) = t.last() else {
        return out;
    };
    let reach = RESONANCE_TOL * (tmax + wmax);
    for (i, wi) in w.iter().enumerate() {
        if wi.re.abs() >= reach {
            continue;
        }
        // z − w_n = −a + i(t − b): t near b; z − w̄_n = −a + i(t + b): t near −b.
        for (centre, f) in [(wi.im, i), (-wi.im, h + i)] {
            let lo = t.partition_point(|&tk| tk < centre - reach);
            for (k, &tk) in t.iter().enumerate().skip(lo) {
                if tk > centre + reach {
                    break;
                }
                let tol = RESONANCE_TOL * (tk + wmax);
                let d = tk - centre;
                if wi.re * wi.re + d * d < tol * tol {
                    out.push((k, f));
                }
            }
        }
    }
    out.sort_unstable();
    out
}

fn singular() -> S4Error {
    S4Error::Numerical {
        context: "S4 Woodbury solve",
        reason: "z − ΔA is singular at a frequency node (an eigenvalue of ΔA equals a node z_k = 2i·tan(πk/L), e.g. a mode that never decays) and C̃, B do not avoid the singular direction, so C̃ alone does not determine the kernel; use DplrKernel::kernel, which knows C, or the dense kernel".to_string(),
    }
}

/// Relative size below which a Woodbury denominator counts as cancelled.
const CANCEL_TOL: f64 = 1e-10;

/// `r00 − r_{0P} (I + R_{PP})^{-1} r_{P0}` from the `(r+1)²` Cauchy sums
/// `s[i·(r+1) + j]` (ssm.py:849-873). `None` when the capacitance matrix is
/// (nearly) singular; the caller then uses [`resolvent_node`].
fn woodbury(mode: Woodbury, s: &[Complex64], r: usize) -> Option<Complex64> {
    let one = Complex64::new(1.0, 0.0);
    let zero = Complex64::new(0.0, 0.0);
    let out = match (mode, r) {
        (_, 0) => s[0],
        (Woodbury::Auto | Woodbury::Rank1, 1) => {
            // ssm.py:849-850.
            let den = one + s[3];
            // |den| ≤ tol·(1 + |r11|), squared and bounded without square roots.
            if den.norm_sqr() <= 2.0 * CANCEL_TOL * CANCEL_TOL * (1.0 + s[3].norm_sqr()) {
                return None;
            }
            s[0] - s[1] * s[2] / den
        }
        (Woodbury::Auto | Woodbury::Rank2, 2) => {
            // ssm.py:851-864: the inverse of [[1 + r11, r12], [r21, 1 + r22]].
            let (r00, r01, r02) = (s[0], s[1], s[2]);
            let (r10, r11, r12) = (s[3], s[4], s[5]);
            let (r20, r21, r22) = (s[6], s[7], s[8]);
            let det = (one + r11) * (one + r22) - r12 * r21;
            let size2 = ((one + r11) * (one + r22)).norm_sqr() + (r12 * r21).norm_sqr();
            if det.norm_sqr() <= 2.0 * CANCEL_TOL * CANCEL_TOL * size2 {
                return None;
            }
            let num = r01 * ((one + r22) * r10 - r12 * r20) + r02 * ((one + r11) * r20 - r21 * r10);
            r00 - num / det
        }
        _ => {
            // ssm.py:865-873: solve (I + R_PP) u = r_P0.
            let r1 = r + 1;
            let mut q = vec![zero; r * r];
            let mut u = vec![zero; r];
            for i in 0..r {
                for j in 0..r {
                    q[i * r + j] = s[(i + 1) * r1 + j + 1] + if i == j { one } else { zero };
                }
                u[i] = s[(i + 1) * r1];
            }
            if solve_small(&mut q, &mut u) != SmallSolve::Regular {
                return None;
            }
            let corr: Complex64 = (0..r).map(|j| s[j + 1] * u[j]).sum();
            s[0] - corr
        }
    };
    (out.re.is_finite() && out.im.is_finite()).then_some(out)
}

/// `Δ x0 (z − ΔA)^{-1} y0` over the full conjugate-extended state by the enlarged
/// Woodbury identity of the module docs; `flags` lists full indices (n or N/2 + n)
/// whose diagonal entries are moved into the low-rank part. With no flags this is
/// the plain general-rank Woodbury formula evaluated by a double loop.
/// `None` when the enlarged system is singular and inconsistent.
fn resolvent_node(
    z: Complex64,
    w: &[Complex64],
    xs: &[Vec<Complex64>],
    ys: &[Vec<Complex64>],
    dt: f64,
    flags: &[usize],
) -> Option<Complex64> {
    let h = w.len();
    let r1 = xs.len();
    let r = r1 - 1;
    let one = Complex64::new(1.0, 0.0);
    let zero = Complex64::new(0.0, 0.0);
    let val = |v: &Vec<Complex64>, f: usize| if f < h { v[f] } else { v[f - h].conj() };
    let diag = |f: usize| if f < h { z - w[f] } else { z - w[f - h].conj() };
    let mut s = vec![zero; r1 * r1];
    let mut xv = vec![zero; r1];
    for f in 0..2 * h {
        let d = if flags.contains(&f) { one } else { diag(f) };
        let inv = one / d;
        for (i, x) in xs.iter().enumerate() {
            xv[i] = val(x, f) * inv;
        }
        for (j, y) in ys.iter().enumerate() {
            let yv = val(y, f);
            for i in 0..r1 {
                s[i * r1 + j] += xv[i] * yv;
            }
        }
    }
    let e = r + flags.len();
    if e == 0 {
        return Some(s[0] * dt);
    }
    // Q = G^{-1} + V* D_reg^{-1} U over the enlarged rank; rhs = V* D_reg^{-1} y0.
    let mut q = vec![zero; e * e];
    let mut rhs = vec![zero; e];
    let mut row0 = vec![zero; e];
    for a in 0..e {
        for bidx in 0..e {
            let v = match (a < r, bidx < r) {
                (true, true) => s[(a + 1) * r1 + bidx + 1],
                (true, false) => val(&xs[a + 1], flags[bidx - r]),
                (false, true) => val(&ys[bidx + 1], flags[a - r]),
                (false, false) => {
                    if a == bidx {
                        one
                    } else {
                        zero
                    }
                }
            };
            q[a * e + bidx] = v;
        }
        q[a * e + a] += if a < r {
            Complex64::new(1.0 / dt, 0.0)
        } else {
            one / (diag(flags[a - r]) - one)
        };
        rhs[a] = if a < r {
            s[(a + 1) * r1]
        } else {
            val(&ys[0], flags[a - r])
        };
        row0[a] = if a < r {
            s[a + 1]
        } else {
            val(&xs[0], flags[a - r])
        };
    }
    // A consistent singular system (z − ΔA singular on a mode that neither C̃ nor
    // B reaches, e.g. FouT's dead sin(0·) state at z = 0): any solution u gives
    // the same C̃x, x = D_reg^{-1}(y0 − U u).
    if solve_small(&mut q, &mut rhs) == SmallSolve::Failed {
        return None;
    }
    let corr: Complex64 = row0.iter().zip(&rhs).map(|(a, b)| a * b).sum();
    let out = (s[0] - corr) * dt;
    (out.re.is_finite() && out.im.is_finite()).then_some(out)
}
