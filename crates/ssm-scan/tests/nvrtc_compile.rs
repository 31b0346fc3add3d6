//! Every kernel configuration compiles with NVRTC (no GPU needed, only the NVRTC library; the
//! test is skipped with a note when that is absent), and no register array spills to local
//! memory through run-time indexing (no `.local` arrays in the PTX).
use ssm_scan::{BcLayout, ScanShape};

#[test]
fn all_configurations_compile_without_local_arrays() {
    if !ssm_scan::cuda::nvrtc_cache::nvrtc_present() {
        eprintln!("note: NVRTC not found; kernel compilation test skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("SSM_SCAN_NVRTC_CACHE", dir.path());
    let mut checked = 0;
    for &n in &[1usize, 4, 16, 64, 256] {
        for &(bl, cl) in &[
            (BcLayout::Variable { groups: 1 }, BcLayout::Variable { groups: 2 }),
            (BcLayout::Variable { groups: 1 }, BcLayout::Variable { groups: 1 }),
            (BcLayout::Constant, BcLayout::Constant),
            (BcLayout::Variable { groups: 1 }, BcLayout::Constant),
        ] {
            for &bf16 in &[false, true] {
                for &(len, flags) in &[(4096usize, true), (4099, false)] {
                    let shape = ScanShape {
                        batch: 2,
                        dim: 4,
                        len,
                        nstate: n,
                        b: bl,
                        c: cl,
                        has_d: flags,
                        has_z: flags,
                        has_bias: flags,
                        has_h0: flags,
                    };
                    for &bwd in &[false, true] {
                        let ptx = ssm_scan::cuda::ptx_for_shape(&shape, bf16, flags, bwd, (9, 0))
                            .unwrap_or_else(|e| panic!("N={n} {bl:?}/{cl:?} bf16={bf16} bwd={bwd}: {e}"));
                        assert!(ptx.contains(".entry"), "no entry point");
                        assert!(!ptx.contains(".local"), "N={n} bf16={bf16} bwd={bwd} {bl:?}/{cl:?}: local memory in PTX");
                        checked += 1;
                    }
                }
            }
        }
    }
    // The tiled forward's variants (channels per thread, bf16 B/C staging, shuffled partial sums,
    // u and z in registers), selected through the environment for measuring: each compiles without local arrays. (One test function, so no
    // other test of this binary reads the variables meanwhile.)
    let variants = [("1", "0", "0"), ("2", "0", "0"), ("2", "1", "0"), ("1", "1", "0"), ("1", "1", "1"), ("2", "0", "1"), ("1", "0", "1")];
    for (i, (rpt, bc16, yred)) in variants.into_iter().enumerate() {
        // Every other configuration with the epilogue's u and z in registers.
        let epi = if i % 2 == 1 { "1" } else { "0" };
        std::env::set_var("SSM_SCAN_FWD_EPI_REGS", epi);
        std::env::set_var("SSM_SCAN_FWD_RPT", rpt);
        std::env::set_var("SSM_SCAN_FWD_BC16", bc16);
        std::env::set_var("SSM_SCAN_FWD_YRED", yred);
        // C staged as f32 beside 16-bit B, in the configurations with BC16 and u, z in registers.
        std::env::set_var("SSM_SCAN_FWD_C32", if bc16 == "1" && epi == "1" { "1" } else { "0" });
        // The state update as one FFMA on h's chain, in every third configuration.
        std::env::set_var("SSM_SCAN_FWD_FMA_H", if i % 3 == 0 { "1" } else { "0" });
        // y on the tensor cores in every other configuration (it applies to bf16 at RPT = 1).
        std::env::set_var("SSM_SCAN_FWD_MMA_Y", if i % 2 == 0 { "1" } else { "0" });
        // The decays computed ahead in the MMA_Y loop, one or two groups.
        std::env::set_var("SSM_SCAN_FWD_AHEAD", ["0", "1", "2"][i % 3]);
        // Two states per thread (with MMA_Y) in every fourth configuration.
        std::env::set_var("SSM_SCAN_FWD_SPT", if i % 4 == 0 { "2" } else { "4" });
        for &n in &[4usize, 16] {
            for &bf16 in &[false, true] {
                let shape = ScanShape { has_h0: n == 4, ..ScanShape::mamba(2, 64, 4096, n) };
                assert!(ssm_scan::cuda::launch::tile_forward(&shape));
                let ptx = ssm_scan::cuda::ptx_for_shape(&shape, bf16, true, false, (9, 0))
                    .unwrap_or_else(|e| panic!("tiled forward RPT={rpt} BC16={bc16} YRED={yred} EPI_REGS={epi} N={n} bf16={bf16}: {e}"));
                assert!(!ptx.contains(".local"), "RPT={rpt} BC16={bc16} YRED={yred} EPI_REGS={epi} N={n} bf16={bf16}: local memory in PTX");
                checked += 1;
            }
        }
    }
    std::env::remove_var("SSM_SCAN_FWD_RPT");
    std::env::remove_var("SSM_SCAN_FWD_BC16");
    std::env::remove_var("SSM_SCAN_FWD_YRED");
    std::env::remove_var("SSM_SCAN_FWD_EPI_REGS");
    std::env::remove_var("SSM_SCAN_FWD_C32");
    std::env::remove_var("SSM_SCAN_FWD_FMA_H");
    std::env::remove_var("SSM_SCAN_FWD_MMA_Y");
    std::env::remove_var("SSM_SCAN_FWD_AHEAD");
    std::env::remove_var("SSM_SCAN_FWD_SPT");
    // The on-disk cache holds the compiled modules.
    let files = std::fs::read_dir(dir.path()).unwrap().count();
    assert!(files > 0 && checked > 0);
}
