//! One report of [`Tables`] seen again as a report, for `nianbao show`: its rows of `cells`
//! and `findings` → a [`Report`] (tables 二, 三, 四 in template order, with where each value was
//! printed), and the `coverage` rows of a city and year from an output folder, whatever
//! columns that table has. Reads only; nothing is recomputed.

use std::fs::File;
use std::path::Path;

use polars::prelude::*;

use super::load::LoadError;
use super::units::FEN_PER_WAN;
use super::{CellOcr, CellRow, CellUnit, Tables};
use nianbao_model::document::Loc;
use nianbao_model::report::{Num, OcrMark, Report, Source, Table2, Val};
use nianbao_model::template::{
    table2_items, Template, T3_COLUMNS, T3_ROWS, T4_GROUPS, T4_OUTCOMES,
};

/// Report `i` of `tables` ([`Tables::reports`]) as a [`Report`]: its template, year, body and
/// encoding, the tables it has (`tables_read`) filled from its rows of `cells` (counts as
/// integers, money in 万元; a blank stays null, and so does money of unknown unit), its
/// findings (cross-year ones included) and, in `sources`, where each value was printed.
pub fn report_of(tables: &Tables, i: usize) -> Report {
    let Some(row) = tables.reports.get(i) else {
        return Report::default();
    };
    let template = row.template.as_deref().and_then(Template::parse);
    let has = |name: &str| row.tables_read.split(',').any(|t| t == name);
    let mut report = Report {
        template,
        year: row.year,
        body: row.body.clone(),
        table2: template.filter(|_| has("二")).map(Table2::empty),
        table3: has("三").then_some([[None; 7]; 26]),
        table4: has("四").then_some([[None; 5]; 3]),
        encoding: row.encoding.clone(),
        ..Report::default()
    };
    for cell in cells_of(tables, i) {
        let value = value_of(cell);
        let d = cell.def();
        let placed = match d.table {
            "table2" => report
                .table2
                .as_mut()
                .and_then(|t| table2_slot(t, d.row, d.column)),
            "table3" => report
                .table3
                .as_mut()
                .and_then(|t| fixed_slot(t, &T3_ROWS, &T3_COLUMNS, d.row, d.column)),
            _ => report
                .table4
                .as_mut()
                .and_then(|t| fixed_slot(t, &T4_GROUPS, &T4_OUTCOMES, d.row, d.column)),
        };
        if let Some(slot) = placed {
            *slot = value;
        }
        if let Some(loc) = cell.loc.get() {
            let printed = cell
                .printed(row)
                .map(|p| p.into_owned())
                .unwrap_or_default();
            let path = format!("{}.{}.{}", d.table, d.row, d.column);
            let ocr = ocr_mark(cell.ocr(row), loc);
            report.sources.insert(path, Source { loc, printed, ocr });
        }
    }
    report.findings = tables
        .findings
        .iter()
        .filter(|f| f.report == i)
        .map(|f| f.finding.clone())
        .collect();
    report
}

/// The OCR provenance of a value as `parse --json` gave it, rebuilt from its `cells` row:
/// only when the row kept the box (sets written before `ocr_box` did not) and the page.
fn ocr_mark(ocr: Option<CellOcr>, loc: Loc) -> Option<OcrMark> {
    let (o, Loc::Page { page, .. }) = (ocr?, loc) else {
        return None;
    };
    Some(OcrMark {
        page,
        bbox: o.bbox?,
        confidence: o.confidence,
        corrected: o.corrected,
        narrative: o.narrative,
    })
}

/// The rows of `cells` of report `i` (`cells` is in report order: they are one run).
pub fn cells_of(tables: &Tables, i: usize) -> &[CellRow] {
    let start = tables.cells.partition_point(|c| c.report() < i);
    let end = tables.cells.partition_point(|c| c.report() <= i);
    &tables.cells[start..end]
}

/// A cell's value as the report holds it: a count, or money in 万元 (the nearest double to
/// the exact amount in 分); null where blank or of unknown unit.
fn value_of(cell: &CellRow) -> Val {
    match cell.unit() {
        CellUnit::Count => cell.count().map(Num::Int),
        CellUnit::TenThousandYuan => cell.amount_fen().map(|fen| {
            if fen % FEN_PER_WAN == 0 {
                Num::Int(fen / FEN_PER_WAN)
            } else {
                Num::Dec(fen as f64 / FEN_PER_WAN as f64)
            }
        }),
        CellUnit::Unknown => None,
    }
}

fn table2_slot<'a>(t: &'a mut Table2, item: &str, measure: &str) -> Option<&'a mut Val> {
    let items = table2_items(t.template);
    let i = items.iter().position(|it| it.key == item)?;
    let m = items[i].measures.iter().position(|(k, _)| *k == measure)?;
    t.values.get_mut(i)?.get_mut(m)
}

fn fixed_slot<'a, const C: usize>(
    t: &'a mut [[Val; C]],
    rows: &[(&str, &str)],
    columns: &[(&str, &str)],
    row: &str,
    column: &str,
) -> Option<&'a mut Val> {
    let r = rows.iter().position(|(k, _)| *k == row)?;
    let c = columns.iter().position(|(k, _)| *k == column)?;
    t.get_mut(r)?.get_mut(c)
}

/// Rows of an output folder's `coverage` table, as text: its column names and the rows of one
/// city and year. The table's columns are read as they are (at least `city` and `year`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CoverageRows {
    /// The table's column names, in order.
    pub columns: Vec<String>,
    /// The matching rows, each a value per column (`None` for a null).
    pub rows: Vec<Vec<Option<String>>>,
}

/// The file of the coverage table in an output set.
pub const COVERAGE_FILE: &str = "coverage.parquet";

/// The rows of `dir/coverage.parquet` whose `city` is `city` (with or without 市) and whose
/// `year` is `year`; `Ok(None)` when the set has no coverage table.
pub fn coverage_rows(dir: &Path, city: &str, year: i32) -> Result<Option<CoverageRows>, LoadError> {
    let path = dir.join(COVERAGE_FILE);
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(LoadError::Io { path, source }),
    };
    let parquet = |source| LoadError::Parquet {
        path: path.clone(),
        source,
    };
    let df = ParquetReader::new(file).finish().map_err(parquet)?;
    let columns: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let mut rows = Vec::new();
    for i in 0..df.height() {
        let row: Vec<Option<String>> = df
            .columns()
            .iter()
            .map(|c| text_at(c, i, &path))
            .collect::<Result<_, _>>()?;
        let field = |name: &str| {
            columns
                .iter()
                .position(|c| c == name)
                .and_then(|k| row[k].clone())
        };
        let same_city = field("city").is_some_and(|c| same_city(&c, city));
        let same_year = field("year").is_some_and(|y| y == year.to_string());
        if same_city && same_year {
            rows.push(row);
        }
    }
    Ok(Some(CoverageRows { columns, rows }))
}

fn text_at(c: &Column, i: usize, path: &Path) -> Result<Option<String>, LoadError> {
    let v = c.get(i).map_err(|source| LoadError::Parquet {
        path: path.to_path_buf(),
        source,
    })?;
    Ok((!v.is_null()).then(|| v.str_value().into_owned()))
}

/// Two city names for the same city: equal with or without the trailing 市 (`贵港` = `贵港市`).
pub fn same_city(a: &str, b: &str) -> bool {
    let short = |s: &str| s.trim().trim_end_matches('市').to_string();
    !a.trim().is_empty() && short(a) == short(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::{aggregate, Input, SourceMeta};
    use nianbao_model::report::{Finding, Table3, Table4};
    use nianbao_model::Severity;

    fn input() -> Input {
        let mut t3: Table3 = [[Some(Num::Int(1)); 7]; 26];
        t3[0][0] = None;
        let mut t2 = Table2::empty(Template::V2021);
        t2.values[5][0] = Some(Num::Dec(3283.7));
        let t4: Table4 = [[Some(Num::Int(0)); 5]; 3];
        let report = Report {
            template: Some(Template::V2021),
            year: Some(2021),
            body: Some("贵港市人民政府".into()),
            table2: Some(t2),
            table3: Some(t3),
            table4: Some(t4),
            findings: vec![Finding::new("T3-1", Severity::Error, "en", "中文")],
            ..Report::default()
        };
        let meta = SourceMeta {
            city: "贵港市".into(),
            adcode: "450800".into(),
            url: "http://x/a".into(),
            ..SourceMeta::default()
        };
        Input::new(meta, report)
    }

    #[test]
    fn a_report_comes_back_from_its_rows_with_blanks_blank() {
        let original = input().report;
        let tables = aggregate(vec![input()], &[], &crate::aggregate::Options::default())
            .expect("aggregate");
        let back = report_of(&tables, 0);
        assert_eq!(back.table3, original.table3);
        assert_eq!(back.table4, original.table4);
        assert_eq!(
            back.table3.map(|t| t[0][0]),
            Some(None),
            "blank stays blank"
        );
        assert_eq!(
            back.table2
                .as_ref()
                .map(|t| t.get("fees", "amount_10k_yuan")),
            Some(Some(Num::Dec(3283.7)))
        );
        assert_eq!(back.body.as_deref(), Some("贵港市人民政府"));
        assert!(back
            .findings
            .iter()
            .any(|f| f.rule == "T3-1" && f.message_zh == "中文"));
        assert_eq!(report_of(&tables, 7), Report::default());
    }

    #[test]
    fn a_value_read_by_ocr_says_so_in_its_cells_row() {
        use nianbao_model::document::Loc;
        use nianbao_model::report::{OcrMark, Source};
        let mut input = input();
        let mut report = input.report.clone();
        report.sources.insert(
            "table4.review.total".into(),
            Source {
                loc: Loc::Page {
                    page: 2,
                    row: 1,
                    col: 5,
                },
                printed: "1".into(),
                ocr: Some(OcrMark {
                    page: 2,
                    bbox: [10, 20, 30, 40],
                    confidence: 0.43219,
                    corrected: true,
                    narrative: false,
                }),
            },
        );
        input = Input::new(input.meta.clone(), report);
        let tables =
            aggregate(vec![input], &[], &crate::aggregate::Options::default()).expect("aggregate");
        let rows: Vec<&crate::aggregate::CellRow> = tables.cells.iter().collect();
        let df = crate::aggregate::frames::cells(&rows, &tables.reports).expect("cells");
        let table = df
            .column("table")
            .expect("table")
            .str()
            .expect("str")
            .clone();
        let (row, col) = (
            df.column("row").expect("row"),
            df.column("column").expect("col"),
        );
        let conf = df
            .column("ocr_confidence")
            .expect("ocr_confidence")
            .f64()
            .expect("f64")
            .clone();
        let corrected = df
            .column("ocr_corrected")
            .expect("ocr_corrected")
            .bool()
            .expect("bool")
            .clone();
        let mut seen = 0;
        for i in 0..df.height() {
            let is_it = table.get(i) == Some("table4")
                && row.str().expect("str").get(i) == Some("review")
                && col.str().expect("str").get(i) == Some("total");
            if is_it {
                seen += 1;
                assert_eq!(conf.get(i), Some(0.4322));
                assert_eq!(corrected.get(i), Some(true));
            } else {
                assert_eq!(
                    (conf.get(i), corrected.get(i)),
                    (None, None),
                    "row {i}: read from text"
                );
            }
        }
        assert_eq!(seen, 1);
        let boxes = df.column("ocr_box").expect("ocr_box").str().expect("str");
        assert_eq!(
            boxes.iter().flatten().collect::<Vec<_>>(),
            ["10,20,30,40"],
            "only the OCR'd value has a box"
        );
        // `show` sees the provenance again as `parse --json` gave it.
        let shown = report_of(&tables, 0);
        let mark = shown.sources.get("table4.review.total").and_then(|s| s.ocr);
        assert_eq!(
            mark.map(|m| (m.page, m.bbox, m.corrected)),
            Some((2, [10, 20, 30, 40], true))
        );
        assert!(shown
            .sources
            .iter()
            .all(|(path, s)| s.ocr.is_none() || path == "table4.review.total"));
    }

    #[test]
    fn city_names_match_with_or_without_shi() {
        assert!(same_city("贵港", "贵港市"));
        assert!(same_city("贵港市", "贵港市"));
        assert!(!same_city("贵港", "梧州市"));
        assert!(!same_city("", "市"));
    }

    #[test]
    fn coverage_rows_of_a_city_and_year_are_read_whatever_the_columns() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut df = DataFrame::new(
            3,
            vec![
                Column::new("city".into(), ["贵港市", "贵港市", "梧州市"]),
                Column::new("year".into(), [2021i64, 2022, 2021]),
                Column::new("status".into(), ["published", "missing", "published"]),
                Column::new(
                    "reason".into(),
                    [None, Some("no report found"), None::<&str>],
                ),
            ],
        )
        .expect("frame");
        let file = File::create(dir.path().join(COVERAGE_FILE)).expect("create");
        ParquetWriter::new(file).finish(&mut df).expect("write");
        let got = coverage_rows(dir.path(), "贵港", 2022)
            .expect("read")
            .expect("a coverage table");
        assert_eq!(got.columns, ["city", "year", "status", "reason"]);
        assert_eq!(
            got.rows,
            [vec![
                Some("贵港市".to_string()),
                Some("2022".to_string()),
                Some("missing".to_string()),
                Some("no report found".to_string())
            ]]
        );
    }

    #[test]
    fn a_set_without_coverage_says_so() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(
            coverage_rows(dir.path(), "贵港", 2021).expect("no error"),
            None
        );
    }
}
