//! Registry entries `s4`, `s4d` and `dss`.

use ssm_config::{parse_value, ConfigError, Value};
use ssm_nn::{Mixer, MixerContext, MixerFactory};
use tch::nn;

use crate::dss::Dss;
use crate::layer::{SsmCore, SsmLayer};
use crate::options::S4Options;
use crate::s4::S4;
use crate::s4d::S4d;

fn validate<K: SsmCore>(options: &Value) -> Result<(), ConfigError> {
    parse_value::<S4Options>(options)?.check(K::KIND)
}

fn build<K: SsmCore + 'static>(vs: &nn::Path, options: &Value, ctx: &MixerContext) -> Result<Box<dyn Mixer>, ConfigError> {
    let opts: S4Options = parse_value(options)?;
    Ok(Box::new(SsmLayer::<K>::new(vs, ctx.d_model as i64, &opts)?))
}

/// The `s4` mixer kind.
pub struct S4Factory;

impl MixerFactory for S4Factory {
    fn name(&self) -> &'static str {
        "s4"
    }

    fn summary(&self) -> &'static str {
        "S4: DPLR (HiPPO-LegS NPLR) SSM per channel, Cauchy + Woodbury kernel, FFT conv, O(N) step"
    }

    fn validate(&self, options: &Value, _ctx: &MixerContext) -> Result<(), ConfigError> {
        validate::<S4>(options)
    }

    fn build(&self, vs: nn::Path, options: &Value, ctx: &MixerContext) -> Result<Box<dyn Mixer>, ConfigError> {
        build::<S4>(&vs, options, ctx)
    }
}

/// The `s4d` mixer kind.
pub struct S4dFactory;

impl MixerFactory for S4dFactory {
    fn name(&self) -> &'static str {
        "s4d"
    }

    fn summary(&self) -> &'static str {
        "S4D: diagonal SSM per channel (init lin | inv | real | legs), ZOH Vandermonde kernel, FFT conv"
    }

    fn validate(&self, options: &Value, _ctx: &MixerContext) -> Result<(), ConfigError> {
        validate::<S4d>(options)
    }

    fn build(&self, vs: nn::Path, options: &Value, ctx: &MixerContext) -> Result<Box<dyn Mixer>, ConfigError> {
        build::<S4d>(&vs, options, ctx)
    }
}

/// The `dss` mixer kind.
pub struct DssFactory;

impl MixerFactory for DssFactory {
    fn name(&self) -> &'static str {
        "dss"
    }

    fn summary(&self) -> &'static str {
        "DSS: diagonal SSM per channel, softmax-normalised Vandermonde kernel, FFT conv"
    }

    fn validate(&self, options: &Value, _ctx: &MixerContext) -> Result<(), ConfigError> {
        validate::<Dss>(options)
    }

    fn build(&self, vs: nn::Path, options: &Value, ctx: &MixerContext) -> Result<Box<dyn Mixer>, ConfigError> {
        build::<Dss>(&vs, options, ctx)
    }
}
