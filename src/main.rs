//! The `nianbao` command line: parses arguments, dispatches to `cmd::*`, and maps errors to the
//! exit codes of [`cmd::exit`]. stdout carries only data; messages and logs go to stderr.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;
mod errors;
#[cfg(feature = "ocr")]
mod ocr;
mod pipeline;
mod progress;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use cmd::Exit;

/// nianbao (年报): harvest, parse, check and compare 政府信息公开工作年度报告.
#[derive(Debug, Parser)]
#[command(version, about, propagate_version = true)]
struct Cli {
    /// Explain decisions on stderr: which links a crawl skipped and why, which encoding won,
    /// which copies an aggregation dropped and which pages it kept but did not compare.
    #[arg(long, global = true)]
    debug: bool,
    /// What goes to stderr: `text` for people; `json` for log collectors, where every log
    /// event is one JSON object per line and `aggregate` and `harvest` print their run
    /// summary as one JSON object (the crawl summary stays text).
    #[arg(long, global = true, value_enum, default_value = "text")]
    log_format: LogFormat,
    /// The former spelling of `--log-format json`, kept so that existing cron lines run.
    #[arg(long, global = true, hide = true)]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Crawl, then aggregate (or aggregate an existing archive with --replay): the main job.
    Harvest(cmd::harvest::Args),
    /// Build the comparison tables (Parquet, CSV, XLSX, report.html) from harvest archives.
    Aggregate(cmd::aggregate::Args),
    /// Harvest the reports of the configured cities into WARC files.
    Crawl(cmd::crawl::Args),
    /// Check which configured cities can be harvested (DNS, TCP, proxy, robots.txt, lists,
    /// site search), and what to do about the others.
    Doctor(cmd::doctor::Args),
    /// Parse saved report files into the canonical schema and check them.
    Parse(cmd::parse::Args),
    /// Write the self-contained HTML comparison report of an output folder.
    Report(cmd::report::Args),
    /// Add a report file that was not harvested (e-mail, a scan typed in) to an archive.
    Import(cmd::import::Args),
    /// Show one city's report of a year: its tables as printed, findings, source, coverage.
    Show(cmd::show::Args),
    /// Write a captured page or attachment out of a harvest archive, as it was served.
    Extract(cmd::extract::Args),
    /// Print the data dictionary (every table, column, cell key and metric) as Markdown.
    Dictionary(cmd::dictionary::Args),
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

fn init_logging(debug: bool, format: LogFormat) {
    let level = if debug { "debug" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("nianbao={level}")));
    let fmt = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => fmt.json().init(),
        LogFormat::Text => fmt.with_ansi(std::io::stderr().is_terminal()).init(),
    }
}

/// mimalloc commits a whole arena on first use by default; committing pages as they are used
/// instead halves the resident memory of a crawl and of a parse batch at the same speed
/// (BENCHMARKS.md). The option must be set before the first arena exists, so this runs as an
/// early ELF constructor, before `main` and before most of the runtime allocates.
/// `mi_option_arena_eager_commit` is option 4 of `mi_option_t` in both the v2 and v3 headers;
/// the environment variable `MIMALLOC_ARENA_EAGER_COMMIT` still overrides it.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array.00101")]
static COMMIT_MEMORY_ON_DEMAND: extern "C" fn() = commit_memory_on_demand;

#[cfg(target_os = "linux")]
extern "C" fn commit_memory_on_demand() {
    const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    if std::env::var_os("MIMALLOC_ARENA_EAGER_COMMIT").is_none() {
        // SAFETY: runs once, single-threaded, before main.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0) };
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = if cli.log_json {
        LogFormat::Json
    } else {
        cli.log_format
    };
    init_logging(cli.debug, format);
    if cli.log_json {
        tracing::warn!("--log-json is now spelled --log-format json");
    }
    let logs = cmd::Logs {
        json: matches!(format, LogFormat::Json),
    };
    let result = match &cli.command {
        Command::Harvest(args) => cmd::harvest::run(args, logs),
        Command::Aggregate(args) => cmd::aggregate::run(args, logs),
        Command::Crawl(args) => cmd::crawl::run(args),
        Command::Doctor(args) => cmd::doctor::run(args),
        Command::Parse(args) => cmd::parse::run(args),
        Command::Report(args) => cmd::report::run(args),
        Command::Import(args) => cmd::import::run(args),
        Command::Show(args) => cmd::show::run(args),
        Command::Extract(args) => cmd::extract::run(args),
        Command::Dictionary(args) => cmd::dictionary::run(args),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(e) if cmd::is_broken_pipe(&e) => Exit::Ok.into(),
        Err(e) => {
            eprintln!("nianbao: {}", errors::message(&e));
            cmd::exit_of(&e).into()
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
        assert!(
            Cli::try_parse_from(["nianbao", "--log-format", "json", "parse", "a.html"]).is_ok()
        );
    }

    #[test]
    fn one_logging_option_and_its_former_spelling() {
        let cli = Cli::try_parse_from([
            "nianbao",
            "aggregate",
            "--archive",
            "a",
            "--log-format",
            "json",
        ])
        .expect("parse");
        assert!(matches!(cli.log_format, LogFormat::Json));
        let cli = Cli::try_parse_from(["nianbao", "harvest", "--replay", "a", "--log-json"])
            .expect("the former spelling still parses");
        assert!(cli.log_json);
        assert!(Cli::try_parse_from(["nianbao", "--log-format", "xml", "parse", "a"]).is_err());
    }

    #[test]
    fn usage_code_is_clap_s() {
        let err = Cli::try_parse_from(["nianbao", "bogus"]).expect_err("unknown subcommand");
        assert_eq!(err.exit_code(), Exit::Usage as i32);
    }
}
