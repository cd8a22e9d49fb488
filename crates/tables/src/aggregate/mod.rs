//! Parsed reports (with where they came from) → the analyst's tables: `cells` (tidy long form),
//! `reports`, `findings` (including the cross-year T3-5 check), and the comparisons of every
//! level ([`Scope`]: city governments, like departments, counties, whole cities) with the
//! metrics of `config/metrics.toml` (or `--metrics`), per 100,000 residents, ranks and
//! year-over-year trends, computed by the polars stage ([`stage`]). Deterministic: every table is
//! sorted before it is returned. No I/O; [`frames`] and `export` write the files.

pub mod corrections;
pub mod coverage;
pub mod explain;
pub mod formula;
pub mod frames;
pub mod load;
pub mod metrics;
pub mod output;
mod sheets;
pub mod sources;
pub mod stage;
pub mod units;
pub mod view;

use std::collections::{BTreeMap, HashMap, HashSet};

use metrics::MetricSet;
use nianbao_model::document::Loc;
use nianbao_model::report::{CellRef, Finding, Num, Report, Severity, TableId};
use nianbao_model::template::{
    table2_items, Template, T3_COLUMNS, T3_ROWS, T4_GROUPS, T4_OUTCOMES,
};
use nianbao_model::validate;

pub use crate::bodies::Level;
pub use stage::{Options, Scope, StageError};
pub use units::CellUnit;

/// Where a report came from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceMeta {
    /// The city the report was harvested for, as the config names it, e.g. `贵港市`.
    pub city: String,
    /// The city's six-digit administrative division code (行政区划代码); empty when the city is
    /// not in the config.
    pub adcode: String,
    /// Stable id of the report ([`crate::bodies::report_id`]): every table's rows of one report
    /// carry it.
    pub report_id: String,
    /// The level of government of the body that published the report.
    pub level: Level,
    /// For a department: its normalised kind (`config/bodies.toml`), e.g. `自然资源局`.
    pub department: Option<String>,
    /// For a county-level body: its county, district or county-level city, e.g. `港北区`.
    pub county: Option<String>,
    /// URL of the capture the values were printed in: the report page, or the PDF/DOCX
    /// attachment its tables were read from.
    pub url: String,
    /// `WARC-Record-ID` of that capture's response record; empty when unknown.
    pub warc_record_id: String,
    /// SHA-256 (hex) of that capture's decoded payload; empty when unknown. Inputs with the same
    /// digest are dropped as copies.
    pub sha256: String,
    /// When that capture was fetched (its WARC-Date, ISO 8601 UTC); empty when unknown.
    pub fetch_time: String,
    /// `published` or `synthetic-demo`.
    pub data_origin: String,
}

impl SourceMeta {
    /// The city government's own report (as opposed to a department's or a county's).
    pub fn is_city_government(&self) -> bool {
        self.level == Level::CityGovernment
    }
}

/// One parsed report and its source.
#[derive(Debug, Clone)]
pub struct Input {
    /// Where the report came from.
    pub meta: SourceMeta,
    /// The parsed report (its `sources` emptied by [`Input::new`]).
    pub report: Report,
    /// Where each cell was printed, in the order of the report's `cells` rows. Filled by
    /// [`Input::new`] from `report.sources`, whose strings it then drops: an archive of 10^5
    /// reports must not hold 10^7 path strings.
    pub locs: Vec<CellLoc>,
    /// The texts as published that [`CellRow::printed`] cannot rebuild from the value, by
    /// definition index (see [`ReportRow::printed`]).
    pub printed: Vec<(u16, Option<Box<str>>)>,
    /// The report came with its printed texts (`report.sources`).
    pub printed_known: bool,
    /// Definition indices of the cells a correction replaced ([`Input::correct`]), sorted.
    pub corrected: Vec<u16>,
    /// How the values read by OCR from a scan were read, by definition index, sorted.
    pub ocr: Vec<(u16, CellOcr)>,
}

/// How a value was read by OCR, as the `cells` table keeps it (`ocr_confidence`,
/// `ocr_corrected`, `ocr_narrative`, `ocr_box`); the page is in `source_cell`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellOcr {
    /// The recogniser's probability of the value, 0–1.
    pub confidence: f32,
    /// The template's identities chose a reading other than the most probable one.
    pub corrected: bool,
    /// The report's narrative states this figure and it equals the value (table 二).
    pub narrative: bool,
    /// The cell's box on the (deskewed) page image in pixels: left, top, width, height;
    /// `None` when read from a set written before the box was kept.
    pub bbox: Option<[u32; 4]>,
}

impl CellOcr {
    /// The box as the `ocr_box` column writes it: `left,top,width,height`.
    pub fn box_text(&self) -> Option<String> {
        self.bbox.map(|[x, y, w, h]| format!("{x},{y},{w},{h}"))
    }

    /// Parse [`CellOcr::box_text`]'s form; `None` unless it is four numbers.
    pub fn parse_box(text: &str) -> Option<[u32; 4]> {
        let n: Vec<u32> = text
            .split(',')
            .map(|p| p.trim().parse().ok())
            .collect::<Option<_>>()?;
        n.try_into().ok()
    }
}

impl Input {
    /// Apply the corrections of this report ([`corrections::apply`]): each cell keeps its text
    /// as published in `printed`, and is listed in `corrected`. On error, the index of the
    /// correction at fault and why.
    pub fn correct(&mut self, cs: &[&corrections::Correction]) -> Result<(), (usize, String)> {
        let mut before: Vec<(u16, Option<Num>)> = Vec::new();
        walk_cells(&self.report, |def, cell, v| {
            if cs.iter().any(|c| c.cell == cell.path()) {
                before.push((def, v));
            }
        });
        corrections::apply(&mut self.report, cs)?;
        for (def, v) in before {
            if let Err(at) = self.corrected.binary_search(&def) {
                self.corrected.insert(at, def);
            }
            // A count printed as its own digits had no entry: its text must now be kept.
            if self.printed_known {
                if let Err(at) = self.printed.binary_search_by_key(&def, |(d, _)| *d) {
                    let text = v.map(|n| n.to_string().into_boxed_str());
                    self.printed.insert(at, (def, text));
                }
            }
        }
        Ok(())
    }

    /// An input whose source locations are packed, whose printed texts are kept only where
    /// they differ from the value's own text (and `report.sources` emptied).
    pub fn new(meta: SourceMeta, mut report: Report) -> Input {
        let mut locs = Vec::new();
        let mut printed = Vec::new();
        let mut ocr = Vec::new();
        let printed_known = !report.sources.is_empty();
        if printed_known {
            let defs = cell_defs();
            walk_cells(&report, |def, cell, v| {
                let source = report.sources.get(&cell.path());
                locs.push(CellLoc::new(source.map(|s| s.loc)));
                if let Some(m) = source.and_then(|s| s.ocr) {
                    ocr.push((
                        def,
                        CellOcr {
                            confidence: m.confidence,
                            corrected: m.corrected,
                            narrative: m.narrative,
                            bbox: Some(m.bbox),
                        },
                    ));
                }
                let text = source.map(|s| s.printed.as_str());
                let money = units::money_column(&defs[usize::from(def)]).is_some();
                let rebuilt = match v {
                    Some(Num::Int(i)) if !money => Some(i.to_string()),
                    _ => None,
                };
                if text != rebuilt.as_deref() {
                    printed.push((def, text.map(Box::from)));
                }
            });
            report.sources.clear();
            printed.sort_by_key(|(d, _)| *d);
            ocr.sort_by_key(|(d, _)| *d);
        }
        Input {
            meta,
            report,
            locs,
            printed,
            printed_known,
            corrected: Vec::new(),
            ocr,
        }
    }

    fn printed_text(&self, def: u16) -> Option<&str> {
        let k = self.printed.binary_search_by_key(&def, |(d, _)| *d).ok()?;
        self.printed[k].1.as_deref()
    }
}

/// A [`Loc`] packed into 8 bytes (`cells` has a row per printed value): 2 bits of kind, then
/// 20 bits of table or page and 21 bits each of row and column, or 62 bits of line. A
/// location too large to pack is stored as unknown rather than made up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CellLoc(u64);

impl CellLoc {
    const KIND: u32 = 62;

    /// Pack a location; `None`, or a location too large to pack, becomes unknown.
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

    /// The packed location; `None` when unknown.
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

pub use nianbao_model::City;

/// One row of `reports`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    /// Where the report came from (the source columns, its id, level and department).
    pub meta: SourceMeta,
    /// The publishing body (发布机关) the report names; `None` when it names none.
    pub body: Option<String>,
    /// The report year; `None` when it could not be read.
    pub year: Option<i32>,
    /// The template version, `2019` or `2021`; `None` when not recognised.
    pub template: Option<String>,
    /// Which of tables 二, 三 and 四 were read, comma-separated (e.g. `二,三,四`); empty when
    /// none.
    pub tables_read: String,
    /// Findings of severity `error` in the report itself (the cross-year findings of `findings`
    /// are not counted).
    pub errors: usize,
    /// Findings of severity `warning` in the report itself.
    pub warnings: usize,
    /// Findings of severity `info` in the report itself.
    pub infos: usize,
    /// How the file was read: `PDF`, `DOCX`, or the decoding of a page, e.g. `GBK (meta)`;
    /// `None` when not recorded.
    pub encoding: Option<String>,
    /// Used for the city comparison of its year.
    pub in_comparison: bool,
    /// The texts of its cells as published where they differ from the value's own text (a
    /// count printed `1,200,631`, a blank printed `-`, every money cell), and `None` for a
    /// value that was not printed; by definition index, sorted. See [`CellRow::printed`].
    pub printed: Vec<(u16, Option<Box<str>>)>,
    /// The report's printed texts are known (a count without an entry in `printed` was
    /// printed as its own digits).
    pub printed_known: bool,
    /// Definition indices of its cells replaced by a correction (`data_origin = corrected`
    /// in `cells`), sorted.
    pub corrected: Vec<u16>,
    /// How its values read by OCR were read, by definition index, sorted (see [`CellOcr`]).
    pub ocr: Vec<(u16, CellOcr)>,
}

/// One cell of the template: table, row and column keys and their printed labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellDef {
    /// The table: `table2`, `table3` or `table4`.
    pub table: &'static str,
    /// The row's schema key, e.g. `new_received` (table 二: the item).
    pub row: &'static str,
    /// The column's schema key, e.g. `total` (table 二: the measure).
    pub column: &'static str,
    /// The row's Chinese label as the template prints it.
    pub row_label: &'static str,
    /// The column's Chinese label as the template prints it.
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
    /// A count, or money in 分 ([`CellUnit::TenThousandYuan`]).
    value: i64,
    /// Where the value was printed.
    pub loc: CellLoc,
    /// Index of the value's report in [`Tables::reports`] (see [`CellRow::report`]).
    pub report: u32,
    /// Index of the value's template cell in [`cell_defs`] (see [`CellRow::def`]).
    pub def: u16,
    blank: bool,
    unit: CellUnit,
}

impl CellRow {
    /// A row for `value` (`None` for a blank cell, or money of unknown unit) of template cell
    /// `def` of report `report`: a count, or for [`CellUnit::TenThousandYuan`] an amount in 分.
    pub fn new(report: u32, def: u16, value: Option<i64>, unit: CellUnit, loc: CellLoc) -> CellRow {
        CellRow {
            value: value.unwrap_or(0),
            loc,
            report,
            def,
            blank: value.is_none(),
            unit,
        }
    }

    /// The count or the amount in 分, as stored; `None` where blank or of unknown unit.
    pub fn raw(&self) -> Option<i64> {
        (!self.blank).then_some(self.value)
    }

    /// The value's unit.
    pub fn unit(&self) -> CellUnit {
        self.unit
    }

    /// The count (the `value` column); `None` where blank or for money.
    pub fn count(&self) -> Option<i64> {
        self.raw().filter(|_| self.unit == CellUnit::Count)
    }

    /// The amount in 分 (the `amount_fen` column); `None` where blank, for a count, or for
    /// money of unknown unit.
    pub fn amount_fen(&self) -> Option<i64> {
        self.raw()
            .filter(|_| self.unit == CellUnit::TenThousandYuan)
    }

    /// The value as a number: a count, or money in 万元 (the nearest `f64` to the exact
    /// amount); `None` where blank or of unknown unit.
    pub fn value(&self) -> Option<f64> {
        match self.unit {
            CellUnit::Count => self.count().map(|v| v as f64),
            CellUnit::TenThousandYuan => self
                .amount_fen()
                .map(|f| f as f64 / units::FEN_PER_WAN as f64),
            CellUnit::Unknown => None,
        }
    }

    /// The template cell: table, row and column keys and labels.
    pub fn def(&self) -> &'static CellDef {
        &cell_defs()[usize::from(self.def)]
    }

    /// The index of the value's report in [`Tables::reports`].
    pub fn report(&self) -> usize {
        self.report as usize
    }

    /// Where the value was printed, e.g. `table 3 row 7 col 4`.
    pub fn source_cell(&self) -> Option<String> {
        self.loc.get().map(|l| l.to_string())
    }

    /// How the value was read by OCR; `None` for a value read from text.
    pub fn ocr(&self, report: &ReportRow) -> Option<CellOcr> {
        let k = report
            .ocr
            .binary_search_by_key(&self.def, |(d, _)| *d)
            .ok()?;
        Some(report.ocr[k].1)
    }

    /// The row's `data_origin`: `corrected` for a value a correction replaced, else its
    /// report's.
    pub fn data_origin<'a>(&self, report: &'a ReportRow) -> &'a str {
        if report.corrected.binary_search(&self.def).is_ok() {
            corrections::CORRECTED
        } else {
            &report.meta.data_origin
        }
    }

    /// The text of the cell exactly as published (see [`ReportRow::printed`]); `None` when
    /// nothing was printed there or the report's texts are not known.
    pub fn printed<'a>(&self, report: &'a ReportRow) -> Option<std::borrow::Cow<'a, str>> {
        if let Ok(k) = report.printed.binary_search_by_key(&self.def, |(d, _)| *d) {
            return report.printed[k]
                .1
                .as_deref()
                .map(std::borrow::Cow::Borrowed);
        }
        if !report.printed_known {
            return None;
        }
        self.count().map(|v| std::borrow::Cow::Owned(v.to_string()))
    }
}

/// One row of `findings` (`report` indexes [`Tables::reports`]).
#[derive(Debug, Clone, PartialEq)]
pub struct FindingRow {
    /// The report it is reported on (for a cross-year check, the later year's).
    pub report: usize,
    /// Rule, severity, message and the schema paths of the cells concerned.
    pub finding: Finding,
}

/// One row of a comparison table ([`Scope`]): one city government, department, county or whole
/// city in one year, with every metric of the run's [`MetricSet`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ComparisonRow {
    /// The report year.
    pub year: i32,
    /// The city, as the config names it.
    pub city: String,
    /// The city's six-digit administrative division code.
    pub adcode: String,
    /// The department kind ([`Scope::Departments`]).
    pub department: Option<String>,
    /// The county, district or county-level city ([`Scope::Counties`]).
    pub county: Option<String>,
    /// `found` when the row has a report; for a city government without one, why not
    /// (`missing`, `no_table3`, or what the coverage table says).
    pub status: String,
    /// What `status` means for a row without a report; `None` for a row with one.
    pub reason: Option<String>,
    /// The report compared; `None` for a row without one and for city totals.
    pub report_id: Option<String>,
    /// The publishing body of the report compared; `None` when it names none.
    pub body: Option<String>,
    /// City totals: how many bodies' reports are summed.
    pub bodies: Option<u32>,
    /// Resident population from the city config (2020 census), the denominator of `per_100k`;
    /// `None` when unknown (and for counties).
    pub population: Option<u64>,
    /// `published` or `synthetic-demo` (city totals of both: `published+synthetic-demo`); empty
    /// for a row without a report.
    pub data_origin: String,
    /// URL of the capture the compared report's values were printed in; empty for a row without
    /// a report and for city totals.
    pub source_url: String,
    /// The metrics' values, in the order of [`Tables::metrics`] (rates as fractions).
    pub values: Vec<Option<f64>>,
    /// Each metric per 100,000 residents (`None` for a metric without `per_100k`).
    pub per_100k: Vec<Option<f64>>,
    /// Each metric's rank in its group (1 = best in the metric's direction; ties share the
    /// better rank).
    pub ranks: Vec<Option<u32>>,
    /// Each metric's rank per 100,000 residents, likewise (`None` for a metric without
    /// `per_100k`).
    pub per_100k_ranks: Vec<Option<u32>>,
    /// Whether each metric's value used a total derived by T3-3 (the `derived` column).
    pub derived: Vec<bool>,
}

/// One row of a trends table: one row of a comparison table and one metric, with the value of
/// the year before.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrendRow {
    /// The city, as the config names it.
    pub city: String,
    /// The city's six-digit administrative division code.
    pub adcode: String,
    /// The department kind ([`Scope::Departments`]).
    pub department: Option<String>,
    /// The county ([`Scope::Counties`]).
    pub county: Option<String>,
    /// The year of `value`.
    pub year: i32,
    /// The metric's id, e.g. `disclosure_rate`.
    pub metric: String,
    /// The metric's Chinese name, e.g. `实质公开率`.
    pub metric_label: String,
    /// The metric this year (rates as fractions); `None` when it cannot be computed.
    pub value: Option<f64>,
    /// The metric the year before; `None` when that year has no row or no value.
    pub previous: Option<f64>,
    /// `value - previous` (rates: in fraction points); `None` when either is `None`.
    pub change: Option<f64>,
    /// `value` used a total derived by T3-3.
    pub derived: bool,
    /// `published` or `synthetic-demo`, of this year's row.
    pub data_origin: String,
}

/// One level's comparison table and its trends.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Compared {
    /// The comparison rows, sorted by year and the scope's keys.
    pub rows: Vec<ComparisonRow>,
    /// The trends, sorted by the scope's keys, year and metric order.
    pub trends: Vec<TrendRow>,
}

/// Every table of one aggregation.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    /// One row per report, copies dropped, in (city, year, URL) order.
    pub reports: Vec<ReportRow>,
    /// One row per printed value, in report order, then tables 二, 三, 四 in template order.
    pub cells: Vec<CellRow>,
    /// Every finding, the reports' own and the cross-year ones, sorted by report and rule.
    pub findings: Vec<FindingRow>,
    /// The metrics of the comparisons, in column order.
    pub metrics: MetricSet,
    /// The city governments ([`Scope::CityGovernments`]): one row per configured city and year,
    /// sorted by year and adcode.
    pub comparison: Vec<ComparisonRow>,
    /// The city governments' trends, sorted by adcode, year and metric.
    pub trends: Vec<TrendRow>,
    /// Like departments across cities ([`Scope::Departments`]).
    pub departments: Compared,
    /// County-level governments ([`Scope::Counties`]).
    pub counties: Compared,
    /// Whole cities, all bodies summed ([`Scope::CityTotals`]).
    pub city_totals: Compared,
    /// Inputs dropped as copies of another report (same digest, or same body, year and values).
    pub duplicates: usize,
    /// What became of every city-year and every report found ([`coverage::coverage`]); empty
    /// until the caller, who knows the archive's uncaptured pages and the years asked for,
    /// fills it.
    pub coverage: Vec<coverage::CoverageRow>,
    /// Where the populations of the per-100,000 figures come from (the config's census source,
    /// each named once), cited in the workbook's 说明 sheet; set by [`Tables::compare`].
    pub population_sources: Vec<String>,
}

impl Tables {
    /// The rows and trends of one level.
    pub fn compared(&self, scope: Scope) -> (&[ComparisonRow], &[TrendRow]) {
        let c = match scope {
            Scope::CityGovernments => return (&self.comparison, &self.trends),
            Scope::Departments => &self.departments,
            Scope::Counties => &self.counties,
            Scope::CityTotals => &self.city_totals,
        };
        (&c.rows, &c.trends)
    }

    pub(crate) fn set_compared(&mut self, scope: Scope, compared: Compared) {
        match scope {
            Scope::CityGovernments => {
                self.comparison = compared.rows;
                self.trends = compared.trends;
            }
            Scope::Departments => self.departments = compared,
            Scope::Counties => self.counties = compared,
            Scope::CityTotals => self.city_totals = compared,
        }
    }

    /// Compute every comparison of these tables (their reports and cells) again, with
    /// `options` (the metrics and the coverage); the reports used are marked `in_comparison`.
    pub fn compare(&mut self, cities: &[City], options: &Options) -> Result<(), StageError> {
        self.metrics = options.metrics.clone();
        self.population_sources = cities
            .iter()
            .filter_map(|c| c.population_source.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        stage::run(self, cities, options.coverage.as_ref())
    }
}

/// Build every table from the parsed reports of an archive: the records (`reports`, `cells`,
/// `findings`), then the comparisons of every level with `options`' metrics.
pub fn aggregate(
    mut inputs: Vec<Input>,
    cities: &[City],
    options: &Options,
) -> Result<Tables, StageError> {
    inputs.sort_by(|a, b| {
        (&a.meta.city, a.report.year, &a.meta.url).cmp(&(&b.meta.city, b.report.year, &b.meta.url))
    });
    let before = inputs.len();
    let inputs = dedupe(inputs);
    let duplicates = before - inputs.len();
    let mut tables = Tables {
        duplicates,
        ..Tables::default()
    };
    tables.findings = cross_year_findings(&inputs);
    // The cells outnumber everything else: reserve them once, and drop each report as soon as
    // its rows are out, so the reports and their cells are not both held in full.
    let cells: usize = inputs.iter().map(|i| cell_count(&i.report)).sum();
    tables.cells.reserve_exact(cells);
    tables.reports.reserve_exact(inputs.len());
    for (i, input) in inputs.into_iter().enumerate() {
        tables.reports.push(report_row(&input));
        let unit_findings = push_cell_rows(&mut tables.cells, i, &input);
        tables.findings.extend(
            unit_findings
                .into_iter()
                .map(|finding| FindingRow { report: i, finding }),
        );
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
    tables.compare(cities, options)?;
    Ok(tables)
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

/// The `reports` row of an input (`in_comparison` is set by the comparison stage).
fn report_row(input: &Input) -> ReportRow {
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
        in_comparison: false,
        printed: input.printed.clone(),
        printed_known: input.printed_known,
        corrected: input.corrected.clone(),
        ocr: input.ocr.clone(),
    }
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

/// Visit every cell of a report's tables in `cells` order ([`Report::for_each_cell`]): its
/// definition index, the cell (whose `Report::sources` path is built only when asked for) and
/// its value.
fn walk_cells(r: &Report, mut f: impl FnMut(u16, CellRef, Option<Num>)) {
    let defs = def_index();
    let version = r
        .table2
        .as_ref()
        .map_or(0, |t2| usize::from(t2.template == Template::V2021));
    r.for_each_cell(|cell, v| {
        let def = match cell.table {
            TableId::Table2 => defs.table2[version][cell.row][cell.column],
            TableId::Table3 => defs.table3 + u16::try_from(cell.row * 7 + cell.column).unwrap_or(0),
            TableId::Table4 => defs.table4 + u16::try_from(cell.row * 5 + cell.column).unwrap_or(0),
        };
        f(def, cell, v);
    });
}

fn cell_count(r: &Report) -> usize {
    let mut n = 0;
    walk_cells(r, |_, _, _| n += 1);
    n
}

/// Push a report's rows of `cells`: counts as integers, money converted to 分 exactly
/// ([`units::money`]). Returns the `T-UNIT` findings of the conversions: a value converted from
/// 元 or 亿元, one of unknown unit, one refused.
fn push_cell_rows(out: &mut Vec<CellRow>, report: usize, input: &Input) -> Vec<Finding> {
    let report = u32::try_from(report).unwrap_or(u32::MAX);
    let defs = cell_defs();
    let mut k = 0;
    let mut findings = Vec::new();
    walk_cells(&input.report, |def, cell, v| {
        let loc = input.locs.get(k).copied().unwrap_or_default();
        k += 1;
        let d = &defs[usize::from(def)];
        let (value, unit, note) = match units::money_column(d) {
            Some(column) => {
                let m = units::money(column, v, input.printed_text(def));
                (m.fen, m.unit, m.note)
            }
            None => match v {
                None => (None, CellUnit::Count, None),
                Some(Num::Int(i)) => (Some(i), CellUnit::Count, None),
                Some(Num::Dec(x)) => {
                    let whole = (x.fract() == 0.0 && x.abs() < 9.0e15).then_some(x as i64);
                    let note = whole.is_none().then(|| {
                        (
                            format!("'{x}' is not a whole count: left null"),
                            format!("「{x}」不是整数件数：留空"),
                        )
                    });
                    (whole, CellUnit::Count, note)
                }
            },
        };
        if let Some((note, note_zh)) = note {
            let path = cell.path();
            let severity = if value.is_some() {
                Severity::Info
            } else {
                Severity::Warning
            };
            let zh = format!("{}：{note_zh}", nianbao_model::rules::cell_zh(&path));
            findings.push(
                Finding::new("T-UNIT", severity, format!("{path}: {note}"), zh).with_cells([path]),
            );
        }
        out.push(CellRow::new(report, def, value, unit, loc));
    });
    findings
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

/// Counts of findings by severity over the whole aggregation: (errors, warnings, infos).
pub fn severity_counts(findings: &[FindingRow]) -> (usize, usize, usize) {
    let c = |s| findings.iter().filter(|f| f.finding.severity == s).count();
    (c(Severity::Error), c(Severity::Warning), c(Severity::Info))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let row = |v| CellRow::new(0, 0, v, CellUnit::Count, CellLoc::default());
        assert_eq!(row(None).value(), None);
        assert_eq!(row(Some(0)).value(), Some(0.0));
        assert_eq!(row(Some(0)).count(), Some(0));
        assert_eq!(row(Some(0)).amount_fen(), None);
    }
}
