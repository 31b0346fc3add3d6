use serde::{Deserialize, Serialize};
use ssm_config::{deep_merge, ConfigError, ConfigSource, Mapping, OneOrMany, Value};
use ssm_models::ModelConfig;
use ssm_train::TrainConfig;

use crate::budget::{BudgetPatch, Budgets};
use crate::{experiment_kind, experiment_names, Budget, ExperimentKind};

/// A config file as written: shared sections, sweep axes (`seed`, `train.lr`, `models`), budgets.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentFile {
    /// The experiment kind (`ssm-lab list` shows them).
    pub experiment: String,
    /// Results go to `results/<name>/`; defaults to the kind's name.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default = "one_seed")]
    pub seed: OneOrMany<u64>,
    pub task: Value,
    /// Required unless the kind trains no model ([`ExperimentKind::trains_models`]).
    #[serde(default)]
    pub train: Value,
    #[serde(default)]
    pub models: Vec<Value>,
    #[serde(default)]
    pub budgets: Budgets,
}

fn one_seed() -> OneOrMany<u64> {
    OneOrMany(vec![1])
}

/// The fully resolved config of one run, saved as the run folder's `config.yaml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    pub experiment: String,
    pub name: String,
    pub run_id: String,
    pub seed: u64,
    pub budget: Budget,
    #[serde(default)]
    pub budget_note: Option<String>,
    pub task: Value,
    /// Left out of the saved config (and a zero-step placeholder) for kinds that train no model.
    #[serde(default = "crate::untrained::no_training", skip_serializing_if = "crate::untrained::is_no_training")]
    pub train: TrainConfig,
    #[serde(default = "crate::untrained::no_model", skip_serializing_if = "crate::untrained::is_no_model")]
    pub model: ModelConfig,
}

/// Every run of a config, in order.
pub struct Plan {
    pub kind: &'static dyn ExperimentKind,
    pub name: String,
    pub budget: Budget,
    pub runs: Vec<RunConfig>,
    /// The document after overrides (saved beside the sweep).
    pub document: Value,
}

const MODEL_PATCH_KEYS: [&str; 2] = ["train", "task"];

/// Validates a config and expands it into runs. Every error names its key and origin.
pub fn plan(source: &ConfigSource, budget: Budget) -> Result<Plan, ConfigError> {
    plan_models(source, budget, None)
}

/// [`plan`] for the named models only (`ssm-lab run --models`): the selection replaces the
/// budget's `models:` list, and it is kept in the saved document so that a resumed sweep runs
/// the same subset. A name the config does not have is an error.
pub fn plan_models(source: &ConfigSource, budget: Budget, only: Option<&[String]>) -> Result<Plan, ConfigError> {
    let model_names = |doc: Option<&Value>| -> Vec<String> {
        match doc {
            Some(Value::Sequence(models)) => {
                models.iter().filter_map(|m| m.get("name").and_then(Value::as_str).map(String::from)).collect()
            }
            _ => Vec::new(),
        }
    };
    if let Some(names) = only {
        let known = model_names(source.get("models"));
        if let Some(bad) = names.iter().find(|n| !known.contains(n)) {
            return Err(ConfigError::new("", format!("--models: no model `{bad}` in this config; known: {}", known.join(", "))));
        }
    }
    let mut plan = plan_all(source, budget, only)?;
    if let (Some(names), Some(Value::Sequence(models))) = (only, plan.document.get_mut("models")) {
        models.retain(|m| m.get("name").and_then(Value::as_str).is_some_and(|n| names.iter().any(|x| x == n)));
    }
    Ok(plan)
}

fn plan_all(source: &ConfigSource, budget: Budget, only: Option<&[String]>) -> Result<Plan, ConfigError> {
    let file: ExperimentFile = source.parse()?;
    let kind = experiment_kind(&file.experiment).ok_or_else(|| {
        source.error(
            "experiment",
            format!("unknown experiment `{}`; known: {}", file.experiment, experiment_names().join(", ")),
        )
    })?;
    let patch = budget_patch(kind, &file.budgets, budget, source)?;
    let name = file.name.clone().unwrap_or_else(|| kind.name().to_string());
    check_name(&name).map_err(|m| source.error("name", m))?;
    if !kind.trains_models() {
        return crate::untrained::plan_runs(kind, &file, &patch, source, budget, name);
    }
    if file.train.is_null() {
        return Err(source.error("train", "missing section `train` (steps, batch_size, lr, ...)"));
    }
    if file.models.is_empty() {
        return Err(source.error("models", "at least one model is needed"));
    }

    let seeds = patch.seed.clone().unwrap_or_else(|| file.seed.clone()).0;
    let mut runs = Vec::new();
    let mut names = std::collections::HashSet::new();
    for (i, raw) in file.models.iter().enumerate() {
        let at = format!("models[{i}]");
        let (model_value, model_patches) = split_model(raw);
        let model_value = layered(&model_value, None, patch.model.as_ref());
        let model = ModelConfig::from_value(&model_value).map_err(|e| source.place(e, &at))?;
        check_name(&model.name).map_err(|m| source.error(&format!("{at}.name"), m))?;
        if !names.insert(model.name.clone()) {
            return Err(source.error(&format!("{at}.name"), format!("duplicate model name `{}`", model.name)));
        }
        let task = layered(&file.task, model_patches.get("task"), patch.task.as_ref());
        let task = with_overrides(source, "task", task)?;
        kind.validate_task(&task).map_err(|e| place_layered(source, e, "task", &at, model_patches.get("task")))?;
        kind.validate_model(&task, &model).map_err(|e| source.place(e, &at))?;
        let selected = match (only, &patch.models) {
            (Some(names), _) => names.contains(&model.name),
            (None, Some(names)) => names.contains(&model.name),
            (None, None) => true,
        };
        if !selected {
            continue;
        }
        let train = layered(&file.train, model_patches.get("train"), patch.train.as_ref());
        let train = with_overrides(source, "train", train)?;
        for (j, lr) in learning_rates(&train).into_iter().enumerate() {
            let mut train_one = train.clone();
            if let (Value::Mapping(m), false) = (&mut train_one, lr.is_null()) {
                m.insert("lr".into(), lr.clone());
            }
            let place = |e: ConfigError| {
                let e = if e.path == "lr" && learning_rates(&train).len() > 1 {
                    ConfigError { path: format!("lr[{j}]"), ..e }
                } else {
                    e
                };
                place_layered(source, e, "train", &at, model_patches.get("train"))
            };
            let train_cfg: TrainConfig = ssm_config::parse_value(&train_one).map_err(place)?;
            train_cfg.validate().map_err(place)?;
            kind.validate_train(&task, &train_cfg).map_err(place)?;
            for &seed in &seeds {
                runs.push(RunConfig {
                    experiment: kind.name().to_string(),
                    name: name.clone(),
                    run_id: format!("{}-lr{}-s{seed}", model.name, train_cfg.lr),
                    seed,
                    budget,
                    budget_note: patch.note.clone(),
                    task: task.clone(),
                    train: train_cfg.clone(),
                    model: model.clone(),
                });
            }
        }
    }
    if runs.is_empty() {
        return Err(source.error("budgets", "the budget's `models` list selects none of the models"));
    }
    Ok(Plan { kind, name, budget, runs, document: source.value.clone() })
}

/// The patch of the chosen budget (the kind's smoke defaults under the config's `budgets.smoke`).
fn budget_patch(
    kind: &dyn ExperimentKind,
    budgets: &Budgets,
    budget: Budget,
    source: &ConfigSource,
) -> Result<BudgetPatch, ConfigError> {
    Ok(match budget {
        Budget::Full => BudgetPatch::default(),
        Budget::Cpu => budgets.cpu.clone().unwrap_or_default(),
        Budget::Smoke => {
            let mut base: BudgetPatch = ssm_config::parse_value(&kind.smoke_patch())
                .map_err(|e| source.error("budgets.smoke", format!("built-in smoke patch: {e}")))?;
            if let Some(user) = &budgets.smoke {
                base.task = merge_opt(base.task, user.task.as_ref());
                base.train = merge_opt(base.train, user.train.as_ref());
                base.model = merge_opt(base.model, user.model.as_ref());
                base.seed = user.seed.clone().or(base.seed);
                base.models = user.models.clone().or(base.models);
                base.note = user.note.clone().or(base.note);
            }
            base
        }
    })
}

fn merge_opt(base: Option<Value>, patch: Option<&Value>) -> Option<Value> {
    match (base, patch) {
        (Some(mut b), Some(p)) => {
            deep_merge(&mut b, p);
            Some(b)
        }
        (b, p) => b.or_else(|| p.cloned()),
    }
}

/// `base ⊕ model patch ⊕ budget patch`.
fn layered(base: &Value, model: Option<&Value>, budget: Option<&Value>) -> Value {
    let mut v = base.clone();
    for p in [model, budget].into_iter().flatten() {
        deep_merge(&mut v, p);
    }
    v
}

/// Command-line overrides of `section.*` win over the model's and the budget's patches too.
pub(crate) fn with_overrides(source: &ConfigSource, section: &str, mut value: Value) -> Result<Value, ConfigError> {
    for o in source.overrides.iter().filter(|o| o.path.len() > 1 && o.path[0] == section) {
        let inner = ssm_config::Override { path: o.path[1..].to_vec(), value: o.value.clone(), text: o.text.clone() };
        inner.apply(&mut value)?;
    }
    Ok(value)
}

/// Places an error of a layered section where its key was written: the model's patch if it set
/// that key, else the shared section.
fn place_layered(source: &ConfigSource, e: ConfigError, section: &str, model_at: &str, patch: Option<&Value>) -> ConfigError {
    let first = e.path.split(['.', '[']).next().unwrap_or("");
    let in_patch = patch.and_then(|p| p.get(first)).is_some();
    if in_patch {
        source.place(e, &format!("{model_at}.{section}"))
    } else {
        source.place(e, section)
    }
}

/// The model mapping without its `train`/`task` patches, and the patches.
fn split_model(raw: &Value) -> (Value, Mapping) {
    let mut patches = Mapping::new();
    let mut model = raw.clone();
    if let Value::Mapping(m) = &mut model {
        for key in MODEL_PATCH_KEYS {
            if let Some(v) = m.remove(key) {
                patches.insert(key.into(), v);
            }
        }
    }
    (model, patches)
}

/// `train.lr` as a sweep axis: a list expands into one run per value.
fn learning_rates(train: &Value) -> Vec<Value> {
    match train.get("lr") {
        Some(Value::Sequence(items)) if !items.is_empty() => items.clone(),
        Some(v) => vec![v.clone()],
        None => vec![Value::Null],
    }
}

fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.');
    if ok {
        Ok(())
    } else {
        Err(format!("`{name}` must be a non-empty name of letters, digits, '-', '_' or '.'"))
    }
}

impl std::fmt::Debug for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plan")
            .field("kind", &self.kind.name())
            .field("name", &self.name)
            .field("budget", &self.budget)
            .field("runs", &self.runs.iter().map(|r| &r.run_id).collect::<Vec<_>>())
            .finish()
    }
}
