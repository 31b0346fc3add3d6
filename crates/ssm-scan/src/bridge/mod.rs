//! The autograd bridge: `autograd.cpp` defines a `torch::autograd::Function` whose forward and
//! backward call the `extern "C"` functions below, which run the CPU or CUDA kernel. Tensors
//! cross as `at::Tensor*` handles (torch-sys's `C_tensor`); Rust wraps incoming handles with
//! `Tensor::clone_from_ptr` and hands outgoing tensors over by leaking their handle, which C++
//! then owns and deletes.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

use tch::{Kind, Tensor};
use torch_sys::C_tensor;

use crate::error::{Result, ScanError};
use crate::shapes::{validate, ScanShape};
use crate::ScanArgs;

extern "C" {
    fn ssm_scan_autograd_apply(
        flags: i64,
        fwd: *mut c_void,
        bwd: *mut c_void,
        inputs: *const *mut C_tensor,
        out_y: *mut *mut C_tensor,
        out_last: *mut *mut C_tensor,
        err: *mut c_char,
        errlen: usize,
    ) -> c_int;
    fn ssm_scan_current_cuda_stream(device: i32, stream: *mut *mut c_void) -> c_int;
    fn ssm_scan_cuda_allocated(device: i32, reset: i32, current: *mut i64, peak: *mut i64, err: *mut c_char, errlen: usize) -> c_int;
}

/// Which kernel the bridge runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KernelId {
    Cpu = 1,
    Cuda = 2,
}

const FLAG_SOFTPLUS: i64 = 1;
const KERNEL_SHIFT: i64 = 1;
const KERNEL_MASK: i64 = 0b11 << KERNEL_SHIFT;
/// Bits 8..17: which input gradients autograd needs (set by the C++ backward).
const NEEDS_SHIFT: i64 = 8;

/// libtorch's current CUDA stream on `device` (null = the legacy default stream), or `None`
/// when libtorch_cuda's C shim is absent.
pub(crate) fn current_cuda_stream(device: usize) -> Option<*mut c_void> {
    let mut s: *mut c_void = std::ptr::null_mut();
    // SAFETY: plain C call writing one pointer.
    let rc = unsafe { ssm_scan_current_cuda_stream(device as i32, &mut s) };
    (rc == 0).then_some(s)
}

/// Bytes held by libtorch's CUDA caching allocator on `device`: `(now, peak since the last
/// reset)`; `reset` resets the peak first. Counts every tensor libtorch allocates on the device,
/// the kernels' outputs, stored states and accumulators included.
pub(crate) fn cuda_allocated(device: usize, reset: bool) -> Result<(u64, u64)> {
    let (mut now, mut peak) = (0i64, 0i64);
    let mut err = vec![0 as c_char; 1024];
    // SAFETY: plain C call writing two integers or a NUL-terminated message into `err`.
    let rc = unsafe { ssm_scan_cuda_allocated(device as i32, reset as i32, &mut now, &mut peak, err.as_mut_ptr(), err.len()) };
    if rc != 0 {
        // SAFETY: the C side wrote a NUL-terminated message.
        let msg = unsafe { CStr::from_ptr(err.as_ptr()) }.to_string_lossy().into_owned();
        return Err(ScanError::Unavailable { backend: "cuda", reason: format!("libtorch's CUDA allocator statistics: {msg}") });
    }
    Ok((now.max(0) as u64, peak.max(0) as u64))
}

/// The nine kernel inputs in the dtypes the kernels take, contiguous: `kind` for u, Δ, z and
/// variable B/C, f32 for the weights; absent ones undefined.
pub(crate) fn kernel_inputs(args: &ScanArgs<'_>, shape: &ScanShape, kind: Kind) -> Vec<Tensor> {
    let data = |t: &Tensor| t.to_kind(kind).contiguous();
    let weight = |t: &Tensor| t.to_kind(Kind::Float).contiguous();
    let bc = |t: &Tensor, variable: bool| if variable { data(t) } else { weight(t) };
    vec![
        data(args.u),
        data(args.delta),
        weight(args.a),
        bc(args.b, shape.b.is_variable()),
        bc(args.c, shape.c.is_variable()),
        args.d.map(weight).unwrap_or_default(),
        args.z.map(data).unwrap_or_default(),
        args.delta_bias.map(weight).unwrap_or_default(),
        args.h0.map(weight).unwrap_or_default(),
    ]
}

/// Runs the kernel `kernel` through the autograd function. Inputs are first cast (with
/// autograd) to the dtypes the kernel takes: `kind` for u, Δ, z and variable B/C, f32 for the
/// weights; y is cast back to u's dtype.
pub(crate) fn apply(args: &ScanArgs<'_>, shape: &ScanShape, softplus: bool, kernel: KernelId, kind: Kind) -> Result<(Tensor, Tensor)> {
    let out_kind = args.u.kind();
    let mut owned = kernel_inputs(args, shape, kind);
    let ptrs: Vec<*mut C_tensor> = owned.iter_mut().map(|t| t.as_mut_ptr()).collect();
    let flags = (if softplus { FLAG_SOFTPLUS } else { 0 }) | ((kernel as i64) << KERNEL_SHIFT);
    let mut y: *mut C_tensor = std::ptr::null_mut();
    let mut last: *mut C_tensor = std::ptr::null_mut();
    let mut err = vec![0 as c_char; 4096];
    // SAFETY: the handles point to live tensors (`owned`); the callbacks match the C typedefs.
    let rc = unsafe {
        ssm_scan_autograd_apply(
            flags,
            forward_cb as *mut c_void,
            backward_cb as *mut c_void,
            ptrs.as_ptr(),
            &mut y,
            &mut last,
            err.as_mut_ptr(),
            err.len(),
        )
    };
    drop(owned);
    if rc != 0 {
        // SAFETY: the C side wrote a NUL-terminated message.
        let msg = unsafe { CStr::from_ptr(err.as_ptr()) }.to_string_lossy().into_owned();
        return Err(unwrap_bridge_error(msg));
    }
    // SAFETY: both are heap tensors handed over by the C side.
    let (y, last) = unsafe { (Tensor::from_ptr(y), Tensor::from_ptr(last)) };
    let y = if y.kind() != out_kind { y.to_kind(out_kind) } else { y };
    Ok((y, last))
}

/// Errors raised in a callback come back as text; keep the original message readable.
fn unwrap_bridge_error(msg: String) -> ScanError {
    ScanError::Bridge(msg)
}

/// Wraps the incoming handles; undefined tensors become `None`.
unsafe fn wrap(ptrs: *const *mut C_tensor, n: usize) -> Vec<Option<Tensor>> {
    (0..n)
        .map(|i| {
            let t = Tensor::clone_from_ptr(*ptrs.add(i));
            t.defined().then_some(t)
        })
        .collect()
}

fn hand_over(t: Tensor) -> *mut C_tensor {
    let mut t = t;
    let p = t.as_mut_ptr();
    std::mem::forget(t);
    p
}

fn write_err(err: *mut c_char, errlen: usize, msg: &str) {
    if errlen == 0 || err.is_null() {
        return;
    }
    let bytes = msg.as_bytes();
    let n = bytes.len().min(errlen - 1);
    // SAFETY: the buffer has errlen bytes.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr() as *const c_char, err, n);
        *err.add(n) = 0;
    }
}

fn panic_text(p: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic in the scan kernel".to_string()
    }
}

fn shape_of(t: &[Option<Tensor>]) -> Result<ScanShape> {
    let args = ScanArgs {
        u: t[0].as_ref().ok_or_else(|| ScanError::Bridge("u is undefined".into()))?,
        delta: t[1].as_ref().ok_or_else(|| ScanError::Bridge("delta is undefined".into()))?,
        a: t[2].as_ref().ok_or_else(|| ScanError::Bridge("A is undefined".into()))?,
        b: t[3].as_ref().ok_or_else(|| ScanError::Bridge("B is undefined".into()))?,
        c: t[4].as_ref().ok_or_else(|| ScanError::Bridge("C is undefined".into()))?,
        d: t[5].as_ref(),
        z: t[6].as_ref(),
        delta_bias: t[7].as_ref(),
        h0: t[8].as_ref(),
    };
    validate(&args)
}

fn kernel_of(flags: i64) -> Result<KernelId> {
    match (flags & KERNEL_MASK) >> KERNEL_SHIFT {
        1 => Ok(KernelId::Cpu),
        2 => Ok(KernelId::Cuda),
        k => Err(ScanError::Bridge(format!("unknown kernel id {k}"))),
    }
}

fn forward_impl(flags: i64, inputs: *const *mut C_tensor, outputs: *mut *mut C_tensor) -> Result<()> {
    // SAFETY: the C side passes 9 live handles.
    let t = unsafe { wrap(inputs, 9) };
    let shape = shape_of(&t)?;
    let t: [Option<Tensor>; 9] = t.try_into().map_err(|_| ScanError::Bridge("expected 9 inputs".into()))?;
    let softplus = flags & FLAG_SOFTPLUS != 0;
    let (y, last, stored) = match kernel_of(flags)? {
        KernelId::Cpu => crate::cpu::forward_tensors(&t, &shape, softplus)?,
        KernelId::Cuda => crate::cuda::forward_tensors(&t, &shape, softplus, true)?,
    };
    // SAFETY: three output slots.
    unsafe {
        *outputs.add(0) = hand_over(y);
        *outputs.add(1) = hand_over(last);
        *outputs.add(2) = hand_over(stored);
    }
    Ok(())
}

fn backward_impl(flags: i64, saved: *const *mut C_tensor, grads: *const *mut C_tensor, outputs: *mut *mut C_tensor) -> Result<()> {
    // SAFETY: 10 saved handles and 2 gradient handles.
    let mut s = unsafe { wrap(saved, 10) };
    let g = unsafe { wrap(grads, 2) };
    let stored = s.pop().flatten().ok_or_else(|| ScanError::Bridge("stored states are missing".into()))?;
    let shape = shape_of(&s)?;
    let s: [Option<Tensor>; 9] = s.try_into().map_err(|_| ScanError::Bridge("expected 9 saved inputs".into()))?;
    let softplus = flags & FLAG_SOFTPLUS != 0;
    let needs = (flags >> NEEDS_SHIFT) & 0x1ff;
    let out = match kernel_of(flags)? {
        KernelId::Cpu => crate::cpu::backward_tensors(&s, &stored, g[0].as_ref(), g[1].as_ref(), &shape, softplus)?,
        KernelId::Cuda => {
            let runner = crate::cuda::Runner::of_inputs(&s)?;
            crate::cuda::backward_tensors(runner, &s, &stored, g[0].as_ref(), g[1].as_ref(), &shape, softplus, needs as u32)?
        }
    };
    for (i, o) in out.into_iter().enumerate() {
        // Gradients autograd did not ask for are dropped (returned undefined).
        let o = if needs & (1 << i) != 0 { o } else { None };
        // SAFETY: nine output slots.
        unsafe { *outputs.add(i) = o.map(hand_over).unwrap_or(std::ptr::null_mut()) };
    }
    Ok(())
}

extern "C" fn forward_cb(flags: i64, inputs: *const *mut C_tensor, outputs: *mut *mut C_tensor, err: *mut c_char, errlen: usize) -> c_int {
    match catch_unwind(AssertUnwindSafe(|| forward_impl(flags, inputs, outputs))) {
        Ok(Ok(())) => 0,
        Ok(Err(e)) => {
            write_err(err, errlen, &e.to_string());
            1
        }
        Err(p) => {
            write_err(err, errlen, &panic_text(p));
            1
        }
    }
}

extern "C" fn backward_cb(
    flags: i64,
    saved: *const *mut C_tensor,
    grads: *const *mut C_tensor,
    outputs: *mut *mut C_tensor,
    err: *mut c_char,
    errlen: usize,
) -> c_int {
    match catch_unwind(AssertUnwindSafe(|| backward_impl(flags, saved, grads, outputs))) {
        Ok(Ok(())) => 0,
        Ok(Err(e)) => {
            write_err(err, errlen, &e.to_string());
            1
        }
        Err(p) => {
            write_err(err, errlen, &panic_text(p));
            1
        }
    }
}
