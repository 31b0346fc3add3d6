//! The fixed training set (`task.train_examples`) and next-token targets
//! (`train.loss_positions: all`).

use std::collections::HashSet;

use ssm_tasks::{
    rng_for, task_by_name, AssociativeRecall, Batch, FixedSet, InductionHeadSafari, Stream, Task, IGNORE_INDEX, TASK_NAMES,
};

type Example = (Vec<i64>, Vec<i64>);

fn rows(b: &Batch) -> Vec<Example> {
    (0..b.batch).map(|i| (b.input_row(i).to_vec(), b.target_row(i).to_vec())).collect()
}

/// The examples of every step of epoch `epoch`, in the order served.
fn epoch(set: &mut FixedSet, epoch: usize) -> Vec<Example> {
    let per = set.batches_per_epoch();
    (epoch * per..(epoch + 1) * per).flat_map(|s| rows(&set.batch_at(s))).collect()
}

fn safari_set(examples: usize, batch: usize, seed: u64) -> FixedSet {
    FixedSet::new(&InductionHeadSafari::default(), 31, examples, batch, seed).unwrap()
}

#[test]
fn every_epoch_serves_the_same_examples_once_each_in_a_new_order() {
    let mut set = safari_set(100, 32, 7);
    assert_eq!(set.len(), 100);
    assert_eq!(set.batches_per_epoch(), 4, "ceil(100 / 32): the last batch is partial, not dropped");
    let sizes: Vec<usize> = (0..4).map(|s| set.batch_at(s).batch).collect();
    assert_eq!(sizes, [32, 32, 32, 4]);

    let mut all = rows(set.examples());
    all.sort();
    let distinct: HashSet<&Example> = all.iter().collect();
    assert_eq!(distinct.len(), 100, "distinct examples, as safari's torch.unique keeps");
    let epochs: Vec<Vec<Example>> = (0..3).map(|e| epoch(&mut set, e)).collect();
    for (e, served) in epochs.iter().enumerate() {
        let mut sorted = served.clone();
        sorted.sort();
        assert_eq!(sorted, all, "epoch {e} visits every example of the set exactly once");
    }
    assert_ne!(epochs[0], epochs[1], "the order changes between epochs");
    assert_ne!(epochs[1], epochs[2]);
    assert_ne!(set.epoch_order(0), set.epoch_order(1));
    for e in 0..3 {
        let mut order = set.epoch_order(e);
        order.sort_unstable();
        assert_eq!(order, (0..100).collect::<Vec<_>>(), "a permutation");
    }
}

/// A resumed run builds the set afresh and starts at some step: it sees what a run that never
/// stopped sees, whichever step it starts at.
#[test]
fn a_set_rebuilt_from_the_seed_serves_the_same_batches_at_any_step() {
    let mut straight = safari_set(200, 16, 3);
    let served: Vec<Batch> = (0..60).map(|s| straight.batch_at(s)).collect();
    for start in [0, 13, 25, 37] {
        let mut resumed = safari_set(200, 16, 3);
        assert_eq!(resumed.examples(), straight.examples(), "the same set from the same seed");
        for (s, want) in served.iter().enumerate().skip(start) {
            assert_eq!(&resumed.batch_at(s), want, "step {s} after a resume at {start}");
        }
    }
    // Asked out of order (the epoch order is cached), the batches do not change.
    let mut jumpy = safari_set(200, 16, 3);
    for s in [50, 2, 49, 14, 13, 59, 0] {
        assert_eq!(jumpy.batch_at(s), served[s]);
    }
    let other = safari_set(200, 16, 4);
    assert_ne!(other.examples(), straight.examples(), "another seed, another set");
}

#[test]
fn the_set_holds_the_generators_examples_as_scored() {
    let t = InductionHeadSafari::default();
    let set = safari_set(50, 8, 11);
    let ex = set.examples();
    assert_eq!((ex.batch, ex.seq_len), (50, 31));
    // The first example is the first draw of the training stream.
    let first = t.sample(31, 1, &mut rng_for(11, Stream::Train, 0)).unwrap();
    assert_eq!(ex.input_row(0), first.input_row(0));
    assert_eq!(ex.target_row(0), first.target_row(0));
    for b in 0..ex.batch {
        let y = ex.target_row(b);
        assert!(y[..30].iter().all(|&v| v == IGNORE_INDEX) && y[30] >= 0, "only the answer is scored: {y:?}");
    }
}

#[test]
fn a_task_without_enough_distinct_examples_is_an_error_naming_train_examples() {
    // Vocabulary 3: one ordinary token, so at length 4 there is a single example.
    let t = InductionHeadSafari { vocab_size: 3, induction_len: 1, num_triggers: 1 };
    assert!(FixedSet::new(&t, 4, 1, 1, 0).is_ok());
    let e = FixedSet::new(&t, 4, 2, 1, 0).unwrap_err();
    assert_eq!(e.option, "train_examples", "{e}");
    assert!(e.message.contains("only 1 distinct"), "{e}");
    let e = FixedSet::new(&t, 4, 0, 1, 0).unwrap_err();
    assert_eq!(e.option, "train_examples", "{e}");
}

/// A hand-made batch: every position but the last is labelled with the next input; scored
/// targets and the last position keep theirs.
#[test]
fn next_token_targets_label_every_position_with_the_next_input() {
    let b = Batch {
        batch: 2,
        seq_len: 5,
        inputs: vec![3, 1, 4, 1, 5, /**/ 9, 2, 6, 5, 3],
        targets: vec![-100, -100, -100, -100, 7, /**/ -100, -100, -100, 3, 8],
    };
    let all = b.with_next_token_targets();
    assert_eq!(all.inputs, b.inputs, "inputs untouched");
    assert_eq!(all.targets, vec![1, 4, 1, 5, 7, /**/ 2, 6, 5, 3, 8]);
    // A last position the task does not score stays unscored.
    let b = Batch { batch: 1, seq_len: 3, inputs: vec![1, 2, 3], targets: vec![-100; 3] };
    assert_eq!(b.with_next_token_targets().targets, vec![2, 3, -100]);
    let one = Batch { batch: 1, seq_len: 1, inputs: vec![4], targets: vec![2] };
    assert_eq!(one.with_next_token_targets().targets, vec![2]);
}

/// For the tasks that say their examples are one token sequence, the scored targets already
/// are the next inputs (so `all` only adds labels), and `all` gives safari's `ex[1:]`.
#[test]
fn next_token_tasks_score_the_next_input_and_the_others_do_not_claim_it() {
    let cases: Vec<(Box<dyn Task>, usize)> = vec![
        (Box::new(InductionHeadSafari::default()), 31),
        (Box::new(InductionHeadSafari { vocab_size: 12, induction_len: 3, num_triggers: 2 }), 20),
        (Box::new(AssociativeRecall::default()), 22),
        (Box::new(AssociativeRecall { vocab_size: 12, num_keys: 2, allow_dot: true }), 21),
        (task_by_name("induction_heads").unwrap(), 32),
    ];
    for (t, len) in &cases {
        assert!(t.is_next_token_sequence(), "{}", t.name());
        let b = t.sample(*len, 16, &mut rng_for(5, Stream::Train, 0)).unwrap();
        let all = b.with_next_token_targets();
        for r in 0..b.batch {
            let (x, y, z) = (b.input_row(r), b.target_row(r), all.target_row(r));
            for i in 0..len - 1 {
                if y[i] != IGNORE_INDEX {
                    assert_eq!(y[i], x[i + 1], "{}: a scored target is the next input: {x:?} {y:?}", t.name());
                }
                assert_eq!(z[i], x[i + 1], "{}", t.name());
            }
            assert_eq!(z[len - 1], y[len - 1], "{}: the answer stays", t.name());
            assert!(z[len - 1] >= 0, "{}: the answer is scored", t.name());
        }
    }
    for name in TASK_NAMES {
        let t = task_by_name(name).unwrap();
        let claims = ["induction_heads", "induction_head_safari", "associative_recall"].contains(name);
        assert_eq!(t.is_next_token_sequence(), claims, "{name}");
    }
}
