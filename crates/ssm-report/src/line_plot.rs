use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::figure::{draw_legend, render, Figure, FONT, PALETTE};

/// One line of a plot.
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

impl Series {
    /// One series per distinct `name(row)`, in first-seen order, of the points `point(row)`
    /// (rows without a point are left out, and so are series left empty).
    pub fn group<T>(rows: &[T], name: impl Fn(&T) -> String, point: impl Fn(&T) -> Option<(f64, f64)>) -> Vec<Series> {
        let mut out: Vec<Series> = Vec::new();
        for r in rows {
            let n = name(r);
            let i = match out.iter().position(|s| s.name == n) {
                Some(i) => i,
                None => {
                    out.push(Series { name: n, points: Vec::new() });
                    out.len() - 1
                }
            };
            out[i].points.extend(point(r));
        }
        out.retain(|s| !s.points.is_empty());
        out
    }
}

/// A dashed vertical marker (e.g. the training length).
pub struct VLine {
    pub x: f64,
    pub label: String,
}

pub struct LinePlot<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub series: &'a [Series],
    /// Plot x on a log2 axis (ticks at powers of two).
    pub log2_x: bool,
    /// Plot y on a log10 axis (ticks at powers of ten; non-positive values are dropped).
    pub log10_y: bool,
    /// Fixed y range (in data units); fitted to the data when absent.
    pub y_range: Option<(f64, f64)>,
    pub vline: Option<VLine>,
}

impl<'a> LinePlot<'a> {
    /// A plot on linear axes, the y range fitted to the data, no marker.
    pub fn linear(title: &'a str, x_label: &'a str, y_label: &'a str, series: &'a [Series]) -> Self {
        LinePlot { title, x_label, y_label, series, log2_x: false, log10_y: false, y_range: None, vline: None }
    }

    /// A plot on log2 x and log10 y axes (timings against sizes).
    pub fn log_log(title: &'a str, x_label: &'a str, y_label: &'a str, series: &'a [Series]) -> Self {
        LinePlot { log2_x: true, log10_y: true, ..Self::linear(title, x_label, y_label, series) }
    }
}

/// Draws `plot` to `stem.png` and `stem.svg`; returns both paths.
pub fn line_plot(stem: &Path, plot: &LinePlot) -> anyhow::Result<Vec<std::path::PathBuf>> {
    render(stem, (900, 560), plot)
}

impl Figure for LinePlot<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        draw(root, self)
    }
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, plot: &LinePlot) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow::anyhow!("drawing failed: {e:?}");
    root.fill(&WHITE).map_err(err)?;
    let tx = |x: f64| if plot.log2_x { x.max(f64::MIN_POSITIVE).log2() } else { x };
    let xs: Vec<f64> = plot.series.iter().flat_map(|s| s.points.iter().map(|p| tx(p.0))).collect();
    let ty = |y: f64| if plot.log10_y { (y > 0.0).then(|| y.log10()) } else { Some(y) };
    let ys: Vec<f64> = plot.series.iter().flat_map(|s| s.points.iter().filter_map(|p| ty(p.1))).collect();
    let (mut x0, mut x1) = min_max(&xs).unwrap_or((0.0, 1.0));
    if let Some(v) = &plot.vline {
        x0 = x0.min(tx(v.x));
        x1 = x1.max(tx(v.x));
    }
    if x1 - x0 < 1e-9 {
        x1 = x0 + 1.0;
    }
    let (y0, y1) = plot.y_range.and_then(|(a, b)| Some((ty(a)?, ty(b)?))).unwrap_or_else(|| {
        let (a, b) = min_max(&ys).unwrap_or((0.0, 1.0));
        let pad = ((b - a) * 0.05).max(1e-6);
        (a - pad, b + pad)
    });
    let pad_x = (x1 - x0) * 0.03;
    let mut chart = ChartBuilder::on(root)
        .caption(plot.title, (FONT, 24))
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d((x0 - pad_x)..(x1 + pad_x), y0..y1)
        .map_err(err)?;
    let (log2, log10) = (plot.log2_x, plot.log10_y);
    chart
        .configure_mesh()
        .x_desc(plot.x_label)
        .y_desc(plot.y_label)
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 17))
        .x_labels(if log2 { (x1 - x0).ceil() as usize + 1 } else { 10 })
        .x_label_formatter(&|x| if log2 { format!("2^{}", x.round() as i64) } else { format!("{x}") })
        .y_label_formatter(&|y| if log10 { fmt_pow10(*y) } else { format!("{}", (y * 1e4).round() / 1e4) })
        .draw()
        .map_err(err)?;
    if let Some(v) = &plot.vline {
        let x = tx(v.x);
        chart
            .draw_series(DashedLineSeries::new(vec![(x, y0), (x, y1)], 6, 4, BLACK.stroke_width(1)))
            .map_err(err)?
            .label(v.label.clone())
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK));
    }
    for (i, s) in plot.series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let pts: Vec<(f64, f64)> = s.points.iter().filter_map(|&(x, y)| Some((tx(x), ty(y)?))).collect();
        chart
            .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
            .map_err(err)?
            .label(s.name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
        chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled()))).map_err(err)?;
    }
    draw_legend(&mut chart)
}

/// 10^y as a short number (0.01, 2.5, 300, 1e+06).
/// Only whole powers of ten are labelled (other grid lines stay blank).
fn fmt_pow10(y: f64) -> String {
    if (y - y.round()).abs() > 1e-6 {
        return String::new();
    }
    let v = 10f64.powf(y.round());
    if (1e-3..1e5).contains(&v) {
        format!("{}", (v * 1e3).round() / 1e3)
    } else {
        format!("{v:.0e}")
    }
}

fn min_max(v: &[f64]) -> Option<(f64, f64)> {
    let finite: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if finite.is_empty() {
        return None;
    }
    Some(finite.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x))))
}
