//! Links libtorch and records build facts for run manifests: the git commit and torch's version.

use std::process::Command;

fn main() {
    ssm_build::link_libtorch();
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let commit = git(&["rev-parse", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    println!("cargo:rustc-env=SSM_LAB_GIT_COMMIT={commit}{}", if dirty { "-dirty" } else { "" });
    if let Some(top) = git(&["rev-parse", "--git-dir"]) {
        println!("cargo:rerun-if-changed={top}/logs/HEAD");
        println!("cargo:rerun-if-changed={top}/index");
    }
    let torch = ssm_build::libtorch_lib_dir()
        .and_then(|lib| std::fs::read_to_string(lib.join("../version.py")).ok())
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("__version__ = ").map(|v| v.trim_matches(['\'', '"']).to_string()))
        })
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=SSM_LAB_TORCH_VERSION={torch}");
}
