//! Tables → polars DataFrames → Parquet. Column names are the English keys analysts query
//! with; Chinese labels travel in their own columns. Parquet files are written with fixed
//! options (no timestamps, single-threaded) so an unchanged archive gives identical files.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

use polars::prelude::*;

use super::metrics::METRICS;
use super::{
    CellDef, CellLoc, CellRow, ComparisonRow, FindingRow, ReportRow, SourceMeta, TrendRow,
};

/// A string column from borrowed text (no `String` per row: tables have millions of rows).
fn strs<'a>(name: &str, v: impl Iterator<Item = &'a str>) -> Column {
    StringChunked::from_iter_values(PlSmallStr::from_str(name), v).into_column()
}

fn opt_strs<'a>(name: &str, v: impl Iterator<Item = Option<&'a str>>) -> Column {
    StringChunked::from_iter_options(PlSmallStr::from_str(name), v).into_column()
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
    let col =
        |name: &str, f: fn(&'a SourceMeta) -> &'a str| strs(name, rows.iter().map(|r| f(meta(r))));
    vec![
        col("data_origin", |m| &m.data_origin),
        col("source_url", |m| &m.url),
        col("warc_record_id", |m| &m.warc_record_id),
        col("source_sha256", |m| &m.sha256),
        col("fetch_time", |m| &m.fetch_time),
    ]
}

fn frame(height: usize, columns: Vec<Column>) -> PolarsResult<DataFrame> {
    DataFrame::new(height, columns)
}

/// Metadata columns of the report each row belongs to (`report_of(row)` indexes `reports`).
fn report_columns<'a, T>(
    rows: &'a [T],
    reports: &'a [ReportRow],
    report_of: impl Fn(&T) -> usize,
) -> Vec<Column> {
    let rep = |r: &T| &reports[report_of(r)];
    vec![
        strs("city", rows.iter().map(|r| rep(r).meta.city.as_str())),
        strs("adcode", rows.iter().map(|r| rep(r).meta.adcode.as_str())),
        opt_strs("body", rows.iter().map(|r| rep(r).body.as_deref())),
        oi("year", rows.iter().map(|r| rep(r).year).collect()),
        opt_strs("template", rows.iter().map(|r| rep(r).template.as_deref())),
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

/// The `cells` table (columns [`CELL_COLUMNS`]) for some of its rows.
pub fn cells(rows: &[&CellRow], reports: &[ReportRow]) -> PolarsResult<DataFrame> {
    let mut c = report_columns(rows, reports, |r| r.report());
    let def =
        |name: &str, f: fn(&CellDef) -> &'static str| strs(name, rows.iter().map(|r| f(r.def())));
    // Few distinct locations recur over millions of rows: format each once.
    let mut texts: HashMap<CellLoc, String> = HashMap::new();
    for r in rows {
        if let Some(loc) = r.loc.get() {
            texts.entry(r.loc).or_insert_with(|| loc.to_string());
        }
    }
    c.extend([
        def("table", |d| d.table),
        def("row", |d| d.row),
        def("column", |d| d.column),
        of("value", rows.iter().map(|r| r.value()).collect()),
        def("row_label", |d| d.row_label),
        def("column_label", |d| d.column_label),
        opt_strs(
            "source_cell",
            rows.iter().map(|r| texts.get(&r.loc).map(String::as_str)),
        ),
    ]);
    c.extend(source_columns(rows, |r| &reports[r.report()].meta));
    frame(rows.len(), c)
}

/// The `reports` table: city, adcode, body, year, template, `tables_read`, finding counts,
/// encoding, `city_government`, `in_comparison`, then the source columns.
pub fn reports(rows: &[ReportRow]) -> PolarsResult<DataFrame> {
    let mut c = vec![
        strs("city", rows.iter().map(|r| r.meta.city.as_str())),
        strs("adcode", rows.iter().map(|r| r.meta.adcode.as_str())),
        opt_strs("body", rows.iter().map(|r| r.body.as_deref())),
        oi("year", rows.iter().map(|r| r.year).collect()),
        opt_strs("template", rows.iter().map(|r| r.template.as_deref())),
        strs("tables_read", rows.iter().map(|r| r.tables_read.as_str())),
        u("errors", rows.iter().map(|r| r.errors as u32).collect()),
        u("warnings", rows.iter().map(|r| r.warnings as u32).collect()),
        u("infos", rows.iter().map(|r| r.infos as u32).collect()),
        opt_strs("encoding", rows.iter().map(|r| r.encoding.as_deref())),
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

/// The `findings` table: the report's city, adcode, body, year and template, then `rule`,
/// `severity`, `message`, `cells` (schema paths, space-separated) and the report's source
/// columns.
pub fn findings(rows: &[FindingRow], reports: &[ReportRow]) -> PolarsResult<DataFrame> {
    let mut c = report_columns(rows, reports, |r| r.report);
    c.extend([
        strs("rule", rows.iter().map(|r| r.finding.rule.as_str())),
        strs("severity", rows.iter().map(|r| r.finding.severity.as_str())),
        strs("message", rows.iter().map(|r| r.finding.message.as_str())),
        Column::new(
            "cells".into(),
            rows.iter()
                .map(|r| r.finding.cells.join(" "))
                .collect::<Vec<String>>(),
        ),
    ]);
    c.extend(source_columns(rows, |r| &reports[r.report].meta));
    frame(rows.len(), c)
}

/// The `comparison` table: year, city, adcode, body, population, then per metric its value,
/// `<key>_per_100k` (counts only) and `<key>_rank`, then `data_origin` and `source_url`.
pub fn comparison(rows: &[ComparisonRow]) -> PolarsResult<DataFrame> {
    let mut c = vec![
        oi("year", rows.iter().map(|r| Some(r.year)).collect()),
        strs("city", rows.iter().map(|r| r.city.as_str())),
        strs("adcode", rows.iter().map(|r| r.adcode.as_str())),
        opt_strs("body", rows.iter().map(|r| r.body.as_deref())),
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
    c.push(strs(
        "data_origin",
        rows.iter().map(|r| r.data_origin.as_str()),
    ));
    c.push(strs(
        "source_url",
        rows.iter().map(|r| r.source_url.as_str()),
    ));
    frame(rows.len(), c)
}

/// The `trends` table: city, adcode, year, metric, metric_label, value, previous, change and
/// data_origin.
pub fn trends(rows: &[TrendRow]) -> PolarsResult<DataFrame> {
    let c = vec![
        strs("city", rows.iter().map(|r| r.city.as_str())),
        strs("adcode", rows.iter().map(|r| r.adcode.as_str())),
        oi("year", rows.iter().map(|r| Some(r.year)).collect()),
        strs("metric", rows.iter().map(|r| r.metric)),
        strs("metric_label", rows.iter().map(|r| r.metric_label)),
        of("value", rows.iter().map(|r| r.value).collect()),
        of("previous", rows.iter().map(|r| r.previous).collect()),
        of("change", rows.iter().map(|r| r.change).collect()),
        strs("data_origin", rows.iter().map(|r| r.data_origin.as_str())),
    ];
    frame(rows.len(), c)
}

/// Write one Parquet file (zstd, statistics, single-threaded for identical bytes).
pub fn write_parquet(df: &mut DataFrame, path: &Path) -> PolarsResult<()> {
    let file = File::create(path)?;
    ParquetWriter::new(file).set_parallel(false).finish(df)?;
    Ok(())
}

/// One partition of a hive-partitioned dataset, written a row group at a time:
/// `dir/year=YYYY/part-0.parquet` (no year: `year=__HIVE_DEFAULT_PARTITION__`, as Hive and
/// DuckDB name it). The year column itself lives in the folder name, as hive readers expect.
pub struct PartitionWriter {
    writer: polars::io::parquet::write::BatchedWriter<File>,
}

impl PartitionWriter {
    /// Create the partition's file for frames shaped like `first`.
    pub fn create(dir: &Path, year: Option<i32>, first: &DataFrame) -> PolarsResult<Self> {
        let name = year.map_or("__HIVE_DEFAULT_PARTITION__".to_string(), |y| y.to_string());
        let folder = dir.join(format!("year={name}"));
        std::fs::create_dir_all(&folder)?;
        let file = File::create(folder.join("part-0.parquet"))?;
        let schema = first.schema().as_ref().clone();
        let mut schema = schema;
        schema.shift_remove("year");
        let writer = ParquetWriter::new(file)
            .set_parallel(false)
            .batched(&schema)?;
        Ok(PartitionWriter { writer })
    }

    /// Append `df` (the `year` column dropped) as one row group.
    pub fn write(&mut self, df: DataFrame) -> PolarsResult<()> {
        let mut part = df.drop("year")?;
        part.rechunk_mut_par();
        self.writer.write_batch(&part)
    }

    /// Write the file's footer; without it the file is not valid Parquet.
    pub fn finish(self) -> PolarsResult<()> {
        self.writer.finish().map(|_| ())
    }
}
