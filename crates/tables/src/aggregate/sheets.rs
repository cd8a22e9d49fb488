//! [`Tables`] → the sheets of `nianbao.xlsx`: per level a wide sheet of the metrics × year
//! (rows = city or body), the city governments' comparison (a sheet per year), the
//! departments', counties' and whole cities' comparisons, the trends of the city governments and
//! of the whole cities (a rate's change in 个百分点, a count's as 同比%), the findings (in
//! Chinese and English), the coverage, the reports, the raw cells, and 说明 (the data status,
//! every metric's and column's definition from the data dictionary, the rules and the
//! population source). Headers are the data dictionary's Chinese labels; numbers carry the
//! format of their metric's declared unit ([`Shown`]).

use std::collections::{BTreeMap, BTreeSet};

use super::frames::{comparison_columns, derived_text};
use super::metrics::{MetricSet, MetricUnit};
use super::{ComparisonRow, Scope, Tables, TrendRow};
use crate::dictionary;
use crate::export::csv::{bool_text, Labels};
use crate::export::shown::Shown;
use crate::export::xlsx::{Sheet, XCell};

fn text(s: &str) -> XCell {
    XCell::Text(s.to_string())
}

fn opt_text(s: Option<&str>) -> XCell {
    s.filter(|s| !s.is_empty()).map_or(XCell::Empty, text)
}

/// A number shown as its kind is (`None` for General), or an empty cell for null.
fn number(v: Option<f64>, shown: Option<Shown>) -> XCell {
    match (v, shown) {
        (Some(v), Some(shown)) => XCell::Shown(v, shown),
        (Some(v), None) => XCell::Number(v),
        (None, _) => XCell::Empty,
    }
}

fn year_cell(year: Option<i32>) -> XCell {
    number(year.map(f64::from), Some(Shown::Year))
}

/// How many leading columns label a row (up to the last of city, department kind, county):
/// the panes are frozen right of them.
fn label_columns(columns: &[String]) -> u16 {
    let last = columns
        .iter()
        .rposition(|c| ["city", "department", "county"].contains(&c.as_str()));
    last.map_or(0, |i| u16::try_from(i + 1).unwrap_or(0))
}

/// The cell of column `name` (a column of [`comparison_columns`]) of a row.
fn comparison_cell(row: &ComparisonRow, name: &str, metrics: &MetricSet) -> XCell {
    match name {
        "year" => year_cell(Some(row.year)),
        "city" => text(&row.city),
        "adcode" => text(&row.adcode),
        "status" => text(&row.status),
        "reason" => opt_text(row.reason.as_deref()),
        "report_id" => opt_text(row.report_id.as_deref()),
        "body" => opt_text(row.body.as_deref()),
        "department" => opt_text(row.department.as_deref()),
        "county" => opt_text(row.county.as_deref()),
        "bodies" => number(row.bodies.map(f64::from), Some(Shown::Count)),
        "population" => number(row.population.map(|p| p as f64), Some(Shown::Count)),
        "derived" => opt_text(derived_text(row, metrics).as_deref()),
        "data_origin" => opt_text(Some(&row.data_origin)),
        "source_url" => opt_text(Some(&row.source_url)),
        _ => metric_cell(row, name, metrics),
    }
}

/// A metric's value (shown as its unit is), per 100,000 residents, or rank.
fn metric_cell(row: &ComparisonRow, name: &str, metrics: &MetricSet) -> XCell {
    for (k, m) in metrics.metrics().iter().enumerate() {
        let at = |v: &[Option<f64>]| v.get(k).copied().flatten();
        if name == m.id() {
            return number(at(&row.values), Some(m.def.unit.shown()));
        }
        if name == format!("{}_per_100k", m.id()) {
            return number(at(&row.per_100k), Some(Shown::Per100k));
        }
        let rank = |ranks: &[Option<u32>]| {
            number(
                ranks.get(k).copied().flatten().map(f64::from),
                Some(Shown::Rank),
            )
        };
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
    let columns_for_labels = columns.clone();
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
        label_columns: label_columns(&columns_for_labels),
        header,
        rows: Box::new(rows),
    }
}

/// A trends sheet: city, adcode, year, metric, its name, this year, the year before, the
/// change (a rate's in 个百分点, another's in its unit), 同比 (the change over the year before,
/// for counts, numbers and amounts; null when either year is null or the year before is 0),
/// derived, data origin.
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
        "同比",
        "推算",
        "数据来源",
    ];
    let metrics = &tables.metrics;
    let (_, trends) = tables.compared(scope);
    let rows = trends.iter().map(move |t: &TrendRow| {
        let unit = metrics
            .get(&t.metric)
            .map_or(MetricUnit::Number, |m| m.def.unit);
        // A rate's change reads in 个百分点; another's in its own unit (its 同比 beside it).
        let change_shown = match unit {
            MetricUnit::Rate => unit.change_shown(),
            _ => unit.shown(),
        };
        vec![
            text(&t.city),
            text(&t.adcode),
            year_cell(Some(t.year)),
            text(&t.metric),
            text(&t.metric_label),
            number(t.value, Some(unit.shown())),
            number(t.previous, Some(unit.shown())),
            number(t.change, Some(change_shown)),
            number(year_on_year(t, unit), Some(Shown::YearOnYear)),
            opt_text(t.derived.then_some("T3-3")),
            opt_text(Some(&t.data_origin)),
        ]
    });
    Sheet {
        name: name.to_string(),
        header: header.iter().map(|s| s.to_string()).collect(),
        label_columns: 1,
        rows: Box::new(rows),
    }
}

/// 同比: the change over the year before's value, for a metric that is not a rate (a rate's
/// change is read in percentage points instead); null when either value is null, and when the
/// year before is 0 (a division by 0 is null).
fn year_on_year(t: &TrendRow, unit: MetricUnit) -> Option<f64> {
    if unit == MetricUnit::Rate {
        return None;
    }
    let (value, previous) = (t.value?, t.previous?);
    (previous != 0.0).then(|| (value - previous) / previous)
}

fn findings_sheet(tables: &Tables) -> Sheet<'_> {
    let header = [
        "城市",
        "发布机关",
        "年度",
        "规则",
        "级别",
        "说明（中文）",
        "说明",
        "单元格",
        "来源网址",
        "数据来源",
    ];
    let rows = tables.findings.iter().map(|f| {
        let r = &tables.reports[f.report];
        vec![
            text(&r.meta.city),
            opt_text(r.body.as_deref()),
            year_cell(r.year),
            text(&f.finding.rule),
            text(f.finding.severity.as_str()),
            text(&f.finding.message_zh),
            text(&f.finding.message),
            text(&f.finding.cells.join(" ")),
            text(&r.meta.url),
            text(&r.meta.data_origin),
        ]
    });
    Sheet {
        name: "问题".into(),
        header: header.iter().map(|s| s.to_string()).collect(),
        label_columns: 2,
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

/// How the workbook shows numbers, as rows of the 说明 sheet: (key, 中文, English).
const SHOWN: [(&str, &str, &str); 3] = [
    (
        "格式",
        "比率以百分比显示（一位小数），每10万人数值两位小数，数量与人口带千位分隔符；单元格内为完整数值，显示只是格式。",
        "Rates show as percentages with one decimal, per-100,000 values with two decimals, counts and population with thousands separators; each cell holds the full value, only its format rounds.",
    ),
    (
        "变化",
        "趋势表：比率的变化以“个百分点”表示（本年比率 − 上年比率）；数量的变化另列“同比”（变化 ÷ 上年值）；任一年为空或上年为 0 时为空。",
        "Trends: a rate's change is in percentage points (个百分点, this year's rate − last year's); a count's change also as 同比 (change ÷ last year's value); null when either year is null or last year's value is 0.",
    ),
    (
        "CSV",
        "CSV 文件中比率保留 4 位小数（即百分比两位小数），每10万人数值保留 2 位小数；Parquet 文件保留完整精度。",
        "In the CSV files rates keep 4 decimals (a percentage with two) and per-100,000 values 2; the Parquet files keep full precision.",
    ),
];

/// The 说明 sheet's header: (类别, 键, 名称, English, 公式, 单位, 排名1为, 每10万人, 定义,
/// Definition).
const NOTES_HEADER: [&str; 10] = [
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

/// A 说明 row that is only a key and its explanation in Chinese and English.
fn note_row(kind: &str, key: &str, zh: &str, en: &str) -> Vec<XCell> {
    let mut row = vec![text(kind), text(key)];
    row.extend(std::iter::repeat_n(XCell::Empty, 6));
    row.extend([text(zh), text(en)]);
    row
}

/// Whether the tables hold the demo's synthetic figures.
fn has_demo_data(tables: &Tables) -> bool {
    tables
        .reports
        .iter()
        .any(|r| r.meta.data_origin.contains("synthetic-demo"))
}

/// The first rows of 说明: what the data is (published, or the demo's synthetic figures) and
/// where the populations come from.
fn status_rows(tables: &Tables) -> Vec<Vec<XCell>> {
    let mut status = if has_demo_data(tables) {
        note_row(
            "数据状态",
            "synthetic-demo",
            "演示数据：本工作簿含合成的演示数据（data_origin = synthetic-demo），并非任何机关发布的数字，不得引用。",
            "DEMO DATA: this workbook holds synthetic demo figures (data_origin = synthetic-demo), not figures any body published; do not cite them.",
        )
    } else {
        note_row(
            "数据状态",
            "published",
            "已发布：数字取自各机关发布的年度报告（每行的 data_origin 与来源网址注明出处）。",
            "Published: the figures are those of the bodies' published annual reports (each row's data_origin and source URL say where).",
        )
    };
    // The status in the 名称 column too, where a reader looks first.
    status[2] = text(if has_demo_data(tables) {
        "演示数据（合成，非发布数字）"
    } else {
        "已发布数据"
    });
    let source = if tables.population_sources.is_empty() {
        "配置未注明来源".to_string()
    } else {
        tables.population_sources.join("；")
    };
    let population = note_row(
        "来源",
        "population",
        &format!("常住人口（每10万人指标的分母）：2020年第七次全国人口普查，{source}。"),
        &format!("Resident population (the denominator of the per-100,000 figures): 2020 census, {source}."),
    );
    vec![status, population]
}

/// 说明: the data status and population source, one row per metric (id, names, formula, unit,
/// rank direction, per 100,000, definitions), the rules, how numbers are shown, then every
/// column of every table as the data dictionary describes it.
fn notes_sheet(tables: &Tables) -> Sheet<'_> {
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
    let rules = RULES
        .iter()
        .map(|(key, zh, en)| note_row("规则", key, zh, en));
    let shown = SHOWN
        .iter()
        .map(|(key, zh, en)| note_row("显示", key, zh, en));
    let columns = dictionary::table_stems().into_iter().flat_map(move |stem| {
        dictionary::columns(stem, &tables.metrics)
            .unwrap_or_default()
            .into_iter()
            .map(move |c| {
                let mut row = vec![
                    text(&format!("列 {stem}")),
                    text(&c.name),
                    text(&c.zh),
                    XCell::Empty,
                    XCell::Empty,
                    text(c.dtype),
                ];
                row.extend(std::iter::repeat_n(XCell::Empty, 3));
                row.push(text(&c.en));
                row
            })
    });
    Sheet {
        name: "说明".into(),
        header: NOTES_HEADER.iter().map(|s| s.to_string()).collect(),
        label_columns: 2,
        rows: Box::new(
            status_rows(tables)
                .into_iter()
                .chain(metrics)
                .chain(rules)
                .chain(shown)
                .chain(columns),
        ),
    }
}

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
            year_cell(r.year),
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
        label_columns: 1,
        rows: Box::new(rows),
    }
}

/// The 报告 sheet: one row per report (copies dropped), with what was read and its findings.
fn reports_sheet(tables: &Tables) -> Sheet<'_> {
    let columns = [
        "city",
        "level",
        "county",
        "body",
        "year",
        "template",
        "tables_read",
        "errors",
        "warnings",
        "infos",
        "in_comparison",
        "data_origin",
        "source_url",
        "report_id",
    ];
    let header = dictionary::header("reports", &columns, Labels::Zh, &tables.metrics);
    let count = |n: usize| XCell::Shown(n as f64, Shown::Count);
    let rows = tables.reports.iter().map(move |r| {
        vec![
            text(&r.meta.city),
            text(r.meta.level.as_str()),
            opt_text(r.meta.county.as_deref()),
            opt_text(r.body.as_deref()),
            year_cell(r.year),
            opt_text(r.template.as_deref()),
            text(&r.tables_read),
            count(r.errors),
            count(r.warnings),
            count(r.infos),
            text(if r.in_comparison { "是" } else { "否" }),
            text(&r.meta.data_origin),
            text(&r.meta.url),
            text(&r.meta.report_id),
        ]
    });
    Sheet {
        name: "报告".into(),
        header,
        label_columns: 4,
        rows: Box::new(rows),
    }
}

/// The 原始单元格 sheet: every value as printed (the `cells` table) with where it was printed
/// (and, for a scan, how OCR read it), up to Excel's row limit; a last row counts the rest,
/// which `cells.csv` and the Parquet files hold.
fn cells_sheet(tables: &Tables) -> Sheet<'_> {
    let columns = [
        "city",
        "body",
        "year",
        "row_label",
        "column_label",
        "value",
        "amount_10k_yuan",
        "unit",
        "printed",
        "source_cell",
        "ocr_confidence",
        "ocr_corrected",
        "ocr_narrative",
        "ocr_box",
        "table",
        "row",
        "column",
        "data_origin",
        "report_id",
    ];
    let header = dictionary::header("cells", &columns, Labels::Zh, &tables.metrics);
    let rows = tables.cells.iter().map(move |c| {
        let r = &tables.reports[c.report()];
        let d = c.def();
        let ocr = c.ocr(r);
        vec![
            text(&r.meta.city),
            opt_text(r.body.as_deref()),
            year_cell(r.year),
            text(d.row_label),
            text(d.column_label),
            number(c.count().map(|v| v as f64), Some(Shown::Count)),
            number(
                c.amount_fen()
                    .map(|f| f as f64 / super::units::FEN_PER_WAN as f64),
                Some(Shown::Money),
            ),
            text(c.unit().as_str()),
            opt_text(c.printed(r).as_deref()),
            opt_text(c.source_cell().as_deref()),
            number(ocr.map(|o| super::frames::confidence(o.confidence)), None),
            opt_text(ocr.map(|o| bool_text(o.corrected))),
            opt_text(ocr.map(|o| bool_text(o.narrative))),
            opt_text(ocr.and_then(|o| o.box_text()).as_deref()),
            text(d.table),
            text(d.row),
            text(d.column),
            text(c.data_origin(r)),
            text(&r.meta.report_id),
        ]
    });
    Sheet {
        name: "原始单元格".into(),
        header,
        label_columns: 3,
        rows: Box::new(rows),
    }
}

/// The columns that name a row of a level's wide sheet, and their values in a row.
fn wide_keys(scope: Scope) -> &'static [&'static str] {
    match scope {
        Scope::CityGovernments | Scope::CityTotals => &["city", "adcode"],
        Scope::Departments => &["department", "city", "adcode"],
        Scope::Counties => &["city", "county", "adcode"],
    }
}

fn key_value(row: &ComparisonRow, key: &str) -> String {
    match key {
        "city" => row.city.clone(),
        "adcode" => row.adcode.clone(),
        "department" => row.department.clone().unwrap_or_default(),
        "county" => row.county.clone().unwrap_or_default(),
        _ => String::new(),
    }
}

/// A level's wide sheet, `<level>×年度`: one row per city or body, a column per metric and
/// year (`实质公开率 2023`, shown as the metric's unit is), and the data origins of the row.
/// A year without a row or a value leaves its cell empty.
fn wide_sheet(tables: &Tables, scope: Scope) -> Sheet<'_> {
    let metrics = &tables.metrics;
    let (rows, _) = tables.compared(scope);
    let keys = wide_keys(scope);
    let years: BTreeSet<i32> = rows.iter().map(|r| r.year).collect();
    // Sorted by adcode first, so cities keep the order of the other sheets.
    let mut by_body: BTreeMap<Vec<String>, BTreeMap<i32, &ComparisonRow>> = BTreeMap::new();
    for r in rows {
        let mut key: Vec<String> = vec![r.adcode.clone()];
        key.extend(keys.iter().map(|k| key_value(r, k)));
        by_body.entry(key).or_default().insert(r.year, r);
    }
    let mut header: Vec<String> = keys
        .iter()
        .map(|k| dictionary::zh(scope.stem(), k, metrics))
        .collect();
    for m in metrics.metrics() {
        for y in &years {
            header.push(format!("{} {y}", m.zh()));
        }
    }
    header.push(dictionary::zh(scope.stem(), "data_origin", metrics));
    let label_columns = u16::try_from(keys.len() - 1).unwrap_or(0);
    let rows = by_body.into_iter().map(move |(key, by_year)| {
        let mut row: Vec<XCell> = key[1..].iter().map(|k| text(k)).collect();
        for (k, m) in metrics.metrics().iter().enumerate() {
            for y in &years {
                let v = by_year
                    .get(y)
                    .and_then(|r| r.values.get(k).copied().flatten());
                row.push(number(v, Some(m.def.unit.shown())));
            }
        }
        let origins: BTreeSet<&str> = by_year
            .values()
            .map(|r| r.data_origin.as_str())
            .filter(|o| !o.is_empty())
            .collect();
        row.push(text(&origins.into_iter().collect::<Vec<_>>().join(" ")));
        row
    });
    Sheet {
        name: format!("{}×年度", wide_name(scope)),
        header,
        label_columns,
        rows: Box::new(rows),
    }
}

/// A level's short name for a sheet tab (31 characters at most, no `[]:*?/\`).
fn wide_name(scope: Scope) -> &'static str {
    match scope {
        Scope::CityGovernments => "市政府本级",
        Scope::Departments => "市直部门",
        Scope::Counties => "县区政府",
        Scope::CityTotals => "全市合计",
    }
}

/// Every sheet of the workbook, in order: the wide sheets of every level, the comparisons, the
/// trends, the findings, the coverage, the reports, the raw cells, and 说明.
pub(super) fn all<'a>(tables: &'a Tables, years: &BTreeSet<i32>) -> Vec<Sheet<'a>> {
    let mut out: Vec<Sheet<'a>> = Scope::ALL
        .iter()
        .map(|&scope| wide_sheet(tables, scope))
        .collect();
    out.extend(
        years.iter().rev().map(|&y| {
            comparison_sheet(tables, Scope::CityGovernments, format!("对比{y}"), Some(y))
        }),
    );
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
    out.push(reports_sheet(tables));
    out.push(cells_sheet(tables));
    out.push(notes_sheet(tables));
    out
}
