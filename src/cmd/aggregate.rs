//! `nianbao aggregate --archive DIR --out DIR`: harvest archives → every report page and
//! attachment parsed → the comparison tables (Parquet, CSV, XLSX) and `report.html` in the
//! output folder, replaced only when all of them were written. A summary goes to stderr
//! (`--log-format json`: one JSON object instead); `--debug` explains what the aggregation
//! dropped and left out of the comparison.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::summary::RunSummary;
use super::{lock_output, Exit, Logs, UsageError};
use crate::pipeline;
use nianbao_tables::aggregate::corrections::{self, Correction};
use nianbao_tables::aggregate::coverage::{self, Uncaptured};
use nianbao_tables::aggregate::metrics::MetricSet;
use nianbao_tables::aggregate::{self, explain, output, City, Input, Options, Tables};
use nianbao_tables::export::csv::{CsvEncoding, CsvOptions, Labels};
use nianbao_tables::export::{current_set, Staging};
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
    /// Corrections to single values (TOML `[[correction]]` or CSV with the columns report,
    /// cell, value, reason, who, date; README "Corrections and manual reports"). Each replaced
    /// value has `data_origin = corrected` and a `C-CORRECTED` finding; its printed text stays.
    #[arg(long, value_name = "FILE")]
    pub corrections: Option<PathBuf>,
    /// More metrics, or new definitions of built-in ones (same id), in the format of
    /// `config/metrics.toml`; docs/data-dictionary.md lists the cell keys a formula can use.
    #[arg(long, value_name = "FILE")]
    pub metrics: Option<PathBuf>,
    /// Character set of the CSV files: UTF-8 with a BOM (Excel 2016+ and everything else) or
    /// GBK for old Excel versions.
    #[arg(long, value_enum, default_value = "utf8-bom")]
    pub csv_encoding: CsvEncodingArg,
    /// Header of the CSV files: the column names (en, the default: what scripts read) or the
    /// data dictionary's Chinese labels (zh, for reading in a spreadsheet). The workbook's
    /// headers are always Chinese; Parquet keeps the column names.
    #[arg(long, value_enum, default_value = "en")]
    pub labels: LabelsArg,
    /// Do not write report.html.
    #[arg(long)]
    pub no_report: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
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

/// `--labels`: the tables crate's [`Labels`] as a command-line value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LabelsArg {
    /// Column names, e.g. `disclosure_rate`.
    En,
    /// Chinese labels, e.g. `实质公开率`.
    Zh,
}

impl OutputArgs {
    /// How the CSV files are written.
    fn csv(&self) -> CsvOptions {
        CsvOptions {
            encoding: self.csv_encoding.into(),
            labels: match self.labels {
                LabelsArg::En => Labels::En,
                LabelsArg::Zh => Labels::Zh,
            },
        }
    }
}

pub(crate) fn run(args: &Args, logs: Logs) -> anyhow::Result<Exit> {
    // A config that does not load is a usage error before anything is created or locked.
    super::load_config(args.output.config.as_deref())?;
    super::load_bodies(args.output.bodies.as_deref())?;
    load_corrections(args.output.corrections.as_deref())?;
    super::load_metrics(MetricSet::builtin(), args.output.metrics.as_deref())?;
    let _lock = lock_output(&args.out)?;
    build(
        &args.archives,
        &args.out,
        &args.output,
        &Selection::default(),
        logs,
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

    fn keeps_scan(&self, scan: &pipeline::Scan) -> bool {
        self.keeps_city_year(&scan.city, scan.year)
    }

    fn keeps_year(&self, year: Option<i32>) -> bool {
        self.years.as_ref().is_none_or(|years| {
            year.and_then(|y| u16::try_from(y).ok())
                .is_some_and(|y| years.contains(&y))
        })
    }

    fn keeps(&self, input: &Input) -> bool {
        self.keeps_city_year(&input.meta.city, input.report.year)
    }

    fn keeps_city_year(&self, city: &str, year: Option<i32>) -> bool {
        self.keeps_year(year) && self.keeps_city(city)
    }

    /// The years every city is accounted for in `coverage`: the years asked for, else every
    /// year from the first to the last that any report or uncaptured report page names.
    fn year_range(&self, tables: &Tables, lost: &[Uncaptured]) -> RangeInclusive<i32> {
        if let Some(years) = &self.years {
            return i32::from(*years.start())..=i32::from(*years.end());
        }
        let seen = tables
            .reports
            .iter()
            .filter_map(|r| r.year)
            .chain(lost.iter().filter_map(|u| u.year));
        let (lo, hi) = seen.fold((i32::MAX, i32::MIN), |(lo, hi), y| (lo.min(y), hi.max(y)));
        lo..=hi
    }
}

/// Read the archives, aggregate, write every output as one set; shared with `harvest`. The
/// caller holds the output folder's lock ([`lock_output`]).
pub(crate) fn build(
    archives: &[PathBuf],
    out: &Path,
    opts: &OutputArgs,
    selection: &Selection,
    logs: Logs,
) -> anyhow::Result<Exit> {
    let config = super::load_config(opts.config.as_deref())?;
    let bodies = super::load_bodies(opts.bodies.as_deref())?;
    let metrics = super::load_metrics(MetricSet::builtin(), opts.metrics.as_deref())?;
    let all_cities: Vec<City> = config.cities();
    let mut cities = all_cities.clone();
    cities.retain(|c| selection.keeps_city(&c.name));
    let mut inputs = Vec::new();
    let mut lost = Vec::new();
    let mut failures = Vec::new();
    let mut scans = Vec::new();
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
        scans.extend(read.scans.into_iter().filter(|s| selection.keeps_scan(s)));
        inputs.extend(read.inputs.into_iter().filter(|i| selection.keeps(i)));
        lost.extend(
            pipeline::uncaptured(dir, &all_cities, &bodies)
                .with_context(|| format!("cannot read the archive {}", dir.display()))?
                .into_iter()
                .filter(|u| selection.keeps_city_year(&u.city, u.year)),
        );
    }
    let corrections = load_corrections(opts.corrections.as_deref())?;
    apply_corrections(&mut inputs, &corrections, opts.corrections.as_deref())?;
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
    // What the aggregation decides is explained only when asked (--debug).
    let keys = tracing::enabled!(tracing::Level::DEBUG).then(|| explain::input_keys(&inputs));
    let mut tables = aggregate::aggregate(inputs, &cities, &options)?;
    for line in keys.map_or_else(Vec::new, |k| explain::decisions(&k, &tables)) {
        tracing::debug!("{line}");
    }
    let years = selection.year_range(&tables, &lost);
    tables.coverage = coverage::coverage(&tables, &lost, &cities, &years);
    // The city grid says why a city-year has no report, from the coverage table.
    if !tables.coverage.is_empty() {
        let frame = coverage::city_frame(&tables.coverage)
            .context("cannot build the coverage frame of the comparison")?;
        let options = Options {
            coverage: Some(frame),
            ..options
        };
        tables.compare(&cities, &options)?;
    }
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
    output::stage_all(&tables, &staging, opts.csv()).with_context(kept)?;
    if !failures.is_empty() {
        let rows: Vec<(String, String)> = failures
            .iter()
            .map(|f| match f.split_once(": ") {
                Some((url, reason)) => (url.to_string(), reason.to_string()),
                None => (String::new(), f.clone()),
            })
            .collect();
        output::stage_unreadable(&staging, &rows, opts.csv()).with_context(kept)?;
    }
    if !opts.no_report {
        spinner.set_message("writing report.html");
        let path = staging.path("report.html");
        htmlreport::write(&tables, &super::report::report_options(&config), &path)
            .with_context(kept)?;
    }
    staging
        .commit()
        .with_context(|| format!("cannot switch the outputs of {}", out.display()))?;
    spinner.finish_and_clear();
    let summary = RunSummary {
        out,
        tables: &tables,
        pages,
        attachments,
        failures: &failures,
        unreadable,
        scans: &scans,
        // Counted on disk: the Parquet partitions, report.html and unreadable.csv included.
        files: files_in(&current_set(out)),
    };
    if logs.json {
        eprintln!("{}", summary.to_json());
    } else {
        eprint!("{}", summary.to_text());
    }
    Ok(if tables.reports.is_empty() || !failures.is_empty() {
        Exit::SomeFailed
    } else {
        Exit::Ok
    })
}

/// The corrections of `--corrections`, checked; none without it. A file that does not load is a
/// usage error naming it.
pub(crate) fn load_corrections(path: Option<&Path>) -> anyhow::Result<Vec<Correction>> {
    match path {
        Some(p) => corrections::load(p).map_err(|e| UsageError(e.to_string()).into()),
        None => Ok(Vec::new()),
    }
}

/// Apply every correction to the report it names; one that names no report read, or no cell of
/// its report, is a usage error naming the file and the entry (nothing is written).
fn apply_corrections(
    inputs: &mut [Input],
    list: &[Correction],
    path: Option<&Path>,
) -> anyhow::Result<()> {
    let mut by_report: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
    for (i, c) in list.iter().enumerate() {
        by_report.entry(c.report.as_str()).or_default().push(i);
    }
    let file = path.map_or_else(String::new, |p| p.display().to_string());
    let entry_error = |i: usize, message: &str| {
        let c = &list[i];
        UsageError(format!(
            "--corrections {file}, entry {} ({} {}): {message}",
            i + 1,
            c.report,
            c.cell
        ))
    };
    for input in inputs.iter_mut() {
        let Some(entries) = by_report.remove(input.meta.report_id.as_str()) else {
            continue;
        };
        let these: Vec<&Correction> = entries.iter().map(|&i| &list[i]).collect();
        input
            .correct(&these)
            .map_err(|(k, message)| entry_error(entries[k], &message))?;
    }
    if let Some(i) = by_report.into_values().flatten().min() {
        return Err(entry_error(i, "no report of the archives has this report_id").into());
    }
    Ok(())
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

/// How many files are below `dir` (following no links).
fn files_in(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => files_in(&e.path()),
            Ok(t) if t.is_file() => 1,
            _ => 0,
        })
        .sum()
}
