//! Kernel configuration, module loading and launches on libtorch's current stream.

use std::collections::HashMap;
use std::ffi::c_void;
use std::sync::{Arc, Mutex, OnceLock};

use cudarc::driver::{sys, CudaContext, CudaFunction};

use super::nvrtc_cache::ptx_for;
use crate::error::{Result, ScanError};
use crate::shapes::ScanShape;

/// Time steps per forward sub-chunk (registers hold SUB values of B, C and y per lane).
pub const SUB: usize = 16;
/// Time steps per backward sub-chunk.
pub const SUBB: usize = 8;
/// Steps between states stored by the forward (the backward's segment).
pub const SEG: usize = 128;
/// Largest state size the kernel takes (as the reference kernel's MAX_DSTATE).
pub const MAX_NSTATE: usize = 256;
const SMEM_LIMIT: usize = 46 * 1024;
/// Channels per block of the tiled kernels (`TR` in the kernel; 4 threads per channel).
/// `SSM_SCAN_TILE_ROWS_FWD` / `_BWD` (16 or 32) override it, for measuring.
pub fn tile_rows(backward: bool) -> usize {
    let key = if backward { "SSM_SCAN_TILE_ROWS_BWD" } else { "SSM_SCAN_TILE_ROWS_FWD" };
    env_override(key, &[16, 32], TILE_ROWS)
}

/// The value of the environment variable `key` when it is one of `allowed`, else `default` (the
/// overrides of the kernel layout, for measuring).
fn env_override(key: &str, allowed: &[usize], default: usize) -> usize {
    std::env::var(key).ok().and_then(|v| v.parse::<usize>().ok()).filter(|v| allowed.contains(v)).unwrap_or(default)
}
/// Default channels per block, and the grouping every tiled block size divides.
pub const TILE_ROWS: usize = 32;
/// Channels per thread of the tiled forward (`RPT` in the kernel): 2 halves the shared-memory
/// reads of B and C per state update. `SSM_SCAN_FWD_RPT` (1 or 2) overrides it, for measuring.
/// On the H100 at batch 8, D 1536, RPT = 2 is slower than these defaults (half the warps:
/// bench-results/NOTES.md, v5).
pub const FWD_ROWS_PER_THREAD: usize = 1;
/// Whether the tiled forward stages bf16 B and C as their 16-bit values (`BC16`; exact, half the
/// shared-memory bytes per read). `SSM_SCAN_FWD_BC16=0|1` overrides the default, for measuring.
/// On the H100 with one channel per thread it cut the forward's shared-memory wavefronts by 30%
/// and its time by 3% (ncu) to 7% (bf16, L 4096; bench-results/NOTES.md, v6).
pub const FWD_BC16: bool = true;
/// With [`FWD_BC16`]: whether C is staged as f32 all the same (`C32`; B stays 16-bit): the loop
/// converts only B, for more shared-memory wavefronts. `SSM_SCAN_FWD_C32=0|1` overrides it, for
/// measuring. On the H100 it is level with FMA_H alone and slower combined with it
/// (bench-results/NOTES.md, v8), so it stays off.
pub const FWD_C32: bool = false;
/// Whether the tiled forward adds the 4 partial sums of a channel's threads with warp shuffles
/// in the loop (`YRED`: one 4-byte shared store per thread and step group instead of 16 bytes,
/// one partial-sum plane for the epilogue instead of 4). `SSM_SCAN_FWD_YRED=0|1` overrides it,
/// for measuring. On the H100: 8% fewer shared-memory
/// wavefronts, 1.5% faster (ncu), within the run-to-run noise of the benchmark.
pub const FWD_YRED: bool = true;
/// Whether the tiled forward keeps each unit's raw u and z in registers from staging to the
/// epilogue and computes D u and silu(z) there (`EPI_REGS`: two shared-memory tiles fewer, with
/// a launch bound of 3 instead of 4 blocks per SM; 110 registers, so 4 still fit).
/// `SSM_SCAN_FWD_EPI_REGS=0|1` overrides it, for measuring. On the H100: 11% fewer shared-memory
/// wavefronts, 1.4% faster (ncu), 3-5% in the side-by-side benchmark.
pub const FWD_EPI_REGS: bool = true;
/// Whether the tiled forward writes the state update as `fmaf(a, h, Δ'u·B)` (`FMA_H`: one FFMA
/// on h's dependence chain per step instead of ptxas's FMUL a·h then FFMA; same instruction
/// count, 4 cycles instead of 8 per step on the chain). `SSM_SCAN_FWD_FMA_H=0|1` overrides it,
/// for measuring. On the H100, four rounds side by side: the bf16 forward at L 4096 0.414-0.420
/// ms against 0.426-0.445 without it, the f32 forward 0.460-0.463 against 0.465-0.478
/// (bench-results/NOTES.md, v8).
pub const FWD_FMA_H: bool = true;
/// Whether the tiled forward computes y_t = Σ_n C_t,n h_t,n on the tensor cores (`MMA_Y`, bf16
/// inputs with one channel per thread): two m16n8k8 tf32 MMAs per two steps and warp give every
/// channel's sum over its 16 states, in place of each lane's 4 products, 4 conversions of C and
/// the shuffles that add the 4 lanes' partial sums. h and C enter as tf32 (relative error of each
/// product below 2^-10, under the bf16 rounding of y); the state recurrence stays f32.
/// `SSM_SCAN_FWD_MMA_Y=0|1` overrides it, for measuring. On the H100 it executes 30% fewer
/// instructions (ncu: 189M against 270M at L 4096) in the same time (391 us both; bf16 forward at
/// L 4096 0.42-0.47 ms against 0.43-0.45 over four rounds), so it stays off (bench-results/NOTES.md, v9).
pub const FWD_MMA_Y: bool = false;
/// With [`FWD_MMA_Y`]: how many 4-step groups early the loop computes each group's decays and
/// input terms (`AHEAD`: 0, 1 or 2; a software pipeline over the unrolled loop).
/// `SSM_SCAN_FWD_AHEAD` overrides it, for measuring. ptxas still places each 2^x close to its
/// use (median 8-11 instructions apart; 13-18 with AHEAD = 1); timed level with 0 on the H100.
pub const FWD_AHEAD: usize = 0;
/// With [`FWD_MMA_Y`]: states per thread of the tiled forward (`SPT`: 4, or 2 with 8 threads per
/// channel, twice the warps of a launch, one MMA per two steps for 4 channels and a shuffle per
/// 4 steps adding the two halves of the states; the block's spare threads stage B and C).
/// `SSM_SCAN_FWD_SPT=2|4` overrides it, for measuring. On the H100, before B and C went to the
/// spare threads, it was 25% slower than the default (bf16 forward at L 4096 0.54-0.55 ms
/// against 0.44-0.46; ncu: 30% of the warps' time at a barrier; bench-results/NOTES.md, v10).
pub const FWD_STATES_PER_THREAD: usize = 4;
/// Whether the tiled backward's epilogue reads and writes its two steps of a channel as one
/// aligned 4-byte (bf16) or 8-byte (f32) access per tensor instead of two scalar ones (`BWD_PAIRS`;
/// only when L is a multiple of the vector width). `SSM_SCAN_BWD_PAIRS=0|1` overrides it, for
/// measuring. On the H100 it took the bf16 forward + backward at L 4096 from 2.97 to 2.71 ms.
pub const BWD_PAIRS: bool = true;

/// [`BWD_PAIRS`], or the `SSM_SCAN_BWD_PAIRS` override of this process.
pub fn bwd_pairs() -> bool {
    env_override("SSM_SCAN_BWD_PAIRS", &[0, 1], BWD_PAIRS as usize) == 1
}

/// The layout of the tiled forward (4 threads per channel with 4 states each, or 8 with 2): channels
/// per thread, the bf16 B/C staging, where the partial sums are added, whether the epilogue takes u
/// and z from registers, the state update's form, y on the tensor cores, and the states per thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FwdVariant {
    pub rows_per_thread: usize,
    pub bc16: bool,
    pub c32: bool,
    pub yred: bool,
    pub epi_regs: bool,
    pub fma_h: bool,
    pub mma_y: bool,
    pub ahead: usize,
    /// States per thread, 4 or 2 (2 only where MMA_Y runs; see [`FwdVariant::states_per_thread`]).
    pub spt: usize,
}

impl FwdVariant {
    /// The defaults, or the `SSM_SCAN_FWD_RPT` / `_BC16` / `_C32` / `_YRED` / `_EPI_REGS` /
    /// `_FMA_H` / `_MMA_Y` / `_AHEAD` / `_SPT` overrides of this process. BC16 (and with it C32)
    /// and MMA_Y apply to bf16 inputs only, MMA_Y (and with it SPT = 2) to one channel per thread
    /// only.
    pub fn from_env(bf16: bool) -> Self {
        FwdVariant {
            rows_per_thread: env_override("SSM_SCAN_FWD_RPT", &[1, 2], FWD_ROWS_PER_THREAD),
            bc16: bf16 && env_override("SSM_SCAN_FWD_BC16", &[0, 1], FWD_BC16 as usize) == 1,
            c32: env_override("SSM_SCAN_FWD_C32", &[0, 1], FWD_C32 as usize) == 1,
            yred: env_override("SSM_SCAN_FWD_YRED", &[0, 1], FWD_YRED as usize) == 1,
            epi_regs: env_override("SSM_SCAN_FWD_EPI_REGS", &[0, 1], FWD_EPI_REGS as usize) == 1,
            fma_h: env_override("SSM_SCAN_FWD_FMA_H", &[0, 1], FWD_FMA_H as usize) == 1,
            mma_y: env_override("SSM_SCAN_FWD_MMA_Y", &[0, 1], FWD_MMA_Y as usize) == 1,
            ahead: env_override("SSM_SCAN_FWD_AHEAD", &[0, 1, 2], FWD_AHEAD),
            spt: env_override("SSM_SCAN_FWD_SPT", &[2, 4], FWD_STATES_PER_THREAD),
        }
    }

    /// Whether the forward for inputs of this dtype computes y on the tensor cores: MMA_Y asked
    /// for, bf16 inputs and one channel per thread.
    pub fn mma_y_runs(&self, bf16: bool) -> bool {
        self.mma_y && bf16 && self.rows_per_thread == 1
    }

    /// The states per thread the kernel runs for inputs of this dtype: `spt` where MMA_Y runs,
    /// else 4.
    pub fn states_per_thread(&self, bf16: bool) -> usize {
        if self.mma_y_runs(bf16) {
            self.spt
        } else {
            4
        }
    }

    /// Threads per block of the tiled forward ([`tile_rows`] channels, 16 / SPT threads each).
    pub fn block_threads(&self, bf16: bool) -> usize {
        tile_rows(false) * (16 / self.states_per_thread(bf16)) / self.rows_per_thread
    }
}
/// Steps per chunk of the tiled forward (`TT`); also the segment of the tiled kernels (the
/// forward stores the state every TILE_STEPS steps, the backward stages one segment at a time).
pub const TILE_STEPS: usize = 32;

/// Dynamic shared memory of the tiled backward in bytes (mirrors the kernel's OFF_* layout).
pub const fn tile_bwd_smem(tr: usize) -> usize {
    let (tt, sb, tg) = (TILE_STEPS, 8, 4);
    let tpb = tt + 1;
    let rs = tr * 16 + 4;
    let sps = tr * (sb + 4) + 8;
    (3 * tr * tpb + 2 * tt * 16 + 2 * sb * rs + 3 * tg * sps) * 4
}

/// Steps between stored states for a problem (the tiled kernels use a shorter segment).
pub fn segment(shape: &ScanShape) -> usize {
    if tile_forward(shape) {
        TILE_STEPS
    } else {
        SEG
    }
}

/// Whether the backward of a problem runs the tiled kernel (`SSM_SCAN_BWD=row` forces the row
/// kernel; the stored states must then come from the row forward as well, so both follow
/// [`tile_forward`]).
pub fn tile_backward(shape: &ScanShape) -> bool {
    tile_forward(shape)
}

/// Whether the tiled forward takes a problem: variable B and C, N <= 16, and the channels of a
/// block in one B group and one C group. `SSM_SCAN_FWD=row` forces the row kernel.
pub fn tile_forward(shape: &ScanShape) -> bool {
    if std::env::var("SSM_SCAN_FWD").map(|v| v == "row").unwrap_or(false) {
        return false;
    }
    let group_ok = |l: crate::shapes::BcLayout| match l {
        crate::shapes::BcLayout::Variable { groups } => groups == 1 || (shape.dim % groups == 0 && (shape.dim / groups) % TILE_ROWS == 0),
        crate::shapes::BcLayout::Constant => false,
    };
    shape.nstate <= 16 && group_ok(shape.b) && group_ok(shape.c)
}

/// The launch geometry for one problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Config {
    pub lanes: usize,
    pub spl: usize,
    pub rows_per_warp: usize,
    pub chunk: usize,
    pub warps_fwd: usize,
    pub warps_bwd: usize,
}

impl Config {
    pub fn new(nstate: usize) -> Self {
        let lanes = nstate.next_power_of_two().min(32);
        let spl = nstate.div_ceil(lanes);
        let rows_per_warp = 32 / lanes;
        let chunk = (128 / rows_per_warp).max(SUB);
        // Backward shared memory per warp: sub-chunk start states, staging, dB/dC slots.
        let per_warp_bwd = (SEG / SUBB) * spl * 32 * 4 + 5 * rows_per_warp * SUBB * 4 + 2 * SUBB * nstate * 4;
        let warps_bwd = (SMEM_LIMIT / per_warp_bwd).clamp(1, 8);
        Config { lanes, spl, rows_per_warp, chunk, warps_fwd: 4, warps_bwd }
    }

    /// The `-D` definitions for NVRTC.
    pub fn defines(&self, shape: &ScanShape, bf16: bool, softplus: bool) -> Vec<(String, i64)> {
        let vec = if bf16 { 8 } else { 4 };
        let d = |k: &str, v: i64| (k.to_string(), v);
        vec![
            d("INPUT_BF16", bf16 as i64),
            d("NSTATE", shape.nstate as i64),
            d("LANES", self.lanes as i64),
            d("SPL", self.spl as i64),
            // The two kernels of one module share WARPS; a module is built per direction.
            d("SUB", SUB as i64),
            d("SUBB", SUBB as i64),
            d("CHUNK", self.chunk as i64),
            d("SEG", segment(shape) as i64),
            d("B_VAR", shape.b.is_variable() as i64),
            d("C_VAR", shape.c.is_variable() as i64),
            d("HAS_D", shape.has_d as i64),
            d("HAS_Z", shape.has_z as i64),
            d("HAS_BIAS", shape.has_bias as i64),
            d("HAS_H0", shape.has_h0 as i64),
            d("SOFTPLUS", softplus as i64),
            d("ALIGNED", (shape.len % vec == 0) as i64),
            // SSM_SCAN_PREFETCH=0 turns the B/C prefetch off (for measuring it).
            d("PREFETCH", (std::env::var("SSM_SCAN_PREFETCH").map(|v| v != "0").unwrap_or(true)) as i64),
        ]
    }
}

/// The CUDA context (the device's primary context, shared with libtorch) of a device.
pub fn context(device: usize) -> Result<Arc<CudaContext>> {
    static CTX: OnceLock<Mutex<HashMap<usize, Arc<CudaContext>>>> = OnceLock::new();
    static DRIVER_PRESENT: OnceLock<bool> = OnceLock::new();
    // SAFETY: only tries to dlopen the driver library (once per process: the probe opens and
    // closes it, see `nvrtc_cache::nvrtc_present`).
    if !*DRIVER_PRESENT.get_or_init(|| unsafe { sys::is_culib_present() }) {
        return Err(ScanError::Unavailable {
            backend: "cuda",
            reason: "the CUDA driver library (libcuda.so) was not found on the loader path".into(),
        });
    }
    let mut m = CTX.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(c) = m.get(&device) {
        return Ok(c.clone());
    }
    let ctx = CudaContext::new(device).map_err(|e| ScanError::Driver(format!("creating the context of device {device}: {e:?}")))?;
    m.insert(device, ctx.clone());
    Ok(ctx)
}

/// The forward or backward kernel for a configuration, compiled and loaded once.
pub fn function(device: usize, defines: &[(String, i64)], name: &'static str) -> Result<CudaFunction> {
    /// (device, `-D` definitions, kernel name).
    type Key = (usize, Vec<(String, i64)>, &'static str);
    static FUNCS: OnceLock<Mutex<HashMap<Key, CudaFunction>>> = OnceLock::new();
    let key = (device, defines.to_vec(), name);
    if let Some(f) = FUNCS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(f.clone());
    }
    let ctx = context(device)?;
    let cc = ctx.compute_capability().map_err(|e| ScanError::Driver(format!("{e:?}")))?;
    let ptx = ptx_for(defines, cc)?;
    let module = ctx
        .load_module(cudarc::nvrtc::Ptx::from_src(ptx))
        .map_err(|e| ScanError::Driver(format!("loading the selective-scan module: {e:?}")))?;
    let f = module.load_function(name).map_err(|e| ScanError::Driver(format!("loading {name}: {e:?}")))?;
    FUNCS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner()).insert(key, f.clone());
    Ok(f)
}

/// One kernel argument.
pub enum Arg {
    Ptr(u64),
    I32(i32),
}

/// Launches `f` on libtorch's current stream of `device` (the legacy default stream when the
/// C shim is absent), which orders it with the tch ops around it, with `smem` bytes of dynamic
/// shared memory (the function's limit is raised to it first when it is over the default 48 KiB).
pub fn launch_smem(device: usize, f: &CudaFunction, grid: u32, block: u32, smem: u32, args: &[Arg]) -> Result<()> {
    let ctx = context(device)?;
    ctx.bind_to_thread().map_err(|e| ScanError::Driver(format!("{e:?}")))?;
    if smem > 48 * 1024 {
        f.set_attribute(sys::CUfunction_attribute::CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem as i32)
            .map_err(|e| ScanError::Driver(format!("raising the shared-memory limit: {e:?}")))?;
    }
    let stream = crate::bridge::current_cuda_stream(device).unwrap_or(std::ptr::null_mut()) as sys::CUstream;
    let mut ptrs: Vec<u64> = Vec::with_capacity(args.len());
    let mut ints: Vec<i32> = Vec::with_capacity(args.len());
    for a in args {
        match a {
            Arg::Ptr(p) => ptrs.push(*p),
            Arg::I32(i) => ints.push(*i),
        }
    }
    let (mut pi, mut ii) = (0, 0);
    let mut params: Vec<*mut c_void> = Vec::with_capacity(args.len());
    for a in args {
        match a {
            Arg::Ptr(_) => {
                params.push(&mut ptrs[pi] as *mut u64 as *mut c_void);
                pi += 1;
            }
            Arg::I32(_) => {
                params.push(&mut ints[ii] as *mut i32 as *mut c_void);
                ii += 1;
            }
        }
    }
    // SAFETY: the parameter list matches the kernel signature (built by the callers next to it);
    // the pointed-to values outlive the call (cuLaunchKernel copies them).
    unsafe { cudarc::driver::result::launch_kernel(f.cu_function(), (grid, 1, 1), (block, 1, 1), smem, stream, &mut params) }
        .map_err(|e| ScanError::Driver(format!("launching the selective-scan kernel: {e:?}")))
}
