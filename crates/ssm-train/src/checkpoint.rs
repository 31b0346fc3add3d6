//! `checkpoint.safetensors`: model variables, optimizer state and the step, written atomically.

use std::collections::HashMap;
use std::path::Path;

use tch::{nn, Tensor};

use crate::atomic;
use crate::optim::AdamW;

pub const FILE: &str = "checkpoint.safetensors";

pub fn save(dir: &Path, vs: &nn::VarStore, opt: &AdamW, step: usize) -> anyhow::Result<()> {
    let mut named: Vec<(String, Tensor)> = vs
        .variables()
        .into_iter()
        .map(|(k, v)| (format!("model.{k}"), v.to_device(tch::Device::Cpu)))
        .collect();
    named.extend(opt.state().into_iter().map(|(k, v)| (k, v.to_device(tch::Device::Cpu))));
    named.push(("trainer.step".into(), Tensor::from(step as i64)));
    named.sort_by(|a, b| a.0.cmp(&b.0));
    atomic::write_with(&dir.join(FILE), |tmp| -> anyhow::Result<()> {
        Tensor::write_safetensors(&named, tmp)?;
        Ok(())
    })
}

/// Loads a checkpoint into the model and the optimizer; returns the step it was taken at.
pub fn load(dir: &Path, vs: &mut nn::VarStore, opt: &mut AdamW) -> anyhow::Result<usize> {
    let path = dir.join(FILE);
    let device = vs.device();
    let named: HashMap<String, Tensor> = Tensor::read_safetensors(&path)
        .map_err(|e| anyhow::anyhow!("cannot read checkpoint {}: {e}", path.display()))?
        .into_iter()
        .map(|(k, v)| (k, v.to_device(device)))
        .collect();
    tch::no_grad(|| -> anyhow::Result<()> {
        for (name, mut var) in vs.variables() {
            let src = named
                .get(&format!("model.{name}"))
                .ok_or_else(|| anyhow::anyhow!("checkpoint {} lacks variable {name}", path.display()))?;
            var.copy_(src);
        }
        Ok(())
    })?;
    opt.load_state(&named)?;
    let step = named.get("trainer.step").ok_or_else(|| anyhow::anyhow!("checkpoint lacks trainer.step"))?;
    Ok(step.int64_value(&[]) as usize)
}
