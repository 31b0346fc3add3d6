//! The CPU kernel's portable state loops (the path of CPUs without AVX2+FMA) against the
//! float64 reference, values and gradients. `SSM_SCAN_CPU_SIMD=0` selects them; it is read once
//! per process, hence this binary of one test.
mod common;

use common::{cases, compare};
use ssm_scan::Backend;
use tch::{Device, Kind};

#[test]
fn cpu_portable_loops_match_reference() {
    std::env::set_var("SSM_SCAN_CPU_SIMD", "0");
    assert!(!ssm_scan::cpu::uses_avx2(), "SSM_SCAN_CPU_SIMD=0 must select the portable loops");
    let mut failures = Vec::new();
    for case in cases().into_iter().filter(|c| c.len <= 128) {
        if let Err(e) = compare(&case, Backend::Cpu, Kind::Float, Device::Cpu, 6e-4, 2e-3, 5.0) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}
