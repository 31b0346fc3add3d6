//! Run-time compilation of `selective_scan.cu` with NVRTC (through cudarc's dynamically loaded
//! NVRTC: nothing CUDA is needed at build time), cached on disk under
//! `$SSM_SCAN_NVRTC_CACHE`, else `$XDG_CACHE_HOME/ssm-lab/nvrtc`, else `~/.cache/ssm-lab/nvrtc`,
//! keyed by a hash of the source, the options and the target architecture.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use cudarc::nvrtc::{compile_ptx_with_opts, CompileOptions};

use crate::error::{Result, ScanError};

/// The kernel source, kept beside this file.
pub const SOURCE: &str = include_str!("selective_scan.cu");

/// FNV-1a, 64 bit: a stable hash for cache keys (stable across Rust releases, unlike SipHash keys).
pub fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in p.iter() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        // Separator so that ("ab","c") and ("a","bc") differ.
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The on-disk cache folder.
pub fn cache_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("SSM_SCAN_NVRTC_CACHE") {
        return PathBuf::from(p);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("ssm-lab").join("nvrtc")
}

/// Whether the NVRTC library can be loaded, asked once per process. cudarc's probe opens the
/// library and closes it again: asked on every call, a process whose kernels all came from the
/// disk cache (so that nothing else holds libnvrtc open) loaded and unloaded the whole library
/// on every scan, about 5 ms per call on the H100 machine.
pub fn nvrtc_present() -> bool {
    static PRESENT: OnceLock<bool> = OnceLock::new();
    // SAFETY: only tries to dlopen the library.
    *PRESENT.get_or_init(|| unsafe { cudarc::nvrtc::sys::is_culib_present() })
}

fn arch_name(major: i32, minor: i32) -> &'static str {
    static NAMES: OnceLock<Mutex<HashMap<(i32, i32), &'static str>>> = OnceLock::new();
    let mut m = NAMES.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    m.entry((major, minor)).or_insert_with(|| Box::leak(format!("sm_{major}{minor}").into_boxed_str()))
}

/// Compiles (or reads from the cache) the PTX for the given `-D` definitions and compute
/// capability. Returns the PTX text.
pub fn ptx_for(defines: &[(String, i64)], cc: (i32, i32)) -> Result<String> {
    static MEM: OnceLock<Mutex<HashMap<u64, String>>> = OnceLock::new();
    let arch = arch_name(cc.0, cc.1);
    let mut options: Vec<String> = defines.iter().map(|(k, v)| format!("-D{k}={v}")).collect();
    options.push("-std=c++17".to_string());
    let opt_text = options.join(" ");
    let key = fnv1a(&[SOURCE.as_bytes(), opt_text.as_bytes(), arch.as_bytes(), b"fast_math"]);
    let mem = MEM.get_or_init(Default::default);
    if let Some(p) = mem.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(p.clone());
    }
    let dir = cache_dir();
    let file = dir.join(format!("selective_scan-{key:016x}-{arch}.ptx"));
    if let Ok(text) = std::fs::read_to_string(&file) {
        if text.contains(".entry") {
            mem.lock().unwrap_or_else(|e| e.into_inner()).insert(key, text.clone());
            return Ok(text);
        }
    }
    if !nvrtc_present() {
        return Err(ScanError::Unavailable {
            backend: "cuda",
            reason: "the NVRTC library (libnvrtc.so) was not found on the loader path".into(),
        });
    }
    let opts = CompileOptions {
        arch: Some(arch),
        use_fast_math: Some(true),
        options,
        name: Some("selective_scan.cu".into()),
        ..Default::default()
    };
    let ptx = compile_ptx_with_opts(SOURCE, opts).map_err(|e| ScanError::Compile(format!("{e:?}")))?;
    let text = ptx.to_src();
    // Best effort: a read-only or missing cache folder only costs a recompilation next time.
    if std::fs::create_dir_all(&dir).is_ok() {
        let tmp = dir.join(format!(".tmp-{key:016x}-{}", std::process::id()));
        if std::fs::write(&tmp, &text).is_ok() {
            let _ = std::fs::rename(&tmp, &file);
        }
    }
    mem.lock().unwrap_or_else(|e| e.into_inner()).insert(key, text.clone());
    Ok(text)
}
