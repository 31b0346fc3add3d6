use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

/// A progress bar on a terminal; plain log lines otherwise (CI, files, pipes).
pub struct Progress {
    bar: Option<ProgressBar>,
    label: String,
    total: usize,
    start: Instant,
    start_step: usize,
}

impl Progress {
    pub fn new(label: &str, total: usize, start_step: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total as u64);
            bar.set_style(
                ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg} eta {eta}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar.set_prefix(label.to_string());
            bar.set_position(start_step as u64);
            bar
        });
        Self { bar, label: label.to_string(), total, start: Instant::now(), start_step }
    }

    pub fn update(&self, step: usize, loss: f64, accuracy: f64, tokens_per_s: f64) {
        let msg = format!("loss {loss:.4} acc {accuracy:.3} {:.0} tok/s", tokens_per_s);
        match &self.bar {
            Some(bar) => {
                bar.set_position(step as u64);
                bar.set_message(msg);
            }
            None => {
                let done = step.saturating_sub(self.start_step).max(1) as f64;
                let eta = self.start.elapsed().as_secs_f64() / done * (self.total - step) as f64;
                eprintln!("{} step {step}/{} {msg} eta {eta:.0}s", self.label, self.total);
            }
        }
    }

    pub fn note(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(format!("{} {line}", self.label)),
            None => eprintln!("{} {line}", self.label),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
