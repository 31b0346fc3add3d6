/// A GitHub-flavoured markdown table.
pub fn markdown_table(headers: &[String], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n", headers.join(" | "));
    out += &format!("|{}\n", headers.iter().map(|_| "---|").collect::<String>());
    for r in rows {
        out += &format!("| {} |\n", r.join(" | "));
    }
    out
}

/// A speedup for a table cell, with a precision that suits its size (3.3e-2x, 2.41x, 63x).
pub fn speedup_cell(x: f64) -> String {
    if x >= 10.0 {
        format!("{x:.0}x")
    } else if x >= 0.1 {
        format!("{x:.2}x")
    } else {
        format!("{x:.1e}x")
    }
}
