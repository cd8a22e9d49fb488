//! Tables → polars DataFrames → Parquet. Column names are the English keys analysts query
//! with; Chinese labels travel in their own columns. Parquet files are written with fixed
//! options (no timestamps, single-threaded) so an unchanged archive gives identical files.

use std::fs::File;
use std::path::Path;

use polars::prelude::*;

use super::metrics::METRICS;
use super::{CellDef, CellRow, ComparisonRow, FindingRow, ReportRow, SourceMeta, TrendRow};

fn s(name: &str, v: Vec<String>) -> Column {
    Column::new(PlSmallStr::from_str(name), v)
}

fn os(name: &str, v: Vec<Option<String>>) -> Column {
    Column::new(PlSmallStr::from_str(name), v)
}

fn of(name: &str, v: Vec<Option<f64>>) -> Column {
    Column::new(PlSmallStr::from_str(name), v)
}

fn oi(name: &str, v: Vec<Option<i32>>) -> Column {
    Column::new(PlSmallStr::from_str(name), v)
}

fn u(name: &str, v: Vec<u32>) -> Column {
    Column::new(PlSmallStr::from_str(name), v)
}

/// The source columns every row-level table carries.
fn source_columns<'a, T>(rows: &'a [T], meta: impl Fn(&'a T) -> &'a SourceMeta) -> Vec<Column> {
    let col = |name: &str, f: &dyn Fn(&SourceMeta) -> String| {
        s(name, rows.iter().map(|r| f(meta(r))).collect())
    };
    vec![
        col("data_origin", &|m| m.data_origin.clone()),
        col("source_url", &|m| m.url.clone()),
        col("warc_record_id", &|m| m.warc_record_id.clone()),
        col("source_sha256", &|m| m.sha256.clone()),
        col("fetch_time", &|m| m.fetch_time.clone()),
    ]
}

fn frame(height: usize, columns: Vec<Column>) -> PolarsResult<DataFrame> {
    DataFrame::new(height, columns)
}

/// Metadata columns of the report each row belongs to (`report_of(row)` indexes `reports`).
fn report_columns<T>(
    rows: &[T],
    reports: &[ReportRow],
    report_of: impl Fn(&T) -> usize,
) -> Vec<Column> {
    let rep = |r: &T| &reports[report_of(r)];
    vec![
        s(
            "city",
            rows.iter().map(|r| rep(r).meta.city.clone()).collect(),
        ),
        s(
            "adcode",
            rows.iter().map(|r| rep(r).meta.adcode.clone()).collect(),
        ),
        os("body", rows.iter().map(|r| rep(r).body.clone()).collect()),
        oi("year", rows.iter().map(|r| rep(r).year).collect()),
        os(
            "template",
            rows.iter().map(|r| rep(r).template.clone()).collect(),
        ),
    ]
}

/// The columns of the `cells` table, in order (the CSV writes the same).
pub const CELL_COLUMNS: [&str; 17] = [
    "city",
    "adcode",
    "body",
    "year",
    "template",
    "table",
    "row",
    "column",
    "value",
    "row_label",
    "column_label",
    "source_cell",
    "data_origin",
    "source_url",
    "warc_record_id",
    "source_sha256",
    "fetch_time",
];

pub fn cells(rows: &[CellRow], reports: &[ReportRow]) -> PolarsResult<DataFrame> {
    let mut c = report_columns(rows, reports, CellRow::report);
    let def = |name: &str, f: fn(&CellDef) -> &'static str| {
        s(name, rows.iter().map(|r| f(r.def()).to_string()).collect())
    };
    c.extend([
        def("table", |d| d.table),
        def("row", |d| d.row),
        def("column", |d| d.column),
        of("value", rows.iter().map(|r| r.value).collect()),
        def("row_label", |d| d.row_label),
        def("column_label", |d| d.column_label),
        os(
            "source_cell",
            rows.iter().map(CellRow::source_cell).collect(),
        ),
    ]);
    c.extend(source_columns(rows, |r| &reports[r.report()].meta));
    frame(rows.len(), c)
}

pub fn reports(rows: &[ReportRow]) -> PolarsResult<DataFrame> {
    let mut c = vec![
        s("city", rows.iter().map(|r| r.meta.city.clone()).collect()),
        s(
            "adcode",
            rows.iter().map(|r| r.meta.adcode.clone()).collect(),
        ),
        os("body", rows.iter().map(|r| r.body.clone()).collect()),
        oi("year", rows.iter().map(|r| r.year).collect()),
        os(
            "template",
            rows.iter().map(|r| r.template.clone()).collect(),
        ),
        s(
            "tables_read",
            rows.iter().map(|r| r.tables_read.clone()).collect(),
        ),
        u("errors", rows.iter().map(|r| r.errors as u32).collect()),
        u("warnings", rows.iter().map(|r| r.warnings as u32).collect()),
        u("infos", rows.iter().map(|r| r.infos as u32).collect()),
        os(
            "encoding",
            rows.iter().map(|r| r.encoding.clone()).collect(),
        ),
        Column::new(
            "city_government".into(),
            rows.iter()
                .map(|r| r.meta.city_government)
                .collect::<Vec<bool>>(),
        ),
        Column::new(
            "in_comparison".into(),
            rows.iter().map(|r| r.in_comparison).collect::<Vec<bool>>(),
        ),
    ];
    c.extend(source_columns(rows, |r| &r.meta));
    frame(rows.len(), c)
}

pub fn findings(rows: &[FindingRow], reports: &[ReportRow]) -> PolarsResult<DataFrame> {
    let mut c = report_columns(rows, reports, |r| r.report);
    c.extend([
        s(
            "rule",
            rows.iter().map(|r| r.finding.rule.clone()).collect(),
        ),
        s(
            "severity",
            rows.iter()
                .map(|r| r.finding.severity.as_str().to_string())
                .collect(),
        ),
        s(
            "message",
            rows.iter().map(|r| r.finding.message.clone()).collect(),
        ),
        s(
            "cells",
            rows.iter().map(|r| r.finding.cells.join(" ")).collect(),
        ),
    ]);
    c.extend(source_columns(rows, |r| &reports[r.report].meta));
    frame(rows.len(), c)
}

pub fn comparison(rows: &[ComparisonRow]) -> PolarsResult<DataFrame> {
    let mut c = vec![
        oi("year", rows.iter().map(|r| Some(r.year)).collect()),
        s("city", rows.iter().map(|r| r.city.clone()).collect()),
        s("adcode", rows.iter().map(|r| r.adcode.clone()).collect()),
        os("body", rows.iter().map(|r| r.body.clone()).collect()),
        Column::new(
            "population".into(),
            rows.iter()
                .map(|r| r.population)
                .collect::<Vec<Option<u64>>>(),
        ),
    ];
    for (k, m) in METRICS.iter().enumerate() {
        c.push(of(m.key, rows.iter().map(|r| r.values[k]).collect()));
        if !m.is_rate {
            c.push(of(
                &format!("{}_per_100k", m.key),
                rows.iter().map(|r| r.per_100k[k]).collect(),
            ));
        }
        let ranks: Vec<Option<u32>> = rows
            .iter()
            .map(|r| r.ranks.get(k).copied().flatten())
            .collect();
        c.push(Column::new(format!("{}_rank", m.key).into(), ranks));
    }
    c.push(s(
        "data_origin",
        rows.iter().map(|r| r.data_origin.clone()).collect(),
    ));
    c.push(s(
        "source_url",
        rows.iter().map(|r| r.source_url.clone()).collect(),
    ));
    frame(rows.len(), c)
}

pub fn trends(rows: &[TrendRow]) -> PolarsResult<DataFrame> {
    let c = vec![
        s("city", rows.iter().map(|r| r.city.clone()).collect()),
        s("adcode", rows.iter().map(|r| r.adcode.clone()).collect()),
        oi("year", rows.iter().map(|r| Some(r.year)).collect()),
        s(
            "metric",
            rows.iter().map(|r| r.metric.to_string()).collect(),
        ),
        s(
            "metric_label",
            rows.iter().map(|r| r.metric_label.to_string()).collect(),
        ),
        of("value", rows.iter().map(|r| r.value).collect()),
        of("previous", rows.iter().map(|r| r.previous).collect()),
        of("change", rows.iter().map(|r| r.change).collect()),
        s(
            "data_origin",
            rows.iter().map(|r| r.data_origin.clone()).collect(),
        ),
    ];
    frame(rows.len(), c)
}

/// Write one Parquet file (zstd, statistics, single-threaded for identical bytes).
pub fn write_parquet(df: &mut DataFrame, path: &Path) -> PolarsResult<()> {
    let file = File::create(path)?;
    ParquetWriter::new(file).set_parallel(false).finish(df)?;
    Ok(())
}

/// Write one partition of a hive-partitioned dataset: `dir/year=YYYY/part-0.parquet` (no year:
/// `year=__HIVE_DEFAULT_PARTITION__`, as Hive and DuckDB name it). The year column itself lives
/// in the folder name, as hive readers expect.
pub fn write_partition(df: DataFrame, year: Option<i32>, dir: &Path) -> PolarsResult<()> {
    let mut part = df.drop("year")?;
    let name = year.map_or("__HIVE_DEFAULT_PARTITION__".to_string(), |y| y.to_string());
    let folder = dir.join(format!("year={name}"));
    std::fs::create_dir_all(&folder)?;
    write_parquet(&mut part, &folder.join("part-0.parquet"))
}
