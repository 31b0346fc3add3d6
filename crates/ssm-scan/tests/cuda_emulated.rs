//! The tiled CUDA kernels run in the host emulation (src/cuda/emulate.rs: the kernel source
//! compiled by the host C++ compiler, a block's threads as OS threads) against the float64
//! reference, for every layout of the forward. This checks the kernels' indexing, staging and
//! barriers on machines without a GPU (CI); the GPU suite (cuda_vs_reference.rs) checks the
//! device. Skipped with a note where no C++ compiler runs.
mod common;

use common::{args_of, compare_with, shape_of, Case, Inputs};
use ssm_scan::cuda::emulate;
use ssm_scan::cuda::launch::{tile_forward, FwdVariant};
use ssm_scan::ScanArgs;
use tch::{Device, Kind, Tensor};

const RPT1: FwdVariant = FwdVariant { rows_per_thread: 1, bc16: false, c32: false, yred: false, epi_regs: false, fma_h: false, mma_y: false, ahead: 0, spt: 4 };
const RPT2: FwdVariant = FwdVariant { rows_per_thread: 2, ..RPT1 };
const BC16: FwdVariant = FwdVariant { bc16: true, ..RPT2 };
/// bf16 B/C staging with one channel per thread: half the shared-memory bytes of B and C per
/// update at the default's warps per launch.
const BC16_RPT1: FwdVariant = FwdVariant { bc16: true, ..RPT1 };
/// The channel's partial sums added with shuffles in the loop (the bf16 one with 16-bit B/C).
const YRED: FwdVariant = FwdVariant { yred: true, ..RPT1 };
const YRED_BC16: FwdVariant = FwdVariant { bc16: true, ..YRED };
/// ... with two channels per thread.
const YRED_RPT2: FwdVariant = FwdVariant { rows_per_thread: 2, ..YRED };
/// The epilogue's u and z kept in registers (with the shuffled partial sums; the bf16 one with
/// 16-bit B/C, and with two channels per thread).
const EPI: FwdVariant = FwdVariant { epi_regs: true, ..YRED };
const EPI_BC16: FwdVariant = FwdVariant { bc16: true, ..EPI };
/// EPI_BC16 with C staged as f32 (B stays 16-bit).
const EPI_C32: FwdVariant = FwdVariant { c32: true, ..EPI_BC16 };
/// The state update as one FFMA on h's chain: EPI_FMA_H is the default layout (16-bit B/C
/// staging for bf16), EPI_FMA_H_F32 the same with f32 staging.
const EPI_FMA_H_F32: FwdVariant = FwdVariant { fma_h: true, ..EPI };
const EPI_FMA_H: FwdVariant = FwdVariant { fma_h: true, ..EPI_BC16 };
/// y on the tensor cores (bf16), with 16-bit and with f32 C tiles.
const EPI_MMA_Y: FwdVariant = FwdVariant { mma_y: true, ..EPI_FMA_H };
const EPI_MMA_Y_C32: FwdVariant = FwdVariant { c32: true, ..EPI_MMA_Y };
/// ... with f32 B/C tiles, and the decays computed one group early.
const EPI_MMA_Y32_AHEAD: FwdVariant = FwdVariant { bc16: false, ahead: 1, ..EPI_MMA_Y };
/// ... with the decays computed two groups early.
const EPI_MMA_Y_AHEAD: FwdVariant = FwdVariant { ahead: 2, ..EPI_MMA_Y };
/// MMA_Y with 2 states per thread (8 threads per channel), with 16-bit tiles and with f32 tiles
/// and the decays one group early.
const EPI_MMA_Y_SPT2: FwdVariant = FwdVariant { spt: 2, ..EPI_MMA_Y };
const EPI_MMA_Y32_AHEAD_SPT2: FwdVariant = FwdVariant { spt: 2, ..EPI_MMA_Y32_AHEAD };
/// ... with D u and silu(z) staged in shared memory, the epilogue on the warps that staged B/C.
const MMA_Y_SPT2_EPI_SHIFT: FwdVariant = FwdVariant { epi_regs: false, ..EPI_MMA_Y_SPT2 };
const EPI_RPT2: FwdVariant = FwdVariant { rows_per_thread: 2, epi_regs: true, ..RPT1 };

fn compiler() -> bool {
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".into());
    let ok = std::process::Command::new(&cxx).arg("--version").output().map(|o| o.status.success()).unwrap_or(false);
    if !ok {
        eprintln!("note: host-emulation tests skipped: the C++ compiler `{cxx}` does not run");
    }
    ok
}

/// The emulated kernels' y, last state and gradients, in float64 as `common::run` gives them.
fn emulated(inp: &Inputs, case: &Case, kind: Kind, variant: FwdVariant) -> (Tensor, Tensor, Vec<Option<Tensor>>) {
    let l = inp.leaves(kind, Device::Cpu, case);
    let args = args_of(&l);
    let out = emulate::run(&args, case.softplus, kind, variant, &inp.dy, &inp.dlast).unwrap_or_else(|e| panic!("{case:?}: {e}"));
    let f64 = |t: &Tensor| t.to_kind(Kind::Double);
    (f64(&out.y), f64(&out.last_state), out.grads.iter().map(|g| g.as_ref().map(f64)).collect())
}

/// Runs every (case, dtype, variant) and reports all failures at once.
fn check_all(runs: &[(Case, Kind, FwdVariant)]) {
    let mut failures = Vec::new();
    for (case, kind, variant) in runs {
        assert!(tile_forward(&shape_of(case)), "{case:?} does not take the tiled kernels");
        let (rtol, atol) = if *kind == Kind::Float { (6e-4, 2e-3) } else { (3e-2, 5e-2) };
        if let Err(e) = compare_with(case, rtol, atol, 5.0, |inp| emulated(inp, case, *kind, *variant)) {
            failures.push(format!("{kind:?} {variant:?}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{} run(s) failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn emulated_tiled_kernels_match_reference_f32() {
    if !compiler() {
        return;
    }
    // Full blocks of 32 channels, two per batch element, 16-byte loads (L % 4 == 0).
    let full = Case { batch: 2, dim: 64, ..Case::new(1000, 16, 1) };
    // One B/C group per block; a partial last block with padded states and unaligned L; three
    // groups without softplus or bias.
    let grouped = Case { batch: 1, dim: 64, seed: 5, ..Case::new(300, 16, 2) };
    let partial = Case { batch: 2, dim: 48, seed: 6, with_h0: false, ..Case::new(129, 12, 1) };
    let plain = Case { batch: 1, dim: 96, seed: 7, softplus: false, with_bias: false, ..Case::new(77, 16, 3) };
    let f = Kind::Float;
    check_all(&[
        (full, f, RPT1),
        (full, f, RPT2),
        (grouped, f, RPT2),
        (partial, f, RPT2),
        (partial, f, RPT1),
        (plain, f, RPT2),
        (full, f, YRED),
        (grouped, f, YRED_RPT2),
        (partial, f, YRED),
        (full, f, EPI),
        (partial, f, EPI),
        (plain, f, EPI),
        (grouped, f, EPI_RPT2),
        (grouped, f, EPI_FMA_H_F32),
    ]);
}

#[test]
fn emulated_tiled_kernels_match_reference_bf16() {
    if !compiler() {
        return;
    }
    let full = Case { batch: 2, dim: 64, seed: 8, ..Case::new(1000, 16, 1) };
    let partial = Case { batch: 1, dim: 48, seed: 9, with_z: false, ..Case::new(131, 16, 1) };
    // Padded states (N = 12) in two B/C groups, for the MMA layouts' state permutations.
    let padded = Case { batch: 1, dim: 64, seed: 10, ..Case::new(70, 12, 2) };
    let b = Kind::BFloat16;
    check_all(&[
        (full, b, RPT1),
        (full, b, RPT2),
        (full, b, BC16),
        (partial, b, BC16),
        (full, b, BC16_RPT1),
        (partial, b, BC16_RPT1),
        (full, b, YRED_BC16),
        (partial, b, YRED_BC16),
        (full, b, EPI_BC16),
        (partial, b, EPI_BC16),
        (full, b, EPI_C32),
        (partial, b, EPI_C32),
        (full, b, EPI_FMA_H),
        (partial, b, EPI_FMA_H),
        (full, b, EPI_MMA_Y),
        (partial, b, EPI_MMA_Y),
        (partial, b, EPI_MMA_Y_C32),
        (full, b, EPI_MMA_Y32_AHEAD),
        (partial, b, EPI_MMA_Y_AHEAD),
        (full, b, EPI_MMA_Y_SPT2),
        (partial, b, EPI_MMA_Y_SPT2),
        (full, b, EPI_MMA_Y32_AHEAD_SPT2),
        (padded, b, EPI_MMA_Y),
        (padded, b, EPI_MMA_Y_SPT2),
        (partial, b, MMA_Y_SPT2_EPI_SHIFT),
    ]);
}

#[test]
fn emulation_refuses_row_kernel_shapes() {
    // Constant B/C take the row kernels, which the emulation does not run: a clear error.
    let t = Tensor::ones([1, 2, 8], (Kind::Float, Device::Cpu));
    let a = Tensor::ones([2, 4], (Kind::Float, Device::Cpu));
    let bc = Tensor::ones([2, 4], (Kind::Float, Device::Cpu));
    let args = ScanArgs::new(&t, &t, &a, &bc, &bc);
    let err = emulate::run(&args, false, Kind::Float, RPT2, &t, &Tensor::zeros([1, 2, 4], (Kind::Float, Device::Cpu)));
    let msg = err.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.contains("tiled kernels only"), "{msg}");
}
