//! `nianbao harvest`: crawl the configured portals into `OUT/harvest`, then aggregate that
//! archive into `OUT` — the yearly job in one command. `--replay DIR` runs the same pipeline
//! from an existing archive without any network; there `--city` and `--years` choose which of
//! the archive's reports are aggregated, and `--scope`, `--refresh` and `--retry-failed` (which
//! decide what a crawl fetches) are refused.

use std::path::PathBuf;

use super::aggregate::{build, OutputArgs, Selection};
use super::crawl::{self, parse_years, select_cities, ScopeArg};
use super::{lock_output, Exit, Logs, UsageError};

/// Crawl and aggregate in one go (or aggregate an existing archive with --replay).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Aggregate this existing harvest folder instead of crawling (no network).
    #[arg(long, value_name = "ARCHIVE_DIR")]
    pub replay: Option<PathBuf>,
    /// Output folder: the tables, report.html, and (when crawling) the archive in OUT/harvest.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Only these cities (name, name without 市, or adcode); repeatable. Default: all. With
    /// --replay: aggregate only these cities' reports.
    #[arg(long = "city", value_name = "NAME")]
    pub cities: Vec<String>,
    /// Report years to keep: FROM..TO (both included, e.g. 2019..2024) or one year. With
    /// --replay: aggregate only reports of these years (a report whose year is unknown is
    /// left out).
    #[arg(long, value_name = "FROM..TO")]
    pub years: Option<String>,
    /// What the crawl fetches: `city`, the city government's own reports (default); `all`, also
    /// departments and counties. Not with --replay (a replay aggregates what was fetched).
    #[arg(long, value_enum)]
    pub scope: Option<ScopeArg>,
    /// Revisit every known URL with conditional requests, report pages and attachments
    /// included (without it, each run revalidates only the list pages and follows new links).
    /// Not with --replay.
    #[arg(long)]
    pub refresh: bool,
    /// Try again the URLs that failed, were blocked or were refused by robots.txt in an
    /// earlier run. Not with --replay.
    #[arg(long)]
    pub retry_failed: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub(crate) fn run(args: &Args, logs: Logs) -> anyhow::Result<Exit> {
    // Usage first (a mistyped flag creates nothing), then the output folder's lock (a second
    // harvest fails at once); a crawl also locks its archive.
    let replay = match &args.replay {
        Some(dir) => Some((dir.clone(), replay_selection(args)?)),
        None => {
            let config = super::load_config(args.output.config.as_deref())?;
            select_cities(&config, &args.cities)?;
            args.years.as_deref().map(parse_years).transpose()?;
            None
        }
    };
    super::load_bodies(args.output.bodies.as_deref())?;
    super::aggregate::load_corrections(args.output.corrections.as_deref())?;
    super::load_metrics(
        nianbao_tables::aggregate::metrics::MetricSet::builtin(),
        args.output.metrics.as_deref(),
    )?;
    let _lock = lock_output(&args.out)?;
    let (archive, selection) = match replay {
        Some(chosen) => chosen,
        None => {
            let dir = args.out.join("harvest");
            let crawl_args = crawl::Args {
                config: args.output.config.clone(),
                cities: args.cities.clone(),
                years: args.years.clone(),
                out: dir.clone(),
                scope: args.scope.unwrap_or(ScopeArg::City),
                refresh: args.refresh,
                retry_failed: args.retry_failed,
                quiet: args.output.quiet,
            };
            if crawl::run(&crawl_args)? != Exit::Ok {
                eprintln!(
                    "nianbao: the crawl harvested nothing; aggregating what the archive holds"
                );
            }
            (dir, Selection::default())
        }
    };
    build(&[archive], &args.out, &args.output, &selection, logs)
}

/// `--city` and `--years` of a replay, checked before anything is read.
fn replay_selection(args: &Args) -> anyhow::Result<Selection> {
    if args.scope.is_some() {
        return Err(UsageError(
            "--scope applies to a crawl; a --replay aggregates every report the archive holds \
             (use --city and --years to choose)"
                .into(),
        )
        .into());
    }
    if args.refresh || args.retry_failed {
        return Err(UsageError(
            "--refresh and --retry-failed apply to a crawl; a --replay reads the archive as it is"
                .into(),
        )
        .into());
    }
    let years = args.years.as_deref().map(parse_years).transpose()?;
    let cities = if args.cities.is_empty() {
        None
    } else {
        let config = super::load_config(args.output.config.as_deref())?;
        let chosen = select_cities(&config, &args.cities)?;
        Some(chosen.into_iter().map(|c| c.name).collect())
    };
    Ok(Selection { cities, years })
}
