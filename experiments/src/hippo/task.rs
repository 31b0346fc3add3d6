//! The `task:` section of `hippo_reconstruction`, and its checked form.

use serde::{Deserialize, Serialize};
use ssm_config::{ConfigError, NonNegInt, PositiveFloat, PositiveInt};
use ssm_hippo::online::timescale_factor;
use ssm_hippo::{Discretization, Measure};

use crate::hippo::signals::FIXED_SIGNALS;

/// The `task:` section as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HippoTask {
    /// Measures to compare (legt, lagt, legs, fout, lmu, legt-unhalved).
    #[serde(default = "measures")]
    pub measures: Vec<String>,
    /// State sizes N.
    #[serde(default = "orders")]
    pub orders: Vec<PositiveInt>,
    /// Samples per signal; every signal spans t ∈ (0, 1] with dt = 1/length.
    #[serde(default = "length")]
    pub length: PositiveInt,
    /// Random band-limited signals per run (seeded by the run's seed).
    #[serde(default = "four")]
    pub random_signals: NonNegInt,
    /// Highest frequency of the random signals, in cycles per unit time.
    #[serde(default = "cutoff")]
    pub cutoff: PositiveFloat,
    /// Sinusoids summed in each random signal.
    #[serde(default = "components")]
    pub components: PositiveInt,
    /// Deterministic signals: sine, chirp, step, sawtooth.
    #[serde(default = "fixed")]
    pub fixed_signals: Vec<String>,
    /// Window θ of LegT, FouT and LMU, and the span over which the error of every translated
    /// measure (LagT included) is measured; LegS is measured over all of [0, t].
    #[serde(default = "window")]
    pub window: PositiveFloat,
    /// Time scale of LagT's exponentially decaying measure, `exp(−age / lagt_timescale)`.
    #[serde(default = "lagt_timescale")]
    pub lagt_timescale: PositiveFloat,
    /// Times at which the error is recorded (evenly spaced, the last at t = 1).
    #[serde(default = "checkpoints")]
    pub checkpoints: PositiveInt,
    /// Discretization: euler, backward, bilinear, zoh, gbt:<alpha>.
    #[serde(default = "bilinear")]
    pub method: String,
    /// State size of the A heatmaps.
    #[serde(default = "heatmap_order")]
    pub heatmap_order: PositiveInt,
}

fn measures() -> Vec<String> {
    ["legt", "lagt", "legs", "fout"].map(String::from).to_vec()
}
fn orders() -> Vec<PositiveInt> {
    vec![PositiveInt(16), PositiveInt(64), PositiveInt(256)]
}
fn length() -> PositiveInt {
    PositiveInt(4096)
}
fn four() -> NonNegInt {
    NonNegInt(4)
}
fn cutoff() -> PositiveFloat {
    PositiveFloat(8.0)
}
fn components() -> PositiveInt {
    PositiveInt(32)
}
fn fixed() -> Vec<String> {
    ["sine", "chirp", "step"].map(String::from).to_vec()
}
fn window() -> PositiveFloat {
    PositiveFloat(0.5)
}
fn lagt_timescale() -> PositiveFloat {
    PositiveFloat(0.02)
}
fn checkpoints() -> PositiveInt {
    PositiveInt(64)
}
fn bilinear() -> String {
    "bilinear".into()
}
fn heatmap_order() -> PositiveInt {
    PositiveInt(32)
}

/// The task after its checks, with parsed measures and method.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub measures: Vec<Measure>,
    pub orders: Vec<usize>,
    pub length: usize,
    pub random_signals: usize,
    pub cutoff: f64,
    pub components: usize,
    pub fixed_signals: Vec<String>,
    pub window: f64,
    pub lagt_timescale: f64,
    pub checkpoints: usize,
    pub method: Discretization,
    pub heatmap_order: usize,
}

impl HippoTask {
    /// Every check, each error naming its key (relative to `task`).
    pub fn resolve(&self) -> Result<Resolved, ConfigError> {
        if self.measures.is_empty() {
            return Err(ConfigError::new("measures", "at least one measure is needed"));
        }
        let mut measures: Vec<Measure> = Vec::new();
        for (i, name) in self.measures.iter().enumerate() {
            let at = format!("measures[{i}]");
            let m: Measure = name.parse().map_err(|e| ConfigError::new(&at, format!("{e}")))?;
            timescale_factor(m).map_err(|e| ConfigError::new(&at, e.to_string()))?;
            if measures.contains(&m) {
                return Err(ConfigError::new(at, format!("measure `{name}` is listed twice")));
            }
            measures.push(m);
        }
        if self.orders.is_empty() {
            return Err(ConfigError::new("orders", "at least one state size is needed"));
        }
        let orders: Vec<usize> = self.orders.iter().map(|n| n.get()).collect();
        for (j, &n) in orders.iter().enumerate() {
            if orders[..j].contains(&n) {
                return Err(ConfigError::new(format!("orders[{j}]"), format!("N = {n} is listed twice")));
            }
            if let Some(m) = measures.iter().find(|m| m.needs_even_n() && n % 2 == 1) {
                return Err(ConfigError::new(
                    format!("orders[{j}]"),
                    format!("measure `{}` pairs cosine and sine rows, so N must be even; got {n}", m.name()),
                ));
            }
        }
        let length = self.length.get();
        if length < 2 {
            return Err(ConfigError::new("length", format!("must be at least 2 samples, got {length}")));
        }
        for (i, name) in self.fixed_signals.iter().enumerate() {
            if !FIXED_SIGNALS.contains(&name.as_str()) {
                return Err(ConfigError::new(
                    format!("fixed_signals[{i}]"),
                    format!("unknown signal `{name}`; known: {}", FIXED_SIGNALS.join(", ")),
                ));
            }
            if self.fixed_signals[..i].contains(name) {
                return Err(ConfigError::new(format!("fixed_signals[{i}]"), format!("`{name}` is listed twice")));
            }
        }
        if self.random_signals.get() + self.fixed_signals.len() == 0 {
            return Err(ConfigError::new("random_signals", "no signal to reconstruct: set random_signals or fixed_signals"));
        }
        let nyquist = length as f64 / 2.0;
        if self.cutoff.get() >= nyquist {
            return Err(ConfigError::new(
                "cutoff",
                format!("must be below the Nyquist frequency length / 2 = {nyquist}, got {}", self.cutoff),
            ));
        }
        if self.checkpoints.get() > length {
            return Err(ConfigError::new(
                "checkpoints",
                format!("at most one per sample ({length}), got {}", self.checkpoints),
            ));
        }
        let method: Discretization =
            self.method.parse().map_err(|e: ssm_hippo::HippoError| ConfigError::new("method", e.to_string()))?;
        let heatmap_order = self.heatmap_order.get();
        if heatmap_order % 2 == 1 && measures.iter().any(|m| m.needs_even_n()) {
            return Err(ConfigError::new("heatmap_order", format!("fout needs an even N, got {heatmap_order}")));
        }
        Ok(Resolved {
            measures,
            orders,
            length,
            random_signals: self.random_signals.get(),
            cutoff: self.cutoff.get(),
            components: self.components.get(),
            fixed_signals: self.fixed_signals.clone(),
            window: self.window.get(),
            lagt_timescale: self.lagt_timescale.get(),
            checkpoints: self.checkpoints.get(),
            method,
            heatmap_order,
        })
    }
}
