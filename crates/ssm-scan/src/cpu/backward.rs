//! CPU backward. Per row, segments are visited last to first; inside a segment the states are
//! recomputed from the stored segment-start state (as the reference kernel's backward recomputes
//! each chunk from x[chunk − 1], bwd 270), then the adjoint runs in reverse (bwd 277):
//!
//! μ_t = dy_t C_t + exp(Δ_{t+1} A) μ_{t+1} (μ after the last step = d last_state),
//! dC_t = dy_t h_t, dB_t = μ_t Δ_t u_t, du_t = D dy_t + Δ_t Σ_n μ_t B_t,
//! dΔ_t = u_t Σ_n μ_t B_t + Σ_n μ_t A exp(Δ_t A) h_{t−1}, dA = Σ_t μ_t Δ_t exp(Δ_t A) h_{t−1},
//! dh0 = exp(Δ_1 A) μ_1, and through the softplus dδ = dΔ · σ(δ + bias).

use rayon::prelude::*;

use super::forward::Prepared;
use super::pointwise::{deltas, deltas_and_sigmoids, sigmoids};
use super::{fast_exp, untranspose_bc, Problem, SharedMut, LANES, SEGMENT};
use crate::shapes::BcLayout;

/// Gradients in the inputs' shapes (flat f32); `None` for absent optional inputs.
pub struct Grads {
    pub du: Vec<f32>,
    pub ddelta: Vec<f32>,
    pub da: Vec<f32>,
    pub db: Vec<f32>,
    pub dc: Vec<f32>,
    pub dd: Option<Vec<f32>>,
    pub dz: Option<Vec<f32>>,
    pub dbias: Option<Vec<f32>>,
    pub dh0: Option<Vec<f32>>,
}

/// Per-task accumulators for variable B/C (summed over the channels of a group).
struct Acc {
    db: Vec<f32>,
    dc: Vec<f32>,
}

struct Outs {
    du: SharedMut,
    ddelta: SharedMut,
    dz: SharedMut,
    da: SharedMut,
    dd: SharedMut,
    dbias: SharedMut,
    dh0: SharedMut,
    db_const: SharedMut,
    dc_const: SharedMut,
}

struct Scratch {
    hs: Vec<f32>,
    ea: Vec<f32>,
    dt: Vec<f32>,
    /// σ(z) of the segment's steps (with z).
    sgz: Vec<f32>,
    /// σ(δ + bias), the softplus' derivative, of the segment's steps (with softplus).
    sgd: Vec<f32>,
    yv: Vec<f32>,
    mu: Vec<f32>,
    da: Vec<f32>,
    dbc: Vec<f32>,
    dcc: Vec<f32>,
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn row_impl(
    p: &Problem<'_>,
    pre: &Prepared,
    ckpt: &[f32],
    dy_in: Option<&[f32]>,
    dlast: Option<&[f32]>,
    row: usize,
    acc: &mut Acc,
    o: &Outs,
    sc: &mut Scratch,
    simd: bool,
) {
    let _ = simd;
    let s = &p.shape;
    let (np, n, len) = (pre.np, s.nstate, s.len);
    let (b, d) = (row / s.dim, row % s.dim);
    let nseg = super::n_segments(len);
    let a = &pre.a[d * np..(d + 1) * np];
    let dskip = p.d.map(|x| x[d]).unwrap_or(0.0);
    let bias = p.bias.map(|x| x[d]).unwrap_or(0.0);
    // SAFETY: every output range below belongs to this row alone.
    let (du, ddelta) = unsafe { (o.du.slice(row * len, len), o.ddelta.slice(row * len, len)) };
    let mut dz = p.z.map(|_| unsafe { o.dz.slice(row * len, len) });
    sc.mu.iter_mut().for_each(|x| *x = 0.0);
    if let Some(dl) = dlast {
        sc.mu[..n].copy_from_slice(&dl[row * n..(row + 1) * n]);
    }
    sc.da.iter_mut().for_each(|x| *x = 0.0);
    sc.dbc.iter_mut().for_each(|x| *x = 0.0);
    sc.dcc.iter_mut().for_each(|x| *x = 0.0);
    let mut dd_acc = 0.0f32;
    let mut dbias_acc = 0.0f32;
    for seg in (0..nseg).rev() {
        let t0 = seg * SEGMENT;
        let t1 = (t0 + SEGMENT).min(len);
        let m = t1 - t0;
        // Segment-start state: the stored state of the previous segment, h0, or zero.
        let hs = &mut sc.hs;
        hs[..np].iter_mut().for_each(|x| *x = 0.0);
        if seg > 0 {
            hs[..n].copy_from_slice(&ckpt[(row * nseg + seg - 1) * n..(row * nseg + seg) * n]);
        } else if let Some(h0) = p.h0 {
            hs[..n].copy_from_slice(&h0[row * n..(row + 1) * n]);
        }
        // Δ, σ(z) and the softplus' σ(δ + bias) of the segment, in vectorised runs.
        let run = row * len + t0..row * len + t1;
        if p.softplus {
            deltas_and_sigmoids(&p.delta[run.clone()], bias, &mut sc.dt, &mut sc.sgd);
        } else {
            deltas(&p.delta[run.clone()], bias, false, &mut sc.dt);
        }
        if let Some(z) = p.z {
            sigmoids(&z[run], 0.0, &mut sc.sgz);
        }
        // Recompute h_t, exp(Δ_t A) and (when gated) the pre-gate y_t inside the segment.
        for i in 0..m {
            let t = t0 + i;
            let ut = p.u[row * len + t];
            let dt = sc.dt[i];
            let bv = pre.bc_at(&pre.b, s.b, s, b, d, t);
            let cv = pre.bc_at(&pre.c, s.c, s, b, d, t);
            let (prev, cur) = hs.split_at_mut((i + 1) * np);
            let prev = &prev[i * np..];
            let cur = &mut cur[..np];
            let ea = &mut sc.ea[i * np..(i + 1) * np];
            #[cfg(target_arch = "x86_64")]
            let ysum = if simd {
                // SAFETY: AVX2 + FMA present (checked by the caller); every slice holds np values.
                unsafe {
                    super::simd::update::<true>(
                        np,
                        a.as_ptr(),
                        prev.as_ptr(),
                        cur.as_mut_ptr(),
                        ea.as_mut_ptr(),
                        bv.as_ptr(),
                        cv.as_ptr(),
                        dt,
                        dt * ut,
                    )
                }
            } else {
                recompute_scalar(np, a, prev, cur, ea, bv, cv, dt, ut)
            };
            #[cfg(not(target_arch = "x86_64"))]
            let ysum = recompute_scalar(np, a, prev, cur, ea, bv, cv, dt, ut);
            sc.yv[i] = ysum + dskip * ut;
        }
        // Reverse sweep.
        for i in (0..m).rev() {
            let t = t0 + i;
            let ut = p.u[row * len + t];
            let dt = sc.dt[i];
            let g = dy_in.map(|x| x[row * len + t]).unwrap_or(0.0);
            let dyt = if let Some(z) = p.z {
                let zt = z[row * len + t];
                let sg = sc.sgz[i];
                // d silu(z)/dz = σ(z)(1 + z(1 − σ(z))).
                if let Some(dz) = dz.as_deref_mut() {
                    dz[t] = g * sc.yv[i] * sg * (1.0 + zt * (1.0 - sg));
                }
                g * zt * sg
            } else {
                g
            };
            dd_acc += dyt * ut;
            let bv = pre.bc_at(&pre.b, s.b, s, b, d, t);
            let cv = pre.bc_at(&pre.c, s.c, s, b, d, t);
            let hcur = &sc.hs[(i + 1) * np..(i + 2) * np];
            let hprev = &sc.hs[i * np..(i + 1) * np];
            let ea = &sc.ea[i * np..(i + 1) * np];
            let dtu = dt * ut;
            // dB_t, dC_t land in the group's (L, N′) accumulator rows (variable) or the row's
            // own sums (constant).
            let step_row = |layout: BcLayout| match layout {
                BcLayout::Variable { groups } => Some(((b * groups + d / (s.dim / groups)) * len + t) * np),
                BcLayout::Constant => None,
            };
            let dbt = match step_row(s.b) {
                Some(i0) => &mut acc.db[i0..i0 + np],
                None => &mut sc.dbc[..],
            };
            let dct = match step_row(s.c) {
                Some(i0) => &mut acc.dc[i0..i0 + np],
                None => &mut sc.dcc[..],
            };
            #[cfg(target_arch = "x86_64")]
            let (s1, s2) = if simd {
                // SAFETY: as above; dbt / dct / mu / da hold np values.
                unsafe {
                    super::simd::adjoint(
                        np,
                        a.as_ptr(),
                        bv.as_ptr(),
                        cv.as_ptr(),
                        hcur.as_ptr(),
                        hprev.as_ptr(),
                        ea.as_ptr(),
                        sc.mu.as_mut_ptr(),
                        sc.da.as_mut_ptr(),
                        dbt.as_mut_ptr(),
                        dct.as_mut_ptr(),
                        dyt,
                        dt,
                        dtu,
                    )
                }
            } else {
                adjoint_scalar(np, a, bv, cv, hcur, hprev, ea, &mut sc.mu, &mut sc.da, dbt, dct, dyt, dt, dtu)
            };
            #[cfg(not(target_arch = "x86_64"))]
            let (s1, s2) = adjoint_scalar(np, a, bv, cv, hcur, hprev, ea, &mut sc.mu, &mut sc.da, dbt, dct, dyt, dt, dtu);
            du[t] = dskip * dyt + dt * s1;
            let mut ddt = ut * s1 + s2;
            if p.softplus {
                // dΔ/dδ = σ(δ + bias); 1 in f32 above 20, where the softplus passes x through.
                ddt *= sc.sgd[i];
            }
            ddelta[t] = ddt;
            dbias_acc += ddt;
        }
    }
    unsafe {
        o.da.slice(row * np, np).copy_from_slice(&sc.da);
        o.dh0.slice(row * n, n).copy_from_slice(&sc.mu[..n]);
        *o.dd.slice(row, 1).as_mut_ptr() = dd_acc;
        *o.dbias.slice(row, 1).as_mut_ptr() = dbias_acc;
        if !s.b.is_variable() {
            o.db_const.slice(row * np, np).copy_from_slice(&sc.dbc);
        }
        if !s.c.is_variable() {
            o.dc_const.slice(row * np, np).copy_from_slice(&sc.dcc);
        }
    }
}

/// Portable recomputation of one step (see [`super::simd::update`]); returns Σ C h_t.
#[inline(always)]
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
fn recompute_scalar(np: usize, a: &[f32], prev: &[f32], cur: &mut [f32], ea: &mut [f32], bv: &[f32], cv: &[f32], dt: f32, ut: f32) -> f32 {
    let mut yacc = [0.0f32; LANES];
    for k in (0..np).step_by(LANES) {
        for j in 0..LANES {
            let q = k + j;
            let e = fast_exp(dt * a[q]);
            ea[q] = e;
            cur[q] = e * prev[q] + dt * ut * bv[q];
            yacc[j] += cv[q] * cur[q];
        }
    }
    yacc.iter().sum::<f32>()
}

/// Portable reverse step of the adjoint (see [`super::simd::adjoint`]); returns (Σ μB, Σ μAe h).
#[inline(always)]
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
fn adjoint_scalar(
    np: usize,
    a: &[f32],
    bv: &[f32],
    cv: &[f32],
    hcur: &[f32],
    hprev: &[f32],
    ea: &[f32],
    mu_v: &mut [f32],
    da: &mut [f32],
    dbt: &mut [f32],
    dct: &mut [f32],
    dyt: f32,
    dt: f32,
    dtu: f32,
) -> (f32, f32) {
    let mut s1 = [0.0f32; LANES];
    let mut s2 = [0.0f32; LANES];
    for k in (0..np).step_by(LANES) {
        for j in 0..LANES {
            let q = k + j;
            let mu = mu_v[q] + dyt * cv[q];
            dct[q] += dyt * hcur[q];
            dbt[q] += mu * dtu;
            s1[j] += mu * bv[q];
            let pq = mu * hprev[q] * ea[q];
            da[q] += pq * dt;
            s2[j] += pq * a[q];
            mu_v[q] = mu * ea[q];
        }
    }
    (s1.iter().sum(), s2.iter().sum())
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
unsafe fn row_avx2(
    p: &Problem<'_>,
    pre: &Prepared,
    ckpt: &[f32],
    dy: Option<&[f32]>,
    dlast: Option<&[f32]>,
    row: usize,
    acc: &mut Acc,
    o: &Outs,
    sc: &mut Scratch,
) {
    row_impl(p, pre, ckpt, dy, dlast, row, acc, o, sc, true)
}

/// Runs the backward scan: `ckpt` is the forward's stored states, `dy` the gradient of y
/// (the gated output), `dlast` that of last_state (either may be absent = zero).
pub fn backward(p: &Problem<'_>, ckpt: &[f32], dy: Option<&[f32]>, dlast: Option<&[f32]>) -> Grads {
    let s = p.shape;
    let pre = Prepared::new(p);
    let np = pre.np;
    let rows = s.batch * s.dim;
    let len = s.len;
    let mut du = vec![0.0f32; rows * len];
    let mut ddelta = vec![0.0f32; rows * len];
    let mut dz = vec![0.0f32; if s.has_z { rows * len } else { 0 }];
    let mut da_rows = vec![0.0f32; rows * np];
    let mut dd_rows = vec![0.0f32; rows];
    let mut dbias_rows = vec![0.0f32; rows];
    let mut dh0 = vec![0.0f32; rows * s.nstate];
    let mut dbc_rows = vec![0.0f32; rows * np];
    let mut dcc_rows = vec![0.0f32; rows * np];
    let outs = Outs {
        du: SharedMut(du.as_mut_ptr()),
        ddelta: SharedMut(ddelta.as_mut_ptr()),
        dz: SharedMut(dz.as_mut_ptr()),
        da: SharedMut(da_rows.as_mut_ptr()),
        dd: SharedMut(dd_rows.as_mut_ptr()),
        dbias: SharedMut(dbias_rows.as_mut_ptr()),
        dh0: SharedMut(dh0.as_mut_ptr()),
        db_const: SharedMut(dbc_rows.as_mut_ptr()),
        dc_const: SharedMut(dcc_rows.as_mut_ptr()),
    };
    let var_len = |l: BcLayout| match l {
        BcLayout::Variable { groups } => s.batch * groups * len * np,
        BcLayout::Constant => 0,
    };
    let (nb, nc) = (var_len(s.b), var_len(s.c));
    let avx2 = super::uses_avx2();
    let new_scratch = || Scratch {
        hs: vec![0.0; (SEGMENT + 1) * np],
        ea: vec![0.0; SEGMENT * np],
        dt: vec![0.0; SEGMENT],
        sgz: vec![0.0; SEGMENT],
        sgd: vec![0.0; SEGMENT],
        yv: vec![0.0; SEGMENT],
        mu: vec![0.0; np],
        da: vec![0.0; np],
        dbc: vec![0.0; np],
        dcc: vec![0.0; np],
    };
    // Rows are split into as many contiguous blocks as threads; each block owns one accumulator
    // for variable dB/dC, summed at the end.
    let threads = rayon::current_num_threads().max(1);
    let nblocks = threads.min(rows);
    let per = rows.div_ceil(nblocks);
    let partials: Vec<Acc> = (0..nblocks)
        .into_par_iter()
        .map(|blk| {
            let mut acc = Acc { db: vec![0.0; nb], dc: vec![0.0; nc] };
            let mut sc = new_scratch();
            for row in blk * per..((blk + 1) * per).min(rows) {
                #[cfg(target_arch = "x86_64")]
                if avx2 {
                    // SAFETY: AVX2 and FMA present.
                    unsafe { row_avx2(p, &pre, ckpt, dy, dlast, row, &mut acc, &outs, &mut sc) };
                    continue;
                }
                row_impl(p, &pre, ckpt, dy, dlast, row, &mut acc, &outs, &mut sc, false);
            }
            acc
        })
        .collect();
    let _ = avx2;
    let mut total = Acc { db: vec![0.0; nb], dc: vec![0.0; nc] };
    for part in &partials {
        for (x, y) in total.db.iter_mut().zip(&part.db) {
            *x += y;
        }
        for (x, y) in total.dc.iter_mut().zip(&part.dc) {
            *x += y;
        }
    }
    // Reductions over the batch for per-channel parameters.
    let mut da_pad = vec![0.0f32; s.dim * np];
    let mut dd = vec![0.0f32; s.dim];
    let mut dbias = vec![0.0f32; s.dim];
    let mut dbc = vec![0.0f32; s.dim * np];
    let mut dcc = vec![0.0f32; s.dim * np];
    for row in 0..rows {
        let d = row % s.dim;
        for q in 0..np {
            da_pad[d * np + q] += da_rows[row * np + q];
            dbc[d * np + q] += dbc_rows[row * np + q];
            dcc[d * np + q] += dcc_rows[row * np + q];
        }
        dd[d] += dd_rows[row];
        dbias[d] += dbias_rows[row];
    }
    let mut da = vec![0.0f32; s.dim * s.nstate];
    for d in 0..s.dim {
        da[d * s.nstate..(d + 1) * s.nstate].copy_from_slice(&da_pad[d * np..d * np + s.nstate]);
    }
    let db = if s.b.is_variable() { untranspose_bc(&total.db, s.b, &s) } else { untranspose_bc(&dbc, s.b, &s) };
    let dc = if s.c.is_variable() { untranspose_bc(&total.dc, s.c, &s) } else { untranspose_bc(&dcc, s.c, &s) };
    Grads {
        du,
        ddelta,
        da,
        db,
        dc,
        dd: s.has_d.then_some(dd),
        dz: s.has_z.then_some(dz),
        dbias: s.has_bias.then_some(dbias),
        dh0: s.has_h0.then_some(dh0),
    }
}
