use crate::exit::Result;

pub fn list() -> Result {
    println!("mixers:");
    for m in ssm_models::MIXERS {
        println!("  {:<18} {}", m.name(), m.summary());
    }
    println!("tasks:");
    for t in ssm_tasks::TASK_NAMES {
        println!("  {t}");
    }
    println!("experiments:");
    for e in ssm_experiments::EXPERIMENTS {
        println!("  {:<18} {}", e.name(), e.summary());
    }
    Ok(())
}
