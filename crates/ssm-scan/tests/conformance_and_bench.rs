//! The conformance driver round-trips through safetensors; the CPU benchmark produces rows.
use ssm_scan::{bench_scan, run_conformance, Backend, BenchOptions, ScanDtype};
use tch::{Device, Kind, Tensor};

#[test]
fn conformance_cpu_matches_reference_file() {
    tch::manual_seed(7);
    let dir = tempfile::tempdir().unwrap();
    let (b, d, l, n) = (2i64, 4i64, 50i64, 8i64);
    let f = (Kind::Float, Device::Cpu);
    let tensors = vec![
        ("u", Tensor::randn([b, d, l], f)),
        ("delta", Tensor::randn([b, d, l], f) * 0.5 - 2.0),
        ("A", -Tensor::rand([d, n], f) * 3.0 - 0.5),
        ("B", Tensor::randn([b, 2, n, l], f)),
        ("C", Tensor::randn([b, n, l], f)),
        ("D", Tensor::randn([d], f)),
        ("z", Tensor::randn([b, d, l], f)),
        ("h0", Tensor::randn([b, d, n], f)),
        ("dy", Tensor::randn([b, d, l], f)),
    ];
    let input = dir.path().join("in.safetensors");
    let refs: Vec<(&str, &Tensor)> = tensors.iter().map(|(k, v)| (*k, v)).collect();
    Tensor::write_safetensors(&refs, &input).unwrap();
    let out_cpu = dir.path().join("cpu.safetensors");
    let out_ref = dir.path().join("ref.safetensors");
    run_conformance(Backend::Cpu, &input, &out_cpu, true, ScanDtype::F32).unwrap();
    run_conformance(Backend::Reference, &input, &out_ref, true, ScanDtype::F32).unwrap();
    let a: std::collections::HashMap<String, Tensor> = Tensor::read_safetensors(&out_cpu).unwrap().into_iter().collect();
    let r: std::collections::HashMap<String, Tensor> = Tensor::read_safetensors(&out_ref).unwrap().into_iter().collect();
    for want in ["y", "last_state", "du", "ddelta", "dA", "dB", "dC", "dD", "dz", "dh0"] {
        assert!(r.contains_key(want), "missing {want}");
        let (x, y) = (&a[want], &r[want]);
        let err = (x - y).abs().max().double_value(&[]);
        let scale = y.abs().max().double_value(&[]).max(1.0);
        assert!(err <= 2e-3 * scale, "{want}: max err {err} (scale {scale})");
    }
    assert!(!r.contains_key("ddelta_bias"), "no delta_bias given, no gradient written");
    // Missing required input: an error naming it.
    let partial = dir.path().join("partial.safetensors");
    Tensor::write_safetensors(&refs[..3], &partial).unwrap();
    let e = run_conformance(Backend::Cpu, &partial, &out_cpu, true, ScanDtype::F32).unwrap_err();
    assert!(e.to_string().starts_with("B: missing"), "{e}");
}

#[test]
fn cpu_bench_produces_rows() {
    let opts = BenchOptions { batch: 1, dim: 4, lengths: vec![256], reps: 10, ..BenchOptions::cpu() };
    let rows = bench_scan(&opts).unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.fwd_ms > 0.0 && r.fwdbwd_ms.unwrap_or(0.0) > 0.0));
    let csv = ssm_scan::bench::to_csv(&rows);
    assert!(csv.starts_with(ssm_scan::BenchRow::CSV_HEADER));
}
