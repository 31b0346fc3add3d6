//! The f32 layers' kernels against the f64 reference kernels of `ssm-s4` for the same
//! parameters.

mod common;

use common::{complexes, options, reals, rel_err, row, set};
use ssm_hippo::Discretization;
use ssm_s4::{DiagKernel, DplrKernel, DssKernel};
use ssm_s4_layers::{DssLayer, S4Layer, S4dLayer, SsmCore};
use tch::{nn, Device, Kind, Tensor};

const H: i64 = 4;

#[test]
fn s4d_zoh_kernel_matches_the_reference_for_every_init() {
    for (init, prec, tol) in [
        ("lin", "double", 1e-6),
        ("inv", "double", 1e-6),
        ("real", "double", 1e-6),
        ("legs", "double", 1e-6),
        ("lin", "single", 1e-4),
    ] {
        tch::manual_seed(1);
        let vs = nn::VarStore::new(Device::Cpu);
        let opts = options(&format!("{{d_state: 32, init: {init}, kernel_precision: {prec}}}"));
        let layer = S4dLayer::new(&vs.root(), H, &opts).unwrap();
        let core = &layer.core;
        // A random B instead of the constant 1, so that B takes part.
        set(&core.b, &Tensor::randn(core.b.size(), (Kind::Float, Device::Cpu)));
        for l in [255i64, 256] {
            let k = reals(&core.kernel(l));
            let (lam, b, c, dt) = (complexes(&core.lambda()), complexes(&core.b_c().0), complexes(&core.b_c().1), reals(&core.dt()));
            let m = 16;
            assert_eq!(dt.len(), H as usize);
            for (h, &dt_h) in dt.iter().enumerate() {
                let refk = DiagKernel::new(row(&lam, h, m), row(&b, h, m), row(&c, h, m), dt_h, Discretization::Zoh, true)
                    .unwrap()
                    .kernel(l as usize)
                    .unwrap();
                let err = rel_err(&row(&k, h, l as usize), &refk);
                eprintln!("s4d {init}/{prec} L={l} channel {h}: {err:.2e}");
                assert!(err < tol, "{init}/{prec} L={l} channel {h}: relative error {err:.2e}");
            }
        }
    }
}

#[test]
fn dss_kernel_matches_the_reference() {
    for init in ["legs", "lin", "inv"] {
        tch::manual_seed(2);
        let vs = nn::VarStore::new(Device::Cpu);
        let layer = DssLayer::new(&vs.root(), H, &options(&format!("{{d_state: 32, init: {init}}}"))).unwrap();
        let core = &layer.core;
        for l in [100i64, 256] {
            let k = reals(&core.kernel(l));
            let (lam, w, dt) = (complexes(&core.lambda()), complexes(&core.w_complex()), reals(&core.dt()));
            assert_eq!(dt.len(), H as usize);
            for (h, &dt_h) in dt.iter().enumerate() {
                let refk = DssKernel::new(row(&lam, h, 16), row(&w, h, 16), dt_h, true).unwrap().kernel(l as usize).unwrap();
                let err = rel_err(&row(&k, h, l as usize), &refk);
                eprintln!("dss {init} L={l} channel {h}: {err:.2e}");
                assert!(err < 1e-6, "{init} L={l} channel {h}: relative error {err:.2e}");
            }
        }
    }
}

fn s4_reference(core: &ssm_s4_layers::S4, h: usize, m: usize) -> DplrKernel {
    let (p, b, c) = core.p_b_c();
    let (lam, p, b, c, dt) = (complexes(&core.lambda()), complexes(&p), complexes(&b), complexes(&c), reals(&core.dt()));
    DplrKernel::new(row(&lam, h, m), vec![row(&p, h, m)], row(&b, h, m), row(&c, h, m), dt[h]).unwrap()
}

#[test]
fn s4_dplr_rank1_legs_kernel_matches_the_reference() {
    for (prec, tol) in [("double", 1e-6), ("single", 1e-3)] {
        tch::manual_seed(3);
        let vs = nn::VarStore::new(Device::Cpu);
        let layer = S4Layer::new(&vs.root(), H, &options(&format!("{{d_state: 64, kernel_precision: {prec}}}"))).unwrap();
        let core = &layer.core;
        for l in [63i64, 64, 256, 1000] {
            let k = reals(&core.kernel(l));
            for h in 0..H as usize {
                let refk = s4_reference(core, h, 32).kernel(l as usize).unwrap();
                let err = rel_err(&row(&k, h, l as usize), &refk);
                eprintln!("s4 {prec} L={l} channel {h}: {err:.2e}");
                assert!(err < tol, "{prec} L={l} channel {h}: relative error {err:.2e}");
            }
        }
    }
}

#[test]
fn bidirectional_kernels_have_two_copies_with_the_same_dynamics() {
    tch::manual_seed(4);
    let vs = nn::VarStore::new(Device::Cpu);
    let layer = S4Layer::new(&vs.root(), H, &options("{d_state: 16, bidirectional: true}")).unwrap();
    let k = layer.core.kernel(40);
    assert_eq!(k.size(), [2, H, 40]);
    // The second copy is the kernel of the same (Λ, P, B, Δ) with the second C.
    let (p, b, c) = layer.core.p_b_c();
    let k1 = ssm_s4_layers::kernel_graph::dplr_kernel(&layer.core.lambda(), &p, &b, &c.narrow(0, 1, 1), &layer.core.dt(), 40);
    assert!(common::rel_err_t(&k.get(1), &k1.get(0).to_kind(Kind::Float)) < 1e-6);
}
