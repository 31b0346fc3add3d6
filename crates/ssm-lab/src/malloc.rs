//! Heap reuse for large CPU tensors.
//!
//! glibc's malloc serves every block above 32 MiB with a fresh `mmap` and returns it to the
//! kernel on `free`, so each large CPU tensor (an S4 Cauchy matrix at L = 16,384 is 0.5 GiB)
//! is page-faulted and zeroed again on every allocation: on the 2-core CI machine that was
//! half of an S4 layer's forward + backward time. With mmap off and trimming off, freed
//! blocks stay in the heap and are reused. `SSM_LAB_MALLOC=system` keeps glibc's defaults.

/// Applies the setting before any thread starts; a no-op outside glibc.
pub fn keep_freed_memory() {
    if std::env::var("SSM_LAB_MALLOC").is_ok_and(|v| v == "system") {
        return;
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; called once at start-up, before any
    // other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_MAX, 0);
        libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
    }
}
