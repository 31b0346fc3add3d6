//! The CUDA kernel: `selective_scan.cu` compiled at run time by NVRTC (see [`nvrtc_cache`]),
//! launched through the CUDA driver API on libtorch's current stream (see [`launch`]) on the
//! device memory of tch tensors.

pub mod emulate;
pub mod launch;
pub mod memory;
pub mod nvrtc_cache;

use tch::{Device, Kind, Tensor};

use crate::error::{Result, ScanError};
use crate::shapes::{cuda_index, BcLayout, ScanShape};
use launch::{Arg, Config, FwdVariant, MAX_NSTATE};

/// Where a kernel runs: on a CUDA device, or in the host emulation (CPU tensors; tests only).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Runner {
    Device(usize),
    Emulated,
}

impl Runner {
    /// The CUDA device the inputs (u first) live on.
    pub(crate) fn of_inputs(inputs: &[Option<Tensor>; 9]) -> Result<Runner> {
        let u = first_input(inputs)?;
        Ok(Runner::Device(cuda_index(u.device())?))
    }

    /// Compiles (NVRTC or the host compiler) and runs kernel `name` of the configuration.
    fn run(self, defines: &[(String, i64)], name: &'static str, grid: u32, block: u32, smem: u32, args: &[Arg]) -> Result<()> {
        match self {
            Runner::Device(dev) => {
                let f = launch::function(dev, defines, name)?;
                launch::launch_smem(dev, &f, grid, block, smem, args)
            }
            Runner::Emulated => emulate::launch(defines, grid, block, smem, args),
        }
    }
}

/// Checks that the CUDA kernel can run these inputs here: a CUDA device, the driver and NVRTC
/// libraries, and a state size the kernel takes.
pub(crate) fn check_supported(shape: &ScanShape, device: Device) -> Result<()> {
    let idx = cuda_index(device)?;
    if shape.nstate > MAX_NSTATE {
        return Err(ScanError::shape("A", format!("the CUDA kernel takes N <= {MAX_NSTATE}, got N = {}", shape.nstate)));
    }
    if shape.len > i32::MAX as usize / 2 || shape.batch * shape.dim > i32::MAX as usize {
        return Err(ScanError::shape("u", "too large for the CUDA kernel's 32-bit sizes"));
    }
    if !nvrtc_cache::nvrtc_present() {
        return Err(ScanError::Unavailable {
            backend: "cuda",
            reason: "the NVRTC library (libnvrtc.so) was not found on the loader path".into(),
        });
    }
    launch::context(idx).map(|_| ())
}

/// Whether the CUDA backend can run on device 0 here (a GPU, libcuda and NVRTC); the reason
/// when it cannot.
pub fn availability() -> std::result::Result<(), String> {
    if !tch::Cuda::is_available() {
        return Err("libtorch sees no CUDA device".into());
    }
    if !nvrtc_cache::nvrtc_present() {
        return Err("the NVRTC library (libnvrtc.so) was not found on the loader path".into());
    }
    launch::context(0).map(|_| ()).map_err(|e| e.to_string())
}

/// u, the first of the bridge's inputs, which is always present.
fn first_input(inputs: &[Option<Tensor>; 9]) -> Result<&Tensor> {
    inputs[0].as_ref().ok_or_else(|| ScanError::Bridge("u missing".into()))
}

fn ptr(t: &Tensor) -> u64 {
    t.data_ptr() as u64
}

fn opt_ptr(t: Option<&Tensor>) -> u64 {
    t.map(ptr).unwrap_or(0)
}

/// A kernel's argument list, in the order both kernels declare it: the nine inputs (u, Δ, A, B,
/// C, D, z, bias, h0; null for absent ones), the kernel's own pointers, then batch, D, L, the B
/// and C groups and the number of stored states per channel.
fn kernel_args<const K: usize>(inputs: &[Option<Tensor>; 9], own: [Arg; K], shape: &ScanShape, nseg: i64) -> Vec<Arg> {
    let dims = [shape.batch, shape.dim, shape.len, shape.b.groups().max(1), shape.c.groups().max(1)];
    let inputs = inputs.iter().map(|x| Arg::Ptr(opt_ptr(x.as_ref())));
    inputs.chain(own).chain(dims.map(|v| Arg::I32(v as i32))).chain([Arg::I32(nseg as i32)]).collect()
}

/// Bytes of device memory the op allocates beyond its inputs and results (y, the last state,
/// the gradients): the stored states (forward), and in the backward the f32 accumulators of a
/// variable B and C when the inputs are narrower (bf16; in f32 the accumulators are the
/// gradients). [`memory::measure`] measures the same quantity.
pub fn extra_bytes(shape: &ScanShape, backward: bool, input_bytes: usize) -> usize {
    let nseg = shape.len.div_ceil(launch::segment(shape));
    let ckpt = shape.batch * shape.dim * nseg * shape.nstate * 4;
    if !backward {
        return ckpt;
    }
    let accumulator = |l: BcLayout| match l {
        BcLayout::Variable { groups } if input_bytes < 4 => shape.batch * groups * shape.nstate * shape.len * 4,
        _ => 0,
    };
    ckpt + accumulator(shape.b) + accumulator(shape.c)
}

/// Forward: (y, last_state, stored states). `save` = false skips the stored states (inference).
pub(crate) fn forward_tensors(inputs: &[Option<Tensor>; 9], shape: &ScanShape, softplus: bool, save: bool) -> Result<(Tensor, Tensor, Tensor)> {
    let u = first_input(inputs)?;
    let variant = FwdVariant::from_env(u.kind() == Kind::BFloat16);
    forward_on(Runner::of_inputs(inputs)?, variant, inputs, shape, softplus, save)
}

/// [`forward_tensors`] on a runner, with the tiled forward's layout given.
pub(crate) fn forward_on(
    runner: Runner,
    variant: FwdVariant,
    inputs: &[Option<Tensor>; 9],
    shape: &ScanShape,
    softplus: bool,
    save: bool,
) -> Result<(Tensor, Tensor, Tensor)> {
    let u = first_input(inputs)?;
    let device = u.device();
    let kind = u.kind();
    let bf16 = kind == Kind::BFloat16;
    let cfg = Config::new(shape.nstate);
    let tiled = launch::tile_forward(shape);
    let defines = fwd_defines(&cfg, shape, bf16, softplus, tiled, variant);
    let (b, d, l, n) = (shape.batch as i64, shape.dim as i64, shape.len as i64, shape.nstate as i64);
    let nseg = shape.len.div_ceil(launch::segment(shape)) as i64;
    let y = Tensor::empty([b, d, l], (kind, device));
    let last = Tensor::empty([b, d, n], (Kind::Float, device));
    let ckpt = if save { Tensor::empty([b, d, nseg, n], (Kind::Float, device)) } else { Tensor::empty([0], (Kind::Float, device)) };
    let outputs = [Arg::Ptr(ptr(&y)), Arg::Ptr(ptr(&last)), Arg::Ptr(if save { ptr(&ckpt) } else { 0 })];
    let args = kernel_args(inputs, outputs, shape, nseg);
    let name = "selective_scan_fwd";
    if tiled {
        let grid = (shape.batch * shape.dim.div_ceil(launch::tile_rows(false))) as u32;
        runner.run(&defines, name, grid, variant.block_threads(bf16) as u32, 0, &args)?;
    } else {
        let rows = shape.batch * shape.dim;
        let rows_per_block = cfg.warps_fwd * cfg.rows_per_warp;
        let grid = rows.div_ceil(rows_per_block) as u32;
        runner.run(&defines, name, grid, (cfg.warps_fwd * 32) as u32, 0, &args)?;
    }
    Ok((y, last, ckpt))
}

/// The `-D` definitions of the forward kernel: the tiled one (`KERNEL_FWD=2`) or the row one.
fn fwd_defines(cfg: &Config, shape: &ScanShape, bf16: bool, softplus: bool, tiled: bool, variant: FwdVariant) -> Vec<(String, i64)> {
    let mut defines = cfg.defines(shape, bf16, softplus);
    if tiled {
        defines.push(("TT".into(), launch::TILE_STEPS as i64));
        defines.push(("TR".into(), launch::tile_rows(false) as i64));
        defines.push(("RPT".into(), variant.rows_per_thread as i64));
        defines.push(("BC16".into(), (variant.bc16 && bf16) as i64));
        defines.push(("C32".into(), (variant.c32 && variant.bc16 && bf16) as i64));
        defines.push(("YRED".into(), variant.yred as i64));
        defines.push(("EPI_REGS".into(), variant.epi_regs as i64));
        defines.push(("FMA_H".into(), variant.fma_h as i64));
        defines.push(("MMA_Y".into(), variant.mma_y_runs(bf16) as i64));
        defines.push(("AHEAD".into(), variant.ahead as i64));
        defines.push(("SPT".into(), variant.states_per_thread(bf16) as i64));
        defines.push(("KERNEL_FWD".into(), 2));
    } else {
        defines.push(("WARPS".into(), cfg.warps_fwd as i64));
        defines.push(("KERNEL_FWD".into(), 1));
    }
    defines
}

/// The `-D` definitions of the backward kernel: the tiled one (`KERNEL_BWD_TILE=1`) or the row one.
fn bwd_defines(cfg: &Config, shape: &ScanShape, bf16: bool, softplus: bool, tiled: bool) -> Vec<(String, i64)> {
    let mut defines = cfg.defines(shape, bf16, softplus);
    defines.push(("KERNEL_FWD".into(), 0));
    if tiled {
        defines.push(("TT".into(), launch::TILE_STEPS as i64));
        defines.push(("TR".into(), launch::tile_rows(true) as i64));
        defines.push(("BWD_PAIRS".into(), launch::bwd_pairs() as i64));
        defines.push(("KERNEL_BWD_TILE".into(), 1));
    } else {
        defines.push(("WARPS".into(), cfg.warps_bwd as i64));
    }
    defines
}

/// Backward on `runner` (the CUDA device of the inputs, see [`Runner::of_inputs`], or the host
/// emulation): the nine input gradients (`None` for absent inputs). `needs` has bit i set when
/// the gradient of input i is wanted (all are computed; the mask only skips dh0's write).
#[allow(clippy::too_many_arguments)]
pub(crate) fn backward_tensors(
    runner: Runner,
    inputs: &[Option<Tensor>; 9],
    ckpt: &Tensor,
    dy: Option<&Tensor>,
    dlast: Option<&Tensor>,
    shape: &ScanShape,
    softplus: bool,
    needs: u32,
) -> Result<[Option<Tensor>; 9]> {
    let u = first_input(inputs)?;
    let device = u.device();
    let kind = u.kind();
    let bf16 = kind == Kind::BFloat16;
    let cfg = Config::new(shape.nstate);
    let tiled = launch::tile_backward(shape);
    let defines = bwd_defines(&cfg, shape, bf16, softplus, tiled);
    let (b, d, l, n) = (shape.batch as i64, shape.dim as i64, shape.len as i64, shape.nstate as i64);
    let fopt = (Kind::Float, device);
    let dy = dy.map(|t| t.to_kind(kind).contiguous());
    let dlast = dlast.map(|t| t.to_kind(Kind::Float).contiguous());
    let du = Tensor::empty([b, d, l], (kind, device));
    let ddelta = Tensor::empty([b, d, l], (kind, device));
    let dz = shape.has_z.then(|| Tensor::empty([b, d, l], (kind, device)));
    let da = Tensor::zeros([d, n], fopt);
    let bc_grad = |x: &Tensor| Tensor::zeros(x.size().as_slice(), fopt);
    let db = bc_grad(inputs[3].as_ref().unwrap());
    let dc = bc_grad(inputs[4].as_ref().unwrap());
    let dd = shape.has_d.then(|| Tensor::zeros([d], fopt));
    let dbias = shape.has_bias.then(|| Tensor::zeros([d], fopt));
    let want_dh0 = shape.has_h0 && needs & (1 << 8) != 0;
    let dh0 = want_dh0.then(|| Tensor::zeros([b, d, n], fopt));
    // The stored states and output gradients it reads, then the gradients it writes.
    let own = [
        ptr(ckpt),
        opt_ptr(dy.as_ref()),
        opt_ptr(dlast.as_ref()),
        ptr(&du),
        ptr(&ddelta),
        opt_ptr(dz.as_ref()),
        ptr(&da),
        ptr(&db),
        ptr(&dc),
        opt_ptr(dd.as_ref()),
        opt_ptr(dbias.as_ref()),
        opt_ptr(dh0.as_ref()),
    ]
    .map(Arg::Ptr);
    let args = kernel_args(inputs, own, shape, ckpt.size().get(2).copied().unwrap_or(0));
    let name = "selective_scan_bwd";
    if tiled {
        let tr = launch::tile_rows(true);
        let grid = (shape.batch * shape.dim.div_ceil(tr)) as u32;
        runner.run(&defines, name, grid, (4 * tr) as u32, launch::tile_bwd_smem(tr) as u32, &args)?;
    } else {
        let rows = shape.batch * shape.dim;
        let rows_per_block = cfg.warps_bwd * cfg.rows_per_warp;
        let grid = rows.div_ceil(rows_per_block) as u32;
        runner.run(&defines, name, grid, (cfg.warps_bwd * 32) as u32, 0, &args)?;
    }
    let cast = |t: Tensor, k: usize| -> Tensor {
        let want = inputs[k].as_ref().map(|x| x.kind()).unwrap_or(Kind::Float);
        if t.kind() != want {
            t.to_kind(want)
        } else {
            t
        }
    };
    Ok([Some(du), Some(ddelta), Some(da), Some(cast(db, 3)), Some(cast(dc, 4)), dd, dz, dbias, dh0])
}

/// The name of a CUDA device (as the driver reports it).
pub fn device_name(device: Device) -> Result<String> {
    let ctx = launch::context(cuda_index(device)?)?;
    ctx.name().map_err(|e| ScanError::Driver(format!("{e:?}")))
}

/// The PTX of the forward or backward kernel for a problem, compiled for `arch` (e.g. (9, 0)),
/// needing NVRTC but no GPU: used to check that every configuration compiles.
pub fn ptx_for_shape(shape: &ScanShape, bf16: bool, softplus: bool, backward: bool, arch: (i32, i32)) -> Result<String> {
    let cfg = Config::new(shape.nstate);
    let defines = if backward {
        bwd_defines(&cfg, shape, bf16, softplus, launch::tile_backward(shape))
    } else {
        fwd_defines(&cfg, shape, bf16, softplus, launch::tile_forward(shape), FwdVariant::from_env(bf16))
    };
    nvrtc_cache::ptx_for(&defines, arch)
}
