// Selective scan (Mamba S6) forward and backward, compiled at run time by NVRTC.
//
// Decomposition (compare lineage.md §3: the reference kernel runs one block per (b, d) row and
// loops over the N states sequentially, scanning time across the block's threads):
//   * one group of LANES consecutive lanes per (b, d) row, ROWS = 32 / LANES rows per warp;
//     lane j of a group owns states n = j + k·LANES (k < SPL), so the N states run in parallel;
//   * time runs sequentially inside each lane (h = a·h + b, Mamba eq. (2a)) in sub-chunks of SUB
//     steps; the contraction y_t = Σ_n C_t,n h_t,n (eq. (2b)) is accumulated per lane for the
//     SUB steps and summed across the group by a butterfly reduce-scatter of warp shuffles,
//     which leaves each lane owning SUB / LANES finished outputs;
//   * u, Δ, z of a chunk are loaded by the whole warp with 16-byte loads into shared memory,
//     where softplus, the D skip and the z gate are applied once per element (fused, as in the
//     reference kernel fwd 152-165 and 285-303); y leaves through shared memory with 16-byte
//     stores;
//   * states never go to device memory per step; the forward stores the state every SEG steps
//     (ckpt: (batch, D, n_seg, N)), the analogue of the reference kernel's chunk-final x (fwd 258).
//   * the backward visits segments last to first, recomputes the sub-chunk start states of a
//     segment from ckpt (bwd 270), then per sub-chunk recomputes the states in registers and
//     runs the adjoint in reverse (bwd 277); dB/dC of variable B/C are summed over the rows of a
//     block in shared memory and added with one atomic per (block, n, t) (bwd 303-319).
//
// Compile-time parameters (set by the host with -D): INPUT_BF16, NSTATE, LANES, SPL, WARPS,
// SUB, CHUNK, SEG, B_VAR, C_VAR, HAS_D, HAS_Z, HAS_BIAS, HAS_H0, SOFTPLUS, ALIGNED, PREFETCH
// (load the next sub-chunk's B/C while computing the current one), KERNEL_FWD (which kernel).

#if INPUT_BF16
// bfloat16 as raw bits (no cuda_bf16.h: NVRTC is used without the toolkit's headers).
typedef unsigned short input_t;
#define VEC 8
__device__ __forceinline__ float to_f(input_t x) { return __uint_as_float(((unsigned int)x) << 16); }
__device__ __forceinline__ input_t from_f(float x) {
  unsigned int b = __float_as_uint(x);
  if ((b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu)) return (input_t)((b >> 16) | 0x40u);  // NaN stays NaN
  b += 0x7fffu + ((b >> 16) & 1u);  // round to nearest even
  return (input_t)(b >> 16);
}
#else
typedef float input_t;
#define VEC 4
__device__ __forceinline__ float to_f(input_t x) { return x; }
__device__ __forceinline__ input_t from_f(float x) { return x; }
#endif

#define ROWS (32 / LANES)
#define FULL_MASK 0xffffffffu
#define LOG2E 1.4426950408889634f

// 16 bytes of input_t as VEC floats.
struct alignas(16) Pack {
  input_t v[VEC];
};

__device__ __forceinline__ Pack load_pack(const input_t* p) { return *reinterpret_cast<const Pack*>(p); }

__device__ __forceinline__ void store_pack(input_t* p, const float* in) {
  Pack pk;
#pragma unroll
  for (int i = 0; i < VEC; ++i) pk.v[i] = from_f(in[i]);
  *reinterpret_cast<Pack*>(p) = pk;
}

// softplus as in the reference kernel: log1p(exp(x)), passed through above 20.
__device__ __forceinline__ float softplus_f(float x) { return x <= 20.f ? log1pf(__expf(x)) : x; }
__device__ __forceinline__ float sigmoid_f(float x) { return 1.f / (1.f + __expf(-x)); }

// Loads S consecutive values of a variable B/C row starting at t0 (zeros past len).
template <int S>
__device__ __forceinline__ void load_run(const input_t* row, int t0, int len, bool valid, float (&out)[S]) {
  bool fast = false;
#if ALIGNED
  fast = valid && (S >= VEC) && (t0 + S <= len);
#endif
  if (fast) {
#pragma unroll
    for (int i = 0; i < S; i += VEC) {
      const Pack pk = load_pack(row + t0 + i);
#pragma unroll
      for (int q = 0; q < VEC; ++q)
        if (i + q < S) out[i + q] = to_f(pk.v[q]);
    }
  } else {
#pragma unroll
    for (int i = 0; i < S; ++i) out[i] = (valid && t0 + i < len) ? to_f(row[t0 + i]) : 0.f;
  }
}

// Butterfly reduce-scatter over the LANES lanes of a row group. In: S partial sums per lane.
// Out: v[0 .. max(1, S / LANES)) hold group totals; lane j owns time indices
// j·(S/LANES) + i when S ≥ LANES, else index j / (LANES / S) (the lanes that share it agree).
template <int S, int OFF, int CNT>
struct ReduceScatter {
  static __device__ __forceinline__ void run(float (&v)[S], int j) {
    if constexpr (CNT > 1) {
      constexpr int half = CNT / 2;
      const bool upper = (j & OFF) != 0;
#pragma unroll
      for (int i = 0; i < half; ++i) {
        const float send = upper ? v[i] : v[i + half];
        const float keep = upper ? v[i + half] : v[i];
        v[i] = keep + __shfl_xor_sync(FULL_MASK, send, OFF);
      }
    } else {
      v[0] += __shfl_xor_sync(FULL_MASK, v[0], OFF);
    }
    if constexpr (OFF > 1) ReduceScatter<S, OFF / 2, (CNT > 1 ? CNT / 2 : 1)>::run(v, j);
  }
};

template <int S>
__device__ __forceinline__ void reduce_scatter(float (&v)[S], int j) {
  if constexpr (LANES > 1) ReduceScatter<S, LANES / 2, S>::run(v, j);
}

// Which lane of a group owns output i (of S) after reduce_scatter, and its slot.
template <int S>
__device__ __forceinline__ bool owns(int j, int& first) {
  if constexpr (S >= LANES) {
    first = j * (S / LANES);
    return true;
  } else {
    first = j / (LANES / S);
    return (j % (LANES / S)) == 0;
  }
}

#if KERNEL_FWD
// ---------------------------------------------------------------------------------------------
// Forward.
// ---------------------------------------------------------------------------------------------
extern "C" __global__ void __launch_bounds__(WARPS * 32)
selective_scan_fwd(const input_t* __restrict__ u, const input_t* __restrict__ delta, const float* __restrict__ A,
                   const void* __restrict__ Bp, const void* __restrict__ Cp, const float* __restrict__ Dw,
                   const input_t* __restrict__ z, const float* __restrict__ dbias, const float* __restrict__ h0,
                   input_t* __restrict__ out, float* __restrict__ last, float* __restrict__ ckpt, int batch, int dim,
                   int len, int groups_b, int groups_c, int nseg) {
  // Per warp: Δ', Δ'u, skip (D u), gate (silu z), y for ROWS × CHUNK steps.
  __shared__ __align__(16) float s_dt[WARPS][ROWS * CHUNK];
  __shared__ __align__(16) float s_du[WARPS][ROWS * CHUNK];
  __shared__ float s_skip[WARPS][ROWS * CHUNK];
#if HAS_Z
  __shared__ float s_gate[WARPS][ROWS * CHUNK];
#endif
  __shared__ __align__(16) float s_y[WARPS][ROWS * CHUNK];

  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int rloc = lane / LANES, j = lane % LANES;
  const long long rows = (long long)batch * dim;
  const long long wrow0 = ((long long)blockIdx.x * WARPS + warp) * ROWS;
  const long long row = wrow0 + rloc;
  const bool valid = row < rows;
  const int b = valid ? (int)(row / dim) : 0;
  const int d = valid ? (int)(row % dim) : 0;

  float a2[SPL], h[SPL];
#if !B_VAR
  float bc[SPL];
#endif
#if !C_VAR
  float cc[SPL];
#endif
  const input_t* brow[SPL];
  const input_t* crow[SPL];
#pragma unroll
  for (int k = 0; k < SPL; ++k) {
    const int n = j + k * LANES;
    const bool nv = valid && n < NSTATE;
    a2[k] = nv ? A[d * NSTATE + n] * LOG2E : 0.f;
#if HAS_H0
    h[k] = nv ? h0[row * NSTATE + n] : 0.f;
#else
    h[k] = 0.f;
#endif
#if B_VAR
    {
      const int g = d / (dim / groups_b);
      brow[k] = reinterpret_cast<const input_t*>(Bp) + (((long long)b * groups_b + g) * NSTATE + (nv ? n : 0)) * len;
    }
#else
    bc[k] = nv ? reinterpret_cast<const float*>(Bp)[d * NSTATE + n] : 0.f;
    brow[k] = nullptr;
#endif
#if C_VAR
    {
      const int g = d / (dim / groups_c);
      crow[k] = reinterpret_cast<const input_t*>(Cp) + (((long long)b * groups_c + g) * NSTATE + (nv ? n : 0)) * len;
    }
#else
    cc[k] = nv ? reinterpret_cast<const float*>(Cp)[d * NSTATE + n] : 0.f;
    crow[k] = nullptr;
#endif
  }

  // Prefetch registers for variable B/C (the first sub-chunk, state k = 0).
#if B_VAR && PREFETCH
  float nb[SUB];
  load_run<SUB>(brow[0], 0, len, valid && j < NSTATE, nb);
#endif
#if C_VAR && PREFETCH
  float nc[SUB];
  load_run<SUB>(crow[0], 0, len, valid && j < NSTATE, nc);
#endif

  for (int c0 = 0; c0 < len; c0 += CHUNK) {
    // Stage the chunk: each lane handles VEC consecutive elements of one row at a time.
    for (int e = lane * VEC; e < ROWS * CHUNK; e += 32 * VEC) {
      const int r = e / CHUNK, tt = e % CHUNK;
      const long long rr = wrow0 + r;
      const bool rv = rr < rows;
      const int dd = rv ? (int)(rr % dim) : 0;
      const long long base = rr * len + c0 + tt;
      float uv[VEC], dv[VEC], zv[VEC];
#if ALIGNED
      if (rv && c0 + tt + VEC <= len) {
        const Pack pu = load_pack(u + base), pd = load_pack(delta + base);
#pragma unroll
        for (int i = 0; i < VEC; ++i) {
          uv[i] = to_f(pu.v[i]);
          dv[i] = to_f(pd.v[i]);
        }
#if HAS_Z
        const Pack pz = load_pack(z + base);
#pragma unroll
        for (int i = 0; i < VEC; ++i) zv[i] = to_f(pz.v[i]);
#endif
      } else
#endif
      {
#pragma unroll
        for (int i = 0; i < VEC; ++i) {
          const bool in = rv && (c0 + tt + i < len);
          uv[i] = in ? to_f(u[base + i]) : 0.f;
          dv[i] = in ? to_f(delta[base + i]) : 0.f;
#if HAS_Z
          zv[i] = in ? to_f(z[base + i]) : 0.f;
#endif
        }
      }
#if HAS_BIAS
      const float bias = rv ? dbias[dd] : 0.f;
#else
      const float bias = 0.f;
#endif
#if HAS_D
      const float dw = rv ? Dw[dd] : 0.f;
#else
      const float dw = 0.f;
#endif
#pragma unroll
      for (int i = 0; i < VEC; ++i) {
        const bool in = rv && (c0 + tt + i < len);
        float dt = dv[i] + bias;
#if SOFTPLUS
        dt = softplus_f(dt);
#endif
        dt = in ? dt : 0.f;  // identity step past the end (fwd 223-227)
        s_dt[warp][e + i] = dt;
        s_du[warp][e + i] = dt * uv[i];
        s_skip[warp][e + i] = dw * uv[i];
#if HAS_Z
        s_gate[warp][e + i] = zv[i] * sigmoid_f(zv[i]);
#endif
      }
    }
    __syncwarp();

#pragma unroll 1
    for (int s0 = 0; s0 < CHUNK; s0 += SUB) {
      const int t0 = c0 + s0;
      if (t0 >= len) break;
      float acc[SUB];
      const float* sdt = &s_dt[warp][rloc * CHUNK + s0];
      const float* sdu = &s_du[warp][rloc * CHUNK + s0];
#pragma unroll
      for (int i = 0; i < SUB; ++i) acc[i] = 0.f;
#pragma unroll
      for (int k = 0; k < SPL; ++k) {
        float bv[SUB], cv[SUB];
        // Take the prefetched B/C of (t0, k) and start loading those of the next (sub-chunk,
        // state) pair, so that their latency overlaps this state's arithmetic.
        const int kn = (k + 1 < SPL) ? k + 1 : 0;
        const int tn = (k + 1 < SPL) ? t0 : t0 + SUB;
        const bool nvn = valid && (j + kn * LANES) < NSTATE && tn < len;
#if B_VAR && PREFETCH
#pragma unroll
        for (int i = 0; i < SUB; ++i) bv[i] = nb[i];
        load_run<SUB>(brow[kn], tn, len, nvn, nb);
#elif B_VAR
        load_run<SUB>(brow[k], t0, len, valid && (j + k * LANES) < NSTATE, bv);
#else
#pragma unroll
        for (int i = 0; i < SUB; ++i) bv[i] = bc[k];
#endif
#if C_VAR && PREFETCH
#pragma unroll
        for (int i = 0; i < SUB; ++i) cv[i] = nc[i];
        load_run<SUB>(crow[kn], tn, len, nvn, nc);
#elif C_VAR
        load_run<SUB>(crow[k], t0, len, valid && (j + k * LANES) < NSTATE, cv);
#else
#pragma unroll
        for (int i = 0; i < SUB; ++i) cv[i] = cc[k];
#endif
        (void)nvn;
        float hk = h[k];
#pragma unroll
        for (int i = 0; i < SUB; ++i) {
          // h_t = exp(Δ_t A) h_{t-1} + Δ_t B_t u_t  (Mamba eq. (2a); fwd 221-222)
          hk = exp2f(sdt[i] * a2[k]) * hk + sdu[i] * bv[i];
          // y_t += C_t h_t  (eq. (2b); fwd 261-269)
          acc[i] += cv[i] * hk;
        }
        h[k] = hk;
      }
      reduce_scatter<SUB>(acc, j);
      int first;
      if (owns<SUB>(j, first)) {
#pragma unroll
        for (int i = 0; i < (SUB >= LANES ? SUB / LANES : 1); ++i) {
          const int idx = rloc * CHUNK + s0 + first + i;
          float yv = acc[i] + s_skip[warp][idx];
#if HAS_Z
          yv *= s_gate[warp][idx];
#endif
          s_y[warp][idx] = yv;
        }
      }
      // Store the state at segment ends (and at the end of the sequence).
      if (ckpt != nullptr && valid) {
        const int tend = t0 + SUB;
        if (tend % SEG == 0 || tend >= len) {
          const int seg = (tend - 1) / SEG;
#pragma unroll
          for (int k = 0; k < SPL; ++k) {
            const int n = j + k * LANES;
            if (n < NSTATE) ckpt[(row * nseg + seg) * NSTATE + n] = h[k];
          }
        }
      }
    }
    __syncwarp();
    // Write y for the chunk.
    for (int e = lane * VEC; e < ROWS * CHUNK; e += 32 * VEC) {
      const int r = e / CHUNK, tt = e % CHUNK;
      const long long rr = wrow0 + r;
      if (rr >= rows) continue;
      const long long base = rr * len + c0 + tt;
#if ALIGNED
      if (c0 + tt + VEC <= len) {
        store_pack(out + base, &s_y[warp][e]);
        continue;
      }
#endif
      for (int i = 0; i < VEC; ++i)
        if (c0 + tt + i < len) out[base + i] = from_f(s_y[warp][e + i]);
    }
    __syncwarp();
  }
  if (valid) {
#pragma unroll
    for (int k = 0; k < SPL; ++k) {
      const int n = j + k * LANES;
      if (n < NSTATE) last[row * NSTATE + n] = h[k];
    }
  }
}

#endif  // KERNEL_FWD

#if !KERNEL_FWD
// ---------------------------------------------------------------------------------------------
// Backward. SUBB steps per sub-chunk (registers hold SUBB + 1 states and SUBB decays per state).
// ---------------------------------------------------------------------------------------------
#define NSUB (SEG / SUBB)

extern "C" __global__ void __launch_bounds__(WARPS * 32)
selective_scan_bwd(const input_t* __restrict__ u, const input_t* __restrict__ delta, const float* __restrict__ A,
                   const void* __restrict__ Bp, const void* __restrict__ Cp, const float* __restrict__ Dw,
                   const input_t* __restrict__ z, const float* __restrict__ dbias, const float* __restrict__ h0,
                   const float* __restrict__ ckpt, const input_t* __restrict__ dout, const float* __restrict__ dlast,
                   input_t* __restrict__ du_out, input_t* __restrict__ ddelta_out, input_t* __restrict__ dz_out,
                   float* __restrict__ dA, float* __restrict__ dB, float* __restrict__ dC, float* __restrict__ dD,
                   float* __restrict__ ddbias, float* __restrict__ dh0, int batch, int dim, int len, int groups_b,
                   int groups_c, int nseg) {
  __shared__ float s_hb[WARPS][NSUB][SPL][32];  // sub-chunk start states of the current segment
  __shared__ float s_dt[WARPS][ROWS * SUBB];
  __shared__ float s_u[WARPS][ROWS * SUBB];
  __shared__ float s_dy[WARPS][ROWS * SUBB];   // dL/dy before the gate
  __shared__ float s_dsp[WARPS][ROWS * SUBB];  // dΔ/dδ (softplus derivative)
#if HAS_Z
  __shared__ float s_gz[WARPS][ROWS * SUBB];   // dout · silu'(z): dz = s_gz · y
#endif
#if B_VAR
  __shared__ float s_rb[WARPS][SUBB * NSTATE];  // per-warp dB of the sub-chunk, (n, t) order
#endif
#if C_VAR
  __shared__ float s_rc[WARPS][SUBB * NSTATE];
#endif

  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int rloc = lane / LANES, j = lane % LANES;
  const long long rows = (long long)batch * dim;
  const long long blk_row0 = (long long)blockIdx.x * WARPS * ROWS;
  const long long wrow0 = blk_row0 + (long long)warp * ROWS;
  const long long row = wrow0 + rloc;
  const bool valid = row < rows;
  const int b = valid ? (int)(row / dim) : 0;
  const int d = valid ? (int)(row % dim) : 0;

  // Do all rows of the block share (batch, group) for B and for C? Then dB/dC are summed in
  // shared memory first; otherwise every lane adds its own values atomically.
  long long blk_last = blk_row0 + WARPS * ROWS - 1;
  if (blk_last >= rows) blk_last = rows - 1;
  const int b_first = (int)(blk_row0 / dim), d_first = (int)(blk_row0 % dim);
  const int b_last = (int)(blk_last / dim), d_last = (int)(blk_last % dim);
#if B_VAR
  const int gsz_b = dim / groups_b;
  const bool block_b = (b_first == b_last) && (d_first / gsz_b == d_last / gsz_b);
#endif
#if C_VAR
  const int gsz_c = dim / groups_c;
  const bool block_c = (b_first == b_last) && (d_first / gsz_c == d_last / gsz_c);
#endif

  float araw[SPL], a2[SPL], mu[SPL], dA_acc[SPL];
#if !B_VAR
  float bc[SPL], dBc[SPL];
#endif
#if !C_VAR
  float cc[SPL], dCc[SPL];
#endif
  const input_t* brow[SPL];
  const input_t* crow[SPL];
  float* dbrow[SPL];
  float* dcrow[SPL];
#pragma unroll
  for (int k = 0; k < SPL; ++k) {
    const int n = j + k * LANES;
    const bool nv = valid && n < NSTATE;
    araw[k] = nv ? A[d * NSTATE + n] : 0.f;
    a2[k] = araw[k] * LOG2E;
    mu[k] = (nv && dlast != nullptr) ? dlast[row * NSTATE + n] : 0.f;
    dA_acc[k] = 0.f;
#if B_VAR
    {
      const long long off = (((long long)b * groups_b + d / gsz_b) * NSTATE + (nv ? n : 0)) * len;
      brow[k] = reinterpret_cast<const input_t*>(Bp) + off;
      dbrow[k] = dB + off;
    }
#else
    bc[k] = nv ? reinterpret_cast<const float*>(Bp)[d * NSTATE + n] : 0.f;
    dBc[k] = 0.f;
    brow[k] = nullptr;
    dbrow[k] = nullptr;
#endif
#if C_VAR
    {
      const long long off = (((long long)b * groups_c + d / gsz_c) * NSTATE + (nv ? n : 0)) * len;
      crow[k] = reinterpret_cast<const input_t*>(Cp) + off;
      dcrow[k] = dC + off;
    }
#else
    cc[k] = nv ? reinterpret_cast<const float*>(Cp)[d * NSTATE + n] : 0.f;
    dCc[k] = 0.f;
    crow[k] = nullptr;
    dcrow[k] = nullptr;
#endif
  }
  float dD_acc = 0.f, dbias_acc = 0.f;

  for (int seg = nseg - 1; seg >= 0; --seg) {
    const int seg0 = seg * SEG;
    const int nsub = min(NSUB, (len - seg0 + SUBB - 1) / SUBB);

    // Pass 1: from the stored segment-start state, recompute the start state of every sub-chunk.
    float h[SPL];
#pragma unroll
    for (int k = 0; k < SPL; ++k) {
      const int n = j + k * LANES;
      const bool nv = valid && n < NSTATE;
      if (seg > 0) {
        h[k] = nv ? ckpt[(row * nseg + seg - 1) * NSTATE + n] : 0.f;
      } else {
#if HAS_H0
        h[k] = nv ? h0[row * NSTATE + n] : 0.f;
#else
        h[k] = 0.f;
#endif
      }
    }
    for (int sb = 0; sb < nsub; ++sb) {
      const int t0 = seg0 + sb * SUBB;
#pragma unroll
      for (int k = 0; k < SPL; ++k) s_hb[warp][sb][k][lane] = h[k];
      // Stage Δ' and u of this sub-chunk (one element per lane).
      for (int e = lane; e < ROWS * SUBB; e += 32) {
        const int r = e / SUBB, tt = e % SUBB;
        const long long rr = wrow0 + r;
        const bool in = rr < rows && t0 + tt < len;
        float dt = 0.f, uv = 0.f;
        if (in) {
          const long long idx = rr * len + t0 + tt;
          uv = to_f(u[idx]);
          dt = to_f(delta[idx]);
#if HAS_BIAS
          dt += dbias[rr % dim];
#endif
#if SOFTPLUS
          dt = softplus_f(dt);
#endif
        }
        s_dt[warp][e] = dt;
        s_u[warp][e] = uv;
      }
      __syncwarp();
#pragma unroll
      for (int k = 0; k < SPL; ++k) {
        const bool nv = valid && (j + k * LANES) < NSTATE;
        float bv[SUBB];
#if B_VAR
        load_run<SUBB>(brow[k], t0, len, nv, bv);
#else
#pragma unroll
        for (int i = 0; i < SUBB; ++i) bv[i] = bc[k];
#endif
#pragma unroll
        for (int i = 0; i < SUBB; ++i) {
          const float dt = s_dt[warp][rloc * SUBB + i];
          h[k] = exp2f(dt * a2[k]) * h[k] + dt * s_u[warp][rloc * SUBB + i] * bv[i];
        }
      }
      __syncwarp();
    }

    // Pass 2: sub-chunks in reverse.
    for (int sb = nsub - 1; sb >= 0; --sb) {
      const int t0 = seg0 + sb * SUBB;
      for (int e = lane; e < ROWS * SUBB; e += 32) {
        const int r = e / SUBB, tt = e % SUBB;
        const long long rr = wrow0 + r;
        const bool in = rr < rows && t0 + tt < len;
        float dt = 0.f, uv = 0.f, dy = 0.f, dsp = 1.f, gz = 0.f;
        if (in) {
          const long long idx = rr * len + t0 + tt;
          uv = to_f(u[idx]);
          float x = to_f(delta[idx]);
#if HAS_BIAS
          x += dbias[rr % dim];
#endif
#if SOFTPLUS
          dt = softplus_f(x);
          dsp = x <= 20.f ? sigmoid_f(x) : 1.f;
#else
          dt = x;
#endif
          const float g = dout != nullptr ? to_f(dout[idx]) : 0.f;
#if HAS_Z
          const float zv = to_f(z[idx]);
          const float sz = sigmoid_f(zv);
          dy = g * zv * sz;
          gz = g * sz * (1.f + zv * (1.f - sz));
#else
          dy = g;
#endif
        }
        s_dt[warp][e] = dt;
        s_u[warp][e] = uv;
        s_dy[warp][e] = dy;
        s_dsp[warp][e] = dsp;
#if HAS_Z
        s_gz[warp][e] = gz;
#endif
        (void)gz;
      }
      __syncwarp();

      float s1[SUBB], s2[SUBB];
#if HAS_Z
      float yacc[SUBB];
#endif
#pragma unroll
      for (int i = 0; i < SUBB; ++i) {
        s1[i] = 0.f;
        s2[i] = 0.f;
#if HAS_Z
        yacc[i] = 0.f;
#endif
      }
#pragma unroll
      for (int k = 0; k < SPL; ++k) {
        const int n = j + k * LANES;
        const bool nv = valid && n < NSTATE;
        float bv[SUBB], cv[SUBB];
#if B_VAR
        load_run<SUBB>(brow[k], t0, len, nv, bv);
#else
#pragma unroll
        for (int i = 0; i < SUBB; ++i) bv[i] = bc[k];
#endif
#if C_VAR
        load_run<SUBB>(crow[k], t0, len, nv, cv);
#else
#pragma unroll
        for (int i = 0; i < SUBB; ++i) cv[i] = cc[k];
#endif
        // Recompute the states of the sub-chunk (hh[i + 1] = h_{t0+i}) and the decays.
        float hh[SUBB + 1], ea[SUBB];
        hh[0] = s_hb[warp][sb][k][lane];
#pragma unroll
        for (int i = 0; i < SUBB; ++i) {
          const float dt = s_dt[warp][rloc * SUBB + i];
          ea[i] = exp2f(dt * a2[k]);
          hh[i + 1] = ea[i] * hh[i] + dt * s_u[warp][rloc * SUBB + i] * bv[i];
#if HAS_Z
          yacc[i] += cv[i] * hh[i + 1];
#endif
        }
        // Adjoint in reverse: μ_t = dy_t C_t + exp(Δ_{t+1} A) μ_{t+1}.
        float m = mu[k];
        float dbv[SUBB], dcv[SUBB];
#pragma unroll
        for (int i = SUBB - 1; i >= 0; --i) {
          const float dt = s_dt[warp][rloc * SUBB + i];
          const float dy = s_dy[warp][rloc * SUBB + i];
          m += dy * cv[i];
          dcv[i] = dy * hh[i + 1];                              // dC_t = dy_t h_t
          dbv[i] = m * dt * s_u[warp][rloc * SUBB + i];         // dB_t = μ_t Δ_t u_t
          s1[i] += m * bv[i];                                   // Σ_n μ B  (→ du, dΔ)
          const float p = m * hh[i] * ea[i];
          dA_acc[k] += p * dt;                                  // dA = Σ μ Δ e^{ΔA} h_{t-1}
          s2[i] += p * araw[k];                                 // Σ_n μ A e^{ΔA} h_{t-1} (→ dΔ)
          m *= ea[i];
        }
        mu[k] = m;
        // dB / dC of this state for the sub-chunk.
#if B_VAR
        if (block_b) {
          // Sum the ROWS rows of the warp (same batch and group), then one slot per warp.
#pragma unroll
          for (int i = 0; i < SUBB; ++i) {
#pragma unroll
            for (int off = LANES; off < 32; off <<= 1) dbv[i] += __shfl_xor_sync(FULL_MASK, dbv[i], off);
          }
          if (rloc == 0 && n < NSTATE) {
#pragma unroll
            for (int i = 0; i < SUBB; ++i) s_rb[warp][n * SUBB + i] = dbv[i];
          }
        } else if (nv) {
#pragma unroll
          for (int i = 0; i < SUBB; ++i)
            if (t0 + i < len) atomicAdd(dbrow[k] + t0 + i, dbv[i]);
        }
#else
#pragma unroll
        for (int i = 0; i < SUBB; ++i) dBc[k] += dbv[i];
#endif
#if C_VAR
        if (block_c) {
#pragma unroll
          for (int i = 0; i < SUBB; ++i) {
#pragma unroll
            for (int off = LANES; off < 32; off <<= 1) dcv[i] += __shfl_xor_sync(FULL_MASK, dcv[i], off);
          }
          if (rloc == 0 && n < NSTATE) {
#pragma unroll
            for (int i = 0; i < SUBB; ++i) s_rc[warp][n * SUBB + i] = dcv[i];
          }
        } else if (nv) {
#pragma unroll
          for (int i = 0; i < SUBB; ++i)
            if (t0 + i < len) atomicAdd(dcrow[k] + t0 + i, dcv[i]);
        }
#else
#pragma unroll
        for (int i = 0; i < SUBB; ++i) dCc[k] += dcv[i];
#endif
      }

      // Per-step results: du, dΔ, dz.
      reduce_scatter<SUBB>(s1, j);
      reduce_scatter<SUBB>(s2, j);
#if HAS_Z
      reduce_scatter<SUBB>(yacc, j);
#endif
      int first;
      if (owns<SUBB>(j, first) && valid) {
#if HAS_D
        const float dw = Dw[d];
#else
        const float dw = 0.f;
#endif
#pragma unroll
        for (int i = 0; i < (SUBB >= LANES ? SUBB / LANES : 1); ++i) {
          const int tt = first + i;
          const int t = t0 + tt;
          if (t < len) {
            const int e = rloc * SUBB + tt;
            const float dt = s_dt[warp][e], uv = s_u[warp][e], dy = s_dy[warp][e];
            const long long idx = row * len + t;
            du_out[idx] = from_f(dw * dy + dt * s1[i]);
            const float ddt = (uv * s1[i] + s2[i]) * s_dsp[warp][e];
            ddelta_out[idx] = from_f(ddt);
            dbias_acc += ddt;
            dD_acc += dy * uv;
#if HAS_Z
            dz_out[idx] = from_f(s_gz[warp][e] * (yacc[i] + dw * uv));
#endif
          }
        }
      }

#if B_VAR || C_VAR
      // Block-wide sum of the per-warp dB/dC slots, one atomic per (n, t) per block.
      __syncthreads();
#if B_VAR
      if (block_b) {
        for (int e = threadIdx.x; e < NSTATE * SUBB; e += WARPS * 32) {
          const int n = e / SUBB, i = e % SUBB;
          if (t0 + i < len) {
            float sum = 0.f;
#pragma unroll
            for (int w = 0; w < WARPS; ++w) sum += s_rb[w][e];
            const long long off = (((long long)b_first * groups_b + d_first / gsz_b) * NSTATE + n) * len;
            atomicAdd(dB + off + t0 + i, sum);
          }
        }
      }
#endif
#if C_VAR
      if (block_c) {
        for (int e = threadIdx.x; e < NSTATE * SUBB; e += WARPS * 32) {
          const int n = e / SUBB, i = e % SUBB;
          if (t0 + i < len) {
            float sum = 0.f;
#pragma unroll
            for (int w = 0; w < WARPS; ++w) sum += s_rc[w][e];
            const long long off = (((long long)b_first * groups_c + d_first / gsz_c) * NSTATE + n) * len;
            atomicAdd(dC + off + t0 + i, sum);
          }
        }
      }
#endif
      __syncthreads();
#else
      __syncwarp();
#endif
    }
  }

  // Per-row results: dA, dh0, constant dB/dC (summed over the batch by atomics), dD, dbias.
#pragma unroll
  for (int k = 0; k < SPL; ++k) {
    const int n = j + k * LANES;
    if (valid && n < NSTATE) {
      atomicAdd(dA + d * NSTATE + n, dA_acc[k]);
      if (dh0 != nullptr) dh0[row * NSTATE + n] = mu[k];
#if !B_VAR
      atomicAdd(dB + d * NSTATE + n, dBc[k]);
#endif
#if !C_VAR
      atomicAdd(dC + d * NSTATE + n, dCc[k]);
#endif
    }
  }
#pragma unroll
  for (int off = 1; off < LANES; off <<= 1) {
    dD_acc += __shfl_xor_sync(FULL_MASK, dD_acc, off);
    dbias_acc += __shfl_xor_sync(FULL_MASK, dbias_acc, off);
  }
  if (valid && j == 0) {
    if (dD != nullptr) atomicAdd(dD + d, dD_acc);
    if (ddbias != nullptr) atomicAdd(ddbias + d, dbias_acc);
  }
}
#endif  // !KERNEL_FWD
