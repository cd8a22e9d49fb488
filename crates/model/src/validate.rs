//! [`Report`] → findings: the consistency rules (勾稽关系) of template.md §4. T3-1, T3-2, T3-3,
//! T3-4 and T4-1 within a report, T2-d as a warning; T3-5 and the T2 carry-over heuristics
//! across two years ([`cross_year`]). A rule with a null operand is not checkable (`info`),
//! never broken.

use crate::report::{Finding, Num, Report, Severity, Table2, Table3, Table4, Val};
use crate::rules::{cell_zh, cells_summary_zh};
use crate::template::{t3, Template, T3_COLUMNS, T3_ROWS, T3_TOTAL_COL, T4_GROUPS, T4_OUTCOMES};

/// Add the findings of every single-report rule to `report`.
pub fn check(report: &mut Report) {
    let mut out = Vec::new();
    if let Some(t) = &report.table3 {
        let leaf_other = report.template == Some(Template::V2021)
            && t3::OTHER_ITEMS
                .iter()
                .any(|&r| t[r].iter().any(Option::is_some));
        rule_t3_1(t, &mut out);
        rule_t3_2(t, leaf_other, &mut out);
        rule_t3_3(t, &mut out);
        rule_t3_4(t, &mut out);
    }
    if let Some(t) = &report.table4 {
        rule_t4_1(t, &mut out);
    }
    if let Some(t) = &report.table2 {
        rule_t2_d(t, &mut out);
    }
    report.findings.extend(out);
}

/// Where an operand sits. Its path (`table3.row.column`, with a `year:` prefix across years)
/// is built only when a finding names the cell; most operands are never named.
#[derive(Clone, Copy, PartialEq)]
enum CellRef {
    T3 {
        year: Option<i32>,
        r: usize,
        c: usize,
    },
    T4 {
        g: usize,
        o: usize,
    },
}

impl CellRef {
    fn path(self) -> String {
        match self {
            CellRef::T3 { year: None, r, c } => {
                format!("table3.{}.{}", T3_ROWS[r].0, T3_COLUMNS[c].0)
            }
            CellRef::T3 {
                year: Some(y),
                r,
                c,
            } => format!("{y}:table3.{}.{}", T3_ROWS[r].0, T3_COLUMNS[c].0),
            CellRef::T4 { g, o } => format!("table4.{}.{}", T4_GROUPS[g].0, T4_OUTCOMES[o].0),
        }
    }
}

/// An operand of a rule: its value and its cell.
type Term = (Val, CellRef);

/// A sum of terms, or the null terms' cells.
fn sum(terms: &[Term]) -> Result<f64, Vec<CellRef>> {
    let missing: Vec<CellRef> = terms
        .iter()
        .filter(|(v, _)| v.is_none())
        .map(|&(_, c)| c)
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    Ok(terms.iter().filter_map(|(v, _)| v.map(Num::as_f64)).sum())
}

fn t3_cell(t: &Table3, r: usize, c: usize) -> Term {
    (t[r][c], CellRef::T3 { year: None, r, c })
}

/// A table 三 operand of one of two years: its path carries the year.
fn t3_year_cell(t: &Table3, year: i32, r: usize, c: usize) -> Term {
    let year = Some(year);
    (t[r][c], CellRef::T3 { year, r, c })
}

fn t4_cell(t: &Table4, g: usize, o: usize) -> Term {
    (t[g][o], CellRef::T4 { g, o })
}

fn same(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

fn show(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Collects not-checkable instances of a rule into one info finding.
struct Uncheckable {
    rule: &'static str,
    places: Vec<String>,
    /// Distinct cells in first-seen order (distinct cells have distinct paths).
    cells: Vec<CellRef>,
}

impl Uncheckable {
    fn new(rule: &'static str) -> Self {
        Uncheckable {
            rule,
            places: Vec::new(),
            cells: Vec::new(),
        }
    }

    fn add(&mut self, place: String, cells: Vec<CellRef>) {
        self.places.push(place);
        for c in cells {
            if !self.cells.contains(&c) {
                self.cells.push(c);
            }
        }
    }

    fn finish(self, out: &mut Vec<Finding>) {
        if self.places.is_empty() {
            return;
        }
        let msg = format!(
            "{} not checkable (a blank cell) for: {}",
            self.rule,
            self.places.join(", ")
        );
        let cells: Vec<String> = self.cells.into_iter().map(CellRef::path).collect();
        let zh = format!(
            "{} 无法核验，{} 格空白：{}",
            self.rule,
            cells.len(),
            cells_summary_zh(&cells)
        );
        out.push(Finding::new(self.rule, Severity::Info, msg, zh).with_cells(cells));
    }
}

/// Check `lhs == rhs`; push an error when broken (`describe` gives its English and Chinese
/// explanation), note it as not checkable when a term is null.
fn equation(
    rule: &'static str,
    place: &str,
    lhs: &[Term],
    rhs: &[Term],
    describe: impl Fn(f64, f64) -> (String, String),
    out: &mut Vec<Finding>,
    unchecked: &mut Uncheckable,
) {
    match (sum(lhs), sum(rhs)) {
        (Ok(l), Ok(r)) if !same(l, r) => {
            let cells = lhs.iter().chain(rhs).map(|(_, c)| c.path());
            let (en, zh) = describe(l, r);
            out.push(Finding::new(rule, Severity::Error, en, zh).with_cells(cells));
        }
        (Ok(_), Ok(_)) => {}
        (l, r) => {
            let cells = l.err().into_iter().chain(r.err()).flatten().collect();
            unchecked.add(place.to_string(), cells);
        }
    }
}

/// T3-1 (printed in the header): 一 + 二 = 三(七)总计 + 四, per column.
fn rule_t3_1(t: &Table3, out: &mut Vec<Finding>) {
    let mut un = Uncheckable::new("T3-1");
    for (c, (_, label)) in T3_COLUMNS.iter().enumerate() {
        let lhs = [
            t3_cell(t, t3::NEW_RECEIVED, c),
            t3_cell(t, t3::CARRIED_OVER, c),
        ];
        let rhs = [
            t3_cell(t, t3::TOTAL_PROCESSED, c),
            t3_cell(t, t3::CARRIED_FORWARD, c),
        ];
        let describe = |l: f64, r: f64| {
            let (l, r) = (show(l), show(r));
            (
                format!(
                    "column {label}: 一 本年新收 + 二 上年结转 = {l}, but (七)总计 + 四 结转下年度 = {r}"
                ),
                format!("{label}列：一 本年新收 + 二 上年结转 = {l}，但（七）总计 + 四 结转下年度 = {r}"),
            )
        };
        equation("T3-1", label, &lhs, &rhs, describe, out, &mut un);
    }
    un.finish(out);
}

/// T3-2: (七)总计 = the sum of the result items, per column.
fn rule_t3_2(t: &Table3, leaf_other: bool, out: &mut Vec<Finding>) {
    let mut un = Uncheckable::new("T3-2");
    for (c, (_, label)) in T3_COLUMNS.iter().enumerate() {
        let mut terms: Vec<Term> = (t3::FIRST_RESULT..=t3::LAST_PLAIN_RESULT)
            .map(|r| t3_cell(t, r, c))
            .collect();
        // The items when all are printed; else other_handling when it is known (a cell merged
        // over the items, or a printed （六） row), which the parser never derives from a null.
        let items_known = t3::OTHER_ITEMS.iter().all(|&r| t[r][c].is_some());
        if leaf_other && (items_known || t[t3::OTHER_HANDLING][c].is_none()) {
            terms.extend(t3::OTHER_ITEMS.iter().map(|&r| t3_cell(t, r, c)));
        } else {
            terms.push(t3_cell(t, t3::OTHER_HANDLING, c));
        }
        let total = [t3_cell(t, t3::TOTAL_PROCESSED, c)];
        let describe = |l: f64, r: f64| {
            let (l, r) = (show(l), show(r));
            (
                format!("column {label}: (七)总计 is {l}, but the result items add up to {r}"),
                format!("{label}列：（七）总计为 {l}，但各项办理结果之和为 {r}"),
            )
        };
        equation("T3-2", label, &total, &terms, describe, out, &mut un);
    }
    un.finish(out);
}

/// T3-3: 总计 = the six applicant columns, per row.
fn rule_t3_3(t: &Table3, out: &mut Vec<Finding>) {
    let mut un = Uncheckable::new("T3-3");
    for (r, (_, label)) in T3_ROWS.iter().enumerate() {
        if t[r].iter().all(Option::is_none) {
            continue; // a row not printed (the other version's （六） rows) is not a blank cell
        }
        let parts: Vec<Term> = (0..T3_TOTAL_COL).map(|c| t3_cell(t, r, c)).collect();
        let total = [t3_cell(t, r, T3_TOTAL_COL)];
        let describe = |l: f64, s: f64| {
            let (l, s) = (show(l), show(s));
            (
                format!("row {label}: 总计 is {l}, but the six applicant columns add up to {s}"),
                format!("「{label}」行：总计为 {l}，但六类申请人之和为 {s}"),
            )
        };
        equation("T3-3", label, &total, &parts, describe, out, &mut un);
    }
    un.finish(out);
}

/// T3-4: every table 三 cell is a non-negative integer (fractions never reach the table).
fn rule_t3_4(t: &Table3, out: &mut Vec<Finding>) {
    for (r, row) in t.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if v.is_some_and(|n| n.as_f64() < 0.0) {
                let cell = CellRef::T3 { year: None, r, c }.path();
                let value = v.map(|n| n.to_string()).unwrap_or_default();
                let msg = format!("{cell} is negative ({value})");
                let zh = format!("{} 为负数（{value}）", cell_zh(&cell));
                out.push(Finding::new("T3-4", Severity::Error, msg, zh).with_cells([cell]));
            }
        }
    }
}

/// T4-1: each group's 总计 = 维持 + 纠正 + 其他 + 尚未审结.
fn rule_t4_1(t: &Table4, out: &mut Vec<Finding>) {
    let mut un = Uncheckable::new("T4-1");
    for (g, (_, label)) in T4_GROUPS.iter().enumerate() {
        let parts: Vec<Term> = (0..4).map(|o| t4_cell(t, g, o)).collect();
        let total = [t4_cell(t, g, 4)];
        let describe = |l: f64, s: f64| {
            let (l, s) = (show(l), show(s));
            (
                format!("{label}: 总计 is {l}, but its four outcomes add up to {s}"),
                format!("{label}：总计为 {l}，但四项结果之和为 {s}"),
            )
        };
        equation("T4-1", label, &total, &parts, describe, out, &mut un);
    }
    un.finish(out);
}

/// T2-d (2019, heuristic): 本年新公开数量 ≤ 对外公开总数量.
fn rule_t2_d(t: &Table2, out: &mut Vec<Finding>) {
    if t.template != Template::V2019 {
        return;
    }
    for item in ["regulations", "normative_documents"] {
        if let (Some(new), Some(total)) = (
            t.get(item, "newly_published"),
            t.get(item, "total_published"),
        ) {
            if new.as_f64() > total.as_f64() {
                let msg =
                    format!("table2.{item}: 本年新公开数量 {new} exceeds 对外公开总数量 {total}");
                let zh = format!(
                    "{}：本年新公开数量 {new} 超过对外公开总数量 {total}",
                    cell_zh(&format!("table2.{item}"))
                );
                let cells = [
                    format!("table2.{item}.newly_published"),
                    format!("table2.{item}.total_published"),
                ];
                out.push(Finding::new("T2-d", Severity::Warning, msg, zh).with_cells(cells));
            }
        }
    }
}

/// Rules across two consecutive years of one body: T3-5 (二 上年结转 of `cur` = 四 结转下年度 of
/// `prev`, per column) as errors, T2-a/T2-b/T2-c as warnings. Cells are prefixed with the year.
pub fn cross_year(prev: &Report, cur: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    let (py, cy) = (prev.year.unwrap_or(0), cur.year.unwrap_or(0));
    if let (Some(p), Some(c)) = (&prev.table3, &cur.table3) {
        let mut un = Uncheckable::new("T3-5");
        for (col, (_, label)) in T3_COLUMNS.iter().enumerate() {
            let lhs = [t3_year_cell(c, cy, t3::CARRIED_OVER, col)];
            let rhs = [t3_year_cell(p, py, t3::CARRIED_FORWARD, col)];
            let describe = |l: f64, r: f64| {
                let (l, r) = (show(l), show(r));
                (
                    format!(
                        "column {label}: {cy} 上年结转 is {l}, but {py} 结转下年度继续办理 was {r}"
                    ),
                    format!(
                        "{label}列：{cy} 年 上年结转 为 {l}，但 {py} 年 结转下年度继续办理 为 {r}"
                    ),
                )
            };
            equation("T3-5", label, &lhs, &rhs, describe, &mut out, &mut un);
        }
        un.finish(&mut out);
    }
    if let (Some(p), Some(c)) = (&prev.table2, &cur.table2) {
        t2_carry_over(p, c, py, cy, &mut out);
    }
    out
}

fn t2_carry_over(p: &Table2, c: &Table2, py: i32, cy: i32, out: &mut Vec<Finding>) {
    let warn = |rule: &str, (msg, zh): (String, String), cells: Vec<String>| {
        Finding::new(rule, Severity::Warning, msg, zh).with_cells(cells)
    };
    let f = |v: Val| v.map(Num::as_f64);
    if p.template == Template::V2021 && c.template == Template::V2021 {
        for item in ["regulations", "normative_documents"] {
            let (prev_in_force, issued, repealed, in_force) = (
                f(p.get(item, "in_force")),
                f(c.get(item, "issued")),
                f(c.get(item, "repealed")),
                f(c.get(item, "in_force")),
            );
            if let (Some(pf), Some(i), Some(r), Some(cf)) =
                (prev_in_force, issued, repealed, in_force)
            {
                if !same(pf + i - r, cf) {
                    let (sum, [pf, i, r, cf]) = (show(pf + i - r), [pf, i, r, cf].map(show));
                    let msg = (
                        format!(
                            "table2.{item}: {py} 现行有效 {pf} + {cy} 制发 {i} − 废止 {r} = {sum}, but {cy} prints 现行有效 {cf}"
                        ),
                        format!(
                            "{}：{py} 年现行有效 {pf} + {cy} 年制发 {i} − 废止 {r} = {sum}，但 {cy} 年现行有效为 {cf}",
                            cell_zh(&format!("table2.{item}"))
                        ),
                    );
                    out.push(warn(
                        "T2-a",
                        msg,
                        vec![format!("{cy}:table2.{item}.in_force")],
                    ));
                }
            }
            if let (Some(pf), Some(i), Some(r)) = (prev_in_force, issued, repealed) {
                if r > pf + i {
                    let [r, pf, i] = [r, pf, i].map(show);
                    let msg = (
                        format!("table2.{item}: {cy} 废止 {r} exceeds {py} 现行有效 {pf} + {cy} 制发 {i}"),
                        format!(
                            "{}：{cy} 年废止 {r} 超过 {py} 年现行有效 {pf} + {cy} 年制发 {i}",
                            cell_zh(&format!("table2.{item}"))
                        ),
                    );
                    out.push(warn(
                        "T2-b",
                        msg,
                        vec![format!("{cy}:table2.{item}.repealed")],
                    ));
                }
            }
        }
    }
    if p.template == Template::V2019 && c.template == Template::V2019 {
        for item in ["licensing", "other_services", "penalty", "coercion", "fees"] {
            let (pp, pc, cp) = (
                f(p.get(item, "prior_year_items")),
                f(p.get(item, "change")),
                f(c.get(item, "prior_year_items")),
            );
            if let (Some(pp), Some(pc), Some(cp)) = (pp, pc, cp) {
                if !same(pp + pc, cp) {
                    let (sum, [pp, pc, cp]) = (show(pp + pc), [pp, pc, cp].map(show));
                    let msg = (
                        format!(
                            "table2.{item}: {py} 上一年项目数量 {pp} + 增减 {pc} = {sum}, but {cy} prints {cp}"
                        ),
                        format!(
                            "{}：{py} 年 上一年项目数量 {pp} + 增减 {pc} = {sum}，但 {cy} 年为 {cp}",
                            cell_zh(&format!("table2.{item}"))
                        ),
                    );
                    out.push(warn(
                        "T2-c",
                        msg,
                        vec![format!("{cy}:table2.{item}.prior_year_items")],
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consistent_table3() -> Table3 {
        let mut t: Table3 = [[Some(Num::Int(0)); 7]; 26];
        let mut set = |r: usize, v: i64| {
            t[r][0] = Some(Num::Int(v));
            t[r][6] = Some(Num::Int(v));
        };
        set(t3::NEW_RECEIVED, 10);
        set(t3::CARRIED_OVER, 2);
        set(t3::GRANTED, 7);
        set(t3::UNAVAILABLE_NOT_HELD, 3);
        set(t3::TOTAL_PROCESSED, 10);
        set(t3::CARRIED_FORWARD, 2);
        t
    }

    fn report(year: i32, t: Table3) -> Report {
        Report {
            year: Some(year),
            template: Some(Template::V2019),
            table3: Some(t),
            ..Report::default()
        }
    }

    fn rules(findings: &[Finding], severity: Severity) -> Vec<&str> {
        findings
            .iter()
            .filter(|f| f.severity == severity)
            .map(|f| f.rule.as_str())
            .collect()
    }

    #[test]
    fn a_consistent_table_has_no_findings() {
        let mut r = report(2020, consistent_table3());
        check(&mut r);
        assert!(r.findings.is_empty(), "{:?}", r.findings);
    }

    #[test]
    fn a_broken_printed_rule_is_an_error_naming_its_cells() {
        let mut t = consistent_table3();
        t[t3::CARRIED_FORWARD][0] = Some(Num::Int(3));
        let mut r = report(2020, t);
        check(&mut r);
        let f = r
            .findings
            .iter()
            .find(|f| f.rule == "T3-1")
            .expect("T3-1 broken");
        assert_eq!(f.severity, Severity::Error);
        assert!(f
            .cells
            .contains(&"table3.carried_forward.natural_person".to_string()));
        assert!(
            f.message.contains("12") && f.message.contains("13"),
            "{}",
            f.message
        );
        assert!(
            rules(&r.findings, Severity::Error).contains(&"T3-3"),
            "the row total no longer adds up either"
        );
    }

    #[test]
    fn a_blank_operand_is_not_checkable_never_broken() {
        let mut t = consistent_table3();
        t[t3::CARRIED_OVER][6] = None;
        let mut r = report(2020, t);
        check(&mut r);
        assert!(
            rules(&r.findings, Severity::Error).is_empty(),
            "{:?}",
            r.findings
        );
        assert!(rules(&r.findings, Severity::Info).contains(&"T3-1"));
    }

    #[test]
    fn carry_over_across_years_is_checked() {
        let prev = report(2020, consistent_table3());
        let mut t = consistent_table3();
        t[t3::CARRIED_OVER][0] = Some(Num::Int(5));
        let cur = report(2021, t);
        let f = cross_year(&prev, &cur);
        let broken: Vec<&Finding> = f
            .iter()
            .filter(|f| f.rule == "T3-5" && f.severity == Severity::Error)
            .collect();
        assert_eq!(broken.len(), 1, "{f:?}");
        assert!(broken[0]
            .cells
            .iter()
            .any(|c| c.starts_with("2020:table3.carried_forward")));
        assert!(cross_year(&prev, &report(2021, consistent_table3())).is_empty());
    }

    #[test]
    fn table4_group_totals() {
        let mut t: Table4 = [[
            Some(Num::Int(1)),
            Some(Num::Int(0)),
            Some(Num::Int(0)),
            Some(Num::Int(0)),
            Some(Num::Int(1)),
        ]; 3];
        t[0][4] = Some(Num::Int(0));
        let mut r = Report {
            table4: Some(t),
            ..Report::default()
        };
        check(&mut r);
        assert_eq!(rules(&r.findings, Severity::Error), ["T4-1"]);
    }
}
