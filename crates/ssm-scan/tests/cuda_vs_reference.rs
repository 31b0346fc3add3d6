//! The CUDA kernel against the float64 tch reference. Skipped, with a note, where no GPU (or
//! no CUDA driver / NVRTC library) is present.
mod common;

use common::{cases, compare, shape_of, Case};
use ssm_scan::{selective_scan, Backend, ScanArgs};
use tch::{Device, Kind, Tensor};

fn gpu() -> bool {
    match ssm_scan::cuda::availability() {
        Ok(()) => true,
        Err(why) => {
            eprintln!("note: CUDA tests skipped: {why}");
            false
        }
    }
}

#[test]
fn cuda_f32_matches_reference_all_cases() {
    if !gpu() {
        return;
    }
    let mut failures = Vec::new();
    for case in cases() {
        if let Err(e) = compare(&case, Backend::Cuda, Kind::Float, Device::Cuda(0), 6e-4, 2e-3, 5.0) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn cuda_bf16_matches_reference() {
    if !gpu() {
        return;
    }
    let mut failures = Vec::new();
    for case in cases().into_iter().filter(|c| c.len != 4099 || c.n == 16) {
        if let Err(e) = compare(&case, Backend::Cuda, Kind::BFloat16, Device::Cuda(0), 3e-2, 5e-2, 5.0) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn cuda_large_state_and_many_rows() {
    if !gpu() {
        return;
    }
    // N = 256 (the largest the kernel takes), odd D, L not a multiple of the vector width.
    let case = Case { batch: 3, dim: 5, ..Case::new(301, 256, 1) };
    compare(&case, Backend::Cuda, Kind::Float, Device::Cuda(0), 6e-4, 2e-3, 5.0).unwrap();
    // Many rows per block and blocks whose rows straddle groups (D/G = 3 rows per group).
    let case = Case { batch: 2, dim: 6, groups_b: 2, groups_c: 2, ..Case::new(515, 16, 2) };
    compare(&case, Backend::Cuda, Kind::Float, Device::Cuda(0), 6e-4, 2e-3, 5.0).unwrap();
    let case = Case { batch: 2, dim: 96, ..Case::new(1000, 16, 2) };
    compare(&case, Backend::Cuda, Kind::Float, Device::Cuda(0), 6e-4, 2e-3, 5.0).unwrap();
}

#[test]
fn cuda_matches_cpu_kernel_and_auto_picks_cuda() {
    if !gpu() {
        return;
    }
    tch::manual_seed(3);
    let (b, d, l, n) = (2, 8, 777, 16);
    let u = Tensor::randn([b, d, l], (Kind::Float, Device::Cpu));
    let delta = Tensor::randn([b, d, l], (Kind::Float, Device::Cpu)) * 0.5 - 2.0;
    let a = -Tensor::rand([d, n], (Kind::Float, Device::Cpu)) * 4.0 - 0.5;
    let bm = Tensor::randn([b, n, l], (Kind::Float, Device::Cpu));
    let cm = Tensor::randn([b, n, l], (Kind::Float, Device::Cpu));
    let run = |dev: Device, backend: Backend| {
        let t = |x: &Tensor| x.to_device(dev);
        let (u, delta, a, bm, cm) = (t(&u), t(&delta), t(&a), t(&bm), t(&cm));
        let args = ScanArgs::new(&u, &delta, &a, &bm, &cm);
        let (y, h) = selective_scan(&args, true, backend).unwrap();
        (y.to_device(Device::Cpu), h.to_device(Device::Cpu))
    };
    let (y0, h0) = run(Device::Cpu, Backend::Cpu);
    let (y1, h1) = run(Device::Cuda(0), Backend::Auto);
    let dy = (y0 - y1).abs().max().double_value(&[]);
    let dh = (h0 - h1).abs().max().double_value(&[]);
    assert!(dy < 1e-3 && dh < 1e-3, "cpu vs cuda: |dy| {dy}, |dh| {dh}");
}

#[test]
fn cuda_tiled_kernels_with_full_blocks() {
    if !gpu() {
        return;
    }
    // Blocks of the tiled kernels hold 32 channels (each thread 2 of them in the forward):
    // full blocks, several per batch element, one B/C group per block (D/G = 32), a partial
    // last block (D = 48), N below 16 (padded states), unaligned and chunk-straddling L.
    let full = Case { batch: 2, dim: 64, ..Case::new(1000, 16, 1) };
    let cases = [
        full,
        Case { batch: 1, dim: 64, seed: 5, ..Case::new(2048, 16, 2) },
        Case { batch: 2, dim: 48, seed: 6, with_h0: false, ..Case::new(129, 12, 1) },
        Case { batch: 1, dim: 96, seed: 7, softplus: false, with_bias: false, ..Case::new(77, 16, 3) },
    ];
    let mut failures = Vec::new();
    for case in &cases {
        assert!(ssm_scan::cuda::launch::tile_forward(&shape_of(case)), "{case:?} does not take the tiled kernels");
        if let Err(e) = compare(case, Backend::Cuda, Kind::Float, Device::Cuda(0), 6e-4, 2e-3, 5.0) {
            failures.push(e);
        }
    }
    if let Err(e) = compare(&full, Backend::Cuda, Kind::BFloat16, Device::Cuda(0), 3e-2, 5e-2, 5.0) {
        failures.push(format!("bf16: {e}"));
    }
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn cuda_backend_rejects_cpu_tensors() {
    let t = Tensor::ones([1, 2, 3], (Kind::Float, Device::Cpu));
    let a = Tensor::ones([2, 4], (Kind::Float, Device::Cpu));
    let bc = Tensor::ones([1, 4, 3], (Kind::Float, Device::Cpu));
    let err = selective_scan(&ScanArgs::new(&t, &t, &a, &bc, &bc), false, Backend::Cuda).unwrap_err();
    assert!(err.to_string().contains("needs CUDA tensors"), "{err}");
}

#[test]
fn cuda_working_memory_is_the_stored_states_and_accumulators() {
    if !gpu() {
        return;
    }
    // Measured with libtorch's allocator: the working memory (beyond inputs, y, the last state
    // and the gradients) must be what the op allocates on purpose, O(B·D·N·L / 32), and nothing
    // the size of (B, D, L, N).
    for kind in [Kind::Float, Kind::BFloat16] {
        let (b, d, n, l) = (2i64, 64i64, 16i64, 4096i64);
        let shape = ssm_scan::ScanShape {
            batch: b as usize,
            dim: d as usize,
            len: l as usize,
            nstate: n as usize,
            b: ssm_scan::BcLayout::Variable { groups: 1 },
            c: ssm_scan::BcLayout::Variable { groups: 1 },
            has_d: true,
            has_z: true,
            has_bias: true,
            has_h0: false,
        };
        let dev = Device::Cuda(0);
        let data = |s: &[i64]| Tensor::randn(s, (Kind::Float, dev)).to_kind(kind);
        let inputs = [
            Some(data(&[b, d, l])),
            Some(data(&[b, d, l]) * 0.5 - 2.5),
            Some(-Tensor::rand([d, n], (Kind::Float, dev)) - 0.5),
            Some(data(&[b, n, l])),
            Some(data(&[b, n, l])),
            Some(Tensor::randn([d], (Kind::Float, dev))),
            Some(data(&[b, d, l])),
            Some(Tensor::rand([d], (Kind::Float, dev))),
            None,
        ];
        let m = ssm_scan::cuda::memory::measure(&inputs, &shape, true).unwrap();
        let elem = if kind == Kind::Float { 4 } else { 2 };
        let seg = ssm_scan::cuda::launch::segment(&shape) as u64;
        let states = (b * d * n) as u64 * (l as u64).div_ceil(seg) * 4;
        assert_eq!(m.stored_states, states, "{kind:?}");
        assert!(m.forward >= states && m.forward <= states + (1 << 20), "{kind:?}: forward {} vs states {states}", m.forward);
        let counted = ssm_scan::cuda::extra_bytes(&shape, true, elem) as u64;
        let slack = counted / 20 + (1 << 20);
        assert!(m.forward_backward.abs_diff(counted) <= slack, "{kind:?}: measured {} vs counted {counted}", m.forward_backward);
    }
}
