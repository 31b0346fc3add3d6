//! The CUDA kernel against the float64 tch reference. Skipped, with a note, where no GPU (or
//! no CUDA driver / NVRTC library) is present.
mod common;

use common::{cases, compare, gpu, shape_of, Case};
use ssm_scan::{selective_scan, Backend, ScanArgs};
use tch::{Device, Kind, Tensor};

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

