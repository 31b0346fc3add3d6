//! Registry entry `lssl`.

use ssm_config::{parse_value, ConfigError, Value};
use ssm_nn::{Mixer, MixerContext, MixerFactory};
use tch::nn;

use crate::layer::Lssl;
use crate::options::LsslOptions;

/// The `lssl` mixer kind.
pub struct LsslFactory;

impl MixerFactory for LsslFactory {
    fn name(&self) -> &'static str {
        "lssl"
    }

    fn summary(&self) -> &'static str {
        "LSSL: dense HiPPO SSM per channel (Krylov kernel, FFT conv), fixed or trained A"
    }

    fn validate(&self, options: &Value, _ctx: &MixerContext) -> Result<(), ConfigError> {
        parse_value::<LsslOptions>(options)?.check()
    }

    fn build(&self, vs: nn::Path, options: &Value, ctx: &MixerContext) -> Result<Box<dyn Mixer>, ConfigError> {
        let opts: LsslOptions = parse_value(options)?;
        Ok(Box::new(Lssl::new(&vs, ctx.d_model as i64, &opts)?))
    }
}
