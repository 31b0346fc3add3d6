//! Dense curves without point markers (signals, errors over time), optionally on a log10 y axis.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::figure::{draw_legend, render, Figure, FONT, PALETTE};
use crate::Series;

pub struct CurvePlot<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub series: &'a [Series],
    /// Plot y on a log10 axis (non-positive values are dropped).
    pub log10_y: bool,
    /// Draw the first series in black, a little thicker (the reference signal).
    pub first_is_reference: bool,
}

/// Draws `plot` to `stem.png` and `stem.svg`; returns both paths.
pub fn curve_plot(stem: &Path, plot: &CurvePlot) -> anyhow::Result<Vec<PathBuf>> {
    render(stem, (960, 520), plot)
}

impl Figure for CurvePlot<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        draw(root, self)
    }
}

/// The reference series (first, when asked) in black; the others through the palette.
fn color(i: usize, reference: bool) -> RGBColor {
    match (reference, i) {
        (true, 0) => BLACK,
        (true, i) => PALETTE[(i - 1) % PALETTE.len()],
        (false, i) => PALETTE[i % PALETTE.len()],
    }
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, plot: &CurvePlot) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow::anyhow!("drawing failed: {e:?}");
    root.fill(&WHITE).map_err(err)?;
    let ty = |y: f64| if plot.log10_y { (y > 0.0).then(|| y.log10()) } else { Some(y) };
    let curves: Vec<Vec<(f64, f64)>> = plot
        .series
        .iter()
        .map(|s| s.points.iter().filter_map(|&(x, y)| ty(y).map(|y| (x, y))).filter(|p| p.0.is_finite() && p.1.is_finite()).collect())
        .collect();
    let all = || curves.iter().flatten();
    let (mut x0, mut x1) = all().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (mut y0, mut y1) = all().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.1), b.max(p.1)));
    if !x0.is_finite() {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    if x1 - x0 < 1e-12 {
        x1 = x0 + 1.0;
    }
    let pad = ((y1 - y0) * 0.05).max(1e-9);
    (y0, y1) = (y0 - pad, y1 + pad);
    let mut chart = ChartBuilder::on(root)
        .caption(plot.title, (FONT, 22))
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    let log = plot.log10_y;
    chart
        .configure_mesh()
        .x_desc(plot.x_label)
        .y_desc(plot.y_label)
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 17))
        .y_label_formatter(&|y| if log { format!("{:.0e}", 10f64.powf(*y)) } else { format!("{y:.2}") })
        .draw()
        .map_err(err)?;
    for (i, (s, pts)) in plot.series.iter().zip(curves).enumerate() {
        let c = color(i, plot.first_is_reference);
        let width = if plot.first_is_reference && i == 0 { 3 } else { 2 };
        chart
            .draw_series(LineSeries::new(pts, c.stroke_width(width)))
            .map_err(err)?
            .label(s.name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(width)));
    }
    draw_legend(&mut chart)
}
