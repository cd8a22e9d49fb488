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

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

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
    /// Where each cell was printed, in the order of the report's `cells` rows. Filled by
    /// [`Input::new`] from `report.sources`, whose strings it then drops: an archive of 10^5
    /// reports must not hold 10^7 path strings.
    pub locs: Vec<CellLoc>,
}

impl Input {
    /// An input whose source locations are packed (and `report.sources` emptied).
    pub fn new(meta: SourceMeta, mut report: Report) -> Input {
        let mut locs = Vec::new();
        if !report.sources.is_empty() {
            walk_cells(&report, &mut |_, path, _| {
                locs.push(CellLoc::new(report.sources.get(&path()).map(|s| s.loc)));
            });
            report.sources.clear();
        }
        Input { meta, report, locs }
    }
}

/// A [`Loc`] packed into 8 bytes (`cells` has a row per printed value): 2 bits of kind, then
/// 20 bits of table or page and 21 bits each of row and column, or 62 bits of line. A
/// location too large to pack is stored as unknown rather than made up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CellLoc(u64);

impl CellLoc {
    const KIND: u32 = 62;

    pub fn new(loc: Option<Loc>) -> CellLoc {
        let three = |kind: u64, a: u32, row: u32, col: u32| {
            let fits = a < 1 << 20 && row < 1 << 21 && col < 1 << 21;
            let packed = (kind << Self::KIND)
                | (u64::from(a) << 42)
                | (u64::from(row) << 21)
                | u64::from(col);
            CellLoc(if fits { packed } else { 0 })
        };
        match loc {
            None => CellLoc(0),
            Some(Loc::Line { line }) => CellLoc((1 << Self::KIND) | u64::from(line)),
            Some(Loc::Table { table, row, col }) => three(2, table, row, col),
            Some(Loc::Page { page, row, col }) => three(3, page, row, col),
        }
    }

    pub fn get(self) -> Option<Loc> {
        let bits = |shift: u32, width: u32| ((self.0 >> shift) & ((1 << width) - 1)) as u32;
        let (a, row, col) = (bits(42, 20), bits(21, 21), bits(0, 21));
        match self.0 >> Self::KIND {
            1 => Some(Loc::Line { line: bits(0, 32) }),
            2 => Some(Loc::Table { table: a, row, col }),
            3 => Some(Loc::Page { page: a, row, col }),
            _ => None,
        }
    }
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
/// 24 bytes: `cells` has a row per printed value, 2 × 10^7 rows for 10^5 reports.
#[derive(Debug, Clone, PartialEq)]
pub struct CellRow {
    value: f64,
    /// Where the value was printed.
    pub loc: CellLoc,
    pub report: u32,
    pub def: u16,
    blank: bool,
}

impl CellRow {
    pub fn new(report: u32, def: u16, value: Option<f64>, loc: CellLoc) -> CellRow {
        CellRow {
            value: value.unwrap_or(0.0),
            loc,
            report,
            def,
            blank: value.is_none(),
        }
    }

    /// The value; `None` where the cell was left blank.
    pub fn value(&self) -> Option<f64> {
        (!self.blank).then_some(self.value)
    }

    pub fn def(&self) -> &'static CellDef {
        &cell_defs()[usize::from(self.def)]
    }

    pub fn report(&self) -> usize {
        self.report as usize
    }

    /// Where the value was printed, e.g. `table 3 row 7 col 4`.
    pub fn source_cell(&self) -> Option<String> {
        self.loc.get().map(|l| l.to_string())
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
    tables.findings = cross_year_findings(&inputs);
    tables.comparison = comparison(&inputs, &chosen, cities);
    tables.trends = trends(&tables.comparison);
    // The cells outnumber everything else: reserve them once, and drop each report as soon as
    // its rows are out, so the reports and their cells are not both held in full.
    let cells: usize = inputs.iter().map(|i| cell_count(&i.report)).sum();
    tables.cells.reserve_exact(cells);
    tables.reports.reserve_exact(inputs.len());
    for (i, input) in inputs.into_iter().enumerate() {
        tables.reports.push(report_row(&input, chosen.contains(&i)));
        push_cell_rows(&mut tables.cells, i, &input);
        tables.findings.extend(
            input
                .report
                .findings
                .into_iter()
                .map(|finding| FindingRow { report: i, finding }),
        );
    }
    // Reports are already in (city, year, url) order: sorting by index keeps that order.
    tables
        .findings
        .sort_by(|a, b| (a.report, &a.finding.rule).cmp(&(b.report, &b.finding.rule)));
    tables
}

/// Drop copies: the same bytes (digest), or the same body and year with the same values.
/// Values are bucketed by a hash and then compared exactly, so two reports that merely share
/// a hash are both kept.
fn dedupe(inputs: Vec<Input>) -> Vec<Input> {
    let mut seen_digest = HashSet::new();
    let mut by_values: HashMap<(String, Option<String>, i32, u64), Vec<usize>> = HashMap::new();
    let mut kept: Vec<Input> = Vec::with_capacity(inputs.len());
    for input in inputs {
        if !input.meta.sha256.is_empty() && !seen_digest.insert(input.meta.sha256.clone()) {
            continue;
        }
        let r = &input.report;
        let has_tables = r.table3.is_some() || r.table4.is_some();
        if let (Some(year), true) = (r.year, has_tables) {
            let key = (
                input.meta.city.clone(),
                r.body.clone(),
                year,
                values_hash(r),
            );
            let same = by_values.entry(key).or_default();
            if same.iter().any(|&k| same_values(&kept[k].report, r)) {
                continue;
            }
            same.push(kept.len());
        }
        kept.push(input);
    }
    kept
}

fn same_values(a: &Report, b: &Report) -> bool {
    a.table2 == b.table2 && a.table3 == b.table3 && a.table4 == b.table4
}

/// A hash of the values of tables 二, 三 and 四 (for bucketing; equality is checked exactly).
fn values_hash(r: &Report) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut put = |v: &Option<Num>| match v {
        None => 0u8.hash(&mut h),
        Some(Num::Int(i)) => (1u8, i).hash(&mut h),
        Some(Num::Dec(d)) => (2u8, d.to_bits()).hash(&mut h),
    };
    if let Some(t2) = &r.table2 {
        t2.values.iter().flatten().for_each(&mut put);
    }
    r.table3.iter().flatten().flatten().for_each(&mut put);
    r.table4.iter().flatten().flatten().for_each(&mut put);
    h.finish()
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

/// Called with a cell's definition index, its `Report::sources` path and its value.
type CellVisitor<'a> = dyn FnMut(u16, &dyn Fn() -> String, Option<Num>) + 'a;

/// Visit every cell of a report's tables in `cells` order: its definition index, its path in
/// `Report::sources` (built only when asked for) and its value.
fn walk_cells(r: &Report, f: &mut CellVisitor) {
    let defs = def_index();
    if let Some(t2) = &r.table2 {
        let version = usize::from(t2.template == Template::V2021);
        for ((item, values), ids) in table2_items(t2.template)
            .iter()
            .zip(&t2.values)
            .zip(&defs.table2[version])
        {
            for (((m, _), v), &def) in item.measures.iter().zip(values).zip(ids) {
                f(def, &|| format!("table2.{}.{m}", item.key), *v);
            }
        }
    }
    if let Some(t3) = &r.table3 {
        for (ri, ((row, _), values)) in T3_ROWS.iter().zip(t3).enumerate() {
            for (ci, ((col, _), v)) in T3_COLUMNS.iter().zip(values).enumerate() {
                let def = defs.table3 + u16::try_from(ri * 7 + ci).unwrap_or(0);
                f(def, &|| format!("table3.{row}.{col}"), *v);
            }
        }
    }
    if let Some(t4) = &r.table4 {
        for (gi, ((g, _), values)) in T4_GROUPS.iter().zip(t4).enumerate() {
            for (oi, ((o, _), v)) in T4_OUTCOMES.iter().zip(values).enumerate() {
                let def = defs.table4 + u16::try_from(gi * 5 + oi).unwrap_or(0);
                f(def, &|| format!("table4.{g}.{o}"), *v);
            }
        }
    }
}

fn cell_count(r: &Report) -> usize {
    let mut n = 0;
    walk_cells(r, &mut |_, _, _| n += 1);
    n
}

fn push_cell_rows(out: &mut Vec<CellRow>, report: usize, input: &Input) {
    let report = u32::try_from(report).unwrap_or(u32::MAX);
    let mut k = 0;
    walk_cells(&input.report, &mut |def, _, v| {
        let loc = input.locs.get(k).copied().unwrap_or_default();
        out.push(CellRow::new(report, def, num(v), loc));
        k += 1;
    });
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
    fn locations_pack_and_unpack_and_overflow_is_unknown() {
        for loc in [
            Loc::Line { line: 1 },
            Loc::Line { line: u32::MAX },
            Loc::Table {
                table: 3,
                row: 27,
                col: 8,
            },
            Loc::Page {
                page: (1 << 20) - 1,
                row: (1 << 21) - 1,
                col: (1 << 21) - 1,
            },
        ] {
            assert_eq!(CellLoc::new(Some(loc)).get(), Some(loc));
        }
        assert_eq!(CellLoc::new(None).get(), None);
        let huge = Loc::Page {
            page: 1 << 20,
            row: 1,
            col: 1,
        };
        assert_eq!(CellLoc::new(Some(huge)).get(), None);
        assert_eq!(std::mem::size_of::<CellRow>(), 24);
    }

    #[test]
    fn blank_cells_stay_blank_and_zero_stays_zero() {
        assert_eq!(CellRow::new(0, 0, None, CellLoc::default()).value(), None);
        assert_eq!(
            CellRow::new(0, 0, Some(0.0), CellLoc::default()).value(),
            Some(0.0)
        );
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
