//! [`Report`] → the derived metrics of schema.md ("Derived metrics"): counts and rates the
//! comparison tables use. A metric is `None` when an operand is null or a denominator is 0:
//! each metric names its operands ([`Metric::operands`]) and the tests hold [`compute`] to them.

use nianbao_model::report::{Num, Report, Val};
use nianbao_model::template::t3;

/// A report cell a metric is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operand {
    /// Table 三: (row index into `T3_ROWS`, column index into `T3_COLUMNS`).
    T3(usize, usize),
    /// Table 四: (group index into `T4_GROUPS`, outcome index into `T4_OUTCOMES`).
    T4(usize, usize),
}

impl Operand {
    /// The operand's value in a report (`None` when its table is missing or the cell null).
    pub fn value(self, r: &Report) -> Val {
        match self {
            Operand::T3(row, col) => r.table3.as_ref().and_then(|t| t[row][col]),
            Operand::T4(g, o) => r.table4.as_ref().and_then(|t| t[g][o]),
        }
    }
}

/// A derived metric: its key, Chinese label, whether it is a rate (shown as a percentage)
/// or a count (also shown per 100,000 residents), and the cells it is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metric {
    /// Column name in `comparison` and `metric` in `trends`, e.g. `disclosure_rate`.
    pub key: &'static str,
    /// Chinese label (workbook headers, `metric_label`, the HTML report), e.g. `实质公开率`.
    pub label: &'static str,
    /// A rate: a fraction (0.25 = 25 %), shown as a percentage, with no per-100,000 column.
    pub is_rate: bool,
    /// Every cell the metric reads: it is null when any of them is.
    pub operands: &'static [Operand],
}

const NATURAL_PERSON: usize = 0;
const TOTAL: usize = 6;
const REVIEW: usize = 0;
const DIRECT: usize = 1;
const AFTER_REVIEW: usize = 2;
const CORRECTED: usize = 1;
const GROUP_TOTAL: usize = 4;

const NEW_TOTAL: Operand = Operand::T3(t3::NEW_RECEIVED, TOTAL);
const PROCESSED: Operand = Operand::T3(t3::TOTAL_PROCESSED, TOTAL);
const GRANTED: Operand = Operand::T3(t3::GRANTED, TOTAL);
const REVIEWS: Operand = Operand::T4(REVIEW, GROUP_TOTAL);
const DIRECT_SUITS: Operand = Operand::T4(DIRECT, GROUP_TOTAL);
const AFTER_REVIEW_SUITS: Operand = Operand::T4(AFTER_REVIEW, GROUP_TOTAL);

/// Every derived metric, in the column order of `comparison` (formulas: schema.md, "Derived
/// metrics"; values: [`compute`]).
pub const METRICS: [Metric; 10] = [
    Metric {
        key: "applications",
        label: "本年新收申请",
        is_rate: false,
        operands: &[NEW_TOTAL],
    },
    Metric {
        key: "disclosure_rate",
        label: "实质公开率",
        is_rate: true,
        operands: &[
            GRANTED,
            Operand::T3(t3::PARTIALLY_GRANTED, TOTAL),
            PROCESSED,
        ],
    },
    Metric {
        key: "full_disclosure_rate",
        label: "绝对公开率",
        is_rate: true,
        operands: &[GRANTED, PROCESSED],
    },
    Metric {
        key: "not_held_rate",
        label: "本机关不掌握占比",
        is_rate: true,
        operands: &[Operand::T3(t3::UNAVAILABLE_NOT_HELD, TOTAL), PROCESSED],
    },
    Metric {
        key: "natural_person_share",
        label: "自然人申请占比",
        is_rate: true,
        operands: &[Operand::T3(t3::NEW_RECEIVED, NATURAL_PERSON), NEW_TOTAL],
    },
    Metric {
        key: "reviews",
        label: "行政复议",
        is_rate: false,
        operands: &[REVIEWS],
    },
    Metric {
        key: "lawsuits",
        label: "行政诉讼",
        is_rate: false,
        operands: &[DIRECT_SUITS, AFTER_REVIEW_SUITS],
    },
    Metric {
        key: "review_correction_rate",
        label: "复议纠错率",
        is_rate: true,
        operands: &[Operand::T4(REVIEW, CORRECTED), REVIEWS],
    },
    Metric {
        key: "dispute_rate",
        label: "争议转化率",
        is_rate: true,
        operands: &[REVIEWS, DIRECT_SUITS, AFTER_REVIEW_SUITS, NEW_TOTAL],
    },
    Metric {
        key: "backlog_rate",
        label: "结转率",
        is_rate: true,
        operands: &[
            Operand::T3(t3::CARRIED_FORWARD, TOTAL),
            NEW_TOTAL,
            Operand::T3(t3::CARRIED_OVER, TOTAL),
        ],
    },
];

fn f(v: Val) -> Option<f64> {
    v.map(Num::as_f64)
}

fn ratio(num: Option<f64>, den: Option<f64>) -> Option<f64> {
    match (num, den) {
        (Some(n), Some(d)) if d != 0.0 => Some(n / d),
        _ => None,
    }
}

fn add(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? + b?)
}

/// The values of [`METRICS`], in order.
pub fn compute(r: &Report) -> [Option<f64>; METRICS.len()] {
    let t3 = |row: usize, col: usize| r.table3.as_ref().and_then(|t| f(t[row][col]));
    let t4 = |g: usize, o: usize| r.table4.as_ref().and_then(|t| f(t[g][o]));
    let applications = t3(t3::NEW_RECEIVED, TOTAL);
    let processed = t3(t3::TOTAL_PROCESSED, TOTAL);
    let reviews = t4(REVIEW, GROUP_TOTAL);
    let lawsuits = add(t4(DIRECT, GROUP_TOTAL), t4(AFTER_REVIEW, GROUP_TOTAL));
    [
        applications,
        ratio(
            add(t3(t3::GRANTED, TOTAL), t3(t3::PARTIALLY_GRANTED, TOTAL)),
            processed,
        ),
        ratio(t3(t3::GRANTED, TOTAL), processed),
        ratio(t3(t3::UNAVAILABLE_NOT_HELD, TOTAL), processed),
        ratio(t3(t3::NEW_RECEIVED, NATURAL_PERSON), applications),
        reviews,
        lawsuits,
        ratio(t4(REVIEW, CORRECTED), reviews),
        ratio(add(reviews, lawsuits), applications),
        ratio(
            t3(t3::CARRIED_FORWARD, TOTAL),
            add(applications, t3(t3::CARRIED_OVER, TOTAL)),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use nianbao_model::report::{Table3, Table4};

    /// A report with every table 三 and 四 cell printed as `v`.
    fn full(v: i64) -> Report {
        let t3: Table3 = [[Some(Num::Int(v)); 7]; 26];
        let t4: Table4 = [[Some(Num::Int(v)); 5]; 3];
        Report {
            table3: Some(t3),
            table4: Some(t4),
            ..Report::default()
        }
    }

    fn blank(r: &mut Report, op: Operand) {
        match op {
            Operand::T3(row, col) => {
                if let Some(t) = r.table3.as_mut() {
                    t[row][col] = None;
                }
            }
            Operand::T4(g, o) => {
                if let Some(t) = r.table4.as_mut() {
                    t[g][o] = None;
                }
            }
        }
    }

    #[test]
    fn null_operands_and_zero_denominators_give_none() {
        let r = Report::default();
        assert!(compute(&r).iter().all(Option::is_none));
        let mut t: nianbao_model::report::Table3 = [[Some(Num::Int(0)); 7]; 26];
        t[t3::NEW_RECEIVED][TOTAL] = Some(Num::Int(0));
        let r = Report {
            table3: Some(t),
            ..Report::default()
        };
        let m = compute(&r);
        assert_eq!(m[0], Some(0.0), "applications is a count: 0 is 0");
        assert_eq!(m[1], None, "0/0 is not a rate");
    }

    /// Every metric, against its declared operands: blanking any one of them makes it null
    /// (each is needed), and blanking every other cell leaves it computed (none is missing from
    /// the list). So a metric is non-null exactly when all its operands are printed.
    #[test]
    fn every_metric_is_null_exactly_when_an_operand_is_null() {
        let all_cells: Vec<Operand> = (0..26)
            .flat_map(|r| (0..7).map(move |c| Operand::T3(r, c)))
            .chain((0..3).flat_map(|g| (0..5).map(move |o| Operand::T4(g, o))))
            .collect();
        for (k, m) in METRICS.iter().enumerate() {
            assert!(compute(&full(3))[k].is_some(), "{}", m.key);
            for &op in m.operands {
                let mut r = full(3);
                blank(&mut r, op);
                assert_eq!(compute(&r)[k], None, "{} with {op:?} blank", m.key);
                assert_eq!(op.value(&r), None);
            }
            let mut only = full(3);
            for &cell in all_cells.iter().filter(|c| !m.operands.contains(c)) {
                blank(&mut only, cell);
            }
            assert!(
                compute(&only)[k].is_some(),
                "{} reads a cell it does not declare",
                m.key
            );
        }
    }

    proptest::proptest! {
        /// Any subset of cells blank: a metric is non-null only when all its operands are printed.
        #[test]
        fn no_metric_from_a_blank_operand(
            blanks in proptest::collection::vec(proptest::bool::weighted(0.2), 26 * 7 + 15),
            v in 1i64..50,
        ) {
            let mut r = full(v);
            for (i, b) in blanks.iter().enumerate() {
                if !*b {
                    continue;
                }
                let op = if i < 26 * 7 { Operand::T3(i / 7, i % 7) } else { Operand::T4((i - 182) / 5, (i - 182) % 5) };
                blank(&mut r, op);
            }
            let values = compute(&r);
            for (m, v) in METRICS.iter().zip(values) {
                let printed = m.operands.iter().all(|op| op.value(&r).is_some());
                proptest::prop_assert_eq!(v.is_some(), printed, "{}", m.key);
            }
        }
    }
}
