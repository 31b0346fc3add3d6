use serde_yaml::{Mapping, Value};

use crate::ConfigError;

/// A command-line override `key.path=value`; the value is read as YAML (`3`, `1e-3`, `[1, 2]`, `cpu`).
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub path: Vec<String>,
    pub value: Value,
    pub text: String,
}

impl Override {
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let origin = Some(format!("command-line override {text}"));
        let Some((key, value)) = text.split_once('=') else {
            return Err(ConfigError::new("", format!("override `{text}` is not of the form key.path=value"))
                .with_origin(None));
        };
        let path: Vec<String> = key.trim().split('.').map(str::to_string).collect();
        if path.iter().any(|s| s.is_empty()) {
            return Err(ConfigError::new(key, "override key has an empty segment").with_origin(origin));
        }
        let value: Value = serde_yaml::from_str(value)
            .map_err(|e| ConfigError::new(key, format!("override value is not valid YAML: {e}")).with_origin(origin))?;
        Ok(Self { path, value, text: text.to_string() })
    }

    pub fn key(&self) -> String {
        self.path.join(".")
    }

    /// Sets the value in `root`, creating mappings along the way.
    pub fn apply(&self, root: &mut Value) -> Result<(), ConfigError> {
        let mut node = root;
        for (i, seg) in self.path.iter().enumerate() {
            if node.is_null() {
                *node = Value::Mapping(Mapping::new());
            }
            let Value::Mapping(map) = node else {
                return Err(ConfigError::new(
                    self.path[..i].join("."),
                    "cannot override a key inside a value that is not a mapping",
                )
                .with_origin(Some(format!("command-line override {}", self.text))));
            };
            let key = Value::String(seg.clone());
            if !map.contains_key(&key) {
                map.insert(key.clone(), Value::Null);
            }
            node = map.get_mut(&key).expect("inserted above");
        }
        *node = self.value.clone();
        Ok(())
    }
}
