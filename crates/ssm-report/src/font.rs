//! The bundled font, registered once under the family name the figures use.

use std::sync::Once;

use plotters::style::FontStyle;

/// Family name the figures of this file's users ask for.
pub(crate) const FONT: &str = "sans-serif";

/// Registers Ubuntu Light (shipped inside the epaint_default_fonts crate, Ubuntu Font Licence)
/// as [`FONT`]; later calls do nothing.
pub(crate) fn ensure() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, epaint_default_fonts::UBUNTU_LIGHT)
            .unwrap_or_else(|_| panic!("the bundled font is a valid TTF"));
    });
}
