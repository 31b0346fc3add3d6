//! Sequence classification (LRA, sMNIST): encoder → residual blocks → pooling → decoder, as the
//! s4 repository's `SequenceModel` with its `pool` / `retrieval` decoders (src/tasks/decoders.py).

use serde::{Deserialize, Serialize};
use ssm_config::ConfigError;
use tch::{nn, nn::Module, Kind, Tensor};

use crate::stack::{linear_zero_bias, position_table, reversal_index, Stack};
use crate::ModelConfig;

/// How inputs become vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoder {
    /// A learned embedding per token id (LRA's byte and pixel embeddings).
    Embedding,
    /// Token values v ∈ 0..vocab_size as scalars 2·v/(vocab_size − 1) − 1 ∈ [−1, 1] through
    /// Linear(1, d) (the s4 image and sMNIST encoders, `d_input = 1`): 8-bit pixel intensities
    /// give 2·v/255 − 1; 16-bit levels of real values (vocab 65,536) give 2·v/65535 − 1, the value
    /// scaled so that the training split's range is [−1, 1].
    Linear,
}

/// How the sequence of outputs becomes one vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pool {
    /// Mean over each sequence's own positions (padding excluded): s4's `mode: pool`.
    #[default]
    Mean,
    /// The output at each sequence's last position: s4's `mode: last`.
    Last,
}

/// What the classifier is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassifierSpec {
    pub vocab_size: usize,
    pub n_classes: usize,
    pub encoder: Encoder,
    pub pool: Pool,
    /// Two documents per example, compared by the retrieval head (AAN).
    pub pairs: bool,
}

enum Head {
    /// Linear(d → classes).
    Linear(nn::Linear),
    /// [x1, x2, x1 − x2, x1·x2] → Linear(4d → d) → GELU → Linear(d → classes) (s4 decoders.py
    /// `RetrievalDecoder`, after LRA's matching model).
    Retrieval { fc1: nn::Linear, fc2: nn::Linear },
}

/// A batch of padded sequences: tokens (batch, length) int64 and each sequence's length (batch).
pub struct Padded<'a> {
    pub tokens: &'a Tensor,
    pub lengths: &'a Tensor,
}

pub struct SequenceClassifier {
    spec: ClassifierSpec,
    embed: Option<nn::Embedding>,
    linear_in: Option<nn::Linear>,
    positions: Option<nn::Embedding>,
    stack: Stack,
    head: Head,
    embed_dropout: f64,
}

impl SequenceClassifier {
    pub fn new(vs: &nn::Path, cfg: &ModelConfig, spec: ClassifierSpec) -> Result<Self, ConfigError> {
        let d = cfg.d_model.get() as i64;
        let (factory, options) = cfg.mixer_parts()?;
        let (embed, linear_in) = match spec.encoder {
            Encoder::Embedding => (Some(nn::embedding(vs / "encoder", spec.vocab_size as i64, d, Default::default())), None),
            Encoder::Linear => (None, Some(nn::linear(vs / "encoder", 1, d, Default::default()))),
        };
        let classes = spec.n_classes as i64;
        let head = match spec.pairs {
            false => Head::Linear(linear_zero_bias(vs / "decoder", d, classes, true)),
            true => Head::Retrieval {
                fc1: linear_zero_bias(vs / "decoder" / "fc1", 4 * d, d, true),
                fc2: linear_zero_bias(vs / "decoder" / "fc2", d, classes, true),
            },
        };
        Ok(Self {
            spec,
            embed,
            linear_in,
            positions: position_table(vs, cfg, factory.absolute_positions(&options)),
            stack: Stack::new(vs, cfg, factory, &options)?,
            head,
            embed_dropout: cfg.embed_dropout.get(),
        })
    }

    /// One pooled vector (batch, d) per sequence.
    fn encode(&self, x: &Padded, train: bool) -> Tensor {
        let len = x.tokens.size()[1];
        let mut h = match (&self.embed, &self.linear_in) {
            (Some(e), _) => e.forward(x.tokens),
            (None, Some(l)) => {
                let top = (self.spec.vocab_size.max(2) - 1) as f64;
                l.forward(&(x.tokens.to_kind(Kind::Float).unsqueeze(-1) * (2.0 / top) - 1.0))
            }
            (None, None) => unreachable!("one encoder is always built"),
        };
        if let Some(pos) = &self.positions {
            h = &h + pos.forward(&Tensor::arange(len, (Kind::Int64, x.tokens.device())));
        }
        let index = reversal_index(x.lengths, len);
        let h = self.stack.forward(h.dropout(self.embed_dropout, train), Some(&index), train);
        pool(&h, x.lengths, self.spec.pool)
    }

    /// Logits (batch, n_classes); `second` is the other document of pair examples.
    pub fn forward(&self, x: &Padded, second: Option<&Padded>, train: bool) -> Tensor {
        match (&self.head, second) {
            (Head::Linear(l), None) => l.forward(&self.encode(x, train)),
            (Head::Retrieval { fc1, fc2 }, Some(y)) => {
                let (a, b) = (self.encode(x, train), self.encode(y, train));
                let features = Tensor::cat(&[&a, &b, &(&a - &b), &(&a * &b)], -1);
                fc2.forward(&fc1.forward(&features).gelu("none"))
            }
            (Head::Linear(_), Some(_)) => panic!("a single-sequence classifier was given a pair"),
            (Head::Retrieval { .. }, None) => panic!("the retrieval classifier needs both documents"),
        }
    }
}

/// Pools (batch, length, d) over each sequence's own `lengths` positions.
pub fn pool(h: &Tensor, lengths: &Tensor, how: Pool) -> Tensor {
    let (b, l, d) = h.size3().expect("(batch, length, d)");
    let lengths = lengths.to_kind(Kind::Int64);
    match how {
        Pool::Mean => {
            let mask = Tensor::arange(l, (Kind::Int64, h.device())).unsqueeze(0).lt_tensor(&lengths.unsqueeze(1));
            let mask = mask.to_kind(h.kind()).unsqueeze(-1);
            (h * &mask).sum_dim_intlist(1, false, h.kind()) / mask.sum_dim_intlist(1, false, h.kind())
        }
        Pool::Last => {
            let idx = (lengths - 1).view([b, 1, 1]).expand([b, 1, d], false);
            h.gather(1, &idx, false).squeeze_dim(1)
        }
    }
}
