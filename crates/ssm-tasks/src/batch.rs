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

    /// `{"inputs": [[int]], "targets": [[int]]}`, unscored targets as [`IGNORE_INDEX`].
    pub fn to_json(&self) -> String {
        let j = Json {
            inputs: (0..self.batch).map(|b| self.input_row(b)).collect(),
            targets: (0..self.batch).map(|b| self.target_row(b)).collect(),
        };
        serde_json::to_string(&j).expect("plain integers serialize")
    }
}
