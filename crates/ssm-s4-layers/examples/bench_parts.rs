//! Where the time of one S4 / S4D layer goes: kernel fwd+bwd, conv fwd+bwd, whole layer, by
//! kernel precision. Usage: `bench_parts L`.

use std::time::Instant;

use ssm_nn::Mixer;
use ssm_s4_layers::{fft_conv, S4Options, SsmCore, SsmLayer};
use tch::{nn, Device, Kind, Tensor};

fn time(f: impl Fn()) -> f64 {
    f();
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64()
}

fn parts<K: SsmCore>(name: &str, l: i64, prec: &str) {
    let vs = nn::VarStore::new(Device::Cpu);
    let opts: S4Options = ssm_config::parse_value(&serde_yaml::from_str(&format!("{{kernel_precision: {prec}}}")).unwrap()).unwrap();
    let layer = SsmLayer::<K>::new(&vs.root(), 256, &opts).unwrap();
    let x = Tensor::randn([2, l, 256], (Kind::Float, Device::Cpu));
    let k = time(|| layer.core.kernel(l).square().sum(Kind::Float).backward());
    let kd = layer.core.kernel(l).detach().set_requires_grad(true);
    let u = x.transpose(1, 2).set_requires_grad(true);
    let c = time(|| fft_conv(&u, &kd, &layer.d).square().sum(Kind::Float).backward());
    let all = time(|| layer.forward(&x, true).square().mean(Kind::Float).backward());
    println!("{name:>4} {prec:>6} L={l}: kernel {k:.3}s conv {c:.3}s layer {all:.3}s");
}

fn c_tilde_time(l: i64, kind: Kind) {
    let o = (kind, Device::Cpu);
    let lam = Tensor::complex(&(Tensor::ones([256, 32], o) * -0.5), &Tensor::randn([256, 32], o)).set_requires_grad(true);
    let p = Tensor::complex(&Tensor::randn([256, 32], o), &Tensor::randn([256, 32], o)).set_requires_grad(true);
    let c = Tensor::complex(&Tensor::randn([1, 256, 32], o), &Tensor::randn([1, 256, 32], o)).set_requires_grad(true);
    let dt = (Tensor::ones([256], o) * 0.01).set_requires_grad(true);
    let t = time(|| {
        ssm_s4_layers::kernel_graph::dplr_c_tilde(&lam, &p, &c, &dt, l).abs().sum(kind).backward();
    });
    println!("c_tilde {kind:?} L={l}: {t:.3}s");
    let v = Tensor::complex(&Tensor::randn([256, 4, 32], o), &Tensor::randn([256, 4, 32], o)).set_requires_grad(true);
    let w = (&lam * 0.01).detach().set_requires_grad(true);
    let nd = ssm_s4::nodes(l as usize);
    let tn = Tensor::from_slice(&nd.t).to_kind(kind);
    let t = time(|| ssm_s4_layers::kernel_graph::cauchy_conj_pairs(&v, &w, &tn).abs().sum(kind).backward());
    let t2 = time(|| { let _ = ssm_s4_layers::kernel_graph::cauchy_conj_pairs(&v, &w, &tn); });
    let t3 = time(|| ssm_s4_layers::kernel_graph::dplr_kernel(&lam, &p, &c.get(0), &c, &dt, l).sum(kind).backward());
    println!("cauchy {kind:?} L={l}: fwd+bwd {t:.3}s fwd {t2:.3}s; whole kernel {t3:.3}s");
}

fn main() {
    let l: i64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(4096);
    c_tilde_time(l, Kind::Double);
    c_tilde_time(l, Kind::Float);
    for prec in ["double", "single"] {
        parts::<ssm_s4_layers::S4d>("s4d", l, prec);
        parts::<ssm_s4_layers::S4>("s4", l, prec);
    }
}
