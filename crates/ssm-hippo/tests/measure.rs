//! Parsing and serialization of `Measure` and `Discretization`.

mod common;

use ssm_hippo::{Discretization, HippoError, Measure};

#[test]
fn parses_every_name() {
    let cases = [
        ("legs", Measure::LegS),
        ("LegT", Measure::LegT { halved: true }),
        ("legt-unhalved", Measure::LegT { halved: false }),
        (" lagt ", Measure::LagT { beta: 1.0 }),
        (
            "glagt",
            Measure::GLagT {
                alpha: 0.0,
                beta: 0.01,
            },
        ),
        ("fout", Measure::FouT),
        ("lmu", Measure::Lmu),
    ];
    for (s, m) in cases {
        assert_eq!(s.parse::<Measure>().unwrap(), m, "{s}");
        assert_eq!(m.name().parse::<Measure>().unwrap(), m);
    }
}

#[test]
fn unknown_measure_lists_valid_names() {
    let err = "legendre".parse::<Measure>().unwrap_err();
    assert!(matches!(err, HippoError::UnknownMeasure { .. }));
    let msg = err.to_string();
    for name in ["legs", "legt", "lagt", "glagt", "fout", "lmu", "legendre"] {
        assert!(msg.contains(name), "message `{msg}` lacks `{name}`");
    }
}

#[test]
fn serde_round_trip() {
    let all = [
        Measure::LegS,
        Measure::legt(),
        Measure::LegT { halved: false },
        Measure::LagT { beta: 0.5 },
        Measure::GLagT {
            alpha: 0.25,
            beta: 0.1,
        },
        Measure::FouT,
        Measure::Lmu,
    ];
    for m in all {
        let s = serde_json::to_string(&m).unwrap();
        let back: Measure = serde_json::from_str(&s).unwrap();
        assert_eq!(back, m, "{s}");
    }
    let m: Measure = serde_json::from_str(r#"{"name":"legt"}"#).unwrap();
    assert_eq!(m, Measure::legt());
    let m: Measure = serde_json::from_str(r#"{"name":"glagt"}"#).unwrap();
    assert_eq!(m, Measure::glagt());
    let m: Measure = serde_json::from_str(r#"{"name":"lagt","beta":2.0}"#).unwrap();
    assert_eq!(m, Measure::LagT { beta: 2.0 });
    assert!(serde_json::from_str::<Measure>(r#"{"name":"nope"}"#).is_err());
}

#[test]
fn discretization_names() {
    assert_eq!(
        "bilinear".parse::<Discretization>().unwrap(),
        Discretization::Bilinear
    );
    assert_eq!(
        "ZOH".parse::<Discretization>().unwrap(),
        Discretization::Zoh
    );
    assert_eq!(
        "euler".parse::<Discretization>().unwrap(),
        Discretization::Forward
    );
    assert_eq!(
        "backward".parse::<Discretization>().unwrap(),
        Discretization::Backward
    );
    assert_eq!(
        "gbt:0.25".parse::<Discretization>().unwrap(),
        Discretization::Gbt { alpha: 0.25 }
    );
    let err = "rk4".parse::<Discretization>().unwrap_err().to_string();
    assert!(
        err.contains("rk4") && err.contains("zoh") && err.contains("bilinear"),
        "{err}"
    );
    match "gbt:1.5".parse::<Discretization>() {
        Err(HippoError::InvalidOption { option, .. }) => assert_eq!(option, "alpha"),
        other => panic!("{other:?}"),
    }
    match "gbt:x".parse::<Discretization>() {
        Err(HippoError::InvalidOption { option, .. }) => assert_eq!(option, "alpha"),
        other => panic!("{other:?}"),
    }
    for d in common::RULES {
        assert_eq!(d.to_string().parse::<Discretization>().unwrap(), d);
        let s = serde_json::to_string(&d).unwrap();
        assert_eq!(serde_json::from_str::<Discretization>(&s).unwrap(), d);
    }
}
