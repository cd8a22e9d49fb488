//! `nianbao report --from OUT_DIR`: the Parquet outputs of an aggregation → `OUT_DIR/report.html`
//! and its pages in `OUT_DIR/report/` (inline CSS and SVG, no requests, relative links),
//! replaced together.

use std::path::PathBuf;

use anyhow::Context;

use super::{lock_output, Exit};
use nianbao_tables::aggregate::load;
use nianbao_tables::aggregate::metrics::MetricSet;
use nianbao_tables::export::{current_set, REPORT_DIR, SETS_DIR};
use nianbao_tables::htmlreport;

/// Build the HTML comparison report from an output folder.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The output folder of an aggregation (with comparison.parquet, cells/, …).
    #[arg(long = "from", value_name = "OUT_DIR")]
    pub from: PathBuf,
    /// Where to write the report's index page (default: OUT_DIR/report.html); its other pages
    /// go into the folder beside it named after it (`report/` for `report.html`).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The cities config whose `[census]` table the report cites as the source of the
    /// populations (default: the built-in config/guangxi.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// More metrics, or new definitions of the folder's (same id), in the format of
    /// `config/metrics.toml`: the report computes them from the folder's cells (the folder's
    /// own tables are not changed).
    #[arg(long, value_name = "FILE")]
    pub metrics: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<Exit> {
    // A metric file that does not load is a usage error before anything is locked or read.
    if let Some(path) = &args.metrics {
        super::load_metrics(MetricSet::default(), Some(path))?;
    }
    let options = report_options(&super::load_config(args.config.as_deref())?);
    // Writing into the output folder makes this run its writer; `-o` elsewhere only reads.
    let _lock = match &args.output {
        None if args.from.is_dir() => Some(lock_output(&args.from)?),
        _ => None,
    };
    // All tables from one set, even if an aggregation switches sets meanwhile.
    let set = current_set(&args.from);
    let cannot_read = || format!("cannot read the tables of {}", args.from.display());
    let stored = load::stored_metrics(&set).with_context(cannot_read)?;
    let metrics = super::load_metrics(stored, args.metrics.as_deref())?;
    let tables = load::read_tables(&set, &metrics).with_context(cannot_read)?;
    // The report belongs to the set it was built from: it goes into that set's folder, and the
    // folder's `report.html` link points there. A folder of an earlier version gets a file.
    let (written, shown) = match &args.output {
        Some(path) => (path.clone(), path.clone()),
        None if set != args.from => (set.join("report.html"), args.from.join("report.html")),
        None => (args.from.join("report.html"), args.from.join("report.html")),
    };
    htmlreport::write(&tables, &options, &written)?;
    if args.output.is_none() && set != args.from {
        for name in ["report.html", REPORT_DIR] {
            link_report(&args.from, name)?;
        }
    }
    let path = shown;
    let name = path
        .file_name()
        .map_or("report.html".into(), |n| n.to_string_lossy().to_string());
    eprintln!(
        "nianbao: wrote {} and its pages in {}/ ({} reports, {} comparison rows)",
        path.display(),
        path.with_file_name(htmlreport::pages_dir(&name)).display(),
        tables.reports.len(),
        tables.comparison.len()
    );
    Ok(Exit::Ok)
}

/// The report's options from the cities config: the population source cited as the config's
/// `[census]` table gives it (publication, publisher, date).
pub(crate) fn report_options(config: &nianbao_crawler::config::Config) -> htmlreport::Options {
    htmlreport::Options {
        population_source: config
            .census
            .as_ref()
            .map(|c| format!("{}（{}，{}）", c.source, c.publisher, c.published)),
        ..htmlreport::Options::default()
    }
}

/// `OUT/NAME` → `.nianbao/current/NAME` (the index and the pages folder), for a set written
/// with `--no-report`.
fn link_report(out: &std::path::Path, name: &str) -> anyhow::Result<()> {
    let path = out.join(name);
    let target = std::path::Path::new(SETS_DIR).join("current").join(name);
    if std::fs::read_link(&path).is_ok_and(|t| t == target) {
        return Ok(());
    }
    let tmp = out.join(format!(".{name}.link-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(&target, &tmp)
        .and_then(|()| std::fs::rename(&tmp, &path))
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::parse_args;

    #[test]
    fn the_output_folder_is_required_and_the_file_defaults_into_it() {
        assert!(parse_args::<Args>(&["report"]).is_err());
        let args = parse_args::<Args>(&["report", "--from", "out"]).expect("parse");
        assert_eq!(args.from, PathBuf::from("out"));
        assert!(args.output.is_none());
        let args = parse_args::<Args>(&["report", "--from", "out", "-o", "r.html"]).expect("parse");
        assert_eq!(args.output, Some(PathBuf::from("r.html")));
    }
}
