use std::collections::HashMap;

/// Where each key of a block-style YAML document was written: `models[1].d_model` → (line, column),
/// both 1-based. Flow collections (`[64, 128]`) map to the line of their key; lookups of a path
/// that is not indexed fall back to its nearest indexed ancestor.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    positions: HashMap<String, (usize, usize)>,
}

#[derive(Debug)]
struct Open {
    indent: usize,
    path: String,
    is_item: bool,
}

impl LineIndex {
    pub fn build(text: &str) -> Self {
        let mut positions = HashMap::new();
        let mut stack: Vec<Open> = Vec::new();
        let mut item_counts: HashMap<String, usize> = HashMap::new();
        for (line_no, raw) in text.lines().enumerate() {
            let line = strip_comment(raw);
            let content = line.trim_start();
            if content.is_empty() || content.starts_with("---") {
                continue;
            }
            let mut indent = line.len() - content.len();
            let mut rest = content;
            while let Some(after_dash) = rest.strip_prefix("- ").or_else(|| (rest == "-").then_some("")) {
                // A sequence item: its parent is the nearest key less indented, or a key at the same
                // indent (YAML allows `key:\n- item`).
                stack.retain(|o| o.indent < indent || (o.indent == indent && !o.is_item));
                let parent = stack.last().map(|o| o.path.clone()).unwrap_or_default();
                let count = item_counts.entry(parent.clone()).or_insert(0);
                let path = format!("{parent}[{count}]");
                *count += 1;
                positions.entry(path.clone()).or_insert((line_no + 1, indent + 1));
                stack.push(Open { indent, path, is_item: true });
                let trimmed = after_dash.trim_start();
                indent += rest.len() - trimmed.len();
                rest = trimmed;
            }
            if let Some(key) = mapping_key(rest) {
                stack.retain(|o| o.indent < indent);
                let parent = stack.last().map(|o| o.path.as_str()).unwrap_or("");
                let path = crate::error::join_path(parent, key);
                positions.insert(path.clone(), (line_no + 1, indent + 1));
                item_counts.remove(&path);
                stack.push(Open { indent, path, is_item: false });
            }
        }
        Self { positions }
    }

    /// The (line, column) of `path` or of its nearest indexed ancestor.
    pub fn locate(&self, path: &str) -> Option<(usize, usize)> {
        let mut p = path.to_string();
        loop {
            if let Some(pos) = self.positions.get(&p) {
                return Some(*pos);
            }
            let cut = p.rfind(['.', '['])?;
            p.truncate(cut);
        }
    }
}

fn strip_comment(line: &str) -> &str {
    let mut in_single = false;
    let mut in_double = false;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !in_double => in_single = !in_single,
            '"' if !in_single => in_double = !in_double,
            '#' if !in_single && !in_double && prev.is_whitespace() => return &line[..i],
            _ => {}
        }
        prev = c;
    }
    line
}

fn mapping_key(content: &str) -> Option<&str> {
    let colon = content.find(':')?;
    let after = &content[colon + 1..];
    if !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    let key = content[..colon].trim().trim_matches(['"', '\'']);
    (!key.is_empty() && !key.starts_with(['{', '['])).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_keys_and_sequences_are_located() {
        let text = "a: 1\nb:\n  c: 2 # note\n  d:\n    - x: 1\n      y: 2\n    - x: 3\nmodels:\n- name: m\n  d_model: 4\n";
        let idx = LineIndex::build(text);
        assert_eq!(idx.locate("a"), Some((1, 1)));
        assert_eq!(idx.locate("b.c"), Some((3, 3)));
        assert_eq!(idx.locate("b.d[0].y"), Some((6, 7)));
        assert_eq!(idx.locate("b.d[1].x"), Some((7, 7)));
        assert_eq!(idx.locate("models[0].d_model"), Some((10, 3)));
        assert_eq!(idx.locate("b.c.zzz"), Some((3, 3)));
        assert_eq!(idx.locate("nope"), None);
    }
}
