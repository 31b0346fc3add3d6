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

/// Runs `op` on CUDA device `dev` and returns its result with the allocator's peak bytes during
/// it above what was allocated before.
fn peak_above_before<T>(dev: usize, op: impl FnOnce() -> Result<T>) -> Result<(T, u64)> {
    tch::Cuda::synchronize(dev as i64);
    let (before, _) = cuda_allocated(dev, true)?;
    let out = op()?;
    tch::Cuda::synchronize(dev as i64);
    let (_, peak) = cuda_allocated(dev, false)?;
    Ok((out, peak.saturating_sub(before)))
}

/// Runs the CUDA forward (saving states) and backward once on `inputs` (kernel dtypes, on one
/// CUDA device) and measures their working memory.
pub fn measure(inputs: &[Option<Tensor>; 9], shape: &ScanShape, softplus: bool) -> Result<MemoryUse> {
    let runner = Runner::of_inputs(inputs)?;
    let Runner::Device(dev) = runner else { unreachable!("of_inputs gives a device") };
    let ((y, last, ckpt), fwd_peak) = peak_above_before(dev, || forward_tensors(inputs, shape, softplus, true))?;
    let forward = fwd_peak.saturating_sub(bytes(&y) + bytes(&last));
    let dy = Tensor::ones_like(&y);
    let (grads, bwd_peak) =
        peak_above_before(dev, || backward_tensors(runner, inputs, &ckpt, Some(&dy), None, shape, softplus, u32::MAX))?;
    let backward = bwd_peak.saturating_sub(grads.iter().flatten().map(bytes).sum());
    Ok(MemoryUse { forward, forward_backward: forward.max(bytes(&ckpt) + backward), stored_states: bytes(&ckpt) })
}
