//! Parsed reports (with where they came from) → the analyst's tables: `cells` (tidy long form),
//! `reports`, `findings` (including the cross-year T3-5 check), `comparison` (city × derived
//! metrics per year, per 100,000 residents, ranks) and `trends` (year-over-year change).
//! Deterministic: every table is sorted before it is returned. No I/O; [`frames`] and
//! `export` write the files.

pub mod frames;
pub mod load;
pub mod metrics;
pub mod output;
pub mod sources;

use std::collections::{BTreeMap, BTreeSet};

use crate::document::Loc;
use crate::report::{Finding, Num, Report, Severity};
use crate::template::{table2_items, Template, T3_COLUMNS, T3_ROWS, T4_GROUPS, T4_OUTCOMES};
use crate::validate;
use metrics::METRICS;

/// Where a report came from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceMeta {
    pub city: String,
    pub adcode: String,
    /// The city government's own report (as opposed to a department's or a county's).
    pub city_government: bool,
    pub url: String,
    pub warc_record_id: String,
    pub sha256: String,
    pub fetch_time: String,
    /// `published` or `synthetic-demo`.
    pub data_origin: String,
}

/// One parsed report and its source.
#[derive(Debug, Clone)]
pub struct Input {
    pub meta: SourceMeta,
    pub report: Report,
}

/// A city of the configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct City {
    pub name: String,
    pub adcode: String,
    pub population: Option<u64>,
}

/// One row of `reports`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub meta: SourceMeta,
    pub body: Option<String>,
    pub year: Option<i32>,
    pub template: Option<String>,
    pub tables_read: String,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub encoding: Option<String>,
    /// Used for the city comparison of its year.
    pub in_comparison: bool,
}

/// One cell of the template: table, row and column keys and their printed labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellDef {
    pub table: &'static str,
    pub row: &'static str,
    pub column: &'static str,
    pub row_label: &'static str,
    pub column_label: &'static str,
}

/// Every cell of both template versions, in a fixed order (a [`CellRow`] refers to one by
/// index, which keeps a `cells` table of millions of rows small).
pub fn cell_defs() -> &'static [CellDef] {
    static DEFS: std::sync::OnceLock<Vec<CellDef>> = std::sync::OnceLock::new();
    DEFS.get_or_init(|| {
        let mut defs = Vec::new();
        for template in [Template::V2019, Template::V2021] {
            for item in table2_items(template) {
                for (m, label) in item.measures {
                    let def = CellDef {
                        table: "table2",
                        row: item.key,
                        column: m,
                        row_label: item.labels[0],
                        column_label: label,
                    };
                    if !defs.contains(&def) {
                        defs.push(def);
                    }
                }
            }
        }
        for (row, rl) in T3_ROWS {
            for (col, cl) in T3_COLUMNS {
                defs.push(CellDef {
                    table: "table3",
                    row,
                    column: col,
                    row_label: rl,
                    column_label: cl,
                });
            }
        }
        for (g, gl) in T4_GROUPS {
            for (o, ol) in T4_OUTCOMES {
                defs.push(CellDef {
                    table: "table4",
                    row: g,
                    column: o,
                    row_label: gl,
                    column_label: ol,
                });
            }
        }
        defs
    })
}

/// The index of a cell definition, by keys and labels (the same keys carry other labels in
/// the other template version, e.g. 本年处理决定数量 vs 处理决定数量).
pub fn find_def(
    table: &str,
    row: &str,
    column: &str,
    row_label: &str,
    column_label: &str,
) -> Option<u16> {
    let i = cell_defs().iter().position(|d| {
        (d.table, d.row, d.column, d.row_label, d.column_label)
            == (table, row, column, row_label, column_label)
    })?;
    u16::try_from(i).ok()
}

/// One row of `cells`: one value of one table of one report (`report` indexes
/// [`Tables::reports`], which carries the source and metadata; `def` indexes [`cell_defs`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CellRow {
    pub report: u32,
    pub def: u16,
    pub value: Option<f64>,
    /// Where the value was printed.
    pub loc: Option<Loc>,
}

impl CellRow {
    pub fn def(&self) -> &'static CellDef {
        &cell_defs()[usize::from(self.def)]
    }

    pub fn report(&self) -> usize {
        self.report as usize
    }

    /// Where the value was printed, e.g. `table 3 row 7 col 4`.
    pub fn source_cell(&self) -> Option<String> {
        self.loc.map(|l| l.to_string())
    }
}

/// One row of `findings` (`report` indexes [`Tables::reports`]).
#[derive(Debug, Clone, PartialEq)]
pub struct FindingRow {
    pub report: usize,
    pub finding: Finding,
}

/// One row of `comparison`: a city's metrics in one year.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRow {
    pub year: i32,
    pub city: String,
    pub adcode: String,
    pub body: Option<String>,
    pub population: Option<u64>,
    pub data_origin: String,
    pub source_url: String,
    /// `METRICS` values in order.
    pub values: Vec<Option<f64>>,
    /// Count metrics per 100,000 residents (`None` for rates).
    pub per_100k: Vec<Option<f64>>,
    /// Rank among the cities of the year, 1 = highest; ties share the lower rank.
    pub ranks: Vec<Option<u32>>,
}

/// One row of `trends`.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendRow {
    pub city: String,
    pub adcode: String,
    pub year: i32,
    pub metric: &'static str,
    pub metric_label: &'static str,
    pub value: Option<f64>,
    pub previous: Option<f64>,
    pub change: Option<f64>,
    pub data_origin: String,
}

/// Every table of one aggregation.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    pub reports: Vec<ReportRow>,
    pub cells: Vec<CellRow>,
    pub findings: Vec<FindingRow>,
    pub comparison: Vec<ComparisonRow>,
    pub trends: Vec<TrendRow>,
    /// Inputs dropped as copies of another report (same digest, or same body, year and values).
    pub duplicates: usize,
}

/// Build every table from the parsed reports of an archive.
pub fn aggregate(mut inputs: Vec<Input>, cities: &[City]) -> Tables {
    inputs.sort_by(|a, b| {
        (&a.meta.city, a.report.year, &a.meta.url).cmp(&(&b.meta.city, b.report.year, &b.meta.url))
    });
    let before = inputs.len();
    let inputs = dedupe(inputs);
    let duplicates = before - inputs.len();
    let chosen = comparison_choice(&inputs);
    let mut tables = Tables {
        duplicates,
        ..Tables::default()
    };
    for (i, input) in inputs.iter().enumerate() {
        tables.reports.push(report_row(input, chosen.contains(&i)));
        tables.cells.extend(cell_rows(i, &input.report));
        tables
            .findings
            .extend(input.report.findings.iter().map(|f| FindingRow {
                report: i,
                finding: f.clone(),
            }));
    }
    tables.findings.extend(cross_year_findings(&inputs));
    tables.comparison = comparison(&inputs, &chosen, cities);
    tables.trends = trends(&tables.comparison);
    // Reports are already in (city, year, url) order: sorting by index keeps that order.
    tables
        .findings
        .sort_by(|a, b| (a.report, &a.finding.rule).cmp(&(b.report, &b.finding.rule)));
    tables
}

/// Drop copies: the same bytes (digest), or the same body and year with the same values.
fn dedupe(inputs: Vec<Input>) -> Vec<Input> {
    let mut seen_digest = BTreeSet::new();
    let mut seen_values = BTreeSet::new();
    inputs
        .into_iter()
        .filter(|i| {
            if !i.meta.sha256.is_empty() && !seen_digest.insert(i.meta.sha256.clone()) {
                return false;
            }
            let has_tables = i.report.table3.is_some() || i.report.table4.is_some();
            if !has_tables || i.report.year.is_none() {
                return true;
            }
            let j = i.report.to_json();
            let key = (
                i.meta.city.clone(),
                i.report.body.clone(),
                i.report.year,
                j["table2"].to_string() + &j["table3"].to_string() + &j["table4"].to_string(),
            );
            seen_values.insert(key)
        })
        .collect()
}

/// Per (city, year): the index of the report used in the comparison — the city government's
/// own report with table 三, the first by URL when several qualify.
fn comparison_choice(inputs: &[Input]) -> BTreeSet<usize> {
    let mut best: BTreeMap<(String, i32), usize> = BTreeMap::new();
    for (i, input) in inputs.iter().enumerate() {
        let Some(year) = input.report.year else {
            continue;
        };
        if !input.meta.city_government || input.report.table3.is_none() {
            continue;
        }
        best.entry((input.meta.adcode.clone(), year)).or_insert(i);
    }
    best.into_values().collect()
}

fn report_row(input: &Input, in_comparison: bool) -> ReportRow {
    let r = &input.report;
    let read: Vec<&str> = [
        ("二", r.table2.is_some()),
        ("三", r.table3.is_some()),
        ("四", r.table4.is_some()),
    ]
    .iter()
    .filter(|(_, ok)| *ok)
    .map(|(n, _)| *n)
    .collect();
    let (errors, warnings, infos) = r.finding_counts();
    ReportRow {
        meta: input.meta.clone(),
        body: r.body.clone(),
        year: r.year,
        template: r.template.map(|t| t.as_str().to_string()),
        tables_read: read.join(","),
        errors,
        warnings,
        infos,
        encoding: r.encoding.clone(),
        in_comparison,
    }
}

fn num(v: Option<Num>) -> Option<f64> {
    v.map(Num::as_f64)
}

/// Definition indices of every cell the mapper writes, looked up once: table 二 per template
/// version, item and measure; the bases of tables 三 and 四 (their cells are contiguous).
struct DefIndex {
    table2: [Vec<Vec<u16>>; 2],
    table3: u16,
    table4: u16,
}

fn def_index() -> &'static DefIndex {
    static INDEX: std::sync::OnceLock<DefIndex> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let t2 = |t: Template| -> Vec<Vec<u16>> {
            table2_items(t)
                .iter()
                .map(|item| {
                    item.measures
                        .iter()
                        .map(|(m, l)| {
                            find_def("table2", item.key, m, item.labels[0], l).unwrap_or(0)
                        })
                        .collect()
                })
                .collect()
        };
        let (r3, c3) = (T3_ROWS[0], T3_COLUMNS[0]);
        let (g4, o4) = (T4_GROUPS[0], T4_OUTCOMES[0]);
        DefIndex {
            table2: [t2(Template::V2019), t2(Template::V2021)],
            table3: find_def("table3", r3.0, c3.0, r3.1, c3.1).unwrap_or(0),
            table4: find_def("table4", g4.0, o4.0, g4.1, o4.1).unwrap_or(0),
        }
    })
}

fn cell_rows(report: usize, r: &Report) -> Vec<CellRow> {
    let report = u32::try_from(report).unwrap_or(u32::MAX);
    let defs = def_index();
    let loc = |path: &dyn Fn() -> String| -> Option<Loc> {
        if r.sources.is_empty() {
            None
        } else {
            r.sources.get(&path()).map(|s| s.loc)
        }
    };
    let mut out = Vec::new();
    if let Some(t2) = &r.table2 {
        let version = usize::from(t2.template == Template::V2021);
        for ((item, values), ids) in table2_items(t2.template)
            .iter()
            .zip(&t2.values)
            .zip(&defs.table2[version])
        {
            for (((m, _), v), &def) in item.measures.iter().zip(values).zip(ids) {
                let loc = loc(&|| format!("table2.{}.{m}", item.key));
                out.push(CellRow {
                    report,
                    def,
                    value: num(*v),
                    loc,
                });
            }
        }
    }
    if let Some(t3) = &r.table3 {
        for (ri, ((row, _), values)) in T3_ROWS.iter().zip(t3).enumerate() {
            for (ci, ((col, _), v)) in T3_COLUMNS.iter().zip(values).enumerate() {
                let def = defs.table3 + u16::try_from(ri * 7 + ci).unwrap_or(0);
                let loc = loc(&|| format!("table3.{row}.{col}"));
                out.push(CellRow {
                    report,
                    def,
                    value: num(*v),
                    loc,
                });
            }
        }
    }
    if let Some(t4) = &r.table4 {
        for (gi, ((g, _), values)) in T4_GROUPS.iter().zip(t4).enumerate() {
            for (oi, ((o, _), v)) in T4_OUTCOMES.iter().zip(values).enumerate() {
                let def = defs.table4 + u16::try_from(gi * 5 + oi).unwrap_or(0);
                let loc = loc(&|| format!("table4.{g}.{o}"));
                out.push(CellRow {
                    report,
                    def,
                    value: num(*v),
                    loc,
                });
            }
        }
    }
    out
}

/// T3-5 and the table 二 carry-over heuristics between consecutive years of one body, reported
/// on the later year's report.
fn cross_year_findings(inputs: &[Input]) -> Vec<FindingRow> {
    let mut by_body: BTreeMap<(String, String), BTreeMap<i32, usize>> = BTreeMap::new();
    for (i, input) in inputs.iter().enumerate() {
        let (Some(year), Some(body)) = (input.report.year, input.report.body.clone()) else {
            continue;
        };
        by_body
            .entry((input.meta.adcode.clone(), body))
            .or_default()
            .entry(year)
            .or_insert(i);
    }
    let mut out = Vec::new();
    for years in by_body.values() {
        for (year, &cur) in years {
            let Some(&prev) = years.get(&(year - 1)) else {
                continue;
            };
            let found = validate::cross_year(&inputs[prev].report, &inputs[cur].report);
            out.extend(found.into_iter().map(|finding| FindingRow {
                report: cur,
                finding,
            }));
        }
    }
    out
}

fn comparison(inputs: &[Input], chosen: &BTreeSet<usize>, cities: &[City]) -> Vec<ComparisonRow> {
    let population = |adcode: &str| {
        cities
            .iter()
            .find(|c| c.adcode == adcode)
            .and_then(|c| c.population)
    };
    let mut rows: Vec<ComparisonRow> = chosen
        .iter()
        .filter_map(|&i| {
            let input = &inputs[i];
            let year = input.report.year?;
            let values = metrics::compute(&input.report).to_vec();
            let pop = population(&input.meta.adcode);
            let per_100k = METRICS
                .iter()
                .zip(&values)
                .map(|(m, v)| match (m.is_rate, v, pop) {
                    (false, Some(v), Some(p)) if p > 0 => Some(v * 100_000.0 / p as f64),
                    _ => None,
                })
                .collect();
            Some(ComparisonRow {
                year,
                city: input.meta.city.clone(),
                adcode: input.meta.adcode.clone(),
                body: input.report.body.clone(),
                population: pop,
                data_origin: input.meta.data_origin.clone(),
                source_url: input.meta.url.clone(),
                values,
                per_100k,
                ranks: Vec::new(),
            })
        })
        .collect();
    rows.sort_by(|a, b| (a.year, &a.adcode).cmp(&(b.year, &b.adcode)));
    rank_within_years(&mut rows);
    rows
}

fn trends(comparison: &[ComparisonRow]) -> Vec<TrendRow> {
    let mut by_city: BTreeMap<&str, BTreeMap<i32, &ComparisonRow>> = BTreeMap::new();
    for row in comparison {
        by_city
            .entry(&row.adcode)
            .or_default()
            .insert(row.year, row);
    }
    let mut out = Vec::new();
    for years in by_city.values() {
        for (year, row) in years {
            let prev = years.get(&(year - 1));
            for (k, m) in METRICS.iter().enumerate() {
                let value = row.values[k];
                let previous = prev.and_then(|p| p.values[k]);
                out.push(TrendRow {
                    city: row.city.clone(),
                    adcode: row.adcode.clone(),
                    year: *year,
                    metric: m.key,
                    metric_label: m.label,
                    value,
                    previous,
                    change: value.zip(previous).map(|(v, p)| v - p),
                    data_origin: row.data_origin.clone(),
                });
            }
        }
    }
    out
}

/// Counts of findings by severity over the whole aggregation: (errors, warnings, infos).
pub fn severity_counts(findings: &[FindingRow]) -> (usize, usize, usize) {
    let c = |s| findings.iter().filter(|f| f.finding.severity == s).count();
    (c(Severity::Error), c(Severity::Warning), c(Severity::Info))
}

/// Rank each metric among the cities of a year: 1 = highest value, ties share the lower rank
/// ("min" ranking), no value → no rank.
fn rank_within_years(rows: &mut [ComparisonRow]) {
    let years: BTreeSet<i32> = rows.iter().map(|r| r.year).collect();
    for row in rows.iter_mut() {
        row.ranks = vec![None; METRICS.len()];
    }
    for year in years {
        for k in 0..METRICS.len() {
            let values: Vec<f64> = rows
                .iter()
                .filter(|r| r.year == year)
                .filter_map(|r| r.values[k])
                .collect();
            for row in rows.iter_mut().filter(|r| r.year == year) {
                row.ranks[k] =
                    row.values[k].map(|v| 1 + values.iter().filter(|&&o| o > v).count() as u32);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(adcode: &str, v: Option<f64>) -> ComparisonRow {
        ComparisonRow {
            year: 2021,
            city: adcode.into(),
            adcode: adcode.into(),
            body: None,
            population: None,
            data_origin: "synthetic-demo".into(),
            source_url: String::new(),
            values: vec![v; METRICS.len()],
            per_100k: vec![None; METRICS.len()],
            ranks: vec![],
        }
    }

    #[test]
    fn ranks_share_ties_and_skip_nulls() {
        let mut rows = vec![
            row("a", Some(5.0)),
            row("b", Some(9.0)),
            row("c", Some(5.0)),
            row("d", None),
        ];
        rank_within_years(&mut rows);
        let ranks: Vec<Option<u32>> = rows.iter().map(|r| r.ranks[0]).collect();
        assert_eq!(ranks, [Some(2), Some(1), Some(2), None]);
    }
}
