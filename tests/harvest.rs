//! The README's first command, end to end: `nianbao harvest --replay data/demo --out DIR` on
//! the bundled demo archive, offline. Guigang 2021 carries its published figures; every other
//! figure is synthetic and labelled so; deliberate breaks show up in findings; the reports
//! published as PDF or DOCX attachments are read from them (and say so in `source_url`), a page
//! that also links its PDF gives no disagreement, a scan is named, not guessed; outputs read
//! back in polars and calamine; a rerun writes byte-identical CSV files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use nianbao_model::template::{T3_COLUMNS, T3_TOTAL_COL};
use serde_json::Value;

use crate::util::{bin, describe, read_json, root, run};

pub(crate) fn harvest(out: &Path) {
    harvest_with(out, &[]);
}

/// The demo harvested into `out` with more options.
fn harvest_with(out: &Path, options: &[&str]) {
    let demo = root().join("data/demo");
    let out_arg = out.to_path_buf();
    let o = run(bin()
        .current_dir(root())
        .args(["harvest", "--replay"])
        .arg(&demo)
        .arg("--out")
        .arg(&out_arg)
        .arg("--quiet")
        .args(options));
    assert!(
        o.status.success(),
        "harvest --replay failed\n{}",
        describe(&o)
    );
}

pub(crate) fn csv_rows(path: &Path) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "{} has a UTF-8 BOM",
        path.display()
    );
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    let header = r.headers().expect("header").clone();
    let rows = r.records().map(|x| x.expect("a CSV row")).collect();
    (header, rows)
}

/// The number a `cells.csv` row compares with a report's expected figures: a count's `value`;
/// 收费金额's `amount_10k_yuan` (万元, as the expected figures); 采购总金额's number as printed
/// (the expected figures keep its printed unit, which `unit` = `unknown` leaves unconverted).
/// Also checks that a 采购总金额 printed in 元 is in `amount_10k_yuan` as exactly 10⁻⁴ of it.
fn cell_value(h: &csv::StringRecord, r: &csv::StringRecord) -> String {
    let get = |name: &str| r[col(h, name)].to_string();
    match get("unit").as_str() {
        "count" => get("value"),
        _ if get("row") == "procurement" => {
            let printed = get("printed");
            let digits: String = printed
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
                .collect();
            if printed.ends_with('元') && !printed.ends_with("万元") {
                let amount: f64 = get("amount_10k_yuan").parse().expect("an amount");
                let yuan: f64 = digits.parse().expect("printed digits");
                assert_eq!(amount, yuan / 1e4, "{printed} in 万元");
            }
            digits
        }
        _ => get("amount_10k_yuan"),
    }
}

pub(crate) fn col(header: &csv::StringRecord, name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// The published Guigang 2021 figures: the shared corpus when present, else the project's copy.
fn guigang_expected() -> Value {
    let shared = root().join("../shared/corpus/seed/guigang-2021.expected.json");
    let own = root().join("tools/demo/guigang-2021.figures.json");
    read_json(if shared.exists() { &shared } else { &own })
}

pub(crate) fn out_dir() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    (tmp, out)
}

#[test]
fn the_demo_harvest_gives_guigang_2021_as_published_and_labels_the_rest_synthetic() {
    let (_tmp, out) = out_dir();
    harvest(&out);
    let (h, rows) = csv_rows(&out.join("cells.csv"));
    let (city, year, table, row, column, origin) = (
        col(&h, "city"),
        col(&h, "year"),
        col(&h, "table"),
        col(&h, "row"),
        col(&h, "column"),
        col(&h, "data_origin"),
    );
    let mut got: BTreeMap<(String, String, String), String> = BTreeMap::new();
    for r in &rows {
        if &r[city] == "贵港市" && &r[year] == "2021" {
            assert_eq!(&r[origin], "published");
            got.insert(
                (
                    r[table].to_string(),
                    r[row].to_string(),
                    r[column].to_string(),
                ),
                cell_value(&h, r),
            );
        } else {
            assert_eq!(
                &r[origin], "synthetic-demo",
                "every other figure is labelled synthetic"
            );
        }
    }
    let compared = assert_cells_equal(&got, &guigang_expected(), "贵港市 2021");
    assert!(compared >= 175 + 15 + 10, "compared {compared} cells");
}

/// (table, row, column) → the printed `value` of the `cells` rows of one report.
type Cells = BTreeMap<(String, String, String), String>;

/// Every cell of tables 二/三/四 of `want` (schema.md objects) equals the `cells` value (null
/// as an empty field). Returns the number of cells compared.
fn assert_cells_equal(got: &Cells, want: &Value, report: &str) -> usize {
    let mut compared = 0;
    for table in ["table2", "table3", "table4"] {
        for (row_key, cols) in want[table].as_object().expect("table") {
            for (col_key, v) in cols.as_object().expect("row") {
                let g = got
                    .get(&(table.to_string(), row_key.clone(), col_key.clone()))
                    .unwrap_or_else(|| panic!("{report}: no cell {table}.{row_key}.{col_key}"));
                let g: Option<f64> = if g.is_empty() { None } else { g.parse().ok() };
                assert_eq!(g, v.as_f64(), "{report}: {table}.{row_key}.{col_key}");
                compared += 1;
            }
        }
    }
    compared
}

/// The demo reports published with attachments that `keep` selects, with the figures they
/// print (`data/demo/attachment_reports.json`, written by `tools/demo/record.sh` from the
/// generator's manifest).
fn attachment_reports(keep: impl Fn(&Value) -> bool) -> Vec<Value> {
    let v = read_json(&root().join("data/demo/attachment_reports.json"));
    let all = v["reports"].as_array().expect("reports");
    all.iter().filter(|r| keep(r)).cloned().collect()
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is a string in {v}"))
}

/// A harvest's `cells` rows of one report (city, year, body), with their source URLs and data
/// origins.
fn report_cells(out: &Path, report: &Value) -> (Cells, Vec<String>, Vec<String>) {
    let (h, rows) = csv_rows(&out.join("cells.csv"));
    let (city, year, body) = (col(&h, "city"), col(&h, "year"), col(&h, "body"));
    let (table, row, column) = (col(&h, "table"), col(&h, "row"), col(&h, "column"));
    let (url, origin) = (col(&h, "source_url"), col(&h, "data_origin"));
    let year_text = report["year"].to_string();
    let mut cells = Cells::new();
    let (mut urls, mut origins) = (Vec::new(), Vec::new());
    for r in rows.iter().filter(|r| {
        &r[city] == text(report, "city")
            && r[year] == *year_text
            && &r[body] == text(report, "body")
    }) {
        cells.insert(
            (r[table].into(), r[row].into(), r[column].into()),
            cell_value(&h, r),
        );
        urls.push(r[url].to_string());
        origins.push(r[origin].to_string());
    }
    (cells, urls, origins)
}

/// The `findings` rules of one report (city, year, body).
fn report_rules(out: &Path, report: &Value) -> Vec<(String, String, String)> {
    let (h, rows) = csv_rows(&out.join("findings.csv"));
    let (city, year, body) = (col(&h, "city"), col(&h, "year"), col(&h, "body"));
    let (rule, severity, message) = (col(&h, "rule"), col(&h, "severity"), col(&h, "message"));
    let year_text = report["year"].to_string();
    rows.iter()
        .filter(|r| {
            &r[city] == text(report, "city")
                && r[year] == *year_text
                && &r[body] == text(report, "body")
        })
        .map(|r| (r[rule].into(), r[severity].into(), r[message].into()))
        .collect()
}

#[test]
fn the_demo_reports_published_only_as_an_attachment_are_read_from_it() {
    let (_tmp, out) = out_dir();
    harvest(&out);
    let mut forms = Vec::new();
    let reports =
        attachment_reports(|r| r["kind"] == "city" && r["publication"] == "attachment-only");
    for report in &reports {
        let name = format!("{} {}", text(report, "city"), report["year"]);
        let attachment = &report["attachments"][0];
        let (cells, urls, origins) = report_cells(&out, report);
        let compared = assert_cells_equal(&cells, &report["expected"], &name);
        assert!(compared >= 15 + 26 * 7, "{name}: compared {compared} cells");
        assert!(
            urls.iter().all(|u| u.ends_with(text(attachment, "path"))),
            "{name}: every cell names the attachment {} as its source, not {:?}",
            attachment["path"],
            urls.first()
        );
        assert!(origins.iter().all(|o| o == "synthetic-demo"), "{name}");
        forms.push(text(attachment, "form").to_string());
    }
    forms.sort();
    forms.dedup();
    assert_eq!(
        forms,
        [
            "doc",
            "docx",
            "ofd",
            "pdf-ruled",
            "pdf-unruled",
            "wps",
            "xlsx"
        ]
    );
}

#[test]
fn a_demo_page_that_prints_its_tables_and_links_the_same_pdf_gives_no_disagreement() {
    let (_tmp, out) = out_dir();
    harvest(&out);
    let both = attachment_reports(|r| r["publication"] == "page+attachment");
    assert!(!both.is_empty(), "the demo has a page + PDF report");
    for report in &both {
        let name = format!("{} {}", text(report, "city"), report["year"]);
        let rules = report_rules(&out, report);
        assert!(
            !rules.iter().any(|(r, ..)| r.starts_with("P-SOURCE")),
            "{name}: the page's own tables are kept and agree with the PDF: {rules:?}"
        );
        let (cells, urls, origins) = report_cells(&out, report);
        assert_cells_equal(&cells, &report["expected"], &name);
        assert!(urls.iter().all(|u| u.ends_with(text(report, "page_path"))));
        assert!(origins.iter().all(|o| o == "synthetic-demo"), "{name}");
    }
}

#[test]
fn a_demo_report_published_only_as_a_scan_is_named_unreadable() {
    let (_tmp, out) = out_dir();
    harvest(&out);
    let scans = attachment_reports(|r| r["attachments"][0]["form"] == "pdf-scan");
    assert_eq!(scans.len(), 1, "one scan, a department report");
    let report = &scans[0];
    assert_eq!(
        report["kind"], "department",
        "not a report the comparison needs"
    );
    let rules = report_rules(&out, report);
    let path = text(&report["attachments"][0], "path");
    assert!(
        rules.iter().any(|(r, s, m)| r == "P-SCAN"
            && s == "warning"
            && m.contains(path)
            && m.contains("no text layer")),
        "the scan is named: {rules:?}"
    );
    let (cells, ..) = report_cells(&out, report);
    assert!(cells.is_empty(), "no figure is guessed from a scan");
    // The coverage table says what became of it: a scan, which needs OCR.
    let (h, rows) = csv_rows(&out.join("coverage.csv"));
    let (status, url, level) = (col(&h, "status"), col(&h, "url"), col(&h, "level"));
    let page = text(report, "page_path");
    let row = rows
        .iter()
        .find(|r| r[url].ends_with(page))
        .unwrap_or_else(|| panic!("a coverage row for {page}"));
    assert_eq!(&row[status], "scan");
    assert_eq!(&row[level], "市直部门");
}

/// Every report page of the demo (not the copy; the notice too) with the level, department and county the generator
/// states for it (`data/demo/expected_reports.json`, written by `tools/demo/record.sh` from the
/// generator's manifest).
fn expected_reports() -> Vec<Value> {
    let v = read_json(&root().join("data/demo/expected_reports.json"));
    v["reports"].as_array().expect("reports").clone()
}

/// A report's (city, year, body) as `reports.csv` and `cells.csv` print them (blank when null).
fn report_key(v: &Value) -> (String, String, String) {
    let year = v["year"]
        .as_i64()
        .map_or_else(String::new, |y| y.to_string());
    let body = v["body"].as_str().unwrap_or_default().to_string();
    (text(v, "city").to_string(), year, body)
}

/// `v[key]` as a CSV prints it: the string, or blank for null.
fn or_blank<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_default()
}

#[test]
fn every_demo_report_lands_with_its_level_department_and_county() {
    let (_tmp, out) = out_dir();
    harvest(&out);
    let expected = expected_reports();
    let (h, rows) = csv_rows(&out.join("reports.csv"));
    let (city, year, body) = (col(&h, "city"), col(&h, "year"), col(&h, "body"));
    let (level, department, county) = (col(&h, "level"), col(&h, "department"), col(&h, "county"));
    let mut by_key = BTreeMap::new();
    for r in &rows {
        let key = (
            r[city].to_string(),
            r[year].to_string(),
            r[body].to_string(),
        );
        assert!(
            by_key.insert(key.clone(), r).is_none(),
            "two reports rows for {key:?}"
        );
    }
    for e in &expected {
        let key = report_key(e);
        let row = by_key
            .get(&key)
            .unwrap_or_else(|| panic!("no reports row for {key:?}"));
        assert_eq!(
            (&row[level], &row[department], &row[county]),
            (
                text(e, "level"),
                or_blank(e, "department"),
                or_blank(e, "county")
            ),
            "{key:?} ({})",
            text(e, "kind")
        );
    }
    assert_eq!(
        rows.len(),
        expected.len(),
        "one row per report, the copy dropped"
    );

    // The archive holds what the generator wrote: per level, and like bodies in every city.
    let mut per_level: BTreeMap<&str, usize> = BTreeMap::new();
    let mut like: BTreeMap<(&str, &str, i64), usize> = BTreeMap::new();
    for e in &expected {
        *per_level.entry(text(e, "level")).or_default() += 1;
        if e["kind"] != "city" {
            let what = e["department"].as_str().unwrap_or("县区政府");
            *like
                .entry((text(e, "level"), what, e["year"].as_i64().unwrap_or(0)))
                .or_default() += 1;
        }
    }
    let cities = 14;
    assert_eq!(
        per_level,
        BTreeMap::from([
            ("市政府本级", cities * 6),
            // 自然资源局, 公安局, 财政局 of every city in 2022 and 2023, and the base demo's
            // 柳州市教育局 and 梧州市审计局 of 2023.
            ("市直部门", cities * 3 * 2 + 2),
            ("县区政府", cities * 2 * 2),
            ("县区部门", 2),
            ("其他", 1),
        ]),
        "reports per level"
    );
    for kind in ["自然资源局", "公安局", "财政局"] {
        for year in [2022, 2023] {
            assert_eq!(
                like[&("市直部门", kind, year)],
                cities,
                "{kind} {year}: one per city"
            );
        }
    }
    for year in [2022, 2023] {
        assert_eq!(
            like[&("县区政府", "县区政府", year)],
            cities * 2,
            "two counties a city"
        );
    }
}

#[test]
fn the_demo_departments_and_counties_chain_cleanly_and_print_blank_totals_as_null() {
    let (_tmp, out) = out_dir();
    harvest(&out);
    let expected = expected_reports();
    // No error or warning on a department's or a county's report (T3-1…T3-5, T4-1 and the
    // table 二 carry-over between 2022 and 2023 hold), except the scan's, which has no tables.
    let clean: Vec<_> = expected
        .iter()
        .filter(|e| e["level"] != "市政府本级" && e["level"] != "其他")
        .filter(|e| e["form"] != "scan-attachment")
        .map(report_key)
        .collect();
    assert_eq!(
        clean.len(),
        expected.len() - 14 * 6 - 2,
        "every report but the city governments', the scan and the notice"
    );
    let (h, rows) = csv_rows(&out.join("findings.csv"));
    let (severity, rule) = (col(&h, "severity"), col(&h, "rule"));
    let (city, year, body) = (col(&h, "city"), col(&h, "year"), col(&h, "body"));
    for r in rows.iter().filter(|r| &r[severity] != "info") {
        let key = (
            r[city].to_string(),
            r[year].to_string(),
            r[body].to_string(),
        );
        assert!(
            !clean.contains(&key),
            "{key:?}: {} {}",
            &r[severity],
            &r[rule]
        );
    }
    // A 总计 printed blank beside six printed applicant cells stays null in `cells`.
    let (h, rows) = csv_rows(&out.join("cells.csv"));
    let (city, year, body) = (col(&h, "city"), col(&h, "year"), col(&h, "body"));
    let (table, row, column) = (col(&h, "table"), col(&h, "row"), col(&h, "column"));
    let value = col(&h, "value");
    let table3: BTreeMap<[&str; 5], &str> = rows
        .iter()
        .filter(|r| &r[table] == "table3")
        .map(|r| {
            (
                [&r[city], &r[year], &r[body], &r[row], &r[column]],
                &r[value],
            )
        })
        .collect();
    let mut checked = 0;
    for e in expected.iter().filter(|e| e["kind"] != "city") {
        let (c, y, b) = report_key(e);
        for blank_row in e["blank_totals"].as_array().expect("blank_totals") {
            let blank_row = blank_row.as_str().expect("a row key");
            for (key, _) in T3_COLUMNS {
                let cell = table3
                    .get(&[c.as_str(), &y, &b, blank_row, key])
                    .unwrap_or_else(|| panic!("{b} {y}: no cell {blank_row}.{key}"));
                let printed_blank = key == T3_COLUMNS[T3_TOTAL_COL].0;
                assert_eq!(cell.is_empty(), printed_blank, "{b} {y}: {blank_row}.{key}");
            }
            checked += 1;
        }
    }
    assert_eq!(
        checked, 2,
        "one county and one department report print a 总计 blank"
    );
}

#[test]
fn coverage_accounts_for_every_city_and_year_of_the_demo() {
    let (_tmp, out) = out_dir();
    harvest(&out);
    let (h, rows) = csv_rows(&out.join("coverage.csv"));
    let (city, year, level, status) = (
        col(&h, "city"),
        col(&h, "year"),
        col(&h, "level"),
        col(&h, "status"),
    );
    let gov: std::collections::BTreeSet<(String, String)> = rows
        .iter()
        .filter(|r| &r[level] == "市政府本级" && &r[status] == "found")
        .map(|r| (r[city].to_string(), r[year].to_string()))
        .collect();
    assert_eq!(
        gov.len(),
        14 * 6,
        "every city government, 2019-2024: {gov:?}"
    );
    assert!(rows.iter().all(|r| !r[status].is_empty()));
    // And one row for every other report, found or not (departments, counties, the notice).
    assert_eq!(rows.len(), expected_reports().len());
}

#[test]
fn the_deliberate_breaks_of_the_demo_are_findings() {
    let (_tmp, out) = out_dir();
    harvest(&out);
    let (h, rows) = csv_rows(&out.join("findings.csv"));
    let (city, year, rule, severity) = (
        col(&h, "city"),
        col(&h, "year"),
        col(&h, "rule"),
        col(&h, "severity"),
    );
    let has = |c: &str, y: &str, r: &str| {
        rows.iter()
            .any(|x| &x[city] == c && &x[year] == y && &x[rule] == r && &x[severity] == "error")
    };
    assert!(has("柳州市", "2022", "T3-1"), "T3-1 break of 柳州 2022");
    assert!(has("桂林市", "2020", "T4-1"), "T4-1 break of 桂林 2020");
    assert!(
        has("玉林市", "2023", "T3-5"),
        "carry-over break 玉林 2022→2023"
    );
}

#[test]
fn the_demo_outputs_read_back_and_a_rerun_is_byte_identical() {
    use calamine::{open_workbook, Reader, Xlsx};
    use polars::prelude::*;
    let (_tmp, out) = out_dir();
    harvest(&out);
    let file = std::fs::File::open(out.join("comparison.parquet")).expect("comparison.parquet");
    let df = ParquetReader::new(file).finish().expect("polars reads it");
    let years = df.column("year").expect("year").n_unique().expect("unique");
    assert_eq!(years, 6, "2019–2024");
    assert_eq!(
        df.height(),
        14 * 6,
        "one city government report per city and year"
    );
    let wb: Xlsx<_> = open_workbook(out.join("nianbao.xlsx")).expect("xlsx");
    assert!(wb.sheet_names().iter().any(|n| n == "对比2024"));
    assert!(out.join("report.html").exists());
    let before: Vec<(String, Vec<u8>)> = std::fs::read_dir(&out)
        .expect("ls")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".csv"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().to_string(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    assert!(before.len() >= 10);
    harvest(&out);
    for (name, bytes) in before {
        assert!(
            std::fs::read(out.join(&name)).expect("reread") == bytes,
            "{name} changed on a rerun"
        );
    }
}

/// CSV for spreadsheets: rates rounded to 4 decimals and per-100,000 values to 2 (Parquet keeps
/// the full values), every year in `comparison.csv` beside the files of one year, and Chinese
/// headers with `--labels zh` over the same rows.
#[test]
fn csv_files_round_for_display_gather_all_years_and_speak_chinese_on_request() {
    use polars::prelude::{AnyValue, ParquetReader, SerReader};
    let (tmp, out) = out_dir();
    harvest(&out);
    let df = ParquetReader::new(std::fs::File::open(out.join("comparison.parquet")).expect("pq"))
        .finish()
        .expect("read");
    let (h, rows) = csv_rows(&out.join("comparison.csv"));
    assert_eq!(rows.len(), df.height(), "every year in comparison.csv");
    let mut by_year = 0;
    for e in std::fs::read_dir(&out).expect("ls").flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with("comparison_20") {
            let (hy, ry) = csv_rows(&e.path());
            assert_eq!(hy, h, "{name}");
            assert!(
                ry.iter().all(|r| rows.contains(r)),
                "{name} rows in comparison.csv"
            );
            by_year += ry.len();
        }
    }
    assert_eq!(by_year, rows.len());
    let mut shortened = 0;
    for (column, decimals) in [
        ("disclosure_rate", 4usize),
        ("not_held_rate", 4),
        ("applications_per_100k", 2),
        ("reviews_per_100k", 2),
    ] {
        let c = col(&h, column);
        let full = df.column(column).expect("column");
        for (i, r) in rows.iter().enumerate() {
            let v = match full.get(i).expect("value") {
                AnyValue::Float64(v) => v,
                AnyValue::Null => {
                    assert_eq!(&r[c], "", "null stays null");
                    continue;
                }
                other => panic!("{column}: {other:?}"),
            };
            let text = &r[c];
            let got: f64 = text.parse().expect("a number");
            let places = text.split_once('.').map_or(0, |(_, f)| f.len());
            assert!(places <= decimals, "{column} {text}");
            assert!(
                (got - v).abs() <= 0.5 * 10f64.powi(-(decimals as i32)) + 1e-12,
                "{column}: {text} for {v}"
            );
            shortened += usize::from(got != v);
        }
    }
    assert!(
        shortened > 100,
        "Parquet keeps more digits than the CSV shows"
    );
    // --labels zh: the same rows under the data dictionary's Chinese labels.
    let zh_out = tmp.path().join("zh");
    harvest_with(&zh_out, &["--labels", "zh"]);
    let (hz, rz) = csv_rows(&zh_out.join("comparison.csv"));
    assert_eq!(rz, rows);
    assert_eq!(hz.len(), h.len());
    for label in [
        "年度",
        "城市",
        "实质公开率",
        "本年新收申请(每10万人)",
        "数据来源",
    ] {
        assert!(hz.iter().any(|x| x == label), "{label} in {hz:?}");
    }
    let (cz, _) = csv_rows(&zh_out.join("cells.csv"));
    assert!(cz.iter().any(|x| x == "原文"), "{cz:?}");
    // Parquet keeps the column names whatever the CSV header.
    let zdf =
        ParquetReader::new(std::fs::File::open(zh_out.join("comparison.parquet")).expect("pq"))
            .finish()
            .expect("read");
    assert!(zdf.column("disclosure_rate").is_ok());
}
