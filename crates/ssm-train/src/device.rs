use std::fmt;
use std::str::FromStr;

use tch::Device;

/// `--device cpu|cuda|auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceChoice {
    Cpu,
    Cuda,
    Auto,
}

impl FromStr for DeviceChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "cpu" => Ok(Self::Cpu),
            "cuda" => Ok(Self::Cuda),
            "auto" => Ok(Self::Auto),
            _ => Err(format!("unknown device `{s}`; expected cpu, cuda or auto")),
        }
    }
}

impl fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Cpu => "cpu",
            Self::Cuda => "cuda",
            Self::Auto => "auto",
        })
    }
}

impl DeviceChoice {
    /// The device to use; `cuda` without a usable GPU is an error, never a silent CPU run.
    pub fn resolve(self) -> Result<Device, String> {
        let cuda = tch::Cuda::is_available();
        match self {
            Self::Cpu => Ok(Device::Cpu),
            Self::Auto if cuda => Ok(Device::Cuda(0)),
            Self::Auto => Ok(Device::Cpu),
            Self::Cuda if cuda => Ok(Device::Cuda(0)),
            Self::Cuda => Err("--device cuda: no CUDA device is available to libtorch on this machine".into()),
        }
    }
}

/// A human-readable name of the device: the GPU model on CUDA, the thread count on CPU.
pub fn describe(device: Device) -> String {
    match device {
        Device::Cuda(i) => {
            let name = std::process::Command::new("nvidia-smi")
                .args(["--query-gpu=name", "--format=csv,noheader", &format!("--id={i}")])
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
            format!("cuda:{i} ({})", name.unwrap_or_else(|| "unknown GPU".into()))
        }
        _ => format!("cpu ({} threads)", tch::get_num_threads()),
    }
}
