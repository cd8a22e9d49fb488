//! `nianbao harvest`: crawl the configured portals into `OUT/harvest`, then aggregate that
//! archive into `OUT` — the yearly job in one command. `--replay DIR` runs the same pipeline
//! from an existing archive without any network.

use std::path::PathBuf;
use std::process::ExitCode;

use super::aggregate::{build, OutputArgs};
use super::crawl::{self, ScopeArg};
use super::exit;

/// Crawl and aggregate in one go (or aggregate an existing archive with --replay).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Aggregate this existing harvest folder instead of crawling (no network).
    #[arg(long, value_name = "ARCHIVE_DIR")]
    pub replay: Option<PathBuf>,
    /// Output folder: the tables, report.html, and (when crawling) the archive in OUT/harvest.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Only these cities (name, name without 市, or adcode); repeatable. Default: all.
    #[arg(long = "city", value_name = "NAME")]
    pub cities: Vec<String>,
    /// Report years to keep, e.g. `2019..2024`.
    #[arg(long, value_name = "FROM..TO")]
    pub years: Option<String>,
    /// `city`: the city government's own reports; `all`: also departments and counties.
    #[arg(long, value_enum, default_value = "city")]
    pub scope: ScopeArg,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let archive = match &args.replay {
        Some(dir) => dir.clone(),
        None => {
            let dir = args.out.join("harvest");
            let crawl_args = crawl::Args {
                config: args.output.config.clone(),
                cities: args.cities.clone(),
                years: args.years.clone(),
                out: dir.clone(),
                scope: args.scope,
                refresh: false,
                retry_failed: false,
                quiet: args.output.quiet,
            };
            if crawl::run(&crawl_args)? != exit::OK {
                eprintln!(
                    "nianbao: the crawl harvested nothing; aggregating what the archive holds"
                );
            }
            dir
        }
    };
    build(&[archive], &args.out, &args.output)
}
