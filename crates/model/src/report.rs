//! The canonical report (contract v1 of ../shared/spec/schema.md): the values of tables 二, 三
//! and 四, metadata and findings, and its JSON form. Input: values set by the mapper; output:
//! `serde_json::Value` with exactly the contract's keys, and a walk over the cells of the
//! tables ([`Report::for_each_cell`]).

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{json, Map, Value};

use crate::document::Loc;
use crate::template::{self, Template, T3_COLUMNS, T3_ROWS, T4_GROUPS, T4_OUTCOMES};

/// A printed number: counts are integers, amounts may carry decimals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    /// An integer, e.g. a count.
    Int(i64),
    /// A number printed with decimals, e.g. an amount in 万元.
    Dec(f64),
}

impl Num {
    /// The value as `f64`, for sums and comparisons.
    pub fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Dec(d) => d,
        }
    }

    /// The integer, or `None` for a [`Num::Dec`].
    pub fn as_int(self) -> Option<i64> {
        match self {
            Num::Int(i) => Some(i),
            Num::Dec(_) => None,
        }
    }
}

impl Num {
    /// A plain printed number — ASCII digits with at most one decimal point between digits,
    /// no sign, separator or unit — as the text parser gives it: an integer when nothing but
    /// zeros follows the point (`24720.0` is 24720), else a decimal. `None` for anything else,
    /// and for a leading zero (`05`), which no count or amount is printed with.
    pub fn parse_plain(s: &str) -> Option<Num> {
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) || (s.contains('.') && !digits(frac)) {
            return None;
        }
        if int.len() > 1 && int.starts_with('0') {
            return None;
        }
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() {
            return int.parse::<i64>().ok().map(Num::Int);
        }
        format!("{int}.{frac}")
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Num::Dec)
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Num::Int(i) => write!(f, "{i}"),
            Num::Dec(d) => write!(f, "{d}"),
        }
    }
}

/// A cell value: `None` is blank, `-`, `—`, `/`, `无` or unreadable in the source.
pub type Val = Option<Num>;

/// How serious a [`Finding`] is; ordered `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A note: a rule not checkable (a blank operand), a unit converted, a label matched
    /// loosely.
    Info,
    /// A heuristic rule broken (`T2-…`) or a parse problem worth a look, e.g. a missing table.
    Warning,
    /// A consistency rule broken (`T3-…`, `T4-…`), or a printed value left null because it
    /// could not be read.
    Error,
}

impl Severity {
    /// The name the JSON contract uses: `info`, `warning` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A validation result or a parse problem. `cells` are schema paths such as
/// `table3.new_received.total`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The rule id: `T3-1` … as in template.md §4, or `P-…` for a parse problem; every id is
    /// in [`crate::rules::RULES`].
    pub rule: String,
    /// How serious it is.
    pub severity: Severity,
    /// A readable explanation that names the values involved.
    pub message: String,
    /// The same explanation in Chinese, for readers of the Chinese outputs; a long list of
    /// cells is summarised in it (`表三 总计列 22 格`), the full list stays in `cells`. Empty
    /// only for a finding read back from an output set written before it existed.
    pub message_zh: String,
    /// Schema paths of the cells involved (prefixed `year:` across years); may be empty.
    pub cells: Vec<String>,
}

impl Finding {
    /// A finding without cells, explained in English and Chinese; add cells with
    /// [`Finding::with_cells`]. `rule` should be an id of [`crate::rules::RULES`].
    pub fn new(
        rule: &str,
        severity: Severity,
        message: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> Finding {
        debug_assert!(
            crate::rules::find(rule).is_some(),
            "rule {rule} is not in rules::RULES"
        );
        Finding {
            rule: rule.to_string(),
            severity,
            message: message.into(),
            message_zh: message_zh.into(),
            cells: Vec::new(),
        }
    }

    /// The Chinese explanation, or the English one when there is none (a finding read back
    /// from an older output set).
    pub fn message_for_readers(&self) -> &str {
        if self.message_zh.is_empty() {
            &self.message
        } else {
            &self.message_zh
        }
    }

    /// Appends `cells` (schema paths) to the finding's cells.
    pub fn with_cells(mut self, cells: impl IntoIterator<Item = String>) -> Finding {
        self.cells.extend(cells);
        self
    }
}

/// Table 二: values per item and measure of the version's layout ([`template::table2_items`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Table2 {
    /// The template version whose table 二 layout `values` follows.
    pub template: Template,
    /// `values[item][measure]`, indexed like `table2_items(template)`.
    pub values: Vec<Vec<Val>>,
}

impl Table2 {
    /// A table 二 in `template`'s layout with every cell blank (`None`).
    pub fn empty(template: Template) -> Table2 {
        let values = template::table2_items(template)
            .iter()
            .map(|i| vec![None; i.measures.len()])
            .collect();
        Table2 { template, values }
    }

    /// The value of `item.measure`, if that cell exists in this version.
    pub fn get(&self, item: &str, measure: &str) -> Val {
        let items = template::table2_items(self.template);
        let i = items.iter().position(|it| it.key == item)?;
        let m = items[i].measures.iter().position(|(k, _)| *k == measure)?;
        self.values[i][m]
    }
}

/// Table 三: `values[row][column]` in the order of [`T3_ROWS`] × [`T3_COLUMNS`].
pub type Table3 = [[Val; 7]; 26];
/// Table 四: `values[group][outcome]` in the order of [`T4_GROUPS`] × [`T4_OUTCOMES`].
pub type Table4 = [[Val; 5]; 3];

/// One of the three tables a [`Report`] carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TableId {
    /// Table 二 (主动公开): rows are [`template::table2_items`], columns their measures.
    Table2,
    /// Table 三 (依申请公开): rows are [`T3_ROWS`], columns [`T3_COLUMNS`].
    Table3,
    /// Table 四 (行政复议、行政诉讼): rows are [`T4_GROUPS`], columns [`T4_OUTCOMES`].
    Table4,
}

impl TableId {
    /// The table's number in the national template: 2, 3 or 4.
    pub fn number(self) -> u8 {
        match self {
            TableId::Table2 => 2,
            TableId::Table3 => 3,
            TableId::Table4 => 4,
        }
    }

    /// The table's key in the JSON contract and in schema paths: `table2`, `table3` or `table4`.
    pub fn key(self) -> &'static str {
        match self {
            TableId::Table2 => "table2",
            TableId::Table3 => "table3",
            TableId::Table4 => "table4",
        }
    }
}

/// One template cell of a report, as [`Report::for_each_cell`] visits it: the table, the row
/// (table 二: the item; table 四: the group) and the column (table 二: the measure; table 四:
/// the outcome), each by index into the template and by schema key and printed label.
///
/// Its schema path (`table3.new_received.total`, the key of [`Report::sources`]) is built only
/// on request, by [`CellRef::path`] or [`fmt::Display`]: a walk over millions of cells need not
/// allocate a string per cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellRef {
    /// The table the cell belongs to.
    pub table: TableId,
    /// The row's index: into [`template::table2_items`] of the table's version, [`T3_ROWS`] or
    /// [`T4_GROUPS`].
    pub row: usize,
    /// The row's schema key, e.g. `new_received` (table 二: the item, e.g. `regulations`).
    pub row_key: &'static str,
    /// The row's printed label (table 二: the item's canonical label), e.g. `予以公开`.
    pub row_label: &'static str,
    /// The column's index: into the item's measures, [`T3_COLUMNS`] or [`T4_OUTCOMES`].
    pub column: usize,
    /// The column's schema key, e.g. `total` (table 二: the measure, e.g. `issued`).
    pub column_key: &'static str,
    /// The column's printed label, e.g. `总计`.
    pub column_label: &'static str,
}

impl CellRef {
    /// The cell's schema path: `table2.<item>.<measure>`, `table3.<row>.<column>` or
    /// `table4.<group>.<outcome>`, as [`Report::sources`] and [`Finding::cells`] spell it.
    pub fn path(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for CellRef {
    /// Writes [`CellRef::path`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}.{}",
            self.table.key(),
            self.row_key,
            self.column_key
        )
    }
}

/// Where a value came from: its location and the text as printed.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// Where the value was printed.
    pub loc: Loc,
    /// The cell text as printed, before any unit conversion, e.g. `3.5万元`. For a value read
    /// by OCR: the digits of its most probable reading (blank for a blank reading).
    pub printed: String,
    /// How the value was read when it was read from a page image by OCR; `None` for a value
    /// read from text.
    pub ocr: Option<OcrMark>,
}

/// The provenance of a value read by OCR from a page image (issue "Scanned reports").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OcrMark {
    /// The page, from 1.
    pub page: u32,
    /// The cell's box on the page image (deskewed), in pixels: left, top, width, height.
    pub bbox: [u32; 4],
    /// The recogniser's probability of the value taken, 0–1.
    pub confidence: f32,
    /// The value is not the most probable reading: the template's identities chose another
    /// of the cell's readings (`printed` keeps the most probable one).
    pub corrected: bool,
    /// The report's narrative states this cell's figure and it equals the value (table 二:
    /// confirmed by the text beside the table, not by confidence alone).
    pub narrative: bool,
}

/// One annual report in canonical form: its template, year and body, tables 二, 三 and 四,
/// and findings. The default is an empty report: everything unknown, no findings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// The national format the report follows; `None` if undecidable.
    pub template: Option<Template>,
    /// The data year (统计期限), not the publication year; `None` if unknown.
    pub year: Option<i32>,
    /// The issuing body as the report names it, e.g. `贵港市人民政府`; `None` if unknown.
    pub body: Option<String>,
    /// Table 二 (主动公开); `None` when the report has no readable table 二.
    pub table2: Option<Table2>,
    /// Table 三 (依申请公开); `None` when the report has no readable table 三.
    pub table3: Option<Table3>,
    /// Table 四 (行政复议、行政诉讼); `None` when the report has no readable table 四.
    pub table4: Option<Table4>,
    /// Validation results and parse problems, in the order they were found.
    pub findings: Vec<Finding>,
    /// Not part of the contract: schema path → where the value was printed.
    pub sources: BTreeMap<String, Source>,
    /// Not part of the contract: how the bytes were decoded, e.g. `GBK (meta)`.
    pub encoding: Option<String>,
}

impl Report {
    /// The contract object of schema.md (schema 1).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(Contract(self))
            .expect("the contract view has only string keys, so it always converts")
    }

    /// Write [`Report::to_json`]'s compact form to `out` without building the `Value` first:
    /// the same bytes, without a map and a key string per cell for every report.
    pub fn write_json(&self, out: &mut impl Write) -> serde_json::Result<()> {
        serde_json::to_writer(out, &Contract(self))
    }

    /// [`Report::write_json`], indented.
    pub fn write_json_pretty(&self, out: &mut impl Write) -> serde_json::Result<()> {
        serde_json::to_writer_pretty(out, &Contract(self))
    }

    /// Like [`Report::to_json`], plus a `sources` object (schema path → `{loc, printed}`) for
    /// tracing every number back to its cell. An extension: consumers of the contract ignore it.
    pub fn to_json_with_sources(&self) -> Value {
        let mut v = self.to_json();
        let sources: Map<String, Value> = self
            .sources
            .iter()
            .map(|(k, s)| {
                (
                    k.clone(),
                    json!({"loc": s.loc.to_string(), "printed": s.printed}),
                )
            })
            .collect();
        if let Value::Object(top) = &mut v {
            top.insert(
                "encoding".into(),
                self.encoding.as_ref().map_or(Value::Null, |e| json!(e)),
            );
            top.insert("sources".into(), Value::Object(sources));
        }
        v
    }

    /// Calls `f` with every template cell of the tables the report has, and its value: table 二
    /// item by item in [`template::table2_items`] order, each item's measures in order; then
    /// table 三 row by row ([`T3_ROWS`] × [`T3_COLUMNS`]); then table 四 group by group
    /// ([`T4_GROUPS`] × [`T4_OUTCOMES`]). A table the report lacks (`None`) is skipped. Blank
    /// cells are visited too, with `None`.
    ///
    /// A table 二 whose `values` do not have its template's shape is visited only where both
    /// a template cell and a value exist.
    ///
    /// Nothing is allocated per cell; ask [`CellRef::path`] for the schema path when needed.
    pub fn for_each_cell(&self, mut f: impl FnMut(CellRef, Val)) {
        if let Some(t2) = &self.table2 {
            let items = template::table2_items(t2.template);
            for (row, (item, values)) in items.iter().zip(&t2.values).enumerate() {
                let row_label = item.labels.first().copied().unwrap_or(item.key);
                for (column, (&(column_key, column_label), v)) in
                    item.measures.iter().zip(values).enumerate()
                {
                    let cell = CellRef {
                        table: TableId::Table2,
                        row,
                        row_key: item.key,
                        row_label,
                        column,
                        column_key,
                        column_label,
                    };
                    f(cell, *v);
                }
            }
        }
        if let Some(t3) = &self.table3 {
            for_each_fixed(TableId::Table3, &T3_ROWS, &T3_COLUMNS, t3, &mut f);
        }
        if let Some(t4) = &self.table4 {
            for_each_fixed(TableId::Table4, &T4_GROUPS, &T4_OUTCOMES, t4, &mut f);
        }
    }

    /// Adds a finding.
    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// The number of findings of each severity: (errors, warnings, infos).
    pub fn finding_counts(&self) -> (usize, usize, usize) {
        let count = |s| self.findings.iter().filter(|f| f.severity == s).count();
        (
            count(Severity::Error),
            count(Severity::Warning),
            count(Severity::Info),
        )
    }
}

/// [`Report::for_each_cell`] over a fixed-shape table (三 or 四): rows × columns, row by row.
fn for_each_fixed<const C: usize>(
    table: TableId,
    rows: &[(&'static str, &'static str)],
    columns: &[(&'static str, &'static str)],
    values: &[[Val; C]],
    f: &mut impl FnMut(CellRef, Val),
) {
    for (row, (&(row_key, row_label), values)) in rows.iter().zip(values).enumerate() {
        for (column, (&(column_key, column_label), v)) in columns.iter().zip(values).enumerate() {
            let cell = CellRef {
                table,
                row,
                row_key,
                row_label,
                column,
                column_key,
                column_label,
            };
            f(cell, *v);
        }
    }
}

/// The contract object as a serde view of a report. [`Report::to_json`] and
/// [`Report::write_json`] both serialise it, so the `Value` and the streamed bytes cannot drift
/// apart; the key order is the contract's.
struct Contract<'a>(&'a Report);

impl Serialize for Contract<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut top = s.serialize_map(None)?;
        top.serialize_entry("schema", &1)?;
        top.serialize_entry("template", &r.template.map(Template::as_str))?;
        top.serialize_entry("year", &r.year)?;
        top.serialize_entry("body", &r.body)?;
        top.serialize_entry("table2", &r.table2.as_ref().map(Table2Json))?;
        top.serialize_entry(
            "table3",
            &r.table3
                .as_ref()
                .map(|t| KeyedRows::new(&T3_ROWS, &T3_COLUMNS, t)),
        )?;
        top.serialize_entry(
            "table4",
            &r.table4
                .as_ref()
                .map(|t| KeyedRows::new(&T4_GROUPS, &T4_OUTCOMES, t)),
        )?;
        top.serialize_entry("findings", &r.findings)?;
        // An addition to schema 1, present only for a report read by OCR: schema path →
        // {page, box, confidence, corrected, narrative} of every value read from a page image.
        if r.sources.values().any(|s| s.ocr.is_some()) {
            top.serialize_entry("ocr", &OcrJson(r))?;
        }
        top.end()
    }
}

/// The `ocr` object of the contract: schema path → the value's OCR provenance.
struct OcrJson<'a>(&'a Report);

impl Serialize for OcrJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.sources.iter().filter_map(|(path, src)| {
            src.ocr.map(|m| {
                (
                    path,
                    json!({
                        "page": m.page,
                        "box": m.bbox,
                        // Rounded: the model's float noise is no information.
                        "confidence": (f64::from(m.confidence) * 1e4).round() / 1e4,
                        "corrected": m.corrected,
                        "narrative": m.narrative,
                    }),
                )
            })
        }))
    }
}

impl Serialize for Num {
    /// An integer, or a decimal; a decimal JSON cannot carry (never produced) is null.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Num::Int(i) => s.serialize_i64(i),
            Num::Dec(d) if d.is_finite() => s.serialize_f64(d),
            Num::Dec(_) => s.serialize_none(),
        }
    }
}

/// One table row as a JSON object: column key → value.
struct KeyedRow<'a> {
    columns: &'a [(&'static str, &'static str)],
    values: &'a [Val],
}

impl Serialize for KeyedRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.columns.iter().map(|(k, _)| *k).zip(self.values))
    }
}

/// A fixed-shape table (三 or 四) as a JSON object of rows: row key → column key → value.
struct KeyedRows<'a, const C: usize> {
    rows: &'a [(&'static str, &'static str)],
    columns: &'a [(&'static str, &'static str)],
    values: &'a [[Val; C]],
}

impl<'a, const C: usize> KeyedRows<'a, C> {
    fn new(
        rows: &'a [(&'static str, &'static str)],
        columns: &'a [(&'static str, &'static str)],
        values: &'a [[Val; C]],
    ) -> Self {
        KeyedRows {
            rows,
            columns,
            values,
        }
    }
}

impl<const C: usize> Serialize for KeyedRows<'_, C> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let rows = self.values.iter().map(|values| KeyedRow {
            columns: self.columns,
            values,
        });
        s.collect_map(self.rows.iter().map(|(k, _)| *k).zip(rows))
    }
}

/// Table 二 in its version's layout: item key → measure key → value.
struct Table2Json<'a>(&'a Table2);

impl Serialize for Table2Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let items = template::table2_items(self.0.template);
        s.collect_map(items.iter().zip(&self.0.values).map(|(item, values)| {
            (
                item.key,
                KeyedRow {
                    columns: item.measures,
                    values,
                },
            )
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report of `template` with every table present and every cell a distinct number,
    /// numbered in walk order (table 二 items and measures, then 三, then 四).
    fn numbered(template: Template) -> Report {
        let mut n = 0;
        let mut next = || {
            n += 1;
            Some(Num::Int(n - 1))
        };
        let mut t2 = Table2::empty(template);
        t2.values.iter_mut().flatten().for_each(|v| *v = next());
        let mut t3: Table3 = [[None; 7]; 26];
        t3.iter_mut().flatten().for_each(|v| *v = next());
        let mut t4: Table4 = [[None; 5]; 3];
        t4.iter_mut().flatten().for_each(|v| *v = next());
        Report {
            template: Some(template),
            table2: Some(t2),
            table3: Some(t3),
            table4: Some(t4),
            ..Report::default()
        }
    }

    fn walk(r: &Report) -> Vec<(CellRef, Val)> {
        let mut cells = Vec::new();
        r.for_each_cell(|c, v| cells.push((c, v)));
        cells
    }

    #[test]
    fn for_each_cell_visits_every_cell_once_in_template_order() {
        for (template, t2_cells, first) in [
            (Template::V2019, 22, "table2.regulations.newly_made"),
            (Template::V2021, 10, "table2.regulations.issued"),
        ] {
            let r = numbered(template);
            let cells = walk(&r);
            assert_eq!(cells.len(), t2_cells + 26 * 7 + 3 * 5, "{template:?}");

            // Every cell once, in walk order: the values were numbered in that order.
            for (k, (_, v)) in cells.iter().enumerate() {
                assert_eq!(*v, Some(Num::Int(k as i64)), "{template:?}");
            }

            // The same cells, paths, indices and labels, spelled out from the template.
            let mut expected = Vec::new();
            for (i, item) in template::table2_items(template).iter().enumerate() {
                for (j, (m, l)) in item.measures.iter().enumerate() {
                    let path = format!("table2.{}.{m}", item.key);
                    expected.push((TableId::Table2, i, j, path, item.labels[0], *l));
                }
            }
            for (i, (row, rl)) in T3_ROWS.iter().enumerate() {
                for (j, (col, cl)) in T3_COLUMNS.iter().enumerate() {
                    expected.push((
                        TableId::Table3,
                        i,
                        j,
                        format!("table3.{row}.{col}"),
                        *rl,
                        *cl,
                    ));
                }
            }
            for (i, (g, gl)) in T4_GROUPS.iter().enumerate() {
                for (j, (o, ol)) in T4_OUTCOMES.iter().enumerate() {
                    expected.push((TableId::Table4, i, j, format!("table4.{g}.{o}"), *gl, *ol));
                }
            }
            let got: Vec<_> = cells
                .iter()
                .map(|(c, _)| {
                    (
                        c.table,
                        c.row,
                        c.column,
                        c.path(),
                        c.row_label,
                        c.column_label,
                    )
                })
                .collect();
            assert_eq!(got, expected, "{template:?}");

            assert_eq!(cells[0].0.path(), first);
            assert_eq!(
                cells[t2_cells].0.path(),
                "table3.new_received.natural_person"
            );
            assert_eq!(
                cells.last().map(|(c, _)| c.path()).as_deref(),
                Some("table4.litigation_after_review.total")
            );
            assert!(cells.iter().all(|(c, _)| c.to_string() == c.path()
                && c.path() == format!("{}.{}.{}", c.table.key(), c.row_key, c.column_key)));

            // Each path names the cell of the JSON contract that holds the value.
            let json = r.to_json();
            for (c, v) in &cells {
                let at = &json[c.table.key()][c.row_key][c.column_key];
                assert_eq!(at.as_i64(), v.and_then(Num::as_int), "{c}");
            }
        }
    }

    #[test]
    fn for_each_cell_skips_missing_tables_and_visits_blanks() {
        assert!(walk(&Report::default()).is_empty());

        let r = Report {
            table4: Some([[None; 5]; 3]),
            ..Report::default()
        };
        let cells = walk(&r);
        assert_eq!(cells.len(), 15);
        assert!(cells
            .iter()
            .all(|(c, v)| c.table == TableId::Table4 && c.table.number() == 4 && v.is_none()));

        // A table 二 short of its template's shape is walked where both cell and value exist.
        let mut t2 = Table2::empty(Template::V2021);
        t2.values.truncate(1);
        t2.values[0].truncate(2);
        let r = Report {
            table2: Some(t2),
            ..Report::default()
        };
        let paths: Vec<String> = walk(&r).iter().map(|(c, _)| c.path()).collect();
        assert_eq!(
            paths,
            ["table2.regulations.issued", "table2.regulations.repealed"]
        );
    }
}
