//! Backend choice. `Auto` picks the CUDA kernel for CUDA tensors and the CPU kernel for CPU
//! tensors; asking for a backend that cannot serve the inputs is an error, never a fallback
//! (lineage.md §4: "a missing backend is an error, not a silent fallback").

use std::fmt;
use std::str::FromStr;

use tch::Device;

use crate::error::{Result, ScanError};

/// Which implementation of the selective scan runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// CUDA kernel for CUDA tensors, CPU kernel for CPU tensors.
    #[default]
    Auto,
    /// The NVRTC-compiled CUDA kernel (inputs must be CUDA tensors).
    Cuda,
    /// The rayon CPU kernel (inputs must be CPU tensors).
    Cpu,
    /// The sequential tch reference (any device, any float dtype; autograd by libtorch).
    Reference,
}

/// A backend after `Auto` has been resolved for a given device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resolved {
    Cuda,
    Cpu,
    Reference,
}

impl Backend {
    /// All names accepted by [`FromStr`].
    pub const NAMES: [&'static str; 4] = ["auto", "cuda", "cpu", "reference"];

    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Auto => "auto",
            Backend::Cuda => "cuda",
            Backend::Cpu => "cpu",
            Backend::Reference => "reference",
        }
    }

    pub(crate) fn resolve(self, device: Device) -> Result<Resolved> {
        match (self, device) {
            (Backend::Reference, _) => Ok(Resolved::Reference),
            (Backend::Auto, Device::Cuda(_)) | (Backend::Cuda, Device::Cuda(_)) => Ok(Resolved::Cuda),
            (Backend::Auto, Device::Cpu) | (Backend::Cpu, Device::Cpu) => Ok(Resolved::Cpu),
            (Backend::Cuda, d) => Err(ScanError::device(
                "u",
                format!("backend `cuda` needs CUDA tensors, got tensors on {d:?}"),
            )),
            (Backend::Cpu, d) => Err(ScanError::device(
                "u",
                format!("backend `cpu` needs CPU tensors, got tensors on {d:?}"),
            )),
            (Backend::Auto, d) => Err(ScanError::device(
                "u",
                format!("backend `auto` serves CPU and CUDA tensors, got tensors on {d:?}"),
            )),
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Backend {
    type Err = ScanError;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Backend::Auto),
            "cuda" | "gpu" => Ok(Backend::Cuda),
            "cpu" => Ok(Backend::Cpu),
            "reference" | "ref" => Ok(Backend::Reference),
            other => Err(ScanError::Parse(format!(
                "unknown scan backend `{other}` (expected one of {})",
                Backend::NAMES.join(", ")
            ))),
        }
    }
}

/// Element type the kernels read and write (`u`, `delta`, `z`, variable `B`/`C`, `y`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanDtype {
    #[default]
    F32,
    Bf16,
}

impl ScanDtype {
    /// The tch kind.
    pub fn kind(self) -> tch::Kind {
        match self {
            ScanDtype::F32 => tch::Kind::Float,
            ScanDtype::Bf16 => tch::Kind::BFloat16,
        }
    }
    /// The lowercase name (`f32`, `bf16`).
    pub fn name(self) -> &'static str {
        match self {
            ScanDtype::F32 => "f32",
            ScanDtype::Bf16 => "bf16",
        }
    }
}

impl fmt::Display for ScanDtype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ScanDtype {
    type Err = ScanError;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "f32" | "fp32" | "float32" | "float" => Ok(ScanDtype::F32),
            "bf16" | "bfloat16" => Ok(ScanDtype::Bf16),
            other => Err(ScanError::Parse(format!("unknown scan dtype `{other}` (expected f32 or bf16)"))),
        }
    }
}
