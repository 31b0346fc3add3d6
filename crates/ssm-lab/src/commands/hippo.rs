//! `ssm-lab hippo matrix|discretize`: HiPPO transition matrices, their NPLR form, and their
//! discretizations, printed as JSON, CSV or a plain table.

use clap::{Args, Subcommand, ValueEnum};
use nalgebra::{DMatrix, DVector};
use num_complex::Complex64;
use serde_json::{json, Value};
use ssm_hippo::{discretize, nplr, transition, Discretization, HippoError, Measure};

use crate::exit::{Failure, Result};

#[derive(Subcommand)]
pub enum HippoCommand {
    /// Continuous-time (A, B) of a measure; with --nplr also A = V(Λ − PP*)V*.
    Matrix(MatrixArgs),
    /// Discrete (Ā, B̄) of a measure for step --dt.
    Discretize(DiscretizeArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum MatrixFormat {
    Json,
    Csv,
    Table,
}

#[derive(Args)]
pub struct MatrixArgs {
    /// legs, legt, legt-unhalved, lagt, glagt, fout, lmu.
    #[arg(long)]
    pub measure: String,
    /// State size N.
    #[arg(long, allow_negative_numbers = true)]
    pub n: i64,
    /// Add the normal-plus-low-rank form: lambda (N/2 eigenvalues), P, V, B_tilde.
    #[arg(long)]
    pub nplr: bool,
    #[arg(long, value_enum, default_value_t = MatrixFormat::Json)]
    pub format: MatrixFormat,
}

#[derive(Args)]
pub struct DiscretizeArgs {
    #[arg(long)]
    pub measure: String,
    #[arg(long, allow_negative_numbers = true)]
    pub n: i64,
    /// Step Δ (> 0).
    #[arg(long, allow_negative_numbers = true)]
    pub dt: f64,
    /// euler (forward), backward, bilinear, zoh, or gbt:<alpha>.
    #[arg(long, default_value = "bilinear")]
    pub method: String,
    #[arg(long, value_enum, default_value_t = MatrixFormat::Json)]
    pub format: MatrixFormat,
}

pub fn hippo(cmd: HippoCommand) -> Result {
    match cmd {
        HippoCommand::Matrix(args) => matrix(args),
        HippoCommand::Discretize(args) => discretize_cmd(args),
    }
}

/// A HiPPO error as a command failure naming the command-line option it concerns.
fn usage(e: HippoError) -> Failure {
    match &e {
        HippoError::UnknownMeasure { .. } | HippoError::NoNplr { .. } | HippoError::Unsupported { .. } => {
            Failure::Usage(format!("--measure: {e}"))
        }
        HippoError::UnknownDiscretization { .. } => Failure::Usage(format!("--method: {e}")),
        HippoError::InvalidOption { option, reason } => {
            let flag = match *option {
                "n" => "--n",
                "dt" => "--dt",
                "alpha" => "--method",
                _ => "--measure",
            };
            Failure::Usage(format!("{flag}: invalid value for `{option}`: {reason}"))
        }
        HippoError::Shape { .. } | HippoError::Numerical { .. } => Failure::Runtime(e.to_string()),
    }
}

fn parse_measure(name: &str) -> Result<Measure> {
    name.parse::<Measure>().map_err(usage)
}

fn parse_n(n: i64) -> Result<usize> {
    if n < 1 {
        return Err(Failure::Usage(format!("--n: the state size must be at least 1, got {n}")));
    }
    usize::try_from(n).map_err(|_| Failure::Usage(format!("--n: too large ({n})")))
}

fn check_finite(what: &str, values: impl IntoIterator<Item = f64>) -> Result {
    if values.into_iter().all(f64::is_finite) {
        Ok(())
    } else {
        Err(Failure::Runtime(format!("{what} has non-finite entries")))
    }
}

fn matrix(args: MatrixArgs) -> Result {
    let measure = parse_measure(&args.measure)?;
    let n = parse_n(args.n)?;
    let (a, b) = transition(measure, n).map_err(usage)?;
    let mut out = Output::new();
    out.real_matrix("A", &a);
    out.real_vector("B", &b);
    if args.nplr {
        let f = nplr(measure, n).map_err(usage)?;
        check_finite("the NPLR form", f.v.iter().chain(f.p.iter()).flat_map(|z| [z.re, z.im]))?;
        out.complex_vector("lambda", &f.lambda);
        out.complex_matrix("P", &f.p);
        out.complex_matrix("V", &f.v);
        out.complex_vector("B_tilde", &f.b);
    }
    out.print(args.format);
    Ok(())
}

fn discretize_cmd(args: DiscretizeArgs) -> Result {
    let measure = parse_measure(&args.measure)?;
    let n = parse_n(args.n)?;
    if !args.dt.is_finite() {
        return Err(Failure::Usage(format!("--dt: must be a finite number, got {}", args.dt)));
    }
    if args.dt <= 0.0 {
        return Err(Failure::Usage(format!("--dt: must be > 0, got {}", args.dt)));
    }
    let method: Discretization = args.method.parse().map_err(usage)?;
    let (a, b) = transition(measure, n).map_err(usage)?;
    let (ab, bb) = discretize(&a, &b, args.dt, method).map_err(usage)?;
    check_finite("the discrete system", ab.iter().chain(bb.iter()).copied())?;
    let mut out = Output::new();
    out.real_matrix("A", &ab);
    out.real_vector("B", &bb);
    out.print(args.format);
    Ok(())
}

/// Named arrays in insertion order, printable in each format.
struct Output {
    arrays: Vec<(&'static str, Array)>,
}

enum Array {
    Vector(Vec<Complex64>, bool),
    Matrix(Vec<Vec<Complex64>>, bool),
}

fn rows<T: Copy>(m: &DMatrix<T>) -> Vec<Vec<T>> {
    (0..m.nrows()).map(|i| (0..m.ncols()).map(|k| m[(i, k)]).collect()).collect()
}

fn pair(z: &Complex64) -> Value {
    json!([z.re, z.im])
}

impl Output {
    fn new() -> Self {
        Self { arrays: Vec::new() }
    }

    fn real_matrix(&mut self, name: &'static str, m: &DMatrix<f64>) {
        let r = rows(m).into_iter().map(|r| r.into_iter().map(|x| Complex64::new(x, 0.0)).collect()).collect();
        self.arrays.push((name, Array::Matrix(r, false)));
    }

    fn real_vector(&mut self, name: &'static str, v: &DVector<f64>) {
        self.arrays.push((name, Array::Vector(v.iter().map(|&x| Complex64::new(x, 0.0)).collect(), false)));
    }

    fn complex_matrix(&mut self, name: &'static str, m: &DMatrix<Complex64>) {
        self.arrays.push((name, Array::Matrix(rows(m), true)));
    }

    fn complex_vector(&mut self, name: &'static str, v: &DVector<Complex64>) {
        self.arrays.push((name, Array::Vector(v.iter().copied().collect(), true)));
    }

    fn print(&self, format: MatrixFormat) {
        match format {
            MatrixFormat::Json => println!("{}", self.json()),
            MatrixFormat::Csv => print!("{}", self.csv()),
            MatrixFormat::Table => print!("{}", self.table()),
        }
    }

    /// Real arrays as numbers, complex entries as `[re, im]` pairs.
    fn json(&self) -> Value {
        let mut map = serde_json::Map::new();
        let cell = |z: &Complex64, complex: bool| if complex { pair(z) } else { json!(z.re) };
        for (name, array) in &self.arrays {
            let v = match array {
                Array::Vector(v, c) => Value::Array(v.iter().map(|z| cell(z, *c)).collect()),
                Array::Matrix(m, c) => {
                    Value::Array(m.iter().map(|r| Value::Array(r.iter().map(|z| cell(z, *c)).collect())).collect())
                }
            };
            map.insert(name.to_string(), v);
        }
        Value::Object(map)
    }

    /// Long format `array,row,col,re,im` (vectors have col 0; real arrays have im 0).
    fn csv(&self) -> String {
        let mut s = String::from("array,row,col,re,im\n");
        for (name, array) in &self.arrays {
            let mut put = |i: usize, k: usize, z: &Complex64| s += &format!("{name},{i},{k},{},{}\n", z.re, z.im);
            match array {
                Array::Vector(v, _) => v.iter().enumerate().for_each(|(i, z)| put(i, 0, z)),
                Array::Matrix(m, _) => {
                    for (i, r) in m.iter().enumerate() {
                        r.iter().enumerate().for_each(|(k, z)| put(i, k, z));
                    }
                }
            }
        }
        s
    }

    /// Aligned columns, one block per array.
    fn table(&self) -> String {
        let fmt = |z: &Complex64, complex: bool| {
            if complex {
                format!("{:>10.4}{:+.4}i", z.re, z.im)
            } else {
                format!("{:>10.4}", z.re)
            }
        };
        let mut s = String::new();
        for (name, array) in &self.arrays {
            match array {
                Array::Vector(v, c) => {
                    s += &format!("{name} ({}):\n", v.len());
                    s += &v.iter().map(|z| fmt(z, *c)).collect::<Vec<_>>().join(" ");
                    s += "\n\n";
                }
                Array::Matrix(m, c) => {
                    s += &format!("{name} ({}x{}):\n", m.len(), m.first().map_or(0, Vec::len));
                    for r in m {
                        s += &r.iter().map(|z| fmt(z, *c)).collect::<Vec<_>>().join(" ");
                        s += "\n";
                    }
                    s += "\n";
                }
            }
        }
        s
    }
}
