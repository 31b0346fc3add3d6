use std::path::Path;

use serde::Deserialize;
use ssm_config::{ConfigSource, OneOrMany, PositiveFloat, PositiveInt};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    model: Model,
    #[serde(default)]
    lr: Option<OneOrMany<PositiveFloat>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Model {
    d_model: PositiveInt,
    #[serde(default)]
    layers: Vec<PositiveInt>,
}

const TEXT: &str = "# a config\nmodel:\n  d_model: 64\n  layers: [1, 2]\nlr: 1e-3\n";

fn load(text: &str, overrides: &[&str]) -> Result<Doc, String> {
    let ov: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    ConfigSource::from_text(Path::new("x.yaml"), text.to_string(), &ov)
        .and_then(|s| s.parse::<Doc>())
        .map_err(|e| e.to_string())
}

#[test]
fn a_good_config_parses() {
    let d = load(TEXT, &[]).unwrap();
    assert_eq!(d.model.d_model.get(), 64);
    assert_eq!(d.model.layers.iter().map(|l| l.get()).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(d.lr.unwrap().values()[0].get(), 1e-3);
}

#[test]
fn out_of_range_values_name_key_value_and_line() {
    let e = load("model:\n  d_model: -3\n", &[]).unwrap_err();
    assert_eq!(e, "model.d_model: expected a positive integer, got -3 (x.yaml:2:3)");
    let e = load("model:\n  d_model: 4\nlr: -1.0\n", &[]).unwrap_err();
    assert_eq!(e, "lr: expected a positive number, got -1 (x.yaml:3:1)");
    let e = load("model:\n  d_model: 4\n  layers: [1, 0]\n", &[]).unwrap_err();
    assert!(e.starts_with("model.layers[1]: expected a positive integer, got 0 (x.yaml:3:3)"), "{e}");
    let e = load("model:\n  d_model: abc\n", &[]).unwrap_err();
    assert!(e.starts_with("model.d_model: expected a positive integer, got \"abc\""), "{e}");
}

#[test]
fn unknown_keys_are_rejected_by_name() {
    let e = load("model:\n  d_model: 4\n  d_modle: 5\n", &[]).unwrap_err();
    assert_eq!(e, "model.d_modle: unknown field `d_modle`, expected `d_model` or `layers` (x.yaml:3:3)");
}

#[test]
fn syntax_errors_carry_a_location() {
    let e = load("model:\n  d_model: [1, 2\n", &[]).unwrap_err();
    assert!(e.starts_with("YAML syntax error"), "{e}");
    assert!(e.contains("(x.yaml:"), "{e}");
}

#[test]
fn overrides_apply_and_are_validated_the_same_way() {
    let d = load(TEXT, &["model.d_model=128", "lr=[1e-4, 1e-3]"]).unwrap();
    assert_eq!(d.model.d_model.get(), 128);
    assert_eq!(d.lr.unwrap().values().len(), 2);
    let e = load(TEXT, &["model.d_model=-3"]).unwrap_err();
    assert_eq!(e, "model.d_model: expected a positive integer, got -3 (command-line override model.d_model=-3)");
    let e = load(TEXT, &["model.depth=3"]).unwrap_err();
    assert!(e.contains("unknown field `depth`") && e.contains("command-line override model.depth=3"), "{e}");
    let e = load(TEXT, &["model.d_model"]).unwrap_err();
    assert!(e.contains("key.path=value"), "{e}");
}

#[test]
fn a_missing_file_is_named() {
    let e = ConfigSource::load(Path::new("no/such.yaml"), &[]).unwrap_err().to_string();
    assert!(e.contains("no/such.yaml"), "{e}");
}
