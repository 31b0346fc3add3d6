//! The tiled CUDA kernels run on the CPU, for testing where no GPU is: `selective_scan.cu` is
//! compiled by the host C++ compiler (`$CXX`, else `c++`) with `host_emulation.h` in front and
//! the very `-D` definitions NVRTC would get, into a shared library cached like the PTX (see
//! [`super::nvrtc_cache`]), and launched with the same grid, block and argument list as on a
//! GPU, on CPU tensors. A block's threads are OS threads meeting at `__syncthreads`, so this
//! checks the kernels' indexing, staging and barriers, not their speed or the device.
//!
//! Only the tiled kernels (variable B/C, N <= 16, see [`super::launch::tile_forward`]) are
//! emulated: the row kernels rely on warp-synchronous execution.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use tch::{Device, Kind, Tensor};

use super::launch::{self, Arg, FwdVariant};
use super::nvrtc_cache::{cache_dir, fnv1a, SOURCE};
use super::Runner;
use crate::error::{Result, ScanError};
use crate::shapes::validate;
use crate::ScanArgs;

/// The emulation prelude, kept beside the kernel source.
pub const HOST_HEADER: &str = include_str!("host_emulation.h");

type Entry = unsafe extern "C" fn(i32, i32, i32, *const u64, i32, *const i32, i32) -> i32;

/// The results of one emulated forward and backward.
pub struct Emulated {
    /// The gated output y (in the input dtype) and the last state (f32).
    pub y: Tensor,
    pub last_state: Tensor,
    /// Gradients of sum(y·dy) + sum(last_state·dlast) in the order u, delta, A, B, C, D, z,
    /// delta_bias, h0 (`None` for absent inputs).
    pub grads: [Option<Tensor>; 9],
}

/// Runs the tiled forward (with layout `variant`) and backward kernels in the host emulation on
/// CPU tensors, `kind` (f32 or bf16) being the dtype of u, Δ, z, B and C as the kernels take them.
pub fn run(args: &ScanArgs<'_>, softplus: bool, kind: Kind, variant: FwdVariant, dy: &Tensor, dlast: &Tensor) -> Result<Emulated> {
    let shape = validate(args)?;
    if args.u.device() != Device::Cpu {
        return Err(ScanError::shape("u", "the host emulation takes CPU tensors"));
    }
    if !launch::tile_forward(&shape) {
        return Err(ScanError::shape("B", "the host emulation runs the tiled kernels only (variable B/C, N <= 16, 32 channels per B/C group)"));
    }
    if kind != Kind::Float && kind != Kind::BFloat16 {
        return Err(ScanError::shape("u", format!("the kernels take f32 or bf16, not {kind:?}")));
    }
    let owned = crate::bridge::kernel_inputs(args, &shape, kind);
    let inputs: [Option<Tensor>; 9] = std::array::from_fn(|i| owned[i].defined().then(|| owned[i].shallow_clone()));
    let (y, last_state, ckpt) = super::forward_on(Runner::Emulated, variant, &inputs, &shape, softplus, true)?;
    let grads = super::backward_tensors(Runner::Emulated, &inputs, &ckpt, Some(dy), Some(dlast), &shape, softplus, 0x1ff)?;
    Ok(Emulated { y, last_state, grads })
}

/// Launches the configuration's kernel in the host emulation.
pub(crate) fn launch(defines: &[(String, i64)], grid: u32, block: u32, smem: u32, args: &[Arg]) -> Result<()> {
    let entry = library(defines)?;
    let ptrs: Vec<u64> = args.iter().filter_map(|a| if let Arg::Ptr(p) = a { Some(*p) } else { None }).collect();
    let ints: Vec<i32> = args.iter().filter_map(|a| if let Arg::I32(i) = a { Some(*i) } else { None }).collect();
    // SAFETY: the pointers are those of live CPU tensors sized as for the GPU launch; the entry
    // checks the argument counts against the kernel signature.
    let rc = unsafe { entry(grid as i32, block as i32, smem as i32, ptrs.as_ptr(), ptrs.len() as i32, ints.as_ptr(), ints.len() as i32) };
    if rc != 0 {
        return Err(ScanError::Emulation(format!("{} pointer and {} integer arguments do not match the kernel", ptrs.len(), ints.len())));
    }
    Ok(())
}

/// The entry point of the emulation library for `defines`, compiled once per process and cached
/// on disk by a hash of the sources and definitions.
fn library(defines: &[(String, i64)]) -> Result<Entry> {
    static LIBS: OnceLock<Mutex<HashMap<u64, Entry>>> = OnceLock::new();
    let flags: Vec<String> = defines.iter().map(|(k, v)| format!("-D{k}={v}")).collect();
    let key = fnv1a(&[SOURCE.as_bytes(), HOST_HEADER.as_bytes(), flags.join(" ").as_bytes(), b"host"]);
    let mut libs = LIBS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(e) = libs.get(&key) {
        return Ok(*e);
    }
    // The cache folder, or the temporary folder where that cannot be created (a read-only home).
    let mut dir = cache_dir().join("host");
    if std::fs::create_dir_all(&dir).is_err() {
        dir = std::env::temp_dir().join("ssm-lab-host-emulation");
    }
    let so = dir.join(format!("selective_scan-{key:016x}.so"));
    if !so.exists() {
        compile(&dir, key, &flags, &so)?;
    }
    // SAFETY: a library this module compiled from the kernel source; it runs no code on load.
    let lib = unsafe { libloading::Library::new(&so) }.map_err(|e| ScanError::Emulation(format!("loading {}: {e}", so.display())))?;
    // SAFETY: the symbol is defined by SSM_SCAN_HOST_ENTRY with this signature.
    let entry: Entry = unsafe { *lib.get::<Entry>(b"ssm_scan_host_launch\0").map_err(|e| ScanError::Emulation(format!("{e}")))? };
    std::mem::forget(lib); // kept loaded for the process: `entry` points into it
    libs.insert(key, entry);
    Ok(entry)
}

fn compile(dir: &Path, key: u64, flags: &[String], so: &Path) -> Result<()> {
    let work: PathBuf = dir.join(format!(".build-{key:016x}-{}", std::process::id()));
    let io = |e: std::io::Error| ScanError::Emulation(format!("build folder {}: {e}", work.display()));
    std::fs::create_dir_all(&work).map_err(io)?;
    std::fs::write(work.join("selective_scan.cu"), SOURCE).map_err(io)?;
    std::fs::write(work.join("host_emulation.h"), HOST_HEADER).map_err(io)?;
    std::fs::write(work.join("entry.cpp"), "#include \"host_emulation.h\"\n#include \"selective_scan.cu\"\nSSM_SCAN_HOST_ENTRY\n").map_err(io)?;
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".into());
    let tmp = work.join("lib.so");
    let out = Command::new(&cxx)
        .args(["-std=c++20", "-O1", "-shared", "-fPIC", "-pthread", "-fno-strict-aliasing", "-Wno-unknown-pragmas"])
        .args(flags)
        .arg("-o")
        .arg(&tmp)
        .arg(work.join("entry.cpp"))
        .output()
        .map_err(|e| ScanError::Unavailable { backend: "host emulation", reason: format!("running the C++ compiler `{cxx}` (set CXX): {e}") })?;
    if !out.status.success() {
        let _ = std::fs::remove_dir_all(&work);
        return Err(ScanError::Emulation(format!("`{cxx}` failed on the kernel source:\n{}", String::from_utf8_lossy(&out.stderr))));
    }
    // Renamed into place whole, so that a concurrent process never loads a partial library.
    let moved = std::fs::rename(&tmp, so).map_err(io);
    let _ = std::fs::remove_dir_all(&work);
    moved
}
