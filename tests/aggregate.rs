//! The aggregation stage and its files: CSV for spreadsheets (BOM, formula neutralisation,
//! byte-identical reruns), Parquet read back by polars, XLSX read back by calamine, and the
//! findings of a deliberate break.

use std::path::Path;

use nianbao_tables::aggregate::{aggregate, output, City, Input, Options, SourceMeta, Tables};
use nianbao_tables::export::csv::CsvEncoding;

use crate::util::root;

/// The parse fixtures as if harvested: one city per fixture, plus a byte-identical copy of one
/// of them at a second URL, and a city whose name a spreadsheet would run as a formula.
fn inputs() -> Vec<Input> {
    let dir = root().join("tests/fixtures/parse");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".html") || n.ends_with(".txt"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let bytes = std::fs::read(dir.join(name)).expect("fixture");
        let report = nianbao_parser::parse_bytes(&bytes, name, None).expect("parse");
        let city = if name.starts_with("pipe-lines") {
            "=HYPERLINK(\"http://x\")".to_string()
        } else {
            format!("城市{i}")
        };
        let meta = SourceMeta {
            city,
            adcode: format!("4501{i:02}"),
            report_id: format!("r{i}"),
            url: format!("http://127.0.0.1/{name}"),
            warc_record_id: format!("<urn:uuid:{i}>"),
            sha256: format!("{:x}", bytes.len() * 7919 + i),
            fetch_time: "2025-02-01T00:00:00Z".into(),
            data_origin: "synthetic-demo".into(),
            ..SourceMeta::default()
        };
        if name.starts_with("gbk-undeclared") {
            let mut copy = meta.clone();
            copy.url.push_str("?copy");
            out.push(Input::new(copy, report.clone()));
        }
        out.push(Input::new(meta, report));
    }
    out
}

fn cities() -> Vec<City> {
    (0..20)
        .map(|i| City {
            name: format!("城市{i}"),
            adcode: format!("4501{i:02}"),
            population: Some(1_000_000 + i * 1000),
            population_source: Some("第七次全国人口普查公报（测试）".into()),
        })
        .collect()
}

pub(crate) fn run(out: &Path) -> Tables {
    let tables = aggregate(inputs(), &cities(), &Options::default()).expect("aggregate");
    output::write_all(&tables, out, CsvEncoding::Utf8Bom).expect("write outputs");
    tables
}

#[test]
fn copies_are_dropped_and_every_table_is_filled() {
    let tmp = tempfile::tempdir().expect("tmp");
    let t = run(tmp.path());
    assert_eq!(t.duplicates, 1, "the copy at a second URL is dropped");
    assert!(t.reports.len() >= 10);
    assert!(t.cells.len() > 1000);
    assert!(!t.comparison.is_empty() && !t.trends.is_empty());
    assert!(t.findings.iter().any(|f| f.finding.rule == "T3-1"
        && f.finding.severity == nianbao_model::report::Severity::Error));
}

#[test]
fn csv_files_have_a_bom_round_trip_and_neutralise_formulas() {
    let tmp = tempfile::tempdir().expect("tmp");
    let t = run(tmp.path());
    let bytes = std::fs::read(tmp.path().join("cells.csv")).expect("cells.csv");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM for Excel");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header = reader.headers().expect("header").clone();
    let value_col = header
        .iter()
        .position(|h| h == "value")
        .expect("value column");
    let city_col = header
        .iter()
        .position(|h| h == "city")
        .expect("city column");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), t.cells.len());
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (unit_col, fen_col) = (col("unit"), col("amount_fen"));
    for (row, cell) in rows.iter().zip(&t.cells) {
        let want = cell.count().map(|v| v.to_string()).unwrap_or_default();
        assert_eq!(
            &row[value_col], want,
            "counts round-trip as integers, blanks stay blank"
        );
        assert_eq!(&row[unit_col], cell.unit().as_str());
        let fen = cell.amount_fen().map(|v| v.to_string()).unwrap_or_default();
        assert_eq!(&row[fen_col], fen, "amounts in 分 round-trip");
    }
    assert!(
        rows.iter()
            .any(|r| &r[city_col] == "'=HYPERLINK(\"http://x\")"),
        "formula-like text is neutralised"
    );
    assert!(!rows.iter().any(|r| r[city_col].starts_with('=')));
}

#[test]
fn two_runs_write_byte_identical_files() {
    let (a, b) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    run(a.path());
    run(b.path());
    let mut compared = 0;
    for entry in std::fs::read_dir(a.path()).expect("ls").flatten() {
        let name = entry.file_name();
        if entry.path().is_file() {
            let (x, y) = (
                std::fs::read(entry.path()).expect("a"),
                std::fs::read(b.path().join(&name)).expect("b"),
            );
            assert!(
                x == y,
                "{} differs between two runs",
                name.to_string_lossy()
            );
            compared += 1;
        }
    }
    assert!(compared >= 10, "compared only {compared} files");
}

#[test]
fn parquet_reads_back_with_polars_and_is_hive_partitioned() {
    use polars::prelude::*;
    let tmp = tempfile::tempdir().expect("tmp");
    let t = run(tmp.path());
    let file =
        std::fs::File::open(tmp.path().join("comparison.parquet")).expect("comparison.parquet");
    let df = ParquetReader::new(file).finish().expect("read parquet");
    assert_eq!(df.height(), t.comparison.len());
    assert!(df.column("disclosure_rate_rank").is_ok());
    let part = tmp.path().join("cells/year=2021/part-0.parquet");
    let df = ParquetReader::new(std::fs::File::open(&part).expect("partition"))
        .finish()
        .expect("read");
    let want = t
        .cells
        .iter()
        .filter(|c| t.reports[c.report()].year == Some(2021))
        .count();
    assert_eq!(df.height(), want);
    assert!(
        df.column("year").is_err(),
        "the partition key lives in the folder name"
    );
}

#[test]
fn xlsx_reads_back_with_the_same_numbers() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let tmp = tempfile::tempdir().expect("tmp");
    let t = run(tmp.path());
    let mut wb: Xlsx<_> = open_workbook(tmp.path().join("nianbao.xlsx")).expect("open xlsx");
    let year = t.comparison.iter().map(|r| r.year).max().expect("a year");
    let range = wb
        .worksheet_range(&format!("对比{year}"))
        .expect("comparison sheet");
    let header: Vec<String> = range
        .rows()
        .next()
        .expect("header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    let col = header
        .iter()
        .position(|h| h == "本年新收申请")
        .expect("applications column");
    let mut got: Vec<f64> = range
        .rows()
        .skip(1)
        .filter_map(|r| match &r[col] {
            Data::Float(f) => Some(*f),
            _ => None,
        })
        .collect();
    let mut want: Vec<f64> = t
        .comparison
        .iter()
        .filter(|r| r.year == year)
        .filter_map(|r| r.values[0])
        .collect();
    got.sort_by(f64::total_cmp);
    want.sort_by(f64::total_cmp);
    assert!(!want.is_empty());
    assert_eq!(got, want);
    assert!(wb.sheet_names().iter().any(|n| n == "问题"));
    for sheet in ["部门对比", "县区对比", "全市合计", "趋势", "全市合计趋势"] {
        assert!(wb.sheet_names().iter().any(|n| n == sheet), "{sheet}");
    }
    // 说明: a row per metric with its formula and rank direction, then the rules.
    let notes = wb.worksheet_range("说明").expect("说明");
    let rows: Vec<Vec<String>> = notes
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0][4], "公式");
    for m in t.metrics.metrics() {
        let row = rows
            .iter()
            .find(|r| r[1] == m.id())
            .expect("a row per metric");
        assert_eq!(row[4], m.def.formula);
        let best = if m.def.higher_is_better {
            "最高值"
        } else {
            "最低值"
        };
        assert_eq!(row[6], best, "{}", m.id());
    }
    assert!(rows.iter().any(|r| r[1] == "T3-3"));
}

/// Every Parquet file of a run, read back: `year` Int64 in every table that stores it, every
/// count Int64 (never Float64), amounts in 分 Int64, `printed` beside the value, and no table
/// that names Arrow's `string_view` (which pandas with pyarrow < 15 cannot read).
#[test]
fn parquet_files_have_one_year_type_integer_counts_and_plain_strings() {
    use polars::prelude::*;
    let tmp = tempfile::tempdir().expect("tmp");
    let t = run(tmp.path());
    let mut files = Vec::new();
    let mut stack = vec![tmp.path().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("ls").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "parquet") {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 6, "{files:?}");
    let int_columns = [
        "year",
        "value",
        "amount_fen",
        "errors",
        "warnings",
        "infos",
        "population",
        "applications",
        "count",
        "previous_count",
        "count_change",
        "bodies",
    ];
    for path in &files {
        let mut file = std::fs::File::open(path).expect("open");
        let df = ParquetReader::new(&mut file).finish().expect("parquet");
        for c in df.columns() {
            let name = c.name().as_str();
            if int_columns.contains(&name) || name.ends_with("_rank") {
                assert_eq!(c.dtype(), &DataType::Int64, "{}: {name}", path.display());
            }
        }
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name == "part-0.parquet" {
            assert_eq!(df.column("value").expect("value").dtype(), &DataType::Int64);
            assert!(df.column("printed").is_ok() && df.column("unit").is_ok());
        } else {
            assert_eq!(
                df.column("year").expect("year").dtype(),
                &DataType::Int64,
                "{}",
                path.display()
            );
        }
        // The Arrow schema stored in the footer is what pyarrow reads: no view type in it.
        let schema = nianbao_tables::aggregate::frames::stored_arrow_schema(path)
            .expect("read footer")
            .expect("ARROW:schema");
        assert!(
            !schema
                .iter_values()
                .any(|f| matches!(f.dtype, ArrowDataType::Utf8View | ArrowDataType::BinaryView)),
            "{}: {schema:?}",
            path.display()
        );
    }
    assert!(t.cells.iter().any(|c| c.count().is_some()));
}

/// The Parquet files read with an old pyarrow (`NIANBAO_PYARROW_PYTHON`, which `.ci/run` points
/// at a pyarrow 12 venv; else `python3`): `tools/parquet_compat.py` checks the types and skips
/// cleanly (exit 0) when pyarrow is not installed.
#[test]
fn parquet_files_read_with_the_installed_pyarrow() {
    let tmp = tempfile::tempdir().expect("tmp");
    run(tmp.path());
    let python = std::env::var("NIANBAO_PYARROW_PYTHON").unwrap_or_else(|_| "python3".into());
    let Ok(out) = std::process::Command::new(&python)
        .arg(root().join("tools/parquet_compat.py"))
        .arg(tmp.path())
        .output()
    else {
        eprintln!("skipped: {python} not found");
        return;
    };
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    eprintln!("{text}");
    assert!(out.status.success(), "{text}");
}

/// Every table written has exactly the columns, in the order and of the types, that the data
/// dictionary (docs/data-dictionary.md) lists for it.
#[test]
fn every_written_table_has_the_columns_of_the_data_dictionary() {
    use nianbao_tables::aggregate::metrics::MetricSet;
    use nianbao_tables::dictionary;
    use polars::prelude::*;
    let tmp = tempfile::tempdir().expect("tmp");
    run(tmp.path());
    let metrics = MetricSet::builtin();
    let mut checked = 0;
    for stem in dictionary::table_stems() {
        let path = if stem == "cells" {
            tmp.path().join("cells/year=2021/part-0.parquet")
        } else {
            tmp.path().join(format!("{stem}.parquet"))
        };
        let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{stem}: {e}"));
        let df = ParquetReader::new(file).finish().expect("parquet");
        let got: Vec<(String, String)> = df
            .columns()
            .iter()
            .map(|c| (c.name().to_string(), c.dtype().to_string()))
            .collect();
        let mut want: Vec<(String, String)> = dictionary::columns(stem, &metrics)
            .expect("a table of the dictionary")
            .into_iter()
            .map(|c| {
                let dtype = match c.dtype {
                    "Int64" => "i64",
                    "Float64" => "f64",
                    "Boolean" => "bool",
                    _ => "str",
                };
                (c.name, dtype.to_string())
            })
            .collect();
        if stem == "cells" {
            // The year of a cell is the hive folder's name, not a column of the file.
            want.retain(|(n, _)| n != "year");
        }
        assert_eq!(got, want, "{stem}");
        checked += 1;
    }
    assert_eq!(checked, 12);
}
