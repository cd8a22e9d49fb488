//! A collected level frame → [`ComparisonRow`]s (what the files, the workbook and the HTML
//! report show), and its trends: each row joined with the same keys' row of the year before
//! (`year - 1` exactly), one [`TrendRow`] per row and metric, in key, year and metric order.

use polars::prelude::*;

use super::levels::FOUND;
use super::operands::{m, md};
use super::rank::{p, r, s};
use super::{at, Scope, StageError};
use crate::aggregate::metrics::MetricSet;
use crate::aggregate::{ComparisonRow, TrendRow};

/// Typed reads of a collected frame; a column the scope does not have reads as all null.
struct Reader<'a> {
    df: &'a DataFrame,
}

impl Reader<'_> {
    fn cast(&self, name: &str, dtype: &DataType) -> Result<Option<Column>, StageError> {
        match self.df.column(name) {
            Ok(c) => c
                .cast(dtype)
                .map(Some)
                .map_err(at("reading a comparison table")),
            Err(_) => Ok(None),
        }
    }

    fn strs(&self, name: &str) -> Result<Vec<Option<String>>, StageError> {
        let Some(c) = self.cast(name, &DataType::String)? else {
            return Ok(vec![None; self.df.height()]);
        };
        let ca = c.str().map_err(at("reading a comparison table"))?;
        Ok(ca.iter().map(|v| v.map(str::to_string)).collect())
    }

    fn i64s(&self, name: &str) -> Result<Vec<Option<i64>>, StageError> {
        let Some(c) = self.cast(name, &DataType::Int64)? else {
            return Ok(vec![None; self.df.height()]);
        };
        let ca = c.i64().map_err(at("reading a comparison table"))?;
        Ok(ca.iter().collect())
    }

    fn f64s(&self, name: &str) -> Result<Vec<Option<f64>>, StageError> {
        let Some(c) = self.cast(name, &DataType::Float64)? else {
            return Ok(vec![None; self.df.height()]);
        };
        let ca = c.f64().map_err(at("reading a comparison table"))?;
        Ok(ca.iter().collect())
    }

    fn bools(&self, name: &str) -> Result<Vec<bool>, StageError> {
        let Some(c) = self.cast(name, &DataType::Boolean)? else {
            return Ok(vec![false; self.df.height()]);
        };
        let ca = c.bool().map_err(at("reading a comparison table"))?;
        Ok(ca.iter().map(|v| v.unwrap_or(false)).collect())
    }
}

/// The indices of the reports a level frame uses (its `report` column).
pub(super) fn reports_used(df: &DataFrame) -> Result<Vec<usize>, StageError> {
    let used = Reader { df }.i64s("report")?;
    Ok(used
        .into_iter()
        .flatten()
        .filter_map(|i| usize::try_from(i).ok())
        .collect())
}

/// One metric's columns, read.
struct MetricColumns {
    values: Vec<Option<f64>>,
    per_100k: Vec<Option<f64>>,
    ranks: Vec<Option<i64>>,
    per_100k_ranks: Vec<Option<i64>>,
    derived: Vec<bool>,
}

fn metric_columns(rd: &Reader, metrics: &MetricSet) -> Result<Vec<MetricColumns>, StageError> {
    (0..metrics.len())
        .map(|k| {
            Ok(MetricColumns {
                values: rd.f64s(&m(k))?,
                per_100k: rd.f64s(&p(k))?,
                ranks: rd.i64s(&r(k))?,
                per_100k_ranks: rd.i64s(&s(k))?,
                derived: rd.bools(&md(k))?,
            })
        })
        .collect()
}

/// The rows of a collected level frame, in its order.
pub(super) fn comparison_rows(
    df: &DataFrame,
    scope: Scope,
    metrics: &MetricSet,
) -> Result<Vec<ComparisonRow>, StageError> {
    let rd = Reader { df };
    let text = |name| rd.strs(name);
    let (city, adcode, department, county) = (
        text("city")?,
        text("adcode")?,
        text("department")?,
        text("county")?,
    );
    let (status, reason, report_id, body) = (
        text("status")?,
        text("reason")?,
        text("report_id")?,
        text("body")?,
    );
    let (origin, url) = (text("data_origin")?, text("source_url")?);
    let (year, bodies, population) = (rd.i64s("year")?, rd.i64s("bodies")?, rd.i64s("population")?);
    let metric = metric_columns(&rd, metrics)?;
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        // Every level frame has a year (null-year reports are left out of every level).
        let Some(year) = year[i].and_then(|y| i32::try_from(y).ok()) else {
            continue;
        };
        out.push(ComparisonRow {
            year,
            city: city[i].clone().unwrap_or_default(),
            adcode: adcode[i].clone().unwrap_or_default(),
            department: department[i].clone(),
            county: county[i].clone(),
            status: status[i].clone().unwrap_or_else(|| FOUND.to_string()),
            reason: reason[i].clone(),
            report_id: report_id[i].clone(),
            body: body[i].clone(),
            bodies: bodies[i].and_then(|b| u32::try_from(b).ok()),
            population: population[i].and_then(|p| u64::try_from(p).ok()),
            data_origin: origin[i].clone().unwrap_or_default(),
            source_url: if scope == Scope::CityTotals {
                String::new()
            } else {
                url[i].clone().unwrap_or_default()
            },
            values: metric.iter().map(|c| c.values[i]).collect(),
            per_100k: metric.iter().map(|c| c.per_100k[i]).collect(),
            ranks: metric.iter().map(|c| rank_at(&c.ranks, i)).collect(),
            per_100k_ranks: metric
                .iter()
                .map(|c| rank_at(&c.per_100k_ranks, i))
                .collect(),
            derived: metric.iter().map(|c| c.derived[i]).collect(),
        });
    }
    Ok(out)
}

fn rank_at(ranks: &[Option<i64>], i: usize) -> Option<u32> {
    ranks[i].and_then(|r| u32::try_from(r).ok())
}

/// The value of metric `k` the year before.
fn prev(k: usize) -> String {
    format!("q{k}")
}

/// The trends of a collected level frame: for each row and metric, the value, the value of
/// the same keys' row of the year before, and the change (null when either is null).
pub(super) fn trends(
    df: &DataFrame,
    scope: Scope,
    metrics: &MetricSet,
) -> Result<Vec<TrendRow>, StageError> {
    let keys: Vec<Expr> = scope.keys().iter().map(|k| col(*k)).collect();
    let mut on = keys.clone();
    on.push(col("year"));
    let this = df.clone().lazy();
    let mut before = keys.clone();
    before.push((col("year") + lit(1i64)).alias("year"));
    before.extend((0..metrics.len()).map(|k| col(m(k)).alias(prev(k))));
    // Materialised once: every metric's rows below select from it.
    let joined = this
        .join(
            df.clone().lazy().select(before),
            on.clone(),
            on,
            JoinArgs::new(JoinType::Left),
        )
        .collect()
        .map_err(at("building the trends"))?;
    let per_metric: Vec<LazyFrame> = (0..metrics.len())
        .map(|k| {
            let mut select = keys.clone();
            select.extend([
                col("year"),
                lit(u32::try_from(k).unwrap_or(u32::MAX)).alias("metric"),
                col(m(k)).cast(DataType::Float64).alias("value"),
                col(prev(k)).cast(DataType::Float64).alias("previous"),
                (col(m(k)) - col(prev(k)))
                    .cast(DataType::Float64)
                    .alias("change"),
                col(md(k)).alias("derived"),
                col("data_origin"),
            ]);
            joined.clone().lazy().select(select)
        })
        .collect();
    if per_metric.is_empty() {
        return Ok(Vec::new());
    }
    let mut order: Vec<PlSmallStr> = scope.keys().iter().map(|k| (*k).into()).collect();
    order.extend(["year".into(), "metric".into()]);
    let long = concat(per_metric, UnionArgs::default())
        .map_err(at("building the trends"))?
        .sort(order, SortMultipleOptions::default())
        .collect()
        .map_err(at("building the trends"))?;
    trend_rows(&long, metrics)
}

fn trend_rows(long: &DataFrame, metrics: &MetricSet) -> Result<Vec<TrendRow>, StageError> {
    let rd = Reader { df: long };
    let (city, adcode, department, county, origin) = (
        rd.strs("city")?,
        rd.strs("adcode")?,
        rd.strs("department")?,
        rd.strs("county")?,
        rd.strs("data_origin")?,
    );
    let (year, metric) = (rd.i64s("year")?, rd.i64s("metric")?);
    let (value, previous, change) = (rd.f64s("value")?, rd.f64s("previous")?, rd.f64s("change")?);
    let derived = rd.bools("derived")?;
    let mut out = Vec::with_capacity(long.height());
    for i in 0..long.height() {
        let (Some(year), Some(def)) = (
            year[i].and_then(|y| i32::try_from(y).ok()),
            metric[i]
                .and_then(|k| usize::try_from(k).ok())
                .and_then(|k| metrics.metrics().get(k)),
        ) else {
            continue;
        };
        out.push(TrendRow {
            city: city[i].clone().unwrap_or_default(),
            adcode: adcode[i].clone().unwrap_or_default(),
            department: department[i].clone(),
            county: county[i].clone(),
            year,
            metric: def.id().to_string(),
            metric_label: def.zh().to_string(),
            value: value[i],
            previous: previous[i],
            change: change[i],
            derived: derived[i],
            data_origin: origin[i].clone().unwrap_or_default(),
        });
    }
    Ok(out)
}
