//! Option errors name the key; the factories validate and build.

use ssm_config::Value;
use ssm_nn::{MixerContext, MixerFactory};
use ssm_s4_layers::{DssFactory, S4Factory, S4dFactory};
use tch::{nn, Device, Kind, Tensor};

fn value(yaml: &str) -> Value {
    serde_yaml::from_str(yaml).unwrap()
}

const CTX: MixerContext = MixerContext { d_model: 8, layer: 0, n_layers: 1 };

#[test]
fn invalid_options_are_reported_at_their_key() {
    let cases: [(&dyn MixerFactory, &str, &str); 8] = [
        (&S4dFactory, "{d_state: 63}", "d_state"),
        (&S4dFactory, "{d_state: 0}", "d_state"),
        (&S4dFactory, "{dt_min: 0.1, dt_max: 0.1}", "dt_min"),
        (&S4dFactory, "{dt_min: 0.5, dt_max: 0.1}", "dt_min"),
        (&S4dFactory, "{init: fourier}", "init"),
        (&S4Factory, "{init: lin}", "init"),
        (&DssFactory, "{d_stat: 64}", ""),
        (&DssFactory, "{output: relu}", "output"),
    ];
    for (f, yaml, key) in cases {
        let err = f.validate(&value(yaml), &CTX).expect_err(yaml);
        if key.is_empty() {
            assert!(err.message.contains("d_stat"), "{yaml}: {err}");
        } else {
            assert_eq!(err.path, key, "{yaml}: {err}");
        }
    }
}

#[test]
fn factories_build_mixers_of_the_right_shape() {
    for f in [&S4Factory as &dyn MixerFactory, &S4dFactory, &DssFactory] {
        let opts = value("{d_state: 8}");
        f.validate(&opts, &CTX).unwrap();
        let vs = nn::VarStore::new(Device::Cpu);
        let m = f.build(vs.root() / "mixer", &opts, &CTX).unwrap();
        let y = m.forward(&Tensor::randn([2, 21, 8], (Kind::Float, Device::Cpu)), false);
        assert_eq!(y.size(), [2, 21, 8], "{}", f.name());
    }
}
