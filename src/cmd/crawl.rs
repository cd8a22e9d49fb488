//! `nianbao crawl`: CLI flags → [`nianbao_crawler::Options`] → a harvest directory and a summary
//! on stderr. Exit code 4 when hosts gave no answer (their URLs wait for the next run), else 1
//! only when nothing at all was harvested.

use std::path::PathBuf;

use std::ops::RangeInclusive;

use anyhow::Context;

use super::{Exit, UsageError};
use crate::progress::Reporter;
use nianbao_crawler::{crawl, Options, Scope};
use nianbao_crawler::{CitySite, Config};

/// Harvest the annual reports of the configured cities into WARC files.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Args {
    /// The cities and crawl settings.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Only these cities (name, name without 市, or adcode); repeatable. Default: all.
    #[arg(long = "city", value_name = "NAME")]
    pub cities: Vec<String>,
    /// Report years to keep, e.g. `2019..2024` (inclusive) or `2023`.
    #[arg(long, value_name = "FROM..TO")]
    pub years: Option<String>,
    /// Harvest directory: `state.sqlite` and `warc/`. Rerun the same command to resume.
    #[arg(long, default_value = "out/harvest")]
    pub out: PathBuf,
    /// `city`: the city government's own reports; `all`: also departments and counties.
    #[arg(long, value_enum, default_value = "city")]
    pub scope: ScopeArg,
    /// Revisit every known URL with conditional requests (a yearly re-harvest).
    #[arg(long)]
    pub refresh: bool,
    /// Try again the URLs that failed or were blocked in an earlier run.
    #[arg(long)]
    pub retry_failed: bool,
    /// No progress output (the summary is still printed).
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ScopeArg {
    City,
    All,
}

/// Parses `--years`: `2019..2024` or `2019..=2024` (both inclusive) or `2023`. A bad value
/// is a [`UsageError`] that shows the accepted forms.
pub(crate) fn parse_years(s: &str) -> Result<RangeInclusive<u16>, UsageError> {
    let bad = |why: &str| {
        UsageError(format!(
            "--years {s}: {why}; write FROM..TO (both included, e.g. 2019..2024) or one year (2023)"
        ))
    };
    let (a, b) = match s.split_once("..") {
        Some((a, b)) => (a.trim(), b.trim().trim_start_matches('=')),
        None => (s.trim(), s.trim()),
    };
    let year = |t: &str| t.parse::<u16>().ok().filter(|y| (1000..=9999).contains(y));
    // A range written with a dash is the commonest slip: name the spelling meant.
    if let Some((x, y)) = s.split_once(['-', '–', '~']) {
        if let (Some(x), Some(y)) = (year(x.trim()), year(y.trim())) {
            return Err(bad(&format!("a range is written with two dots: {x}..{y}")));
        }
    }
    let a = year(a).ok_or_else(|| bad("the first year is not a year"))?;
    let b = year(b).ok_or_else(|| bad("the last year is not a year"))?;
    if a > b {
        return Err(bad("the first year is after the last"));
    }
    Ok(a..=b)
}

/// The cities named by `--city` (all when none is named); an unknown name is a
/// [`UsageError`] that lists the known ones.
pub(crate) fn select_cities(
    config: &Config,
    names: &[String],
) -> Result<Vec<CitySite>, UsageError> {
    config
        .select_cities(names)
        .map_err(|e| UsageError(format!("--city: {e}")))
}

/// Runs the crawl on a fresh multi-threaded runtime.
pub(crate) fn run(args: &Args) -> anyhow::Result<Exit> {
    let config = super::load_config(args.config.as_deref())?;
    let cities = select_cities(&config, &args.cities)?;
    let years = args.years.as_deref().map(parse_years).transpose()?;
    let progress = if args.quiet {
        nianbao_crawler::progress::silent()
    } else {
        std::sync::Arc::new(Reporter::auto())
    };
    let opts = Options {
        settings: config.crawl.clone(),
        cities,
        years,
        scope: match args.scope {
            ScopeArg::City => Scope::City,
            ScopeArg::All => Scope::All,
        },
        out: args.out.clone(),
        refresh: args.refresh,
        retry_failed: args.retry_failed,
        progress,
        proxy_env: nianbao_crawler::ProxyEnv::from_process(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let summary = runtime
        .block_on(crawl(opts))
        .with_context(|| format!("crawl into {}", args.out.display()))?;
    eprint!("{}", summary.render());
    Ok(if summary.incomplete() {
        Exit::Incomplete
    } else if summary.harvested() == 0 {
        Exit::SomeFailed
    } else {
        Exit::Ok
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::parse_args;

    #[test]
    fn flags_parse_with_their_defaults() {
        let args =
            parse_args::<Args>(&["x", "--city", "南宁", "--city", "柳州市", "--scope", "all"])
                .unwrap();
        assert_eq!(args.cities, ["南宁", "柳州市"]);
        assert_eq!(args.scope, ScopeArg::All);
        assert_eq!(args.config, None);
    }

    #[test]
    fn year_ranges_are_inclusive() {
        assert_eq!(parse_years("2019..2024").unwrap(), 2019..=2024);
        assert_eq!(parse_years("2023").unwrap(), 2023..=2023);
        assert!(parse_years("2024..2019").is_err());
        let dash = parse_years("2019-2024").expect_err("a dash is not a range");
        assert!(
            dash.0.contains("2019..2024") && dash.0.contains("FROM..TO"),
            "{}",
            dash.0
        );
        let word = parse_years("twenty").expect_err("not a year");
        assert!(word.0.contains("FROM..TO"), "{}", word.0);
    }
}
