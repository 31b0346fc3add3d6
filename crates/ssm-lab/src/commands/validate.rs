use ssm_config::ConfigSource;
use ssm_experiments::{plan, Budget};

use crate::cli::ValidateArgs;
use crate::exit::Result;

/// Checks the config for every budget it defines and prints the runs of the chosen one.
pub fn validate(args: ValidateArgs) -> Result {
    let source = ConfigSource::load(&args.config, &args.overrides)?;
    let mut budgets = vec![Budget::Full, Budget::Smoke];
    if source.get("budgets.cpu").is_some_and(|v| !v.is_null()) {
        budgets.push(Budget::Cpu);
    }
    for b in budgets {
        plan(&source, b)?;
    }
    let shown = plan(&source, if args.smoke { Budget::Smoke } else { Budget::Full })?;
    println!("{}: ok ({} experiment, {} run(s))", args.config.display(), shown.kind.name(), shown.runs.len());
    for r in &shown.runs {
        println!("  {}  steps {}  batch {}", r.run_id, r.train.steps, r.train.batch_size);
    }
    Ok(())
}
