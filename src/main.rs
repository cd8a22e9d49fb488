//! The `nianbao` command line: parses arguments, dispatches to `cmd::*`, and maps errors to the
//! exit codes of [`exit`]. stdout carries only data; messages go to stderr.

mod cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit codes, one meaning each.
pub mod exit {
    use std::process::ExitCode;
    /// Everything asked for was done.
    pub const OK: ExitCode = ExitCode::SUCCESS;
    /// Some inputs failed (unreadable file, nothing harvested); the rest were processed.
    pub const SOME_FAILED: u8 = 1;
    /// Bad usage (clap's own code for argument errors).
    pub const USAGE: u8 = 2;
    /// A fatal error: bad configuration, output not writable.
    pub const FATAL: u8 = 3;

    pub fn code(c: u8) -> ExitCode {
        ExitCode::from(c)
    }
}

/// nianbao (年报): harvest, parse, check and compare 政府信息公开工作年度报告.
#[derive(Debug, Parser)]
#[command(version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse saved report files into the canonical schema and check them.
    Parse(cmd::parse::Args),
    /// Write the self-contained HTML comparison report of an output folder.
    Report(cmd::report::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Parse(args) => cmd::parse::run(args),
        Command::Report(args) => cmd::report::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return exit::OK;
            }
            eprintln!("nianbao: {e:#}");
            exit::code(exit::FATAL)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_requires_a_file() {
        assert!(Cli::try_parse_from(["nianbao", "parse"]).is_err());
        assert!(Cli::try_parse_from(["nianbao", "parse", "a.html", "--sources"]).is_err());
        assert!(Cli::try_parse_from(["nianbao", "parse", "a.html", "--json", "--sources"]).is_ok());
    }

    #[test]
    fn usage_code_is_clap_s() {
        let err = Cli::try_parse_from(["nianbao", "bogus"]).expect_err("unknown subcommand");
        assert_eq!(err.exit_code(), i32::from(exit::USAGE));
    }
}
