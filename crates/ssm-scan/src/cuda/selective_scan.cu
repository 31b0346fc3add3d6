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
// float -> bf16, round to nearest even (NaN stays NaN): one cvt.rn.bf16.f32 on the GPU (the
// integer version below took 9 instructions per value; the host emulation keeps it).
__device__ __forceinline__ input_t from_f(float x) {
#ifdef SSM_SCAN_HOST
  unsigned int b = __float_as_uint(x);
  if ((b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu)) return (input_t)((b >> 16) | 0x40u);
  b += 0x7fffu + ((b >> 16) & 1u);
  return (input_t)(b >> 16);
#else
  input_t r;
  asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(r) : "f"(x));
  return r;
#endif
}
// Two floats as bf16 in one word (lo at the lower address): one cvt.rn.bf16x2.f32 on the GPU.
__device__ __forceinline__ unsigned int from_f2(float lo, float hi) {
#ifdef SSM_SCAN_HOST
  return (unsigned int)from_f(lo) | ((unsigned int)from_f(hi) << 16);
#else
  unsigned int r;
  asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(hi), "f"(lo));
  return r;
#endif
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

// Two consecutive input_t (one 4- or 8-byte access; p must be aligned to it).
struct alignas(2 * sizeof(input_t)) Pair {
  input_t v[2];
};

__device__ __forceinline__ void load_pair(const input_t* p, float (&out)[2]) {
  const Pair q = *reinterpret_cast<const Pair*>(p);
  out[0] = to_f(q.v[0]);
  out[1] = to_f(q.v[1]);
}

__device__ __forceinline__ void store_pair(input_t* p, const float (&in)[2]) {
#if INPUT_BF16
  *reinterpret_cast<unsigned int*>(p) = from_f2(in[0], in[1]);
#else
  Pair q;
  q.v[0] = in[0];
  q.v[1] = in[1];
  *reinterpret_cast<Pair*>(p) = q;
#endif
}

__device__ __forceinline__ void store_pack(input_t* p, const float* in) {
#if INPUT_BF16
  *reinterpret_cast<uint4*>(p) = make_uint4(from_f2(in[0], in[1]), from_f2(in[2], in[3]), from_f2(in[4], in[5]), from_f2(in[6], in[7]));
#else
  *reinterpret_cast<float4*>(p) = make_float4(in[0], in[1], in[2], in[3]);
#endif
}

// 2^x and log2(x) as single MUFU instructions: the .ftz forms (results below 2^-126 flush to
// zero). The plain exp2f / __expf / __logf compile to ex2.approx.f32 without .ftz here, which
// ptxas wraps in a range test and two predicated multiplies per call.
// (Host emulation, host_emulation.h, defines SSM_SCAN_HOST and the two in libm.)
#ifndef SSM_SCAN_HOST
__device__ __forceinline__ float ex2_ftz(float x) {
  float y;
  asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));
  return y;
}
__device__ __forceinline__ float lg2_ftz(float x) {
  float y;
  asm("lg2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));
  return y;
}
// One warp-wide D = A·B + C on the tensor cores, m16n8k8 with tf32 A and B (f32 bit patterns;
// the MMA reads their upper 19 bits) and f32 accumulation. Fragments (lane = 4·row + q):
// a = A[row][q], A[row+8][q], A[row][q+4], A[row+8][q+4]; b = B[q][row], B[q+4][row];
// c, d = C[row][2q], C[row][2q+1], C[row+8][2q], C[row+8][2q+1]. `volatile`: every lane must
// run it, so it must not sink into a branch on its result.
// (Host emulation, host_emulation.h, exchanges the fragments through the block.)
__device__ __forceinline__ void mma_tf32(float (&d)[4], const unsigned int (&a)[4], const unsigned int (&b)[2], const float (&c)[4]) {
  asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};"
               : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "f"(c[0]), "f"(c[1]), "f"(c[2]), "f"(c[3]));
}
#endif
#define LN2 0.6931471805599453f

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

#if KERNEL_FWD == 1
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

#endif  // KERNEL_FWD == 1

#if KERNEL_FWD == 2 || KERNEL_BWD_TILE
// ---------------------------------------------------------------------------------------------
// Forward, tiled over channels (used when B and C are variable, N <= 16, and the TR channels of
// a block share one B group and one C group).
//
// Why: B_t and C_t are the same for every channel d of a (batch, group); the row-per-warp
// kernel above reads them once per row (B·D·L·N values each, served by L2). Here a block of
// TR consecutive channels of one batch stages B and C of a TT-step chunk in shared memory once
// and all its rows read them from there.
//   * thread (r, g): channel d0 + r, states n = 4g .. 4g+3 (TG = 4 threads per row, N padded
//     to 16 with zero states; MMA_Y permutes them and SPT = 2 gives 8 threads 2 states each,
//     see SN); the recurrence runs sequentially over time in registers;
//   * each thread's partial C·h sums go to shared memory, and the epilogue adds the TG
//     partials, the D skip and the z gate once per (d, t); YRED = 1 adds the 4 partials of a
//     channel by warp shuffles first, so one plane is stored and read;
//   * u, Δ, z (and B, C) of chunk c+1 are loaded into registers while chunk c is computed;
//     softplus is computed once per (d, t) when the chunk is staged, and so are D u and the
//     gate unless EPI_REGS = 1 (then the staging thread keeps its unit's u and z and computes
//     them in the epilogue, which it runs for the same unit);
//   * BC16 = 1 (bf16 inputs): B and C are staged as their 16-bit values, half the shared-memory
//     wavefronts of the loop's B/C reads for one shift per value; C32 = 1 keeps that for B only
//     and stages C as f32 (converted once at staging: half the loop's shifts, more wavefronts);
//   * RPT = 2: each thread runs its 4 states for two channels (rows p and p + TR/2), so every
//     B_t / C_t value read from shared memory serves 8 state updates instead of 4. The loop is
//     bound by shared-memory bytes delivered to registers (ncu: L1/TEX ~90%): per state update
//     8/RPT bytes of B, C plus 2 bytes of Δ', Δ'u, i.e. 10 -> 6.
// ---------------------------------------------------------------------------------------------
#ifndef TR
#define TR 32                             // channels per block (set by the host)
#endif
#ifndef SPT
#define SPT 4                             // states per thread (the forward takes 2 with MMA_Y)
#endif
#define TG (16 / SPT)                     // threads per channel
#ifndef RPT
#define RPT 1                             // channels per thread of the tiled forward (1 or 2)
#endif
#define NTHR (TR * TG / RPT)
#define TP (TT + 4)                       // padded row stride of the (row, t) tiles
#define YPS (TR * TP + 8)                 // stride of the partial-sum planes (bank offset)
#define UN (TR * TT / 8)                  // 8-element units of u / Δ / z per chunk
#define UNITS ((UN + NTHR - 1) / NTHR)    // ... per thread
#define UNIT_IN(e) (UN % NTHR == 0 || (e) < UN)  // unit e exists (the last round may be partial)
#define BCUN (16 * TT / 8)                // 8-element units of B (and of C) per chunk
#define BCU ((BCUN + NTHR - 1) / NTHR)    // ... per thread
#define PPU (8 / VEC)                     // 16-byte packs per unit

// 8 raw input values kept as 32-bit words (bf16: two per word), unpacked only when staged, so
// that the prefetch loads are not waited for before the chunk's arithmetic.
struct Unit {
  uint4 q[PPU];
};

__device__ __forceinline__ unsigned int word_of(const uint4& v, int k) {
  return k == 0 ? v.x : k == 1 ? v.y : k == 2 ? v.z : v.w;
}

#if INPUT_BF16
__device__ __forceinline__ unsigned int raw_word(const input_t* p, int i, int nvalid) {
  const unsigned int lo = (i < nvalid) ? (unsigned int)p[i] : 0u;
  const unsigned int hi = (i + 1 < nvalid) ? (unsigned int)p[i + 1] : 0u;
  return lo | (hi << 16);
}
#else
__device__ __forceinline__ unsigned int raw_word(const input_t* p, int i, int nvalid) {
  return (i < nvalid) ? __float_as_uint(p[i]) : 0u;
}
#endif

// Loads 8 consecutive values (nvalid of them in range; zeros elsewhere).
__device__ __forceinline__ void load_unit(const input_t* p, int nvalid, Unit& o) {
#if ALIGNED
  if (nvalid >= 8) {
#pragma unroll
    for (int k = 0; k < PPU; ++k) o.q[k] = *reinterpret_cast<const uint4*>(p + k * VEC);
    return;
  }
#endif
  constexpr int PER = 4 / (int)sizeof(input_t);  // values per word
#pragma unroll
  for (int k = 0; k < PPU; ++k) {
    o.q[k].x = raw_word(p, (k * 4 + 0) * PER, nvalid);
    o.q[k].y = raw_word(p, (k * 4 + 1) * PER, nvalid);
    o.q[k].z = raw_word(p, (k * 4 + 2) * PER, nvalid);
    o.q[k].w = raw_word(p, (k * 4 + 3) * PER, nvalid);
  }
}

// B/C unit e of a chunk is state e / (TT/8), steps (e % (TT/8))·8 .. +7. Loads it from the
// group's (N, L) block `base` for the chunk at c0 (zeros past the end and for padded states).
__device__ __forceinline__ void load_bc_unit(const input_t* base, int e, int c0, int len, Unit& o) {
  const int n = e / (TT / 8), tt = (e % (TT / 8)) * 8;
  const int nvalid = n < NSTATE ? min(8, len - (c0 + tt)) : 0;
  load_unit(base + (long long)(n < NSTATE ? n : 0) * len + c0 + tt, nvalid, o);
}

__device__ __forceinline__ float unit_f(const Unit& o, int i) {
#if INPUT_BF16
  const unsigned int w = word_of(o.q[0], i / 2);
  return __uint_as_float((i & 1) ? (w & 0xffff0000u) : (w << 16));
#else
  return __uint_as_float(word_of(o.q[i / 4], i % 4));
#endif
}

#ifndef BC16
#define BC16 0
#endif
#ifndef C32
#define C32 0                             // with BC16: C staged as f32 (B stays 16-bit)
#endif
#define C16 (BC16 && !C32)                // C staged as 16-bit values
#if BC16 && !INPUT_BF16
#error "BC16 stages bf16 inputs only"
#endif
#if INPUT_BF16
// The raw 16 bits of value i of a unit, and four packed bf16 values (lowest address first) as
// floats.
__device__ __forceinline__ unsigned short unit_bits(const Unit& o, int i) {
  const unsigned int w = word_of(o.q[0], i / 2);
  return (unsigned short)((i & 1) ? (w >> 16) : (w & 0xffffu));
}
__device__ __forceinline__ float4 bf16x4_f(const uint2 w) {
  return make_float4(__uint_as_float(w.x << 16), __uint_as_float(w.x & 0xffff0000u), __uint_as_float(w.y << 16),
                     __uint_as_float(w.y & 0xffff0000u));
}
#endif

#endif  // shared tile helpers

#if KERNEL_FWD == 2
#ifndef YRED
#define YRED 0                            // add the TG partial sums with shuffles in the loop
#endif
#ifndef MMA_Y
#define MMA_Y 0                           // C·h on the tensor cores (bf16 inputs)
#endif
#if MMA_Y && !(INPUT_BF16 && RPT == 1)
#error "MMA_Y takes bf16 inputs with one channel per thread"
#endif
#if SPT != 4 && !(SPT == 2 && MMA_Y)
#error "2 states per thread take MMA_Y"
#endif
#define YPLANES ((YRED || MMA_Y) ? 1 : TG) // partial-sum planes the epilogue adds
// Which threads stage and finish what, where a block has threads to spare (SPT = 2): the B and
// C units go to threads without a u/Δ/z unit, B to threads UN .. UN + BCUN - 1 and C to the
// next BCUN (BC_SPLIT); and without EPI_REGS the epilogue of unit e runs on thread
// (e + UN) % NTHR, so that the warps that staged u/Δ/z do not also finish them (EPI_SHIFT).
// Otherwise thread e stages B/C unit e and u/Δ/z unit e and finishes the latter.
#define BC_SPLIT (UN + 2 * BCUN <= NTHR)
#define EPI_SHIFT (!EPI_REGS && 2 * UN <= NTHR)
#ifndef AHEAD
#define AHEAD 0                           // MMA_Y: a group's decays computed AHEAD groups early
#endif
// The state a thread's k-th register holds (k < SPT), and where state n sits in a B/C tile row:
// thread g's states are always the SPT consecutive words g·SPT .. g·SPT + SPT-1 of the row.
// MMA_Y takes n = g + 4k (the tensor cores' fragments put column g and g + 4 of each 8-state
// block in lane g), with SPT = 2 n = 8·(g/4) + g%4 + 4k (thread g holds columns g%4 and g%4 + 4
// of the states' half g/4); the other layouts n = 4g + k.
#if MMA_Y && SPT == 2
#define SN(g, k) (8 * ((g) >> 2) + ((g) & 3) + 4 * (k))
#define SPOS(n) (((n) & 8) + ((n) & 3) * 2 + (((n) >> 2) & 1))
#elif MMA_Y
#define SN(g, k) ((g) + 4 * (k))
#define SPOS(n) (((n) % 4) * 4 + (n) / 4)
#else
#define SN(g, k) ((g) * 4 + (k))
#define SPOS(n) (n)
#endif
#ifndef EPI_REGS
#define EPI_REGS 0                        // the epilogue takes u and z from registers
#endif
#ifndef FMA_H
#define FMA_H 0                           // the state update as one FFMA on h's dependence chain
#endif
// One state update h' = a h + Δ'u B (Mamba eq. 2a). Left to the compiler, ptxas fuses Δ'u·B
// into a·h (FMUL a·h, then FFMA): two dependent instructions per step on h's chain. FMA_H = 1
// rounds Δ'u·B first and fuses a·h into it: one FFMA on the chain, the same instruction count.
__device__ __forceinline__ float state_step(float a, float h, float du, float b) {
#if FMA_H
  return fmaf(a, h, du * b);
#else
  return a * h + du * b;
#endif
}
// YRED's butterfly over a channel's 4 lanes (g = lane % 4) for a group of 4 steps. Round 1
// (xor 2): the two partial sums this lane keeps and the two it receives.
__device__ __forceinline__ void yred_round1(const float (&yp)[4], int g, float (&own)[2], float (&got)[2]) {
  const bool hi1 = g & 2;
  own[0] = hi1 ? yp[2] : yp[0];
  own[1] = hi1 ? yp[3] : yp[1];
  got[0] = __shfl_xor_sync(FULL_MASK, hi1 ? yp[0] : yp[2], 2);
  got[1] = __shfl_xor_sync(FULL_MASK, hi1 ? yp[1] : yp[3], 2);
}
// Round 2 (xor 1): step i4 + g of the channel is own + got.
__device__ __forceinline__ void yred_round2(const float (&own1)[2], const float (&got1)[2], int g, float& own, float& got) {
  const bool hi0 = g & 1;
  const float k0 = own1[0] + got1[0], k1 = own1[1] + got1[1];
  own = hi0 ? k1 : k0;
  got = __shfl_xor_sync(FULL_MASK, hi0 ? k0 : k1, 1);
}

// MMA_Y: the outputs y_t = Σ_n C_t,n h_t,n (Mamba eq. 2b) of two steps t, t+1 for the warp's 8
// channels, as two m16n8k8 MMAs over the 16 states (8 per MMA). Row r of A is channel r at step
// t, row r + 8 the same channel at step t + 1 (h0, h1: the lane's 4 states after each step);
// column c of B is C at step w0 + c of an 8-step window (bk: the lane's C values at step
// w0 + its row, states g, g + 4 and g + 8, g + 12). Of the 16 x 8 products only the diagonal
// terms are wanted: for the pair starting at w0 + 2j, y of row r is D[r][2j] and D[r + 8][2j + 1],
// which lane 4r + j holds as d[0] and d[3]. (The tensor cores are otherwise idle; this replaces
// 4 FMUL/FFMA, 4 bf16 conversions and the shuffles per step and lane with 2 MMAs per 2 steps
// and warp. A and B are read as tf32: each product's relative error is below 2^-10, under the
// bf16 rounding of y, 2^-9.)
__device__ __forceinline__ void y_pair_mma(const float (&h0)[4], const float (&h1)[4], const unsigned int (&bk)[4], float (&d)[4]) {
  const unsigned int bk0[2] = {bk[0], bk[1]}, bk1[2] = {bk[2], bk[3]};
  const unsigned int a0[4] = {__float_as_uint(h0[0]), __float_as_uint(h1[0]), __float_as_uint(h0[1]), __float_as_uint(h1[1])};
  const unsigned int a1[4] = {__float_as_uint(h0[2]), __float_as_uint(h1[2]), __float_as_uint(h0[3]), __float_as_uint(h1[3])};
  const float zero[4] = {0.f, 0.f, 0.f, 0.f};
  float part[4];
  mma_tf32(part, a0, bk0, zero);
  mma_tf32(d, a1, bk1, part);
}
// With SPT = 2 (TG = 8 lanes per channel, 4 channels per warp): one m16n8k8 MMA per two steps and
// warp. Row 2r + s of A is channel r's state half s at step t (its 8 states, the k columns), row
// 2r + s + 8 the same at step t + 1; column 2j + s' of B is C of half s' at step w0 + j of a 4-step
// window (bk: the lane's C values at step w0 + r, its own two states). The wanted terms are those
// whose half matches: for the pair at w0 + 2j, channel r's half-s sum at step w0 + 2j is
// D[2r + s][4j + s], lane 4(2r + s) + 2j's d[s], and at step w0 + 2j + 1 D[2r + s + 8][4j + 2 + s],
// lane 4(2r + s) + 2j + 1's d[2 + s]: lane g of a channel ends a window with its half's sum at step
// w0 + g%4, and one shuffle adds the two halves.
__device__ __forceinline__ void y_pair_mma(const float (&h0)[2], const float (&h1)[2], const unsigned int (&bk)[2], float (&d)[4]) {
  const unsigned int a[4] = {__float_as_uint(h0[0]), __float_as_uint(h1[0]), __float_as_uint(h0[1]), __float_as_uint(h1[1])};
  const float zero[4] = {0.f, 0.f, 0.f, 0.f};
  mma_tf32(d, a, bk, zero);
}

// The thread's SPT words g·SPT .. g·SPT + SPT-1 of step t of a B or C tile (B_t, C_t of its
// states, see SPOS) as floats: from f32 tiles, and from 16-bit (bf16) ones.
__device__ __forceinline__ void own_words(const float* tile, int t, int g, float (&v)[SPT]) {
#if SPT == 4
  const float4 q = *reinterpret_cast<const float4*>(&tile[t * 16 + g * 4]);
  v[0] = q.x, v[1] = q.y, v[2] = q.z, v[3] = q.w;
#else
  const float2 q = *reinterpret_cast<const float2*>(&tile[t * 16 + g * 2]);
  v[0] = q.x, v[1] = q.y;
#endif
}
#if INPUT_BF16
__device__ __forceinline__ void own_words(const unsigned short* tile, int t, int g, float (&v)[SPT]) {
#if SPT == 4
  const float4 q = bf16x4_f(*reinterpret_cast<const uint2*>(&tile[t * 16 + g * 4]));
  v[0] = q.x, v[1] = q.y, v[2] = q.z, v[3] = q.w;
#else
  const unsigned int w = *reinterpret_cast<const unsigned int*>(&tile[t * 16 + g * 2]);
  v[0] = __uint_as_float(w << 16), v[1] = __uint_as_float(w & 0xffff0000u);
#endif
}
#endif

// Writes B/C unit e (see load_bc_unit) into its (t, n) tile, as floats or as the raw 16-bit
// values (bf16 tiles).
__device__ __forceinline__ void stage_bc(float* tile, const Unit& v, int e) {
  const int n = e / (TT / 8), tt = (e % (TT / 8)) * 8;
#pragma unroll
  for (int i = 0; i < 8; ++i) tile[(tt + i) * 16 + SPOS(n)] = unit_f(v, i);
}
#if INPUT_BF16
__device__ __forceinline__ void stage_bc(unsigned short* tile, const Unit& v, int e) {
  const int n = e / (TT / 8), tt = (e % (TT / 8)) * 8;
#pragma unroll
  for (int i = 0; i < 8; ++i) tile[(tt + i) * 16 + SPOS(n)] = unit_bits(v, i);
}
#endif

// silu(z) = z / (1 + e^-z) with MUFU's 2^x.
__device__ __forceinline__ float silu_ftz(float z) { return __fdividef(z, 1.f + ex2_ftz(-z * LOG2E)); }

// The epilogue's D u and gate silu(z) (1 without z) of a unit's 8 steps, with dw = the channel's D.
__device__ __forceinline__ void skip_and_gate(const Unit& u, const Unit& z, float dw, float (&sk)[8], float (&gt)[8]) {
#pragma unroll
  for (int i = 0; i < 8; ++i) {
    sk[i] = dw * unit_f(u, i);
#if HAS_Z
    gt[i] = silu_ftz(unit_f(z, i));
#else
    (void)z;
    gt[i] = 1.f;
#endif
  }
}

#if SPT == 2
#define FWD_MIN_BLOCKS (768 / NTHR)       // 768 threads per SM (3 blocks of 32 channels: the benchmark shape has < 3 per SM)
#elif RPT == 1 && EPI_REGS
#define FWD_MIN_BLOCKS (384 / NTHR)       // room for the kept u and z (the benchmark shape has < 3 blocks per SM)
#elif RPT == 1
#define FWD_MIN_BLOCKS (512 / NTHR)
#else
#define FWD_MIN_BLOCKS (256 / NTHR)
#endif
extern "C" __global__ void __launch_bounds__(NTHR, FWD_MIN_BLOCKS)
selective_scan_fwd(const input_t* __restrict__ u, const input_t* __restrict__ delta, const float* __restrict__ A,
                   const void* __restrict__ Bp, const void* __restrict__ Cp, const float* __restrict__ Dw,
                   const input_t* __restrict__ z, const float* __restrict__ dbias, const float* __restrict__ h0,
                   input_t* __restrict__ out, float* __restrict__ last, float* __restrict__ ckpt, int batch, int dim,
                   int len, int groups_b, int groups_c, int nseg) {
  __shared__ __align__(16) float s_dt[TR * TP];
  __shared__ __align__(16) float s_du[TR * TP];
#if !EPI_REGS
  __shared__ __align__(16) float s_skip[TR * TP];
  __shared__ __align__(16) float s_gate[TR * TP];
#endif
  // bf16 inputs with BC16: B (and C unless C32) staged as their raw 16-bit values (exact),
  // half the bytes per read for one shift per value in the loop.
#if BC16
  __shared__ __align__(16) unsigned short s_b[TT * 16];
#else
  __shared__ __align__(16) float s_b[TT * 16];
#endif
#if C16
  __shared__ __align__(16) unsigned short s_c[TT * 16];
#else
  __shared__ __align__(16) float s_c[TT * 16];
#endif
  __shared__ __align__(16) float s_yp[YPLANES * YPS];

  const int tid = threadIdx.x;
  const int nblk = (dim + TR - 1) / TR;
  const int b = blockIdx.x / nblk;
  const int d0 = (blockIdx.x % nblk) * TR;
  const input_t* bbase = reinterpret_cast<const input_t*>(Bp) + ((long long)b * groups_b + d0 / (dim / groups_b)) * NSTATE * (long long)len;
  const input_t* cbase = reinterpret_cast<const input_t*>(Cp) + ((long long)b * groups_c + d0 / (dim / groups_c)) * NSTATE * (long long)len;

  // Compute role: TG consecutive lanes per channel. (Lane = channel, warp = state group made
  // the B / C reads one broadcast per warp but the Δ' / Δ'u reads 4x wider; measured slower.)
  // With RPT = 2 the thread's second channel is TR/2 rows further (conflict-free tile reads).
  const int p = tid / TG, g = tid % TG;
  int trow[RPT];
  bool rvalid[RPT];
  long long row[RPT];
  float a2[RPT][SPT], h[RPT][SPT];
#pragma unroll
  for (int j = 0; j < RPT; ++j) {
    trow[j] = p + j * (TR / RPT);
    const int d = d0 + trow[j];
    rvalid[j] = d < dim;
    row[j] = (long long)b * dim + (rvalid[j] ? d : 0);
#pragma unroll
    for (int k = 0; k < SPT; ++k) {
      const int n = SN(g, k);
      const bool nv = rvalid[j] && n < NSTATE;
      a2[j][k] = nv ? A[d * NSTATE + n] * LOG2E : 0.f;
#if HAS_H0
      h[j][k] = nv ? h0[row[j] * NSTATE + n] : 0.f;
#else
      h[j][k] = 0.f;
#endif
    }
  }

  // Staging role: UNITS units of (row, 8 steps) of u / Δ / z, BCU units of (state, 8 steps).
  Unit ru[UNITS], rd[UNITS], rz[UNITS];  // rz is loaded (and read) only with z
  Unit rb[BCU], rc[BCU];
#if BC_SPLIT
  const int bcu = tid - UN;  // this thread's B/C unit (see BC_SPLIT)
#endif
  // A unit's channel is the same in every chunk: its delta_bias and D are read once (0 for a
  // channel past the end).
  float ubias[UNITS], uskip[UNITS];
#pragma unroll
  for (int q = 0; q < UNITS; ++q) {
    const int dd = d0 + (tid + q * NTHR) / (TT / 8);
    const bool rv = UNIT_IN(tid + q * NTHR) && dd < dim;
    ubias[q] = HAS_BIAS && rv ? dbias[dd] : 0.f;
    uskip[q] = HAS_D && rv ? Dw[dd] : 0.f;
  }

  auto load_chunk = [&](int c0) {
#pragma unroll
    for (int q = 0; q < UNITS; ++q) {
      const int e = tid + q * NTHR;
      if (!UNIT_IN(e)) continue;
      const int rr = e / (TT / 8), tt = (e % (TT / 8)) * 8;
      const int dd = d0 + rr;
      const int nvalid = dd < dim ? min(8, len - (c0 + tt)) : 0;
      const long long base = ((long long)b * dim + (dd < dim ? dd : 0)) * len + c0 + tt;
      load_unit(u + base, nvalid, ru[q]);
      load_unit(delta + base, nvalid, rd[q]);
#if HAS_Z
      load_unit(z + base, nvalid, rz[q]);
#endif
    }
#if BC_SPLIT
    // B unit bcu, or C unit bcu - BCUN, into rb[0].
    if (bcu >= 0 && bcu < 2 * BCUN) load_bc_unit(bcu < BCUN ? bbase : cbase, bcu % BCUN, c0, len, rb[0]);
#else
#pragma unroll
    for (int q = 0; q < BCU; ++q) {
      const int e = tid + q * NTHR;
      if (BCUN % NTHR == 0 || e < BCUN) {
        load_bc_unit(bbase, e, c0, len, rb[q]);
        load_bc_unit(cbase, e, c0, len, rc[q]);
      }
    }
#endif
  };

  load_chunk(0);
  for (int c0 = 0; c0 < len; c0 += TT) {
#if !EPI_REGS
    __syncthreads();  // the previous chunk's epilogue is done with the skip and gate tiles
#endif
    // (With EPI_REGS the epilogue reads s_yp alone, which the staging below does not write, and
    // the barrier after the staging orders the next loop's s_yp writes after every epilogue:
    // two barriers per chunk instead of three.)
#if EPI_REGS
    // EPI_REGS: the thread that stages a unit also finishes it, so it keeps the unit's raw u
    // and z (the prefetch below overwrites ru, rz) and computes D u and silu(z) in the
    // epilogue: two shared-memory tiles fewer (their stores and loads).
    Unit eu[UNITS], ez[UNITS];
#endif
    // Stage: Δ' = softplus(Δ + bias), Δ'u, D u, silu(z) once per (d, t); B, C as (t, n).
#pragma unroll
    for (int q = 0; q < UNITS; ++q) {
      const int e = tid + q * NTHR;
      if (!UNIT_IN(e)) continue;
#if EPI_REGS
      eu[q] = ru[q];
#if HAS_Z
      ez[q] = rz[q];
#endif
#endif
      const int rr = e / (TT / 8), tt = (e % (TT / 8)) * 8;
      const int dd = d0 + rr;
      const float bias = ubias[q];
      const int nin = dd < dim ? len - (c0 + tt) : 0;  // steps of the unit inside the sequence (may exceed 8)
      float vdt[8], vdu[8];
#pragma unroll
      for (int i = 0; i < 8; ++i) {
        const float uu = unit_f(ru[q], i);
        float dt = unit_f(rd[q], i) + bias;
#if SOFTPLUS
        // Both sides, then a select: no branch per value (2^x overflows to inf above ~88, and
        // that side is not taken).
        const float sp = lg2_ftz(1.f + ex2_ftz(dt * LOG2E)) * LN2;
        dt = dt <= 20.f ? sp : dt;
#endif
        dt = i < nin ? dt : 0.f;  // identity step past the end
        vdt[i] = dt;
        vdu[i] = dt * uu;
      }
#if !EPI_REGS
      float vsk[8], vg[8];
      skip_and_gate(ru[q], rz[q], uskip[q], vsk, vg);
#endif
      const int o = rr * TP + tt;
#pragma unroll
      for (int i = 0; i < 8; i += 4) {
        *reinterpret_cast<float4*>(&s_dt[o + i]) = make_float4(vdt[i], vdt[i + 1], vdt[i + 2], vdt[i + 3]);
        *reinterpret_cast<float4*>(&s_du[o + i]) = make_float4(vdu[i], vdu[i + 1], vdu[i + 2], vdu[i + 3]);
#if !EPI_REGS
        *reinterpret_cast<float4*>(&s_skip[o + i]) = make_float4(vsk[i], vsk[i + 1], vsk[i + 2], vsk[i + 3]);
        *reinterpret_cast<float4*>(&s_gate[o + i]) = make_float4(vg[i], vg[i + 1], vg[i + 2], vg[i + 3]);
#endif
      }
    }
#if BC_SPLIT
    if (bcu >= 0 && bcu < BCUN) {
      stage_bc(s_b, rb[0], bcu);
    } else if (bcu >= BCUN && bcu < 2 * BCUN) {
      stage_bc(s_c, rb[0], bcu - BCUN);
    }
#else
#pragma unroll
    for (int q = 0; q < BCU; ++q) {
      const int e = tid + q * NTHR;
      if (BCUN % NTHR == 0 || e < BCUN) {
        stage_bc(s_b, rb[q], e);
        stage_bc(s_c, rc[q], e);
      }
    }
#endif
    // Start loading the next chunk; its latency overlaps this chunk's arithmetic.
    if (c0 + TT < len) load_chunk(c0 + TT);
    __syncthreads();

#if MMA_Y
    // The recurrence (Mamba eq. 2a) as below, in groups of 4 steps; y (eq. 2b) on the tensor
    // cores, two steps per y_pair_mma, in windows of 8 steps whose C the lanes load once (lane
    // 4r + g: step w0 + r). The decays 2^(Δ'·A·log2 e) and input terms Δ'u·B of a group do not
    // depend on h: `prep` computes them, with AHEAD = 1 or 2 that many groups early (a software
    // pipeline, so that the MUFU and shared-memory latencies overlap earlier groups' updates).
    {
      constexpr int WIN = 2 * SPT;            // steps per window of C (the B operand's columns)
      const int lr = (tid & 31) / (32 / WIN);  // the step of the window whose C this lane loads
      auto prep = [&](int i4, float (&e)[4][SPT], float (&x)[4][SPT]) {
        const float4 dt4 = *reinterpret_cast<const float4*>(&s_dt[trow[0] * TP + i4]);
        const float4 du4 = *reinterpret_cast<const float4*>(&s_du[trow[0] * TP + i4]);
        const float dts[4] = {dt4.x, dt4.y, dt4.z, dt4.w}, dus[4] = {du4.x, du4.y, du4.z, du4.w};
#pragma unroll
        for (int ii = 0; ii < 4; ++ii) {
          float bb[SPT];
          own_words(s_b, i4 + ii, g, bb);
#pragma unroll
          for (int k = 0; k < SPT; ++k) {
            e[ii][k] = ex2_ftz(dts[ii] * a2[0][k]);
            x[ii][k] = dus[ii] * bb[k];
          }
        }
      };
      // The groups' decays and input terms (the loop is unrolled: only the live ones take
      // registers). Group gi is prepared at the top of group gi - AHEAD.
      constexpr int NG = TT / 4;
      float e[NG][4][SPT], x[NG][4][SPT];
      unsigned int bk[SPT];
#pragma unroll
      for (int gi = 0; gi < AHEAD && gi < NG; ++gi) prep(gi * 4, e[gi], x[gi]);
#pragma unroll
      for (int i4 = 0; i4 < TT; i4 += 4) {
        const int gi = i4 / 4;
        if (gi + AHEAD < NG) prep(i4 + 4 * AHEAD, e[gi + AHEAD], x[gi + AHEAD]);
        const int w0 = i4 - i4 % WIN;
        if (i4 == w0) {
          float cw[SPT];
          own_words(s_c, w0 + lr, g, cw);
#pragma unroll
          for (int k = 0; k < SPT; ++k) bk[k] = __float_as_uint(cw[k]);
        }
        float hs[4][SPT];
#pragma unroll
        for (int ii = 0; ii < 4; ++ii) {
#pragma unroll
          for (int k = 0; k < SPT; ++k) {
            h[0][k] = fmaf(e[gi][ii][k], h[0][k], x[gi][ii][k]);  // FMA_H's form
            hs[ii][k] = h[0][k];
          }
        }
        float d[2][4];
#pragma unroll
        for (int pr = 0; pr < 2; ++pr) y_pair_mma(hs[2 * pr], hs[2 * pr + 1], bk, d[pr]);
#if SPT == 4
#pragma unroll
        for (int pr = 0; pr < 2; ++pr) {
          const int j = (i4 - w0) / 2 + pr;  // the pair's index in the window
          if (g == j) *reinterpret_cast<float2*>(&s_yp[trow[0] * TP + w0 + 2 * j]) = make_float2(d[pr][0], d[pr][3]);
        }
#else
        // Lane g's half-(g/4) sum at step i4 + g%4: pair (g%4)/2, register 2·(g%2) + g/4.
        const int s = g >> 2, t4 = g & 3;
        float v[2];
#pragma unroll
        for (int pr = 0; pr < 2; ++pr) v[pr] = (t4 & 1) ? (s ? d[pr][3] : d[pr][2]) : (s ? d[pr][1] : d[pr][0]);
        float y = (t4 >> 1) ? v[1] : v[0];
        y += __shfl_xor_sync(FULL_MASK, y, 4);  // the other half: lane g ^ 4 of the channel
        if (s == 0) s_yp[trow[0] * TP + i4 + t4] = y;
#endif
      }
    }
#else
    // The recurrence (Mamba eq. 2a, ZOH of A, Euler of B): h = 2^(Δ'·A·log2 e) h + Δ'u B;
    // partial y = Σ_{own n} C h (eq. 2b).
#pragma unroll
    for (int i4 = 0; i4 < TT; i4 += 4) {
      float dts[RPT][4], dus[RPT][4], yp[RPT][4];
#pragma unroll
      for (int j = 0; j < RPT; ++j) {
        const float4 dt4 = *reinterpret_cast<const float4*>(&s_dt[trow[j] * TP + i4]);
        const float4 du4 = *reinterpret_cast<const float4*>(&s_du[trow[j] * TP + i4]);
        dts[j][0] = dt4.x, dts[j][1] = dt4.y, dts[j][2] = dt4.z, dts[j][3] = dt4.w;
        dus[j][0] = du4.x, dus[j][1] = du4.y, dus[j][2] = du4.z, dus[j][3] = du4.w;
      }
#pragma unroll
      for (int ii = 0; ii < 4; ++ii) {
        float bb[4], cc[4];
        own_words(s_b, i4 + ii, g, bb);
        own_words(s_c, i4 + ii, g, cc);
#pragma unroll
        for (int j = 0; j < RPT; ++j) {
          const float dt = dts[j][ii], du = dus[j][ii];
#pragma unroll
          for (int k = 0; k < 4; ++k) h[j][k] = state_step(ex2_ftz(dt * a2[j][k]), h[j][k], du, bb[k]);
          yp[j][ii] = cc[0] * h[j][0] + cc[1] * h[j][1] + cc[2] * h[j][2] + cc[3] * h[j][3];
        }
      }
#pragma unroll
      for (int j = 0; j < RPT; ++j) {
#if YRED
        // Transposed butterfly over the channel's 4 lanes (g = lane % 4): after the xor-2 round
        // a lane holds the two steps 2·(g>>1) + {0, 1} summed over lanes {g, g^2}, after the
        // xor-1 round step i4 + g summed over all 4; one 4-byte store per lane (conflict-free:
        // rows are TP = TT + 4 words apart) instead of a 16-byte store per lane, and the
        // epilogue reads one plane instead of TG. (Consuming each round one step group later,
        // to cover the shuffle latency, measured 6% slower: bench-results/NOTES.md, v7.)
        float own1[2], got1[2], own, got;
        yred_round1(yp[j], g, own1, got1);
        yred_round2(own1, got1, g, own, got);
        s_yp[trow[j] * TP + i4 + g] = own + got;
#else
        *reinterpret_cast<float4*>(&s_yp[g * YPS + trow[j] * TP + i4]) = make_float4(yp[j][0], yp[j][1], yp[j][2], yp[j][3]);
#endif
      }
    }
#endif  // MMA_Y
    // Store the state at segment ends (and at the end of the sequence).
#pragma unroll
    for (int j = 0; j < RPT; ++j) {
      if (ckpt != nullptr && rvalid[j]) {
        const int tend = c0 + TT;
        if (tend % SEG == 0 || tend >= len) {
          const int seg = (min(tend, len) - 1) / SEG;
#pragma unroll
          for (int k = 0; k < SPT; ++k) {
            const int n = SN(g, k);
            if (n < NSTATE) ckpt[(row[j] * nseg + seg) * NSTATE + n] = h[j][k];
          }
        }
      }
    }
    __syncthreads();

    // Epilogue: y = (Σ_g partials + D u) · silu(z), written with 16-byte stores.
#pragma unroll
    for (int q = 0; q < UNITS; ++q) {
      const int e = (EPI_SHIFT ? (tid + UN) % NTHR : tid) + q * NTHR;
      if (!UNIT_IN(e)) continue;
      const int rr = e / (TT / 8), tt = (e % (TT / 8)) * 8;
      const int dd = d0 + rr;
      if (dd >= dim) continue;
      const int o = rr * TP + tt;
      float yv[8];
#if EPI_REGS
      float vsk[8], vg[8];
      skip_and_gate(eu[q], ez[q], uskip[q], vsk, vg);
#endif
#pragma unroll
      for (int i = 0; i < 8; i += 4) {
#if EPI_REGS
        float4 acc = make_float4(vsk[i], vsk[i + 1], vsk[i + 2], vsk[i + 3]);
#else
        float4 acc = *reinterpret_cast<const float4*>(&s_skip[o + i]);
#endif
#pragma unroll
        for (int gg = 0; gg < YPLANES; ++gg) {
          const float4 p = *reinterpret_cast<const float4*>(&s_yp[gg * YPS + o + i]);
          acc.x += p.x;
          acc.y += p.y;
          acc.z += p.z;
          acc.w += p.w;
        }
#if EPI_REGS
        const float4 gt = make_float4(vg[i], vg[i + 1], vg[i + 2], vg[i + 3]);
#else
        const float4 gt = *reinterpret_cast<const float4*>(&s_gate[o + i]);
#endif
        yv[i] = acc.x * gt.x;
        yv[i + 1] = acc.y * gt.y;
        yv[i + 2] = acc.z * gt.z;
        yv[i + 3] = acc.w * gt.w;
      }
      const long long base = ((long long)b * dim + dd) * len + c0 + tt;
      const int nvalid = min(8, len - (c0 + tt));
#if ALIGNED
      if (nvalid >= 8) {
#pragma unroll
        for (int k = 0; k < PPU; ++k) store_pack(out + base + k * VEC, &yv[k * VEC]);
        continue;
      }
#endif
#pragma unroll
      for (int i = 0; i < 8; ++i)
        if (i < nvalid) out[base + i] = from_f(yv[i]);
    }
  }
#pragma unroll
  for (int j = 0; j < RPT; ++j) {
    if (rvalid[j]) {
#pragma unroll
      for (int k = 0; k < SPT; ++k) {
        const int n = SN(g, k);
        if (n < NSTATE) last[row[j] * NSTATE + n] = h[j][k];
      }
    }
  }
}
#endif  // KERNEL_FWD == 2

#if !KERNEL_FWD && !KERNEL_BWD_TILE
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
#endif  // !KERNEL_FWD && !KERNEL_BWD_TILE

#if KERNEL_BWD_TILE
#if SPT != 4
#error "the tiled backward runs 4 states per thread"
#endif
// ---------------------------------------------------------------------------------------------
// Backward, tiled over channels like the tiled forward (same eligibility). Thread (r, g) owns
// channel d0 + r and states 4g .. 4g+3. Segments of SEG (= TT) steps are visited last to first:
//   * the segment's Δ', Δ'u, dy (before the gate), B and C are staged in shared memory once
//     for all TR channels;
//   * pass 1 recomputes the state at the start of each SB-step sub-chunk from the stored
//     segment-start state (registers);
//   * pass 2 visits the sub-chunks in reverse: recompute h and exp(Δ'A) of the sub-chunk in
//     registers, run the adjoint μ_t = dy_t C_t + exp(Δ'_{t+1} A) μ_{t+1} backwards, and put
//     dB_t = μ_t Δ'_t u_t, dC_t = dy_t h_t (per channel) and the per-thread partial sums
//     Σ μB, Σ μ A e h_{t-1}, Σ C h into shared memory;
//   * then the block sums dB, dC over its TR channels (one atomic per (n, t) per block) and
//     the threads of each (d, t) finish du, dΔ, dz.
// Dynamic shared memory (set by the host): see the offsets below.
// ---------------------------------------------------------------------------------------------
#ifndef BWD_PAIRS
#define BWD_PAIRS 0                       // the epilogue's two steps as one aligned access
#endif
#define SB 8
#define NSB (TT / SB)
#define TPB (TT + 1)     // row stride of the (channel, t) tiles: scalar reads by channel
#define RS (TR * 16 + 4)       // stride of one step of the dB / dC reduction buffer
#define SPP (SB + 4)           // row stride of the partial-sum planes
#define SPS (TR * SPP + 8)     // plane stride
#define OFF_DT 0
#define OFF_DU (OFF_DT + TR * TPB)
#define OFF_DY (OFF_DU + TR * TPB)
#define OFF_B (OFF_DY + TR * TPB)
#define OFF_C (OFF_B + TT * 16)
#define OFF_RED (OFF_C + TT * 16)
#define OFF_SP (OFF_RED + 2 * SB * RS)
#define SMEM_FLOATS (OFF_SP + 3 * TG * SPS)

// Per-(d, t) quantities from the raw inputs: Δ', dΔ'/dδ, dy before the gate, and dout·silu'(z).
__device__ __forceinline__ void pointwise(float x, float g, float zz, float& dt, float& dsp, float& dy, float& gz) {
#if SOFTPLUS
  if (x <= 20.f) {
    const float e = ex2_ftz(x * LOG2E);
    dt = lg2_ftz(1.f + e) * LN2;
    dsp = __fdividef(e, 1.f + e);
  } else {
    dt = x;
    dsp = 1.f;
  }
#else
  dt = x;
  dsp = 1.f;
#endif
#if HAS_Z
  const float sz = __fdividef(1.f, 1.f + ex2_ftz(-zz * LOG2E));
  dy = g * zz * sz;
  gz = g * sz * (1.f + zz * (1.f - sz));
#else
  (void)zz;
  dy = g;
  gz = 0.f;
#endif
}

extern "C" __global__ void __launch_bounds__(NTHR, 384 / NTHR)
selective_scan_bwd(const input_t* __restrict__ u, const input_t* __restrict__ delta, const float* __restrict__ A,
                   const void* __restrict__ Bp, const void* __restrict__ Cp, const float* __restrict__ Dw,
                   const input_t* __restrict__ z, const float* __restrict__ dbias, const float* __restrict__ h0,
                   const float* __restrict__ ckpt, const input_t* __restrict__ dout, const float* __restrict__ dlast,
                   input_t* __restrict__ du_out, input_t* __restrict__ ddelta_out, input_t* __restrict__ dz_out,
                   float* __restrict__ dA, float* __restrict__ dB, float* __restrict__ dC, float* __restrict__ dD,
                   float* __restrict__ ddbias, float* __restrict__ dh0, int batch, int dim, int len, int groups_b,
                   int groups_c, int nseg) {
#ifdef SSM_SCAN_HOST
  float* smem = host_dynamic_smem();
#else
  extern __shared__ __align__(16) float smem[];
#endif
  float* s_dt = smem + OFF_DT;
  float* s_du = smem + OFF_DU;
  float* s_dy = smem + OFF_DY;
  float* s_b = smem + OFF_B;
  float* s_c = smem + OFF_C;
  float* s_red = smem + OFF_RED;
  float* s_sp = smem + OFF_SP;

  const int tid = threadIdx.x;
  const int nblk = (dim + TR - 1) / TR;
  const int b = blockIdx.x / nblk;
  const int d0 = (blockIdx.x % nblk) * TR;
  const long long boff = ((long long)b * groups_b + d0 / (dim / groups_b)) * NSTATE * (long long)len;
  const long long coff = ((long long)b * groups_c + d0 / (dim / groups_c)) * NSTATE * (long long)len;
  const input_t* bbase = reinterpret_cast<const input_t*>(Bp) + boff;
  const input_t* cbase = reinterpret_cast<const input_t*>(Cp) + coff;

  const int r = tid % TR, g = tid / TR;  // as in the tiled forward
  const int d = d0 + r;
  const bool rvalid = d < dim;
  const long long row = (long long)b * dim + (rvalid ? d : 0);
  float a2[4], araw[4], mu[4], dA_acc[4];
#pragma unroll
  for (int k = 0; k < 4; ++k) {
    const int n = g * 4 + k;
    const bool nv = rvalid && n < NSTATE;
    araw[k] = nv ? A[d * NSTATE + n] : 0.f;
    a2[k] = araw[k] * LOG2E;
    mu[k] = (nv && dlast != nullptr) ? dlast[row * NSTATE + n] : 0.f;
    dA_acc[k] = 0.f;
  }
  // Epilogue role: channel d0 + er, steps ei0, ei0 + 1 of each sub-chunk.
  const int er = tid / 4, ei0 = (tid % 4) * 2;
  const int ed = d0 + er;
  const bool evalid = ed < dim;
  const long long erow = (long long)b * dim + (evalid ? ed : 0);
#if HAS_BIAS
  const float ebias = evalid ? dbias[ed] : 0.f;
#else
  const float ebias = 0.f;
#endif
#if HAS_D
  const float edw = evalid ? Dw[ed] : 0.f;
#else
  const float edw = 0.f;
#endif
  float dD_acc = 0.f, dbias_acc = 0.f;

  for (int seg = nseg - 1; seg >= 0; --seg) {
    const int s0 = seg * TT;
    __syncthreads();  // the previous segment is done with the tiles
    // Stage the segment (UNITS units of 8 steps of one channel per thread; B and C as (t, n)).
#pragma unroll
    for (int q = 0; q < UNITS; ++q) {
      const int e = tid + q * NTHR;
      const int rr = e / (TT / 8), tt = (e % (TT / 8)) * 8;
      const int dd = d0 + rr;
      const bool rv = dd < dim;
      const int nvalid = rv ? min(8, len - (s0 + tt)) : 0;
      const long long base = ((long long)b * dim + (rv ? dd : 0)) * len + s0 + tt;
      Unit uu, xx, zz, gg;
      load_unit(u + base, nvalid, uu);
      load_unit(delta + base, nvalid, xx);
#if HAS_Z
      load_unit(z + base, nvalid, zz);
#endif
      if (dout != nullptr) {
        load_unit(dout + base, nvalid, gg);
      } else {
        load_unit(dout, 0, gg);
      }
#if HAS_BIAS
      const float bias = rv ? dbias[dd] : 0.f;
#else
      const float bias = 0.f;
#endif
      float vdt[8], vdu[8], vdy[8];
#pragma unroll
      for (int i = 0; i < 8; ++i) {
        float dt, dsp, dy, gz;
#if HAS_Z
        const float zv = unit_f(zz, i);
#else
        const float zv = 0.f;
#endif
        pointwise(unit_f(xx, i) + bias, unit_f(gg, i), zv, dt, dsp, dy, gz);
        const bool in = i < nvalid;
        dt = in ? dt : 0.f;
        vdt[i] = dt;
        vdu[i] = dt * unit_f(uu, i);
        vdy[i] = in ? dy : 0.f;
      }
      (void)zz;
      const int o = rr * TPB + tt;
#pragma unroll
      for (int i = 0; i < 8; ++i) {
        s_dt[o + i] = vdt[i];
        s_du[o + i] = vdu[i];
        s_dy[o + i] = vdy[i];
      }
    }
#pragma unroll
    for (int q = 0; q < BCU; ++q) {
      const int e = tid + q * NTHR;
      if (BCUN % NTHR == 0 || e < BCUN) {
        const int n = e / (TT / 8), tt = (e % (TT / 8)) * 8;
        Unit ub, uc;
        load_bc_unit(bbase, e, s0, len, ub);
        load_bc_unit(cbase, e, s0, len, uc);
#pragma unroll
        for (int i = 0; i < 8; ++i) {
          s_b[(tt + i) * 16 + n] = unit_f(ub, i);
          s_c[(tt + i) * 16 + n] = unit_f(uc, i);
        }
      }
    }
    __syncthreads();

    // Pass 1: the state at the start of each sub-chunk.
    float hs[NSB][4];
    {
      float h[4];
#pragma unroll
      for (int k = 0; k < 4; ++k) {
        const int n = g * 4 + k;
        const bool nv = rvalid && n < NSTATE;
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
#pragma unroll
      for (int sb = 0; sb < NSB; ++sb) {
#pragma unroll
        for (int k = 0; k < 4; ++k) hs[sb][k] = h[k];
        if (sb == NSB - 1) break;
#pragma unroll
        for (int i = 0; i < SB; ++i) {
          const int t = sb * SB + i;
          const float dt = s_dt[r * TPB + t], du = s_du[r * TPB + t];
          const float4 b4 = *reinterpret_cast<const float4*>(&s_b[t * 16 + g * 4]);
          h[0] = ex2_ftz(dt * a2[0]) * h[0] + du * b4.x;
          h[1] = ex2_ftz(dt * a2[1]) * h[1] + du * b4.y;
          h[2] = ex2_ftz(dt * a2[2]) * h[2] + du * b4.z;
          h[3] = ex2_ftz(dt * a2[3]) * h[3] + du * b4.w;
        }
      }
    }

    // Pass 2: sub-chunks in reverse.
#pragma unroll
    for (int sb = NSB - 1; sb >= 0; --sb) {
      float hh[SB + 1][4], ea[SB][4], yacc[SB], s1[SB], s2[SB];
#pragma unroll
      for (int k = 0; k < 4; ++k) hh[0][k] = hs[sb][k];
#pragma unroll
      for (int i = 0; i < SB; ++i) {
        const int t = sb * SB + i;
        const float dt = s_dt[r * TPB + t], du = s_du[r * TPB + t];
        const float4 b4 = *reinterpret_cast<const float4*>(&s_b[t * 16 + g * 4]);
        const float4 c4 = *reinterpret_cast<const float4*>(&s_c[t * 16 + g * 4]);
        const float bv[4] = {b4.x, b4.y, b4.z, b4.w};
#pragma unroll
        for (int k = 0; k < 4; ++k) {
          ea[i][k] = ex2_ftz(dt * a2[k]);
          hh[i + 1][k] = ea[i][k] * hh[i][k] + du * bv[k];
        }
        yacc[i] = c4.x * hh[i + 1][0] + c4.y * hh[i + 1][1] + c4.z * hh[i + 1][2] + c4.w * hh[i + 1][3];
      }
#pragma unroll
      for (int i = SB - 1; i >= 0; --i) {
        const int t = sb * SB + i;
        const float dt = s_dt[r * TPB + t], du = s_du[r * TPB + t], dy = s_dy[r * TPB + t];
        const float4 b4 = *reinterpret_cast<const float4*>(&s_b[t * 16 + g * 4]);
        const float4 c4 = *reinterpret_cast<const float4*>(&s_c[t * 16 + g * 4]);
        const float bv[4] = {b4.x, b4.y, b4.z, b4.w};
        const float cv[4] = {c4.x, c4.y, c4.z, c4.w};
        float dbv[4], dcv[4], a1 = 0.f, a2s = 0.f;
#pragma unroll
        for (int k = 0; k < 4; ++k) {
          mu[k] += dy * cv[k];
          dcv[k] = dy * hh[i + 1][k];           // dC_t = dy_t h_t
          dbv[k] = mu[k] * du;                  // dB_t = μ_t Δ'_t u_t
          a1 += mu[k] * bv[k];                  // Σ μ B
          const float p = mu[k] * hh[i][k] * ea[i][k];
          dA_acc[k] += p * dt;                  // dA = Σ μ Δ' e^{Δ'A} h_{t-1}
          a2s += p * araw[k];                   // Σ μ A e^{Δ'A} h_{t-1}
          mu[k] *= ea[i][k];
        }
        s1[i] = a1;
        s2[i] = a2s;
        *reinterpret_cast<float4*>(&s_red[i * RS + (g * TR + r) * 4]) = make_float4(dbv[0], dbv[1], dbv[2], dbv[3]);
        *reinterpret_cast<float4*>(&s_red[SB * RS + i * RS + (g * TR + r) * 4]) = make_float4(dcv[0], dcv[1], dcv[2], dcv[3]);
      }
#pragma unroll
      for (int i = 0; i < SB; i += 4) {
        *reinterpret_cast<float4*>(&s_sp[(0 * TG + g) * SPS + r * SPP + i]) = make_float4(s1[i], s1[i + 1], s1[i + 2], s1[i + 3]);
        *reinterpret_cast<float4*>(&s_sp[(1 * TG + g) * SPS + r * SPP + i]) = make_float4(s2[i], s2[i + 1], s2[i + 2], s2[i + 3]);
        *reinterpret_cast<float4*>(&s_sp[(2 * TG + g) * SPS + r * SPP + i]) =
            make_float4(yacc[i], yacc[i + 1], yacc[i + 2], yacc[i + 3]);
      }
      __syncthreads();
      const int t0 = s0 + sb * SB;
      // dB, dC: sum over the block's channels, one atomic per (n, t).
#pragma unroll
      for (int q = 0; q < 2 * SB * 16 / NTHR; ++q) {
        const int o = tid + q * NTHR;
        const int which = o / (SB * 16), n = (o / SB) % 16, i = o % SB;
        const float* src = s_red + which * SB * RS + i * RS + (n / 4) * TR * 4 + (n % 4);
        float sum = 0.f;
#pragma unroll 8
        for (int rr = 0; rr < TR; ++rr) sum += src[rr * 4];
        if (n < NSTATE && t0 + i < len) atomicAdd((which ? dC + coff : dB + boff) + (long long)n * len + t0 + i, sum);
      }
      // du, dΔ, dz of (d0 + er, t0 + ei0 + {0, 1}).
      if (evalid) {
        // One step from its raw inputs and the partial sums of the sub-chunk's step i.
        auto finish = [&](int i, float uv, float xv, float gv, float zv, float& o_du, float& o_dd, float& o_dz) {
          float ps1 = 0.f, ps2 = 0.f, py = 0.f;
#pragma unroll
          for (int gg = 0; gg < TG; ++gg) {
            ps1 += s_sp[(0 * TG + gg) * SPS + er * SPP + i];
            ps2 += s_sp[(1 * TG + gg) * SPS + er * SPP + i];
            py += s_sp[(2 * TG + gg) * SPS + er * SPP + i];
          }
          float dt, dsp, dy, gz;
          pointwise(xv + ebias, gv, zv, dt, dsp, dy, gz);
          o_du = edw * dy + dt * ps1;
          const float ddt = (uv * ps1 + ps2) * dsp;
          o_dd = ddt;
          dbias_acc += ddt;
          dD_acc += dy * uv;
          o_dz = gz * (py + edw * uv);
        };
#if ALIGNED && BWD_PAIRS
        // len is a multiple of the vector width and t0 + ei0 is even: both steps exist when
        // the first does, and the pair is aligned. One 4-byte (bf16) or 8-byte (f32) access
        // per tensor instead of two scalar ones.
        if (t0 + ei0 < len) {
          const long long idx = erow * len + t0 + ei0;
          float uv[2], xv[2], gv[2] = {0.f, 0.f}, zv[2] = {0.f, 0.f}, o_du[2], o_dd[2], o_dz[2];
          load_pair(u + idx, uv);
          load_pair(delta + idx, xv);
          if (dout != nullptr) load_pair(dout + idx, gv);
#if HAS_Z
          load_pair(z + idx, zv);
#endif
#pragma unroll
          for (int j = 0; j < 2; ++j) finish(ei0 + j, uv[j], xv[j], gv[j], zv[j], o_du[j], o_dd[j], o_dz[j]);
          store_pair(du_out + idx, o_du);
          store_pair(ddelta_out + idx, o_dd);
#if HAS_Z
          store_pair(dz_out + idx, o_dz);
#endif
        }
#else
#pragma unroll
        for (int j = 0; j < 2; ++j) {
          const int i = ei0 + j, t = t0 + i;
          if (t < len) {
            const long long idx = erow * len + t;
            const float gv = dout != nullptr ? to_f(dout[idx]) : 0.f;
#if HAS_Z
            const float zv = to_f(z[idx]);
#else
            const float zv = 0.f;
#endif
            float o_du, o_dd, o_dz;
            finish(i, to_f(u[idx]), to_f(delta[idx]), gv, zv, o_du, o_dd, o_dz);
            du_out[idx] = from_f(o_du);
            ddelta_out[idx] = from_f(o_dd);
#if HAS_Z
            dz_out[idx] = from_f(o_dz);
#else
            (void)o_dz;
#endif
          }
        }
#endif
      }
      __syncthreads();
    }
  }

  // Per-channel results.
#pragma unroll
  for (int k = 0; k < 4; ++k) {
    const int n = g * 4 + k;
    if (rvalid && n < NSTATE) {
      atomicAdd(dA + d * NSTATE + n, dA_acc[k]);
      if (dh0 != nullptr) dh0[row * NSTATE + n] = mu[k];
    }
  }
  dD_acc += __shfl_xor_sync(FULL_MASK, dD_acc, 1);
  dD_acc += __shfl_xor_sync(FULL_MASK, dD_acc, 2);
  dbias_acc += __shfl_xor_sync(FULL_MASK, dbias_acc, 1);
  dbias_acc += __shfl_xor_sync(FULL_MASK, dbias_acc, 2);
  if (evalid && (tid % 4) == 0) {
    if (dD != nullptr) atomicAdd(dD + ed, dD_acc);
    if (ddbias != nullptr) atomicAdd(ddbias + ed, dbias_acc);
  }
}
#endif  // KERNEL_BWD_TILE
