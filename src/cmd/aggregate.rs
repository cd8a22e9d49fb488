//! `nianbao aggregate --archive DIR --out DIR`: harvest archives → every report page and
//! attachment parsed → the comparison tables (Parquet, CSV, XLSX) and `report.html` in the
//! output folder, replaced only when all of them were written. A summary goes to stderr
//! (`--log-json`: one JSON object instead).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::exit;
use crate::aggregate::{self, output, severity_counts, City, Tables};
use crate::crawl::config::Config;
use crate::export::csv::CsvEncoding;
use crate::htmlreport;
use crate::pipeline;

/// Build the comparison tables from harvest archives.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A harvest folder (`state.sqlite` + `warc/`, as `nianbao crawl` writes); repeatable.
    #[arg(long = "archive", value_name = "DIR", required = true)]
    pub archives: Vec<PathBuf>,
    /// Where the tables go (created if needed; previous files are replaced atomically).
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Options shared by `aggregate` and `harvest`.
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// The cities (adcodes and 2020 census populations for the per-100,000 figures).
    #[arg(long, default_value = "config/guangxi.toml")]
    pub config: PathBuf,
    /// Character set of the CSV files: UTF-8 with a BOM (Excel 2016+ and everything else) or
    /// GBK for old Excel versions.
    #[arg(long, value_enum, default_value = "utf8-bom")]
    pub csv_encoding: CsvEncoding,
    /// Do not write report.html.
    #[arg(long)]
    pub no_report: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the run summary as one JSON object on stderr (machine-readable).
    #[arg(long)]
    pub log_json: bool,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    build(&args.archives, &args.out, &args.output)
}

/// Read the archives, aggregate, write every output; shared with `harvest`.
pub fn build(archives: &[PathBuf], out: &Path, opts: &OutputArgs) -> anyhow::Result<ExitCode> {
    let config = Config::load(&opts.config)?;
    let cities: Vec<City> = config
        .cities
        .iter()
        .map(|c| City {
            name: c.name.clone(),
            adcode: c.adcode.clone(),
            population: c.population_2020,
        })
        .collect();
    let mut inputs = Vec::new();
    let mut failures = Vec::new();
    let (mut pages, mut attachments) = (0, 0);
    for dir in archives {
        let bar = progress_bar(opts.quiet, dir);
        let read = pipeline::read_archive(dir, &cities, |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })
        .with_context(|| format!("cannot read the archive {}", dir.display()))?;
        bar.finish_and_clear();
        pages += read.reports;
        attachments += read.attachments;
        failures.extend(read.failures);
        inputs.extend(read.inputs);
    }
    let spinner = spinner(opts.quiet, "aggregating");
    let tables = aggregate::aggregate(inputs, &cities);
    spinner.set_message(format!(
        "writing {} cells, {} reports, {} findings (Parquet, CSV, XLSX)",
        tables.cells.len(),
        tables.reports.len(),
        tables.findings.len()
    ));
    let written = output::write_all(&tables, out, opts.csv_encoding)?;
    if !opts.no_report {
        spinner.set_message("writing report.html");
        let path = out.join("report.html");
        htmlreport::write(&tables, &htmlreport::Options::default(), &path)?;
    }
    spinner.finish_and_clear();
    summarize(
        &tables,
        out,
        pages,
        attachments,
        &failures,
        written.files.len(),
        opts.log_json,
    );
    Ok(if tables.reports.is_empty() {
        exit::code(exit::SOME_FAILED)
    } else {
        exit::OK
    })
}

fn progress_bar(quiet: bool, dir: &Path) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    let style = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} reports")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(format!("parsing {}", dir.display()));
    bar
}

/// A spinner with elapsed time for the steps that have no count to show.
fn spinner(quiet: bool, message: &'static str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    let style = ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    bar.set_style(style);
    bar.set_message(message);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

fn summarize(
    t: &Tables,
    out: &Path,
    pages: usize,
    atts: usize,
    failures: &[String],
    files: usize,
    as_json: bool,
) {
    let (errors, warnings, infos) = severity_counts(&t.findings);
    let years: std::collections::BTreeSet<i32> = t.comparison.iter().map(|r| r.year).collect();
    let synthetic = t
        .reports
        .iter()
        .filter(|r| r.meta.data_origin != pipeline::PUBLISHED)
        .count();
    if as_json {
        let summary = json!({
            "out": out.display().to_string(),
            "report_pages": pages,
            "attachments": atts,
            "reports": t.reports.len(),
            "duplicates_dropped": t.duplicates,
            "unreadable": failures,
            "comparison_rows": t.comparison.len(),
            "years": years,
            "findings": {"error": errors, "warning": warnings, "info": infos},
            "synthetic_demo_reports": synthetic,
            "files": files,
        });
        eprintln!("{summary}");
        return;
    }
    eprintln!(
        "nianbao: {} report pages and {atts} attachments read; {} reports kept ({} copies dropped); \
         {} city × year comparison rows for {:?}",
        pages,
        t.reports.len(),
        t.duplicates,
        t.comparison.len(),
        years
    );
    eprintln!("nianbao: findings: {errors} error(s), {warnings} warning(s), {infos} info");
    if synthetic > 0 {
        eprintln!("nianbao: {synthetic} reports carry SYNTHETIC DEMO figures (data_origin = synthetic-demo)");
    }
    for f in failures {
        eprintln!("nianbao: not read: {f}");
    }
    eprintln!("nianbao: wrote {files} files into {}", out.display());
}
