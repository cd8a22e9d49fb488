//! [`Report`] → the derived metrics of schema.md ("Derived metrics"): counts and rates the
//! comparison tables use. A metric is `None` when an operand is null or a denominator is 0.

use nianbao_model::report::{Num, Report, Val};
use nianbao_model::template::t3;

/// A derived metric: its key, Chinese label, and whether it is a rate (shown as a percentage)
/// or a count (also shown per 100,000 residents).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metric {
    /// Column name in `comparison` and `metric` in `trends`, e.g. `disclosure_rate`.
    pub key: &'static str,
    /// Chinese label (workbook headers, `metric_label`, the HTML report), e.g. `实质公开率`.
    pub label: &'static str,
    /// A rate: a fraction (0.25 = 25 %), shown as a percentage, with no per-100,000 column.
    pub is_rate: bool,
}

/// Every derived metric, in the column order of `comparison` (formulas: schema.md, "Derived
/// metrics"; values: [`compute`]).
pub const METRICS: [Metric; 10] = [
    Metric {
        key: "applications",
        label: "本年新收申请",
        is_rate: false,
    },
    Metric {
        key: "disclosure_rate",
        label: "实质公开率",
        is_rate: true,
    },
    Metric {
        key: "full_disclosure_rate",
        label: "绝对公开率",
        is_rate: true,
    },
    Metric {
        key: "not_held_rate",
        label: "本机关不掌握占比",
        is_rate: true,
    },
    Metric {
        key: "natural_person_share",
        label: "自然人申请占比",
        is_rate: true,
    },
    Metric {
        key: "reviews",
        label: "行政复议",
        is_rate: false,
    },
    Metric {
        key: "lawsuits",
        label: "行政诉讼",
        is_rate: false,
    },
    Metric {
        key: "review_correction_rate",
        label: "复议纠错率",
        is_rate: true,
    },
    Metric {
        key: "dispute_rate",
        label: "争议转化率",
        is_rate: true,
    },
    Metric {
        key: "backlog_rate",
        label: "结转率",
        is_rate: true,
    },
];

const NATURAL_PERSON: usize = 0;
const TOTAL: usize = 6;
const REVIEW: usize = 0;
const DIRECT: usize = 1;
const AFTER_REVIEW: usize = 2;
const CORRECTED: usize = 1;
const GROUP_TOTAL: usize = 4;

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
}
