// Host emulation of the CUDA dialect of selective_scan.cu, so that the tiled kernels' indexing,
// staging and barriers are tested on machines without a GPU (src/cuda/emulate.rs compiles
// `#include "host_emulation.h"` + the kernel source + `SSM_SCAN_HOST_ENTRY` with the host C++
// compiler and the same -D definitions NVRTC gets).
//
//   * a block's threads are std::threads that meet at __syncthreads (a blocking barrier: with
//     far more threads than cores, a spinning one would burn the cores the others need);
//   * __shared__ arrays become function statics, so blocks run one after another and launches
//     of one library are serialised (each configuration's library has its own state);
//   * a warp shuffle is an exchange through a block buffer between two barriers (every thread
//     of the block must reach it, as in the tiled backward's final reductions);
//   * an MMA (mma_tf32) exchanges its fragments the same way, and each lane computes its part of
//     D from its warp's fragments, with A and B cut to tf32 as the tensor cores read them;
//   * atomicAdd takes a lock; ex2/lg2 are libm's exp2f/log2f (no flush to zero).
// What the GPU alone decides (timing, the memory model between warps without a barrier, the
// exact MUFU results) is not emulated: this checks the program, the GPU run checks the device.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <tuple>
#include <type_traits>
#include <vector>

#define SSM_SCAN_HOST 1
#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static
#define __align__(n) __attribute__((aligned(n)))

struct HostDim3 {
  unsigned int x = 0, y = 0, z = 0;
};
// Internal linkage (not `inline`): GCC makes inline variables unique across every loaded library,
// and each configuration's library must keep its own launch state.
static thread_local HostDim3 threadIdx, blockIdx;
static HostDim3 blockDim, gridDim;

struct alignas(16) float4 {
  float x, y, z, w;
};
struct alignas(8) float2 {
  float x, y;
};
struct alignas(16) uint4 {
  unsigned int x, y, z, w;
};
struct alignas(8) uint2 {
  unsigned int x, y;
};
static inline float2 make_float2(float x, float y) { return float2{x, y}; }
static inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }
static inline uint4 make_uint4(unsigned int x, unsigned int y, unsigned int z, unsigned int w) { return uint4{x, y, z, w}; }

static inline float __uint_as_float(unsigned int u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}
static inline unsigned int __float_as_uint(float f) {
  unsigned int u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
static inline float __fdividef(float a, float b) { return a / b; }
static inline float __fadd_rn(float a, float b) { return a + b; }
static inline float ex2_ftz(float x) { return std::exp2(x); }
static inline float lg2_ftz(float x) { return std::log2(x); }
using std::max;
using std::min;

// A barrier for `n` threads that sleeps while it waits.
struct HostBarrier {
  explicit HostBarrier(int n) : n(n) {}
  void arrive_and_wait() {
    std::unique_lock<std::mutex> lock(m);
    const unsigned int gen = generation;
    if (++arrived == n) {
      arrived = 0;
      ++generation;
      cv.notify_all();
    } else {
      cv.wait(lock, [&] { return generation != gen; });
    }
  }
  std::mutex m;
  std::condition_variable cv;
  const int n;
  int arrived = 0;
  unsigned int generation = 0;
};

// The block being run: its barrier, the shuffle and MMA exchange slots and the dynamic shared
// memory.
struct HostBlock {
  HostBarrier* bar;
  std::vector<float> xchg;
  std::vector<float> mma;  // 6 per thread: its A and B fragments
  std::vector<float> dyn;
};
static HostBlock* host_block = nullptr;

static inline void __syncthreads() { host_block->bar->arrive_and_wait(); }
static inline float __shfl_xor_sync(unsigned int, float v, int off) {
  const unsigned int t = threadIdx.x;
  host_block->xchg[t] = v;
  __syncthreads();
  const float r = host_block->xchg[t ^ (unsigned int)off];
  __syncthreads();
  return r;
}
// mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 (fragment layout in selective_scan.cu).
static inline float tf32_of(unsigned int bits) { return __uint_as_float(bits & 0xffffe000u); }
static inline void mma_tf32(float (&d)[4], const unsigned int (&a)[4], const unsigned int (&b)[2], const float (&c)[4]) {
  const unsigned int t = threadIdx.x;
  float* x = host_block->mma.data();
  for (int i = 0; i < 4; ++i) x[t * 6 + i] = tf32_of(a[i]);
  x[t * 6 + 4] = tf32_of(b[0]);
  x[t * 6 + 5] = tf32_of(b[1]);
  __syncthreads();
  const unsigned int warp = t & ~31u, lane = t & 31u;
  // A[row][k]: lane 4·(row % 8) + k % 4, register (row >= 8) + 2·(k >= 4); B[k][col]: lane
  // 4·col + k % 4, register 4 + (k >= 4).
  auto A = [&](unsigned int row, unsigned int k) { return x[(warp + 4 * (row % 8) + k % 4) * 6 + (row >= 8) + 2 * (k >= 4)]; };
  auto B = [&](unsigned int k, unsigned int col) { return x[(warp + 4 * col + k % 4) * 6 + 4 + (k >= 4)]; };
  float r[4];
  for (unsigned int i = 0; i < 4; ++i) {
    const unsigned int row = lane / 4 + (i >= 2 ? 8 : 0), col = 2 * (lane % 4) + (i & 1);
    float s = c[i];
    for (unsigned int k = 0; k < 8; ++k) s += A(row, k) * B(k, col);
    r[i] = s;
  }
  __syncthreads();
  for (int i = 0; i < 4; ++i) d[i] = r[i];
}
static inline void __syncwarp() {
  std::fprintf(stderr, "host emulation: __syncwarp (the row kernels) is not emulated\n");
  std::abort();
}
static inline float atomicAdd(float* p, float v) {
  static std::mutex m;
  std::lock_guard<std::mutex> g(m);
  const float old = *p;
  *p = old + v;
  return old;
}
static inline float* host_dynamic_smem() { return host_block->dyn.data(); }

// One kernel argument: pointers from `ptrs`, integers from `ints`, in signature order.
template <class T>
static T host_arg(const unsigned long long* ptrs, const int* ints, int& ip, int& ii) {
  if constexpr (std::is_pointer_v<T>) {
    return reinterpret_cast<T>(static_cast<std::uintptr_t>(ptrs[ip++]));
  } else {
    return static_cast<T>(ints[ii++]);
  }
}

// Runs kernel `k` over `grid` blocks of `block` threads (the caller holds the library's launch
// lock). Returns 0, or 1 when the argument counts do not match the kernel's signature.
template <class... A>
static int host_launch(void (*k)(A...), int grid, int block, int smem_bytes, const unsigned long long* ptrs, int nptr,
                const int* ints, int nint) {
  constexpr int want_ptr = (0 + ... + (std::is_pointer_v<A> ? 1 : 0));
  if (nptr != want_ptr || nint != (int)sizeof...(A) - want_ptr) return 1;
  int ip = 0, ii = 0;
  const std::tuple<A...> args{host_arg<A>(ptrs, ints, ip, ii)...};  // braces: left to right
  HostBarrier bar(block);
  HostBlock hb{&bar, std::vector<float>(block), std::vector<float>(6 * block), std::vector<float>(smem_bytes / sizeof(float) + 4)};
  host_block = &hb;
  blockDim.x = block;
  gridDim.x = grid;
  for (int b = 0; b < grid; ++b) {
    std::vector<std::thread> threads;
    threads.reserve(block);
    for (int t = 0; t < block; ++t) {
      threads.emplace_back([&, b, t] {
        blockIdx.x = b;
        threadIdx.x = t;
        std::apply(k, args);
      });
    }
    for (auto& th : threads) th.join();
  }
  host_block = nullptr;
  return 0;
}

#if KERNEL_FWD
#define SSM_SCAN_HOST_KERNEL selective_scan_fwd
#else
#define SSM_SCAN_HOST_KERNEL selective_scan_bwd
#endif
// The library's one entry point (placed after the kernel source).
#define SSM_SCAN_HOST_ENTRY                                                                                  \
  extern "C" int ssm_scan_host_launch(int grid, int block, int smem, const unsigned long long* ptrs, int nptr, \
                                      const int* ints, int nint) {                                           \
    static std::mutex launches;                                                                              \
    std::lock_guard<std::mutex> lock(launches);                                                              \
    return host_launch(&SSM_SCAN_HOST_KERNEL, grid, block, smem, ptrs, nptr, ints, nint);                    \
  }
