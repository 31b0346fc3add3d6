use ssm_tasks::{rng_for, Batch, InductionHeadSafari, Stream, Task, IGNORE_INDEX};

fn task(vocab_size: usize, induction_len: usize, num_triggers: usize) -> InductionHeadSafari {
    InductionHeadSafari { vocab_size, induction_len, num_triggers }
}

fn sample(t: &InductionHeadSafari, len: usize, batch: usize, seed: u64) -> Batch {
    t.sample(len, batch, &mut rng_for(seed, Stream::Train, 0)).unwrap()
}

/// Checks one example against safari's layout and returns its trigger positions.
fn triggers_of(t: &InductionHeadSafari, x: &[i64], y: &[i64]) -> Vec<usize> {
    let (k, len) = (t.induction_len, x.len());
    let i = t.input_seq_len(len);
    let prefix = t.copy_prefix();
    let ordinary = 1..t.vocab_size as i64 - 1;
    assert_eq!(x[i], prefix, "the query follows safari's input_seq_len tokens: {x:?}");
    let triggers: Vec<usize> = (0..i).filter(|&p| x[p] == prefix).collect();
    assert!((1..=t.num_triggers).contains(&triggers.len()), "1 ..= num_triggers triggers: {x:?}");
    assert!(triggers.iter().all(|&p| p < i - 1 - k), "triggers in 0 .. I - 1 - k: {triggers:?}");
    assert!(triggers.windows(2).all(|w| w[1] - w[0] > k), "triggers more than k apart: {triggers:?}");
    let answer = &x[triggers[0] + 1..=triggers[0] + k];
    assert!(answer.iter().all(|a| ordinary.contains(a)), "the answer is ordinary tokens: {x:?}");
    for &p in &triggers {
        assert_eq!(&x[p + 1..=p + k], answer, "every trigger is followed by the answer: {x:?}");
    }
    assert_eq!(&y[len - k..], answer, "the scored targets are the answer: {y:?}");
    assert_eq!(&x[i + 1..], &answer[..k - 1], "the answer's head is fed after the query: {x:?}");
    assert!(y[..len - k].iter().all(|&v| v == IGNORE_INDEX), "only the answer is scored: {y:?}");
    assert!(x.iter().all(|v| *v == prefix || ordinary.contains(v)), "no \".\", nothing outside the vocabulary: {x:?}");
    triggers
}

#[test]
fn every_example_has_safari_layout() {
    // (vocab, induction_len, num_triggers, seq_len): the H3 setting, several triggers, longer
    // answers, and the shortest lengths that fit the triggers.
    let cases =
        [(20, 1, 1, 31), (20, 1, 4, 64), (10, 3, 3, 40), (5, 2, 2, 9), (20, 1, 1, 4), (30, 2, 8, 200), (3, 1, 2, 6)];
    for (seed, &(v, k, n, len)) in cases.iter().enumerate() {
        let t = task(v, k, n);
        assert_eq!(t.min_len(), (n + 1) * (k + 1));
        let batch = sample(&t, len, 300, seed as u64);
        assert_eq!((batch.batch, batch.seq_len), (300, len));
        let mut most = 0;
        for b in 0..batch.batch {
            most = most.max(triggers_of(&t, batch.input_row(b), batch.target_row(b)).len());
        }
        assert!(n == 1 || most > 1, "{v} {k} {n} {len}: several triggers occur");
    }
}

/// Examples with exactly one trigger among `count` of `t` at `len`.
fn one_trigger_count(t: &InductionHeadSafari, len: usize, count: usize, seed: u64) -> (usize, Vec<usize>) {
    let batch = sample(t, len, count, seed);
    let mut hist = vec![0; t.num_triggers + 1];
    for b in 0..count {
        hist[triggers_of(t, batch.input_row(b), batch.target_row(b)).len()] += 1;
    }
    (hist[1], hist)
}

fn assert_binomial(hits: usize, n: usize, p: f64, what: &str) {
    let (mean, sd) = (n as f64 * p, (n as f64 * p * (1.0 - p)).sqrt());
    assert!((hits as f64 - mean).abs() <= 5.0 * sd, "{what}: {hits} of {n}, expected {mean:.1} ± {:.1}", 5.0 * sd);
}

#[test]
fn one_trigger_in_about_half_of_the_examples() {
    // Two triggers: one trigger if the coin says so (½), or if the two draws on R positions lie
    // at most k apart and the second is dropped: P = (R + 2 Σ_{d=1..k} (R - d)) / R².
    let (k, len, count) = (1usize, 64usize, 4000usize);
    let t = task(20, k, 2);
    let r = (t.input_seq_len(len) - 1 - k) as f64;
    let close = (r + 2.0 * (1..=k).map(|d| r - d as f64).sum::<f64>()) / (r * r);
    let (one, hist) = one_trigger_count(&t, len, count, 1);
    assert_binomial(one, count, 0.5 + 0.5 * close, &format!("one trigger of 2, histogram {hist:?}"));
    // Many triggers on a long sequence: rarely collapsed, so one trigger about half of the time
    // and otherwise mostly all of them.
    let t = task(20, 1, 4);
    let (one, hist) = one_trigger_count(&t, 1000, count, 2);
    assert_binomial(one, count, 0.5, &format!("one trigger of 4, histogram {hist:?}"));
    assert!(hist[4] as f64 > 0.45 * count as f64, "four triggers in most of the rest: {hist:?}");
    // safari's default of one trigger: always one.
    let (one, hist) = one_trigger_count(&task(20, 1, 1), 31, count, 3);
    assert_eq!(one, count, "{hist:?}");
}

#[test]
fn trigger_positions_and_answers_cover_their_ranges() {
    // One trigger, uniform on 0 .. I - 1 - k = 0..9; answers uniform on the 18 ordinary tokens.
    let t = task(20, 1, 1);
    let (len, count) = (12, 9000);
    let batch = sample(&t, len, count, 4);
    let (mut at, mut answers) = ([0usize; 12], [0usize; 20]);
    for b in 0..count {
        let triggers = triggers_of(&t, batch.input_row(b), batch.target_row(b));
        at[triggers[0]] += 1;
        answers[batch.target_row(b)[len - 1] as usize] += 1;
    }
    for (p, &c) in at.iter().enumerate().take(9) {
        assert_binomial(c, count, 1.0 / 9.0, &format!("trigger at {p}: {at:?}"));
    }
    assert_eq!(at[9..], [0, 0, 0], "{at:?}");
    for (a, &c) in answers.iter().enumerate().take(19).skip(1) {
        assert_binomial(c, count, 1.0 / 18.0, &format!("answer {a}: {answers:?}"));
    }
    assert_eq!((answers[0], answers[19]), (0, 0), "\".\" and \"=>\" are never answers: {answers:?}");
}

#[test]
fn a_batch_is_a_function_of_the_seed_stream_and_index() {
    let t = task(20, 2, 3);
    let at = |seed, stream, index| t.sample(50, 16, &mut rng_for(seed, stream, index)).unwrap();
    let a = at(7, Stream::Train, 3);
    assert_eq!(a, at(7, Stream::Train, 3));
    assert_ne!(a, at(8, Stream::Train, 3));
    assert_ne!(a, at(7, Stream::Test, 3));
    assert_ne!(a, at(7, Stream::Train, 4));
}

#[test]
fn defaults_are_safaris_h3_setting() {
    let t = InductionHeadSafari::default();
    assert_eq!(t, task(20, 1, 1));
    assert_eq!((t.name(), t.vocab_size(), t.copy_prefix(), t.input_seq_len(31)), ("induction_head_safari", 20, 19, 30));
    assert_eq!(t.options_json(), serde_json::json!({"vocab_size": 20, "induction_len": 1, "num_triggers": 1}));
}

#[test]
fn bad_options_name_the_option() {
    let err_of = |t: InductionHeadSafari, len| t.sample(len, 1, &mut rng_for(0, Stream::Train, 0)).unwrap_err();
    assert_eq!(err_of(task(2, 1, 1), 31).option, "vocab_size");
    assert_eq!(err_of(task(20, 0, 1), 31).option, "induction_len");
    assert_eq!(err_of(task(20, 1, 0), 31).option, "num_triggers");
    // Three triggers of three tokens more than two apart need (3 + 1)(2 + 1) = 12 inputs.
    let err = err_of(task(20, 2, 3), 11);
    assert_eq!(err.option, "seq_len");
    assert!(err.message.contains("12") && err.message.contains("num_triggers"), "{err}");
    assert!(task(20, 2, 3).sample(12, 4, &mut rng_for(0, Stream::Train, 0)).is_ok());
    assert_eq!(err_of(task(20, 1, 1), 3).option, "seq_len");
}
