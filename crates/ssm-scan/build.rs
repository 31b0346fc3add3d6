//! Links libtorch (keeping `libtorch_cuda` against `--as-needed`) and compiles the C++ autograd
//! bridge (`src/bridge/autograd.cpp`) against the headers of the same libtorch.

use std::path::PathBuf;

fn main() {
    ssm_build::link_libtorch();
    println!("cargo:rerun-if-changed=src/bridge/autograd.cpp");
    let lib = ssm_build::libtorch_lib_dir()
        .expect("DEP_TCH_LIBTORCH_LIB is not set: torch-sys must be a direct dependency");
    let root: PathBuf = lib.join("..");
    let mut build = cc::Build::new();
    build
        .cpp(true)
        .file("src/bridge/autograd.cpp")
        .include(root.join("include"))
        .include(root.join("include/torch/csrc/api/include"))
        .flag("-std=c++17")
        .flag("-D_GLIBCXX_USE_CXX11_ABI=1")
        .flag_if_supported("-Wno-unused-parameter")
        .flag_if_supported("-Wno-deprecated-declarations")
        .warnings(false)
        .opt_level(2);
    build.compile("ssm_scan_bridge");
    println!("cargo:rustc-link-lib=dylib=torch_cpu");
    println!("cargo:rustc-link-lib=dylib=c10");
    println!("cargo:rustc-link-search=native={}", lib.display());
}
