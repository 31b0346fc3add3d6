//! `cli_kernel`, the entry of `ssm-lab kernel`: the dense and S4 models print the
//! same kernel; errors name the command-line option.

mod common;

use common::rel_err;
use ssm_hippo::{Discretization, Measure};
use ssm_s4::{cli_kernel, DiagInit, DiagKernel, DssKernel, KernelModel};

fn run(
    model: KernelModel,
    measure: Measure,
    n: usize,
    l: usize,
    dt: f64,
) -> ssm_s4::Result<Vec<f64>> {
    cli_kernel(model, measure, DiagInit::Lin, n, l, dt, None)
}

#[test]
fn dense_and_s4_print_the_same_kernel() {
    for measure in [
        Measure::LegS,
        Measure::legt(),
        Measure::FouT,
        Measure::lagt(),
    ] {
        for (n, l, dt) in [(8usize, 16usize, 0.1), (64, 1000, 0.01), (32, 3, 1.0)] {
            let d = run(KernelModel::Dense, measure, n, l, dt).unwrap();
            let s = run(KernelModel::S4, measure, n, l, dt).unwrap();
            assert_eq!(d.len(), l);
            assert!(rel_err(&s, &d) <= 1e-9, "{} N={n} L={l}", measure.name());
        }
    }
}

#[test]
fn s4d_and_dss_models() {
    for init in [DiagInit::Lin, DiagInit::Inv, DiagInit::Real, DiagInit::LegS] {
        let k = cli_kernel(KernelModel::S4d, Measure::LegS, init, 16, 100, 0.05, None).unwrap();
        let want = DiagKernel::from_init(init, 16, 0.05, Discretization::Zoh)
            .unwrap()
            .kernel(100)
            .unwrap();
        assert_eq!(k, want);
        let kb = cli_kernel(
            KernelModel::S4d,
            Measure::LegS,
            init,
            16,
            100,
            0.05,
            Some(Discretization::Bilinear),
        )
        .unwrap();
        assert!(rel_err(&kb, &k) > 1e-8, "bilinear must differ from ZOH");
        let kd = cli_kernel(KernelModel::Dss, Measure::LegS, init, 16, 100, 0.05, None).unwrap();
        let lam = init.lambda(16).unwrap();
        let ones = vec![num_complex::Complex64::new(1.0, 0.0); 8];
        let want = DssKernel::new(lam, ones, 0.05, true)
            .unwrap()
            .kernel(100)
            .unwrap();
        assert_eq!(kd, want);
    }
}

fn err_of(r: ssm_s4::Result<Vec<f64>>) -> String {
    r.unwrap_err().to_string()
}

#[test]
fn errors_name_the_option() {
    use KernelModel::*;
    assert!(err_of(run(S4, Measure::LegS, 7, 10, 0.1)).contains("--n"));
    assert!(err_of(run(S4d, Measure::LegS, 7, 10, 0.1)).contains("--n"));
    assert!(err_of(run(Dss, Measure::LegS, 9, 10, 0.1)).contains("--n"));
    assert!(err_of(run(Dense, Measure::FouT, 7, 10, 0.1)).contains("--n"));
    assert!(err_of(run(Dense, Measure::LegS, 0, 10, 0.1)).contains("--n"));
    assert!(err_of(run(S4, Measure::LegS, 8, 0, 0.1)).contains("--l"));
    assert!(err_of(run(Dense, Measure::LegS, 8, 0, 0.1)).contains("--l"));
    for dt in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(err_of(run(S4, Measure::LegS, 8, 10, dt)).contains("--dt"));
        assert!(err_of(run(Dense, Measure::LegS, 8, 10, dt)).contains("--dt"));
    }
    assert!(err_of(run(S4, Measure::Lmu, 8, 10, 0.1)).contains("--measure"));
    assert!(err_of(run(S4, Measure::glagt(), 8, 10, 0.1)).contains("--measure"));
    let glagt_bad = Measure::GLagT {
        alpha: -2.0,
        beta: 0.1,
    };
    assert!(err_of(run(Dense, glagt_bad, 8, 10, 0.1)).contains("--measure"));
    assert!(err_of(cli_kernel(
        S4,
        Measure::LegS,
        DiagInit::Lin,
        8,
        10,
        0.1,
        Some(Discretization::Zoh)
    ))
    .contains("--discretization"));
    assert!(err_of(cli_kernel(
        Dss,
        Measure::LegS,
        DiagInit::Lin,
        8,
        10,
        0.1,
        Some(Discretization::Bilinear)
    ))
    .contains("--discretization"));
    // Models without an NPLR requirement accept every measure and odd N (dense).
    assert!(run(Dense, Measure::Lmu, 7, 10, 0.1).is_ok());
    assert!(run(Dense, Measure::LegS, 7, 10, 0.1).is_ok());
}

#[test]
fn model_names_parse() {
    for m in [
        KernelModel::Dense,
        KernelModel::S4,
        KernelModel::S4d,
        KernelModel::Dss,
    ] {
        assert_eq!(m.name().parse::<KernelModel>().unwrap(), m);
    }
    assert_eq!("DPLR".parse::<KernelModel>().unwrap(), KernelModel::S4);
    let e = "s5".parse::<KernelModel>().unwrap_err().to_string();
    assert!(e.contains("--model"), "{e}");
}
