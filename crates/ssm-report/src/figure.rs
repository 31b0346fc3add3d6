//! What every figure shares: the bundled font, the colour cycle, and writing one drawing as both
//! PNG and SVG.

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

/// Family name the figures ask for.
pub(crate) const FONT: &str = "sans-serif";

/// The colour cycle of line figures (matplotlib's tab10, first eight).
pub(crate) const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// Registers Ubuntu Light (shipped inside the epaint_default_fonts crate, Ubuntu Font Licence)
/// as [`FONT`]; later calls do nothing.
fn ensure() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, epaint_default_fonts::UBUNTU_LIGHT)
            .unwrap_or_else(|_| panic!("the bundled font is a valid TTF"));
    });
}

/// A figure that can draw itself on any plotters backend.
pub(crate) trait Figure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static;
}

/// Draws `figure` to `stem.png` and `stem.svg` at `size`; returns both paths.
pub(crate) fn render(stem: &Path, size: (u32, u32), figure: &impl Figure) -> anyhow::Result<Vec<PathBuf>> {
    ensure();
    let png = stem.with_extension("png");
    let svg = stem.with_extension("svg");
    {
        let root = BitMapBackend::new(&png, size).into_drawing_area();
        figure.draw(&root)?;
        root.present().map_err(|e| anyhow::anyhow!("{}: {e}", png.display()))?;
    }
    {
        let root = SVGBackend::new(&svg, size).into_drawing_area();
        figure.draw(&root)?;
        root.present().map_err(|e| anyhow::anyhow!("{}: {e}", svg.display()))?;
    }
    Ok(vec![png, svg])
}

/// The legend box of the line figures: upper right, on a translucent white ground.
pub(crate) fn draw_legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    chart
        .configure_series_labels()
        .label_font((FONT, 15))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(|e| anyhow::anyhow!("drawing failed: {e:?}"))
}
