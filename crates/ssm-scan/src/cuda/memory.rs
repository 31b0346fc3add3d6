//! Device memory of the CUDA op, measured with libtorch's caching allocator: the peak bytes
//! allocated while the forward and then the backward run, less what was there before and less
//! the op's own results (y and the last state; the nine input gradients). What remains is the
//! op's working memory: the states stored every segment for the backward, and the backward's
//! f32 accumulators of dB and dC (with their casts to bf16).

use tch::Tensor;

use super::{backward_tensors, forward_tensors, Runner};
use crate::bridge::cuda_allocated;
use crate::error::Result;
use crate::shapes::ScanShape;

/// Working memory of one forward and one forward + backward, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryUse {
    /// Peak bytes above the inputs and (y, last state) during the forward that saves states.
    pub forward: u64,
    /// Peak bytes above the inputs, the forward's results and the gradients over forward and
    /// backward (the stored states are held from one to the other).
    pub forward_backward: u64,
    /// Bytes of the stored states alone.
    pub stored_states: u64,
}

fn bytes(t: &Tensor) -> u64 {
    (t.numel() * t.kind().elt_size_in_bytes()) as u64
}

/// Runs the CUDA forward (saving states) and backward once on `inputs` (kernel dtypes, on one
/// CUDA device) and measures their working memory.
pub fn measure(inputs: &[Option<Tensor>; 9], shape: &ScanShape, softplus: bool) -> Result<MemoryUse> {
    let runner = Runner::of_inputs(inputs)?;
    let Runner::Device(dev) = runner else { unreachable!("of_inputs gives a device") };
    let sync = || tch::Cuda::synchronize(dev as i64);
    let above = |peak: u64, before: u64, results: u64| peak.saturating_sub(before).saturating_sub(results);

    sync();
    let (before, _) = cuda_allocated(dev, true)?;
    let (y, last, ckpt) = forward_tensors(inputs, shape, softplus, true)?;
    sync();
    let (_, peak) = cuda_allocated(dev, false)?;
    let forward = above(peak, before, bytes(&y) + bytes(&last));

    let dy = Tensor::ones_like(&y);
    sync();
    let (before, _) = cuda_allocated(dev, true)?;
    let grads = backward_tensors(runner, inputs, &ckpt, Some(&dy), None, shape, softplus, u32::MAX)?;
    sync();
    let (_, peak) = cuda_allocated(dev, false)?;
    let grad_bytes: u64 = grads.iter().flatten().map(bytes).sum();
    let backward = above(peak, before, grad_bytes);
    Ok(MemoryUse { forward, forward_backward: forward.max(bytes(&ckpt) + backward), stored_states: bytes(&ckpt) })
}
