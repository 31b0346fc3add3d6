use ssm_report::{markdown_table, speedup_cell};

#[test]
fn speedups_keep_a_precision_that_suits_their_size() {
    assert_eq!(speedup_cell(63.4), "63x");
    assert_eq!(speedup_cell(10.0), "10x");
    assert_eq!(speedup_cell(2.414), "2.41x");
    assert_eq!(speedup_cell(0.1), "0.10x");
    assert_eq!(speedup_cell(0.0331), "3.3e-2x");
}

#[test]
fn markdown_tables_have_a_header_rule_and_one_line_per_row() {
    let t = markdown_table(&["a".into(), "b".into()], &[vec!["1".into(), "2".into()]]);
    assert_eq!(t, "| a | b |\n|---|---|\n| 1 | 2 |\n");
}
