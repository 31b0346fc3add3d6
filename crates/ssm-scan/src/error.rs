//! The one error type of the crate: every user-facing failure (shape, dtype, device, missing
//! GPU or CUDA library, kernel compile or launch failure, file I/O) is a [`ScanError`]; nothing
//! on user input panics and no backend silently falls back to another.

use thiserror::Error;

/// Why a selective scan (or its conformance / benchmark driver) could not run.
#[derive(Debug, Error)]
pub enum ScanError {
    /// An argument has the wrong shape; the message names the argument and what was expected.
    #[error("{arg}: {msg}")]
    Shape { arg: &'static str, msg: String },
    /// An argument has a dtype the chosen backend does not take.
    #[error("{arg}: {msg}")]
    Dtype { arg: &'static str, msg: String },
    /// Arguments live on different devices, or on a device the backend does not serve.
    #[error("{arg}: {msg}")]
    Device { arg: &'static str, msg: String },
    /// The requested backend cannot run here (no GPU, no driver or NVRTC library, ...).
    #[error("backend `{backend}` is unavailable: {reason}")]
    Unavailable { backend: &'static str, reason: String },
    /// NVRTC rejected the kernel source (the log is attached).
    #[error("NVRTC compilation failed: {0}")]
    Compile(String),
    /// The host emulation of the kernels could not be built or loaded (the log is attached).
    #[error("host emulation of the CUDA kernels: {0}")]
    Emulation(String),
    /// A CUDA driver call failed.
    #[error("CUDA driver error: {0}")]
    Driver(String),
    /// libtorch reported an error.
    #[error("libtorch error: {0}")]
    Torch(#[from] tch::TchError),
    /// The autograd bridge reported an error (raised inside forward or backward).
    #[error("autograd bridge: {0}")]
    Bridge(String),
    /// Reading or writing a file failed.
    #[error("I/O error on {path}: {msg}")]
    Io { path: String, msg: String },
    /// A string did not name a known option.
    #[error("{0}")]
    Parse(String),
}

impl ScanError {
    pub(crate) fn shape(arg: &'static str, msg: impl Into<String>) -> Self {
        ScanError::Shape { arg, msg: msg.into() }
    }
    pub(crate) fn dtype(arg: &'static str, msg: impl Into<String>) -> Self {
        ScanError::Dtype { arg, msg: msg.into() }
    }
    pub(crate) fn device(arg: &'static str, msg: impl Into<String>) -> Self {
        ScanError::Device { arg, msg: msg.into() }
    }
}

/// Result alias used throughout the crate.
pub type Result<T, E = ScanError> = std::result::Result<T, E>;
