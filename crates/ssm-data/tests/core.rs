use ssm_data::{
    split_by_fractions, DataError, DataInfo, Dataset, Example, InputKind, LevelMap, Location, Provenance, Splits,
    LEVELS,
};

fn tiny(examples: Vec<Example>) -> Dataset {
    Dataset {
        info: DataInfo {
            name: "tiny".into(),
            input: InputKind::Tokens,
            vocab_size: 5,
            n_classes: 2,
            max_len: 3,
            pairs: false,
            provenance: Provenance::Generated { recipe: "test".into() },
            dropped: vec![("empty".into(), 1)],
            notes: vec!["a note".into()],
        },
        splits: Splits { train: examples, val: vec![Example::single(vec![3], 0)], test: vec![] },
    }
}

#[test]
fn split_by_fractions_partitions_every_item_once_and_is_seeded() {
    let parts = split_by_fractions((0..103).collect::<Vec<_>>(), &[0.8, 0.1, 0.1], 42);
    assert_eq!(parts.iter().map(Vec::len).collect::<Vec<_>>(), vec![82, 10, 11]);
    let mut all: Vec<i32> = parts.concat();
    all.sort();
    assert_eq!(all, (0..103).collect::<Vec<_>>());
    assert_eq!(parts, split_by_fractions((0..103).collect::<Vec<_>>(), &[0.8, 0.1, 0.1], 42));
    assert_ne!(parts, split_by_fractions((0..103).collect::<Vec<_>>(), &[0.8, 0.1, 0.1], 43));
}

#[test]
fn check_rejects_tokens_labels_and_lengths_out_of_range() {
    assert!(tiny(vec![Example::single(vec![3, 4], 1)]).check().is_ok());
    for bad in [Example::single(vec![5], 0), Example::single(vec![3], 2), Example::single(vec![], 0), Example::single(vec![3; 4], 0)] {
        let err = tiny(vec![bad.clone()]).check().unwrap_err().to_string();
        assert!(err.contains("tiny train example 0"), "{bad:?}: {err}");
    }
    assert!(tiny(vec![Example::pair(vec![3], vec![3], 0)]).check().is_err());
}

#[test]
fn inspection_counts_splits_lengths_classes_and_drops() {
    let ins = tiny(vec![Example::single(vec![3, 4], 1), Example::single(vec![3], 1)]).inspect();
    assert_eq!((ins.train, ins.val, ins.test), (2, 1, 0));
    assert_eq!(ins.classes["train"], vec![0, 2]);
    let train = ins.lengths["train"].as_ref().unwrap();
    assert_eq!((train.min, train.max, train.mean), (1, 2, 1.5));
    assert!(ins.lengths["test"].is_none());
    assert_eq!(ins.dropped["empty"], 1);
    let json = serde_json::to_value(&ins).unwrap();
    assert_eq!(json["train"], 2);
    assert_eq!(json["provenance"]["kind"], "generated");
    assert_eq!(json["notes"][0], "a note");
}

#[test]
fn levels_round_trip_within_half_a_step_and_clamp_outside_the_training_range() {
    let train = [-79.006195, 73.112488, 2.9525759, 0.0, -1.0e-7];
    let map = LevelMap::fit(train).unwrap();
    assert_eq!((map.min, map.max), (-79.006195, 73.112488));
    assert_eq!((map.level(map.min), map.level(map.max)), ((0, false), (u16::MAX, false)));
    for k in 0..=10_000 {
        let x = map.min + (map.max - map.min) * f64::from(k) / 10_000.0;
        let (v, clamped) = map.level(x);
        assert!(!clamped);
        let err = (map.value(v) - x).abs();
        assert!(err <= map.step() / 2.0 + 1e-12 && err < (map.max - map.min) / 65535.0, "{x}: {err}");
    }
    assert_eq!(map.level(-80.0), (0, true));
    assert_eq!(map.level(1e9), (u16::MAX, true));
    assert_eq!(LEVELS, 65536);
    assert!(LevelMap::fit([1.0, 1.0]).is_none());
    assert!(LevelMap::fit([f64::NAN]).is_none());
    let json = serde_json::to_value(map.input()).unwrap();
    assert_eq!(json["levels"]["min"], -79.006195);
}

#[test]
fn errors_name_the_file_and_the_line_or_record() {
    let e = DataError::malformed("d/basic_train.tsv", Location::Line(7), "expected 2 columns");
    assert_eq!(e.to_string(), "d/basic_train.tsv:line 7: expected 2 columns");
    let e = DataError::malformed("data_batch_1.bin", Location::Record(3), "truncated");
    assert_eq!(e.to_string(), "data_batch_1.bin:record 3: truncated");
    let e = DataError::io("nope.tsv", std::io::Error::from(std::io::ErrorKind::NotFound));
    assert!(matches!(e, DataError::Missing { .. }), "{e}");
}
