use ssm_tasks::{rng_for, task_by_name, Stream, TASK_NAMES};

use crate::cli::{DataCommand, Format, SampleArgs};
use crate::exit::{Failure, Result};

pub fn data(cmd: DataCommand) -> Result {
    match cmd {
        DataCommand::Sample(args) => sample(args),
    }
}

/// The first training batch of `--seed` (the batch a run with that seed trains on at step 0).
fn sample(args: SampleArgs) -> Result {
    let task = task_by_name(&args.task)
        .ok_or_else(|| Failure::Usage(format!("--task: unknown task `{}`; known: {}", args.task, TASK_NAMES.join(", "))))?;
    if args.batch == 0 {
        return Err(Failure::Usage("--batch: must be a positive integer".into()));
    }
    let batch = task
        .sample(args.seq_len, args.batch, &mut rng_for(args.seed, Stream::Train, 0))
        .map_err(|e| Failure::Usage(format!("--{}", e.to_string().replace('_', "-"))))?;
    match args.format {
        Format::Json => println!("{}", batch.to_json()),
    }
    Ok(())
}
