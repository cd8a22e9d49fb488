//! The comparison stage, on polars' lazy API: the `reports` rows and the `cells` values a
//! metric needs (+ the cities, the metric set, an optional coverage table) → the comparison
//! tables of every level ([`Scope`]) with per-100,000 values and ranks, and their trends.
//!
//! The plan: the cells a formula reads are pivoted into one row per report by joins
//! ([`operands`], where the T3-3 derived totals are made), each level chooses its reports or
//! sums them ([`levels`]), the metrics are evaluated from their formulas, ranked by window
//! functions ([`rank`]), and collected into rows ([`rows`]). No I/O; deterministic (sorted).

mod levels;
mod operands;
mod rank;
mod rows;
#[cfg(test)]
mod tests;

pub(crate) use levels::FOUND;

use polars::prelude::*;

use super::frames::{oi, opt_strs, strs};
use super::metrics::MetricSet;
use super::{City, Compared, Level, ReportRow, Tables};

/// What the stage needs besides the tables.
#[derive(Debug, Clone)]
pub struct Options {
    /// The metrics to compute (default: the built-in `config/metrics.toml`).
    pub metrics: MetricSet,
    /// What is known about each city government's report of a year, for the rows of the
    /// `comparison` table that have no report: a frame with the columns `city` (String, as
    /// the config names it), `year` (Int64), `status` (String) and `reason` (String, nullable),
    /// e.g. the city-government rows of a coverage table (the first row of a city and year
    /// counts). Its years join the grid: a year it names has a row for every configured city.
    /// Without it a missing row says `missing` or `no_table3` (see [`Scope::CityGovernments`]).
    pub coverage: Option<DataFrame>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            metrics: MetricSet::builtin(),
            coverage: None,
        }
    }
}

/// Why the comparison stage failed. Not an input error: every input is a valid table; this
/// names the step whose polars plan failed, or a coverage frame of the wrong shape.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// A polars plan failed.
    #[error("the comparison stage failed while {step}: {source}")]
    Polars {
        /// What was being built, e.g. `pivoting the cells`.
        step: &'static str,
        /// The polars error.
        source: PolarsError,
    },
    /// The coverage frame lacks a column or has one of another type.
    #[error("the coverage table cannot be joined: {0}")]
    Coverage(String),
}

/// `map_err` for a polars result of `step`.
fn at(step: &'static str) -> impl FnOnce(PolarsError) -> StageError {
    move |source| StageError::Polars { step, source }
}

/// A level of comparison: which reports are compared with which, and under what keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The city governments' own reports: one row per configured city and year (a city with no
    /// usable report keeps its row, with null values and a `status`), ranked within the year.
    CityGovernments,
    /// Like departments across cities (市直部门 of one kind): one row per department kind, city
    /// and year that has a report, ranked within the year and kind.
    Departments,
    /// County, district and county-level city governments across the region: one row per
    /// county and year that has a report, ranked within the year.
    Counties,
    /// A city's whole government: every body of the city (its government, its departments,
    /// its counties and their departments) summed per year; rates recomputed from the sums.
    CityTotals,
}

impl Scope {
    /// Every level, in the order of the files and sections.
    pub const ALL: [Scope; 4] = [
        Scope::CityGovernments,
        Scope::Departments,
        Scope::Counties,
        Scope::CityTotals,
    ];

    /// The comparison table's file stem, e.g. `comparison_departments`.
    pub fn stem(self) -> &'static str {
        match self {
            Scope::CityGovernments => "comparison",
            Scope::Departments => "comparison_departments",
            Scope::Counties => "comparison_counties",
            Scope::CityTotals => "comparison_city_totals",
        }
    }

    /// The trends table's file stem, e.g. `trends_city_totals`.
    pub fn trends_stem(self) -> &'static str {
        match self {
            Scope::CityGovernments => "trends",
            Scope::Departments => "trends_departments",
            Scope::Counties => "trends_counties",
            Scope::CityTotals => "trends_city_totals",
        }
    }

    /// Its Chinese name (sheet names, the HTML report).
    pub fn zh(self) -> &'static str {
        match self {
            Scope::CityGovernments => "市政府本级",
            Scope::Departments => "市直部门（同类部门）",
            Scope::Counties => "县区政府",
            Scope::CityTotals => "全市合计",
        }
    }

    /// Its English name.
    pub fn en(self) -> &'static str {
        match self {
            Scope::CityGovernments => "city governments",
            Scope::Departments => "like departments across cities",
            Scope::Counties => "county-level governments",
            Scope::CityTotals => "whole cities (all bodies summed)",
        }
    }

    /// The columns that identify a row besides `year`, in sort order.
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            Scope::CityGovernments | Scope::CityTotals => &["adcode", "city"],
            Scope::Departments => &["department", "adcode", "city"],
            Scope::Counties => &["adcode", "city", "county"],
        }
    }

    /// The columns whose values share one ranking.
    pub fn rank_groups(self) -> &'static [&'static str] {
        match self {
            Scope::Departments => &["year", "department"],
            _ => &["year"],
        }
    }

    /// Whether the rows have a population (the city's): counties have none in the config.
    pub fn has_population(self) -> bool {
        self != Scope::Counties
    }
}

/// Compute every comparison of `tables` (its reports and cells, with `tables.metrics`): fills
/// `comparison`, `trends`, `departments`, `counties` and `city_totals`, and marks the city
/// governments' reports used (`in_comparison`).
pub(crate) fn run(
    tables: &mut Tables,
    cities: &[City],
    coverage: Option<&DataFrame>,
) -> Result<(), StageError> {
    let metrics = tables.metrics.clone();
    let plan = operands::Plan::new(&metrics);
    let reports = reports_frame(&tables.reports).map_err(at("loading the reports"))?;
    let per_report = operands::per_report(reports, &tables.cells, &plan)?;
    let cities = cities_frame(cities).map_err(at("loading the cities"))?;
    let coverage = coverage.map(levels::coverage_frame).transpose()?;
    let mut chosen = Vec::new();
    for scope in Scope::ALL {
        let frame = levels::frame(scope, &per_report, &cities, coverage.as_ref(), &plan)?;
        let frame = operands::with_metrics(frame, &plan, &metrics);
        let df = rank::with_per_100k(frame, scope, &metrics)
            .sort(sort_columns(scope), SortMultipleOptions::default())
            .collect()
            .map_err(at("building a comparison table"))?;
        let df = rank::with_ranks(df, scope, &metrics)?;
        if scope == Scope::CityGovernments {
            chosen = rows::reports_used(&df)?;
        }
        let compared = Compared {
            rows: rows::comparison_rows(&df, scope, &metrics)?,
            trends: rows::trends(&df, scope, &metrics)?,
        };
        tables.set_compared(scope, compared);
    }
    for r in &mut tables.reports {
        r.in_comparison = false;
    }
    for i in chosen {
        if let Some(r) = tables.reports.get_mut(i) {
            r.in_comparison = true;
        }
    }
    Ok(())
}

/// `year`, then the scope's keys: the order of every comparison table.
fn sort_columns(scope: Scope) -> Vec<PlSmallStr> {
    std::iter::once("year")
        .chain(scope.keys().iter().copied())
        .map(PlSmallStr::from_str)
        .collect()
}

/// One row per report: its index (`report`), identity, source and whether table 三 was read.
fn reports_frame(rows: &[ReportRow]) -> PolarsResult<DataFrame> {
    let report: Vec<u32> = (0..rows.len())
        .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
        .collect();
    let columns = vec![
        Column::new("report".into(), report),
        strs("report_id", rows.iter().map(|r| r.meta.report_id.as_str())),
        strs("city", rows.iter().map(|r| r.meta.city.as_str())),
        strs("adcode", rows.iter().map(|r| r.meta.adcode.as_str())),
        strs("level", rows.iter().map(|r| r.meta.level.as_str())),
        opt_strs("county", rows.iter().map(|r| r.meta.county.as_deref())),
        opt_strs(
            "department",
            rows.iter().map(|r| r.meta.department.as_deref()),
        ),
        opt_strs("body", rows.iter().map(|r| r.body.as_deref())),
        oi("year", rows.iter().map(|r| r.year.map(i64::from)).collect()),
        strs(
            "data_origin",
            rows.iter().map(|r| r.meta.data_origin.as_str()),
        ),
        strs("source_url", rows.iter().map(|r| r.meta.url.as_str())),
        Column::new(
            "has_table3".into(),
            rows.iter()
                .map(|r| r.tables_read.split(',').any(|t| t == "三"))
                .collect::<Vec<bool>>(),
        ),
    ];
    DataFrame::new(rows.len(), columns)
}

/// The configured cities: name, adcode and population (Int64, null when unknown).
fn cities_frame(cities: &[City]) -> PolarsResult<DataFrame> {
    DataFrame::new(
        cities.len(),
        vec![
            strs("city", cities.iter().map(|c| c.name.as_str())),
            strs("adcode", cities.iter().map(|c| c.adcode.as_str())),
            oi(
                "population",
                cities
                    .iter()
                    .map(|c| c.population.and_then(|p| i64::try_from(p).ok()))
                    .collect(),
            ),
        ],
    )
}

/// `col(level) == level`.
fn is_level(level: Level) -> Expr {
    col("level").eq(lit(level.as_str()))
}
