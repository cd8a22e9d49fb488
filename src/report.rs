//! The canonical report (contract v1 of ../shared/spec/schema.md): the values of tables 二, 三
//! and 四, metadata and findings, and its JSON form. Input: values set by the mapper; output:
//! `serde_json::Value` with exactly the contract's keys.

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
    Int(i64),
    Dec(f64),
}

impl Num {
    pub fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Dec(d) => d,
        }
    }

    pub fn as_int(self) -> Option<i64> {
        match self {
            Num::Int(i) => Some(i),
            Num::Dec(_) => None,
        }
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
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
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub cells: Vec<String>,
}

impl Finding {
    pub fn new(rule: &str, severity: Severity, message: impl Into<String>) -> Finding {
        Finding {
            rule: rule.to_string(),
            severity,
            message: message.into(),
            cells: Vec::new(),
        }
    }

    pub fn with_cells(mut self, cells: impl IntoIterator<Item = String>) -> Finding {
        self.cells.extend(cells);
        self
    }
}

/// Table 二: values per item and measure of the version's layout ([`template::table2_items`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Table2 {
    pub template: Template,
    /// `values[item][measure]`, indexed like `table2_items(template)`.
    pub values: Vec<Vec<Val>>,
}

impl Table2 {
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

/// Where a value came from: its location and the text as printed.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub loc: Loc,
    pub printed: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub template: Option<Template>,
    pub year: Option<i32>,
    pub body: Option<String>,
    pub table2: Option<Table2>,
    pub table3: Option<Table3>,
    pub table4: Option<Table4>,
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

/// The contract object as a serde view of a report. [`Report::to_json`] and
/// [`Report::write_json`] both serialise it, so the `Value` and the streamed bytes cannot drift
/// apart; the key order is the contract's.
struct Contract<'a>(&'a Report);

impl Serialize for Contract<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut top = s.serialize_map(Some(8))?;
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
        top.end()
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
