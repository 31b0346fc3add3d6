//! Heatmaps of matrices, one panel per matrix, drawn cell by cell with rectangles in a
//! diverging colour map (blue < 0 < red, each panel scaled by its largest |entry|).

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::figure::{render, Figure, FONT};

/// One matrix: `rows[i][k]` is drawn at row i (top to bottom), column k (left to right).
pub struct Heatmap {
    pub title: String,
    pub rows: Vec<Vec<f64>>,
}

/// Colour of `v ∈ [−1, 1]`: white at 0, saturating to blue (−1) or red (+1).
pub fn diverging(v: f64) -> RGBColor {
    let v = if v.is_finite() { v.clamp(-1.0, 1.0) } else { 0.0 };
    let (end, t) = if v < 0.0 { ((33.0, 102.0, 172.0), -v) } else { ((178.0, 24.0, 43.0), v) };
    let mix = |a: f64| (255.0 + (a - 255.0) * t).round() as u8;
    RGBColor(mix(end.0), mix(end.1), mix(end.2))
}

/// Draws the panels in a grid of `columns` columns, with a shared colour bar, to `stem.png` and
/// `stem.svg`; returns both paths.
pub fn heatmaps(stem: &Path, title: &str, panels: &[Heatmap], columns: usize) -> anyhow::Result<Vec<PathBuf>> {
    if panels.is_empty() {
        anyhow::bail!("a heatmap figure needs at least one matrix");
    }
    let columns = columns.clamp(1, panels.len());
    let grid_rows = panels.len().div_ceil(columns);
    let size = (360 * columns as u32 + 90, 380 * grid_rows as u32 + 50);
    render(stem, size, &Grid { title, panels, columns, grid_rows })
}

/// A titled grid of heatmap panels with one colour bar.
struct Grid<'a> {
    title: &'a str,
    panels: &'a [Heatmap],
    columns: usize,
    grid_rows: usize,
}

impl Figure for Grid<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        draw(root, self.title, self.panels, self.columns, self.grid_rows)
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    panels: &[Heatmap],
    columns: usize,
    grid_rows: usize,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow::anyhow!("drawing failed: {e:?}");
    root.fill(&WHITE).map_err(err)?;
    let root = root.titled(title, (FONT, 24)).map_err(err)?;
    let (w, _) = root.dim_in_pixel();
    let (grid, bar) = root.split_horizontally(w.saturating_sub(90));
    for (area, panel) in grid.split_evenly((grid_rows, columns)).iter().zip(panels) {
        draw_panel(area, panel)?;
    }
    draw_colour_bar(&bar)?;
    Ok(())
}

fn draw_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, panel: &Heatmap) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow::anyhow!("drawing failed: {e:?}");
    let n_rows = panel.rows.len();
    let n_cols = panel.rows.iter().map(Vec::len).max().unwrap_or(0);
    let scale = panel.rows.iter().flatten().filter(|v| v.is_finite()).fold(0.0f64, |m, v| m.max(v.abs()));
    let caption = format!("{} (max |entry| {:.3})", panel.title, scale);
    let (nr, nc) = (n_rows.max(1) as f64, n_cols.max(1) as f64);
    // y runs from −N (bottom) to 0 (top) so that row 0 is drawn at the top.
    let mut chart = ChartBuilder::on(area)
        .caption(caption, (FONT, 16))
        .margin(10)
        .x_label_area_size(26)
        .y_label_area_size(34)
        .build_cartesian_2d(0.0..nc, -nr..0.0)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .label_style((FONT, 13))
        .x_labels(5)
        .y_labels(5)
        .x_label_formatter(&|x| format!("{}", x.round() as i64))
        .y_label_formatter(&|y| format!("{}", (-y).round() as i64))
        .draw()
        .map_err(err)?;
    let inv = if scale > 0.0 { 1.0 / scale } else { 0.0 };
    chart
        .draw_series(panel.rows.iter().enumerate().flat_map(|(i, row)| {
            row.iter().enumerate().map(move |(k, &v)| {
                let (x, y) = (k as f64, -(i as f64));
                Rectangle::new([(x, y), (x + 1.0, y - 1.0)], diverging(v * inv).filled())
            })
        }))
        .map_err(err)?;
    Ok(())
}

fn draw_colour_bar<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow::anyhow!("drawing failed: {e:?}");
    let mut chart = ChartBuilder::on(area)
        .margin_top(40)
        .margin_bottom(40)
        .margin_right(10)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..1.0, -1.0..1.0)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .label_style((FONT, 13))
        .y_labels(5)
        .y_label_formatter(&|y| format!("{y:+.1}"))
        .draw()
        .map_err(err)?;
    let steps = 100;
    chart
        .draw_series((0..steps).map(|s| {
            let lo = -1.0 + 2.0 * s as f64 / steps as f64;
            let hi = lo + 2.0 / steps as f64;
            Rectangle::new([(0.0, lo), (1.0, hi)], diverging(0.5 * (lo + hi)).filled())
        }))
        .map_err(err)?;
    Ok(())
}
