use serde::Serialize;

/// Target value of positions that are not scored (PyTorch's cross-entropy default).
pub const IGNORE_INDEX: i64 = -100;

/// Row-major `(batch, seq_len)` inputs and targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub batch: usize,
    pub seq_len: usize,
    pub inputs: Vec<i64>,
    pub targets: Vec<i64>,
}

#[derive(Serialize)]
struct Json<'a> {
    inputs: Vec<&'a [i64]>,
    targets: Vec<&'a [i64]>,
}

impl Batch {
    pub fn zeros(batch: usize, seq_len: usize) -> Self {
        Self { batch, seq_len, inputs: vec![0; batch * seq_len], targets: vec![IGNORE_INDEX; batch * seq_len] }
    }

    pub fn input_row(&self, b: usize) -> &[i64] {
        &self.inputs[b * self.seq_len..(b + 1) * self.seq_len]
    }

    pub fn target_row(&self, b: usize) -> &[i64] {
        &self.targets[b * self.seq_len..(b + 1) * self.seq_len]
    }

    /// The batch with every position labelled for next-token prediction: the target at position
    /// `i < seq_len - 1` is input `i + 1` unless the task already scores that position (then its
    /// target is kept), and the last position keeps its own target (the answer, or unscored). For
    /// tasks whose examples are one token sequence ([`crate::Task::is_next_token_sequence`]),
    /// this is the example shifted by one, `ex[1:]`, as safari labels its training sets.
    pub fn with_next_token_targets(&self) -> Batch {
        let mut out = self.clone();
        let n = self.seq_len;
        for b in 0..self.batch {
            let row = b * n..(b + 1) * n;
            let (inputs, targets) = (&self.inputs[row.clone()], &mut out.targets[row]);
            for i in 0..n.saturating_sub(1) {
                if targets[i] == IGNORE_INDEX {
                    targets[i] = inputs[i + 1];
                }
            }
        }
        out
    }

    /// The rows `rows` (in that order) as a batch.
    pub fn select(&self, rows: &[usize]) -> Batch {
        let mut out = Batch::zeros(rows.len(), self.seq_len);
        for (j, &r) in rows.iter().enumerate() {
            let (dst, src) = (j * self.seq_len..(j + 1) * self.seq_len, r * self.seq_len..(r + 1) * self.seq_len);
            out.inputs[dst.clone()].copy_from_slice(&self.inputs[src.clone()]);
            out.targets[dst].copy_from_slice(&self.targets[src]);
        }
        out
    }

    /// `{"inputs": [[int]], "targets": [[int]]}`, unscored targets as [`IGNORE_INDEX`].
    pub fn to_json(&self) -> String {
        let j = Json {
            inputs: (0..self.batch).map(|b| self.input_row(b)).collect(),
            targets: (0..self.batch).map(|b| self.target_row(b)).collect(),
        };
        serde_json::to_string(&j).expect("plain integers serialize")
    }
}
