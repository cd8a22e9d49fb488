//! A level's frame with its metric values → the same with each value per 100,000 residents
//! (`p<k>`, for the metrics that ask for it), the rank of each value (`r<k>`) and of each value
//! per 100,000 (`s<k>`) within the scope's groups, in the metric's direction: 1 is the best
//! value, ties share the better rank ("min"), and a null value has no rank.

use polars::prelude::*;

use super::operands::m;
use super::{at, Scope, StageError};
use crate::aggregate::metrics::MetricSet;

/// The value of metric `k` per 100,000 residents.
pub(super) fn p(k: usize) -> String {
    format!("p{k}")
}

/// The rank of metric `k`.
pub(super) fn r(k: usize) -> String {
    format!("r{k}")
}

/// The rank of metric `k` per 100,000 residents.
pub(super) fn s(k: usize) -> String {
    format!("s{k}")
}

/// Add `p<k>` where the scope has a population and the metric asks for it: value × 100,000 ÷
/// population, in this order (a population of 0 or none: null).
pub(super) fn with_per_100k(lf: LazyFrame, scope: Scope, metrics: &MetricSet) -> LazyFrame {
    if !scope.has_population() {
        return lf;
    }
    let per_100k: Vec<Expr> = metrics
        .metrics()
        .iter()
        .enumerate()
        .filter(|(_, metric)| metric.per_100k())
        .map(|(k, _)| {
            let pop = col("population");
            when(pop.clone().gt(lit(0)))
                .then(
                    (col(m(k)).cast(DataType::Float64) * lit(100_000.0))
                        .true_div(pop.cast(DataType::Float64)),
                )
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias(p(k))
        })
        .collect();
    lf.with_columns(per_100k)
}

/// Add `r<k>` for every metric and `s<k>` for each `p<k>`. Each rank is its own small lazy
/// query over the collected frame (a sort and two windows), so the plans stay shallow however
/// many metrics there are.
pub(super) fn with_ranks(
    df: DataFrame,
    scope: Scope,
    metrics: &MetricSet,
) -> Result<DataFrame, StageError> {
    let mut df = df
        .lazy()
        .with_row_index("__row", None)
        .collect()
        .map_err(at("ranking the metrics"))?;
    for (k, metric) in metrics.metrics().iter().enumerate() {
        let higher = metric.def.higher_is_better;
        let mut pairs = vec![(m(k), r(k))];
        if scope.has_population() && metric.per_100k() {
            pairs.push((p(k), s(k)));
        }
        for (value, out) in pairs {
            let rank = ranked(&df, scope.rank_groups(), &value, higher)
                .map_err(at("ranking the metrics"))?;
            df.with_column(rank.with_name(out.into()))
                .map_err(at("ranking the metrics"))?;
        }
    }
    df.drop("__row").map_err(at("ranking the metrics"))
}

/// The rank of column `value` within `groups`, in the frame's row order: a window over the
/// frame sorted best first, where a row's rank is its position in its group and equal values
/// take the position of the first of them. Positions come from a row index (the first row of a
/// group has the group's smallest index), which needs no extra polars feature.
fn ranked(df: &DataFrame, groups: &[&str], value: &str, higher: bool) -> PolarsResult<Column> {
    // Adding 0.0 turns -0.0 into 0.0, so the two tie as the numbers they are.
    let key = col(value).cast(DataType::Float64) + lit(0.0);
    let group: Vec<Expr> = groups.iter().map(|g| col(*g)).collect();
    let mut by = group.clone();
    by.push(key.clone());
    let mut descending = vec![false; groups.len()];
    descending.push(higher);
    let options = SortMultipleOptions::new()
        .with_order_descending_multi(descending)
        .with_nulls_last_multi(vec![true; by.len()])
        .with_maintain_order(true);
    let mut same_value = group.clone();
    same_value.push(key);
    let rank = col("__pos").min().over(same_value)? - col("__pos").min().over(group)? + lit(1);
    let ranked = df
        .clone()
        .lazy()
        .sort_by_exprs(by, options)
        .with_row_index("__pos", None)
        .select([
            col("__row"),
            when(col(value).is_null())
                .then(lit(NULL).cast(DataType::Int64))
                .otherwise(rank.cast(DataType::Int64))
                .alias("rank"),
        ])
        .sort(["__row"], SortMultipleOptions::default())
        .collect()?;
    ranked.column("rank").cloned()
}
