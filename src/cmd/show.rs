//! `nianbao show CITY YEAR`: one report of an output set (its Parquet tables) or of a harvest
//! archive (parsed as `aggregate` parses it) → its tables as printed, in `parse`'s terminal
//! layout, with its findings, the capture it was read from and the city-year's coverage; or
//! the same as JSON, or its cells as CSV. Reads only: an archive is opened read-only.

use std::collections::BTreeSet;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::{json, Value};

use super::parse::write_summary;
use super::summary::years_text;
use super::{Exit, UsageError};
use crate::pipeline;
use nianbao_tables::aggregate::view::{self, same_city, CoverageRows, COVERAGE_FILE};
use nianbao_tables::aggregate::{self, load, output, City, ReportRow, Tables};
use nianbao_tables::export::csv::CsvEncoding;
use nianbao_tables::export::current_set;

/// Show one report: its tables as printed, its findings, its source and coverage.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The city: its name with or without 市 (`贵港` or `贵港市`), or its adcode.
    pub city: String,
    /// The report's year (the data year, 统计年度).
    pub year: i32,
    /// Which report, when the city has several that year (the city government's and its
    /// departments'): the publishing body's name or a part of it, or the report's source URL.
    #[arg(long, value_name = "BODY")]
    pub body: Option<String>,
    /// Read the output set of this folder (the Parquet tables of `aggregate` or `harvest`).
    /// The default, with `out`, when --archive is not given.
    #[arg(long = "from", value_name = "OUT_DIR", conflicts_with = "archive")]
    pub from: Option<PathBuf>,
    /// Parse the city's reports from this harvest archive instead, as `aggregate` does (the
    /// archive is only read).
    #[arg(long, value_name = "ARCHIVE_DIR")]
    pub archive: Option<PathBuf>,
    /// The cities (adcodes, populations) for --archive; default: the built-in 广西 config.
    #[arg(long, value_name = "FILE", requires = "archive")]
    pub config: Option<PathBuf>,
    /// Print one JSON object: the report as `parse --json` prints it (findings with
    /// `message_zh`), plus `sources` (where each value was printed), `city`, `adcode`,
    /// `capture` (URL, WARC record, SHA-256, fetch time, data origin) and `coverage`.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print the report's cells as CSV, in the columns of `cells.csv` (UTF-8 with a BOM).
    #[arg(long)]
    pub csv: bool,
}

/// Where the tables came from.
enum Origin {
    /// The set folder of an output folder (which may hold a coverage table).
    Set { out: PathBuf, set: PathBuf },
    /// A harvest archive, parsed for this run.
    Archive(PathBuf),
}

pub(crate) fn run(args: &Args) -> anyhow::Result<Exit> {
    let (tables, origin) = match &args.archive {
        Some(dir) => (from_archive(dir, args)?, Origin::Archive(dir.clone())),
        None => {
            let out = args.from.clone().unwrap_or_else(|| PathBuf::from("out"));
            let set = current_set(&out);
            (from_set(&out, &set)?, Origin::Set { out, set })
        }
    };
    let candidates = matching_reports(&tables, args);
    let i = match candidates.as_slice() {
        [] => {
            eprintln!("nianbao: {}", not_found(&tables, args, &origin));
            return Ok(Exit::SomeFailed);
        }
        [one] => *one,
        several => {
            eprint!("{}", choices(&tables, several, args));
            return Ok(Exit::Usage);
        }
    };
    let coverage = coverage(&origin, &tables.reports[i], args.year)?;
    let mut out = BufWriter::new(io::stdout().lock());
    if args.csv {
        let cells = view::cells_of(&tables, i);
        out = output::cells_csv(&tables, cells, out, CsvEncoding::Utf8Bom)?;
    } else if args.json {
        serde_json::to_writer_pretty(&mut out, &as_json(&tables, i, &coverage))?;
        writeln!(out)?;
    } else {
        write_text(&mut out, &tables, i, &coverage)?;
    }
    out.flush()?;
    Ok(Exit::Ok)
}

/// The tables of an output folder's current set.
fn from_set(out: &Path, set: &Path) -> anyhow::Result<Tables> {
    if !set.join("reports.parquet").is_file() {
        return Err(UsageError(format!(
            "{}: no output set (no reports.parquet); run `nianbao harvest` or `nianbao \
             aggregate` into it first, or name one with --from OUT_DIR, or read an archive \
             with --archive DIR",
            out.display()
        ))
        .into());
    }
    load::read_tables(
        set,
        &nianbao_tables::aggregate::metrics::MetricSet::builtin(),
    )
    .with_context(|| format!("cannot read the tables of {}", out.display()))
}

/// The reports of the city in an archive, parsed and aggregated as `aggregate` does (copies
/// dropped, cross-year checks with the city's other years).
fn from_archive(dir: &Path, args: &Args) -> anyhow::Result<Tables> {
    let config = super::load_config(args.config.as_deref())?;
    let cities: Vec<City> = config.cities();
    // The config's name for the city when it knows it (an adcode too), else the name given.
    let name = cities
        .iter()
        .find(|c| same_city(&c.name, &args.city) || c.adcode == args.city)
        .map_or(args.city.clone(), |c| c.name.clone());
    let read = pipeline::read_archive_where(
        dir,
        &cities,
        &super::load_bodies(None)?,
        |e| same_city(&e.target.city, &name),
        |_, _| {},
    )
    .with_context(|| format!("cannot read the archive {}", dir.display()))?;
    for failure in &read.failures {
        eprintln!("nianbao: not read: {failure}");
    }
    Ok(aggregate::aggregate(
        read.inputs,
        &cities,
        &nianbao_tables::aggregate::Options::default(),
    )?)
}

/// The reports of the city and year that `--body` (if given) picks: an exact body name or
/// source URL first, else the bodies that contain it.
fn matching_reports(tables: &Tables, args: &Args) -> Vec<usize> {
    let of_city_year: Vec<usize> = (0..tables.reports.len())
        .filter(|&i| {
            let r = &tables.reports[i];
            r.year == Some(args.year)
                && (same_city(&r.meta.city, &args.city) || r.meta.adcode == args.city)
        })
        .collect();
    let mut of_city_year = of_city_year;
    // The report compared first, then the city government's, then the others by body.
    of_city_year.sort_by_key(|&i| {
        let r = &tables.reports[i];
        (
            !r.in_comparison,
            !r.meta.is_city_government(),
            r.body.clone(),
        )
    });
    let Some(wanted) = args.body.as_deref().map(str::trim) else {
        return of_city_year;
    };
    let body = |i: &usize| tables.reports[*i].body.as_deref().unwrap_or("");
    let exact: Vec<usize> = of_city_year
        .iter()
        .copied()
        .filter(|i| body(i) == wanted || tables.reports[*i].meta.url == wanted)
        .collect();
    if !exact.is_empty() {
        return exact;
    }
    of_city_year
        .into_iter()
        .filter(|i| !wanted.is_empty() && body(i).contains(wanted))
        .collect()
}

/// Why nothing matched, with what there is instead.
fn not_found(tables: &Tables, args: &Args, origin: &Origin) -> String {
    let place = match origin {
        Origin::Set { out, .. } => out.display().to_string(),
        Origin::Archive(dir) => dir.display().to_string(),
    };
    let of_city: Vec<&ReportRow> = tables
        .reports
        .iter()
        .filter(|r| same_city(&r.meta.city, &args.city) || r.meta.adcode == args.city)
        .collect();
    if of_city.is_empty() {
        let mut cities: Vec<&str> = tables
            .reports
            .iter()
            .map(|r| r.meta.city.as_str())
            .collect();
        cities.dedup();
        return format!(
            "no report of {} in {place} (its cities: {})",
            args.city,
            cities.join(", ")
        );
    }
    let years: BTreeSet<i32> = of_city.iter().filter_map(|r| r.year).collect();
    let city = &of_city[0].meta.city;
    match &args.body {
        Some(body) if of_city.iter().any(|r| r.year == Some(args.year)) => format!(
            "no report of {city} for {} by a body matching '{body}' in {place} (bodies: {})",
            args.year,
            bodies(
                of_city
                    .iter()
                    .filter(|r| r.year == Some(args.year))
                    .copied()
            )
        ),
        _ => format!(
            "no report of {city} for {} in {place} (its years: {})",
            args.year,
            years_text(&years)
        ),
    }
}

fn bodies<'a>(reports: impl Iterator<Item = &'a ReportRow>) -> String {
    reports
        .map(|r| r.body.as_deref().unwrap_or("(no body named)"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The choices when several reports match: one line each, with the `--body` that picks it.
fn choices(tables: &Tables, several: &[usize], args: &Args) -> String {
    let first = &tables.reports[several[0]];
    let mut s = format!(
        "nianbao: {} has {} reports for {}; choose one with --body:\n",
        first.meta.city,
        several.len(),
        args.year
    );
    let names: Vec<&str> = several
        .iter()
        .map(|&i| tables.reports[i].body.as_deref().unwrap_or(""))
        .collect();
    for (&i, name) in several.iter().zip(&names) {
        let r = &tables.reports[i];
        // A body printed by two reports is picked by its URL instead.
        let unique = !name.is_empty() && names.iter().filter(|n| *n == name).count() == 1;
        let pick = if unique { *name } else { r.meta.url.as_str() };
        let what = match (r.meta.is_city_government(), r.in_comparison) {
            (_, true) => "the city government's, in the comparison",
            (true, false) => "the city government's",
            (false, false) => "not the city government's",
        };
        s.push_str(&format!(
            "  --body {pick}    ({what}; tables {}) {}\n",
            if r.tables_read.is_empty() {
                "none"
            } else {
                &r.tables_read
            },
            r.meta.url
        ));
    }
    s
}

/// The coverage rows of the city-year, or why there are none to show.
enum Coverage {
    Rows(CoverageRows),
    Unavailable(String),
}

fn coverage(origin: &Origin, report: &ReportRow, year: i32) -> anyhow::Result<Coverage> {
    Ok(match origin {
        Origin::Archive(_) => Coverage::Unavailable(
            "not known from an archive alone (an aggregation writes the coverage table; use \
             --from OUT_DIR)"
                .into(),
        ),
        Origin::Set { out, set } => match view::coverage_rows(set, &report.meta.city, year)
            .with_context(|| format!("cannot read the coverage table of {}", out.display()))?
        {
            Some(rows) => Coverage::Rows(rows),
            None => Coverage::Unavailable(format!(
                "this output set has no coverage table ({COVERAGE_FILE})"
            )),
        },
    })
}

/// The report in `parse`'s layout, then its capture and the city-year's coverage.
fn write_text(
    out: &mut impl Write,
    tables: &Tables,
    i: usize,
    coverage: &Coverage,
) -> io::Result<()> {
    let r = &tables.reports[i];
    let report = view::report_of(tables, i);
    let year = r.year.map_or_else(String::new, |y| y.to_string());
    let title = format!(
        "{} {year} {}",
        r.meta.city,
        r.body.as_deref().unwrap_or("(no body named)")
    );
    write_summary(out, &title, &report)?;
    let m = &r.meta;
    writeln!(out, "\nsource:")?;
    for (label, value) in [
        ("URL", m.url.as_str()),
        ("WARC record", m.warc_record_id.as_str()),
        ("SHA-256", m.sha256.as_str()),
        ("fetched", m.fetch_time.as_str()),
        ("data origin", m.data_origin.as_str()),
    ] {
        writeln!(
            out,
            "  {label:<13}{}",
            if value.is_empty() { "unknown" } else { value }
        )?;
    }
    let compared = if r.in_comparison {
        "yes"
    } else if r.meta.is_city_government() {
        "no (another report of the city government was chosen, or it has no table 三)"
    } else {
        "no (not the city government's own report)"
    };
    writeln!(out, "  {:<13}{compared}", "compared")?;
    match coverage {
        Coverage::Unavailable(why) => writeln!(out, "\ncoverage: {why}")?,
        Coverage::Rows(c) if c.rows.is_empty() => {
            writeln!(out, "\ncoverage: no row for this city and year")?
        }
        Coverage::Rows(c) => {
            writeln!(out, "\ncoverage:")?;
            for row in &c.rows {
                let fields: Vec<String> = c
                    .columns
                    .iter()
                    .zip(row)
                    .filter(|(name, _)| !matches!(name.as_str(), "city" | "adcode" | "year"))
                    .map(|(name, v)| format!("{name}: {}", v.as_deref().unwrap_or("·")))
                    .collect();
                writeln!(out, "  {}", fields.join("   "))?;
            }
        }
    }
    Ok(())
}

/// The report as one JSON object (see [`Args::json`]).
fn as_json(tables: &Tables, i: usize, coverage: &Coverage) -> Value {
    let r = &tables.reports[i];
    let m = &r.meta;
    let mut v = view::report_of(tables, i).to_json_with_sources();
    let coverage = match coverage {
        Coverage::Rows(c) => json!({
            "columns": c.columns,
            "rows": c.rows,
        }),
        Coverage::Unavailable(why) => json!({ "unavailable": why }),
    };
    if let Value::Object(o) = &mut v {
        o.insert("city".into(), json!(m.city));
        o.insert("adcode".into(), json!(m.adcode));
        o.insert(
            "capture".into(),
            json!({
                "url": m.url,
                "warc_record_id": m.warc_record_id,
                "sha256": m.sha256,
                "fetch_time": m.fetch_time,
                "data_origin": m.data_origin,
            }),
        );
        o.insert("city_government".into(), json!(m.is_city_government()));
        o.insert("in_comparison".into(), json!(r.in_comparison));
        o.insert("coverage".into(), coverage);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::parse_args;

    #[test]
    fn city_and_year_are_required_and_the_sources_exclude_each_other() {
        assert!(parse_args::<Args>(&["show", "贵港"]).is_err());
        let args = parse_args::<Args>(&["show", "贵港", "2021"]).expect("parse");
        assert_eq!((args.city.as_str(), args.year), ("贵港", 2021));
        assert!(
            parse_args::<Args>(&["show", "贵港", "2021", "--from", "o", "--archive", "a"]).is_err()
        );
        assert!(parse_args::<Args>(&["show", "贵港", "2021", "--json", "--csv"]).is_err());
        assert!(parse_args::<Args>(&["show", "贵港", "2021", "--config", "c.toml"]).is_err());
    }
}
