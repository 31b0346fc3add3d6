//! Induction heads (Mamba paper §4.1.1, Table 11, App. E.1): train at length 256 on fresh batches
//! of 8, then test the final-token accuracy at lengths 2^6 … 2^20.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ssm_config::{parse_value, ConfigError, PositiveInt, Value};
use ssm_models::{LanguageModel, ModelConfig};
use ssm_tasks::{rng_for, Batch, InductionHeads, Stream, Task};
use ssm_train::{MetricRow, Objective, Split, StepOutput, Trainer};
use tch::{nn, Device};

use crate::eval::{evaluate_lengths, score, EvalSet};
use crate::length_report::Published;
use crate::{ExperimentKind, RunConfig, RunContext, RunResult, SummaryRow};

/// The `task:` section.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InductionHeadsTask {
    /// Vocabulary including the special token (the paper's 16).
    #[serde(default = "sixteen")]
    pub vocab_size: PositiveInt,
    #[serde(default = "train_len")]
    pub train_len: PositiveInt,
    /// Lengths of the fixed test sets (the paper's 2^6 … 2^20).
    #[serde(default = "test_lens")]
    pub test_lens: Vec<PositiveInt>,
    /// Examples per test length.
    #[serde(default = "examples")]
    pub test_examples: PositiveInt,
    /// Examples of the periodic validation set at the training length.
    #[serde(default = "examples")]
    pub val_examples: PositiveInt,
    /// Batch size of evaluation.
    #[serde(default = "eval_batch")]
    pub eval_batch: PositiveInt,
    /// Test lengths above this are recorded as `skipped` (with the reason), not run.
    #[serde(default)]
    pub max_test_len: Option<PositiveInt>,
}

fn sixteen() -> PositiveInt {
    PositiveInt(16)
}
fn train_len() -> PositiveInt {
    PositiveInt(256)
}
fn test_lens() -> Vec<PositiveInt> {
    (6..=20).map(|p| PositiveInt(1 << p)).collect()
}
fn examples() -> PositiveInt {
    PositiveInt(256)
}
fn eval_batch() -> PositiveInt {
    PositiveInt(8)
}

impl InductionHeadsTask {
    fn generator(&self) -> InductionHeads {
        InductionHeads { vocab_size: self.vocab_size.get() }
    }

    fn check(&self) -> Result<(), ConfigError> {
        let gen = self.generator();
        if self.vocab_size.get() < 3 {
            return Err(ConfigError::new("vocab_size", format!("must be at least 3, got {}", self.vocab_size)));
        }
        if self.train_len.get() < gen.min_len() {
            return Err(ConfigError::new("train_len", format!("must be at least {}, got {}", gen.min_len(), self.train_len)));
        }
        if self.test_lens.is_empty() {
            return Err(ConfigError::new("test_lens", "at least one test length is needed"));
        }
        for (i, l) in self.test_lens.iter().enumerate() {
            if l.get() < gen.min_len() {
                return Err(ConfigError::new(format!("test_lens[{i}]"), format!("must be at least {}, got {l}", gen.min_len())));
            }
        }
        Ok(())
    }
}

/// Mamba paper, Table 11 (accuracy %, ✓ = 100, lengths 2^6 … 2^20).
const PUBLISHED: Published = Published {
    source: "Mamba paper (Gu & Dao 2023), Table 11",
    lengths: &[1 << 6, 1 << 7, 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12, 1 << 13, 1 << 14, 1 << 15, 1 << 16, 1 << 17, 1 << 18, 1 << 19, 1 << 20],
    rows: &[
        ("MHA-Abs", &["✓", "99.6", "100", "58.6", "26.6", "18.8", "9.8", "10.9", "7.8", "OOM", "OOM", "OOM", "OOM", "OOM", "OOM"]),
        ("MHA-RoPE", &["✓", "✓", "100", "83.6", "31.3", "18.4", "8.6", "9.0", "5.5", "OOM", "OOM", "OOM", "OOM", "OOM", "OOM"]),
        ("MHA-xPos", &["✓", "✓", "100", "99.6", "67.6", "25.4", "7.0", "9.0", "7.8", "OOM", "OOM", "OOM", "OOM", "OOM", "OOM"]),
        ("H3", &["✓", "✓", "100", "80.9", "39.5", "23.8", "14.8", "8.2", "5.9", "6.6", "8.2", "4.7", "8.2", "6.3", "7.4"]),
        ("Hyena", &["97.7", "✓", "100", "✓", "44.1", "12.5", "6.6", "5.1", "7.0", "5.9", "6.6", "6.6", "5.9", "6.3", "9.8"]),
        ("Mamba", &["✓", "✓", "100", "✓", "✓", "✓", "✓", "✓", "✓", "✓", "✓", "✓", "✓", "✓", "✓"]),
    ],
};

pub struct InductionHeadsExperiment;

impl ExperimentKind for InductionHeadsExperiment {
    fn name(&self) -> &'static str {
        "induction_heads"
    }

    fn summary(&self) -> &'static str {
        "Mamba paper induction heads: train at 256, final-token accuracy at 2^6..2^20 (Table 11)"
    }

    fn smoke_patch(&self) -> Value {
        serde_yaml::from_str(
            "task: {train_len: 32, test_lens: [16, 32, 64, 128], test_examples: 16, val_examples: 16}\n\
             train: {steps: 12, log_every: 4, eval_every: 6, checkpoint_every: 6}\n\
             note: smoke test (tiny budget, not comparable with the paper)\n",
        )
        .expect("static YAML")
    }

    fn validate_task(&self, task: &Value) -> Result<(), ConfigError> {
        parse_value::<InductionHeadsTask>(task)?.check()
    }

    fn validate_model(&self, task: &Value, model: &ModelConfig) -> Result<(), ConfigError> {
        let task: InductionHeadsTask = parse_value(task)?;
        let (factory, options) = model.mixer_parts()?;
        if factory.absolute_positions(&options) && model.max_positions.get() < task.train_len.get() {
            return Err(ConfigError::new(
                "max_positions",
                format!("{} is below task.train_len = {}", model.max_positions, task.train_len),
            ));
        }
        Ok(())
    }

    fn run(&self, run: &RunConfig, ctx: &RunContext) -> anyhow::Result<RunResult> {
        let task: InductionHeadsTask = parse_value(&run.task).map_err(|e| anyhow::anyhow!("task: {e}"))?;
        let gen = task.generator();
        tch::manual_seed(run.seed as i64);
        let mut vs = nn::VarStore::new(ctx.device);
        let model = LanguageModel::new(&vs.root(), &run.model, gen.vocab_size)
            .map_err(|e| anyhow::anyhow!("model: {e}"))?;
        let parameters: i64 = vs.trainable_variables().iter().map(|t| t.numel() as i64).sum();
        let val = EvalSet::new(&gen, task.train_len.get(), task.val_examples.get(), task.eval_batch.get(), run.seed, Stream::Validation)?;
        let mut objective = InductionObjective { model: &model, gen, task: &task, seed: run.seed, batch: run.train.batch_size.get(), device: ctx.device, val };
        let trainer = Trainer { cfg: &run.train, dir: ctx.dir, label: run.run_id.clone(), seed: run.seed };
        let outcome = trainer.run(&mut vs, &mut objective, ctx.resume)?;
        let mut metrics = outcome.metrics;
        let tests = if outcome.status == ssm_train::RunStatus::Diverged {
            Vec::new()
        } else {
            evaluate_lengths(&model, &gen, &task.test_lens.iter().map(|l| l.get()).collect::<Vec<_>>(), &crate::eval::TestOptions {
                examples: task.test_examples.get(),
                batch: task.eval_batch.get(),
                seed: run.seed,
                max_len: task.max_test_len.map(|m| m.get()),
                model_max_len: model.max_len(),
                device: ctx.device,
                step: outcome.steps_done,
                label: &run.run_id,
            })
        };
        metrics.rows.extend(tests.iter().cloned());
        metrics.flush()?;
        crate::curves::plot_training_curves(ctx.dir, &run.run_id, &metrics.rows)?;
        let rows = tests
            .iter()
            .map(|r| SummaryRow {
                run_id: run.run_id.clone(),
                model: run.model.name.clone(),
                lr: run.train.lr.get(),
                seed: run.seed,
                budget: run.budget.as_str().to_string(),
                run_status: outcome.status.as_str().to_string(),
                steps: outcome.steps_done,
                parameters,
                seq_len: r.seq_len,
                loss: r.loss,
                accuracy: r.accuracy,
                status: r.status.clone(),
                note: r.note.clone(),
            })
            .collect();
        Ok(RunResult { status: outcome.status, steps_done: outcome.steps_done, parameters, rows })
    }

    fn report(&self, sweep_dir: &Path, reports_dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
        crate::length_report::write(self.name(), "Induction heads", sweep_dir, reports_dir, Some(&PUBLISHED))
    }
}

struct InductionObjective<'a> {
    model: &'a LanguageModel,
    gen: InductionHeads,
    task: &'a InductionHeadsTask,
    seed: u64,
    batch: usize,
    device: Device,
    val: EvalSet,
}

impl Objective for InductionObjective<'_> {
    fn train_step(&mut self, step: usize) -> anyhow::Result<StepOutput> {
        let len = self.task.train_len.get();
        let batch: Batch = self.gen.sample(len, self.batch, &mut rng_for(self.seed, Stream::Train, step as u64))?;
        let (inputs, targets) = crate::eval::to_tensors(&batch, self.device);
        let logits = self.model.forward(&inputs, true);
        let (loss, correct, count) = score(&logits, &targets);
        Ok(StepOutput { loss, correct, count, tokens: len * self.batch })
    }

    fn validate(&mut self, step: usize) -> anyhow::Result<Vec<MetricRow>> {
        let (loss, acc) = self.val.evaluate(self.model, self.device);
        Ok(vec![MetricRow::ok(step, Split::Val, self.task.train_len.get(), loss, acc)])
    }
}

