//! Build-script helpers shared by every crate that links libtorch into a binary or a test.
//!
//! Call [`link_libtorch`] from the `build.rs` of any crate that depends on `tch`. The crate must
//! also depend on `torch-sys` directly, so that cargo hands its build script the
//! `DEP_TCH_LIBTORCH_LIB` variable (torch-sys declares `links = "tch"`).

use std::path::{Path, PathBuf};

/// The folder holding `libtorch*.so`, as reported by torch-sys.
pub fn libtorch_lib_dir() -> Option<PathBuf> {
    std::env::var_os("DEP_TCH_LIBTORCH_LIB").map(PathBuf::from)
}

/// Emits the linker arguments every libtorch binary of this workspace needs:
///
/// * `--no-as-needed -ltorch_cuda`: without it the linker drops `libtorch_cuda.so` (no symbol of
///   it is referenced directly) and `tch::Cuda::is_available()` is false on a GPU machine;
/// * an rpath to libtorch's folder, so binaries and tests run without `LD_LIBRARY_PATH`
///   (it is a RUNPATH, so `LD_LIBRARY_PATH` still takes precedence on another machine).
pub fn link_libtorch() {
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    let Some(lib) = libtorch_lib_dir() else {
        println!("cargo:warning=DEP_TCH_LIBTORCH_LIB is not set: add torch-sys as a direct dependency");
        return;
    };
    if has_lib(&lib, "libtorch_cuda.so") {
        println!("cargo:rustc-link-arg=-Wl,--no-as-needed");
        println!("cargo:rustc-link-arg=-L{}", lib.display());
        println!("cargo:rustc-link-arg=-ltorch_cuda");
        println!("cargo:rustc-link-arg=-Wl,--as-needed");
    }
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
}

fn has_lib(dir: &Path, name: &str) -> bool {
    dir.join(name).exists()
}
