#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const TINY: &str = "\
experiment: induction_heads
seed: 3
task: {train_len: 16, test_lens: [16, 32], test_examples: 8, val_examples: 8, eval_batch: 4}
train: {steps: 8, batch_size: 4, lr: 1.0e-3, log_every: 2, eval_every: 4, checkpoint_every: 4}
models:
  - name: tiny
    d_model: 16
    n_layers: 1
    mixer: {kind: attention, heads: 2}
";

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ssm-lab"));
    c.env_remove("SSM_LAB_INTERRUPT_AT_STEP");
    c
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// The only sweep folder under `out/<name>/`.
pub fn sweep_dir(out: &Path, name: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(out.join(name)).unwrap().map(|e| e.unwrap().path()).collect();
    dirs.sort();
    dirs.pop().unwrap()
}
