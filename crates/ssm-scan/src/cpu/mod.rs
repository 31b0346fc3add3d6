//! The CPU kernel: rayon over (batch, channel) rows, fp32 math, states kept in a small
//! per-row array (never (batch, D, L, N) in memory).
//!
//! Layout choices (they mirror the CUDA kernel's, lineage.md §3):
//! * variable B/C are transposed once per (batch, group) to (L, N′) with N′ = N rounded up to a
//!   multiple of [`LANES`], so the inner loop over states is contiguous and vectorises;
//! * the forward stores the state every [`SEGMENT`] steps ("chunk-boundary states", like the
//!   reference kernel's `x` of (B, D, n_chunks, 2N), fwd 258); the backward recomputes the
//!   states inside each segment from them (bwd 270) and runs the adjoint in reverse.

pub mod backward;
pub mod forward;
mod pointwise;

use tch::{Device, Kind, Tensor};

use crate::error::Result;
use crate::shapes::{BcLayout, ScanShape};

/// SIMD width the inner loops are written for (8 × f32 = one AVX register).
pub const LANES: usize = 8;
/// Steps between stored states.
pub const SEGMENT: usize = 64;

/// The problem in flat f32 slices (all contiguous, shapes as in [`ScanShape`]).
pub struct Problem<'a> {
    pub shape: ScanShape,
    pub softplus: bool,
    pub u: &'a [f32],
    pub delta: &'a [f32],
    pub a: &'a [f32],
    pub b: &'a [f32],
    pub c: &'a [f32],
    pub d: Option<&'a [f32]>,
    pub z: Option<&'a [f32]>,
    pub bias: Option<&'a [f32]>,
    pub h0: Option<&'a [f32]>,
}

pub(crate) fn padded(n: usize) -> usize {
    n.div_ceil(LANES) * LANES
}

pub(crate) fn n_segments(len: usize) -> usize {
    len.div_ceil(SEGMENT)
}

/// Variable B/C (batch, G, N, L) → (batch, G, L, N′), zero padded; constant (D, N) → (D, N′).
pub(crate) fn transpose_bc(x: &[f32], layout: BcLayout, shape: &ScanShape) -> Vec<f32> {
    let (n, np, len) = (shape.nstate, padded(shape.nstate), shape.len);
    match layout {
        BcLayout::Constant => {
            let mut out = vec![0.0f32; shape.dim * np];
            for d in 0..shape.dim {
                out[d * np..d * np + n].copy_from_slice(&x[d * n..(d + 1) * n]);
            }
            out
        }
        BcLayout::Variable { groups } => {
            let mut out = vec![0.0f32; shape.batch * groups * len * np];
            for bg in 0..shape.batch * groups {
                let src = &x[bg * n * len..(bg + 1) * n * len];
                let dst = &mut out[bg * len * np..(bg + 1) * len * np];
                for s in 0..n {
                    let row = &src[s * len..(s + 1) * len];
                    for (t, v) in row.iter().enumerate() {
                        dst[t * np + s] = *v;
                    }
                }
            }
            out
        }
    }
}

/// Inverse of [`transpose_bc`] for gradients.
pub(crate) fn untranspose_bc(x: &[f32], layout: BcLayout, shape: &ScanShape) -> Vec<f32> {
    let (n, np, len) = (shape.nstate, padded(shape.nstate), shape.len);
    match layout {
        BcLayout::Constant => {
            let mut out = vec![0.0f32; shape.dim * n];
            for d in 0..shape.dim {
                out[d * n..(d + 1) * n].copy_from_slice(&x[d * np..d * np + n]);
            }
            out
        }
        BcLayout::Variable { groups } => {
            let mut out = vec![0.0f32; shape.batch * groups * n * len];
            for bg in 0..shape.batch * groups {
                let src = &x[bg * len * np..(bg + 1) * len * np];
                let dst = &mut out[bg * n * len..(bg + 1) * n * len];
                for s in 0..n {
                    for t in 0..len {
                        dst[s * len + t] = src[t * np + s];
                    }
                }
            }
            out
        }
    }
}

/// A raw pointer that rayon tasks may share; each task writes a disjoint range.
#[derive(Clone, Copy)]
pub(crate) struct SharedMut(pub *mut f32);
unsafe impl Send for SharedMut {}
unsafe impl Sync for SharedMut {}
impl SharedMut {
    /// # Safety
    /// The range must be in bounds and written by one task only.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn slice<'a>(self, start: usize, len: usize) -> &'a mut [f32] {
        std::slice::from_raw_parts_mut(self.0.add(start), len)
    }
}

/// exp(x) in f32 with plain arithmetic only (so the state loops vectorise): 2^k · p(f) with
/// k = round(x·log2 e) and a degree-6 Taylor polynomial of e^{f ln 2}, |f| ≤ ½ (relative error
/// < 3e-7 over the whole range). x is clamped to [−87, 88]. The reduction x − k ln 2 takes ln 2
/// in two parts (Cody-Waite): k times the high part is exact, so large |x| lose nothing there.
#[inline(always)]
pub(crate) fn fast_exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = f32::from_bits(0x3f31_7200); // 0.693145751953125: 16 significant bits
    const LN2_LO: f32 = 1.428_606_8e-6; // ln 2 − LN2_HI
    const SHIFTER: f32 = 12_582_912.0; // 1.5 · 2^23: adding it rounds to an integer
    let x = x.clamp(-87.0, 88.0);
    let kf = (x * LOG2E + SHIFTER) - SHIFTER;
    let y = (x - kf * LN2_HI) - kf * LN2_LO;
    let p = 1.0 / 720.0;
    let p = p * y + 1.0 / 120.0;
    let p = p * y + 1.0 / 24.0;
    let p = p * y + 1.0 / 6.0;
    let p = p * y + 0.5;
    let p = p * y + 1.0;
    let p = p * y + 1.0;
    let scale = f32::from_bits(((kf as i32 + 127) as u32) << 23);
    p * scale
}

/// AVX2 + FMA versions of the state loops (8 states per register). The callers check
/// [`uses_avx2`]; the state vectors are padded to a multiple of [`LANES`] (= 8).
#[cfg(target_arch = "x86_64")]
pub(crate) mod simd {
    use std::arch::x86_64::*;

    /// [`super::fast_exp`] on 8 lanes (same clamp, rounding and polynomial; FMA-contracted, so
    /// the reduction takes ln 2 in one part).
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn exp8(x: __m256) -> __m256 {
        let x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0)), _mm256_set1_ps(88.0));
        let shifter = _mm256_set1_ps(12_582_912.0);
        let kf = _mm256_sub_ps(_mm256_fmadd_ps(x, _mm256_set1_ps(std::f32::consts::LOG2_E), shifter), shifter);
        let y = _mm256_fnmadd_ps(kf, _mm256_set1_ps(std::f32::consts::LN_2), x);
        let mut p = _mm256_set1_ps(1.0 / 720.0);
        p = _mm256_fmadd_ps(p, y, _mm256_set1_ps(1.0 / 120.0));
        p = _mm256_fmadd_ps(p, y, _mm256_set1_ps(1.0 / 24.0));
        p = _mm256_fmadd_ps(p, y, _mm256_set1_ps(1.0 / 6.0));
        p = _mm256_fmadd_ps(p, y, _mm256_set1_ps(0.5));
        p = _mm256_fmadd_ps(p, y, _mm256_set1_ps(1.0));
        p = _mm256_fmadd_ps(p, y, _mm256_set1_ps(1.0));
        let k = _mm256_add_epi32(_mm256_cvtps_epi32(kf), _mm256_set1_epi32(127));
        _mm256_mul_ps(p, _mm256_castsi256_ps(_mm256_slli_epi32::<23>(k)))
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn hsum(v: __m256) -> f32 {
        let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
        let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        let s = _mm_add_ss(s, _mm_movehdup_ps(s));
        _mm_cvtss_f32(s)
    }

    /// One forward step over np states: h ← e^{Δ A} h + Δu B; returns Σ C h.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn step(np: usize, h: *mut f32, a: *const f32, bv: *const f32, cv: *const f32, dt: f32, du: f32) -> f32 {
        update::<false>(np, a, h, h, std::ptr::null_mut(), bv, cv, dt, du)
    }

    /// One state update over np states, 8 per register (eq. 2a with the ZOH decay of eq. 4):
    /// `cur = e^{Δ A}·prev + Δu B` (`prev` may be `cur`); returns Σ C cur. With `STORE_EA` the
    /// decays e^{Δ A} are also written to `ea` (the backward's recomputation).
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn update<const STORE_EA: bool>(
        np: usize,
        a: *const f32,
        prev: *const f32,
        cur: *mut f32,
        ea: *mut f32,
        bv: *const f32,
        cv: *const f32,
        dt: f32,
        du: f32,
    ) -> f32 {
        let (vdt, vdu) = (_mm256_set1_ps(dt), _mm256_set1_ps(du));
        let mut acc = _mm256_setzero_ps();
        let mut k = 0;
        while k < np {
            let e = exp8(_mm256_mul_ps(vdt, _mm256_loadu_ps(a.add(k))));
            if STORE_EA {
                _mm256_storeu_ps(ea.add(k), e);
            }
            let hv = _mm256_fmadd_ps(e, _mm256_loadu_ps(prev.add(k)), _mm256_mul_ps(vdu, _mm256_loadu_ps(bv.add(k))));
            _mm256_storeu_ps(cur.add(k), hv);
            acc = _mm256_fmadd_ps(_mm256_loadu_ps(cv.add(k)), hv, acc);
            k += 8;
        }
        hsum(acc)
    }

    /// One reverse step of the adjoint over np states; returns (Σ μB, Σ μ A e^{ΔA} h_{t−1}).
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn adjoint(
        np: usize,
        a: *const f32,
        bv: *const f32,
        cv: *const f32,
        hcur: *const f32,
        hprev: *const f32,
        ea: *const f32,
        mu: *mut f32,
        da: *mut f32,
        dbt: *mut f32,
        dct: *mut f32,
        dyt: f32,
        dt: f32,
        dtu: f32,
    ) -> (f32, f32) {
        let (vdy, vdt, vdtu) = (_mm256_set1_ps(dyt), _mm256_set1_ps(dt), _mm256_set1_ps(dtu));
        let (mut s1, mut s2) = (_mm256_setzero_ps(), _mm256_setzero_ps());
        let mut k = 0;
        while k < np {
            let m = _mm256_fmadd_ps(vdy, _mm256_loadu_ps(cv.add(k)), _mm256_loadu_ps(mu.add(k)));
            _mm256_storeu_ps(dct.add(k), _mm256_fmadd_ps(vdy, _mm256_loadu_ps(hcur.add(k)), _mm256_loadu_ps(dct.add(k))));
            _mm256_storeu_ps(dbt.add(k), _mm256_fmadd_ps(m, vdtu, _mm256_loadu_ps(dbt.add(k))));
            s1 = _mm256_fmadd_ps(m, _mm256_loadu_ps(bv.add(k)), s1);
            let e = _mm256_loadu_ps(ea.add(k));
            let pq = _mm256_mul_ps(_mm256_mul_ps(m, _mm256_loadu_ps(hprev.add(k))), e);
            _mm256_storeu_ps(da.add(k), _mm256_fmadd_ps(pq, vdt, _mm256_loadu_ps(da.add(k))));
            s2 = _mm256_fmadd_ps(pq, _mm256_loadu_ps(a.add(k)), s2);
            _mm256_storeu_ps(mu.add(k), _mm256_mul_ps(m, e));
            k += 8;
        }
        (hsum(s1), hsum(s2))
    }
}

/// Whether the row kernels run their AVX2+FMA versions: the CPU has both, and the environment
/// does not set `SSM_SCAN_CPU_SIMD=0` (which selects the portable loops of CPUs without them,
/// for testing and measuring; read once per process).
pub fn uses_avx2() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var("SSM_SCAN_CPU_SIMD").map(|v| v != "0").unwrap_or(true) && cpu_has_avx2())
}

fn cpu_has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Contiguous f32 CPU copy (or view) of a tensor, for the kernel.
pub(crate) fn as_f32(t: &Tensor) -> Tensor {
    t.to_device(Device::Cpu).to_kind(Kind::Float).contiguous()
}

/// # Safety
/// `t` must be a contiguous f32 CPU tensor that outlives the slice.
pub(crate) unsafe fn slice_of(t: &Tensor) -> &[f32] {
    let n = t.numel();
    if n == 0 {
        return &[];
    }
    std::slice::from_raw_parts(t.data_ptr() as *const f32, n)
}

/// # Safety
/// As [`slice_of`], and no other reference to the data may be live.
#[allow(clippy::mut_from_ref)]
pub(crate) unsafe fn slice_of_mut(t: &Tensor) -> &mut [f32] {
    let n = t.numel();
    if n == 0 {
        return &mut [];
    }
    std::slice::from_raw_parts_mut(t.data_ptr() as *mut f32, n)
}

/// The bridge's nine inputs as contiguous f32 CPU tensors, for [`Problem::over`].
fn f32_inputs(inputs: &[Option<Tensor>; 9]) -> [Option<Tensor>; 9] {
    std::array::from_fn(|i| inputs[i].as_ref().map(as_f32))
}

impl<'a> Problem<'a> {
    /// The problem over the f32 inputs of [`f32_inputs`] (u, Δ, A, B, C, D, z, bias, h0; the
    /// first five present).
    ///
    /// # Safety
    /// As [`slice_of`]: the tensors must outlive the problem.
    unsafe fn over(t: &'a [Option<Tensor>; 9], shape: &ScanShape, softplus: bool) -> Self {
        let s = |i: usize| t[i].as_ref().map(|x| slice_of(x));
        let need = |i: usize| s(i).expect("u, delta, A, B and C are always present");
        Problem {
            shape: *shape,
            softplus,
            u: need(0),
            delta: need(1),
            a: need(2),
            b: need(3),
            c: need(4),
            d: s(5),
            z: s(6),
            bias: s(7),
            h0: s(8),
        }
    }
}

/// Tensor-level forward: the inputs of the bridge (u, Δ, A, B, C, D, z, bias, h0; undefined
/// for absent ones) → (y, last_state, stored states).
pub(crate) fn forward_tensors(inputs: &[Option<Tensor>; 9], shape: &ScanShape, softplus: bool) -> Result<(Tensor, Tensor, Tensor)> {
    let t = f32_inputs(inputs);
    let p = unsafe { Problem::over(&t, shape, softplus) };
    let (bsz, dim, len, n) = (shape.batch as i64, shape.dim as i64, shape.len as i64, shape.nstate as i64);
    let opts = (Kind::Float, Device::Cpu);
    let y = Tensor::empty([bsz, dim, len], opts);
    let last = Tensor::empty([bsz, dim, n], opts);
    let ckpt = Tensor::empty([bsz, dim, n_segments(shape.len) as i64, n], opts);
    unsafe {
        forward::forward(&p, slice_of_mut(&y), slice_of_mut(&last), Some(slice_of_mut(&ckpt)));
    }
    Ok((y, last, ckpt))
}

/// Tensor-level backward: saved inputs, stored states and the output gradients (dy, dlast;
/// `None` stands for zeros) → the nine input gradients (`None` for absent inputs).
pub(crate) fn backward_tensors(
    inputs: &[Option<Tensor>; 9],
    ckpt: &Tensor,
    dy: Option<&Tensor>,
    dlast: Option<&Tensor>,
    shape: &ScanShape,
    softplus: bool,
) -> Result<[Option<Tensor>; 9]> {
    let t = f32_inputs(inputs);
    let p = unsafe { Problem::over(&t, shape, softplus) };
    let ckpt = as_f32(ckpt);
    let dy = dy.map(as_f32);
    let dlast = dlast.map(as_f32);
    let g = unsafe {
        backward::backward(
            &p,
            slice_of(&ckpt),
            dy.as_ref().map(|x| slice_of(x)),
            dlast.as_ref().map(|x| slice_of(x)),
        )
    };
    let like = |i: usize, v: Vec<f32>| -> Option<Tensor> {
        inputs[i].as_ref().map(|x| Tensor::from_slice(&v).view(x.size().as_slice()).to_kind(x.kind()))
    };
    Ok([
        like(0, g.du),
        like(1, g.ddelta),
        like(2, g.da),
        like(3, g.db),
        like(4, g.dc),
        g.dd.and_then(|v| like(5, v)),
        g.dz.and_then(|v| like(6, v)),
        g.dbias.and_then(|v| like(7, v)),
        g.dh0.and_then(|v| like(8, v)),
    ])
}
