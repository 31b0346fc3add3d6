//! Timings of the layers (one forward + backward of S4 and S4D) and of the in-graph kernels
//! (S4 C̃ set-up, Cauchy + Woodbury, S4D Vandermonde, DSS, dense Krylov twin) on a CPU or a GPU,
//! for `ssm-lab bench kernels`.

use std::time::Instant;

use ssm_nn::Mixer;
use tch::{nn, Device, Kind, Tensor};

use crate::dss::Dss;
use crate::error::LayerError;
use crate::kernel_graph::{bilinear_dense, dplr_c_tilde, dplr_kernel_from_c_tilde, dplr_real_a};
use crate::layer::{SsmCore, SsmLayer};
use crate::options::{KernelPrecision, S4Options};
use crate::s4::S4;
use crate::s4d::S4d;

/// One measurement (a row of `ssm-lab bench kernels`' `layers_<device>.csv`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Row {
    /// `s4` or `s4d`.
    pub layer: &'static str,
    /// Precision of the kernel computation: `f64` or `f32`.
    pub kernel: &'static str,
    pub l: usize,
    pub h: usize,
    pub n: usize,
    pub batch: usize,
    /// Median wall time of one forward + backward, seconds.
    pub seconds: f64,
}

fn time_layer<K: SsmCore>(
    l: usize,
    h: usize,
    n: usize,
    batch: usize,
    precision: KernelPrecision,
    device: Device,
) -> Result<f64, LayerError> {
    let vs = nn::VarStore::new(device);
    let opts = S4Options { d_state: ssm_config::PositiveInt(n), kernel_precision: precision, ..S4Options::default() };
    let layer = SsmLayer::<K>::new(&vs.root(), h as i64, &opts)?;
    let x = Tensor::randn([batch as i64, l as i64, h as i64], (Kind::Float, device));
    Ok(median_time(device, l >= 8192, || {
        let y = layer.forward(&x, true);
        y.square().mean(Kind::Float).backward();
    }))
}

fn sync(device: Device) {
    if let Device::Cuda(i) = device {
        tch::Cuda::synchronize(i as i64);
    }
}

/// Median wall time of `f` on `device` after one warm-up call (allocator, FFT plans, NVRTC):
/// 3 timed calls, 1 when `long`; the device is synchronised around each call.
fn median_time(device: Device, long: bool, f: impl Fn()) -> f64 {
    let run = || {
        sync(device);
        let start = Instant::now();
        f();
        sync(device);
        start.elapsed().as_secs_f64()
    };
    run();
    let reps = if long { 1 } else { 3 };
    let mut times: Vec<f64> = (0..reps).map(|_| run()).collect();
    times.sort_by(|a, b| a.total_cmp(b));
    times[times.len() / 2]
}

/// Forward + backward on `device` of the S4 and S4D layers (defaults otherwise: glu output), with the
/// kernel in f64 (the default) and in f32 (the s4 reference's precision), at each length in `ls`, H = `h` channels, state size `n`, batch `batch`. Lengths of 0 or
/// an odd `n` are skipped.
pub fn bench_layers(ls: &[usize], h: usize, n: usize, batch: usize, device: Device) -> Vec<Row> {
    let mut rows = Vec::new();
    for &l in ls {
        if l == 0 || n == 0 || !n.is_multiple_of(2) || h == 0 || batch == 0 {
            continue;
        }
        for (precision, suffix) in [(KernelPrecision::Double, "f64"), (KernelPrecision::Single, "f32")] {
            let runs = [
                ("s4", suffix, time_layer::<S4>(l, h, n, batch, precision, device)),
                ("s4d", suffix, time_layer::<S4d>(l, h, n, batch, precision, device)),
            ];
            for (layer, kernel, t) in runs {
                if let Ok(seconds) = t {
                    rows.push(Row { layer, kernel, l, h, n, batch, seconds });
                }
            }
        }
    }
    rows
}

/// One in-graph kernel timing.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelRow {
    /// What was timed: `s4_c_tilde_setup`, `s4_dplr_cauchy`, `s4d_vandermonde`, `dss_softmax`,
    /// `dense_krylov_naive` (L sequential matrix-vector products of the bilinear N×N system).
    pub kernel: &'static str,
    /// `f64` or `f32`.
    pub precision: &'static str,
    pub l: usize,
    pub h: usize,
    pub n: usize,
    /// Median wall time of the kernel's forward for all H channels, seconds.
    pub seconds: f64,
    /// For `s4_dplr_cauchy`: the relative L2 error of its kernel against the dense twin
    /// (where the twin ran), so that no row times a wrong answer.
    pub error_vs_dense: Option<f64>,
}

/// The kernels as the layers build them (the autograd graph's ops, without recording a
/// graph), on `device`, for H = `h` channels of state size `n` at each L in `ls`, in f64 and
/// f32. S4 is timed in two parts, as s4 splits it: C̃ = C(I − Ā^L) (its `_setup_C`), then the
/// Cauchy sums + Woodbury + irfft from C̃ (its kernel forward). The dense twin runs up to
/// `dense_max_l`. Lengths of 0 or an odd `n` are skipped.
pub fn bench_kernel_graphs(ls: &[usize], h: usize, n: usize, dense_max_l: usize, device: Device) -> Vec<KernelRow> {
    let mut rows = Vec::new();
    if n == 0 || !n.is_multiple_of(2) || h == 0 {
        return rows;
    }
    let _guard = tch::no_grad_guard();
    for (precision, name) in [(KernelPrecision::Double, "f64"), (KernelPrecision::Single, "f32")] {
        let opts = S4Options { d_state: ssm_config::PositiveInt(n), kernel_precision: precision, ..S4Options::default() };
        let vs = nn::VarStore::new(device);
        let root = vs.root();
        let built = (S4::build(&(&root / "s4"), h as i64, &opts), S4d::build(&(&root / "s4d"), h as i64, &opts), Dss::build(&(&root / "dss"), h as i64, &opts));
        let (Ok(s4), Ok(s4d), Ok(dss)) = built else {
            continue;
        };
        let lambda = s4.lambda();
        let (p, b, c) = s4.p_b_c();
        let dt = s4.dt();
        for &l in ls.iter().filter(|&&l| l > 0) {
            let li = l as i64;
            let long = l >= 16384;
            let mut push = |kernel: &'static str, seconds: f64, error_vs_dense: Option<f64>| {
                rows.push(KernelRow { kernel, precision: name, l, h, n, seconds, error_vs_dense })
            };
            push("s4_c_tilde_setup", median_time(device, long, || drop(dplr_c_tilde(&lambda, &p, &c, &dt, li))), None);
            let c_tilde = dplr_c_tilde(&lambda, &p, &c, &dt, li);
            let cauchy = || dplr_kernel_from_c_tilde(&lambda, &p, &b, &c_tilde, &dt, li);
            let error = (l <= dense_max_l).then(|| {
                let (fast, dense) = (cauchy().get(0), dense_krylov(&lambda, &p, &b, &c, &dt, li));
                let err = (&fast - &dense).norm().double_value(&[]) / dense.norm().double_value(&[]).max(f64::MIN_POSITIVE);
                push("dense_krylov_naive", median_time(device, long, || drop(dense_krylov(&lambda, &p, &b, &c, &dt, li))), None);
                err
            });
            push("s4_dplr_cauchy", median_time(device, long, || drop(cauchy())), error);
            push("s4d_vandermonde", median_time(device, long, || drop(s4d.kernel(li))), None);
            push("dss_softmax", median_time(device, long, || drop(dss.kernel(li))), None);
        }
    }
    rows
}

/// The ground-truth kernel of the dense bilinear system: `K_l = 2 Re(c · Ā^l B̄)`, l < L,
/// by L sequential batched matrix-vector products (the naive Krylov; s4 `krylov`).
fn dense_krylov(lambda: &Tensor, p: &Tensor, b: &Tensor, c: &Tensor, dt: &Tensor, l: i64) -> Tensor {
    let a = dplr_real_a(lambda, p);
    let a_bar = bilinear_dense(&a, dt);
    let n = a.size()[1];
    let eye = Tensor::eye(n, (a.kind(), a.device()));
    let half = (dt * 0.5).view([-1, 1, 1]);
    // B̄ = (I − Δ/2·A)^{-1} Δ B (S4 paper eq. (3)), B in real coordinates [Re b, Im b].
    let b_r = Tensor::cat(&[b.real(), b.imag()], -1).unsqueeze(-1) * dt.view([-1, 1, 1]);
    let mut x = Tensor::linalg_solve(&(&eye - &a * &half), &b_r, true); // (H, N, 1)
    let c_r = (Tensor::cat(&[c.get(0).real(), -c.get(0).imag()], -1) * 2.0).unsqueeze(-2); // (H, 1, N)
    let mut out = Vec::with_capacity(l as usize);
    for _ in 0..l {
        out.push(c_r.matmul(&x).view([-1]));
        x = a_bar.matmul(&x);
    }
    Tensor::stack(&out, -1)
}
