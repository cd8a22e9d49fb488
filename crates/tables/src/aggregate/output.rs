//! [`Tables`] → the files of an output folder, all staged and committed together
//! ([`Staging`]): Parquet for polars/pandas/DuckDB (`cells/` hive-partitioned by year),
//! CSV for spreadsheets (written from the same DataFrames; rates and per-100,000 values rounded
//! for display, the header in English names or Chinese labels: [`CsvOptions`]), `nianbao.xlsx`,
//! and `metrics.toml` (the metrics the comparisons were computed with). The city governments'
//! comparison is written as CSV twice: all years in `comparison.csv`, and one file per year,
//! `comparison_YYYY.csv`.

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::{frames, sheets, CellLoc, CellRow, Scope, Tables};
use crate::dictionary;
use crate::export::csv::{CsvOptions, CsvSink, Encoded, Field};
use crate::export::xlsx;
use crate::export::Staging;

/// Why writing the outputs failed; a failure before the final move into place leaves the
/// previous run's files untouched.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file or folder could not be created, written or moved into place.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or folder (inside the staging folder until the commit).
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A table could not be built as a DataFrame or written as Parquet.
    #[error("cannot build table {table}: {source}")]
    Frame {
        /// The table: `cells`, `reports`, `findings`, or a comparison or trends table.
        table: &'static str,
        /// The polars error.
        source: PolarsError,
    },
    /// A Parquet file could not be written.
    #[error("cannot write {path}: {source}")]
    Parquet {
        /// The file (inside the set folder until the switch).
        path: PathBuf,
        /// The polars error.
        source: PolarsError,
    },
    /// The workbook `nianbao.xlsx` could not be written.
    #[error("cannot write {path}: {source}")]
    Xlsx {
        /// The workbook's path in the staging folder.
        path: PathBuf,
        /// The rust_xlsxwriter error.
        source: rust_xlsxwriter::XlsxError,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn frame_err(table: &'static str) -> impl FnOnce(PolarsError) -> OutputError {
    move |source| OutputError::Frame { table, source }
}

/// What was written, for the run summary.
#[derive(Debug, Default)]
pub struct Written {
    /// The names written, relative to the output folder, e.g. `cells.csv`,
    /// `cells/year=*/part-0.parquet`, `comparison_2023.csv`, `nianbao.xlsx`.
    pub files: Vec<String>,
}

fn parquet_err(path: &Path) -> impl FnOnce(PolarsError) -> OutputError + '_ {
    move |source| OutputError::Parquet {
        path: path.to_path_buf(),
        source,
    }
}

/// Write every output into `out`, replacing the previous run's set only when all succeeded
/// ([`Staging`]). The caller holds the output folder's lock.
pub fn write_all(
    tables: &Tables,
    out: &Path,
    csv: impl Into<CsvOptions>,
) -> Result<Written, OutputError> {
    let staging = Staging::new(out).map_err(io_err(out))?;
    let written = stage_all(tables, &staging, csv)?;
    staging.commit().map_err(io_err(out))?;
    Ok(written)
}

/// Write every table output into the set folder of `staging` (the caller adds its own files,
/// e.g. `report.html`, and switches the set in with [`Staging::commit`]).
pub fn stage_all(
    tables: &Tables,
    staging: &Staging,
    csv: impl Into<CsvOptions>,
) -> Result<Written, OutputError> {
    let csv = csv.into();
    // Three independent jobs side by side: the cells Parquet partitions (built a chunk at a
    // time), cells.csv (straight from the compact rows; mostly I/O) and the small tables with
    // the workbook.
    let (parquet, text, small) = std::thread::scope(|s| {
        let text = s.spawn(|| write_cells_csv(tables, &staging.path("cells.csv"), csv));
        let small = s.spawn(|| write_small_tables(tables, staging, csv));
        let parquet = write_cell_partitions(tables, &staging.path("cells"));
        (parquet, joined(text), joined(small))
    });
    parquet?;
    text?;
    let mut written = Written::default();
    written.files.push("cells.csv".into());
    written.files.push("cells/year=*/part-0.parquet".into());
    written.files.extend(small?);
    Ok(written)
}

/// `unreadable.csv` in the set of `staging`: one row per input the run could not read (a
/// record that is torn, corrupt or altered, a report page that did not parse), with the URL and
/// the reason. Written only for a partial run, so a complete run's set has no such file.
pub fn stage_unreadable(
    staging: &Staging,
    rows: &[(String, String)],
    csv: impl Into<CsvOptions>,
) -> Result<(), OutputError> {
    let csv = csv.into();
    let path = staging.path("unreadable.csv");
    let file = File::create(&path).map_err(io_err(&path))?;
    let no_metrics = super::metrics::MetricSet::default();
    let header = dictionary::header(
        "unreadable",
        &["source_url", "reason"],
        csv.labels,
        &no_metrics,
    );
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut sink =
        CsvSink::new(BufWriter::new(file), csv.encoding, &header).map_err(io_err(&path))?;
    for (url, reason) in rows {
        sink.row(&[Field::text(url.as_str()), Field::text(reason.as_str())])
            .map_err(io_err(&path))?;
    }
    sink.finish().map_err(io_err(&path))?;
    Ok(())
}

/// A scoped thread's result; its panic, if any, goes on in this thread.
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Every table but `cells`, as Parquet and CSV, `metrics.toml` and the workbook; the names
/// written.
fn write_small_tables(
    tables: &Tables,
    staging: &Staging,
    csv: CsvOptions,
) -> Result<Vec<String>, OutputError> {
    let mut files = Vec::new();
    let mut frames_out: Vec<(&'static str, DataFrame)> = vec![
        (
            "reports",
            frames::reports(&tables.reports).map_err(frame_err("reports"))?,
        ),
        (
            "findings",
            frames::findings(&tables.findings, &tables.reports).map_err(frame_err("findings"))?,
        ),
        (
            "coverage",
            frames::coverage(&tables.coverage).map_err(frame_err("coverage"))?,
        ),
    ];
    for scope in Scope::ALL {
        let (rows, trends) = tables.compared(scope);
        let comparison =
            frames::comparison(rows, scope, &tables.metrics).map_err(frame_err(scope.stem()))?;
        let trends = frames::trends(trends, scope, &tables.metrics)
            .map_err(frame_err(scope.trends_stem()))?;
        frames_out.push((scope.stem(), comparison));
        frames_out.push((scope.trends_stem(), trends));
    }
    for (name, df) in &mut frames_out {
        let path = staging.path(&format!("{name}.parquet"));
        frames::write_parquet(df, &path).map_err(parquet_err(&path))?;
        files.push(format!("{name}.parquet"));
        let path = staging.path(&format!("{name}.csv"));
        write_csv(df, &path, name, &tables.metrics, csv)?;
        files.push(format!("{name}.csv"));
    }
    let years: BTreeSet<i32> = tables.comparison.iter().map(|r| r.year).collect();
    if let Some((_, comparison)) = frames_out
        .iter_mut()
        .find(|(n, _)| *n == Scope::CityGovernments.stem())
    {
        for year in &years {
            let mask: BooleanChunked = tables.comparison.iter().map(|r| r.year == *year).collect();
            let mut part = comparison.filter(&mask).map_err(frame_err("comparison"))?;
            let name = format!("comparison_{year}.csv");
            let stem = Scope::CityGovernments.stem();
            write_csv(&mut part, &staging.path(&name), stem, &tables.metrics, csv)?;
            files.push(name);
        }
    }
    drop(frames_out);
    let path = staging.path("metrics.toml");
    std::fs::write(&path, tables.metrics.to_toml()).map_err(io_err(&path))?;
    files.push("metrics.toml".into());
    let path = staging.path("nianbao.xlsx");
    xlsx::write_workbook(&path, sheets::all(tables, &years)).map_err(|source| {
        OutputError::Xlsx {
            path: path.clone(),
            source,
        }
    })?;
    files.push("nianbao.xlsx".into());
    Ok(files)
}

/// Rows per row group of the `cells` Parquet files: the unit built in memory at a time.
const CELL_CHUNK: usize = 1 << 17;

/// `cells/year=YYYY/part-0.parquet`: each year's rows in chunks of [`CELL_CHUNK`], one row
/// group each, so memory holds one chunk however large the table.
fn write_cell_partitions(tables: &Tables, dir: &Path) -> Result<(), OutputError> {
    let year_of = |c: &CellRow| tables.reports[c.report()].year;
    let years: BTreeSet<Option<i32>> = tables.reports.iter().map(|r| r.year).collect();
    for year in years {
        let name = year.map_or("__HIVE_DEFAULT_PARTITION__".to_string(), |y| y.to_string());
        let path = dir.join(format!("year={name}")).join("part-0.parquet");
        let mut rows = tables
            .cells
            .iter()
            .filter(|c| year_of(c) == year)
            .peekable();
        if rows.peek().is_none() {
            continue;
        }
        let mut part: Option<frames::PartitionWriter> = None;
        let mut chunk: Vec<&CellRow> = Vec::with_capacity(CELL_CHUNK);
        loop {
            chunk.clear();
            chunk.extend(rows.by_ref().take(CELL_CHUNK));
            if chunk.is_empty() {
                break;
            }
            let df = frames::cells(&chunk, &tables.reports).map_err(frame_err("cells"))?;
            let writer = match &mut part {
                Some(w) => w,
                None => part.insert(
                    frames::PartitionWriter::create(dir, year, &df).map_err(parquet_err(&path))?,
                ),
            };
            writer.write(df).map_err(parquet_err(&path))?;
        }
        if let Some(w) = part {
            w.finish().map_err(parquet_err(&path))?;
        }
    }
    Ok(())
}

/// `cells.csv` with the columns of [`frames::cells`], written row by row from the compact
/// cells.
fn write_cells_csv(tables: &Tables, path: &Path, enc: CsvOptions) -> Result<(), OutputError> {
    let file = File::create(path).map_err(io_err(path))?;
    cells_csv(tables, &tables.cells, BufWriter::new(file), enc).map_err(io_err(path))?;
    Ok(())
}

/// `rows` (rows of `tables.cells`) as CSV into `w`, in the form of `cells.csv` (columns
/// [`frames::CELL_COLUMNS`]); the columns of a report and of a template cell are encoded once,
/// not per row. Returns the writer, flushed of nothing: the caller flushes.
pub fn cells_csv<W: std::io::Write>(
    tables: &Tables,
    rows: &[CellRow],
    w: W,
    csv: impl Into<CsvOptions>,
) -> std::io::Result<W> {
    let csv = csv.into();
    let header = dictionary::header(
        "cells",
        &frames::cell_columns(),
        csv.labels,
        &tables.metrics,
    );
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut sink = CsvSink::new(w, csv.encoding, &header)?;
    fn opt(s: &Option<String>) -> Field<'_> {
        s.as_deref().map_or(Field::Null, Field::text)
    }
    let mut defs: Vec<Option<(Encoded, Encoded)>> = vec![None; super::cell_defs().len()];
    let mut locs: HashMap<CellLoc, Encoded> = HashMap::new();
    let mut current: Option<(usize, Encoded, Encoded)> = None;
    for c in rows {
        let (report, before, after) = match &current {
            Some(cur) if cur.0 == c.report() => cur,
            _ => {
                let r = &tables.reports[c.report()];
                let m = &r.meta;
                let before = sink.encode(&[
                    Field::text(m.report_id.as_str()),
                    Field::text(m.city.as_str()),
                    Field::text(m.adcode.as_str()),
                    Field::text(m.level.as_str()),
                    opt(&m.county),
                    opt(&r.body),
                    opt(&m.department),
                    r.year.map_or(Field::Null, |y| Field::Int(i64::from(y))),
                    opt(&r.template),
                ]);
                let after = sink.encode(&[
                    Field::text(m.url.as_str()),
                    Field::text(m.warc_record_id.as_str()),
                    Field::text(m.sha256.as_str()),
                    Field::text(m.fetch_time.as_str()),
                ]);
                current.insert((c.report(), before, after))
            }
        };
        debug_assert_eq!(*report, c.report());
        let (keys, labels) = defs[usize::from(c.def)].get_or_insert_with(|| {
            let d = c.def();
            let keys = [
                Field::text(d.table),
                Field::text(d.row),
                Field::text(d.column),
            ];
            let labels = [Field::text(d.row_label), Field::text(d.column_label)];
            (sink.encode(&keys), sink.encode(&labels))
        });
        sink.encoded(before);
        sink.encoded(keys);
        sink.field(&c.count().map_or(Field::Null, Field::Int));
        sink.field(&Field::text(c.unit().as_str()));
        // The shortest text of the nearest double: the exact decimal up to 15 digits.
        sink.field(&Field::opt_float(
            c.amount_fen()
                .map(|f| f as f64 / super::units::FEN_PER_WAN as f64),
        ));
        sink.field(&c.amount_fen().map_or(Field::Null, Field::Int));
        let printed = c.printed(&tables.reports[c.report()]);
        sink.field(&printed.map_or(Field::Null, Field::text));
        sink.encoded(labels);
        let cell = locs.entry(c.loc).or_insert_with(|| {
            let text = c.source_cell();
            sink.encode(&[text.map_or(Field::Null, Field::text)])
        });
        sink.encoded(cell);
        let ocr = c.ocr(&tables.reports[c.report()]);
        sink.field(&ocr.map_or(Field::Null, |o| {
            Field::Float(frames::confidence(o.confidence))
        }));
        sink.field(&Field::opt_bool(ocr.map(|o| o.corrected)));
        sink.field(&Field::opt_bool(ocr.map(|o| o.narrative)));
        let ocr_box = ocr.and_then(|o| o.box_text());
        sink.field(&ocr_box.as_deref().map_or(Field::Null, Field::text));
        sink.field(&Field::text(c.data_origin(&tables.reports[c.report()])));
        sink.encoded(after);
        sink.end_row()?;
    }
    sink.finish()
}

/// A DataFrame of table `stem` as CSV, column by column in its own order, values typed by the
/// column's dtype; rates and per-100,000 values rounded for display
/// ([`crate::export::shown::Shown::csv_decimals`]).
fn write_csv(
    df: &mut DataFrame,
    path: &Path,
    stem: &str,
    metrics: &super::metrics::MetricSet,
    csv: CsvOptions,
) -> Result<(), OutputError> {
    let file = File::create(path).map_err(io_err(path))?;
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let decimals: Vec<Option<u8>> = names
        .iter()
        .map(|n| dictionary::shown(stem, n, metrics).and_then(|s| s.csv_decimals()))
        .collect();
    let header = dictionary::header(stem, &name_refs, csv.labels, metrics);
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut sink =
        CsvSink::new(BufWriter::new(file), csv.encoding, &header_refs).map_err(io_err(path))?;
    let df = df.rechunk_mut_par();
    let columns = df.columns();
    let mut row = Vec::with_capacity(columns.len());
    for i in 0..df.height() {
        row.clear();
        for (c, decimals) in columns.iter().zip(&decimals) {
            row.push(match (field_at(c, i), decimals) {
                (Field::Float(v), Some(d)) => Field::Rounded(v, *d),
                (f, _) => f,
            });
        }
        sink.row(&row).map_err(io_err(path))?;
    }
    sink.finish().map_err(io_err(path))?;
    Ok(())
}

fn field_at(c: &Column, i: usize) -> Field<'_> {
    match c.get(i) {
        Ok(AnyValue::Null) | Err(_) => Field::Null,
        Ok(AnyValue::String(s)) => Field::text(s),
        Ok(AnyValue::StringOwned(s)) => Field::text(s.to_string()),
        Ok(AnyValue::Float64(v)) => Field::Float(v),
        Ok(AnyValue::Int64(v)) => Field::Int(v),
        Ok(AnyValue::Int32(v)) => Field::Int(i64::from(v)),
        Ok(AnyValue::UInt32(v)) => Field::Int(i64::from(v)),
        Ok(AnyValue::UInt64(v)) => i64::try_from(v).map_or(Field::Float(v as f64), Field::Int),
        Ok(AnyValue::Boolean(b)) => Field::opt_bool(Some(b)),
        Ok(other) => Field::text(other.to_string()),
    }
}
