//! One frame per [`Scope`], before its metrics are evaluated: the report chosen per row (the
//! first by report order among those with table 三), the city governments' grid of every
//! configured city and year with a `status` (joined with the coverage table when there is
//! one), and the city totals' operand sums (null when any included body's operand is null).

use polars::prelude::*;

use super::operands::{o, od, Plan};
use super::{at, is_level, Scope, StageError};
use crate::aggregate::Level;

/// `status` of a row with a report.
pub(crate) const FOUND: &str = "found";
/// `status` of a city-year whose city-government report was read without table 三.
pub(crate) const NO_TABLE3: &str = "no_table3";
/// `status` of a city-year with no city-government report in the archives read.
pub(crate) const MISSING: &str = "missing";

const NO_TABLE3_REASON: &str =
    "the city government's report of this year was read, but not its table 三";
const MISSING_REASON: &str = "no report of the city government for this year in the archives read";

/// The coverage frame of the stage's options, checked and keyed: `city`, `year`,
/// `cov_status`, `cov_reason`, one row per city and year (the first, if repeated).
pub(super) fn coverage_frame(df: &DataFrame) -> Result<DataFrame, StageError> {
    let want = [
        ("city", DataType::String),
        ("year", DataType::Int64),
        ("status", DataType::String),
        ("reason", DataType::String),
    ];
    for (name, dtype) in &want {
        match df.column(name) {
            Ok(c) if c.dtype() == dtype || c.dtype() == &DataType::Null => {}
            Ok(c) => {
                return Err(StageError::Coverage(format!(
                    "column `{name}` is {}, not {dtype}",
                    c.dtype()
                )))
            }
            Err(_) => return Err(StageError::Coverage(format!("no column `{name}`"))),
        }
    }
    df.clone()
        .lazy()
        .select([
            col("city"),
            col("year"),
            col("status").cast(DataType::String).alias("cov_status"),
            col("reason").cast(DataType::String).alias("cov_reason"),
        ])
        .unique_stable(None, UniqueKeepStrategy::First)
        .collect()
        .map_err(at("reading the coverage table"))
}

fn cols(names: &[&str]) -> Vec<Expr> {
    names.iter().map(|n| col(*n)).collect()
}

/// The rows of `eligible` whose report is the first (lowest `report`) of its `keys`.
fn first_report(eligible: LazyFrame, keys: &[&str]) -> LazyFrame {
    let chosen = eligible
        .clone()
        .group_by(cols(keys))
        .agg([col("report").min()])
        .select([col("report")]);
    chosen.join(
        eligible,
        [col("report")],
        [col("report")],
        JoinArgs::new(JoinType::Inner),
    )
}

/// Reports of `level` with a year and table 三, and `extra` non-null.
fn eligible(per_report: &DataFrame, level: Level, extra: Option<&str>) -> LazyFrame {
    let mut keep = is_level(level)
        .and(col("has_table3"))
        .and(col("year").is_not_null());
    if let Some(c) = extra {
        keep = keep.and(col(c).is_not_null());
    }
    per_report.clone().lazy().filter(keep)
}

/// The frame of `scope`: identity columns, `report` (null for a row without one and for city
/// totals), the operand columns, and `population` where the scope has one.
pub(super) fn frame(
    scope: Scope,
    per_report: &DataFrame,
    cities: &DataFrame,
    coverage: Option<&DataFrame>,
    plan: &Plan,
) -> Result<LazyFrame, StageError> {
    let lf = match scope {
        Scope::CityGovernments => city_governments(per_report, cities, coverage),
        Scope::Departments => first_report(
            eligible(per_report, Level::CityDepartment, Some("department")),
            &["department", "city", "adcode", "year"],
        ),
        Scope::Counties => first_report(
            eligible(per_report, Level::CountyGovernment, Some("county")),
            &["city", "adcode", "county", "year"],
        ),
        Scope::CityTotals => city_totals(per_report, plan),
    };
    let lf = lf.with_columns(status_of(scope, coverage.is_some()));
    Ok(if scope.has_population() {
        let population = cities
            .clone()
            .lazy()
            .select([col("adcode"), col("population")]);
        lf.join(
            population,
            [col("adcode")],
            [col("adcode")],
            JoinArgs::new(JoinType::Left),
        )
    } else {
        lf
    })
}

/// Every configured city × every year of the reports (and of the coverage table), plus any
/// city with a report that is not configured; the first eligible city-government report of
/// each; what is known of the others.
fn city_governments(
    per_report: &DataFrame,
    cities: &DataFrame,
    coverage: Option<&DataFrame>,
) -> LazyFrame {
    let keys = || cols(&["city", "adcode", "year"]);
    let all = per_report.clone().lazy();
    let chosen = first_report(
        eligible(per_report, Level::CityGovernment, None),
        &["city", "adcode", "year"],
    );
    // The years of the reports, and any the coverage table accounts for (a year asked for in
    // which no city published has a row per city too).
    let mut years = vec![all.clone().select([col("year")])];
    if let Some(c) = coverage {
        years.push(c.clone().lazy().select([col("year")]));
    }
    let years = concat(years, UnionArgs::default())
        .unwrap_or_else(|_| all.clone().select([col("year")]))
        .filter(col("year").is_not_null())
        .unique_stable(None, UniqueKeepStrategy::First);
    // Every city with every year: an equi-join on a constant (polars' cross join is a feature
    // this build leaves out).
    let grid = cities
        .clone()
        .lazy()
        .select([col("city"), col("adcode"), lit(1).alias("__all")])
        .join(
            years.with_column(lit(1).alias("__all")),
            [col("__all")],
            [col("__all")],
            JoinArgs::new(JoinType::Inner),
        );
    let full = JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns);
    let government = all
        .filter(is_level(Level::CityGovernment).and(col("year").is_not_null()))
        .group_by(keys())
        .agg([len().alias("gov_reports")]);
    let rows = grid.join(chosen, keys(), keys(), full).join(
        government,
        keys(),
        keys(),
        JoinArgs::new(JoinType::Left),
    );
    match coverage {
        Some(c) => rows.join(
            c.clone().lazy(),
            [col("city"), col("year")],
            [col("city"), col("year")],
            JoinArgs::new(JoinType::Left),
        ),
        None => rows,
    }
}

/// `status` and `reason`: `found` for a row with a report (every row but the city
/// governments' grid has one); for the others what the coverage table says, else whether a
/// report without table 三 was read.
fn status_of(scope: Scope, with_coverage: bool) -> Vec<Expr> {
    if scope != Scope::CityGovernments {
        return vec![
            lit(FOUND).alias("status"),
            lit(NULL).cast(DataType::String).alias("reason"),
        ];
    }
    let found = col("report").is_not_null();
    let read = col("gov_reports").is_not_null();
    let (cov_status, cov_reason) = if with_coverage {
        (col("cov_status"), col("cov_reason"))
    } else {
        (
            lit(NULL).cast(DataType::String),
            lit(NULL).cast(DataType::String),
        )
    };
    let status = when(found.clone())
        .then(lit(FOUND))
        .when(cov_status.clone().is_not_null())
        .then(cov_status.clone())
        .when(read.clone())
        .then(lit(NO_TABLE3))
        .otherwise(lit(MISSING));
    let reason = when(found)
        .then(lit(NULL).cast(DataType::String))
        .when(cov_status.is_not_null())
        .then(cov_reason)
        .when(read)
        .then(lit(NO_TABLE3_REASON))
        .otherwise(lit(MISSING_REASON));
    vec![status.alias("status"), reason.alias("reason")]
}

/// Per city and year: every body of the city (its government, its departments, its counties
/// and their departments; one report per body, the first), each operand summed — null when any
/// included report's operand is null, so a total never passes for the total of all bodies —,
/// `bodies` (how many reports are included), derived flags (any), and the data origins.
fn city_totals(per_report: &DataFrame, plan: &Plan) -> LazyFrame {
    let own = [
        Level::CityGovernment,
        Level::CityDepartment,
        Level::CountyGovernment,
        Level::CountyDepartment,
    ]
    .into_iter()
    .map(is_level)
    .reduce(|a, b| a.or(b))
    .unwrap_or(lit(false));
    let included = per_report
        .clone()
        .lazy()
        .filter(own.and(col("year").is_not_null()))
        .with_column(coalesce(&[col("body"), col("report_id")]).alias("body_key"));
    let one_each = first_report(included, &["city", "adcode", "year", "body_key"]);
    let mut aggs = vec![
        len().cast(DataType::Int64).alias("bodies"),
        col("data_origin").min().alias("origin_min"),
        col("data_origin").max().alias("origin_max"),
    ];
    for j in 0..plan.len() {
        aggs.push(
            when(col(o(j)).null_count().gt(lit(0)))
                .then(lit(NULL).cast(DataType::Int64))
                .otherwise(col(o(j)).sum())
                .alias(o(j)),
        );
    }
    for (j, _) in plan.derivable() {
        aggs.push(col(od(j)).any(true).alias(od(j)));
    }
    one_each
        .group_by(cols(&["city", "adcode", "year"]))
        .agg(aggs)
        .with_column(
            when(col("origin_min").eq(col("origin_max")))
                .then(col("origin_min"))
                .otherwise(col("origin_min") + lit("+") + col("origin_max"))
                .alias("data_origin"),
        )
}
