//! Adam / AdamW with parameter groups (Kingma & Ba 2015, Alg. 1; Loshchilov & Hutter 2019,
//! Alg. 2), with its state kept in tensors so that checkpoints resume exactly.

use ssm_nn::{ParamGroup, Trainable};
use tch::{Kind, Tensor};

use crate::{OptimizerKind, TrainConfig};

struct Slot {
    param: Trainable,
    m: Tensor,
    v: Tensor,
}

pub struct AdamW {
    slots: Vec<Slot>,
    kind: OptimizerKind,
    beta1: f64,
    beta2: f64,
    eps: f64,
    /// Number of updates applied so far (t in the paper).
    pub t: i64,
}

/// (learning rate, weight decay) of each group at peak.
fn group_hparams(cfg: &TrainConfig, g: ParamGroup) -> (f64, f64) {
    match g {
        ParamGroup::Decay => (cfg.lr.get(), cfg.weight_decay.get()),
        ParamGroup::NoDecay => (cfg.lr.get(), 0.0),
        ParamGroup::Ssm => (cfg.ssm_lr(), cfg.ssm_weight_decay.get()),
    }
}

impl AdamW {
    pub fn new(params: Vec<Trainable>, cfg: &TrainConfig) -> Self {
        let slots = params
            .into_iter()
            .map(|p| {
                let m = p.tensor.zeros_like();
                let v = p.tensor.zeros_like();
                Slot { param: p, m, v }
            })
            .collect();
        Self { slots, kind: cfg.optimizer, beta1: cfg.beta1.get(), beta2: cfg.beta2.get(), eps: 1e-8, t: 0 }
    }

    pub fn zero_grad(&mut self) {
        for s in &mut self.slots {
            let mut g = s.param.tensor.grad();
            if g.defined() {
                let _ = g.detach_().zero_();
            }
        }
    }

    /// Global gradient L2 norm (over parameters that have a gradient).
    pub fn grad_norm(&self) -> f64 {
        tch::no_grad(|| {
            let sq: Vec<Tensor> = self
                .slots
                .iter()
                .map(|s| s.param.tensor.grad())
                .filter(|g| g.defined())
                .map(|g| g.to_kind(Kind::Float).square().sum(Kind::Float))
                .collect();
            if sq.is_empty() {
                return 0.0;
            }
            Tensor::stack(&sq, 0).sum(Kind::Float).sqrt().double_value(&[])
        })
    }

    /// Scales gradients so that their global norm is at most `max_norm`.
    pub fn clip_grad_norm(&mut self, max_norm: f64, norm: f64) {
        if norm > max_norm && norm.is_finite() {
            let scale = max_norm / (norm + 1e-6);
            tch::no_grad(|| {
                for s in &self.slots {
                    let mut g = s.param.tensor.grad();
                    if g.defined() {
                        let _ = g.g_mul_scalar_(scale);
                    }
                }
            });
        }
    }

    /// One update with every group's learning rate multiplied by `lr_scale`.
    pub fn step(&mut self, cfg: &TrainConfig, lr_scale: f64) {
        self.t += 1;
        let (b1, b2, eps, t) = (self.beta1, self.beta2, self.eps, self.t as i32);
        let bc1 = 1.0 - b1.powi(t);
        let bc2 = 1.0 - b2.powi(t);
        tch::no_grad(|| {
            for s in &mut self.slots {
                let mut g = s.param.tensor.grad();
                if !g.defined() {
                    continue;
                }
                let (lr, wd) = group_hparams(cfg, s.param.group);
                let lr = lr * lr_scale;
                let p = &mut s.param.tensor;
                if wd > 0.0 {
                    match self.kind {
                        // L2: g ← g + λθ.
                        OptimizerKind::Adam => g = &g + &*p * wd,
                        // Decoupled: θ ← θ − ηλθ.
                        OptimizerKind::Adamw => {
                            let _ = p.g_mul_scalar_(1.0 - lr * wd);
                        }
                    }
                }
                // m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g².
                let _ = s.m.g_mul_scalar_(b1).g_add_(&(&g * (1.0 - b1)));
                let _ = s.v.g_mul_scalar_(b2).g_add_(&(g.square() * (1.0 - b2)));
                // θ ← θ − η · m̂ / (√v̂ + ε), m̂ = m / (1 − β1ᵗ), v̂ = v / (1 − β2ᵗ).
                let denom = (&s.v / bc2).sqrt() + eps;
                let _ = p.g_sub_(&((&s.m / bc1) / denom * lr));
            }
        });
    }

    /// Optimizer state as named tensors, for the checkpoint.
    pub fn state(&self) -> Vec<(String, Tensor)> {
        let mut out = vec![("optim.t".to_string(), Tensor::from(self.t))];
        for s in &self.slots {
            out.push((format!("optim.m.{}", s.param.name), s.m.shallow_clone()));
            out.push((format!("optim.v.{}", s.param.name), s.v.shallow_clone()));
        }
        out
    }

    /// Restores the state written by [`AdamW::state`].
    pub fn load_state(&mut self, named: &std::collections::HashMap<String, Tensor>) -> anyhow::Result<()> {
        let t = named.get("optim.t").ok_or_else(|| anyhow::anyhow!("checkpoint has no optimizer state"))?;
        self.t = t.int64_value(&[]);
        tch::no_grad(|| -> anyhow::Result<()> {
            for s in &mut self.slots {
                for (key, dst) in [("m", &mut s.m), ("v", &mut s.v)] {
                    let name = format!("optim.{key}.{}", s.param.name);
                    let src = named.get(&name).ok_or_else(|| anyhow::anyhow!("checkpoint lacks {name}"))?;
                    dst.copy_(src);
                }
            }
            Ok(())
        })
    }
}
