//! [`Tables`] → the files of an output folder, all staged and committed together
//! ([`Staging`]): Parquet for polars/pandas/DuckDB (`cells/` hive-partitioned by year),
//! CSV for spreadsheets (written from the same DataFrames), and `nianbao.xlsx`.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::metrics::METRICS;
use super::{frames, Tables};
use crate::export::csv::{CsvEncoding, CsvSink, Field};
use crate::export::xlsx::{self, Sheet, XCell};
use crate::export::Staging;

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot build table {table}: {source}")]
    Frame {
        table: &'static str,
        source: PolarsError,
    },
    #[error("cannot write {path}: {source}")]
    Xlsx {
        path: PathBuf,
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
    pub files: Vec<String>,
}

/// Write every output into `out`, replacing the previous run's files only when all succeeded.
pub fn write_all(tables: &Tables, out: &Path, csv: CsvEncoding) -> Result<Written, OutputError> {
    let mut staging = Staging::new(out).map_err(io_err(out))?;
    let mut written = Written::default();

    // The cells table is by far the largest: one year partition at a time as a DataFrame, and
    // the CSV straight from the compact rows, so memory stays near one partition.
    let dir = staging.path("cells");
    write_cell_partitions(tables, &dir)?;
    let path = staging.path("cells.csv");
    write_cells_csv(tables, &path, csv)?;
    written.files.push("cells.csv".into());
    written.files.push("cells/year=*/part-0.parquet".into());
    let mut reports = frames::reports(&tables.reports).map_err(frame_err("reports"))?;
    let mut findings =
        frames::findings(&tables.findings, &tables.reports).map_err(frame_err("findings"))?;
    let mut comparison = frames::comparison(&tables.comparison).map_err(frame_err("comparison"))?;
    let mut trends = frames::trends(&tables.trends).map_err(frame_err("trends"))?;
    for (name, df) in [
        ("reports", &mut reports),
        ("findings", &mut findings),
        ("comparison", &mut comparison),
        ("trends", &mut trends),
    ] {
        let path = staging.path(&format!("{name}.parquet"));
        frames::write_parquet(df, &path).map_err(frame_err(table_name(name)))?;
        written.files.push(format!("{name}.parquet"));
    }
    for (name, df) in [
        ("reports", &mut reports),
        ("findings", &mut findings),
        ("trends", &mut trends),
    ] {
        let path = staging.path(&format!("{name}.csv"));
        write_csv(df, &path, csv)?;
        written.files.push(format!("{name}.csv"));
    }
    let years: BTreeSet<i32> = tables.comparison.iter().map(|r| r.year).collect();
    for year in &years {
        let mask: BooleanChunked = tables.comparison.iter().map(|r| r.year == *year).collect();
        let mut part = comparison.filter(&mask).map_err(frame_err("comparison"))?;
        let name = format!("comparison_{year}.csv");
        let path = staging.path(&name);
        write_csv(&mut part, &path, csv)?;
        written.files.push(name);
    }
    let path = staging.path("nianbao.xlsx");
    xlsx::write_workbook(&path, &sheets(tables, &years)).map_err(|source| OutputError::Xlsx {
        path: path.clone(),
        source,
    })?;
    written.files.push("nianbao.xlsx".into());
    staging.commit().map_err(io_err(out))?;
    Ok(written)
}

fn table_name(name: &str) -> &'static str {
    match name {
        "reports" => "reports",
        "findings" => "findings",
        "comparison" => "comparison",
        _ => "trends",
    }
}

fn write_cell_partitions(tables: &Tables, dir: &Path) -> Result<(), OutputError> {
    let year_of = |c: &super::CellRow| tables.reports[c.report()].year;
    let mut years: Vec<Option<i32>> = tables.cells.iter().map(year_of).collect();
    years.sort_unstable();
    years.dedup();
    for year in years {
        let rows: Vec<super::CellRow> = tables
            .cells
            .iter()
            .filter(|c| year_of(c) == year)
            .cloned()
            .collect();
        let df = frames::cells(&rows, &tables.reports).map_err(frame_err("cells"))?;
        frames::write_partition(df, year, dir).map_err(frame_err("cells"))?;
    }
    Ok(())
}

/// `cells.csv` with the columns of [`frames::cells`], written row by row from the compact cells.
fn write_cells_csv(tables: &Tables, path: &Path, enc: CsvEncoding) -> Result<(), OutputError> {
    let file = File::create(path).map_err(io_err(path))?;
    let mut sink =
        CsvSink::new(BufWriter::new(file), enc, &frames::CELL_COLUMNS).map_err(io_err(path))?;
    let opt = |s: &Option<String>| s.as_deref().map_or(Field::Null, Field::text);
    for c in &tables.cells {
        let r = &tables.reports[c.report()];
        let d = c.def();
        let m = &r.meta;
        let row = [
            Field::text(m.city.as_str()),
            Field::text(m.adcode.as_str()),
            opt(&r.body),
            r.year.map_or(Field::Null, |y| Field::Int(i64::from(y))),
            opt(&r.template),
            Field::text(d.table),
            Field::text(d.row),
            Field::text(d.column),
            Field::opt_float(c.value),
            Field::text(d.row_label),
            Field::text(d.column_label),
            opt(&c.source_cell()),
            Field::text(m.data_origin.as_str()),
            Field::text(m.url.as_str()),
            Field::text(m.warc_record_id.as_str()),
            Field::text(m.sha256.as_str()),
            Field::text(m.fetch_time.as_str()),
        ];
        sink.row(&row).map_err(io_err(path))?;
    }
    sink.finish().map_err(io_err(path))?;
    Ok(())
}

/// A DataFrame as CSV, column by column in its own order, values typed by the column's dtype.
fn write_csv(df: &mut DataFrame, path: &Path, enc: CsvEncoding) -> Result<(), OutputError> {
    let file = File::create(path).map_err(io_err(path))?;
    let header: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut sink = CsvSink::new(BufWriter::new(file), enc, &header_refs).map_err(io_err(path))?;
    let df = df.rechunk_mut_par();
    let columns = df.columns();
    let mut row = Vec::with_capacity(columns.len());
    for i in 0..df.height() {
        row.clear();
        for c in columns {
            row.push(field_at(c, i));
        }
        sink.row(&row).map_err(io_err(path))?;
    }
    sink.finish().map_err(io_err(path))?;
    Ok(())
}

fn field_at(c: &Column, i: usize) -> Field {
    match c.get(i) {
        Ok(AnyValue::Null) | Err(_) => Field::Null,
        Ok(AnyValue::String(s)) => Field::text(s),
        Ok(AnyValue::StringOwned(s)) => Field::text(s.as_str()),
        Ok(AnyValue::Float64(v)) => Field::Float(v),
        Ok(AnyValue::Int32(v)) => Field::Int(i64::from(v)),
        Ok(AnyValue::UInt32(v)) => Field::Int(i64::from(v)),
        Ok(AnyValue::UInt64(v)) => i64::try_from(v).map_or(Field::Float(v as f64), Field::Int),
        Ok(AnyValue::Boolean(b)) => Field::text(if b { "true" } else { "false" }),
        Ok(other) => Field::text(other.to_string()),
    }
}

fn text(s: &str) -> XCell {
    XCell::Text(s.to_string())
}

fn opt(v: Option<f64>, percent: bool) -> XCell {
    match v {
        Some(v) if percent => XCell::Percent(v),
        Some(v) => XCell::Number(v),
        None => XCell::Empty,
    }
}

/// The workbook: one comparison sheet per year (Chinese labels), trends, findings.
fn sheets(tables: &Tables, years: &BTreeSet<i32>) -> Vec<Sheet> {
    let mut out = Vec::new();
    for year in years.iter().rev() {
        let mut header: Vec<String> = ["城市", "行政区划代码", "发布机关", "常住人口(2020)"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for m in &METRICS {
            header.push(m.label.to_string());
            if !m.is_rate {
                header.push(format!("{}(每10万人)", m.label));
            }
            header.push(format!("{}排名", m.label));
        }
        header.extend(["数据来源".to_string(), "来源网址".to_string()]);
        let rows = tables
            .comparison
            .iter()
            .filter(|r| r.year == *year)
            .map(|r| {
                let mut row = vec![
                    text(&r.city),
                    text(&r.adcode),
                    r.body.as_deref().map_or(XCell::Empty, text),
                ];
                row.push(
                    r.population
                        .map_or(XCell::Empty, |p| XCell::Number(p as f64)),
                );
                for (k, m) in METRICS.iter().enumerate() {
                    row.push(opt(r.values[k], m.is_rate));
                    if !m.is_rate {
                        row.push(opt(r.per_100k[k], false));
                    }
                    row.push(opt(r.ranks.get(k).copied().flatten().map(f64::from), false));
                }
                row.extend([text(&r.data_origin), text(&r.source_url)]);
                row
            })
            .collect();
        out.push(Sheet {
            name: format!("对比{year}"),
            header,
            rows,
        });
    }
    let header = [
        "城市",
        "行政区划代码",
        "年度",
        "指标",
        "指标名称",
        "本年",
        "上年",
        "变化",
        "数据来源",
    ];
    let rows = tables
        .trends
        .iter()
        .map(|t| {
            let rate = METRICS.iter().any(|m| m.key == t.metric && m.is_rate);
            vec![
                text(&t.city),
                text(&t.adcode),
                XCell::Number(f64::from(t.year)),
                text(t.metric),
                text(t.metric_label),
                opt(t.value, rate),
                opt(t.previous, rate),
                opt(t.change, rate),
                text(&t.data_origin),
            ]
        })
        .collect();
    out.push(Sheet {
        name: "趋势".into(),
        header: header.iter().map(|s| s.to_string()).collect(),
        rows,
    });
    let header = [
        "城市",
        "发布机关",
        "年度",
        "规则",
        "级别",
        "说明",
        "单元格",
        "来源网址",
        "数据来源",
    ];
    let rows = tables
        .findings
        .iter()
        .map(|f| {
            let r = &tables.reports[f.report];
            vec![
                text(&r.meta.city),
                r.body.as_deref().map_or(XCell::Empty, text),
                r.year.map_or(XCell::Empty, |y| XCell::Number(f64::from(y))),
                text(&f.finding.rule),
                text(f.finding.severity.as_str()),
                text(&f.finding.message),
                text(&f.finding.cells.join(" ")),
                text(&r.meta.url),
                text(&r.meta.data_origin),
            ]
        })
        .collect();
    out.push(Sheet {
        name: "问题".into(),
        header: header.iter().map(|s| s.to_string()).collect(),
        rows,
    });
    out
}
