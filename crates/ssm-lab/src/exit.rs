use std::fmt;

/// A command's failure: usage and config errors exit with 2, failures of the work itself with 1.
#[derive(Debug)]
pub enum Failure {
    Usage(String),
    Runtime(String),
}

impl Failure {
    pub fn code(&self) -> i32 {
        match self {
            Self::Usage(_) => 2,
            Self::Runtime(_) => 1,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Usage(m) | Self::Runtime(m) => f.write_str(m),
        }
    }
}

impl From<ssm_config::ConfigError> for Failure {
    fn from(e: ssm_config::ConfigError) -> Self {
        Self::Usage(e.to_string())
    }
}

impl From<ssm_experiments::RunError> for Failure {
    fn from(e: ssm_experiments::RunError) -> Self {
        match e {
            ssm_experiments::RunError::Usage(m) => Self::Usage(m),
            ssm_experiments::RunError::Failed(e) => Self::Runtime(format!("{e:#}")),
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Self::Runtime(format!("{e:#}"))
    }
}

pub type Result<T = ()> = std::result::Result<T, Failure>;
