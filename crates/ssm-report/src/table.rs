/// A GitHub-flavoured markdown table.
pub fn markdown_table(headers: &[String], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n", headers.join(" | "));
    out += &format!("|{}\n", headers.iter().map(|_| "---|").collect::<String>());
    for r in rows {
        out += &format!("| {} |\n", r.join(" | "));
    }
    out
}
