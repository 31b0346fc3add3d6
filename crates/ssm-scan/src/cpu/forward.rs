//! CPU forward: one rayon task per (batch, channel) row, time sequential, the N states in a
//! small array updated [`LANES`] at a time (the loop vectorises; AVX2+FMA when the CPU has it).

use rayon::prelude::*;

use super::pointwise::{deltas, sigmoids};
use super::{fast_exp, padded, transpose_bc, Problem, SharedMut, LANES, SEGMENT};
use crate::shapes::{BcLayout, ScanShape};

/// Per-call data shared by all rows: A and constant B/C padded to N′, variable B/C transposed.
pub(crate) struct Prepared {
    pub np: usize,
    pub a: Vec<f32>,
    pub b: Vec<f32>,
    pub c: Vec<f32>,
}

impl Prepared {
    pub fn new(p: &Problem<'_>) -> Self {
        let s = &p.shape;
        let np = padded(s.nstate);
        let mut a = vec![0.0f32; s.dim * np];
        for d in 0..s.dim {
            a[d * np..d * np + s.nstate].copy_from_slice(&p.a[d * s.nstate..(d + 1) * s.nstate]);
        }
        Prepared { np, a, b: transpose_bc(p.b, s.b, s), c: transpose_bc(p.c, s.c, s) }
    }

    /// The padded B or C vector of row (b, d) at time t.
    #[inline(always)]
    pub fn bc_at<'s>(&self, which: &'s [f32], layout: BcLayout, shape: &ScanShape, b: usize, d: usize, t: usize) -> &'s [f32] {
        let np = self.np;
        match layout {
            BcLayout::Constant => &which[d * np..(d + 1) * np],
            BcLayout::Variable { groups } => {
                let g = d / (shape.dim / groups);
                let base = ((b * groups + g) * shape.len + t) * np;
                &which[base..base + np]
            }
        }
    }
}

/// Steps whose Δ and gate are computed in one vectorised run.
const POINTWISE_RUN: usize = 64;

/// One state update over the padded state vector: h ← exp(Δ A) ⊙ h + (Δ u) B
/// (Mamba eq. (2a); reference kernel fwd 221-222), returning Σ C ⊙ h (eq. (2b); fwd 261-269).
#[inline(always)]
pub(crate) fn step(h: &mut [f32], a: &[f32], bv: &[f32], cv: &[f32], dt: f32, du: f32) -> f32 {
    let mut acc = [0.0f32; LANES];
    for (((h, a), b), c) in h
        .chunks_exact_mut(LANES)
        .zip(a.chunks_exact(LANES))
        .zip(bv.chunks_exact(LANES))
        .zip(cv.chunks_exact(LANES))
    {
        for j in 0..LANES {
            let da = fast_exp(dt * a[j]);
            h[j] = da * h[j] + du * b[j];
            acc[j] += c[j] * h[j];
        }
    }
    acc.iter().sum()
}

#[inline(always)]
fn row_impl(p: &Problem<'_>, pre: &Prepared, row: usize, y: &mut [f32], last: &mut [f32], ckpt: Option<&mut [f32]>, simd: bool) {
    let _ = simd;
    let s = &p.shape;
    let (np, n, len) = (pre.np, s.nstate, s.len);
    let (b, d) = (row / s.dim, row % s.dim);
    let mut h = vec![0.0f32; np];
    if let Some(h0) = p.h0 {
        h[..n].copy_from_slice(&h0[row * n..(row + 1) * n]);
    }
    let a = &pre.a[d * np..(d + 1) * np];
    let dskip = p.d.map(|x| x[d]).unwrap_or(0.0);
    let bias = p.bias.map(|x| x[d]).unwrap_or(0.0);
    let mut ckpt = ckpt;
    // Δ and σ(z) of a block of steps, computed ahead of the recurrence in vectorised runs.
    let (mut dts, mut sgz) = ([0.0f32; POINTWISE_RUN], [0.0f32; POINTWISE_RUN]);
    for t in 0..len {
        let i = t % POINTWISE_RUN;
        if i == 0 {
            let run = row * len + t..row * len + (t + POINTWISE_RUN).min(len);
            deltas(&p.delta[run.clone()], bias, p.softplus, &mut dts);
            if let Some(z) = p.z {
                sigmoids(&z[run], 0.0, &mut sgz);
            }
        }
        let ut = p.u[row * len + t];
        let dt = dts[i];
        let bv = pre.bc_at(&pre.b, s.b, s, b, d, t);
        let cv = pre.bc_at(&pre.c, s.c, s, b, d, t);
        #[cfg(target_arch = "x86_64")]
        let sum = if simd {
            // SAFETY: AVX2 + FMA present (checked by the caller); all slices hold np values.
            unsafe { super::simd::step(np, h.as_mut_ptr(), a.as_ptr(), bv.as_ptr(), cv.as_ptr(), dt, dt * ut) }
        } else {
            step(&mut h, a, bv, cv, dt, dt * ut)
        };
        #[cfg(not(target_arch = "x86_64"))]
        let sum = step(&mut h, a, bv, cv, dt, dt * ut);
        let mut yt = sum + dskip * ut;
        if let Some(z) = p.z {
            // out = y · silu(z) (fwd 285-303).
            yt *= z[row * len + t] * sgz[i];
        }
        y[t] = yt;
        if (t + 1) % SEGMENT == 0 || t + 1 == len {
            if let Some(ck) = ckpt.as_deref_mut() {
                let seg = t / SEGMENT;
                ck[seg * n..(seg + 1) * n].copy_from_slice(&h[..n]);
            }
        }
    }
    last.copy_from_slice(&h[..n]);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn row_avx2(p: &Problem<'_>, pre: &Prepared, row: usize, y: &mut [f32], last: &mut [f32], ckpt: Option<&mut [f32]>) {
    row_impl(p, pre, row, y, last, ckpt, true)
}

/// Runs the forward scan. `y` (batch, D, L), `last` (batch, D, N), and when given `ckpt`
/// (batch, D, ceil(L / SEGMENT), N): the state after the last step of each segment.
pub fn forward(p: &Problem<'_>, y: &mut [f32], last: &mut [f32], ckpt: Option<&mut [f32]>) {
    let s = &p.shape;
    let pre = Prepared::new(p);
    let nseg = super::n_segments(s.len);
    let per_row_ck = nseg * s.nstate;
    let ck = ckpt.map(|c| SharedMut(c.as_mut_ptr()));
    let avx2 = super::uses_avx2();
    y.par_chunks_mut(s.len).zip(last.par_chunks_mut(s.nstate)).enumerate().for_each(|(row, (y, last))| {
        // SAFETY: row ranges of the stored states are disjoint.
        let ckrow = ck.map(|c| unsafe { c.slice(row * per_row_ck, per_row_ck) });
        #[cfg(target_arch = "x86_64")]
        if avx2 {
            // SAFETY: the CPU has AVX2 and FMA (checked above).
            unsafe { row_avx2(p, &pre, row, y, last, ckrow) };
            return;
        }
        let _ = avx2;
        row_impl(p, &pre, row, y, last, ckrow, false);
    });
}
