//! Benchmark entry point (wired into `ssm-lab bench scan`): forward and forward+backward times
//! of the selective scan against the tch reference, causal flash attention and an FFT
//! convolution of the same size, with achieved bandwidth against the device copy bandwidth.
//!
//! Bytes counted for the scan forward (as in design/measured): read u, Δ, z (B·D·L each) and
//! B, C (B·N·L each), write y (B·D·L). Times: synchronize + host clock around each call, after
//! warm-up; the median of `reps` calls.

use std::time::Instant;

use tch::{Device, Kind, Tensor};

use crate::error::{Result, ScanError};
use crate::{selective_scan, Backend, ScanArgs, ScanShape};

/// What to benchmark.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct BenchOptions {
    /// `None`: cuda:0 when libtorch sees a GPU, else the CPU.
    pub device: Option<String>,
    pub batch: usize,
    pub dim: usize,
    pub nstate: usize,
    /// Sequence lengths (GPU default 2^9 … 2^17).
    pub lengths: Vec<usize>,
    pub warmup: usize,
    pub reps: usize,
    /// Longest L for the tch reference forward / forward+backward (it is slow).
    pub reference_max_len: usize,
    pub reference_bwd_max_len: usize,
    /// Longest L for scaled_dot_product_attention (quadratic).
    pub sdpa_max_len: usize,
    /// Width and heads of the attention baseline.
    pub sdpa_width: usize,
    pub sdpa_heads: usize,
    /// Whether to time the baselines (tch reference, SDPA, FFT convolution) beside the kernel.
    pub baselines: bool,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            device: None,
            batch: 8,
            dim: 1536,
            nstate: 16,
            lengths: (9..=17).map(|p| 1usize << p).collect(),
            warmup: 3,
            reps: 10,
            reference_max_len: 4096,
            reference_bwd_max_len: 1024,
            sdpa_max_len: 65536,
            sdpa_width: 768,
            sdpa_heads: 12,
            baselines: true,
        }
    }
}

impl BenchOptions {
    /// The CPU-only configuration: batch 2, D = 64, N = 16, L = 4096.
    pub fn cpu() -> Self {
        BenchOptions {
            device: Some("cpu".into()),
            batch: 2,
            dim: 64,
            nstate: 16,
            lengths: vec![4096],
            warmup: 1,
            reps: 10,
            reference_max_len: 4096,
            reference_bwd_max_len: 4096,
            ..Default::default()
        }
    }
}

/// One measured row.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct BenchRow {
    pub impl_name: String,
    pub dtype: String,
    pub len: usize,
    pub fwd_ms: f64,
    pub fwdbwd_ms: Option<f64>,
    pub fwd_gbps: Option<f64>,
    pub frac_of_copy: Option<f64>,
    /// Working memory beyond inputs and results over forward + backward, from the op's own
    /// allocations (stored states, accumulators), in bytes.
    pub extra_counted: Option<u64>,
    /// The same, measured with libtorch's CUDA allocator (CUDA rows; see `cuda::memory`).
    pub extra_measured: Option<u64>,
    pub device: String,
}

impl BenchRow {
    /// A row with its times only; the bandwidth and memory columns empty.
    pub fn timing(impl_name: &str, dtype: &str, len: usize, fwd_ms: f64, fwdbwd_ms: Option<f64>, device: &str) -> Self {
        BenchRow {
            impl_name: impl_name.into(),
            dtype: dtype.into(),
            len,
            fwd_ms,
            fwdbwd_ms,
            fwd_gbps: None,
            frac_of_copy: None,
            extra_counted: None,
            extra_measured: None,
            device: device.into(),
        }
    }

    pub const CSV_HEADER: &'static str = "impl,dtype,L,fwd_ms,fwdbwd_ms,fwd_GBps,frac_of_copy,extra_bytes_counted,extra_bytes_measured,device";

    pub fn csv_line(&self) -> String {
        let o = |x: Option<f64>| x.map(|v| format!("{v:.6}")).unwrap_or_default();
        format!(
            "{},{},{},{:.6},{},{},{},{},{},{}",
            self.impl_name,
            self.dtype,
            self.len,
            self.fwd_ms,
            o(self.fwdbwd_ms),
            o(self.fwd_gbps),
            o(self.frac_of_copy),
            self.extra_counted.map(|v| v.to_string()).unwrap_or_default(),
            self.extra_measured.map(|v| v.to_string()).unwrap_or_default(),
            self.device.replace(',', " ")
        )
    }
}

/// CSV text of rows (with header).
pub fn to_csv(rows: &[BenchRow]) -> String {
    let mut s = String::from(BenchRow::CSV_HEADER);
    s.push('\n');
    for r in rows {
        s.push_str(&r.csv_line());
        s.push('\n');
    }
    s
}

/// A markdown table of rows.
pub fn to_markdown(rows: &[BenchRow]) -> String {
    let mut s = String::from("| impl | dtype | L | fwd ms | fwd+bwd ms | fwd GB/s | of copy | extra MiB counted | extra MiB measured |\n|---|---|---|---|---|---|---|---|---|\n");
    let o = |x: Option<f64>, p: usize| x.map(|v| format!("{v:.p$}")).unwrap_or_else(|| "–".into());
    let mib = |b: Option<u64>| o(b.map(|b| b as f64 / 1048576.0), 1);
    for r in rows {
        s.push_str(&format!(
            "| {} | {} | {} | {:.3} | {} | {} | {} | {} | {} |\n",
            r.impl_name,
            r.dtype,
            r.len,
            r.fwd_ms,
            o(r.fwdbwd_ms, 3),
            o(r.fwd_gbps, 0),
            o(r.frac_of_copy, 3),
            mib(r.extra_counted),
            mib(r.extra_measured)
        ));
    }
    s
}

fn sync(device: Device) {
    if let Device::Cuda(i) = device {
        tch::Cuda::synchronize(i as i64);
    }
}

/// Median milliseconds of `reps` calls after `warmup` calls.
fn time_ms(device: Device, warmup: usize, reps: usize, mut f: impl FnMut() -> Result<()>) -> Result<f64> {
    for _ in 0..warmup {
        f()?;
    }
    sync(device);
    let mut v = Vec::with_capacity(reps);
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        f()?;
        sync(device);
        v.push(t.elapsed().as_secs_f64() * 1e3);
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    Ok(v[v.len() / 2])
}

fn device_of(opts: &BenchOptions) -> Result<Device> {
    match opts.device.as_deref() {
        None => Ok(if tch::Cuda::is_available() { Device::Cuda(0) } else { Device::Cpu }),
        Some("cpu") => Ok(Device::Cpu),
        Some(s) if s.starts_with("cuda") => {
            let idx = s.strip_prefix("cuda").and_then(|r| r.strip_prefix(':')).map(|r| r.parse::<usize>());
            let idx = match idx {
                None => 0,
                Some(Ok(i)) => i,
                Some(Err(_)) => return Err(ScanError::Parse(format!("bad device `{s}`"))),
            };
            if !tch::Cuda::is_available() {
                return Err(ScanError::Unavailable { backend: "cuda", reason: "libtorch sees no CUDA device".into() });
            }
            Ok(Device::Cuda(idx))
        }
        Some(s) => Err(ScanError::Parse(format!("bad device `{s}` (expected cpu or cuda[:i])"))),
    }
}

/// Benchmark inputs: Mamba-like values (A = −(1..N), softplus bias, random B, C, z).
struct Inputs {
    u: Tensor,
    delta: Tensor,
    a: Tensor,
    b: Tensor,
    c: Tensor,
    d: Tensor,
    z: Tensor,
    bias: Tensor,
    dy: Tensor,
}

impl Inputs {
    fn new(batch: usize, dim: usize, n: usize, len: usize, kind: Kind, device: Device) -> Inputs {
        let (b, d, l, n) = (batch as i64, dim as i64, len as i64, n as i64);
        let fo = (Kind::Float, device);
        let a = -Tensor::arange(n, fo).f_add_scalar(1.0).unwrap().unsqueeze(0).repeat([d, 1]);
        Inputs {
            u: Tensor::randn([b, d, l], fo).to_kind(kind),
            delta: (Tensor::randn([b, d, l], fo) * 0.5 - 2.5).to_kind(kind),
            a,
            b: Tensor::randn([b, n, l], fo).to_kind(kind),
            c: Tensor::randn([b, n, l], fo).to_kind(kind),
            d: Tensor::randn([d], fo),
            z: Tensor::randn([b, d, l], fo).to_kind(kind),
            bias: Tensor::rand([d], fo) - 1.0,
            dy: Tensor::randn([b, d, l], fo).to_kind(kind),
        }
    }

    /// The nine inputs of the kernels (already in their dtypes; no h0).
    fn kernel_inputs(&self) -> [Option<Tensor>; 9] {
        let s = |t: &Tensor| Some(t.shallow_clone());
        [s(&self.u), s(&self.delta), s(&self.a), s(&self.b), s(&self.c), s(&self.d), s(&self.z), s(&self.bias), None]
    }

    fn leaves(&self, grad: bool) -> Vec<Tensor> {
        [&self.u, &self.delta, &self.a, &self.b, &self.c, &self.d, &self.z, &self.bias]
            .iter()
            .map(|t| t.detach().set_requires_grad(grad))
            .collect()
    }
}

fn scan_once(l: &[Tensor], backend: Backend) -> Result<(Tensor, Tensor)> {
    let args = ScanArgs::new(&l[0], &l[1], &l[2], &l[3], &l[4])
        .with_d(Some(&l[5]))
        .with_z(Some(&l[6]))
        .with_delta_bias(Some(&l[7]));
    selective_scan(&args, true, backend)
}

fn time_scan(inp: &Inputs, backend: Backend, device: Device, warmup: usize, reps: usize, bwd: bool) -> Result<(f64, Option<f64>)> {
    let fwd = {
        let l = inp.leaves(false);
        let _g = tch::no_grad_guard();
        time_ms(device, warmup, reps, || scan_once(&l, backend).map(|_| ()))?
    };
    let fb = if bwd {
        let l = inp.leaves(true);
        Some(time_ms(device, warmup, reps, || {
            let (y, _) = scan_once(&l, backend)?;
            let loss = (y * &inp.dy).sum(Kind::Float);
            let refs: Vec<&Tensor> = l.iter().collect();
            Tensor::f_run_backward(&[loss], &refs, false, false)?;
            Ok(())
        })?)
    } else {
        None
    };
    Ok(fb.map_or((fwd, None), |x| (fwd, Some(x))))
}

fn kind_name(k: Kind) -> &'static str {
    if k == Kind::BFloat16 {
        "bf16"
    } else {
        "f32"
    }
}

fn scan_bytes(batch: usize, dim: usize, n: usize, len: usize, elem: usize) -> f64 {
    ((4 * batch * dim * len + 2 * batch * n * len) * elem) as f64
}

/// Device-to-device copy bandwidth (bytes read + written per second) with a 1 GiB buffer.
fn copy_bandwidth(device: Device, warmup: usize, reps: usize) -> Result<f64> {
    let n = 1i64 << 28; // 2^28 f32 = 1 GiB
    let src = Tensor::rand([n], (Kind::Float, device));
    let mut dst = Tensor::empty([n], (Kind::Float, device));
    let ms = time_ms(device, warmup, reps, || {
        dst.copy_(&src);
        Ok(())
    })?;
    Ok(2.0 * (n as f64) * 4.0 / (ms * 1e-3))
}

fn fits(device: Device, bytes: f64) -> bool {
    // Keep well inside an 80 GB card; the CPU benchmark uses small sizes anyway.
    match device {
        Device::Cuda(_) => bytes < 60e9,
        _ => bytes < 8e9,
    }
}

/// Runs the benchmark. On a GPU: the CUDA kernel (f32, bf16), the tch reference (short L),
/// causal SDPA (bf16) and an FFT convolution (f32), plus a `copy` row with the device copy
/// bandwidth. On a CPU: the CPU kernel against the tch reference.
pub fn bench_scan(opts: &BenchOptions) -> Result<Vec<BenchRow>> {
    let device = device_of(opts)?;
    let (bs, dim, n) = (opts.batch, opts.dim, opts.nstate);
    let (w, r) = (opts.warmup, opts.reps.max(10));
    let mut rows = Vec::new();
    let dev_name = match device {
        Device::Cuda(_) => crate::cuda::device_name(device).unwrap_or_else(|_| "cuda".into()),
        _ => "cpu".into(),
    };
    tch::manual_seed(0);
    if device == Device::Cpu {
        for &len in &opts.lengths {
            let inp = Inputs::new(bs, dim, n, len, Kind::Float, device);
            let (f, fb) = time_scan(&inp, Backend::Cpu, device, w, r, true)?;
            let bytes = scan_bytes(bs, dim, n, len, 4);
            rows.push(BenchRow {
                fwd_gbps: Some(bytes / (f * 1e-3) / 1e9),
                extra_counted: Some((bs * dim * len.div_ceil(crate::cpu::SEGMENT) * n * 4) as u64),
                ..BenchRow::timing("cpu_kernel", "f32", len, f, fb, &dev_name)
            });
            if len <= opts.reference_max_len {
                let (f, fb) = time_scan(&inp, Backend::Reference, device, w.min(1), r, len <= opts.reference_bwd_max_len)?;
                rows.push(BenchRow::timing("tch_reference", "f32", len, f, fb, &dev_name));
            }
        }
        return Ok(rows);
    }

    let copy_bps = copy_bandwidth(device, w, r)?;
    rows.push(BenchRow {
        fwd_gbps: Some(copy_bps / 1e9),
        frac_of_copy: Some(1.0),
        ..BenchRow::timing("device_copy", "f32", 0, 2.0 * (1u64 << 30) as f64 / copy_bps * 1e3, None, &dev_name)
    });
    for &len in &opts.lengths {
        for kind in [Kind::Float, Kind::BFloat16] {
            let elem = if kind == Kind::Float { 4 } else { 2 };
            // Inputs, outputs, gradients and dy: about 9 (batch, D, L) tensors.
            if !fits(device, (9 * bs * dim * len * elem) as f64) {
                continue;
            }
            let inp = Inputs::new(bs, dim, n, len, kind, device);
            let (f, fb) = time_scan(&inp, Backend::Cuda, device, w, r, true)?;
            let bytes = scan_bytes(bs, dim, n, len, elem);
            let shape = ScanShape::mamba(bs, dim, len, n);
            let measured = crate::cuda::memory::measure(&inp.kernel_inputs(), &shape, true)?;
            rows.push(BenchRow {
                fwd_gbps: Some(bytes / (f * 1e-3) / 1e9),
                frac_of_copy: Some(bytes / (f * 1e-3) / copy_bps),
                extra_counted: Some(crate::cuda::extra_bytes(&shape, true, elem) as u64),
                extra_measured: Some(measured.forward_backward),
                ..BenchRow::timing("cuda_kernel", kind_name(kind), len, f, fb, &dev_name)
            });
            drop(inp);
        }
        if !opts.baselines {
            continue;
        }
        if len <= opts.reference_max_len {
            let inp = Inputs::new(bs, dim, n, len, Kind::Float, device);
            let bwd = len <= opts.reference_bwd_max_len;
            let (f, fb) = time_scan(&inp, Backend::Reference, device, 1, r, bwd)?;
            rows.push(BenchRow::timing("tch_reference", "f32", len, f, fb, &dev_name));
        }
        if len <= opts.sdpa_max_len {
            let (h, hd) = (opts.sdpa_heads as i64, (opts.sdpa_width / opts.sdpa_heads) as i64);
            let mk = |g: bool| Tensor::randn([bs as i64, h, len as i64, hd], (Kind::BFloat16, device)).set_requires_grad(g);
            let (q, k, v) = (mk(false), mk(false), mk(false));
            let f = {
                let _g = tch::no_grad_guard();
                time_ms(device, w, r, || {
                    let _ = Tensor::f_scaled_dot_product_attention(&q, &k, &v, None::<Tensor>, 0.0, true, None, false)?;
                    Ok(())
                })?
            };
            let (q, k, v) = (mk(true), mk(true), mk(true));
            let dy = Tensor::randn([bs as i64, h, len as i64, hd], (Kind::BFloat16, device));
            let fb = time_ms(device, w, r, || {
                let o = Tensor::f_scaled_dot_product_attention(&q, &k, &v, None::<Tensor>, 0.0, true, None, false)?;
                let loss = (o * &dy).sum(Kind::Float);
                Tensor::f_run_backward(&[loss], &[&q, &k, &v], false, false)?;
                Ok(())
            })?;
            rows.push(BenchRow::timing("sdpa_causal_bf16", "bf16", len, f, Some(fb), &dev_name));
        }
        {
            // y = irfft(rfft(u, 2L) · rfft(k, 2L))[:L] (S4's FFT convolution, fftconv.py:112-119).
            let u = Tensor::randn([bs as i64, dim as i64, len as i64], (Kind::Float, device));
            let kk = Tensor::randn([dim as i64, len as i64], (Kind::Float, device));
            let nfft = 2 * len as i64;
            let _g = tch::no_grad_guard();
            let f = time_ms(device, w, r, || {
                let uf = u.f_fft_rfft(Some(nfft), -1, "backward")?;
                let kf = kk.f_fft_rfft(Some(nfft), -1, "backward")?;
                let y = (uf * kf).f_fft_irfft(Some(nfft), -1, "backward")?;
                let _ = y.narrow(-1, 0, len as i64);
                Ok(())
            })?;
            rows.push(BenchRow::timing("fftconv_f32", "f32", len, f, None, &dev_name));
        }
    }
    Ok(rows)
}
