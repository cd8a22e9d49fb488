//! One module per subcommand: each exposes clap `Args` (no I/O) and
//! `run(&Args) -> anyhow::Result<Exit>`; [`Exit`] is the one type of exit code, and
//! [`UsageError`] marks an error that is the user's to fix (exit 2).

use std::path::Path;
use std::process::ExitCode;

use nianbao_archive::lock::{DirLock, LockError};
use nianbao_crawler::{Config, ConfigError};
use nianbao_tables::aggregate::metrics::MetricSet;
use nianbao_tables::bodies::BodyTable;
use nianbao_tables::export::{LOCK_FILE, SETS_DIR};

pub(crate) mod aggregate;
pub(crate) mod crawl;
pub(crate) mod dictionary;
pub(crate) mod doctor;
pub(crate) mod extract;
pub(crate) mod harvest;
pub(crate) mod import;
pub(crate) mod parse;
pub(crate) mod report;
pub(crate) mod show;
pub(crate) mod summary;

/// A subcommand's arguments parsed alone, as its tests do (`argv[0]` names it).
#[cfg(test)]
pub(crate) fn parse_args<A: clap::Args + clap::FromArgMatches>(
    argv: &[&str],
) -> Result<A, clap::Error> {
    let matches = A::augment_args(clap::Command::new("test")).try_get_matches_from(argv)?;
    A::from_arg_matches(&matches)
}

/// How the run reports on stderr (`--log-format`), for the commands that print a summary.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Logs {
    /// `--log-format json`: the run summary as one JSON object.
    pub json: bool,
}

/// What a run's exit status means, one meaning each (README, "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: everything asked for was done (a report with broken rules is still a success).
    Ok = 0,
    /// 1: some inputs failed (an unreadable file in a `parse` batch; a crawl or aggregation
    /// that found nothing; an aggregation with unreadable or altered archive records, or with
    /// report pages that did not parse; a `doctor` city without a working path to its
    /// reports for a reason the config must fix); the rest were processed. With `--strict`,
    /// such an aggregation keeps the previous outputs.
    SomeFailed = 1,
    /// 2: bad usage or configuration: clap's own code for argument errors, an unknown city, a
    /// bad `--years`, a flag that does not apply, a config or bodies file that does not load; also an
    /// archive or output folder that another run is writing (its lock names the holder). The
    /// message names the flag, file, key or holder.
    Usage = 2,
    /// 3: a fatal error: an output folder that cannot be written, an archive or output folder
    /// that cannot be read.
    Fatal = 3,
    /// 4: an incomplete harvest: some hosts gave no answer (connection refused or timed out,
    /// `unreachable_after` times in a row), so their URLs were left pending for the next run;
    /// the summary lists them with the hint to set a proxy. Everything else was harvested.
    /// For `doctor`: the cities without a working path lack it only because a host gave no
    /// answer (a proxy is the fix).
    Incomplete = 4,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

/// An error in the command line's values (not in clap's syntax, which clap reports itself):
/// exit 2. The message names the flag.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UsageError(pub String);

/// The exit code of a failed run: 2 for what the user must fix, else 3.
pub(crate) fn exit_of(error: &anyhow::Error) -> Exit {
    let usage = error.chain().any(|cause| {
        cause.is::<UsageError>()
            || cause.is::<nianbao_crawler::ConfigError>()
            || matches!(cause.downcast_ref(), Some(LockError::Held { .. }))
    });
    if usage {
        Exit::Usage
    } else {
        Exit::Fatal
    }
}

/// Lock the output folder `out` for this run (`out/.nianbao/lock`): one writer at a time. A
/// second run fails at once (exit 2) naming the holder; a lock left by a killed run is taken
/// over with a warning.
pub(crate) fn lock_output(out: &Path) -> anyhow::Result<DirLock> {
    let lock = DirLock::acquire(out, &out.join(SETS_DIR).join(LOCK_FILE))?;
    if let Some(dead) = lock.taken_over() {
        tracing::warn!(
            "took over the lock of {} from a run that ended without releasing it ({dead})",
            out.display()
        );
    }
    Ok(lock)
}

/// Whether the run failed only because stdout was closed (`nianbao parse … | head`): then it
/// ends quietly with exit 0, as ripgrep does. serde_json wraps the I/O error in its own.
pub(crate) fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        let kind = cause
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| {
                cause
                    .downcast_ref::<serde_json::Error>()
                    .and_then(serde_json::Error::io_error_kind)
            });
        kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}

/// The 14 cities of 广西 (`config/guangxi.toml`), built into the binary: what `--config`
/// defaults to, so the commands work from any folder.
const BUILTIN_CONFIG: &str = include_str!("../../config/guangxi.toml");

/// The config file named by `--config`, or the built-in one.
pub(crate) fn load_config(path: Option<&Path>) -> Result<Config, ConfigError> {
    match path {
        Some(path) => Config::load(path),
        None => Config::from_toml(BUILTIN_CONFIG, Path::new("built-in config/guangxi.toml")),
    }
}

/// The table of department kinds named by `--bodies`, or the built-in `config/bodies.toml`. A
/// file that does not load is a usage error naming it.
pub(crate) fn load_bodies(path: Option<&Path>) -> anyhow::Result<BodyTable> {
    let Some(path) = path else {
        return Ok(BodyTable::builtin());
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        UsageError(format!(
            "--bodies {}: cannot read it ({e}); pass a file in the format of config/bodies.toml",
            path.display()
        ))
    })?;
    BodyTable::from_toml(&text)
        .map_err(|e| UsageError(format!("--bodies {}: {e}", path.display())).into())
}

/// The metric set of a run: `base` (the built-in set, or the one an output folder was computed
/// with) with the file named by `--metrics` laid over it. A file that cannot be read or used is
/// a usage error naming it, the metric and the offending token.
pub(crate) fn load_metrics(base: MetricSet, path: Option<&Path>) -> anyhow::Result<MetricSet> {
    let Some(path) = path else {
        return Ok(base);
    };
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        UsageError(format!(
            "--metrics {name}: cannot read it ({e}); pass a file in the format of \
             config/metrics.toml"
        ))
    })?;
    MetricSet::from_toml(&text, &name)
        .and_then(|extra| base.overlay(extra, &name))
        .map_err(|e| UsageError(format!("--metrics {e}")).into())
}
