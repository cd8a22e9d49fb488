//! Tables → polars DataFrames → Parquet. Column names are the English keys analysts query
//! with; Chinese labels travel in their own columns. Parquet files are written with fixed
//! options (no timestamps, single-threaded) so an unchanged archive gives identical files.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

use polars::io::parquet::write::KeyValueMetadata;
use polars::prelude::*;

use super::coverage::CoverageRow;
use super::metrics::{Metric, MetricSet, MetricUnit};
use super::units::FEN_PER_WAN;
use super::{
    CellDef, CellLoc, CellOcr, CellRow, ComparisonRow, FindingRow, ReportRow, Scope, SourceMeta,
    TrendRow,
};

/// A string column from borrowed text (no `String` per row: tables have millions of rows).
pub(crate) fn strs<'a>(name: &str, v: impl Iterator<Item = &'a str>) -> Column {
    StringChunked::from_iter_values(PlSmallStr::from_str(name), v).into_column()
}

/// A nullable string column from borrowed text.
pub(crate) fn opt_strs<'a>(name: &str, v: impl Iterator<Item = Option<&'a str>>) -> Column {
    StringChunked::from_iter_options(PlSmallStr::from_str(name), v).into_column()
}

fn of(name: &str, v: Vec<Option<f64>>) -> Column {
    Column::new(PlSmallStr::from_str(name), v)
}

/// A nullable Int64 column: every integer of every table is Int64 (counts, years, ranks).
pub(crate) fn oi(name: &str, v: Vec<Option<i64>>) -> Column {
    Column::new(PlSmallStr::from_str(name), v)
}

/// The `year` column: Int64 in every table (as hive readers infer it from `year=YYYY`).
fn year(v: impl Iterator<Item = Option<i32>>) -> Column {
    oi("year", v.map(|y| y.map(i64::from)).collect())
}

/// A count metric as Int64: its formula adds and multiplies whole numbers only (checked when the
/// metric is read); a value that is not a whole number (none is) would be left null rather
/// than rounded.
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
fn identity_of<'a, T>(
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

/// The columns that say whose report a row is, first in every row-level table (`cells`,
/// `reports`, `findings`).
pub const IDENTITY_COLUMNS: [&str; 9] = [
    "report_id",
    "city",
    "adcode",
    "level",
    "county",
    "body",
    "department",
    "year",
    "template",
];

/// The columns that say where a row's values were printed, last in every row-level table.
pub const SOURCE_COLUMNS: [&str; 5] = [
    "data_origin",
    "source_url",
    "warc_record_id",
    "source_sha256",
    "fetch_time",
];

/// A row-level table's columns: [`IDENTITY_COLUMNS`], its own, [`SOURCE_COLUMNS`].
fn row_level(own: &[&'static str]) -> Vec<&'static str> {
    IDENTITY_COLUMNS
        .iter()
        .chain(own)
        .chain(SOURCE_COLUMNS.iter())
        .copied()
        .collect()
}

/// An OCR confidence as the tables keep it: four decimals (the model's float noise beyond
/// them is no information).
pub fn confidence(p: f32) -> f64 {
    (f64::from(p) * 1e4).round() / 1e4
}

/// The OCR columns of `cells` (`ocr_confidence`, `ocr_corrected`, `ocr_narrative`,
/// `ocr_box`): all null without allocating a value per row when no report was read by OCR,
/// which is most sets (millions of rows).
fn ocr_columns(rows: &[&CellRow], reports: &[ReportRow]) -> [Column; 4] {
    let names = [
        "ocr_confidence",
        "ocr_corrected",
        "ocr_narrative",
        "ocr_box",
    ];
    if reports.iter().all(|r| r.ocr.is_empty()) {
        let types = [
            DataType::Float64,
            DataType::Boolean,
            DataType::Boolean,
            DataType::String,
        ];
        return std::array::from_fn(|i| Column::full_null(names[i].into(), rows.len(), &types[i]));
    }
    let ocr = |r: &&CellRow| r.ocr(&reports[r.report()]);
    let flag = |f: fn(&CellOcr) -> bool| -> Vec<Option<bool>> {
        rows.iter().map(|r| ocr(r).map(|o| f(&o))).collect()
    };
    [
        of(
            names[0],
            rows.iter()
                .map(|r| ocr(r).map(|o| confidence(o.confidence)))
                .collect(),
        ),
        Column::new(names[1].into(), flag(|o| o.corrected)),
        Column::new(names[2].into(), flag(|o| o.narrative)),
        StringChunked::from_iter_options(
            names[3].into(),
            rows.iter().map(|r| ocr(r).and_then(|o| o.box_text())),
        )
        .into_column(),
    ]
}

/// The columns of the `cells` table, in order (the CSV writes the same).
pub fn cell_columns() -> Vec<&'static str> {
    row_level(&[
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
        "ocr_confidence",
        "ocr_corrected",
        "ocr_narrative",
        "ocr_box",
    ])
}

/// The columns of the `reports` table, in order.
pub fn report_columns() -> Vec<&'static str> {
    row_level(&[
        "tables_read",
        "errors",
        "warnings",
        "infos",
        "encoding",
        "city_government",
        "in_comparison",
    ])
}

/// The columns of the `findings` table, in order.
pub fn finding_columns() -> Vec<&'static str> {
    row_level(&["rule", "severity", "message", "message_zh", "cells"])
}

/// The columns of the `coverage` table, in order ([`coverage`]).
pub const COVERAGE_COLUMNS: [&str; 10] = [
    "city",
    "adcode",
    "level",
    "body",
    "year",
    "status",
    "status_label",
    "reason",
    "report_id",
    "url",
];

/// The `cells` table (columns [`cell_columns`]) for some of its rows: `value` (Int64) holds
/// counts; money is in `amount_fen` (Int64, exact) and `amount_10k_yuan` (Float64, the
/// nearest double to the exact amount); `unit` says which (`count`, `万元`, `unknown`);
/// `printed` is the text as published.
pub fn cells(rows: &[&CellRow], reports: &[ReportRow]) -> PolarsResult<DataFrame> {
    let mut c = identity_of(rows, reports, |r| r.report());
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
    c.extend(ocr_columns(rows, reports));
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
    let mut c = identity_of(rows, reports, |r| r.report);
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

/// The columns of a comparison table that identify and describe a row, before the metrics.
pub fn comparison_identity(scope: Scope) -> &'static [&'static str] {
    match scope {
        Scope::CityGovernments => &[
            "year",
            "city",
            "adcode",
            "status",
            "reason",
            "report_id",
            "body",
            "population",
        ],
        Scope::Departments => &[
            "year",
            "department",
            "city",
            "adcode",
            "report_id",
            "body",
            "population",
        ],
        Scope::Counties => &["year", "city", "adcode", "county", "report_id", "body"],
        Scope::CityTotals => &["year", "city", "adcode", "bodies", "population"],
    }
}

/// The columns of a comparison table after the metrics.
pub fn comparison_tail(scope: Scope) -> &'static [&'static str] {
    match scope {
        Scope::CityTotals => &["derived", "data_origin"],
        _ => &["derived", "data_origin", "source_url"],
    }
}

/// Whether a metric has its per-100,000 columns in a scope's table.
fn has_per_100k(metric: &Metric, scope: Scope) -> bool {
    metric.per_100k() && scope.has_population()
}

/// A metric's columns in a comparison table: its value, `<id>_per_100k` (where it asks for it
/// and the scope has a population), `<id>_rank`, and `<id>_per_100k_rank` with the second.
pub fn metric_columns(metric: &Metric, scope: Scope) -> Vec<String> {
    let id = metric.id();
    if has_per_100k(metric, scope) {
        vec![
            id.to_string(),
            format!("{id}_per_100k"),
            format!("{id}_rank"),
            format!("{id}_per_100k_rank"),
        ]
    } else {
        vec![id.to_string(), format!("{id}_rank")]
    }
}

/// Every column of a comparison table, in order.
pub fn comparison_columns(scope: Scope, metrics: &MetricSet) -> Vec<String> {
    let mut out: Vec<String> = comparison_identity(scope)
        .iter()
        .map(|s| s.to_string())
        .collect();
    for m in metrics.metrics() {
        out.extend(metric_columns(m, scope));
    }
    out.extend(comparison_tail(scope).iter().map(|s| s.to_string()));
    out
}

/// The `derived` text of a row: `<id>:T3-3` for each metric whose value used a total derived
/// by identity T3-3, space-separated; `None` when none did.
pub fn derived_text(row: &ComparisonRow, metrics: &MetricSet) -> Option<String> {
    let uses: Vec<String> = metrics
        .metrics()
        .iter()
        .zip(&row.derived)
        .filter(|(_, d)| **d)
        .map(|(m, _)| format!("{}:T3-3", m.id()))
        .collect();
    (!uses.is_empty()).then(|| uses.join(" "))
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// A column of the identity or the tail of a comparison table (see [`comparison_columns`]).
fn row_column(name: &str, rows: &[ComparisonRow], metrics: &MetricSet) -> Column {
    let text = |f: fn(&ComparisonRow) -> Option<&str>| opt_strs(name, rows.iter().map(f));
    match name {
        "year" => year(rows.iter().map(|r| Some(r.year))),
        "city" => strs(name, rows.iter().map(|r| r.city.as_str())),
        "adcode" => strs(name, rows.iter().map(|r| r.adcode.as_str())),
        "status" => strs(name, rows.iter().map(|r| r.status.as_str())),
        "reason" => text(|r| r.reason.as_deref()),
        "report_id" => text(|r| r.report_id.as_deref()),
        "body" => text(|r| r.body.as_deref()),
        "department" => text(|r| r.department.as_deref()),
        "county" => text(|r| r.county.as_deref()),
        "data_origin" => text(|r| non_empty(&r.data_origin)),
        "source_url" => text(|r| non_empty(&r.source_url)),
        "bodies" => oi(name, rows.iter().map(|r| r.bodies.map(i64::from)).collect()),
        "population" => oi(
            name,
            rows.iter()
                .map(|r| r.population.and_then(|p| i64::try_from(p).ok()))
                .collect(),
        ),
        "derived" => {
            let texts: Vec<Option<String>> =
                rows.iter().map(|r| derived_text(r, metrics)).collect();
            opt_strs(name, texts.iter().map(|t| t.as_deref()))
        }
        // Not reached: the names come from comparison_identity and comparison_tail.
        _ => opt_strs(name, rows.iter().map(|_| None)),
    }
}

/// A comparison table (`comparison`, `comparison_departments`, …; columns
/// [`comparison_columns`]): counts Int64, rates and other numbers Float64, ranks Int64.
pub fn comparison(
    rows: &[ComparisonRow],
    scope: Scope,
    metrics: &MetricSet,
) -> PolarsResult<DataFrame> {
    let mut c: Vec<Column> = comparison_identity(scope)
        .iter()
        .map(|n| row_column(n, rows, metrics))
        .collect();
    for (k, m) in metrics.metrics().iter().enumerate() {
        let values = rows.iter().map(|r| r.values.get(k).copied().flatten());
        if m.is_count() {
            c.push(oi(m.id(), values.map(count).collect()));
        } else {
            c.push(of(m.id(), values.collect()));
        }
        let ranks = |of_row: fn(&ComparisonRow) -> &[Option<u32>]| -> Vec<Option<i64>> {
            rows.iter()
                .map(|r| of_row(r).get(k).copied().flatten().map(i64::from))
                .collect()
        };
        let per_100k = has_per_100k(m, scope);
        if per_100k {
            c.push(of(
                &format!("{}_per_100k", m.id()),
                rows.iter()
                    .map(|r| r.per_100k.get(k).copied().flatten())
                    .collect(),
            ));
        }
        c.push(oi(&format!("{}_rank", m.id()), ranks(|r| &r.ranks)));
        if per_100k {
            c.push(oi(
                &format!("{}_per_100k_rank", m.id()),
                ranks(|r| &r.per_100k_ranks),
            ));
        }
    }
    c.extend(
        comparison_tail(scope)
            .iter()
            .map(|n| row_column(n, rows, metrics)),
    );
    frame(rows.len(), c)
}

/// The columns of a trends table after the scope's keys.
pub const TREND_COLUMNS: [&str; 15] = [
    "year",
    "metric",
    "metric_label",
    "unit",
    "count",
    "previous_count",
    "count_change",
    "rate",
    "previous_rate",
    "rate_change",
    "number",
    "previous_number",
    "number_change",
    "derived",
    "data_origin",
];

/// The keys of a trends table, in order (the comparison's keys, city first).
pub fn trend_keys(scope: Scope) -> &'static [&'static str] {
    match scope {
        Scope::CityGovernments | Scope::CityTotals => &["city", "adcode"],
        Scope::Departments => &["department", "city", "adcode"],
        Scope::Counties => &["city", "adcode", "county"],
    }
}

/// Every column of a trends table, in order.
pub fn trends_columns(scope: Scope) -> Vec<String> {
    trend_keys(scope)
        .iter()
        .chain(TREND_COLUMNS.iter())
        .map(|s| s.to_string())
        .collect()
}

/// A trends table (`trends`, `trends_city_totals`, …): the scope's keys, year, metric,
/// metric_label, `unit`, then the value, the previous year's value and the change in the
/// columns of the metric's unit — `count`, `previous_count`, `count_change` (Int64, counts),
/// `rate`, `previous_rate`, `rate_change` (Float64, fractions), `number`, `previous_number`,
/// `number_change` (Float64, numbers and 万元) — then `derived` (`T3-3` when this year's value
/// used a derived total) and data_origin.
pub fn trends(rows: &[TrendRow], scope: Scope, metrics: &MetricSet) -> PolarsResult<DataFrame> {
    let unit = |r: &TrendRow| {
        metrics
            .get(&r.metric)
            .map_or(MetricUnit::Number, |m| m.def.unit)
    };
    let counts = |f: fn(&TrendRow) -> Option<f64>| -> Vec<Option<i64>> {
        rows.iter()
            .map(|r| match unit(r) {
                MetricUnit::Count => count(f(r)),
                _ => None,
            })
            .collect()
    };
    let floats = |rate: bool, f: fn(&TrendRow) -> Option<f64>| -> Vec<Option<f64>> {
        rows.iter()
            .map(|r| match unit(r) {
                MetricUnit::Count => None,
                MetricUnit::Rate if rate => f(r),
                MetricUnit::Number | MetricUnit::TenThousandYuan if !rate => f(r),
                _ => None,
            })
            .collect()
    };
    let mut c: Vec<Column> = trend_keys(scope)
        .iter()
        .map(|&k| {
            let get: fn(&TrendRow) -> Option<&str> = match k {
                "city" => |r| Some(r.city.as_str()),
                "adcode" => |r| Some(r.adcode.as_str()),
                "department" => |r| r.department.as_deref(),
                _ => |r| r.county.as_deref(),
            };
            opt_strs(k, rows.iter().map(get))
        })
        .collect();
    c.extend([
        year(rows.iter().map(|r| Some(r.year))),
        strs("metric", rows.iter().map(|r| r.metric.as_str())),
        strs("metric_label", rows.iter().map(|r| r.metric_label.as_str())),
        strs("unit", rows.iter().map(|r| unit(r).as_str())),
        oi("count", counts(|r| r.value)),
        oi("previous_count", counts(|r| r.previous)),
        oi("count_change", counts(|r| r.change)),
        of("rate", floats(true, |r| r.value)),
        of("previous_rate", floats(true, |r| r.previous)),
        of("rate_change", floats(true, |r| r.change)),
        of("number", floats(false, |r| r.value)),
        of("previous_number", floats(false, |r| r.previous)),
        of("number_change", floats(false, |r| r.change)),
        opt_strs("derived", rows.iter().map(|r| r.derived.then_some("T3-3"))),
        opt_strs(
            "data_origin",
            rows.iter().map(|r| non_empty(&r.data_origin)),
        ),
    ]);
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
