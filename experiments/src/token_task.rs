//! Token-sequence tasks trained as language models (induction heads, associative recall, MQAR,
//! selective copying, copying): train at `task.train_len` on a fresh batch every step (or, with
//! `task.train_examples`, on a fixed training set in seeded per-epoch shuffles), validate on a
//! fixed set at the training length, then score fixed test sets at `task.test_lens`.
//!
//! The training loss covers the scored answer, or with `train.loss_positions: all` every
//! next-token position (tasks whose examples are one token sequence only); validation and tests
//! always score the answer alone.
//!
//! The `task:` section holds the schedule keys of [`Schedule`] next to the generator's own
//! options (ssm-tasks), both checked strictly: an unknown key is an error naming it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ssm_config::{parse_value, ConfigError, Mapping, PositiveInt, Value};
use ssm_models::{LanguageModel, ModelConfig};
use ssm_tasks::{rng_for, task_from_options, Batch, FixedSet, Stream, Task};
use ssm_train::{LossPositions, MetricRow, Objective, Split, StepOutput, TrainConfig, Trainer};
use tch::{nn, Device, Tensor};

use crate::eval::{accuracy, evaluate_lengths, inputs_tensor, loss, score, targets_tensor, EvalSet, TestOptions};
use crate::length_report::Published;
use crate::{ExperimentKind, RunConfig, RunContext, RunResult, SummaryRow};

/// The schedule keys of a token task's `task:` section (the rest are the generator's options).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// Length of the training sequences.
    pub train_len: PositiveInt,
    /// Lengths of the fixed test sets (default: the training length alone).
    #[serde(default)]
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
    /// Train on a fixed set of this many distinct examples, drawn once from the run's seed and
    /// visited in a seeded shuffle every epoch ([`FixedSet`]; safari's `num_examples`). Absent
    /// (or `~`): a fresh batch every step.
    #[serde(default)]
    pub train_examples: Option<PositiveInt>,
}

const SCHEDULE_KEYS: &[&str] =
    &["train_len", "test_lens", "test_examples", "val_examples", "eval_batch", "max_test_len", "train_examples"];

fn examples() -> PositiveInt {
    PositiveInt(256)
}
fn eval_batch() -> PositiveInt {
    PositiveInt(8)
}

impl Schedule {
    /// The test lengths (the training length when none are given).
    pub fn test_lens(&self) -> Vec<usize> {
        if self.test_lens.is_empty() {
            vec![self.train_len.get()]
        } else {
            self.test_lens.iter().map(|l| l.get()).collect()
        }
    }
}

/// The `--smoke` patch of a token task: its `task` keys (a YAML flow mapping), then the tiny
/// training budget every token task shares; a second literal adds keys to that budget
/// (ending in ", ").
macro_rules! token_smoke {
    ($task:literal) => {
        $crate::token_task::token_smoke!($task, "")
    };
    ($task:literal, $train_extra:literal) => {
        concat!(
            "task: ",
            $task,
            "\ntrain: {steps: 12, batch_size: 4, warmup_steps: 2, ",
            $train_extra,
            "log_every: 4, eval_every: 6, checkpoint_every: 6}\n",
            "note: smoke test (tiny budget, not comparable with the paper)\n"
        )
    };
}
pub(crate) use token_smoke;

/// A token task experiment: which generator, what its report compares with.
pub struct TokenTaskExperiment {
    /// The `experiment:` name.
    pub name: &'static str,
    /// The generator's name in ssm-tasks.
    pub task: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    /// The built-in `--smoke` patch (YAML).
    pub smoke: &'static str,
    pub published: Option<&'static Published>,
}

/// The section split into the schedule and the generator it configures.
pub struct TaskSection {
    pub schedule: Schedule,
    pub generator: Box<dyn Task>,
}

impl TokenTaskExperiment {
    /// Parses and checks `task:`: the schedule, the generator's options, and that the generator
    /// can produce sequences at every length asked for.
    pub fn section(&self, task: &Value) -> Result<TaskSection, ConfigError> {
        let empty = Mapping::new();
        let map = match task {
            Value::Mapping(m) => m,
            Value::Null => &empty,
            _ => return Err(ConfigError::new("", "expected a mapping of task options")),
        };
        let (mut schedule, mut options) = (Mapping::new(), Mapping::new());
        for (k, v) in map {
            let is_schedule = k.as_str().is_some_and(|k| SCHEDULE_KEYS.contains(&k));
            if is_schedule { &mut schedule } else { &mut options }.insert(k.clone(), v.clone());
        }
        let schedule: Schedule = parse_value(&Value::Mapping(schedule))?;
        let generator = task_from_options(self.task, &Value::Mapping(options)).map_err(|mut e| {
            if e.message.contains("unknown field") {
                e.message += &format!(" (or a schedule key: {})", SCHEDULE_KEYS.join(", "));
            }
            e
        })?;
        let lens = schedule.test_lens();
        let checks = std::iter::once(("train_len".to_string(), schedule.train_len.get()))
            .chain(schedule.test_lens.iter().enumerate().map(|(i, l)| (format!("test_lens[{i}]"), l.get())));
        for (key, len) in checks {
            if schedule.max_test_len.is_some_and(|m| len > m.get()) && key != "train_len" {
                continue;
            }
            generator
                .sample(len, 1, &mut rng_for(0, Stream::Validation, 0))
                .map_err(|e| ConfigError::new(key, format!("the {} task cannot be made at length {len}: {e}", self.task)))?;
        }
        debug_assert!(!lens.is_empty());
        Ok(TaskSection { schedule, generator })
    }
}

impl ExperimentKind for TokenTaskExperiment {
    fn name(&self) -> &'static str {
        self.name
    }

    fn summary(&self) -> &'static str {
        self.summary
    }

    fn smoke_patch(&self) -> Value {
        serde_yaml::from_str(self.smoke).expect("static YAML")
    }

    fn validate_task(&self, task: &Value) -> Result<(), ConfigError> {
        self.section(task).map(|_| ())
    }

    fn validate_model(&self, task: &Value, model: &ModelConfig) -> Result<(), ConfigError> {
        let train_len = self.section(task)?.schedule.train_len.get();
        crate::kind::check_model_length(model, train_len, &format!("task.train_len = {train_len}"))
    }

    /// `loss_positions: all` needs a task whose examples are one token sequence, so that every
    /// position has the next input as its label.
    fn validate_train(&self, task: &Value, train: &TrainConfig) -> Result<(), ConfigError> {
        if train.loss_positions == LossPositions::All {
            let generator = self.section(task).map_err(|e| ConfigError::new("loss_positions", format!("task: {e}")))?.generator;
            if !generator.is_next_token_sequence() {
                return Err(ConfigError::new(
                    "loss_positions",
                    format!(
                        "`all` labels every position with the next input token, but the {} task's scored targets \
                         are not its next inputs; use `answer`",
                        generator.name()
                    ),
                ));
            }
        }
        Ok(())
    }

    fn run(&self, run: &RunConfig, ctx: &RunContext) -> anyhow::Result<RunResult> {
        let TaskSection { schedule, generator } = self.section(&run.task).map_err(|e| anyhow::anyhow!("task: {e}"))?;
        tch::manual_seed(run.seed as i64);
        let mut vs = nn::VarStore::new(ctx.device);
        let model = LanguageModel::new(&vs.root(), &run.model, generator.vocab_size())
            .map_err(|e| anyhow::anyhow!("model: {e}"))?;
        let parameters: i64 = vs.trainable_variables().iter().map(|t| t.numel() as i64).sum();
        let train_len = schedule.train_len.get();
        let val = EvalSet::new(&*generator, train_len, schedule.val_examples.get(), schedule.eval_batch.get(), run.seed, Stream::Validation)?;
        let batch = run.train.batch_size.get();
        let data = match schedule.train_examples {
            None => TrainData::Fresh,
            Some(n) => TrainData::Fixed(
                FixedSet::new(&*generator, train_len, n.get(), batch, run.seed).map_err(|e| anyhow::anyhow!("task.{e}"))?,
            ),
        };
        let mut objective = TokenObjective {
            model: &model,
            generator: &*generator,
            train_len,
            seed: run.seed,
            batch,
            data,
            loss_positions: run.train.loss_positions,
            device: ctx.device,
            val,
        };
        let trainer = Trainer { cfg: &run.train, dir: ctx.dir, label: run.run_id.clone(), seed: run.seed };
        let outcome = trainer.run(&mut vs, &mut objective, ctx.resume)?;
        let mut metrics = outcome.metrics;
        let tests = if outcome.status == ssm_train::RunStatus::Diverged {
            Vec::new()
        } else {
            evaluate_lengths(&model, &*generator, &schedule.test_lens(), &TestOptions {
                examples: schedule.test_examples.get(),
                batch: schedule.eval_batch.get(),
                seed: run.seed,
                max_len: schedule.max_test_len.map(|m| m.get()),
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
        crate::length_report::write(self.name, self.title, sweep_dir, reports_dir, self.published)
    }
}

/// Where the training batches come from.
enum TrainData {
    /// A fresh batch every step.
    Fresh,
    /// `task.train_examples`: a fixed set in per-epoch shuffles.
    Fixed(FixedSet),
}

/// The targets the training loss is taken over: the task's scored targets (`answer`), or with
/// `all` every next-token position as well ([`Batch::with_next_token_targets`]: the target at
/// position `i` is input `i + 1`; the last position keeps the answer).
pub fn training_targets(batch: &Batch, positions: LossPositions) -> Batch {
    match positions {
        LossPositions::Answer => batch.clone(),
        LossPositions::All => batch.with_next_token_targets(),
    }
}

/// The training loss of `logits` (batch, length, vocabulary) on `batch` over `positions`, and
/// the (correct, scored) counts on the answer alone, as evaluation counts them.
pub fn training_loss(logits: &Tensor, batch: &Batch, positions: LossPositions) -> (Tensor, i64, i64) {
    let answer = targets_tensor(batch, logits.device());
    match positions {
        LossPositions::Answer => score(logits, &answer),
        LossPositions::All => {
            let (correct, count) = accuracy(logits, &answer);
            let every = targets_tensor(&training_targets(batch, positions), logits.device());
            (loss(logits, &every), correct, count)
        }
    }
}

/// Training batch `s` is a function of the seed and `s` alone (fresh, or the fixed set's order),
/// so a resumed run sees the same data; validation runs on the fixed validation set.
struct TokenObjective<'a> {
    model: &'a LanguageModel,
    generator: &'a dyn Task,
    train_len: usize,
    seed: u64,
    batch: usize,
    data: TrainData,
    loss_positions: LossPositions,
    device: Device,
    val: EvalSet,
}

impl Objective for TokenObjective<'_> {
    fn train_step(&mut self, step: usize) -> anyhow::Result<StepOutput> {
        let batch = match &mut self.data {
            TrainData::Fresh => {
                self.generator.sample(self.train_len, self.batch, &mut rng_for(self.seed, Stream::Train, step as u64))?
            }
            TrainData::Fixed(set) => set.batch_at(step),
        };
        let logits = self.model.forward(&inputs_tensor(&batch, self.device), true);
        let (loss, correct, count) = training_loss(&logits, &batch, self.loss_positions);
        Ok(StepOutput { loss, correct, count, tokens: self.train_len * batch.batch })
    }

    fn validate(&mut self, step: usize) -> anyhow::Result<Vec<MetricRow>> {
        let (loss, acc) = self.val.evaluate(self.model, self.device);
        Ok(vec![MetricRow::ok(step, Split::Val, self.train_len, loss, acc)])
    }
}
