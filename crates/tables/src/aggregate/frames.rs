//! Tables → polars DataFrames → Parquet. Column names are the English keys analysts query
//! with; Chinese labels travel in their own columns. Parquet files are written with fixed
//! options (no timestamps, single-threaded) so an unchanged archive gives identical files.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

use polars::io::parquet::write::KeyValueMetadata;
use polars::prelude::*;

use super::coverage::CoverageRow;
use super::metrics::METRICS;
use super::units::FEN_PER_WAN;
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

/// A nullable Int64 column: every integer of every table is Int64 (counts, years, ranks).
fn oi(name: &str, v: Vec<Option<i64>>) -> Column {
    Column::new(PlSmallStr::from_str(name), v)
}

/// The `year` column: Int64 in every table (as hive readers infer it from `year=YYYY`).
fn year(v: impl Iterator<Item = Option<i32>>) -> Column {
    oi("year", v.map(|y| y.map(i64::from)).collect())
}

/// A count metric as Int64: its value is a sum of printed integers, never a fraction; a value
/// that is not a whole number (none is) would be left null rather than rounded.
fn count(v: Option<f64>) -> Option<i64> {
    v.filter(|x| x.fract() == 0.0 && x.abs() < 9.0e15)
        .map(|x| x as i64)
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
    let mut c = vec![strs(
        "report_id",
        rows.iter().map(|r| rep(r).meta.report_id.as_str()),
    )];
    c.extend(identity_columns(rows, |r| rep(r)));
    c
}

/// The columns that say whose report a row is: city, adcode, level, county, body, department,
/// year, template (after `report_id`, in every row-level table).
fn identity_columns<'a, T>(rows: &'a [T], rep: impl Fn(&'a T) -> &'a ReportRow) -> Vec<Column> {
    vec![
        strs("city", rows.iter().map(|r| rep(r).meta.city.as_str())),
        strs("adcode", rows.iter().map(|r| rep(r).meta.adcode.as_str())),
        strs("level", rows.iter().map(|r| rep(r).meta.level.as_str())),
        opt_strs("county", rows.iter().map(|r| rep(r).meta.county.as_deref())),
        opt_strs("body", rows.iter().map(|r| rep(r).body.as_deref())),
        opt_strs(
            "department",
            rows.iter().map(|r| rep(r).meta.department.as_deref()),
        ),
        year(rows.iter().map(|r| rep(r).year)),
        opt_strs("template", rows.iter().map(|r| rep(r).template.as_deref())),
    ]
}

/// The columns of the `cells` table, in order (the CSV writes the same).
pub const CELL_COLUMNS: [&str; 25] = [
    "report_id",
    "city",
    "adcode",
    "level",
    "county",
    "body",
    "department",
    "year",
    "template",
    "table",
    "row",
    "column",
    "value",
    "unit",
    "amount_10k_yuan",
    "amount_fen",
    "printed",
    "row_label",
    "column_label",
    "source_cell",
    "data_origin",
    "source_url",
    "warc_record_id",
    "source_sha256",
    "fetch_time",
];

/// The `cells` table (columns [`CELL_COLUMNS`]) for some of its rows: `value` (Int64) holds
/// counts; money is in `amount_fen` (Int64, exact) and `amount_10k_yuan` (Float64, the
/// nearest double to the exact amount); `unit` says which (`count`, `万元`, `unknown`);
/// `printed` is the text as published.
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
    let printed: Vec<Option<std::borrow::Cow<'_, str>>> = rows
        .iter()
        .map(|r| r.printed(&reports[r.report()]))
        .collect();
    c.extend([
        def("table", |d| d.table),
        def("row", |d| d.row),
        def("column", |d| d.column),
        oi("value", rows.iter().map(|r| r.count()).collect()),
        strs("unit", rows.iter().map(|r| r.unit().as_str())),
        of(
            "amount_10k_yuan",
            rows.iter()
                .map(|r| r.amount_fen().map(|f| f as f64 / FEN_PER_WAN as f64))
                .collect(),
        ),
        oi("amount_fen", rows.iter().map(|r| r.amount_fen()).collect()),
        opt_strs("printed", printed.iter().map(|p| p.as_deref())),
        def("row_label", |d| d.row_label),
        def("column_label", |d| d.column_label),
        opt_strs(
            "source_cell",
            rows.iter().map(|r| texts.get(&r.loc).map(String::as_str)),
        ),
    ]);
    let mut sources = source_columns(rows, |r| &reports[r.report()].meta);
    // A corrected value says so in its own row.
    sources[0] = strs(
        "data_origin",
        rows.iter().map(|r| r.data_origin(&reports[r.report()])),
    );
    c.extend(sources);
    frame(rows.len(), c)
}

/// The `reports` table: `report_id`, city, adcode, level, county, body, department, year,
/// template, `tables_read`, finding counts,
/// encoding, `city_government`, `in_comparison`, then the source columns.
pub fn reports(rows: &[ReportRow]) -> PolarsResult<DataFrame> {
    let mut c = vec![strs(
        "report_id",
        rows.iter().map(|r| r.meta.report_id.as_str()),
    )];
    c.extend(identity_columns(rows, |r| r));
    c.extend([
        strs("tables_read", rows.iter().map(|r| r.tables_read.as_str())),
        oi(
            "errors",
            rows.iter().map(|r| Some(r.errors as i64)).collect(),
        ),
        oi(
            "warnings",
            rows.iter().map(|r| Some(r.warnings as i64)).collect(),
        ),
        oi("infos", rows.iter().map(|r| Some(r.infos as i64)).collect()),
        opt_strs("encoding", rows.iter().map(|r| r.encoding.as_deref())),
        Column::new(
            "city_government".into(),
            rows.iter()
                .map(|r| r.meta.is_city_government())
                .collect::<Vec<bool>>(),
        ),
        Column::new(
            "in_comparison".into(),
            rows.iter().map(|r| r.in_comparison).collect::<Vec<bool>>(),
        ),
    ]);
    c.extend(source_columns(rows, |r| &r.meta));
    frame(rows.len(), c)
}

/// The `findings` table: the report's city, adcode, body, year and template, then `rule`,
/// `severity`, `message`, `message_zh` (the same in Chinese, long cell lists summarised),
/// `cells` (schema paths, space-separated, all of them) and the report's source columns.
pub fn findings(rows: &[FindingRow], reports: &[ReportRow]) -> PolarsResult<DataFrame> {
    let mut c = report_columns(rows, reports, |r| r.report);
    c.extend([
        strs("rule", rows.iter().map(|r| r.finding.rule.as_str())),
        strs("severity", rows.iter().map(|r| r.finding.severity.as_str())),
        strs("message", rows.iter().map(|r| r.finding.message.as_str())),
        strs(
            "message_zh",
            rows.iter().map(|r| r.finding.message_zh.as_str()),
        ),
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

/// The `coverage` table: city, adcode, level, body, year, `status` (a key: `found`, `scan`,
/// `unreadable`, `failed`, `not_a_report`, `fetch_failed`, `blocked`, `pending`, `not_found`),
/// `status_label` (Chinese), `reason`, `report_id` (null when no report row exists), `url`.
pub fn coverage(rows: &[CoverageRow]) -> PolarsResult<DataFrame> {
    let c = vec![
        strs("city", rows.iter().map(|r| r.city.as_str())),
        strs("adcode", rows.iter().map(|r| r.adcode.as_str())),
        strs("level", rows.iter().map(|r| r.level.as_str())),
        opt_strs("body", rows.iter().map(|r| r.body.as_deref())),
        year(rows.iter().map(|r| r.year)),
        strs("status", rows.iter().map(|r| r.status.as_str())),
        strs("status_label", rows.iter().map(|r| r.status.label())),
        strs("reason", rows.iter().map(|r| r.reason.as_str())),
        opt_strs("report_id", rows.iter().map(|r| r.report_id.as_deref())),
        strs("url", rows.iter().map(|r| r.url.as_str())),
    ];
    frame(rows.len(), c)
}

/// The `comparison` table: year, city, adcode, body, population, then per metric its value,
/// `<key>_per_100k` (counts only) and `<key>_rank`, then `data_origin` and `source_url`.
pub fn comparison(rows: &[ComparisonRow]) -> PolarsResult<DataFrame> {
    let mut c = vec![
        year(rows.iter().map(|r| Some(r.year))),
        strs("city", rows.iter().map(|r| r.city.as_str())),
        strs("adcode", rows.iter().map(|r| r.adcode.as_str())),
        opt_strs("body", rows.iter().map(|r| r.body.as_deref())),
        oi(
            "population",
            rows.iter()
                .map(|r| r.population.and_then(|p| i64::try_from(p).ok()))
                .collect(),
        ),
    ];
    for (k, m) in METRICS.iter().enumerate() {
        if m.is_rate {
            c.push(of(m.key, rows.iter().map(|r| r.values[k]).collect()));
        } else {
            c.push(oi(m.key, rows.iter().map(|r| count(r.values[k])).collect()));
            c.push(of(
                &format!("{}_per_100k", m.key),
                rows.iter().map(|r| r.per_100k[k]).collect(),
            ));
        }
        let ranks: Vec<Option<i64>> = rows
            .iter()
            .map(|r| r.ranks.get(k).copied().flatten().map(i64::from))
            .collect();
        c.push(oi(&format!("{}_rank", m.key), ranks));
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

/// The `trends` table: city, adcode, year, metric, metric_label, `unit` (`count` or `rate`),
/// then `count`, `previous_count`, `count_change` (Int64, count metrics) and `rate`,
/// `previous_rate`, `rate_change` (Float64, fractions, rate metrics), then data_origin.
pub fn trends(rows: &[TrendRow]) -> PolarsResult<DataFrame> {
    let is_rate = |r: &TrendRow| METRICS.iter().any(|m| m.key == r.metric && m.is_rate);
    let counts = |f: fn(&TrendRow) -> Option<f64>| -> Vec<Option<i64>> {
        rows.iter()
            .map(|r| if is_rate(r) { None } else { count(f(r)) })
            .collect()
    };
    let rates = |f: fn(&TrendRow) -> Option<f64>| -> Vec<Option<f64>> {
        rows.iter()
            .map(|r| if is_rate(r) { f(r) } else { None })
            .collect()
    };
    let c = vec![
        strs("city", rows.iter().map(|r| r.city.as_str())),
        strs("adcode", rows.iter().map(|r| r.adcode.as_str())),
        year(rows.iter().map(|r| Some(r.year))),
        strs("metric", rows.iter().map(|r| r.metric)),
        strs("metric_label", rows.iter().map(|r| r.metric_label)),
        strs(
            "unit",
            rows.iter()
                .map(|r| if is_rate(r) { "rate" } else { "count" }),
        ),
        oi("count", counts(|r| r.value)),
        oi("previous_count", counts(|r| r.previous)),
        oi("count_change", counts(|r| r.change)),
        of("rate", rates(|r| r.value)),
        of("previous_rate", rates(|r| r.previous)),
        of("rate_change", rates(|r| r.change)),
        strs("data_origin", rows.iter().map(|r| r.data_origin.as_str())),
    ];
    frame(rows.len(), c)
}

/// The Arrow schema stored in a Parquet file (`ARROW:schema`) for frames of `schema`: the
/// oldest Arrow types (`large_string`, not `string_view`), which pyarrow < 15, pandas, Spark
/// and DuckDB read. polars writes the column data the same way for both (Parquet `BYTE_ARRAY`
/// / `STRING`); only this stored schema names the view type, so it is replaced.
fn compat_metadata(schema: &Schema) -> KeyValueMetadata {
    let arrow = schema.to_arrow(CompatLevel::oldest());
    let kv = polars_parquet::write::schema_to_metadata_key(&arrow);
    KeyValueMetadata::from_static(vec![(kv.key, kv.value.unwrap_or_default())])
}

/// The Arrow schema stored in the footer of a Parquet file (`ARROW:schema`) exactly as
/// written, without the conversions a reader applies: what pyarrow sees. `None` when the file
/// stores none. For the tests that check no column is a view type.
pub fn stored_arrow_schema(path: &Path) -> PolarsResult<Option<ArrowSchema>> {
    let mut file = File::open(path)?;
    let meta = polars_parquet::read::read_metadata(&mut file)?;
    let Some(encoded) = meta
        .key_value_metadata()
        .iter()
        .flatten()
        .find(|kv| kv.key == "ARROW:schema")
        .and_then(|kv| kv.value.clone())
    else {
        return Ok(None);
    };
    let bytes = base64_decode(&encoded)
        .ok_or_else(|| polars_err!(ComputeError: "ARROW:schema is not base64"))?;
    // An IPC message with a continuation marker and length first (legacy: length only).
    let message = match bytes.get(..4) {
        Some([255, 255, 255, 255]) => bytes.get(8..),
        Some(_) => bytes.get(4..),
        None => None,
    }
    .ok_or_else(|| polars_err!(ComputeError: "ARROW:schema is truncated"))?;
    let (schema, _, _) = polars_arrow::io::ipc::read::deserialize_schema(message)?;
    Ok(Some(schema))
}

/// Standard base64 with padding; `None` on any other byte.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let s = s.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for chunk in s.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= val(c)? << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

/// Write one Parquet file (zstd, statistics, single-threaded for identical bytes).
pub fn write_parquet(df: &mut DataFrame, path: &Path) -> PolarsResult<()> {
    let file = File::create(path)?;
    ParquetWriter::new(file)
        .set_parallel(false)
        .with_key_value_metadata(Some(compat_metadata(df.schema())))
        .finish(df)?;
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
            .with_key_value_metadata(Some(compat_metadata(&schema)))
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
