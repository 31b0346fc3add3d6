use ssm_config::ConfigError;
use ssm_nn::{MixerState, ParamGroup, StepError};
use tch::{nn, nn::Module, Tensor};

use crate::stack::{linear_zero_bias, position_table, Stack};
use crate::ModelConfig;

/// Token language model: embedding → n_layers residual blocks ([`Stack`]) → LM head. Pre-norm
/// residual blocks with a final norm by default, as mamba_ssm's `MixerModel`.
pub struct LanguageModel {
    embed: nn::Embedding,
    positions: Option<nn::Embedding>,
    stack: Stack,
    head: nn::Linear,
    max_positions: Option<usize>,
    embed_dropout: f64,
}

impl LanguageModel {
    pub fn new(vs: &nn::Path, cfg: &ModelConfig, vocab_size: usize) -> Result<Self, ConfigError> {
        if cfg.bidirectional {
            return Err(ConfigError::new("bidirectional", "a language model must be causal; bidirectional is for classification"));
        }
        let d = cfg.d_model.get() as i64;
        let (factory, options) = cfg.mixer_parts()?;
        let emb_init = nn::EmbeddingConfig { ws_init: nn::Init::Randn { mean: 0.0, stdev: 0.02 }, ..Default::default() };
        let embed = nn::embedding(ParamGroup::NoDecay.path(vs) / "embedding", vocab_size as i64, d, emb_init);
        let absolute = factory.absolute_positions(&options);
        Ok(Self {
            embed,
            positions: position_table(vs, cfg, absolute),
            stack: Stack::new(vs, cfg, factory, &options)?,
            head: linear_zero_bias(vs / "lm_head", d, vocab_size as i64, false),
            max_positions: absolute.then_some(cfg.max_positions.get()),
            embed_dropout: cfg.embed_dropout.get(),
        })
    }

    /// Longest sequence the model can take (the position table), if bounded.
    pub fn max_len(&self) -> Option<usize> {
        self.max_positions
    }

    /// Token embeddings plus, for MHA-Abs, the position embeddings of `offset..offset + length`.
    fn embed(&self, tokens: &Tensor, offset: i64) -> Tensor {
        let h = self.embed.forward(tokens);
        match &self.positions {
            Some(pos) => {
                let len = tokens.size()[1];
                h + pos.forward(&Tensor::arange_start(offset, offset + len, (tch::Kind::Int64, tokens.device())))
            }
            None => h,
        }
    }

    /// `tokens`: (batch, length) int64 → logits (batch, length, vocab).
    pub fn forward(&self, tokens: &Tensor, train: bool) -> Tensor {
        let h = self.embed(tokens, 0).dropout(self.embed_dropout, train);
        self.head.forward(&self.stack.forward(h, None, train))
    }

    /// The recurrent state before the first token of `batch` sequences of at most `max_len`
    /// tokens (an error naming the layer when a mixer has no recurrent form).
    pub fn initial_state(&self, batch: i64, max_len: i64) -> Result<ModelState, StepError> {
        if let Some(limit) = self.max_positions {
            if max_len as usize > limit {
                return Err(StepError::new(format!("max_len {max_len} exceeds the position table ({limit})")));
            }
        }
        Ok(ModelState { mixers: self.stack.initial_states(batch, max_len)?, position: 0, max_len })
    }

    /// Continues the sequences of `state` by `tokens` (batch, T): a prefill chunk or one decoded
    /// token. Returns the logits (batch, T, vocab), equal to `forward` (eval) at those positions.
    pub fn step(&self, tokens: &Tensor, state: &mut ModelState) -> Result<Tensor, StepError> {
        let h = self.advance(tokens, state)?;
        Ok(tch::no_grad(|| self.head.forward(&self.stack.final_norm(&h))))
    }

    /// [`step`](Self::step) returning only the last position's logits (batch, 1, vocab): a
    /// prompt's prefill without the (batch, T, vocab) tensor of the positions before it.
    pub fn step_last(&self, tokens: &Tensor, state: &mut ModelState) -> Result<Tensor, StepError> {
        let h = self.advance(tokens, state)?;
        let last = h.narrow(1, h.size()[1] - 1, 1);
        Ok(tch::no_grad(|| self.head.forward(&self.stack.final_norm(&last))))
    }

    /// The residual stream (batch, T, d_model) after every block, the states moved past `tokens`.
    fn advance(&self, tokens: &Tensor, state: &mut ModelState) -> Result<Tensor, StepError> {
        let t = tokens.size()[1];
        if state.position + t > state.max_len {
            return Err(StepError::new(format!(
                "the state was made for {} tokens; {} were asked for",
                state.max_len,
                state.position + t
            )));
        }
        let h = tch::no_grad(|| self.stack.step(self.embed(tokens, state.position), &mut state.mixers))?;
        state.position += t;
        Ok(h)
    }
}

/// The recurrent state of a [`LanguageModel`]: one state per layer and the next position.
pub struct ModelState {
    mixers: Vec<MixerState>,
    position: i64,
    max_len: i64,
}

impl ModelState {
    /// Tokens consumed so far.
    pub fn position(&self) -> i64 {
        self.position
    }
}
