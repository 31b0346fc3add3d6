//! Shared helpers for the scan tests: seeded random inputs, the float64 reference with libtorch
//! autograd, and tolerance checks.
#![allow(dead_code)]

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use ssm_scan::{selective_scan, Backend, ScanArgs};
use tch::{Device, Kind, Tensor};

/// One test configuration.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    pub batch: usize,
    pub dim: usize,
    pub len: usize,
    pub n: usize,
    /// 0 = constant (D, N); 1 = (batch, N, L); g ≥ 2 = (batch, g, N, L)
    pub groups_b: usize,
    pub groups_c: usize,
    pub with_d: bool,
    pub with_z: bool,
    pub with_bias: bool,
    pub with_h0: bool,
    pub softplus: bool,
    pub seed: u64,
}

impl Case {
    pub fn new(len: usize, n: usize, groups: usize) -> Self {
        Case {
            batch: 2,
            dim: 4,
            len,
            n,
            groups_b: groups,
            groups_c: groups,
            with_d: true,
            with_z: true,
            with_bias: true,
            with_h0: true,
            softplus: true,
            seed: 1,
        }
    }
}

/// The inputs of a case in float64 (leaf tensors), plus the output cotangents.
pub struct Inputs {
    pub u: Tensor,
    pub delta: Tensor,
    pub a: Tensor,
    pub b: Tensor,
    pub c: Tensor,
    pub d: Option<Tensor>,
    pub z: Option<Tensor>,
    pub bias: Option<Tensor>,
    pub h0: Option<Tensor>,
    pub dy: Tensor,
    pub dlast: Tensor,
}

struct Gen(ChaCha8Rng);

impl Gen {
    fn normal(&mut self, n: usize) -> Vec<f64> {
        (0..n)
            .map(|_| {
                let u1: f64 = self.0.random::<f64>().max(1e-12);
                let u2: f64 = self.0.random::<f64>();
                (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
            })
            .collect()
    }
    fn uniform(&mut self, n: usize, lo: f64, hi: f64) -> Vec<f64> {
        (0..n).map(|_| lo + (hi - lo) * self.0.random::<f64>()).collect()
    }
}

fn t(v: Vec<f64>, shape: &[usize]) -> Tensor {
    let s: Vec<i64> = shape.iter().map(|&x| x as i64).collect();
    Tensor::from_slice(&v).view(s.as_slice())
}

fn bc_shape(case: &Case, groups: usize) -> Vec<usize> {
    match groups {
        0 => vec![case.dim, case.n],
        1 => vec![case.batch, case.n, case.len],
        g => vec![case.batch, g, case.n, case.len],
    }
}

impl Inputs {
    pub fn new(case: &Case) -> Self {
        let mut g = Gen(ChaCha8Rng::seed_from_u64(case.seed));
        let (bs, d, l, n) = (case.batch, case.dim, case.len, case.n);
        let u = t(g.normal(bs * d * l), &[bs, d, l]);
        let delta = if case.softplus {
            // Pre-softplus values around softplus⁻¹(0.05).
            t(g.normal(bs * d * l).into_iter().map(|x| 0.5 * x - 2.5).collect(), &[bs, d, l])
        } else {
            t(g.uniform(bs * d * l, 0.01, 0.2), &[bs, d, l])
        };
        // S4D-real-like A (Mamba: A = −exp(A_log), A_log = log(1..N)), jittered.
        let jitter = g.uniform(d * n, 0.5, 1.5);
        let a = t((0..d * n).map(|i| -((i % n) as f64 + 1.0) * jitter[i]).collect(), &[d, n]);
        let bshape = bc_shape(case, case.groups_b);
        let cshape = bc_shape(case, case.groups_c);
        let b = t(g.normal(bshape.iter().product()), &bshape);
        let c = t(g.normal(cshape.iter().product()), &cshape);
        let dd = g.normal(d);
        let z = g.normal(bs * d * l);
        // With softplus the bias may be negative; without it Δ = δ + bias must stay positive.
        let bias = if case.softplus { g.uniform(d, -1.0, 0.5) } else { g.uniform(d, 0.0, 0.05) };
        let h0 = g.normal(bs * d * n);
        let dy = t(g.normal(bs * d * l), &[bs, d, l]);
        let dlast = t(g.normal(bs * d * n), &[bs, d, n]);
        Inputs {
            u,
            delta,
            a,
            b,
            c,
            d: case.with_d.then(|| t(dd, &[d])),
            z: case.with_z.then(|| t(z, &[bs, d, l])),
            bias: case.with_bias.then(|| t(bias, &[d])),
            h0: case.with_h0.then(|| t(h0, &[bs, d, n])),
            dy,
            dlast,
        }
    }

    /// Leaf copies in `kind` on `device`, requiring grad. Constant B/C and A, D, bias, h0 stay f32
    /// (f64 for the reference) as a model keeps its parameters.
    pub fn leaves(&self, kind: Kind, device: Device, case: &Case) -> Vec<Option<Tensor>> {
        let weight_kind = if kind == Kind::Double { Kind::Double } else { Kind::Float };
        let data = |x: &Tensor| Some(x.to_kind(kind).to_device(device).set_requires_grad(true));
        let weight = |x: &Tensor| Some(x.to_kind(weight_kind).to_device(device).set_requires_grad(true));
        let bc = |x: &Tensor, g: usize| if g == 0 { weight(x) } else { data(x) };
        vec![
            data(&self.u),
            data(&self.delta),
            weight(&self.a),
            bc(&self.b, case.groups_b),
            bc(&self.c, case.groups_c),
            self.d.as_ref().and_then(weight),
            self.z.as_ref().and_then(data),
            self.bias.as_ref().and_then(weight),
            self.h0.as_ref().and_then(weight),
        ]
    }
}

pub const NAMES: [&str; 9] = ["u", "delta", "A", "B", "C", "D", "z", "delta_bias", "h0"];

/// The op's arguments over leaves in [`NAMES`] order.
pub fn args_of(l: &[Option<Tensor>]) -> ScanArgs<'_> {
    ScanArgs {
        u: l[0].as_ref().unwrap(),
        delta: l[1].as_ref().unwrap(),
        a: l[2].as_ref().unwrap(),
        b: l[3].as_ref().unwrap(),
        c: l[4].as_ref().unwrap(),
        d: l[5].as_ref(),
        z: l[6].as_ref(),
        delta_bias: l[7].as_ref(),
        h0: l[8].as_ref(),
    }
}

/// The shape of a case with variable B/C as the kernels see it.
pub fn shape_of(case: &Case) -> ssm_scan::ScanShape {
    let layout = |g: usize| ssm_scan::BcLayout::Variable { groups: g };
    ssm_scan::ScanShape {
        batch: case.batch,
        dim: case.dim,
        len: case.len,
        nstate: case.n,
        b: layout(case.groups_b),
        c: layout(case.groups_c),
        has_d: case.with_d,
        has_z: case.with_z,
        has_bias: case.with_bias,
        has_h0: case.with_h0,
    }
}

/// Runs one backend on leaves; returns y, last_state and the gradients of
/// sum(y·dy) + sum(last·dlast) (all in float64 on the CPU).
pub fn run(backend: Backend, leaves: &[Option<Tensor>], inp: &Inputs, softplus: bool) -> (Tensor, Tensor, Vec<Option<Tensor>>) {
    let l = leaves;
    let args = args_of(l);
    let device = args.u.device();
    let (y, last) = selective_scan(&args, softplus, backend).expect("scan failed");
    let loss = (y.to_kind(Kind::Double) * inp.dy.to_device(device)).sum(Kind::Double)
        + (last.to_kind(Kind::Double) * inp.dlast.to_device(device)).sum(Kind::Double);
    let present: Vec<&Tensor> = l.iter().flatten().collect();
    let grads = Tensor::run_backward(&[loss], &present, false, false);
    let mut it = grads.into_iter();
    let g: Vec<Option<Tensor>> = l
        .iter()
        .map(|x| x.as_ref().map(|_| it.next().unwrap().to_kind(Kind::Double).to_device(Device::Cpu)))
        .collect();
    (
        y.detach().to_kind(Kind::Double).to_device(Device::Cpu),
        last.detach().to_kind(Kind::Double).to_device(Device::Cpu),
        g,
    )
}

/// Largest violation of |x − r| ≤ atol + rtol·|r| as a ratio (≤ 1 passes), and where.
pub fn check(name: &str, x: &Tensor, r: &Tensor, rtol: f64, atol: f64) -> Result<f64, String> {
    assert_eq!(x.size(), r.size(), "{name}: shape");
    let xv = Vec::<f64>::try_from(x.flatten(0, -1)).unwrap();
    let rv = Vec::<f64>::try_from(r.flatten(0, -1)).unwrap();
    let mut worst = 0.0f64;
    let mut at = 0;
    for (i, (a, b)) in xv.iter().zip(&rv).enumerate() {
        if !a.is_finite() {
            return Err(format!("{name}: non-finite value {a} at {i}"));
        }
        let ratio = (a - b).abs() / (atol + rtol * b.abs());
        if ratio > worst {
            worst = ratio;
            at = i;
        }
    }
    if worst > 1.0 {
        return Err(format!(
            "{name}: |x - ref| exceeds atol {atol} + rtol {rtol}·|ref| by {worst:.2}x at flat index {at}: x = {}, ref = {}",
            xv[at], rv[at]
        ));
    }
    Ok(worst)
}

/// Compares a backend against the float64 reference on one case.
pub fn compare(case: &Case, backend: Backend, kind: Kind, device: Device, rtol: f64, atol: f64, grad_factor: f64) -> Result<(), String> {
    compare_with(case, rtol, atol, grad_factor, |inp| run(backend, &inp.leaves(kind, device, case), inp, case.softplus))
}

/// Compares `outputs` (y, last_state and the gradients, as [`run`] returns them) against the
/// float64 reference on one case.
pub fn compare_with(
    case: &Case,
    rtol: f64,
    atol: f64,
    grad_factor: f64,
    outputs: impl FnOnce(&Inputs) -> (Tensor, Tensor, Vec<Option<Tensor>>),
) -> Result<(), String> {
    let inp = Inputs::new(case);
    let ref_leaves = inp.leaves(Kind::Double, Device::Cpu, case);
    let (ry, rl, rg) = run(Backend::Reference, &ref_leaves, &inp, case.softplus);
    let (y, l, g) = outputs(&inp);
    let mut errs = Vec::new();
    let mut note = |r: Result<f64, String>| {
        if let Err(e) = r {
            errs.push(e);
        }
    };
    note(check("y", &y, &ry, rtol, atol));
    note(check("last_state", &l, &rl, rtol, atol));
    for i in 0..9 {
        match (&g[i], &rg[i]) {
            (Some(x), Some(r)) => note(check(&format!("d{}", NAMES[i]), x, r, rtol * grad_factor, atol * grad_factor)),
            (None, None) => {}
            _ => note(Err(format!("d{}: present in one result only", NAMES[i]))),
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(format!("{case:?}:\n  {}", errs.join("\n  ")))
    }
}

/// The case list shared by the CPU and CUDA suites: every L, N and G of the issue, constant
/// B/C, and each optional input on and off.
pub fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    let mut seed = 10;
    let mut push = |mut c: Case| {
        seed += 1;
        c.seed = seed;
        v.push(c);
    };
    for &len in &[1usize, 7, 128, 2048, 4099] {
        for &n in &[1usize, 16, 64] {
            if len >= 2048 && n == 64 {
                continue;
            }
            push(Case::new(len, n, 1));
        }
    }
    // Grouped B/C (G = 2 needs D % 2 == 0), mixed layouts, constant B/C.
    push(Case::new(128, 16, 2));
    push(Case::new(2048, 16, 2));
    push(Case { groups_b: 0, groups_c: 0, ..Case::new(128, 16, 1) });
    push(Case { groups_b: 0, groups_c: 2, ..Case::new(7, 16, 1) });
    push(Case { groups_b: 2, groups_c: 0, ..Case::new(129, 64, 1) });
    push(Case { groups_b: 0, groups_c: 0, ..Case::new(4099, 16, 1) });
    // Optional inputs off.
    push(Case { with_d: false, with_z: false, with_bias: false, with_h0: false, ..Case::new(128, 16, 1) });
    push(Case { with_z: false, ..Case::new(7, 64, 2) });
    push(Case { with_d: false, with_h0: false, ..Case::new(2048, 16, 1) });
    push(Case { softplus: false, with_bias: false, ..Case::new(128, 16, 1) });
    push(Case { softplus: false, ..Case::new(4099, 1, 2) });
    // Odd channel count.
    push(Case { dim: 3, batch: 1, ..Case::new(100, 16, 1) });
    v
}

/// Whether the CUDA backend can run here; prints why not (the CUDA tests are skipped then).
pub fn gpu() -> bool {
    match ssm_scan::cuda::availability() {
        Ok(()) => true,
        Err(why) => {
            eprintln!("note: CUDA tests skipped: {why}");
            false
        }
    }
}
