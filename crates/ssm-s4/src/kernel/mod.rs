//! Convolution kernels `K_ℓ = C Ā^ℓ B̄`, ℓ = 0..L−1, of the S4 family, each fast
//! route with a dense or naive twin:
//!
//! * [`dplr`]: S4, diagonal plus low rank, through the truncated generating
//!   function at the roots of unity, Cauchy sums and a Woodbury solve
//!   (S4 paper Alg. 1 and Thm 3; ssm.py:683-890).
//! * [`diag`]: S4D, diagonal, through a log-Vandermonde product (ssm.py:569-636).
//! * [`dss`]: DSS with the softmax-normalised Vandermonde rows (ssm.py:605-625).
//! * [`dense`]: the ground truth, Krylov of the discretised dense system (ssm-hippo).
//!
//! Helpers shared by them live here: the frequency nodes, the inverse real FFT,
//! the realification of a half-basis complex system, the command-line entry
//! [`cli_kernel`].

pub mod dense;
pub mod diag;
pub mod dplr;
pub mod dss;

use std::collections::HashMap;
use std::f64::consts::PI;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};

use nalgebra::{DMatrix, DVector};
use num_complex::Complex64;
use rayon::prelude::*;
use rustfft::{Fft, FftPlanner};
use serde::{Deserialize, Serialize};
use ssm_hippo::{Discretization, Measure};

use crate::error::{check_dt, check_even_n, check_l, Result, S4Error};
use crate::init::DiagInit;

pub use dense::DenseKernel;
pub use diag::DiagKernel;
pub use dplr::{DplrKernel, Woodbury};
pub use dss::DssKernel;

/// A single-channel convolution kernel.
pub trait ConvKernel {
    /// `K_0 … K_{l−1}`.
    fn kernel(&self, l: usize) -> Result<Vec<f64>>;
}

/// The kernels of H independent channels, computed in parallel (rayon over channels).
pub fn kernels_par<K: ConvKernel + Sync>(channels: &[K], l: usize) -> Result<Vec<Vec<f64>>> {
    check_l(l)?;
    channels.par_iter().map(|k| k.kernel(l)).collect()
}

/// The frequency nodes of the S4 generating function (ssm.py:711-732).
///
/// `ω_k = exp(−2πik/L)`, k = 0..⌊L/2⌋, and `z_k = 2(1 − ω_k)/(1 + ω_k) = 2i·tan(πk/L)`:
/// every z_k is purely imaginary, `z_k = i·t_k`. The bilinear factor is
/// `2/(1 + ω_k) = 1 + z_k/2`. For even L the node k = L/2 has ω = −1 and z = ∞;
/// it is kept apart (`nyquist`) and evaluated through its limit.
#[derive(Debug, Clone, PartialEq)]
pub struct Nodes {
    /// Kernel length L.
    pub l: usize,
    /// `t_k = 2 tan(πk/L)` for the finite nodes k = 0..t.len().
    pub t: Vec<f64>,
    /// True when L is even, i.e. the spectrum also has the node ω = −1.
    pub nyquist: bool,
}

/// Nodes for length `l ≥ 1`. `tan(πk/L)` is evaluated through `cot(π(L − 2k)/(2L))`
/// for k > L/4, so that t_k keeps full relative precision next to ω = −1.
pub fn nodes(l: usize) -> Nodes {
    let lf = l as f64;
    let nyquist = l % 2 == 0;
    let count = if nyquist { l / 2 } else { l / 2 + 1 };
    let t = (0..count)
        .map(|k| {
            if 4 * k <= l {
                2.0 * (PI * k as f64 / lf).tan()
            } else {
                2.0 / (PI * (l - 2 * k) as f64 / (2.0 * lf)).tan()
            }
        })
        .collect();
    Nodes { l, t, nyquist }
}

impl Nodes {
    /// [`nodes`] through a process-wide cache (the tangents cost as much as a
    /// quarter of a channel's Cauchy sums).
    pub fn cached(l: usize) -> Arc<Nodes> {
        static CACHE: OnceLock<Mutex<HashMap<usize, Arc<Nodes>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
        let mut guard = match cache.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        guard.entry(l).or_insert_with(|| Arc::new(nodes(l))).clone()
    }
}

/// `ω_k = exp(−2πik/L)` (ssm.py:711-732).
pub fn omega(l: usize, k: usize) -> Complex64 {
    Complex64::from_polar(1.0, -2.0 * PI * k as f64 / l as f64)
}

/// Inverse real FFT of length L: given `X_k`, k = 0..=⌊L/2⌋, of a real signal
/// (`X_k = Σ_ℓ x_ℓ ω_k^ℓ`), returns x (numpy `irfft(X, n=L)`; ssm.py:879-882).
/// Imaginary parts of X_0 and, for even L, X_{L/2} are ignored.
///
/// Even L uses one complex FFT of length L/2 on the packed
/// `z_m = x_{2m} + i x_{2m+1}`: with M = L/2,
/// `E_k = (X_k + X̄_{M−k})/2`, `O_k = (X_k − X̄_{M−k})·e^{2πik/L}/2`, `Z_k = E_k + i O_k`.
/// Odd L uses a complex FFT of length L on the Hermitian extension.
pub struct Irfft {
    l: usize,
    fft: Arc<dyn Fft<f64>>,
    twiddle: Vec<Complex64>,
}

impl Irfft {
    /// Plans the transform for length `l ≥ 1`.
    pub fn new(l: usize) -> Self {
        let mut planner = FftPlanner::<f64>::new();
        if l % 2 == 0 {
            let m = l / 2;
            let twiddle = (0..m)
                .map(|k| Complex64::from_polar(1.0, 2.0 * PI * k as f64 / l as f64))
                .collect();
            Self {
                l,
                fft: planner.plan_fft_inverse(m),
                twiddle,
            }
        } else {
            Self {
                l,
                fft: planner.plan_fft_inverse(l),
                twiddle: Vec::new(),
            }
        }
    }

    /// A plan shared through a process-wide cache.
    pub fn cached(l: usize) -> Arc<Irfft> {
        static CACHE: OnceLock<Mutex<HashMap<usize, Arc<Irfft>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
        let mut guard = match cache.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        guard
            .entry(l)
            .or_insert_with(|| Arc::new(Irfft::new(l)))
            .clone()
    }

    /// Length L of the output.
    pub fn len(&self) -> usize {
        self.l
    }

    /// Always false (L ≥ 1); present for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        self.l == 0
    }

    /// The signal of length L from its half spectrum (length ⌊L/2⌋ + 1).
    pub fn process(&self, spec: &[Complex64]) -> Vec<f64> {
        let l = self.l;
        assert_eq!(spec.len(), l / 2 + 1, "Irfft::process: spectrum length");
        if l == 1 {
            return vec![spec[0].re];
        }
        let zero = Complex64::new(0.0, 0.0);
        if l % 2 == 0 {
            let m = l / 2;
            let x = |k: usize| -> Complex64 {
                if k == 0 || k == m {
                    Complex64::new(spec[k].re, 0.0)
                } else {
                    spec[k]
                }
            };
            let mut buf: Vec<Complex64> = (0..m)
                .map(|k| {
                    let a = x(k);
                    let b = x(m - k).conj();
                    let e = (a + b) * 0.5;
                    let o = (a - b) * self.twiddle[k] * 0.5;
                    e + Complex64::new(-o.im, o.re)
                })
                .collect();
            self.fft.process(&mut buf);
            let scale = 1.0 / m as f64;
            let mut out = Vec::with_capacity(l);
            for z in buf {
                out.push(z.re * scale);
                out.push(z.im * scale);
            }
            out
        } else {
            let mut buf = vec![zero; l];
            buf[0] = Complex64::new(spec[0].re, 0.0);
            for k in 1..spec.len() {
                buf[k] = spec[k];
                buf[l - k] = spec[k].conj();
            }
            self.fft.process(&mut buf);
            let scale = 1.0 / l as f64;
            buf.iter().map(|z| z.re * scale).collect()
        }
    }
}

/// Real system equivalent to a half-basis complex one.
///
/// The complex state s (N/2 modes) stands for the conjugate-symmetric full
/// state `[s; s̄]`; with `ŝ = [Re s; Im s]` (N real entries)
///
/// * `Λs` becomes the blocks `[[Re Λ, −Im Λ], [Im Λ, Re Λ]]`;
/// * the rank-r term `P P* [s; s̄] = Σ_j p_j · 2 Re(p_j^H s)` becomes `Σ_j 2 p̂_j p̂_jᵀ`,
///   `p̂ = [Re p; Im p]`;
/// * `B → [Re b; Im b]`; the output `factor·Re(c·s)` becomes `factor·[Re c; −Im c]`.
///
/// Returns `(A, B, C)` with `A = blocks(Λ) − Σ_j 2 p̂_j p̂_jᵀ`.
pub fn realify(
    lambda: &[Complex64],
    p: &[Vec<Complex64>],
    b: &[Complex64],
    c: &[Complex64],
    factor: f64,
) -> (DMatrix<f64>, DVector<f64>, DVector<f64>) {
    let h = lambda.len();
    let n = 2 * h;
    let mut a = DMatrix::<f64>::zeros(n, n);
    for (i, z) in lambda.iter().enumerate() {
        a[(i, i)] = z.re;
        a[(i, h + i)] = -z.im;
        a[(h + i, i)] = z.im;
        a[(h + i, h + i)] = z.re;
    }
    for pj in p {
        let ph: Vec<f64> = pj
            .iter()
            .map(|z| z.re)
            .chain(pj.iter().map(|z| z.im))
            .collect();
        for r in 0..n {
            for col in 0..n {
                a[(r, col)] -= 2.0 * ph[r] * ph[col];
            }
        }
    }
    let bv = DVector::from_iterator(n, b.iter().map(|z| z.re).chain(b.iter().map(|z| z.im)));
    let cv = DVector::from_iterator(
        n,
        c.iter()
            .map(|z| factor * z.re)
            .chain(c.iter().map(|z| -factor * z.im)),
    );
    (a, bv, cv)
}

/// Pivots below this fraction of the largest entry count as zero in [`solve_small`].
pub(crate) const PIVOT_TOL: f64 = 1e-11;

/// Outcome of [`solve_small`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SmallSolve {
    /// Full rank.
    Regular,
    /// Rank deficient but consistent: one solution (free variables 0) was returned.
    Deficient,
    /// Rank deficient and inconsistent (or non-finite): no solution.
    Failed,
}

/// Solves the small dense complex system `a·x = b` in place (`a` row-major n×n,
/// `b` of length n, overwritten by x) by Gaussian elimination with complete
/// pivoting. Pivots below [`PIVOT_TOL`] times the largest entry are treated as
/// zero: a consistent rank-deficient system gets the solution with those free
/// variables set to 0 (any solution serves the Woodbury formulas, see
/// `dplr::resolvent_node`).
pub(crate) fn solve_small(a: &mut [Complex64], b: &mut [Complex64]) -> SmallSolve {
    let n = b.len();
    debug_assert_eq!(a.len(), n * n);
    let scale = a.iter().fold(0.0f64, |m, z| m.max(z.norm()));
    let bscale = b.iter().fold(0.0f64, |m, z| m.max(z.norm()));
    if !scale.is_finite() || !bscale.is_finite() {
        return SmallSolve::Failed;
    }
    let mut perm: Vec<usize> = (0..n).collect();
    let mut rank = n;
    for k in 0..n {
        let (mut pr, mut pc, mut best) = (k, k, -1.0f64);
        for r in k..n {
            for c in k..n {
                let v = a[r * n + c].norm();
                if v > best {
                    best = v;
                    pr = r;
                    pc = c;
                }
            }
        }
        if best <= PIVOT_TOL * scale {
            rank = k;
            break;
        }
        if pr != k {
            for c in 0..n {
                a.swap(k * n + c, pr * n + c);
            }
            b.swap(k, pr);
        }
        if pc != k {
            for r in 0..n {
                a.swap(r * n + k, r * n + pc);
            }
            perm.swap(k, pc);
        }
        let d = a[k * n + k];
        for r in k + 1..n {
            let f = a[r * n + k] / d;
            if f != Complex64::new(0.0, 0.0) {
                for c in k..n {
                    let v = a[k * n + c];
                    a[r * n + c] -= f * v;
                }
                let bk = b[k];
                b[r] -= f * bk;
            }
        }
    }
    if (rank..n).any(|r| b[r].norm() > 1e-8 * bscale.max(f64::MIN_POSITIVE)) {
        return SmallSolve::Failed;
    }
    let mut y = vec![Complex64::new(0.0, 0.0); n];
    for k in (0..rank).rev() {
        let mut s = b[k];
        for c in k + 1..rank {
            s -= a[k * n + c] * y[c];
        }
        y[k] = s / a[k * n + k];
    }
    for (k, &col) in perm.iter().enumerate() {
        b[col] = y[k];
    }
    if rank == n {
        SmallSolve::Regular
    } else {
        SmallSolve::Deficient
    }
}

/// Which kernel `ssm-lab kernel --model` computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KernelModel {
    /// Dense ground truth: Krylov of the discretised HiPPO system.
    Dense,
    /// S4: DPLR form of the HiPPO system, Cauchy + Woodbury.
    S4,
    /// S4D: diagonal, log-Vandermonde.
    S4d,
    /// DSS: diagonal, softmax-normalised Vandermonde.
    Dss,
}

/// Names accepted by `KernelModel::from_str`.
pub const KERNEL_MODEL_NAMES: &str = "dense, s4 (dplr), s4d (diag), dss";

impl KernelModel {
    /// The name `FromStr` accepts.
    pub fn name(&self) -> &'static str {
        match self {
            KernelModel::Dense => "dense",
            KernelModel::S4 => "s4",
            KernelModel::S4d => "s4d",
            KernelModel::Dss => "dss",
        }
    }

    /// The discretization used when none is given: bilinear for dense and S4
    /// (ssm.py:298-318, 876), ZOH for S4D and DSS (s4d.py:44, ssm.py:605-625).
    pub fn default_discretization(&self) -> Discretization {
        match self {
            KernelModel::Dense | KernelModel::S4 => Discretization::Bilinear,
            KernelModel::S4d | KernelModel::Dss => Discretization::Zoh,
        }
    }
}

impl fmt::Display for KernelModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for KernelModel {
    type Err = S4Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "dense" | "krylov" => Ok(KernelModel::Dense),
            "s4" | "dplr" | "nplr" => Ok(KernelModel::S4),
            "s4d" | "diag" => Ok(KernelModel::S4d),
            "dss" => Ok(KernelModel::Dss),
            _ => Err(S4Error::UnknownName {
                option: "--model",
                name: s.to_string(),
                valid: KERNEL_MODEL_NAMES,
            }),
        }
    }
}

/// Dense kernels above this many N²·L flops use the blocked Krylov route.
const DENSE_NAIVE_LIMIT: f64 = 1.5e8;

/// The kernel `ssm-lab kernel` prints.
///
/// * `dense`: `transition(measure, n)`, C = 1 in the original basis, discretised
///   with `discretization` (bilinear by default), Krylov.
/// * `s4`: the same system in DPLR form (`nplr(measure, n)`, C projected into the
///   V basis, `C̃ = C(I − Ā^L)`), Cauchy + Woodbury — the same kernel as `dense`
///   with the bilinear rule. Other rules are rejected (`--discretization`).
/// * `s4d` / `dss`: N is the real state size, so N/2 complex modes from `init`,
///   conjugate pairs (kernel = 2·Re Σ), B = C = 1 in the diagonal basis; ZOH by
///   default (`dss` only supports ZOH).
///
/// Errors name the option: `--n` (zero, or odd for s4/s4d/dss/fout), `--l` (0),
/// `--dt` (≤ 0 or not finite), `--measure` (no NPLR form for `s4`, invalid
/// parameters), `--discretization`.
pub fn cli_kernel(
    model: KernelModel,
    measure: Measure,
    init: DiagInit,
    n: usize,
    l: usize,
    dt: f64,
    discretization: Option<Discretization>,
) -> Result<Vec<f64>> {
    check_l(l)?;
    check_dt(dt)?;
    if n == 0 {
        return Err(S4Error::InvalidOption {
            option: "--n",
            reason: "the state size must be at least 1, got 0".to_string(),
        });
    }
    let disc = discretization.unwrap_or_else(|| model.default_discretization());
    disc.validate().map_err(|e| S4Error::InvalidOption {
        option: "--discretization",
        reason: e.to_string(),
    })?;
    match model {
        KernelModel::Dense | KernelModel::S4 => {
            measure.validate().map_err(|e| S4Error::InvalidOption {
                option: "--measure",
                reason: e.to_string(),
            })?;
            if measure.needs_even_n() && n % 2 == 1 {
                return Err(S4Error::InvalidOption {
                    option: "--n",
                    reason: format!(
                        "measure `{}` pairs cosine and sine rows, so N must be even; got {n}",
                        measure.name()
                    ),
                });
            }
        }
        KernelModel::S4d | KernelModel::Dss => check_even_n(n, model.name())?,
    }
    match model {
        KernelModel::Dense => {
            let k = DenseKernel::from_hippo(measure, n, dt, disc, None)?;
            if (n * n) as f64 * l as f64 <= DENSE_NAIVE_LIMIT {
                k.kernel_naive(l)
            } else {
                k.kernel_blocked(l)
            }
        }
        KernelModel::S4 => {
            if disc != Discretization::Bilinear {
                return Err(S4Error::InvalidOption {
                    option: "--discretization",
                    reason: format!(
                        "the S4 DPLR kernel is built on the bilinear rule (its 2/(1+ω) factor, ssm.py:876); got `{disc}`, use --model dense for other rules"
                    ),
                });
            }
            if !measure.has_nplr() {
                return Err(S4Error::InvalidOption {
                    option: "--measure",
                    reason: format!(
                        "measure `{}` has no NPLR (normal plus low-rank) form; S4 supports legs, legt, lagt and fout (use --model dense for the others)",
                        measure.name()
                    ),
                });
            }
            check_even_n(n, "S4 DPLR")?;
            DplrKernel::from_hippo(measure, n, dt)?.kernel(l)
        }
        KernelModel::S4d => {
            let lambda = init.lambda(n)?;
            let ones = vec![Complex64::new(1.0, 0.0); lambda.len()];
            DiagKernel::new(lambda, ones.clone(), ones, dt, disc, true)?.kernel(l)
        }
        KernelModel::Dss => {
            if disc != Discretization::Zoh {
                return Err(S4Error::InvalidOption {
                    option: "--discretization",
                    reason: format!(
                        "DSS is defined with the exponential (ZOH) Vandermonde rows; got `{disc}`"
                    ),
                });
            }
            let lambda = init.lambda(n)?;
            let ones = vec![Complex64::new(1.0, 0.0); lambda.len()];
            DssKernel::new(lambda, ones, dt, true)?.kernel(l)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_irfft(spec: &[Complex64], l: usize) -> Vec<f64> {
        (0..l)
            .map(|j| {
                let mut s = 0.0;
                for k in 0..l {
                    let xk = if k < spec.len() {
                        if k == 0 || 2 * k == l {
                            Complex64::new(spec[k].re, 0.0)
                        } else {
                            spec[k]
                        }
                    } else {
                        spec[l - k].conj()
                    };
                    s += (xk * Complex64::from_polar(1.0, 2.0 * PI * (k * j) as f64 / l as f64)).re;
                }
                s / l as f64
            })
            .collect()
    }

    #[test]
    fn irfft_matches_naive_dft() {
        for l in [1usize, 2, 3, 4, 7, 8, 30, 64] {
            let spec: Vec<Complex64> = (0..l / 2 + 1)
                .map(|k| Complex64::new((k as f64 * 0.7).sin() + 1.0, (k as f64 * 1.3).cos()))
                .collect();
            let a = Irfft::new(l).process(&spec);
            let b = naive_irfft(&spec, l);
            for (x, y) in a.iter().zip(&b) {
                assert!((x - y).abs() < 1e-12, "l={l}: {x} vs {y}");
            }
        }
    }

    #[test]
    fn nodes_are_bilinear_images_of_roots_of_unity() {
        for l in [1usize, 6, 7, 64, 1001] {
            let nd = nodes(l);
            for (k, &t) in nd.t.iter().enumerate() {
                let w = omega(l, k);
                let z = (Complex64::new(1.0, 0.0) - w) * 2.0 / (Complex64::new(1.0, 0.0) + w);
                assert!((z - Complex64::new(0.0, t)).norm() <= 1e-12 * (1.0 + t.abs()));
            }
            assert_eq!(nd.nyquist, l % 2 == 0);
        }
    }
}
