//! User errors come back as `ScanError`s naming the argument; nothing panics; no fallback.
use ssm_scan::{selective_scan, Backend, ScanArgs, ScanDtype, ScanError};
use tch::{Device, Kind, Tensor};

fn t(shape: &[i64]) -> Tensor {
    Tensor::rand(shape, (Kind::Float, Device::Cpu)) + 0.1
}

#[test]
fn backend_and_dtype_parse() {
    assert_eq!("auto".parse::<Backend>().unwrap(), Backend::Auto);
    assert_eq!("CUDA".parse::<Backend>().unwrap(), Backend::Cuda);
    assert_eq!("cpu".parse::<Backend>().unwrap(), Backend::Cpu);
    assert_eq!("reference".parse::<Backend>().unwrap(), Backend::Reference);
    let e = "tpu".parse::<Backend>().unwrap_err();
    assert!(e.to_string().contains("auto, cuda, cpu, reference"), "{e}");
    assert_eq!("bf16".parse::<ScanDtype>().unwrap(), ScanDtype::Bf16);
    assert_eq!("f32".parse::<ScanDtype>().unwrap(), ScanDtype::F32);
    assert!("f16".parse::<ScanDtype>().is_err());
}

#[test]
fn shape_errors_name_the_argument() {
    let (u, a) = (t(&[2, 4, 10]), t(&[4, 3]));
    let good = t(&[2, 3, 10]);
    // B with a wrong length.
    let bad = t(&[2, 3, 11]);
    for backend in [Backend::Cpu, Backend::Reference, Backend::Auto] {
        let e = selective_scan(&ScanArgs::new(&u, &u, &a, &bad, &good), true, backend).unwrap_err();
        let s = e.to_string();
        assert!(s.starts_with("B: expected (batch, N, L) = [2, 3, 10] or (batch, G, N, L)"), "{s}");
        assert!(s.contains("got [2, 3, 11]"), "{s}");
    }
    // Groups that do not divide D.
    let g3 = t(&[2, 3, 3, 10]);
    let e = selective_scan(&ScanArgs::new(&u, &u, &a, &good, &g3), true, Backend::Cpu).unwrap_err();
    assert!(e.to_string().starts_with("C: "), "{e}");
    // delta, A, D, z, delta_bias, h0.
    let e = selective_scan(&ScanArgs::new(&u, &t(&[2, 4, 9]), &a, &good, &good), true, Backend::Cpu).unwrap_err();
    assert!(e.to_string().starts_with("delta: expected (batch, D, L)"), "{e}");
    let e = selective_scan(&ScanArgs::new(&u, &u, &t(&[5, 3]), &good, &good), true, Backend::Cpu).unwrap_err();
    assert!(e.to_string().starts_with("A: "), "{e}");
    let d = t(&[5]);
    let e = selective_scan(&ScanArgs::new(&u, &u, &a, &good, &good).with_d(Some(&d)), true, Backend::Cpu).unwrap_err();
    assert!(e.to_string().starts_with("D: "), "{e}");
    let h0 = t(&[2, 4, 4]);
    let e = selective_scan(&ScanArgs::new(&u, &u, &a, &good, &good).with_h0(Some(&h0)), true, Backend::Cpu).unwrap_err();
    assert!(e.to_string().starts_with("h0: "), "{e}");
    let e = selective_scan(&ScanArgs::new(&t(&[2, 4]), &u, &a, &good, &good), true, Backend::Cpu).unwrap_err();
    assert!(matches!(e, ScanError::Shape { arg: "u", .. }), "{e}");
}

#[test]
fn dtype_and_device_errors() {
    let (u, a, bc) = (t(&[1, 2, 5]), t(&[2, 3]), t(&[1, 3, 5]));
    let u64 = u.to_kind(Kind::Double);
    let e = selective_scan(&ScanArgs::new(&u64, &u64, &a, &bc, &bc), true, Backend::Cpu).unwrap_err();
    assert!(e.to_string().starts_with("u: backend `cpu` takes float32 or bfloat16"), "{e}");
    // Mixed input dtypes.
    let db = u.to_kind(Kind::BFloat16);
    let e = selective_scan(&ScanArgs::new(&u, &db, &a, &bc, &bc), true, Backend::Cpu).unwrap_err();
    assert!(e.to_string().starts_with("delta: expected Float"), "{e}");
    // Integer tensors.
    let ai = a.to_kind(Kind::Int64);
    let e = selective_scan(&ScanArgs::new(&u, &u, &ai, &bc, &bc), true, Backend::Reference).unwrap_err();
    assert!(e.to_string().starts_with("A: expected a floating-point tensor"), "{e}");
    // The reference takes float64.
    let a64 = a.to_kind(Kind::Double);
    let bc64 = bc.to_kind(Kind::Double);
    let (y, h) = selective_scan(&ScanArgs::new(&u64, &u64, &a64, &bc64, &bc64), true, Backend::Reference).unwrap();
    assert_eq!(y.kind(), Kind::Double);
    assert_eq!(h.size(), vec![1, 2, 3]);
    // CPU backend on CUDA tensors / CUDA backend on CPU tensors: errors, no fallback.
    let e = selective_scan(&ScanArgs::new(&u, &u, &a, &bc, &bc), true, Backend::Cuda).unwrap_err();
    assert!(matches!(e, ScanError::Device { arg: "u", .. }), "{e}");
}

#[test]
fn cuda_availability_reports_a_reason() {
    match ssm_scan::cuda::availability() {
        Ok(()) => eprintln!("CUDA backend available"),
        Err(why) => {
            assert!(!why.is_empty());
            eprintln!("CUDA backend unavailable: {why}");
        }
    }
}
