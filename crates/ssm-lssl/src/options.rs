//! The `mixer:` options of `kind: lssl`.

use serde::{Deserialize, Serialize};
use ssm_config::{ConfigError, PositiveFloat, PositiveInt};
use ssm_hippo::Measure;

/// What follows the SSM; both apply GELU first (the s4 layer's `activation` then
/// `output_linear`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputKind {
    /// GELU → Linear(H → 2H) → GLU.
    Glu,
    /// GELU → Linear(H → H).
    Gelu,
}

/// Options of the LSSL mixer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LsslOptions {
    /// HiPPO measure giving the initial (A, B): legs, legt, lagt, glagt, fout, lmu.
    #[serde(default = "legs")]
    pub measure: String,
    /// State size N of each channel.
    #[serde(default = "ssm_config::defaults::sixty_four")]
    pub d_state: PositiveInt,
    /// Train A (LSSL) or keep the HiPPO matrix fixed (LSSL-fixed).
    #[serde(default)]
    pub learn_a: bool,
    /// Train B as well.
    #[serde(default)]
    pub learn_b: bool,
    /// Per-channel Δ is drawn log-uniformly from [dt_min, dt_max] (the timescale range of
    /// LSSL §3 "Timescale Δt"; s4 `dt_min`, `dt_max`).
    #[serde(default = "ssm_config::defaults::dt_min")]
    pub dt_min: PositiveFloat,
    #[serde(default = "ssm_config::defaults::dt_max")]
    pub dt_max: PositiveFloat,
    /// Train Δ (through its logarithm).
    #[serde(default = "ssm_config::defaults::yes")]
    pub learn_dt: bool,
    #[serde(default = "glu")]
    pub output: OutputKind,
}

fn legs() -> String {
    "legs".into()
}
fn glu() -> OutputKind {
    OutputKind::Glu
}

impl LsslOptions {
    /// The measure, with the error placed at `measure`.
    pub fn parsed_measure(&self) -> Result<Measure, ConfigError> {
        self.measure.parse::<Measure>().map_err(|e| ConfigError::new("measure", e.to_string()))
    }

    /// Checks what serde cannot: a known measure whose (A, B) exist at this N, dt_min < dt_max.
    pub fn check(&self) -> Result<(), ConfigError> {
        let measure = self.parsed_measure()?;
        let n = self.d_state.get();
        if let Err(e) = ssm_hippo::transition(measure, n) {
            let path = match &e {
                ssm_hippo::HippoError::InvalidOption { option: "n", .. } => "d_state",
                _ => "measure",
            };
            return Err(ConfigError::new(path, e.to_string()));
        }
        ssm_nn::check_dt_range(self.dt_min.get(), self.dt_max.get())?;
        Ok(())
    }
}
