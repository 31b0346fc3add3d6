use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_yaml::Value;

use crate::error::join_path;
use crate::{ConfigError, LineIndex, Override};

/// A loaded config file with the command-line overrides applied, able to say where any key came from.
#[derive(Debug, Clone)]
pub struct ConfigSource {
    pub file: PathBuf,
    pub text: String,
    /// The document after overrides.
    pub value: Value,
    pub overrides: Vec<Override>,
    index: LineIndex,
}

impl ConfigSource {
    /// Reads `file` and applies `overrides` (`key.path=value`, each parsed as YAML).
    pub fn load(file: &Path, overrides: &[String]) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(file).map_err(|e| {
            ConfigError::new("", format!("cannot read config file {}: {e}", file.display()))
        })?;
        Self::from_text(file, text, overrides)
    }

    pub fn from_text(file: &Path, text: String, overrides: &[String]) -> Result<Self, ConfigError> {
        let mut value: Value = serde_yaml::from_str(&text).map_err(|e| {
            let origin = e
                .location()
                .map(|l| format!("{}:{}:{}", file.display(), l.line(), l.column()))
                .or_else(|| Some(file.display().to_string()));
            ConfigError::new("", format!("YAML syntax error: {}", strip_location(&e.to_string())))
                .with_origin(origin)
        })?;
        if !matches!(value, Value::Mapping(_)) {
            return Err(ConfigError::new("", "the config must be a YAML mapping of sections")
                .with_origin(Some(file.display().to_string())));
        }
        let overrides = overrides.iter().map(|o| Override::parse(o)).collect::<Result<Vec<_>, _>>()?;
        for o in &overrides {
            o.apply(&mut value)?;
        }
        let index = LineIndex::build(&text);
        Ok(Self { file: file.to_path_buf(), text, value, overrides, index })
    }

    /// Where the key at `path` was written: the override that set it, else `file:line:column`.
    pub fn origin_of(&self, path: &str) -> Option<String> {
        let dotted = path.replace('[', ".[");
        for o in self.overrides.iter().rev() {
            let key = o.key();
            if dotted == key || dotted.starts_with(&format!("{key}.")) || key.starts_with(&format!("{dotted}.")) {
                return Some(format!("command-line override {}", o.text));
            }
        }
        match self.index.locate(path) {
            Some((line, col)) => Some(format!("{}:{line}:{col}", self.file.display())),
            None => Some(self.file.display().to_string()),
        }
    }

    /// An error about the key at `path`, with its origin.
    pub fn error(&self, path: &str, message: impl Into<String>) -> ConfigError {
        ConfigError::new(path, message).with_origin(self.origin_of(path))
    }

    /// Places an error found inside the value at `prefix`: full path and origin.
    pub fn place(&self, err: ConfigError, prefix: &str) -> ConfigError {
        let path = join_path(prefix, &err.path);
        let origin = self.origin_of(&path);
        ConfigError { path, message: err.message, origin: err.origin.or(origin) }
    }

    /// The value at a dotted path of mapping keys (`train`, `task.vocab_size`), if present.
    pub fn get(&self, path: &str) -> Option<&Value> {
        path.split('.').filter(|s| !s.is_empty()).try_fold(&self.value, |v, seg| v.get(seg))
    }

    /// Deserializes `value`, which sits at `prefix` in the document, into `T` (unknown keys are
    /// rejected by `T`'s `deny_unknown_fields`); errors carry the full key path and its origin.
    pub fn parse_at<T: DeserializeOwned>(&self, value: &Value, prefix: &str) -> Result<T, ConfigError> {
        parse_value(value).map_err(|e| self.place(e, prefix))
    }

    /// Deserializes the whole document into `T`.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ConfigError> {
        self.parse_at(&self.value, "")
    }
}

/// Deserializes a value, reporting the key path that failed (relative to `value`).
pub fn parse_value<T: DeserializeOwned>(value: &Value) -> Result<T, ConfigError> {
    serde_path_to_error::deserialize(value.clone()).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        ConfigError::new(path, strip_location(&e.into_inner().to_string()))
    })
}

/// serde_yaml appends " at line L column C" to some messages; the origin is reported separately.
fn strip_location(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}
