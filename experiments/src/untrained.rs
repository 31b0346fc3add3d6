//! Plans of experiment kinds that train no model ([`ExperimentKind::trains_models`] is false):
//! one run per seed, the `task:` section under the budget's task patch (command-line overrides
//! winning over both), no `train:` or `models:` section. Their runs carry zero-step
//! placeholders for the training settings and the model, which the saved run configs leave out.

use ssm_config::{deep_merge, parse_value, ConfigError, ConfigSource, PositiveFloat, PositiveInt, Value};
use ssm_models::ModelConfig;
use ssm_train::TrainConfig;

use crate::budget::BudgetPatch;
use crate::{Budget, ExperimentFile, ExperimentKind, Plan, RunConfig};

/// Training settings of a run that trains nothing: zero steps, learning rate 0.
pub(crate) fn no_training() -> TrainConfig {
    let yaml: Value = serde_yaml::from_str("{steps: 1, batch_size: 1, lr: 1.0}").expect("static YAML");
    let mut t: TrainConfig = parse_value(&yaml).expect("a valid train section");
    t.steps = PositiveInt(0);
    t.lr = PositiveFloat(0.0);
    t
}

/// True for [`no_training`]'s value (a parsed `train:` section always has steps ≥ 1).
pub(crate) fn is_no_training(t: &TrainConfig) -> bool {
    t.steps.get() == 0
}

/// The model of a run that has none: named `none`, with no mixer.
pub(crate) fn no_model() -> ModelConfig {
    let yaml: Value = serde_yaml::from_str("{name: none, d_model: 1, n_layers: 1, mixer: null}").expect("static YAML");
    parse_value(&yaml).expect("a valid placeholder model")
}

/// True for [`no_model`]'s value (a validated model always has a mixer mapping).
pub(crate) fn is_no_model(m: &ModelConfig) -> bool {
    m.mixer.is_null()
}

/// One run per seed of a kind that trains no model.
pub(crate) fn plan_runs(
    kind: &'static dyn ExperimentKind,
    file: &ExperimentFile,
    patch: &BudgetPatch,
    source: &ConfigSource,
    budget: Budget,
    name: String,
) -> Result<Plan, ConfigError> {
    let refuse = |path: &str| {
        source.error(path, format!("experiment `{}` trains no model; remove this section", kind.name()))
    };
    for section in ["train", "models"] {
        if source.get(section).is_some() {
            return Err(refuse(section));
        }
    }
    let at = format!("budgets.{}", budget.as_str());
    if patch.train.is_some() {
        return Err(refuse(&format!("{at}.train")));
    }
    if patch.models.is_some() {
        return Err(refuse(&format!("{at}.models")));
    }
    let mut task = file.task.clone();
    if let Some(p) = &patch.task {
        deep_merge(&mut task, p);
    }
    let task = crate::plan::with_overrides(source, "task", task)?;
    kind.validate_task(&task).map_err(|e| source.place(e, "task"))?;
    let seeds = patch.seed.clone().unwrap_or_else(|| file.seed.clone()).0;
    let runs = seeds
        .iter()
        .map(|&seed| RunConfig {
            experiment: kind.name().to_string(),
            name: name.clone(),
            run_id: format!("{name}-s{seed}"),
            seed,
            budget,
            budget_note: patch.note.clone(),
            task: task.clone(),
            train: no_training(),
            model: no_model(),
        })
        .collect();
    Ok(Plan { kind, name, budget, runs, document: source.value.clone() })
}
