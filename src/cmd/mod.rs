//! One module per subcommand: each exposes clap `Args` and `run(&Args) -> anyhow::Result<ExitCode>`.

pub mod parse;
pub mod report;
