//! Cauchy sums `r(z) = Σ_n v_n / (z − w_n)` (s4 src/models/functional/cauchy.py:32-43
//! naive; ssm.py:846 calls it with the conjugate pairs added).
//!
//! The S4 kernel keeps one mode of each conjugate pair, so its sums run over
//! `v_n/(z − w_n) + v̄_n/(z − w̄_n)` ([`cauchy_conj_naive`], [`cauchy_conj`]).
//!
//! Its nodes are purely imaginary: `z_k = 2(1 − ω_k)/(1 + ω_k) = 2i·tan(πk/L)`
//! (lineage.md §1, ssm.py:711-732). [`ImagNodeCauchy`] uses that: the pair of a
//! mode `w = a + ib` at `z = it` shares one denominator,
//!
//! ```text
//! v/(z − w) + v̄/(z − w̄) = (β + i·α·t) / ((a² + b² − t²) − 2i·a·t),
//! α = 2 Re v,  β = −2 (Re v·a + Im v·b),
//! ```
//!
//! so each (node, mode) costs one real division shared by all numerators. Nodes
//! are processed in tiles of [`TILE`] (one lane per node, vectorisable), the
//! mode table (struct of arrays) stays in L1.

use num_complex::Complex64;
use rayon::prelude::*;

/// Nodes per tile of [`ImagNodeCauchy::eval`].
pub const TILE: usize = 4;

/// Nodes per rayon task of the parallel evaluations.
const PAR_NODES: usize = 256;

/// Naive Cauchy sum `r_k = Σ_n v_n/(z_k − w_n)` (cauchy.py:32-43), O(|z|·|w|).
pub fn cauchy_naive(v: &[Complex64], z: &[Complex64], w: &[Complex64]) -> Vec<Complex64> {
    assert_eq!(v.len(), w.len(), "cauchy_naive: v and w differ in length");
    z.iter()
        .map(|&zk| {
            v.iter()
                .zip(w)
                .map(|(&vn, &wn)| vn / (zk - wn))
                .sum::<Complex64>()
        })
        .collect()
}

/// Naive Cauchy sum with the conjugate pairs added:
/// `r_k = Σ_n v_n/(z_k − w_n) + v̄_n/(z_k − w̄_n)` (the `cauchy_conj` of s4).
pub fn cauchy_conj_naive(v: &[Complex64], z: &[Complex64], w: &[Complex64]) -> Vec<Complex64> {
    assert_eq!(
        v.len(),
        w.len(),
        "cauchy_conj_naive: v and w differ in length"
    );
    z.iter().map(|&zk| conj_sum_at(v, zk, w)).collect()
}

fn conj_sum_at(v: &[Complex64], zk: Complex64, w: &[Complex64]) -> Complex64 {
    v.iter()
        .zip(w)
        .map(|(&vn, &wn)| vn / (zk - wn) + vn.conj() / (zk - wn.conj()))
        .sum()
}

/// [`cauchy_conj_naive`] with the nodes split over rayon tasks.
pub fn cauchy_conj(v: &[Complex64], z: &[Complex64], w: &[Complex64]) -> Vec<Complex64> {
    assert_eq!(v.len(), w.len(), "cauchy_conj: v and w differ in length");
    let mut out = vec![Complex64::new(0.0, 0.0); z.len()];
    out.par_chunks_mut(PAR_NODES)
        .zip(z.par_chunks(PAR_NODES))
        .for_each(|(o, zs)| {
            for (ok, &zk) in o.iter_mut().zip(zs) {
                *ok = conj_sum_at(v, zk, w);
            }
        });
    out
}

/// Conjugate-pair Cauchy sums of several numerator vectors sharing the modes
/// `w`, evaluated at purely imaginary nodes `z = i·t` (see the module docs).
#[derive(Debug, Clone)]
pub struct ImagNodeCauchy {
    /// Re w_n.
    a: Vec<f64>,
    /// Im w_n.
    b: Vec<f64>,
    /// α_{n,j} = 2 Re v_{j,n}, mode-major (`n·m + j`).
    alpha: Vec<f64>,
    /// β_{n,j} = −2 (Re v_{j,n} Re w_n + Im v_{j,n} Im w_n), mode-major.
    beta: Vec<f64>,
    /// Number of numerator vectors.
    m: usize,
}

impl ImagNodeCauchy {
    /// Table for the modes `w` and numerators `vs[j]` (each of length `w.len()`).
    pub fn new(w: &[Complex64], vs: &[Vec<Complex64>]) -> Self {
        let n = w.len();
        let m = vs.len();
        for v in vs {
            assert_eq!(
                v.len(),
                n,
                "ImagNodeCauchy: numerator length differs from modes"
            );
        }
        let a: Vec<f64> = w.iter().map(|z| z.re).collect();
        let b: Vec<f64> = w.iter().map(|z| z.im).collect();
        let mut alpha = Vec::with_capacity(m * n);
        let mut beta = Vec::with_capacity(m * n);
        for (i, wn) in w.iter().enumerate() {
            for v in vs {
                let vn = v[i];
                alpha.push(2.0 * vn.re);
                beta.push(-2.0 * (vn.re * wn.re + vn.im * wn.im));
            }
        }
        Self {
            a,
            b,
            alpha,
            beta,
            m,
        }
    }

    /// Number of numerator vectors.
    pub fn numerators(&self) -> usize {
        self.m
    }

    /// Writes `out[k·m + j] = Σ_n v_{j,n}/(i t_k − w_n) + v̄_{j,n}/(i t_k − w̄_n)`.
    /// Runs on the calling thread; `out.len()` must be `t.len()·m`. Uses an
    /// AVX2/FMA build of the loop when the CPU has it (same arithmetic, fused
    /// multiply-adds).
    pub fn eval(&self, t: &[f64], out: &mut [Complex64]) {
        assert_eq!(
            out.len(),
            t.len() * self.m,
            "ImagNodeCauchy::eval: output length"
        );
        if self.m == 0 || t.is_empty() {
            return;
        }
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                // SAFETY: the CPU supports the features the function is compiled for.
                unsafe { self.eval_avx2(t, out) };
                return;
            }
        }
        self.eval_dispatch(t, out);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn eval_avx2(&self, t: &[f64], out: &mut [Complex64]) {
        self.eval_dispatch(t, out);
    }

    #[inline(always)]
    fn eval_dispatch(&self, t: &[f64], out: &mut [Complex64]) {
        match self.m {
            1 => self.eval_fixed::<1>(t, out),
            4 => self.eval_fixed::<4>(t, out),
            9 => self.eval_fixed::<9>(t, out),
            16 => self.eval_fixed::<16>(t, out),
            _ => self.eval_any(t, out),
        }
    }

    /// Per-lane denominators of one mode: `e = conj(D)/|D|²` and `t·e`,
    /// `D = (z − w)(z − w̄) = a² + (b − t)(b + t) − 2i·a·t` (no cancellation at b ≈ t).
    #[inline(always)]
    fn lanes(a: f64, b: f64, tt: &[f64; TILE]) -> [[f64; TILE]; 4] {
        let a2 = a * a;
        let mut e = [[0.0f64; TILE]; 4];
        for q in 0..TILE {
            let tq = tt[q];
            let dre = a2 + (b - tq) * (b + tq);
            let dim = -2.0 * a * tq;
            let inv = 1.0 / (dre * dre + dim * dim);
            let ere = dre * inv;
            let eim = -dim * inv;
            e[0][q] = ere;
            e[1][q] = eim;
            e[2][q] = tq * ere;
            e[3][q] = tq * eim;
        }
        e
    }

    #[inline(always)]
    fn eval_fixed<const M: usize>(&self, t: &[f64], out: &mut [Complex64]) {
        for (tile, o) in t.chunks(TILE).zip(out.chunks_mut(TILE * M)) {
            let cnt = tile.len();
            // Unused lanes repeat the first node; their sums are dropped.
            let mut tt = [tile[0]; TILE];
            tt[..cnt].copy_from_slice(tile);
            let mut re = [[0.0f64; TILE]; M];
            let mut im = [[0.0f64; TILE]; M];
            for (((&a, &b), al), be) in self
                .a
                .iter()
                .zip(&self.b)
                .zip(self.alpha.chunks_exact(M))
                .zip(self.beta.chunks_exact(M))
            {
                let [ere, eim, tre, tim] = Self::lanes(a, b, &tt);
                for j in 0..M {
                    let (aj, bj) = (al[j], be[j]);
                    for q in 0..TILE {
                        re[j][q] += bj * ere[q] - aj * tim[q];
                        im[j][q] += bj * eim[q] + aj * tre[q];
                    }
                }
            }
            for q in 0..cnt {
                for j in 0..M {
                    o[q * M + j] = Complex64::new(re[j][q], im[j][q]);
                }
            }
        }
    }

    #[inline(always)]
    fn eval_any(&self, t: &[f64], out: &mut [Complex64]) {
        let m = self.m;
        let mut re = vec![[0.0f64; TILE]; m];
        let mut im = vec![[0.0f64; TILE]; m];
        for (tile, o) in t.chunks(TILE).zip(out.chunks_mut(TILE * m)) {
            let cnt = tile.len();
            let mut tt = [tile[0]; TILE];
            tt[..cnt].copy_from_slice(tile);
            for j in 0..m {
                re[j] = [0.0; TILE];
                im[j] = [0.0; TILE];
            }
            for (((&a, &b), al), be) in self
                .a
                .iter()
                .zip(&self.b)
                .zip(self.alpha.chunks_exact(m))
                .zip(self.beta.chunks_exact(m))
            {
                let [ere, eim, tre, tim] = Self::lanes(a, b, &tt);
                for (j, (&aj, &bj)) in al.iter().zip(be).enumerate() {
                    let (rj, ij) = (&mut re[j], &mut im[j]);
                    for q in 0..TILE {
                        rj[q] += bj * ere[q] - aj * tim[q];
                        ij[q] += bj * eim[q] + aj * tre[q];
                    }
                }
            }
            for q in 0..cnt {
                for j in 0..m {
                    o[q * m + j] = Complex64::new(re[j][q], im[j][q]);
                }
            }
        }
    }

    /// [`ImagNodeCauchy::eval`] with the nodes split over rayon tasks.
    pub fn eval_par(&self, t: &[f64]) -> Vec<Complex64> {
        let m = self.m;
        let mut out = vec![Complex64::new(0.0, 0.0); t.len() * m];
        if m == 0 {
            return out;
        }
        out.par_chunks_mut(PAR_NODES * m)
            .zip(t.par_chunks(PAR_NODES))
            .for_each(|(o, ts)| self.eval(ts, o));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(re: f64, im: f64) -> Complex64 {
        Complex64::new(re, im)
    }

    #[test]
    fn imag_nodes_match_naive_pairs() {
        let w = vec![c(-0.5, -3.0), c(-0.5, -1.0), c(0.0, -7.5), c(-2.0, 0.0)];
        let v1 = vec![c(1.0, 2.0), c(-0.3, 0.1), c(0.7, -1.1), c(2.0, 0.5)];
        let v2 = vec![c(0.0, 1.0), c(1.0, 0.0), c(-1.0, -1.0), c(0.25, 3.0)];
        let t: Vec<f64> = (0..19).map(|k| 0.37 * k as f64 - 2.0).collect();
        // m = 2 takes the generic loop; m = 4 a fixed-size one.
        let table = ImagNodeCauchy::new(&w, &[v1.clone(), v2.clone()]);
        let four = ImagNodeCauchy::new(&w, &[v1.clone(), v2.clone(), v1.clone(), v2.clone()]);
        let fast4 = four.eval_par(&t);
        for k in 0..t.len() {
            for j in 0..4 {
                let want = if j % 2 == 0 { v1.clone() } else { v2.clone() };
                let z = [Complex64::new(0.0, t[k])];
                let r = cauchy_conj_naive(&want, &z, &w)[0];
                assert!((fast4[4 * k + j] - r).norm() <= 1e-13 * (1.0 + r.norm()));
            }
        }
        let fast = table.eval_par(&t);
        let z: Vec<Complex64> = t.iter().map(|&tk| c(0.0, tk)).collect();
        let r1 = cauchy_conj_naive(&v1, &z, &w);
        let r2 = cauchy_conj(&v2, &z, &w);
        for k in 0..t.len() {
            assert!((fast[2 * k] - r1[k]).norm() <= 1e-13 * (1.0 + r1[k].norm()));
            assert!((fast[2 * k + 1] - r2[k]).norm() <= 1e-13 * (1.0 + r2[k].norm()));
        }
    }
}
