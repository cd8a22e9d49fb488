//! `nianbao dictionary [--metrics FILE]`: the data dictionary (every output table and column,
//! every cell key, every metric with its formula and rank direction, in Chinese and English) as
//! Markdown on stdout — `docs/data-dictionary.md` is this output for the built-in metrics.

use std::io::Write;
use std::path::PathBuf;

use super::Exit;
use nianbao_tables::aggregate::metrics::MetricSet;
use nianbao_tables::dictionary;

/// Print the data dictionary.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Describe these metrics too (the format of `config/metrics.toml`; same id: replaces the
    /// built-in one).
    #[arg(long, value_name = "FILE")]
    pub metrics: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<Exit> {
    let metrics = super::load_metrics(MetricSet::builtin(), args.metrics.as_deref())?;
    let mut out = std::io::stdout().lock();
    out.write_all(dictionary::markdown(&metrics).as_bytes())?;
    out.flush()?;
    Ok(Exit::Ok)
}
