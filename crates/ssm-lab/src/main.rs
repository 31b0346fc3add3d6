//! `ssm-lab`: train and compare state-space models from YAML configs.

mod cli;
mod commands;
mod exit;
mod malloc;

use clap::Parser;

fn main() {
    // Printing into a closed pipe (`ssm-lab list | head`) ends the process quietly, as other
    // command-line tools do, instead of panicking in println!.
    // SAFETY: restoring the default disposition of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    malloc::keep_freed_memory();
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Run(args) => commands::run::run(args),
        cli::Command::Validate(args) => commands::validate::validate(args),
        cli::Command::List => commands::list::list(),
        cli::Command::Report(args) => commands::report::report(args),
        cli::Command::Data(cmd) => commands::data::data(cmd),
        cli::Command::Hippo(cmd) => commands::hippo::hippo(cmd),
        cli::Command::Bench(cmd) => commands::bench::bench(cmd),
        cli::Command::Scan(args) => commands::scan::scan(args),
        cli::Command::Kernel(args) => commands::kernel::kernel(args),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(e.code());
    }
}
