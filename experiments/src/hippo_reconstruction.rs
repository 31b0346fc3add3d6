//! HiPPO online function approximation (HiPPO paper, Gu, Dao, Ermon, Rudra, Ré 2020, §2-3 and
//! the reconstruction figures of §5 / App. F): random band-limited and fixed signals streamed
//! through the LegT, LagT, LegS (and FouT) recurrences at several state sizes N, with the
//! reconstruction error over time. Nothing is trained.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use ssm_config::{parse_value, ConfigError, Value};
use ssm_train::metrics::write_csv;
use ssm_train::RunStatus;

use crate::hippo::reconstruct::{reconstruct, signal_curve, Outcome};
use crate::hippo::report::{CURVES, ERRORS, FINAL};
use crate::hippo::signals::signals;
use crate::hippo::task::HippoTask;
use crate::{ExperimentKind, RunConfig, RunContext, RunResult, SummaryRow};

pub use crate::hippo::task::{HippoTask as Task, Resolved};

pub struct HippoReconstructionExperiment;

impl ExperimentKind for HippoReconstructionExperiment {
    fn name(&self) -> &'static str {
        "hippo_reconstruction"
    }

    fn summary(&self) -> &'static str {
        "HiPPO online reconstruction of band-limited signals: LegT/LagT/LegS/FouT x N, error over time (no training)"
    }

    fn trains_models(&self) -> bool {
        false
    }

    fn smoke_patch(&self) -> Value {
        serde_yaml::from_str(
            "task: {orders: [16], length: 512, random_signals: 1, fixed_signals: [step], checkpoints: 8, heatmap_order: 8}\n\
             note: smoke test (short signals, one state size)\n",
        )
        .expect("static YAML")
    }

    fn validate_task(&self, task: &Value) -> Result<(), ConfigError> {
        parse_value::<HippoTask>(task)?.resolve().map(|_| ())
    }

    fn run(&self, run: &RunConfig, ctx: &RunContext) -> anyhow::Result<RunResult> {
        let task = parse_value::<HippoTask>(&run.task)
            .and_then(|t| t.resolve())
            .map_err(|e| anyhow::anyhow!("task.{e}"))?;
        let sigs = signals(&task, run.seed);
        // The figure shows the first signal (the first random one when there is one).
        let mut jobs: Vec<(usize, ssm_hippo::Measure, usize)> = Vec::new();
        for s in 0..sigs.len() {
            for &m in &task.measures {
                jobs.extend(task.orders.iter().map(|&n| (s, m, n)));
            }
        }
        let outcomes: Vec<Outcome> = jobs
            .par_iter()
            .map(|&(s, m, n)| reconstruct(&sigs[s], m, n, &task, s == 0))
            .collect::<anyhow::Result<_>>()?;

        let mut curves = signal_curve(&sigs[0], 1.0 / task.length as f64);
        let mut errors = Vec::new();
        let mut finals = Vec::new();
        for o in outcomes {
            errors.extend(o.errors);
            finals.push(o.last);
            curves.extend(o.curve);
        }
        write_csv(&ctx.dir.join(ERRORS), &errors)?;
        write_csv(&ctx.dir.join(FINAL), &finals)?;
        write_csv(&ctx.dir.join(CURVES), &curves)?;

        // Summary: one row per (measure, N), the final RMSE averaged over the random signals
        // (over every signal when there is no random one).
        let random = finals.iter().any(|r| r.signal_kind == "random");
        let mut rows = Vec::new();
        for m in &task.measures {
            for &n in &task.orders {
                let picked: Vec<_> = finals
                    .iter()
                    .filter(|r| r.measure == m.name() && r.n == n && (!random || r.signal_kind == "random"))
                    .collect();
                let mse = picked.iter().map(|r| r.mse).sum::<f64>() / picked.len().max(1) as f64;
                rows.push(SummaryRow {
                    run_id: run.run_id.clone(),
                    model: format!("{}-N{n}", m.name()),
                    lr: 0.0,
                    seed: run.seed,
                    budget: run.budget.as_str().to_string(),
                    run_status: RunStatus::Completed.as_str().to_string(),
                    steps: 0,
                    parameters: 0,
                    seq_len: task.length,
                    loss: Some(mse),
                    accuracy: None,
                    status: "ok".into(),
                    note: format!(
                        "{} N={n}: RMSE {:.2e} at t = 1 (loss = MSE), mean over {} {}signal(s)",
                        m.name(),
                        mse.sqrt(),
                        picked.len(),
                        if random { "random " } else { "" }
                    ),
                });
            }
        }
        Ok(RunResult { status: RunStatus::Completed, steps_done: 0, parameters: 0, rows })
    }

    fn report(&self, sweep_dir: &Path, reports_dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
        crate::hippo::report::write(sweep_dir, reports_dir)
    }
}
