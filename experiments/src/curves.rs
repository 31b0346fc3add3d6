use std::path::Path;

use ssm_report::{line_plot, LinePlot, Series};
use ssm_train::{MetricRow, Split};

/// `curves.{png,svg}` in the run folder: training loss and validation accuracy against step.
pub fn plot_training_curves(dir: &Path, run_id: &str, rows: &[MetricRow]) -> anyhow::Result<()> {
    let pick = |split: Split, f: fn(&MetricRow) -> Option<f64>| -> Vec<(f64, f64)> {
        rows.iter().filter(|r| r.split == split && r.status == "ok").filter_map(|r| f(r).map(|y| (r.step as f64, y))).collect()
    };
    let series = vec![
        Series { name: "train loss".into(), points: pick(Split::Train, |r| r.loss) },
        Series { name: "train accuracy".into(), points: pick(Split::Train, |r| r.accuracy) },
        Series { name: "val accuracy".into(), points: pick(Split::Val, |r| r.accuracy) },
    ];
    if series.iter().all(|s| s.points.is_empty()) {
        return Ok(());
    }
    let title = format!("{run_id}: training");
    line_plot(&dir.join("curves"), &LinePlot::linear(&title, "step", "loss / accuracy", &series))?;
    Ok(())
}
