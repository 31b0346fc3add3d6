//! Conformance entry point (wired into the `ssm-lab scan` command): runs one backend on the
//! inputs of a safetensors file and writes the outputs (and, given `dy`, the gradients).

use std::collections::HashMap;
use std::path::Path;

use tch::{Device, Kind, Tensor};

use crate::backend::Resolved;
use crate::error::{Result, ScanError};
use crate::{selective_scan, Backend, ScanArgs, ScanDtype};

const OPTIONAL: [&str; 4] = ["D", "z", "delta_bias", "h0"];

/// Reads `u, delta, A, B, C` (and, when present, `D, z, delta_bias, h0, dy`) from `input`,
/// runs the scan with `backend`, and writes to `output` (safetensors, float32): `y` (the gated
/// output) and `last_state`, plus, when `dy` was given, the gradients `du, ddelta, dA, dB, dC`
/// and those of `D, z, delta_bias, h0` that were present (`dD, dz, ddelta_bias, dh0`) of
/// sum(y · dy).
///
/// u, delta, z and variable B/C are cast to `dtype`; A, D, delta_bias, h0 and constant B/C
/// are float32. The CUDA and `auto` backends run on cuda:0 when libtorch sees a GPU (`auto`
/// otherwise runs the CPU kernel); `cpu` and `reference` run on the CPU.
pub fn run_conformance(backend: Backend, input: &Path, output: &Path, delta_softplus: bool, dtype: ScanDtype) -> Result<()> {
    let io = |e: tch::TchError, p: &Path| ScanError::Io { path: p.display().to_string(), msg: e.to_string() };
    let named = Tensor::read_safetensors(input).map_err(|e| io(e, input))?;
    let map: HashMap<String, Tensor> = named.into_iter().collect();
    let device = match backend {
        Backend::Cuda => Device::Cuda(0),
        Backend::Auto if tch::Cuda::is_available() => Device::Cuda(0),
        _ => Device::Cpu,
    };
    if backend == Backend::Cuda && !tch::Cuda::is_available() {
        return Err(ScanError::Unavailable { backend: "cuda", reason: "libtorch sees no CUDA device".into() });
    }
    let _ = Resolved::Cpu;
    let get = |name: &'static str| -> Result<Tensor> {
        map.get(name)
            .map(|t| t.shallow_clone())
            .ok_or_else(|| ScanError::shape(name, format!("missing from {}", input.display())))
    };
    let grad = map.contains_key("dy");
    let data = |t: Tensor| t.to_device(device).to_kind(dtype.kind()).detach().set_requires_grad(grad);
    let weight = |t: Tensor| t.to_device(device).to_kind(Kind::Float).detach().set_requires_grad(grad);
    let bc = |t: Tensor| if t.dim() == 2 { weight(t) } else { data(t) };
    let u = data(get("u")?);
    let delta = data(get("delta")?);
    let a = weight(get("A")?);
    let b = bc(get("B")?);
    let c = bc(get("C")?);
    let opt: Vec<Option<Tensor>> = OPTIONAL
        .iter()
        .map(|&n| {
            map.get(n).map(|t| match n {
                "z" => data(t.shallow_clone()),
                _ => weight(t.shallow_clone()),
            })
        })
        .collect();
    let args = ScanArgs {
        u: &u,
        delta: &delta,
        a: &a,
        b: &b,
        c: &c,
        d: opt[0].as_ref(),
        z: opt[1].as_ref(),
        delta_bias: opt[2].as_ref(),
        h0: opt[3].as_ref(),
    };
    let (y, last) = selective_scan(&args, delta_softplus, backend)?;
    let f32cpu = |t: &Tensor| t.detach().to_kind(Kind::Float).to_device(Device::Cpu).contiguous();
    let mut out: Vec<(String, Tensor)> = vec![("y".into(), f32cpu(&y)), ("last_state".into(), f32cpu(&last))];
    if grad {
        let dy = get("dy")?.to_device(device).to_kind(Kind::Float);
        let loss = (y.to_kind(Kind::Float) * dy).sum(Kind::Float);
        let mut names: Vec<&str> = vec!["u", "delta", "A", "B", "C"];
        let mut leaves: Vec<&Tensor> = vec![&u, &delta, &a, &b, &c];
        for (i, n) in OPTIONAL.iter().enumerate() {
            if let Some(t) = opt[i].as_ref() {
                names.push(n);
                leaves.push(t);
            }
        }
        let grads = Tensor::f_run_backward(&[loss], &leaves, false, false)?;
        for (n, g) in names.iter().zip(grads.iter()) {
            out.push((format!("d{n}"), f32cpu(g)));
        }
    }
    let refs: Vec<(&str, &Tensor)> = out.iter().map(|(n, t)| (n.as_str(), t)).collect();
    Tensor::write_safetensors(&refs, output).map_err(|e| io(e, output))?;
    Ok(())
}
