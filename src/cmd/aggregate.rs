//! `nianbao aggregate --archive DIR --out DIR`: harvest archives → every report page and
//! attachment parsed → the comparison tables (Parquet, CSV, XLSX) and `report.html` in the
//! output folder, replaced only when all of them were written. A summary goes to stderr
//! (`--log-json`: one JSON object instead).

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::{lock_output, Exit};
use crate::pipeline;
use nianbao_tables::aggregate::metrics::MetricSet;
use nianbao_tables::aggregate::{self, output, severity_counts, City, Input, Options, Tables};
use nianbao_tables::export::csv::CsvEncoding;
use nianbao_tables::export::Staging;
use nianbao_tables::htmlreport;

/// Build the comparison tables from harvest archives.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
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
pub(crate) struct OutputArgs {
    /// The cities (adcodes and 2020 census populations for the per-100,000 figures).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The table of department kinds (`config/bodies.toml` format) that sorts bodies into
    /// levels and like departments; default: the built-in table.
    #[arg(long, value_name = "FILE")]
    pub bodies: Option<PathBuf>,
    /// More metrics, or new definitions of built-in ones (same id), in the format of
    /// `config/metrics.toml`; docs/data-dictionary.md lists the cell keys a formula can use.
    #[arg(long, value_name = "FILE")]
    pub metrics: Option<PathBuf>,
    /// Character set of the CSV files: UTF-8 with a BOM (Excel 2016+ and everything else) or
    /// GBK for old Excel versions.
    #[arg(long, value_enum, default_value = "utf8-bom")]
    pub csv_encoding: CsvEncodingArg,
    /// Do not write report.html.
    #[arg(long)]
    pub no_report: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the run summary as one JSON object on stderr (machine-readable).
    #[arg(long)]
    pub log_json: bool,
    /// Keep the previous outputs when any archive record could not be read (or did not match
    /// its digest), or a report page did not parse: exit 1 without writing.
    #[arg(long)]
    pub strict: bool,
}

/// `--csv-encoding`: the tables crate's [`CsvEncoding`] as a command-line value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CsvEncodingArg {
    /// UTF-8 with a byte-order mark.
    Utf8Bom,
    /// GBK, for old Excel versions.
    Gbk,
}

impl From<CsvEncodingArg> for CsvEncoding {
    fn from(arg: CsvEncodingArg) -> CsvEncoding {
        match arg {
            CsvEncodingArg::Utf8Bom => CsvEncoding::Utf8Bom,
            CsvEncodingArg::Gbk => CsvEncoding::Gbk,
        }
    }
}

pub(crate) fn run(args: &Args) -> anyhow::Result<Exit> {
    // A config that does not load is a usage error before anything is created or locked.
    super::load_config(args.output.config.as_deref())?;
    super::load_bodies(args.output.bodies.as_deref())?;
    super::load_metrics(MetricSet::builtin(), args.output.metrics.as_deref())?;
    let _lock = lock_output(&args.out)?;
    build(
        &args.archives,
        &args.out,
        &args.output,
        &Selection::default(),
    )
}

/// Which of the archives' reports to aggregate (`harvest --replay --city … --years …`); the
/// default keeps them all.
#[derive(Debug, Clone, Default)]
pub(crate) struct Selection {
    /// City names (as in the config); `None`: every city.
    pub cities: Option<BTreeSet<String>>,
    /// Report years, both ends included; `None`: every year, unknown ones too.
    pub years: Option<RangeInclusive<u16>>,
}

impl Selection {
    fn keeps_city(&self, name: &str) -> bool {
        self.cities.as_ref().is_none_or(|c| c.contains(name))
    }

    fn keeps(&self, input: &Input) -> bool {
        let year_kept = self.years.as_ref().is_none_or(|years| {
            input
                .report
                .year
                .and_then(|y| u16::try_from(y).ok())
                .is_some_and(|y| years.contains(&y))
        });
        year_kept && self.keeps_city(&input.meta.city)
    }
}

/// Read the archives, aggregate, write every output as one set; shared with `harvest`. The
/// caller holds the output folder's lock ([`lock_output`]).
pub(crate) fn build(
    archives: &[PathBuf],
    out: &Path,
    opts: &OutputArgs,
    selection: &Selection,
) -> anyhow::Result<Exit> {
    let config = super::load_config(opts.config.as_deref())?;
    let bodies = super::load_bodies(opts.bodies.as_deref())?;
    let metrics = super::load_metrics(MetricSet::builtin(), opts.metrics.as_deref())?;
    let all_cities: Vec<City> = config.cities();
    let mut cities = all_cities.clone();
    cities.retain(|c| selection.keeps_city(&c.name));
    let mut inputs = Vec::new();
    let mut failures = Vec::new();
    let (mut pages, mut attachments, mut unreadable) = (0, 0, 0);
    for dir in archives {
        let bar = progress_bar(opts.quiet, dir);
        let read = pipeline::read_archive(dir, &all_cities, &bodies, |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })
        .with_context(|| format!("cannot read the archive {}", dir.display()))?;
        bar.finish_and_clear();
        pages += read.reports;
        attachments += read.attachments;
        unreadable += read.unreadable;
        failures.extend(read.failures);
        inputs.extend(read.inputs.into_iter().filter(|i| selection.keeps(i)));
    }
    if opts.strict && !failures.is_empty() {
        for f in &failures {
            eprintln!("nianbao: not read: {f}");
        }
        eprintln!(
            "nianbao: --strict: {} input(s) not read ({unreadable} unreadable record(s)); \
             the outputs in {} are left as they were",
            failures.len(),
            out.display()
        );
        return Ok(Exit::SomeFailed);
    }
    let spinner = spinner(opts.quiet, "aggregating");
    let options = Options {
        metrics,
        coverage: None,
    };
    let tables = aggregate::aggregate(inputs, &cities, &options)?;
    spinner.set_message(format!(
        "writing {} cells, {} reports, {} findings (Parquet, CSV, XLSX)",
        tables.cells.len(),
        tables.reports.len(),
        tables.findings.len()
    ));
    // Every file, report.html included, goes into one new set that replaces the previous set
    // in one step; any error drops the new set and leaves the previous one in place.
    let staging = Staging::new(out)
        .with_context(|| format!("cannot write the output folder {}", out.display()))?;
    let kept = || {
        format!(
            "cannot write the outputs of {} (the previous outputs are kept)",
            out.display()
        )
    };
    let mut written =
        output::stage_all(&tables, &staging, opts.csv_encoding.into()).with_context(kept)?;
    if !failures.is_empty() {
        let rows: Vec<(String, String)> = failures
            .iter()
            .map(|f| match f.split_once(": ") {
                Some((url, reason)) => (url.to_string(), reason.to_string()),
                None => (String::new(), f.clone()),
            })
            .collect();
        output::stage_unreadable(&staging, &rows, opts.csv_encoding.into()).with_context(kept)?;
        written.files.push("unreadable.csv".into());
    }
    if !opts.no_report {
        spinner.set_message("writing report.html");
        let path = staging.path("report.html");
        htmlreport::write(&tables, &htmlreport::Options::default(), &path).with_context(kept)?;
    }
    staging
        .commit()
        .with_context(|| format!("cannot switch the outputs of {}", out.display()))?;
    spinner.finish_and_clear();
    summarize(
        &tables,
        out,
        pages,
        attachments,
        (&failures, unreadable),
        written.files.len(),
        opts.log_json,
    );
    Ok(if tables.reports.is_empty() || !failures.is_empty() {
        Exit::SomeFailed
    } else {
        Exit::Ok
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
    (failures, unreadable): (&[String], usize),
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
            "unreadable_records": unreadable,
            "partial": !failures.is_empty(),
            "comparison_rows": t.comparison.len(),
            "level_rows": {
                "departments": t.departments.rows.len(),
                "counties": t.counties.rows.len(),
                "city_totals": t.city_totals.rows.len(),
            },
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
    eprintln!(
        "nianbao: {} department, {} county and {} city-total comparison rows; {} metrics",
        t.departments.rows.len(),
        t.counties.rows.len(),
        t.city_totals.rows.len(),
        t.metrics.len()
    );
    eprintln!("nianbao: findings: {errors} error(s), {warnings} warning(s), {infos} info");
    if synthetic > 0 {
        eprintln!(
            "nianbao: {synthetic} reports carry SYNTHETIC DEMO figures (data_origin = {})",
            pipeline::SYNTHETIC
        );
    }
    for f in failures {
        eprintln!("nianbao: not read: {f}");
    }
    if !failures.is_empty() {
        eprintln!(
            "nianbao: PARTIAL: {} input(s) not read ({unreadable} unreadable record(s)); \
             the tables leave them out (exit 1)",
            failures.len()
        );
    }
    eprintln!("nianbao: wrote {files} files into {}", out.display());
}
