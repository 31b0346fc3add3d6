//! Paper-style figures and tables. Plots are drawn once per backend (PNG and SVG) with a font
//! bundled in the binary, so no system font or freetype is needed.

mod curves;
mod figure;
mod heatmap;
mod line_plot;
mod table;

pub use curves::{curve_plot, CurvePlot};
pub use heatmap::{diverging, heatmaps, Heatmap};
pub use line_plot::{line_plot, LinePlot, Series, VLine};
pub use table::{markdown_table, speedup_cell};
