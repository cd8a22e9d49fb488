//! The `nianbao` command line: parses arguments, dispatches to `cmd::*`, maps errors to exit codes.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use nianbao::cmd;

/// Harvest, parse, check and compare 政府信息公开工作年度报告.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Explain decisions on stderr (which links were skipped and why).
    #[arg(long, global = true)]
    debug: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Harvest the reports of the configured cities into WARC files.
    Crawl(cmd::crawl::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = if cli.debug { "debug" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("nianbao={level}")));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let result = match &cli.command {
        Command::Crawl(args) => cmd::crawl::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("nianbao: {e:#}");
            ExitCode::from(2)
        }
    }
}
