//! The CUDA op's working memory, measured with libtorch's allocator. Alone in its test binary:
//! the allocator's peak counts every thread of the process, so no other test may run beside it.
//! Skipped, with a note, where no GPU is present.
mod common;

use common::gpu;
use tch::{Device, Kind, Tensor};
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
        let shape = ssm_scan::ScanShape::mamba(b as usize, d as usize, l as usize, n as usize);
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
