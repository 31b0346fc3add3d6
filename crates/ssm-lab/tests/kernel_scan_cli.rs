//! `ssm-lab kernel` and `ssm-lab scan`: the f64 kernel paths agree, and the conformance command
//! gives the same outputs and gradients on the CPU kernel as on the reference.

mod common;
use common::*;
use tch::{Device, Kind, Tensor};

fn kernel(args: &[&str]) -> Vec<f64> {
    let mut all = vec!["kernel"];
    all.extend_from_slice(args);
    let o = run(&all);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["kernel"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

#[test]
fn s4_and_dense_kernels_match_for_every_measure() {
    for measure in ["legs", "legt", "fout"] {
        let base = ["--measure", measure, "--n", "16", "--l", "64", "--dt", "0.05"];
        let dense = kernel(&[&["--model", "dense"][..], &base[..]].concat());
        let s4 = kernel(&[&["--model", "s4"][..], &base[..]].concat());
        assert_eq!(dense.len(), 64);
        let err: f64 = dense.iter().zip(&s4).map(|(a, b)| (a - b).powi(2)).sum::<f64>().sqrt();
        let norm: f64 = dense.iter().map(|a| a * a).sum::<f64>().sqrt();
        assert!(err / norm < 1e-9, "{measure}: relative error {}", err / norm);
    }
    let s4d = kernel(&["--model", "s4d", "--init", "lin", "--n", "8", "--l", "16", "--dt", "0.1"]);
    assert_eq!(s4d.len(), 16);
    let o = run(&["kernel", "--model", "s4d", "--n", "8", "--l", "16", "--dt", "-1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--dt"), "{}", stderr(&o));
}

#[test]
fn scan_conformance_cpu_matches_reference_with_gradients() {
    let dir = tempfile::tempdir().unwrap();
    tch::manual_seed(3);
    let (b, d, n, l) = (2, 4, 3, 17);
    let f = |shape: &[i64]| Tensor::randn(shape, (Kind::Float, Device::Cpu));
    let inputs = [
        ("u", f(&[b, d, l])),
        ("delta", f(&[b, d, l]) * 0.5),
        ("A", -(f(&[d, n]).exp())),
        ("B", f(&[b, n, l])),
        ("C", f(&[b, n, l])),
        ("D", f(&[d])),
        ("z", f(&[b, d, l])),
        ("delta_bias", f(&[d]) * 0.1),
        ("dy", f(&[b, d, l])),
    ];
    let input = dir.path().join("in.safetensors");
    Tensor::write_safetensors(&inputs, &input).unwrap();
    let mut outs = Vec::new();
    for backend in ["reference", "cpu"] {
        let out = dir.path().join(format!("{backend}.safetensors"));
        let o = run(&["scan", "--backend", backend, "--input", input.to_str().unwrap(), "--output", out.to_str().unwrap(), "--delta-softplus"]);
        assert!(o.status.success(), "{backend}: {}", stderr(&o));
        let named: std::collections::HashMap<String, Tensor> = Tensor::read_safetensors(&out).unwrap().into_iter().collect();
        outs.push(named);
    }
    for key in ["y", "last_state", "du", "ddelta", "dA", "dB", "dC", "dD", "dz", "ddelta_bias"] {
        let (r, c) = (&outs[0][key], &outs[1][key]);
        let rel = ((r - c).norm().double_value(&[])) / (r.norm().double_value(&[]) + 1e-12);
        assert!(rel < 1e-4, "{key}: relative difference {rel}");
    }
    let o = run(&["scan", "--backend", "cpu", "--input", "missing.safetensors", "--output", "x.safetensors"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--input"), "{}", stderr(&o));
}
