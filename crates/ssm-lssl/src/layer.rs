//! The LSSL mixer: per channel a HiPPO-initialised SSM run as a convolution, then GELU and an
//! output projection.

use ssm_hippo::{transition, Measure};
use ssm_nn::{Mixer, ParamGroup};
use tch::{nn, nn::Module, Kind, Tensor};

use crate::conv::{causal_conv, recurrence};
use crate::discretize::bilinear;
use crate::kernel::krylov_kernel;
use crate::options::{LsslOptions, OutputKind};

/// One LSSL layer over H channels with state size N.
///
/// Parameters: `A` (N, N) and `B` (N) shared by the channels (trainable or fixed, in
/// [`ParamGroup::Ssm`]), `log_dt` (H) in [`ParamGroup::Ssm`], `C` (H, N), `D` (H), and the
/// output projection.
#[derive(Debug)]
pub struct Lssl {
    pub a: Tensor,
    pub b: Tensor,
    pub log_dt: Tensor,
    pub c: Tensor,
    pub d: Tensor,
    out: nn::Linear,
    output: OutputKind,
}

/// `(A, B)` of `measure` at size `n` as f32 tensors (N, N), (N).
pub fn hippo_tensors(measure: Measure, n: usize) -> Result<(Tensor, Tensor), ssm_hippo::HippoError> {
    let (a, b) = transition(measure, n)?;
    // nalgebra is column-major: read A row by row so that A[i][k] = A_ik.
    let rows: Vec<f64> = (0..n).flat_map(|i| (0..n).map(move |k| (i, k))).map(|(i, k)| a[(i, k)]).collect();
    let a = Tensor::from_slice(&rows).view([n as i64, n as i64]).to_kind(Kind::Float);
    let b = Tensor::from_slice(b.as_slice()).to_kind(Kind::Float);
    Ok((a, b))
}

fn add_param(p: &nn::Path, name: &str, init: &Tensor, trainable: bool) -> Tensor {
    if trainable {
        p.var_copy(name, init)
    } else {
        let mut v = p.zeros_no_train(name, &init.size());
        tch::no_grad(|| v.copy_(init));
        v
    }
}

impl Lssl {
    /// Builds the layer under `vs` for `d_model` channels. `opts` must have passed
    /// [`LsslOptions::check`] (the factory does that).
    pub fn new(vs: &nn::Path, d_model: i64, opts: &LsslOptions) -> Result<Self, ssm_config::ConfigError> {
        opts.check()?;
        let measure = opts.parsed_measure()?;
        let n = opts.d_state.get();
        let (a0, b0) =
            hippo_tensors(measure, n).map_err(|e| ssm_config::ConfigError::new("measure", e.to_string()))?;
        let device = vs.device();
        let ssm = ParamGroup::Ssm.path(vs);
        let a = add_param(&ssm, "A", &a0.to_device(device), opts.learn_a);
        let b = add_param(&ssm, "B", &b0.to_device(device), opts.learn_b);
        // log Δ ~ U[log dt_min, log dt_max]: Δ log-uniform per channel.
        let (lo, hi) = (opts.dt_min.get().ln(), opts.dt_max.get().ln());
        let log_dt0 = Tensor::rand([d_model], (Kind::Float, device)) * (hi - lo) + lo;
        let log_dt = add_param(&ssm, "log_dt", &log_dt0, opts.learn_dt);
        let c = vs.var("C", &[d_model, n as i64], nn::Init::Randn { mean: 0.0, stdev: 1.0 });
        let d = ParamGroup::NoDecay.path(vs).var("D", &[d_model], nn::Init::Randn { mean: 0.0, stdev: 1.0 });
        let width = match opts.output {
            OutputKind::Glu => 2 * d_model,
            OutputKind::Gelu => d_model,
        };
        let out = nn::linear(vs / "out_proj", d_model, width, Default::default());
        Ok(Self { a, b, log_dt, c, d, out, output: opts.output })
    }

    /// Per-channel (Ā, B̄) for the current parameters.
    pub fn discrete(&self) -> (Tensor, Tensor) {
        bilinear(&self.a, &self.b, &self.log_dt.exp())
    }

    /// The kernel K (H, l) for the current parameters.
    pub fn kernel(&self, l: i64) -> Tensor {
        let (a_bar, b_bar) = self.discrete();
        krylov_kernel(&a_bar, &b_bar, &self.c, l)
    }

    /// The SSM alone through its convolutional view: `u` (B, H, L) → `K ∗ u + D·u`.
    pub fn ssm_conv(&self, u: &Tensor) -> Tensor {
        let l = *u.size().last().expect("u has a length axis");
        causal_conv(u, &self.kernel(l), &self.d)
    }

    /// The SSM alone through its recurrent view (slow; for checks and step-by-step inference).
    pub fn ssm_recurrent(&self, u: &Tensor) -> Tensor {
        let (a_bar, b_bar) = self.discrete();
        recurrence(&a_bar, &b_bar, &self.c, &self.d, u)
    }
}

impl Mixer for Lssl {
    fn forward(&self, xs: &Tensor, _train: bool) -> Tensor {
        let u = xs.transpose(1, 2); // (B, H, L)
        let y = self.ssm_conv(&u).gelu("none").transpose(1, 2); // (B, L, H)
        let z = self.out.forward(&y);
        match self.output {
            OutputKind::Glu => z.glu(-1),
            OutputKind::Gelu => z,
        }
    }
}
