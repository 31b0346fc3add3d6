use std::path::{Path, PathBuf};

use ssm_experiments::{report_sweep, SUMMARY};

use crate::cli::ReportArgs;
use crate::exit::{Failure, Result};

/// Rebuilds reports from results: a sweep folder, every experiment under a results root, or the
/// latest sweep of one experiment folder (full or CPU budget before smoke runs).
pub fn report(args: ReportArgs) -> Result {
    if !args.results.is_dir() {
        return Err(Failure::Usage(format!("{}: no such results folder", args.results.display())));
    }
    let sweeps = if args.results.join(SUMMARY).is_file() {
        vec![args.results.clone()]
    } else if let Some(s) = latest_sweep(&args.results) {
        vec![s]
    } else {
        subdirs(&args.results).iter().filter_map(|d| latest_sweep(d)).collect()
    };
    if sweeps.is_empty() {
        return Err(Failure::Usage(format!("{}: no finished sweep (summary.csv) found", args.results.display())));
    }
    for sweep in sweeps {
        for f in report_sweep(&sweep, &args.reports)? {
            println!("{}", f.display());
        }
    }
    Ok(())
}

fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|it| it.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_dir()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn latest_sweep(experiment_dir: &Path) -> Option<PathBuf> {
    let sweeps: Vec<PathBuf> = subdirs(experiment_dir).into_iter().filter(|d| d.join(SUMMARY).is_file()).collect();
    let is_smoke = |p: &PathBuf| p.file_name().is_some_and(|n| n.to_string_lossy().contains("-smoke"));
    sweeps.iter().rev().find(|p| !is_smoke(p)).or_else(|| sweeps.last()).cloned()
}
