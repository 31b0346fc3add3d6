//! Scoring and evaluation shared by the token-sequence experiments.

use ssm_models::LanguageModel;
use ssm_nn::quiet_catch;
use ssm_tasks::{rng_for, Batch, Stream, Task, IGNORE_INDEX};
use ssm_train::{MetricRow, Split};
use tch::{Device, Kind, Reduction, Tensor};

pub fn to_tensors(batch: &Batch, device: Device) -> (Tensor, Tensor) {
    (inputs_tensor(batch, device), targets_tensor(batch, device))
}

/// The batch's inputs as a (batch, length) tensor on `device`.
pub fn inputs_tensor(batch: &Batch, device: Device) -> Tensor {
    rows_tensor(batch, &batch.inputs, device)
}

/// The batch's targets as a (batch, length) tensor on `device`.
pub fn targets_tensor(batch: &Batch, device: Device) -> Tensor {
    rows_tensor(batch, &batch.targets, device)
}

fn rows_tensor(batch: &Batch, values: &[i64], device: Device) -> Tensor {
    Tensor::from_slice(values).view([batch.batch as i64, batch.seq_len as i64]).to_device(device)
}

/// Cross-entropy over the scored positions (targets ≠ −100), and (correct, scored) counts of the
/// arg-max prediction there.
pub fn score(logits: &Tensor, targets: &Tensor) -> (Tensor, i64, i64) {
    let (correct, count) = accuracy(logits, targets);
    (loss(logits, targets), correct, count)
}

/// Mean cross-entropy over the scored positions (targets ≠ −100).
pub fn loss(logits: &Tensor, targets: &Tensor) -> Tensor {
    let v = logits.size()[2];
    logits.view([-1, v]).to_kind(Kind::Float).cross_entropy_loss::<Tensor>(
        &targets.view([-1]),
        None,
        Reduction::Mean,
        IGNORE_INDEX,
        0.0,
    )
}

/// (correct, scored): the arg-max predictions that equal the target at the scored positions.
pub fn accuracy(logits: &Tensor, targets: &Tensor) -> (i64, i64) {
    let v = logits.size()[2];
    let flat_targets = targets.view([-1]);
    let mask = flat_targets.ne(IGNORE_INDEX);
    let count = mask.sum(Kind::Int64).int64_value(&[]);
    let correct =
        logits.view([-1, v]).argmax(-1, false).eq_tensor(&flat_targets).logical_and(&mask).sum(Kind::Int64).int64_value(&[]);
    (correct, count)
}

/// A fixed evaluation set at one length.
pub struct EvalSet {
    batches: Vec<Batch>,
}

impl EvalSet {
    /// `examples` examples of length `len`, drawn from `stream` (fixed by seed and length).
    pub fn new(task: &dyn Task, len: usize, examples: usize, batch: usize, seed: u64, stream: Stream) -> anyhow::Result<Self> {
        let n = examples.div_ceil(batch);
        let batches = (0..n)
            .map(|i| {
                let size = batch.min(examples - i * batch);
                task.sample(len, size, &mut rng_for(seed, stream, ((len as u64) << 24) | i as u64))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { batches })
    }

    /// (mean loss per scored position, accuracy), without gradients, in eval mode.
    pub fn evaluate(&self, model: &LanguageModel, device: Device) -> (f64, f64) {
        tch::no_grad(|| {
            let (mut loss_sum, mut correct, mut count) = (0.0, 0i64, 0i64);
            for b in &self.batches {
                let (inputs, targets) = to_tensors(b, device);
                let logits = model.forward(&inputs, false);
                let (loss, c, n) = score(&logits, &targets);
                loss_sum += loss.double_value(&[]) * n as f64;
                correct += c;
                count += n;
            }
            (loss_sum / count.max(1) as f64, correct as f64 / count.max(1) as f64)
        })
    }
}

pub struct TestOptions<'a> {
    pub examples: usize,
    pub batch: usize,
    pub seed: u64,
    /// Lengths above this are skipped (config `task.max_test_len`).
    pub max_len: Option<usize>,
    /// Longest input the model takes (a learned position table).
    pub model_max_len: Option<usize>,
    pub device: Device,
    pub step: usize,
    pub label: &'a str,
}

/// Test rows at each length: `ok`, or `skipped`/`oom` with the reason (Table 11 marks such cells).
pub fn evaluate_lengths(model: &LanguageModel, task: &dyn Task, lens: &[usize], o: &TestOptions) -> Vec<MetricRow> {
    let mut rows = Vec::new();
    for &len in lens {
        if let Some(max) = o.max_len.filter(|&m| len > m) {
            rows.push(MetricRow::not_run(o.step, Split::Test, len, "skipped", format!("longer than task.max_test_len = {max}")));
            continue;
        }
        if let Some(max) = o.model_max_len.filter(|&m| len > m) {
            rows.push(MetricRow::not_run(o.step, Split::Test, len, "skipped", format!("longer than the model's max_positions = {max}")));
            continue;
        }
        let t0 = std::time::Instant::now();
        let result = quiet_catch(|| {
            let set = EvalSet::new(task, len, o.examples, o.batch, o.seed, Stream::Test).map_err(|e| e.to_string())?;
            Ok::<_, String>(set.evaluate(model, o.device))
        });
        let row = match result {
            Ok(Ok((loss, acc))) => {
                eprintln!("{} test L = {len}: accuracy {acc:.4} ({:.1}s)", o.label, t0.elapsed().as_secs_f64());
                let mut r = MetricRow::ok(o.step, Split::Test, len, loss, acc);
                r.tokens_per_s = Some((len * o.examples) as f64 / t0.elapsed().as_secs_f64());
                r
            }
            Ok(Err(msg)) => MetricRow::not_run(o.step, Split::Test, len, "skipped", msg),
            Err(msg) if is_oom(&msg) => {
                eprintln!("{} test L = {len}: out of memory", o.label);
                MetricRow::not_run(o.step, Split::Test, len, "oom", first_line(&msg))
            }
            Err(msg) => {
                eprintln!("{} test L = {len}: failed: {}", o.label, first_line(&msg));
                MetricRow::not_run(o.step, Split::Test, len, "failed", first_line(&msg))
            }
        };
        rows.push(row);
    }
    rows
}

fn is_oom(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    m.contains("out of memory") || m.contains("can't allocate memory") || m.contains("cudaerrormemoryallocation")
}

fn first_line(msg: &str) -> String {
    msg.lines().next().unwrap_or("").chars().take(300).collect()
}
