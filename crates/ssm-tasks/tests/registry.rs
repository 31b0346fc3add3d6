use ssm_config::{ConfigError, Value};
use ssm_tasks::{rng_for, task_by_name, task_from_options, Stream, Task, TASK_NAMES};

fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).unwrap()
}

fn from_yaml(name: &str, text: &str) -> Result<Box<dyn Task>, ConfigError> {
    task_from_options(name, &yaml(text))
}

/// A length each task accepts with its default options.
fn ok_len(task: &dyn Task) -> usize {
    task.min_len().max(64)
}

#[test]
fn every_name_resolves_to_its_defaults() {
    assert_eq!(
        TASK_NAMES,
        ["induction_heads", "induction_head_safari", "associative_recall", "mqar", "selective_copying", "copying"]
    );
    for &name in TASK_NAMES {
        let task = task_by_name(name).unwrap_or_else(|| panic!("{name} resolves"));
        assert_eq!(task.name(), name);
        task.validate().unwrap();
        let from_null = task_from_options(name, &Value::Null).unwrap();
        let from_empty = from_yaml(name, "{}").unwrap();
        assert_eq!(from_null.options_json(), task.options_json(), "{name}: null = defaults");
        assert_eq!(from_empty.options_json(), task.options_json(), "{name}: {{}} = defaults");
        assert!(task.options_json().as_object().is_some_and(|o| o.contains_key("vocab_size")), "{name}");
        let len = ok_len(&*task);
        let batch = task.sample(len, 2, &mut rng_for(1, Stream::Train, 0)).unwrap();
        assert_eq!((batch.batch, batch.seq_len), (2, len));
        let v = task.vocab_size() as i64;
        assert!(batch.inputs.iter().all(|&t| (0..v).contains(&t)), "{name}: inputs in the vocabulary");
        assert!(batch.targets.iter().all(|&t| t == -100 || (0..v).contains(&t)), "{name}: targets too");
        assert!(batch.targets.iter().any(|&t| t != -100), "{name}: something is scored");
        // The same batch through the registry's parsed task.
        let again = from_null.sample(len, 2, &mut rng_for(1, Stream::Train, 0)).unwrap();
        assert_eq!(batch, again);
    }
    assert!(task_by_name("nope").is_none());
}

#[test]
fn options_are_read_from_yaml() {
    let t =
        from_yaml("mqar", "{vocab_size: 512, num_kv_pairs: 4, num_passes: 2, power_a: 1, random_non_queries: false}")
            .unwrap();
    assert_eq!(
        t.options_json(),
        serde_json::json!({"vocab_size": 512, "num_kv_pairs": 4, "num_passes": 2, "power_a": 1.0,
                           "random_non_queries": false})
    );
    assert_eq!(t.min_len(), 24);
    let t = from_yaml("associative_recall", "vocab_size: 20\nnum_keys: 2\nallow_dot: true").unwrap();
    assert_eq!(t.options_json(), serde_json::json!({"vocab_size": 20, "num_keys": 2, "allow_dot": true}));
    let t = from_yaml("selective_copying", "n_tokens: 8").unwrap();
    assert_eq!(t.options_json(), serde_json::json!({"vocab_size": 16, "n_tokens": 8, "reverse": false}));
    let t = from_yaml("copying", "{vocab_size: 10, n_tokens: 10, reverse: true}").unwrap();
    assert_eq!(t.min_len(), 20);
    let t = from_yaml("induction_heads", "vocab_size: 20").unwrap();
    assert_eq!(t.vocab_size(), 20);
    let t = from_yaml("induction_head_safari", "{vocab_size: 12, induction_len: 2, num_triggers: 3}").unwrap();
    assert_eq!(t.options_json(), serde_json::json!({"vocab_size": 12, "induction_len": 2, "num_triggers": 3}));
    assert_eq!(t.min_len(), 12);
}

#[test]
fn unknown_keys_are_rejected_by_name() {
    for &name in TASK_NAMES {
        let err = from_yaml(name, "{vocab_size: 32, bogus_option: 3}").err().unwrap();
        assert_eq!(err.path, "bogus_option", "{name}: {err}");
        assert!(err.message.contains("bogus_option"), "{name}: {err}");
    }
    // Close to a real key, from the other task.
    let err = from_yaml("mqar", "n_tokens: 4").err().unwrap();
    assert_eq!(err.path, "n_tokens");
    assert!(err.message.contains("num_kv_pairs"), "the known keys are listed: {err}");
}

#[test]
fn bad_values_name_their_key() {
    let cases = [
        ("mqar", "vocab_size: lots", "vocab_size"),
        ("mqar", "vocab_size: -5", "vocab_size"),
        ("mqar", "num_kv_pairs: 0", "num_kv_pairs"),
        ("mqar", "num_passes: 0", "num_passes"),
        ("mqar", "power_a: 0", "power_a"),
        ("mqar", "power_a: -1.5", "power_a"),
        ("mqar", "random_non_queries: 3", "random_non_queries"),
        ("mqar", "{vocab_size: 8, num_kv_pairs: 4}", "num_kv_pairs"),
        ("associative_recall", "vocab_size: 3", "vocab_size"),
        ("associative_recall", "num_keys: 0", "num_keys"),
        ("associative_recall", "allow_dot: maybe", "allow_dot"),
        ("selective_copying", "vocab_size: 2", "vocab_size"),
        ("selective_copying", "n_tokens: 0", "n_tokens"),
        ("selective_copying", "n_tokens: 1.5", "n_tokens"),
        ("copying", "reverse: [1]", "reverse"),
        ("induction_heads", "vocab_size: 2", "vocab_size"),
        ("induction_head_safari", "vocab_size: 2", "vocab_size"),
        ("induction_head_safari", "num_triggers: 0", "num_triggers"),
        ("induction_head_safari", "num_triggers: -1", "num_triggers"),
        ("induction_head_safari", "induction_len: 0", "induction_len"),
        ("induction_head_safari", "induction_len: two", "induction_len"),
    ];
    for (name, text, key) in cases {
        let err = from_yaml(name, text).err().unwrap_or_else(|| panic!("{name} {text} is rejected"));
        assert_eq!(err.path, key, "{name} {text}: {err}");
        assert!(!err.message.is_empty());
    }
    // A mapping is required.
    let err = from_yaml("mqar", "[1, 2]").err().unwrap();
    assert_eq!(err.path, "");
}

#[test]
fn errors_can_be_placed_in_a_config() {
    let err = from_yaml("mqar", "num_kv_pairs: 0").err().unwrap().under("task.options");
    assert_eq!(err.path, "task.options.num_kv_pairs");
    assert!(err.to_string().starts_with("task.options.num_kv_pairs: "), "{err}");
}

#[test]
fn unknown_task_names_list_the_known_ones() {
    let err = task_from_options("mqr", &Value::Null).err().unwrap();
    assert!(err.message.contains("mqr") && err.message.contains("mqar, selective_copying"), "{err}");
}

#[test]
fn length_dependent_errors_come_at_sampling() {
    // Options valid on their own, length wrong for them: the error names the option at fault.
    let t = from_yaml("mqar", "vocab_size: 64").unwrap();
    let err = t.sample(64, 1, &mut rng_for(0, Stream::Train, 0)).err().unwrap();
    assert_eq!(err.option, "vocab_size");
    let t = from_yaml("associative_recall", "num_keys: 2").unwrap();
    let err = t.sample(22, 1, &mut rng_for(0, Stream::Train, 0)).err().unwrap();
    assert_eq!(err.option, "seq_len");
    let t = from_yaml("induction_head_safari", "num_triggers: 20").unwrap();
    let err = t.sample(31, 1, &mut rng_for(0, Stream::Train, 0)).err().unwrap();
    assert_eq!(err.option, "seq_len");
}

/// Every task: a batch is a function of (seed, stream, index) alone, and another seed or stream
/// gives another batch.
#[test]
fn batches_are_a_function_of_seed_stream_and_index() {
    for name in ssm_tasks::TASK_NAMES {
        let task = ssm_tasks::task_by_name(name).unwrap();
        let len = 4096; // long enough for every default (copying: 2 x 1024 tokens)
        let at = |seed, stream| task.sample(len, 4, &mut ssm_tasks::rng_for(seed, stream, 11)).unwrap();
        let a = at(7, ssm_tasks::Stream::Train);
        assert_eq!(a, at(7, ssm_tasks::Stream::Train), "{name}");
        assert_ne!(a, at(7, ssm_tasks::Stream::Test), "{name}");
        assert_ne!(a, at(8, ssm_tasks::Stream::Train), "{name}");
    }
}
