//! [`Tables`] → the sheets of `nianbao.xlsx`: the city governments' comparison (a sheet per
//! year), the departments', counties' and whole cities' comparisons, the trends of the city
//! governments and of the whole cities, the findings, and 说明 (every metric's definition and
//! formula, and the rules). Headers are the data dictionary's Chinese labels.

use std::collections::BTreeSet;

use super::frames::{comparison_columns, derived_text};
use super::metrics::MetricSet;
use super::{ComparisonRow, Scope, Tables, TrendRow};
use crate::dictionary;
use crate::export::xlsx::{Sheet, XCell};

fn text(s: &str) -> XCell {
    XCell::Text(s.to_string())
}

fn opt_text(s: Option<&str>) -> XCell {
    s.filter(|s| !s.is_empty()).map_or(XCell::Empty, text)
}

fn number(v: Option<f64>, percent: bool) -> XCell {
    match v {
        Some(v) if percent => XCell::Percent(v),
        Some(v) => XCell::Number(v),
        None => XCell::Empty,
    }
}

/// The cell of column `name` (a column of [`comparison_columns`]) of a row.
fn comparison_cell(row: &ComparisonRow, name: &str, metrics: &MetricSet) -> XCell {
    match name {
        "year" => XCell::Number(f64::from(row.year)),
        "city" => text(&row.city),
        "adcode" => text(&row.adcode),
        "status" => text(&row.status),
        "reason" => opt_text(row.reason.as_deref()),
        "report_id" => opt_text(row.report_id.as_deref()),
        "body" => opt_text(row.body.as_deref()),
        "department" => opt_text(row.department.as_deref()),
        "county" => opt_text(row.county.as_deref()),
        "bodies" => number(row.bodies.map(f64::from), false),
        "population" => number(row.population.map(|p| p as f64), false),
        "derived" => opt_text(derived_text(row, metrics).as_deref()),
        "data_origin" => opt_text(Some(&row.data_origin)),
        "source_url" => opt_text(Some(&row.source_url)),
        _ => metric_cell(row, name, metrics),
    }
}

/// A metric's value (a percentage for a rate), per 100,000 residents, or rank.
fn metric_cell(row: &ComparisonRow, name: &str, metrics: &MetricSet) -> XCell {
    for (k, m) in metrics.metrics().iter().enumerate() {
        let at = |v: &[Option<f64>]| v.get(k).copied().flatten();
        if name == m.id() {
            return number(at(&row.values), m.is_rate());
        }
        if name == format!("{}_per_100k", m.id()) {
            return number(at(&row.per_100k), false);
        }
        let rank =
            |ranks: &[Option<u32>]| number(ranks.get(k).copied().flatten().map(f64::from), false);
        if name == format!("{}_rank", m.id()) {
            return rank(&row.ranks);
        }
        if name == format!("{}_per_100k_rank", m.id()) {
            return rank(&row.per_100k_ranks);
        }
    }
    XCell::Empty
}

/// A comparison sheet: the columns of the scope's table (without `year` for a sheet of one
/// year), headed by their Chinese labels.
fn comparison_sheet<'a>(
    tables: &'a Tables,
    scope: Scope,
    name: String,
    year: Option<i32>,
) -> Sheet<'a> {
    let metrics = &tables.metrics;
    let columns: Vec<String> = comparison_columns(scope, metrics)
        .into_iter()
        .filter(|c| year.is_none() || c != "year")
        .collect();
    let header = columns
        .iter()
        .map(|c| dictionary::zh(scope.stem(), c, metrics))
        .collect();
    let (rows, _) = tables.compared(scope);
    let rows = rows
        .iter()
        .filter(move |r| year.is_none_or(|y| r.year == y))
        .map(move |r| {
            columns
                .iter()
                .map(|c| comparison_cell(r, c, metrics))
                .collect()
        });
    Sheet {
        name,
        header,
        rows: Box::new(rows),
    }
}

/// A trends sheet: city, adcode, year, metric, its name, this year, the year before, the
/// change (percentages for rates), derived, data origin.
fn trends_sheet<'a>(tables: &'a Tables, scope: Scope, name: &str) -> Sheet<'a> {
    let header = [
        "城市",
        "行政区划代码",
        "年度",
        "指标",
        "指标名称",
        "本年",
        "上年",
        "变化",
        "推算",
        "数据来源",
    ];
    let metrics = &tables.metrics;
    let (_, trends) = tables.compared(scope);
    let rows = trends.iter().map(move |t: &TrendRow| {
        let rate = metrics.get(&t.metric).is_some_and(|m| m.is_rate());
        vec![
            text(&t.city),
            text(&t.adcode),
            XCell::Number(f64::from(t.year)),
            text(&t.metric),
            text(&t.metric_label),
            number(t.value, rate),
            number(t.previous, rate),
            number(t.change, rate),
            opt_text(t.derived.then_some("T3-3")),
            opt_text(Some(&t.data_origin)),
        ]
    });
    Sheet {
        name: name.to_string(),
        header: header.iter().map(|s| s.to_string()).collect(),
        rows: Box::new(rows),
    }
}

fn findings_sheet(tables: &Tables) -> Sheet<'_> {
    let header = [
        "城市",
        "发布机关",
        "年度",
        "规则",
        "级别",
        "说明",
        "单元格",
        "来源网址",
        "数据来源",
    ];
    let rows = tables.findings.iter().map(|f| {
        let r = &tables.reports[f.report];
        vec![
            text(&r.meta.city),
            r.body.as_deref().map_or(XCell::Empty, text),
            r.year.map_or(XCell::Empty, |y| XCell::Number(f64::from(y))),
            text(&f.finding.rule),
            text(f.finding.severity.as_str()),
            text(&f.finding.message),
            text(&f.finding.cells.join(" ")),
            text(&r.meta.url),
            text(&r.meta.data_origin),
        ]
    });
    Sheet {
        name: "问题".into(),
        header: header.iter().map(|s| s.to_string()).collect(),
        rows: Box::new(rows),
    }
}

/// The rules every metric keeps, as rows of the 说明 sheet: (key, 中文, English).
const RULES: [(&str, &str, &str); 4] = [
    (
        "null",
        "操作数为空（空白或无法读取）时指标为空；分母为 0 时指标为空；空白从不按 0 计。",
        "A null operand (blank or unreadable) makes the metric null; a division by 0 is null; a blank is never counted as 0.",
    ),
    (
        "T3-3",
        "表三某行总计为空而六个申请人列均有数值时，按勾稽关系 T3-3 以六列之和推算总计；cells 表保留原空白，该指标行的 derived 列注明 指标:T3-3。已印出的总计一律照印出值使用。",
        "Where a row's 总计 of table 三 is blank but its six applicant columns are printed, the total is derived by identity T3-3 as their sum; `cells` keeps the blank and the row's `derived` column says `<metric>:T3-3`. A printed total is always used as printed.",
    ),
    (
        "rank",
        "排名在同一组内（年度；部门对比为年度与部门类别）按指标方向排列：1 为最好；并列取较好名次；无数值无排名。",
        "Ranks order one group (a year; for departments a year and kind) in the metric's direction: 1 is the best; ties share the better rank; no value, no rank.",
    ),
    (
        "city_totals",
        "全市合计：全市各机关（市政府、市直部门、县区政府及其部门，每机关一份报告）各操作数求和后按公式计算，比率由合计重新计算而非平均；任一纳入机关的操作数为空则合计为空。",
        "City totals sum each operand over every body of the city (one report each) and evaluate the formula on the sums: rates are recomputed, never averaged; null when any included body's operand is null.",
    ),
];

/// 说明: one row per metric (id, names, formula, unit, rank direction, per 100,000,
/// definitions), then the rules.
fn notes_sheet(tables: &Tables) -> Sheet<'_> {
    let header = [
        "类别",
        "键",
        "名称",
        "English",
        "公式",
        "单位",
        "排名1为",
        "每10万人",
        "定义",
        "Definition",
    ];
    let metrics = tables.metrics.metrics().iter().map(|m| {
        vec![
            text("指标"),
            text(m.id()),
            text(m.zh()),
            text(&m.def.en),
            text(&m.def.formula),
            text(m.def.unit.zh()),
            text(if m.def.higher_is_better {
                "最高值"
            } else {
                "最低值"
            }),
            text(if m.per_100k() { "是" } else { "否" }),
            text(&m.def.definition_zh),
            text(&m.def.definition_en),
        ]
    });
    let rules = RULES.iter().map(|(key, zh, en)| {
        let mut row = vec![text("规则"), text(key)];
        row.extend(std::iter::repeat_n(XCell::Empty, 6));
        row.extend([text(zh), text(en)]);
        row
    });
    Sheet {
        name: "说明".into(),
        header: header.iter().map(|s| s.to_string()).collect(),
        rows: Box::new(metrics.chain(rules)),
    }
}

/// Every sheet of the workbook, in order.
/// The 覆盖 sheet: every city-year and report, and why a missing one is missing.
fn coverage_sheet(rows: &[super::coverage::CoverageRow]) -> Sheet<'_> {
    let header = [
        "城市",
        "行政区划代码",
        "级别",
        "发布机关",
        "年度",
        "状态",
        "状态代码",
        "原因",
        "报告编号",
        "网址",
    ];
    let rows = rows.iter().map(|r| {
        vec![
            text(&r.city),
            text(&r.adcode),
            text(r.level.as_str()),
            opt_text(r.body.as_deref()),
            r.year.map_or(XCell::Empty, |y| XCell::Number(f64::from(y))),
            text(r.status.label()),
            text(r.status.as_str()),
            text(&r.reason),
            opt_text(r.report_id.as_deref()),
            text(&r.url),
        ]
    });
    Sheet {
        name: "覆盖".into(),
        header: header.iter().map(|s| s.to_string()).collect(),
        rows: Box::new(rows),
    }
}

pub(super) fn all<'a>(tables: &'a Tables, years: &BTreeSet<i32>) -> Vec<Sheet<'a>> {
    let mut out: Vec<Sheet<'a>> = years
        .iter()
        .rev()
        .map(|&y| comparison_sheet(tables, Scope::CityGovernments, format!("对比{y}"), Some(y)))
        .collect();
    out.push(comparison_sheet(
        tables,
        Scope::Departments,
        "部门对比".into(),
        None,
    ));
    out.push(comparison_sheet(
        tables,
        Scope::Counties,
        "县区对比".into(),
        None,
    ));
    out.push(comparison_sheet(
        tables,
        Scope::CityTotals,
        "全市合计".into(),
        None,
    ));
    out.push(trends_sheet(tables, Scope::CityGovernments, "趋势"));
    out.push(trends_sheet(tables, Scope::CityTotals, "全市合计趋势"));
    out.push(findings_sheet(tables));
    out.push(coverage_sheet(&tables.coverage));
    out.push(notes_sheet(tables));
    out
}
