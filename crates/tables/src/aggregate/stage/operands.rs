//! The cells the metrics read → one row per report with a column per operand (`o<j>`), by a
//! join per operand; a table 三 total that is blank while its six applicant columns are printed
//! is derived by identity T3-3 and flagged (`o<j>_d`). Then the metrics from their formulas
//! (`m<k>`, and `m<k>_d` when a derived total was used).

use polars::prelude::*;

use super::{at, StageError};
use crate::aggregate::formula::{CellKey, Formula, Op};
use crate::aggregate::metrics::MetricSet;
use crate::aggregate::units::FEN_PER_WAN;
use crate::aggregate::{cell_defs, CellRow, CellUnit};

/// Which cells the metrics read, numbered: operand `j` is column `o<j>`.
pub(super) struct Plan {
    /// The cells, sorted by key.
    keys: Vec<CellKey>,
    /// For a table 三 total: the operand numbers of its six applicant columns.
    parts: Vec<Option<Vec<usize>>>,
}

/// The column of operand `j`: a count, or money in 分 (Int64).
pub(super) fn o(j: usize) -> String {
    format!("o{j}")
}

/// Whether operand `j` was derived by T3-3 (Boolean; only for table 三 totals).
pub(super) fn od(j: usize) -> String {
    format!("o{j}_d")
}

/// The value of metric `k`.
pub(super) fn m(k: usize) -> String {
    format!("m{k}")
}

/// Whether metric `k` used a derived total.
pub(super) fn md(k: usize) -> String {
    format!("m{k}_d")
}

impl Plan {
    /// Every cell a metric of `metrics` reads, and the applicant columns of each table 三 total
    /// among them.
    pub(super) fn new(metrics: &MetricSet) -> Plan {
        let mut keys: Vec<CellKey> = metrics
            .metrics()
            .iter()
            .flat_map(|m| m.operands())
            .collect();
        let parts: Vec<CellKey> = keys
            .iter()
            .filter_map(CellKey::t3_parts)
            .flatten()
            .collect();
        keys.extend(parts);
        keys.sort();
        keys.dedup();
        let parts = keys
            .iter()
            .map(|k| {
                let parts = k.t3_parts()?;
                parts.iter().map(|p| keys.binary_search(p).ok()).collect()
            })
            .collect();
        Plan { keys, parts }
    }

    /// The operand number of a cell.
    fn index(&self, key: &CellKey) -> Option<usize> {
        self.keys.binary_search(key).ok()
    }

    /// The operands that are table 三 totals (derivable by T3-3), with their parts.
    pub(super) fn derivable(&self) -> impl Iterator<Item = (usize, &[usize])> {
        self.parts
            .iter()
            .enumerate()
            .filter_map(|(j, p)| p.as_deref().map(|p| (j, p)))
    }

    /// How many operands there are.
    pub(super) fn len(&self) -> usize {
        self.keys.len()
    }
}

/// The cells of the operands, one frame per operand: `report` (UInt32) and `o<j>` (Int64: a
/// count, or money in 分; null when blank or of unknown unit), built in one pass over the
/// cells. Only the cells a metric reads are taken, so the frames stay small however many
/// cells the tables hold.
fn operand_frames(cells: &[CellRow], plan: &Plan) -> PolarsResult<Vec<DataFrame>> {
    let mut by_def: Vec<Option<usize>> = vec![None; cell_defs().len()];
    for (j, key) in plan.keys.iter().enumerate() {
        for &d in &key.defs {
            by_def[usize::from(d)] = Some(j);
        }
    }
    let mut columns: Vec<(Vec<u32>, Vec<Option<i64>>)> = vec![(Vec::new(), Vec::new()); plan.len()];
    for c in cells {
        let Some(j) = by_def[usize::from(c.def)] else {
            continue;
        };
        let (report, value) = &mut columns[j];
        report.push(c.report);
        value.push(match c.unit() {
            CellUnit::Count => c.count(),
            CellUnit::TenThousandYuan => c.amount_fen(),
            CellUnit::Unknown => None,
        });
    }
    columns
        .into_iter()
        .enumerate()
        .map(|(j, (report, value))| {
            DataFrame::new(
                report.len(),
                vec![
                    Column::new("report".into(), report),
                    Column::new(o(j).into(), value),
                ],
            )
        })
        .collect()
}

/// How many operand joins one lazy plan holds before it is collected: polars plans recurse
/// per node, so a plan of a hundred nested joins could exhaust a thread's stack.
const JOINS_PER_PLAN: usize = 16;

/// `reports` (one row per report, with `report`) + a column per operand: each operand's cells
/// joined onto the reports by `report` (a report has at most one cell per operand; without
/// it, null), then the T3-3 derivation.
pub(super) fn per_report(
    reports: DataFrame,
    cells: &[CellRow],
    plan: &Plan,
) -> Result<DataFrame, StageError> {
    let frames = operand_frames(cells, plan).map_err(at("loading the cells"))?;
    let mut wide = reports;
    for chunk in frames.chunks(JOINS_PER_PLAN) {
        let mut lf = wide.lazy();
        for one in chunk {
            lf = lf.join(
                one.clone().lazy(),
                [col("report")],
                [col("report")],
                JoinArgs::new(JoinType::Left),
            );
        }
        wide = lf
            .collect()
            .map_err(at("joining the cells onto the reports"))?;
    }
    wide.lazy()
        .with_columns(derived_totals(plan))
        .collect()
        .map_err(at("deriving totals"))
}

/// For each table 三 total: the printed total, or where it is blank the sum of its six
/// applicant columns when all six are printed (T3-3), and whether it was so derived. A printed
/// total is kept as printed, whatever its columns say.
fn derived_totals(plan: &Plan) -> Vec<Expr> {
    let mut exprs = Vec::new();
    for (j, parts) in plan.derivable() {
        let Some(sum) = parts.iter().map(|&p| col(o(p))).reduce(|a, b| a + b) else {
            continue;
        };
        // Both read the printed total: with_columns evaluates them on the input frame.
        exprs.push(
            col(o(j))
                .is_null()
                .and(sum.clone().is_not_null())
                .alias(od(j)),
        );
        exprs.push(coalesce(&[col(o(j)), sum]).alias(o(j)));
    }
    exprs
}

/// The metrics' values from the operand columns: `m<k>` (Int64 for counts, Float64 otherwise)
/// and `m<k>_d` (a derived total was used for a value that is not null).
pub(super) fn with_metrics(lf: LazyFrame, plan: &Plan, metrics: &MetricSet) -> LazyFrame {
    let mut exprs = Vec::new();
    for (k, metric) in metrics.metrics().iter().enumerate() {
        let value = formula_expr(&metric.formula, plan, !metric.is_count());
        let flags = metric
            .operands()
            .iter()
            .filter_map(|key| plan.index(key))
            .filter(|&j| plan.parts[j].is_some())
            .map(|j| col(od(j)))
            .reduce(|a, b| a.or(b));
        let derived = match flags {
            Some(f) => f.and(value.clone().is_not_null()),
            None => lit(false),
        };
        exprs.push(value.alias(m(k)));
        exprs.push(derived.alias(md(k)));
    }
    lf.with_columns(exprs)
}

/// A formula as a polars expression over the operand columns. `float`: in Float64 (counts
/// cast, money in 万元 as `分 / 10^6`, exactly as `cells.amount_10k_yuan`); else in Int64 (a
/// count metric: counts only, no division). Nulls propagate through every operator; a
/// division by 0 is null.
fn formula_expr(f: &Formula, plan: &Plan, float: bool) -> Expr {
    match f {
        Formula::Number(v) if float => lit(*v),
        // A count formula's numbers are whole (checked when the metric was read).
        Formula::Number(v) => lit(*v as i64),
        Formula::Cell(key) => {
            // Every key of a metric is in the plan built from the same metrics.
            let Some(j) = plan.index(key) else {
                return lit(NULL);
            };
            match (float, key.is_money()) {
                (false, _) => col(o(j)),
                (true, false) => col(o(j)).cast(DataType::Float64),
                (true, true) => col(o(j))
                    .cast(DataType::Float64)
                    .true_div(lit(FEN_PER_WAN as f64)),
            }
        }
        Formula::Neg(x) => -formula_expr(x, plan, float),
        Formula::Binary(op, a, b) => {
            let (a, b) = (formula_expr(a, plan, float), formula_expr(b, plan, float));
            match op {
                Op::Add => a + b,
                Op::Sub => a - b,
                Op::Mul => a * b,
                Op::Div => when(b.clone().eq(lit(0.0)))
                    .then(lit(NULL).cast(DataType::Float64))
                    .otherwise(a.true_div(b)),
            }
        }
    }
}
