use ssm_report::{curve_plot, diverging, heatmaps, CurvePlot, Heatmap, Series};

#[test]
fn diverging_colours_are_signed() {
    assert_eq!(diverging(0.0), plotters::style::RGBColor(255, 255, 255));
    let neg = diverging(-1.0);
    let pos = diverging(1.0);
    assert!(neg.2 > neg.0, "negative is blue: {neg:?}");
    assert!(pos.0 > pos.2, "positive is red: {pos:?}");
    assert_eq!(diverging(5.0), pos, "clamped");
}

#[test]
fn heatmaps_and_curves_write_png_and_svg() {
    let dir = std::env::temp_dir().join(format!("ssm-report-heatmap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let m = |s: f64| Heatmap { title: format!("M{s}"), rows: vec![vec![s, -1.0], vec![0.0, 2.0]] };
    let files = heatmaps(&dir.join("maps"), "Two matrices", &[m(1.0), m(3.0), m(-4.0)], 2).unwrap();
    assert_eq!(&std::fs::read(&files[0]).unwrap()[1..4], b"PNG");
    let svg = std::fs::read_to_string(&files[1]).unwrap();
    assert!(svg.contains("Two matrices") && svg.contains("M3"), "svg lacks its text");
    // The entry 2 of M1 is the panel's maximum: full red.
    assert!(svg.contains("#B2182B"), "no saturated red cell");
    let series = vec![
        Series { name: "signal".into(), points: (0..200).map(|i| (i as f64 / 200.0, (i as f64 / 20.0).sin())).collect() },
        Series { name: "error".into(), points: vec![(0.0, 1e-3), (1.0, 1e-1)] },
    ];
    let plot = CurvePlot { title: "Curves", x_label: "t", y_label: "y", series: &series, log10_y: false, first_is_reference: true };
    let files = curve_plot(&dir.join("curves"), &plot).unwrap();
    assert!(std::fs::read_to_string(&files[1]).unwrap().contains("signal"));
    std::fs::remove_dir_all(dir).unwrap();
}
