//! The canonical report (contract v1 of ../shared/spec/schema.md): the values of tables 二, 三
//! and 四, metadata and findings, and its JSON form. Input: values set by the mapper; output:
//! `serde_json::Value` with exactly the contract's keys.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
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

    fn to_json(self) -> Value {
        match self {
            Num::Int(i) => json!(i),
            Num::Dec(d) => serde_json::Number::from_f64(d).map_or(Value::Null, Value::Number),
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
        let mut top = Map::new();
        top.insert("schema".into(), json!(1));
        top.insert(
            "template".into(),
            self.template.map_or(Value::Null, |t| json!(t.as_str())),
        );
        top.insert("year".into(), self.year.map_or(Value::Null, |y| json!(y)));
        top.insert(
            "body".into(),
            self.body.as_ref().map_or(Value::Null, |b| json!(b)),
        );
        top.insert(
            "table2".into(),
            self.table2.as_ref().map_or(Value::Null, table2_json),
        );
        top.insert(
            "table3".into(),
            self.table3.as_ref().map_or(Value::Null, table3_json),
        );
        top.insert(
            "table4".into(),
            self.table4.as_ref().map_or(Value::Null, table4_json),
        );
        top.insert("findings".into(), json!(self.findings));
        Value::Object(top)
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

fn val_json(v: Val) -> Value {
    v.map_or(Value::Null, Num::to_json)
}

fn table2_json(t: &Table2) -> Value {
    let mut obj = Map::new();
    for (item, values) in template::table2_items(t.template).iter().zip(&t.values) {
        let measures: Map<String, Value> = item
            .measures
            .iter()
            .zip(values)
            .map(|((k, _), v)| (k.to_string(), val_json(*v)))
            .collect();
        obj.insert(item.key.to_string(), Value::Object(measures));
    }
    Value::Object(obj)
}

fn table3_json(t: &Table3) -> Value {
    let mut obj = Map::new();
    for ((row, _), values) in T3_ROWS.iter().zip(t) {
        let cols: Map<String, Value> = T3_COLUMNS
            .iter()
            .zip(values)
            .map(|((k, _), v)| (k.to_string(), val_json(*v)))
            .collect();
        obj.insert(row.to_string(), Value::Object(cols));
    }
    Value::Object(obj)
}

fn table4_json(t: &Table4) -> Value {
    let mut obj = Map::new();
    for ((group, _), values) in T4_GROUPS.iter().zip(t) {
        let outcomes: Map<String, Value> = T4_OUTCOMES
            .iter()
            .zip(values)
            .map(|((k, _), v)| (k.to_string(), val_json(*v)))
            .collect();
        obj.insert(group.to_string(), Value::Object(outcomes));
    }
    Value::Object(obj)
}
