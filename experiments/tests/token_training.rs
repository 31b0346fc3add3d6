//! The training loss of the token tasks over `train.loss_positions`, on a hand-made batch.

use ssm_experiments::token_task::{training_loss, training_targets};
use ssm_tasks::{Batch, IGNORE_INDEX};
use ssm_train::LossPositions;
use tch::{Kind, Tensor};

/// Two sequences of 4 tokens over a vocabulary of 5; each is scored at its last position only.
fn batch() -> Batch {
    Batch {
        batch: 2,
        seq_len: 4,
        inputs: vec![1, 2, 3, 4, /**/ 4, 4, 0, 2],
        targets: vec![IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX, 0, /**/ IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX, 3],
    }
}

/// Logits `logits[b][i][v]` = a distinct value per (b, i, v), so that every position's
/// cross-entropy differs.
fn logits() -> Vec<f64> {
    (0..2 * 4 * 5).map(|j| ((j * 7 % 11) as f64) * 0.3 - 1.0).collect()
}

fn cross_entropy(l: &[f64], b: usize, i: usize, target: i64) -> f64 {
    let row = &l[(b * 4 + i) * 5..(b * 4 + i + 1) * 5];
    let lse = row.iter().map(|x| x.exp()).sum::<f64>().ln();
    lse - row[target as usize]
}

#[test]
fn all_positions_label_each_position_with_the_next_input_and_keep_the_answer() {
    let b = batch();
    assert_eq!(training_targets(&b, LossPositions::Answer), b, "answer: the task's targets as they are");
    let all = training_targets(&b, LossPositions::All);
    assert_eq!(all.inputs, b.inputs);
    assert_eq!(all.targets, vec![2, 3, 4, 0, /**/ 4, 0, 2, 3], "input i + 1 at position i, the answer last");
}

#[test]
fn the_loss_covers_the_answer_or_every_position_and_accuracy_stays_on_the_answer() {
    let b = batch();
    let l = logits();
    let t = Tensor::from_slice(&l).view([2, 4, 5]).to_kind(Kind::Float);

    let (loss, correct, count) = training_loss(&t, &b, LossPositions::Answer);
    let want = (cross_entropy(&l, 0, 3, 0) + cross_entropy(&l, 1, 3, 3)) / 2.0;
    assert!((loss.double_value(&[]) - want).abs() < 1e-5, "{} vs {want}", loss.double_value(&[]));
    assert_eq!(count, 2);

    let (loss_all, correct_all, count_all) = training_loss(&t, &b, LossPositions::All);
    let targets = [[2, 3, 4, 0], [4, 0, 2, 3]];
    let want_all = (0..2).flat_map(|r| (0..4).map(move |i| (r, i))).map(|(r, i)| cross_entropy(&l, r, i, targets[r][i])).sum::<f64>() / 8.0;
    assert!((loss_all.double_value(&[]) - want_all).abs() < 1e-5, "{} vs {want_all}", loss_all.double_value(&[]));
    assert!((want_all - want).abs() > 1e-3, "the two losses differ on this batch");
    assert_eq!((correct_all, count_all), (correct, count), "accuracy on the answer alone, as in evaluation");

    // The argmax at the answers: count them by hand.
    let argmax = |r: usize, i: usize| {
        let row = &l[(r * 4 + i) * 5..(r * 4 + i + 1) * 5];
        (0..5).max_by(|&a, &c| row[a].total_cmp(&row[c])).unwrap() as i64
    };
    assert_eq!(correct, (argmax(0, 3) == 0) as i64 + (argmax(1, 3) == 3) as i64);
}
