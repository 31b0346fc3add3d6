use tch::nn;

/// Optimizer parameter groups (tch `VarStore` groups).
///
/// SSM parameters (A, B, Δ, ...) train best with their own learning rate and no weight decay, as
/// state-spaces/s4 does (`register("A", ..., lr=..., weight_decay=0.0)`); biases, norms and
/// embeddings get no weight decay, as in the Mamba and GPT training recipes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamGroup {
    Decay = 0,
    NoDecay = 1,
    Ssm = 2,
}

impl ParamGroup {
    pub fn from_index(i: usize) -> Self {
        match i {
            1 => Self::NoDecay,
            2 => Self::Ssm,
            _ => Self::Decay,
        }
    }

    /// A path whose new variables land in this group.
    pub fn path<'a>(self, p: &nn::Path<'a>) -> nn::Path<'a> {
        p.set_group(self as usize)
    }
}

/// A trainable variable with its name and group.
pub struct Trainable {
    pub name: String,
    pub tensor: tch::Tensor,
    pub group: ParamGroup,
}

/// Every trainable variable of `vs`, sorted by name (a stable order for optimizer state).
pub fn named_trainables(vs: &nn::VarStore) -> Vec<Trainable> {
    let vars = vs.variables_.lock().expect("var store lock");
    let mut out: Vec<Trainable> = vars
        .trainable_variables
        .iter()
        .map(|v| {
            let name = vars
                .named_variables
                .iter()
                .find(|(_, t)| t.data_ptr() == v.tensor.data_ptr())
                .map(|(n, _)| n.clone())
                .unwrap_or_default();
            Trainable { name, tensor: v.tensor.shallow_clone(), group: ParamGroup::from_index(v.group) }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}
