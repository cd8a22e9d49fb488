//! Null stays null through every derivation, and merged value cells are never split (issue 16,
//! points 1 and 3): valid reports are printed with any subset of their cells blank and some
//! （六） cells merged over the three sub-rows, as HTML and as DOCX, parsed, and every value the
//! parser and the aggregation derive is held to the operands that were printed (a table 三 总计
//! counts as printed when its six applicant columns are: identity T3-3 gives it, issue 14).
//!
//! See: issue 16 ("Seven numbers are silently wrong"; "A value cell merged over three sub-rows").

use nianbao_fixtures::docs::{render_docx, render_pdf, Block, GridCell, Layout, Rulings};
use nianbao_model::report::{Num, Report, Table2, Table3, Table4, Val};
use nianbao_model::template::{
    t3, table2_items, Template, T3_COLUMNS, T3_ROWS, T4_GROUPS, T4_OUTCOMES,
};
use nianbao_tables::aggregate::formula::CellKey;
use nianbao_tables::aggregate::metrics::MetricSet;
use nianbao_tables::aggregate::{aggregate, Input, SourceMeta};
use proptest::prelude::*;
use serde_json::Value;

use crate::util::{read_json, root};

/// A valid report (its expected file): the truth the printed variants are compared with.
struct Truth {
    template: Template,
    year: i32,
    t2: Table2,
    t3: Table3,
    t4: Table4,
}

fn num(v: &Value) -> Val {
    match v {
        Value::Number(n) => n
            .as_i64()
            .map(Num::Int)
            .or_else(|| n.as_f64().map(Num::Dec)),
        _ => None,
    }
}

fn truth(fixture: &str) -> Truth {
    let j = read_json(&root().join("tests/fixtures/parse").join(fixture));
    let template = j["template"]
        .as_str()
        .and_then(Template::parse)
        .expect("template");
    let mut t2 = Table2::empty(template);
    for (i, item) in table2_items(template).iter().enumerate() {
        for (m, (key, _)) in item.measures.iter().enumerate() {
            t2.values[i][m] = num(&j["table2"][item.key][key]);
        }
    }
    let mut t3: Table3 = [[None; 7]; 26];
    for (r, (row, _)) in T3_ROWS.iter().enumerate() {
        for (c, (col, _)) in T3_COLUMNS.iter().enumerate() {
            t3[r][c] = num(&j["table3"][row][col]);
        }
    }
    let mut t4: Table4 = [[None; 5]; 3];
    for (g, (group, _)) in T4_GROUPS.iter().enumerate() {
        for (o, (outcome, _)) in T4_OUTCOMES.iter().enumerate() {
            t4[g][o] = num(&j["table4"][group][outcome]);
        }
    }
    let year = j["year"].as_i64().and_then(|y| i32::try_from(y).ok());
    Truth {
        template,
        year: year.expect("year"),
        t2,
        t3,
        t4,
    }
}

/// How one variant prints the truth: which value cells are blank (in the order [`layout`]
/// prints them), and which table 三 columns have their three （六） cells merged into one
/// printing their sum (2021 only).
#[derive(Debug, Clone)]
struct Print {
    blank: Vec<bool>,
    merge: [bool; 7],
}

/// Whether table 三 cell (r, c) is printed as its own non-blank cell, given a [`Print`]; the
/// printed position of each table 三 cell is `t3_index(r, c)`.
struct Printed<'a> {
    truth: &'a Truth,
    print: &'a Print,
    t3_first: usize,
    t4_first: usize,
}

impl Printed<'_> {
    fn t3_rows(&self) -> Vec<usize> {
        (0..T3_ROWS.len())
            .filter(|&r| match self.truth.template {
                Template::V2021 => r != t3::OTHER_HANDLING,
                Template::V2019 => !t3::OTHER_ITEMS.contains(&r),
            })
            .collect()
    }

    fn t3_index(&self, r: usize, c: usize) -> Option<usize> {
        let k = self.t3_rows().iter().position(|&x| x == r)?;
        Some(self.t3_first + k * 7 + c)
    }

    fn blank(&self, i: usize) -> bool {
        self.print.blank.get(i).copied().unwrap_or(false)
    }

    fn merged(&self, c: usize) -> bool {
        self.truth.template == Template::V2021 && self.print.merge[c]
    }

    /// The printed text of a merged （六） cell of column `c`: the sum of its three items,
    /// blank when the first item's slot is blanked.
    fn merged_value(&self, c: usize) -> Option<i64> {
        let first = self.t3_index(t3::OTHER_ITEMS[0], c)?;
        if self.blank(first) {
            return None;
        }
        t3::OTHER_ITEMS
            .iter()
            .map(|&i| self.truth.t3[i][c].and_then(Num::as_int))
            .sum()
    }

    /// A table 三 cell printed as a number of its own.
    fn t3_printed(&self, r: usize, c: usize) -> bool {
        if t3::OTHER_ITEMS.contains(&r) && self.merged(c) {
            return self.merged_value(c) == Some(0);
        }
        match self.t3_index(r, c) {
            Some(i) => !self.blank(i) && self.truth.t3[r][c].is_some(),
            None => false,
        }
    }

    fn t4_printed(&self, g: usize, o: usize) -> bool {
        !self.blank(self.t4_first + g * 5 + o) && self.truth.t4[g][o].is_some()
    }

    /// Whether a cell a metric reads is printed, and whether, blank, identity T3-3 gives it (a
    /// table 三 总计 whose six applicant columns are printed).
    fn operand(&self, op: &CellKey) -> (bool, bool) {
        let index = |keys: &[(&str, &str)], k: &str| keys.iter().position(|(key, _)| *key == k);
        let parts: Vec<&str> = op.key.split('.').collect();
        match parts[..] {
            ["table3", row, column] => {
                let (Some(r), Some(c)) = (index(&T3_ROWS, row), index(&T3_COLUMNS, column)) else {
                    return (false, false);
                };
                let parts = column == "total" && (0..6).all(|c| self.t3_printed(r, c));
                (self.t3_printed(r, c), parts)
            }
            ["table4", group, outcome] => {
                let (Some(g), Some(o)) = (index(&T4_GROUPS, group), index(&T4_OUTCOMES, outcome))
                else {
                    return (false, false);
                };
                (self.t4_printed(g, o), false)
            }
            _ => (false, false),
        }
    }
}

/// The metric values of one report, as the comparison stage computes them (a city government's
/// report of its year): values, and whether each used a derived total.
fn metric_values(report: Report) -> (Vec<Option<f64>>, Vec<bool>) {
    let meta = SourceMeta {
        city: "某市".into(),
        url: "http://127.0.0.1/variant".into(),
        ..SourceMeta::default()
    };
    let t = aggregate(vec![Input::new(meta, report)], &[], &Default::default())
        .expect("the comparison stage runs");
    let row = t.comparison.first().expect("the report is compared");
    (row.values.clone(), row.derived.clone())
}

fn text(v: Val, blank: bool) -> String {
    match (v, blank) {
        (Some(n), false) => n.to_string(),
        _ => String::new(),
    }
}

fn cell(text: impl Into<String>) -> GridCell {
    GridCell {
        text: text.into(),
        colspan: 1,
        rowspan: 1,
        header: false,
    }
}

/// The report as a document layout: headings, the three tables (label cell, then values), the
/// merged （六） cells as rowspan 3. Value cells are numbered in printing order for `blank`.
fn layout(truth: &Truth, print: &Print) -> (Layout, usize, usize) {
    let year = truth.year;
    let next = std::cell::Cell::new(0usize);
    let value = |v: Val| {
        let i = next.get();
        next.set(i + 1);
        cell(text(v, print.blank.get(i).copied().unwrap_or(false)))
    };
    let mut blocks = vec![Block::Para(format!(
        "本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
    ))];
    blocks.push(Block::Heading("二、主动公开政府信息情况".into()));
    let mut t2 = Vec::new();
    for (i, item) in table2_items(truth.template).iter().enumerate() {
        let mut head = vec![cell("信息内容")];
        head.extend(item.measures.iter().map(|(_, l)| cell(*l)));
        t2.push(head);
        let mut row = vec![cell(item.labels[0])];
        row.extend(truth.t2.values[i].iter().map(|&v| value(v)));
        t2.push(row);
    }
    blocks.push(Block::Table(t2));
    blocks.push(Block::Heading("三、收到和处理政府信息公开申请情况".into()));
    let t3_first = next.get();
    let mut t3_rows = vec![{
        let mut head = vec![cell("申请人情况")];
        head.extend(T3_COLUMNS.iter().map(|(_, l)| cell(*l)));
        head
    }];
    let printed = Printed {
        truth,
        print,
        t3_first,
        t4_first: 0,
    };
    for r in printed.t3_rows() {
        let mut row = vec![cell(T3_ROWS[r].1)];
        for c in 0..7 {
            let slot = value(truth.t3[r][c]);
            let merged = truth.template == Template::V2021 && print.merge[c];
            if merged && r == t3::OTHER_ITEMS[0] {
                let sum = printed.merged_value(c);
                row.push(GridCell {
                    text: sum.map_or(String::new(), |s| s.to_string()),
                    rowspan: 3,
                    ..slot
                });
            } else if !(merged && t3::OTHER_ITEMS.contains(&r)) {
                row.push(slot);
            }
        }
        t3_rows.push(row);
    }
    blocks.push(Block::Table(t3_rows));
    blocks.push(Block::Heading(
        "四、政府信息公开行政复议、行政诉讼情况".into(),
    ));
    let t4_first = next.get();
    let mut head = Vec::new();
    for _ in 0..3 {
        head.extend(T4_OUTCOMES.iter().map(|(_, l)| cell(*l)));
    }
    let values: Vec<GridCell> = truth.t4.iter().flatten().map(|&v| value(v)).collect();
    blocks.push(Block::Table(vec![
        vec![cell("行政复议"), cell("行政诉讼")],
        head,
        values,
    ]));
    blocks.push(Block::Heading("五、存在的主要问题及改进情况".into()));
    blocks.push(Block::Para("无。".into()));
    let title = format!("某市{year}年政府信息公开工作年度报告");
    (Layout { title, blocks }, t3_first, t4_first)
}

fn html(layout: &Layout) -> String {
    let mut s = format!(
        "<html><head><meta charset=\"utf-8\"><title>{}</title></head><body><p>{}</p>",
        layout.title, layout.title
    );
    for b in &layout.blocks {
        match b {
            Block::Heading(t) | Block::Para(t) => s.push_str(&format!("<p>{t}</p>")),
            Block::Table(rows) => {
                s.push_str("<table border=\"1\">");
                for row in rows {
                    s.push_str("<tr>");
                    for c in row {
                        let span = if c.rowspan > 1 {
                            format!(" rowspan=\"{}\"", c.rowspan)
                        } else {
                            String::new()
                        };
                        let t = if c.text.is_empty() { "&nbsp;" } else { &c.text };
                        s.push_str(&format!("<td{span}>{t}</td>"));
                    }
                    s.push_str("</tr>");
                }
                s.push_str("</table>");
            }
        }
    }
    s.push_str("</body></html>");
    s
}

/// Every value of `got` against the truth and what was printed; returns the problems.
fn check(
    truth: &Truth,
    print: &Print,
    got: &Report,
    t3_first: usize,
    t4_first: usize,
) -> Vec<String> {
    let p = Printed {
        truth,
        print,
        t3_first,
        t4_first,
    };
    let mut problems = Vec::new();
    let Some(g3) = &got.table3 else {
        return vec!["no table 三".into()];
    };
    for r in 0..T3_ROWS.len() {
        for c in 0..7 {
            let path = format!("table3.{}.{}", T3_ROWS[r].0, T3_COLUMNS[c].0);
            let derived = truth.template == Template::V2021 && r == t3::OTHER_HANDLING;
            let allowed = if derived {
                // Derived: only from three printed items, or one merged cell over them.
                let items = t3::OTHER_ITEMS.iter().all(|&i| p.t3_printed(i, c));
                items || (p.merged(c) && p.merged_value(c).is_some())
            } else {
                p.t3_printed(r, c)
            };
            match g3[r][c] {
                Some(v) if !allowed => {
                    problems.push(format!("{path} = {v}: an operand is not printed"))
                }
                Some(v) if Some(v) != truth.t3[r][c] => {
                    problems.push(format!("{path} = {v}, truth {:?}", truth.t3[r][c]));
                }
                None if allowed && !derived => {
                    problems.push(format!("{path}: printed, read as null"))
                }
                None if allowed && derived => {
                    problems.push(format!("{path}: derivable, left null"))
                }
                _ => {}
            }
        }
    }
    if let Some(g4) = &got.table4 {
        for (g, row) in g4.iter().enumerate() {
            for (o, v) in row.iter().enumerate() {
                let path = format!("table4.{}.{}", T4_GROUPS[g].0, T4_OUTCOMES[o].0);
                match v {
                    Some(_) if !p.t4_printed(g, o) => problems.push(format!("{path}: not printed")),
                    Some(v) if Some(*v) != truth.t4[g][o] => problems.push(format!("{path} = {v}")),
                    _ => {}
                }
            }
        }
    }
    let truth_report = Report {
        year: Some(truth.year),
        table3: Some(truth.t3),
        table4: Some(truth.t4),
        ..Report::default()
    };
    let (want, _) = metric_values(truth_report);
    let (values, derived) = metric_values(Report {
        year: Some(truth.year),
        ..got.clone()
    });
    for (k, m) in MetricSet::builtin().metrics().iter().enumerate() {
        let operands: Vec<(bool, bool)> = m.operands().iter().map(|op| p.operand(op)).collect();
        let printed = operands.iter().all(|(printed, _)| *printed);
        let known = operands
            .iter()
            .all(|(printed, derivable)| *printed || *derivable);
        match values[k] {
            Some(v) if !known => problems.push(format!(
                "metric {} = {v}: an operand is not printed",
                m.id()
            )),
            Some(v) if want[k].is_none_or(|w| (w - v).abs() > 1e-9) => {
                problems.push(format!("metric {} = {v}, truth {:?}", m.id(), want[k]));
            }
            Some(_) if !printed && !derived[k] => {
                problems.push(format!("metric {}: a derived total, not said so", m.id()));
            }
            _ => {}
        }
    }
    problems
}

fn value_count(truth: &Truth) -> usize {
    let none = Print {
        blank: Vec::new(),
        merge: [false; 7],
    };
    let (layout, _, _) = layout(truth, &none);
    layout
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(rows) => Some(rows),
            _ => None,
        })
        .flatten()
        .flatten()
        .filter(|c| !c.text.is_empty() && c.text.chars().all(|ch| ch.is_ascii_digit() || ch == '.'))
        .count()
}

fn run_html(truth: &Truth, print: &Print) -> Vec<String> {
    let (layout, t3_first, t4_first) = layout(truth, print);
    let page = html(&layout);
    let got = nianbao_parser::parse_bytes(page.as_bytes(), "variant.html", None).expect("parses");
    check(truth, print, &got, t3_first, t4_first)
}

fn run_docx(truth: &Truth, print: &Print) -> Vec<String> {
    let (layout, t3_first, t4_first) = layout(truth, print);
    let bytes = render_docx(&layout).expect("docx");
    let got = nianbao_parser::parse_bytes(&bytes, "variant.docx", None).expect("parses");
    check(truth, print, &got, t3_first, t4_first)
}

const FIXTURES: [&str; 2] = [
    "gbk-undeclared-2021.expected.json",
    "word-export-2019.expected.json",
];

#[test]
fn printed_reports_read_exactly() {
    for f in FIXTURES {
        let t = truth(f);
        let print = Print {
            blank: Vec::new(),
            merge: [false; 7],
        };
        assert!(value_count(&t) > 100, "{f}");
        assert_eq!(run_html(&t, &print), Vec::<String>::new(), "{f} html");
        assert_eq!(run_docx(&t, &print), Vec::<String>::new(), "{f} docx");
    }
}

/// The parser's derived values, each against each operand: other_handling of every column with
/// each of its three items blank in turn is null with a P-DERIVED-NULL finding naming both, and
/// the other columns keep their sums. (The reported fault: one （六） item unread, and
/// other_handling the sum of the rest.)
#[test]
fn every_derived_value_is_null_when_one_operand_is_blank() {
    let t = truth(FIXTURES[0]);
    let plain = Print {
        blank: vec![],
        merge: [false; 7],
    };
    let (_, t3_first, _) = layout(&t, &plain);
    let p = Printed {
        truth: &t,
        print: &plain,
        t3_first,
        t4_first: 0,
    };
    for &item in &t3::OTHER_ITEMS {
        for (c, (column, _)) in T3_COLUMNS.iter().enumerate() {
            let mut blank = vec![false; 400];
            blank[p.t3_index(item, c).expect("printed")] = true;
            let print = Print {
                blank,
                merge: [false; 7],
            };
            let (layout, _, _) = layout(&t, &print);
            let got = nianbao_parser::parse_bytes(html(&layout).as_bytes(), "x.html", None)
                .expect("parses");
            let g3 = got.table3.expect("table 三");
            let what = format!("{} blank", T3_ROWS[item].0);
            assert_eq!(g3[t3::OTHER_HANDLING][c], None, "{what}, column {column}");
            for other in (0..7).filter(|&o| o != c) {
                assert_eq!(
                    g3[t3::OTHER_HANDLING][other],
                    t.t3[t3::OTHER_HANDLING][other],
                    "{what}"
                );
            }
            let derived = format!("table3.other_handling.{column}");
            let operand = format!("table3.{}.{column}", T3_ROWS[item].0);
            assert!(
                got.findings.iter().any(|f| f.rule == "P-DERIVED-NULL"
                    && f.cells.contains(&derived)
                    && f.cells.contains(&operand)),
                "{what}: {:?}",
                got.findings
            );
        }
    }
}

/// Merged （六） cells, in HTML (rowspan), DOCX (vMerge) and a ruled PDF (a box over three
/// rows): 0 in each row when 0 is printed,
/// null in each with a finding naming the merged cell otherwise; the total still feeds
/// other_handling.
#[test]
fn merged_other_cells_in_html_docx_and_pdf() {
    let t = truth(FIXTURES[0]);
    // Column 0 sums to 24 (8 + 0 + 16), column 2 to 0.
    let print = Print {
        blank: vec![],
        merge: [true, false, true, false, false, false, false],
    };
    let (doc, t3_first, t4_first) = layout(&t, &print);
    for (what, bytes) in [
        ("html", html(&doc).into_bytes()),
        ("docx", render_docx(&doc).expect("docx")),
        ("pdf", render_pdf(&doc, Rulings::Ruled).expect("pdf")),
    ] {
        let got = nianbao_parser::parse_bytes(&bytes, what, None).expect("parses");
        let g3 = got.table3.as_ref().expect("table 三");
        for &i in &t3::OTHER_ITEMS {
            assert_eq!(
                g3[i][0], None,
                "{what}: a non-zero merged value is not split"
            );
            assert_eq!(
                g3[i][2],
                Some(Num::Int(0)),
                "{what}: a merged 0 is 0 in each row"
            );
            assert_eq!(g3[i][1], t.t3[i][1], "{what}");
        }
        assert_eq!(g3[t3::OTHER_HANDLING][0], Some(Num::Int(24)), "{what}");
        let finding = got
            .findings
            .iter()
            .find(|f| f.rule == "P-MERGED-CELL")
            .unwrap_or_else(|| panic!("{what}: {:?}", got.findings));
        assert!(finding.message.contains("'24'"), "{}", finding.message);
        assert!(finding
            .cells
            .contains(&"table3.other_unpaid_fee.natural_person".to_string()));
        assert!(
            got.findings.iter().any(|f| f.rule == "P-MERGED-ZERO"),
            "{what}"
        );
        let problems = check(&t, &print, &got, t3_first, t4_first);
        assert!(problems.is_empty(), "{what}: {}", problems.join("\n"));
    }
}

fn arb_print(n: usize) -> impl Strategy<Value = Print> {
    (
        prop::collection::vec(prop::bool::weighted(0.15), n),
        prop::array::uniform7(prop::bool::weighted(0.3)),
    )
        .prop_map(|(blank, merge)| Print { blank, merge })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    /// Blank any subset of the cells of a valid report (and merge some （六） columns): no value
    /// the parser reads or derives, and no metric, is non-null unless all its operands are
    /// printed, and every non-null value is the true one.
    #[test]
    fn no_derived_value_from_a_blank_operand(
        which in 0..FIXTURES.len(),
        print in arb_print(260),
    ) {
        let t = truth(FIXTURES[which]);
        let problems = run_html(&t, &print);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    #[test]
    fn no_derived_value_from_a_blank_operand_in_docx(print in arb_print(260)) {
        let t = truth(FIXTURES[0]);
        let problems = run_docx(&t, &print);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
