//! The data dictionary: the metric set, the template's cell keys and the columns of every output
//! table → `docs/data-dictionary.md` (Markdown, Chinese and English) and the labels the
//! workbook's headers use. Generated from the same definitions the tables are built from, so
//! it cannot drift: a test compares the committed file with [`markdown`] of the built-in
//! metrics, and every table's columns with those written. Pure.

use std::fmt::Write as _;

use nianbao_model::template::{
    table2_items, Template, T3_COLUMNS, T3_ROWS, T4_GROUPS, T4_OUTCOMES,
};

use crate::aggregate::frames::{
    cell_columns, comparison_columns, finding_columns, report_columns, trends_columns,
};
use crate::aggregate::metrics::{Metric, MetricSet};
use crate::aggregate::{cell_defs, units, Level, Scope};
use crate::export::csv::Labels;
use crate::export::shown::Shown;

/// One column of an output table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDoc {
    /// The column name, as written.
    pub name: String,
    /// Its Arrow type in the Parquet files: `Int64`, `Float64`, `String` or `Boolean`.
    pub dtype: &'static str,
    /// Its Chinese label (the workbook's header).
    pub zh: String,
    /// What it holds, in English.
    pub en: String,
}

/// A column that means the same in every table that has it: (name, type, 中文, English).
const COMMON: [(&str, &str, &str, &str); 29] = [
    ("report_id", "String", "报告编号", "Stable id of the report (the same in every table); joins rows of cells, reports, findings and the comparisons."),
    ("city", "String", "城市", "The city the report belongs to, as the config names it."),
    ("adcode", "String", "行政区划代码", "The city's six-digit administrative division code; empty for a city that is not in the config."),
    ("level", "String", "层级", "Level of government of the publishing body: 市政府本级, 市直部门, 县区政府, 县区部门 or 其他 (config/bodies.toml)."),
    ("county", "String", "县区", "For a county-level body: its county, district or county-level city, e.g. 港北区."),
    ("body", "String", "发布机关", "The publishing body as the report's title block names it."),
    ("department", "String", "部门类别", "For a department: its normalised kind (config/bodies.toml), e.g. 自然资源局; like departments across cities share it."),
    ("year", "Int64", "年度", "The report year (the data year, 统计期限)."),
    ("template", "String", "模板", "The national template version: 2019 (国办公开办函〔2019〕60号) or 2021 (〔2021〕30号)."),
    ("data_origin", "String", "数据来源", "published (figures of a published report), synthetic-demo (the demo archive's generated figures), manual (a report added by `nianbao import`); in `cells`, corrected for a value replaced by `--corrections` (its `printed` text stays as published)."),
    ("source_url", "String", "来源网址", "URL of the capture the values were printed in: the report page, or the attachment its tables were read from."),
    ("warc_record_id", "String", "WARC记录", "WARC-Record-ID of that capture's response record."),
    ("source_sha256", "String", "SHA-256", "SHA-256 of the bytes that were parsed."),
    ("fetch_time", "String", "抓取时间", "When that capture was fetched (ISO 8601, UTC)."),
    ("tables_read", "String", "读到的表", "Which of tables 二, 三, 四 were read, comma-separated."),
    ("errors", "Int64", "错误数", "Findings of severity error in the report itself."),
    ("warnings", "Int64", "警告数", "Findings of severity warning in the report itself."),
    ("infos", "Int64", "提示数", "Findings of severity info in the report itself."),
    ("encoding", "String", "编码", "How the file was read: PDF, DOCX, … or the decoding of a page, e.g. GBK (meta)."),
    ("city_government", "Boolean", "市政府本级", "The report is the city government's own (level 市政府本级)."),
    ("in_comparison", "Boolean", "用于对比", "The report is the one compared for its city and year in `comparison`."),
    ("rule", "String", "规则", "The rule: T3-1 … T4-1 (template identities), T3-5 and T2-a … T2-c (across years), P-… (parse and sources), T-UNIT (money units), C-CORRECTED (a value replaced by `--corrections`)."),
    ("severity", "String", "级别", "error, warning or info; a rule with a blank operand is info (not checkable), never broken."),
    ("message", "String", "说明", "What the finding says, with the values."),
    ("message_zh", "String", "说明（中文）", "The same in Chinese; a long list of cells summarised."),
    ("population", "Int64", "常住人口(2020)", "Resident population of the city (2020 census, from the config); the denominator of `*_per_100k`."),
    ("bodies", "Int64", "纳入机关数", "How many bodies' reports are summed (one report per body)."),
    ("status", "String", "状态", "found (the row has a report); missing (no city-government report of the year in the archives read); no_table3 (read, but not its table 三); or the status of the coverage table."),
    ("reason", "String", "原因", "For a row without a report: why (from the coverage table when there is one)."),
];

/// The description of `name` in table `table` (its stem, e.g. `cells`, `trends_counties`).
fn describe(table: &str, name: &str, metrics: &MetricSet) -> ColumnDoc {
    let doc = |dtype, zh: &str, en: &str| ColumnDoc {
        name: name.to_string(),
        dtype,
        zh: zh.to_string(),
        en: en.to_string(),
    };
    if let Some(d) = specific(table, name) {
        return doc(d.0, d.1, d.2);
    }
    if let Some((_, dtype, zh, en)) = COMMON.iter().find(|c| c.0 == name) {
        return doc(dtype, zh, en);
    }
    metric_column(name, metrics).unwrap_or_else(|| doc("String", name, ""))
}

/// Columns whose meaning depends on the table.
fn specific(table: &str, name: &str) -> Option<(&'static str, &'static str, &'static str)> {
    let trends = table.starts_with("trends");
    Some(match (table, name) {
        ("cells", "table") => ("String", "表", "table2, table3 or table4 (表二 主动公开, 表三 依申请公开, 表四 复议诉讼)."),
        ("cells", "row") => ("String", "行", "The row's key (table 二: the item); see \"Cell keys\"."),
        ("cells", "column") => ("String", "列", "The column's key (table 二: the measure); see \"Cell keys\"."),
        ("cells", "value") => ("Int64", "数值", "A count as printed; null where blank or unreadable (never 0 for a blank), and for money (see amount_fen)."),
        ("cells", "unit") => ("String", "单位", "count; 万元 (money, converted exactly); unknown (money printed without a unit: no amount, see printed)."),
        ("cells", "amount_10k_yuan") => ("Float64", "金额(万元)", "Money in 万元: the nearest double to the exact amount."),
        ("cells", "amount_fen") => ("Int64", "金额(分)", "Money in 分 (0.01 元 = 10⁻⁶ 万元), exact."),
        ("cells", "printed") => ("String", "原文", "The cell's text exactly as published; null where nothing was printed."),
        ("cells", "row_label") => ("String", "行名称", "The row's label as the template prints it."),
        ("cells", "column_label") => ("String", "列名称", "The column's label as the template prints it."),
        ("cells", "source_cell") => ("String", "原表位置", "Where the value was printed, e.g. `table 3 row 7 col 4` or `page 2 row 5 col 3` (for a value read by OCR from a scan: the page and the template's row and column; its box on the page is in `ocr_box`)."),
        ("cells", "ocr_confidence") => ("Float64", "OCR 置信度", "For a value read by OCR from a scan: the recogniser's probability of the value taken, 0–1 (four decimals); null for a value read from text."),
        ("cells", "ocr_corrected") => ("Boolean", "OCR 已更正", "For a value read by OCR: true when the template's identities chose a reading other than the most probable one (`printed` keeps that one; an `O-CORRECTED` finding names the cell); null for a value read from text."),
        ("cells", "ocr_narrative") => ("Boolean", "OCR 与正文一致", "For a value read by OCR: true when the report's narrative states this figure and it equals the value (table 二, which no identity checks; a disagreement leaves the cell null with `O-NARRATIVE`); null for a value read from text."),
        ("cells", "ocr_box") => ("String", "OCR 单元格位置", "For a value read by OCR: the cell's box on the deskewed page image (the page is in `source_cell`), in pixels as `left,top,width,height`, to find it on the scan; null for a value read from text."),
        ("coverage", "status") => ("String", "状态代码", "found, scan (needs OCR), unreadable (archived record lost or altered), failed (did not parse), not_a_report, fetch_failed, blocked (robots.txt or an anti-bot page), pending (host unreachable; the next run tries again) or not_found."),
        ("coverage", "status_label") => ("String", "状态", "The status in Chinese."),
        ("coverage", "reason") => ("String", "原因", "Why, in words: the finding's or the crawl's message; empty for a plain found."),
        ("coverage", "report_id") => ("String", "报告编号", "The report's id in the other tables; null when no report row exists (not found, not fetched)."),
        ("coverage", "url") => ("String", "网址", "The report page's or attachment's URL; empty for not_found."),
        ("findings", "cells") => ("String", "单元格", "The schema paths of the cells concerned (table.row.column), space-separated."),
        (_, "derived") if trends => ("String", "推算", "T3-3 when this year's value used a 总计 derived by identity T3-3 (see \"Derived totals\"); else null."),
        (_, "derived") => ("String", "推算", "`<metric>:T3-3` for each metric whose value used a 总计 derived by identity T3-3, space-separated; null when none did."),
        (_, "metric") if trends => ("String", "指标", "The metric's id (see \"Metrics\")."),
        (_, "metric_label") if trends => ("String", "指标名称", "The metric's Chinese name."),
        (_, "unit") if trends => ("String", "单位", "The metric's unit: count, rate, number or 10k_yuan; says which value columns are filled."),
        (_, "count") if trends => ("Int64", "本年(数量)", "A count metric's value this year."),
        (_, "previous_count") if trends => ("Int64", "上年(数量)", "Its value the year before (null when that year has no row or no value)."),
        (_, "count_change") if trends => ("Int64", "变化(数量)", "count − previous_count; null when either is null."),
        (_, "rate") if trends => ("Float64", "本年(比率)", "A rate metric's value this year (a fraction)."),
        (_, "previous_rate") if trends => ("Float64", "上年(比率)", "Its value the year before."),
        (_, "rate_change") if trends => ("Float64", "变化(比率)", "rate − previous_rate, in fraction points."),
        (_, "number") if trends => ("Float64", "本年(数值)", "A number or 万元 metric's value this year."),
        (_, "previous_number") if trends => ("Float64", "上年(数值)", "Its value the year before."),
        (_, "number_change") if trends => ("Float64", "变化(数值)", "number − previous_number."),
        _ => return None,
    })
}

/// A metric's column: its value, per 100,000 residents, or rank.
fn metric_column(name: &str, metrics: &MetricSet) -> Option<ColumnDoc> {
    for m in metrics.metrics() {
        let id = m.id();
        let (dtype, zh, en) = if name == id {
            let dtype = if m.is_count() { "Int64" } else { "Float64" };
            (
                dtype,
                m.zh().to_string(),
                format!("{} ({}): {}", m.def.en, m.def.formula, m.def.definition_en),
            )
        } else if name == format!("{id}_per_100k") {
            (
                "Float64",
                format!("{}(每10万人)", m.zh()),
                format!("{id} × 100,000 ÷ population."),
            )
        } else if name == format!("{id}_per_100k_rank") {
            (
                "Int64",
                format!("{}(每10万人)排名", m.zh()),
                format!("Rank of {id}_per_100k in its group; 1 = {}.", best(m)),
            )
        } else if name == format!("{id}_rank") {
            (
                "Int64",
                format!("{}排名", m.zh()),
                format!("Rank of {id} in its group; 1 = {}; ties share the better rank; null without a value.", best(m)),
            )
        } else {
            continue;
        };
        return Some(ColumnDoc {
            name: name.to_string(),
            dtype,
            zh,
            en,
        });
    }
    None
}

/// What rank 1 is for a metric.
fn best(m: &Metric) -> &'static str {
    if m.def.higher_is_better {
        "the highest value"
    } else {
        "the lowest value"
    }
}

/// Every output table's stem, in the order of the dictionary.
pub fn table_stems() -> Vec<&'static str> {
    let mut out = vec!["cells", "reports", "findings", "coverage"];
    out.extend(Scope::ALL.iter().map(|s| s.stem()));
    out.extend(Scope::ALL.iter().map(|s| s.trends_stem()));
    out
}

/// The columns of the output table `stem`, in order; `None` for a name that is no table.
pub fn columns(stem: &str, metrics: &MetricSet) -> Option<Vec<ColumnDoc>> {
    let names: Vec<String> = match stem {
        "cells" => cell_columns().iter().map(|s| s.to_string()).collect(),
        "reports" => report_columns().iter().map(|s| s.to_string()).collect(),
        "findings" => finding_columns().iter().map(|s| s.to_string()).collect(),
        "coverage" => crate::aggregate::frames::COVERAGE_COLUMNS
            .iter()
            .map(|s| s.to_string())
            .collect(),
        _ => {
            let scope = Scope::ALL
                .into_iter()
                .find(|s| s.stem() == stem || s.trends_stem() == stem)?;
            if scope.stem() == stem {
                comparison_columns(scope, metrics)
            } else {
                trends_columns(scope)
            }
        }
    };
    Some(names.iter().map(|n| describe(stem, n, metrics)).collect())
}

/// How the numbers of column `name` of table `stem` are shown (workbook format, CSV rounding),
/// from the metric's declared unit for a metric's column; `None` for a text column.
pub fn shown(stem: &str, name: &str, metrics: &MetricSet) -> Option<Shown> {
    for m in metrics.metrics() {
        let id = m.id();
        if name == id {
            return Some(m.def.unit.shown());
        }
        if name == format!("{id}_per_100k") {
            return Some(Shown::Per100k);
        }
        if name == format!("{id}_rank") || name == format!("{id}_per_100k_rank") {
            return Some(Shown::Rank);
        }
    }
    let trends = stem.starts_with("trends");
    Some(match name {
        "year" => Shown::Year,
        "population" | "bodies" | "errors" | "warnings" | "infos" => Shown::Count,
        "value" | "amount_fen" if stem == "cells" => Shown::Count,
        "amount_10k_yuan" if stem == "cells" => Shown::Money,
        "count" | "previous_count" | "count_change" if trends => Shown::Count,
        // A trends table's rate columns hold fractions, its change fraction points.
        "rate" | "previous_rate" | "rate_change" if trends => Shown::Rate,
        "number" | "previous_number" | "number_change" if trends => Shown::Number,
        _ => return None,
    })
}

/// The header of a CSV file or workbook sheet of table `stem` with the columns `names`: the
/// names themselves, or their Chinese labels.
pub fn header(stem: &str, names: &[&str], labels: Labels, metrics: &MetricSet) -> Vec<String> {
    names
        .iter()
        .map(|n| match labels {
            Labels::En => n.to_string(),
            Labels::Zh => zh(stem, n, metrics),
        })
        .collect()
}

/// The Chinese label of a column of table `stem` (the workbook's headers).
pub fn zh(stem: &str, name: &str, metrics: &MetricSet) -> String {
    describe(stem, name, metrics).zh
}

/// What one row of a table is.
fn row_meaning(stem: &str) -> String {
    let scope = Scope::ALL
        .into_iter()
        .find(|s| s.stem() == stem || s.trends_stem() == stem);
    match (stem, scope) {
        ("cells", _) => "one value of tables 二, 三, 四 of one report (Parquet: `cells/year=YYYY/part-0.parquet`, hive-partitioned by year)".into(),
        ("reports", _) => "one report (copies dropped)".into(),
        ("findings", _) => "one consistency or parse finding of one report".into(),
        ("coverage", _) => "one configured city and year (its city government's report, found or why not), or one other body's report found or lost".into(),
        (_, Some(s)) if s.stem() == stem => {
            let what = match s {
                Scope::CityGovernments => "one configured city and year: its city government's report (a city without one keeps its row: null values, `status`, `reason`); as CSV both `comparison.csv` (all years) and `comparison_YYYY.csv` per year; ranked within the year",
                Scope::Departments => "one department kind (市直部门), city and year with a report; ranked within the year and kind",
                Scope::Counties => "one county-level government (县区政府) and year with a report; ranked within the year across the region",
                Scope::CityTotals => "one city and year: every body of the city (government, departments, counties and their departments; one report each) summed; ranked within the year",
            };
            format!("{} — {what}", s.zh())
        }
        (_, Some(s)) => format!("one row of `{}` and one metric, with the year before", s.stem()),
        _ => String::new(),
    }
}

/// The whole data dictionary as Markdown, for `metrics`.
pub fn markdown(metrics: &MetricSet) -> String {
    let mut s = String::new();
    s.push_str(HEADER);
    files_section(&mut s);
    metrics_section(&mut s, metrics);
    s.push_str(RULES);
    levels_section(&mut s);
    for stem in table_stems() {
        let Some(cols) = columns(stem, metrics) else {
            continue;
        };
        let _ = writeln!(s, "### `{stem}`\n\nOne row: {}.\n", row_meaning(stem));
        s.push_str("| column | type | 中文 | meaning |\n|---|---|---|---|\n");
        for c in cols {
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} |",
                c.name,
                c.dtype,
                c.zh,
                cell(&c.en)
            );
        }
        s.push('\n');
    }
    keys_section(&mut s);
    s
}

/// Text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

const HEADER: &str = "# Data dictionary · 数据字典

<!-- Generated by `nianbao dictionary` (crates/tables/src/dictionary.rs) from config/metrics.toml,
the template (crates/model/src/template.rs) and the table definitions. Do not edit by hand:
run `cargo run -- dictionary > docs/data-dictionary.md`; a test fails when this file is stale. -->

Every table nianbao writes, every column, every cell key and every metric, in Chinese and
English. `nianbao dictionary --metrics FILE` prints this page for your own metrics.

Conventions, the same in every table and format:

- **null is not 0.** A blank, unreadable or unprinted cell is null; every value derived from a
  null operand is null; a division by 0 is null.
- **Types.** Years, counts and ranks are Int64; money is exact in `amount_fen` (Int64, 分) beside
  `amount_10k_yuan` (Float64, 万元); rates are Float64 fractions (0.25 = 25 %); text is
  `large_string` in Parquet.
- **Provenance.** Rows from a report carry its `report_id`, `data_origin` and `source_url`.
- **Rounding for display.** Parquet keeps every value in full precision. The CSV files round
  rates (and a trends table's `rate_change`) to 4 decimals of the fraction (0.4612 = 46.12 %)
  and `*_per_100k` values to 2 decimals, trailing zeros dropped; counts are whole and amounts
  in 万元 are written in full. The workbook stores full values and only formats them: rates
  `0.0%`, per 100,000 `#,##0.00`, counts and population `#,##0`, a rate's change in 个百分点
  and a count's change as 同比 %.
- **Headers.** CSV headers are the column names below; `--labels zh` (aggregate, harvest)
  writes the 中文 labels instead. The workbook's headers are always the 中文 labels.

";

fn files_section(s: &mut String) {
    s.push_str(
        "## Files · 文件\n\n| table | Parquet | CSV | workbook sheet |\n|---|---|---|---|\n",
    );
    for stem in table_stems() {
        let parquet = if stem == "cells" {
            "`cells/year=YYYY/part-0.parquet`".to_string()
        } else {
            format!("`{stem}.parquet`")
        };
        let csv = if stem == "comparison" {
            "`comparison.csv` (all years) and `comparison_YYYY.csv` (one per year)".to_string()
        } else {
            format!("`{stem}.csv`")
        };
        let sheet = match stem {
            "comparison" => "市政府本级×年度 (wide), 对比YYYY",
            "comparison_departments" => "市直部门×年度 (wide), 部门对比",
            "comparison_counties" => "县区政府×年度 (wide), 县区对比",
            "comparison_city_totals" => "全市合计×年度 (wide), 全市合计",
            "reports" => "报告",
            "cells" => "原始单元格 (up to Excel's 1,048,576 rows)",
            "trends" => "趋势",
            "trends_city_totals" => "全市合计趋势",
            "findings" => "问题",
            "coverage" => "覆盖",
            _ => "—",
        };
        let _ = writeln!(s, "| `{stem}` | {parquet} | {csv} | {sheet} |");
    }
    s.push_str(
        "| the metrics of the run | — | — | 说明 (also `metrics.toml` of the output folder) |\n\n",
    );
}

fn metrics_section(s: &mut String, metrics: &MetricSet) {
    s.push_str(
        "## Metrics · 指标\n\nDeclared in `config/metrics.toml` (built in; `--metrics FILE` adds or \
         replaces metrics). Formulas are over the cell keys below; `unit` decides the type (count: \
         Int64; rate, number, 10k_yuan: Float64).\n\n| id | 名称 | name | formula | unit | rank 1 | \
         per 100,000 | 定义 | definition |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for m in metrics.metrics() {
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | `{}` | {} | {} | {} | {} | {} |",
            m.id(),
            m.zh(),
            cell(&m.def.en),
            cell(&m.def.formula),
            m.def.unit.as_str(),
            best(m),
            if m.per_100k() { "yes" } else { "—" },
            cell(&m.def.definition_zh),
            cell(&m.def.definition_en),
        );
    }
    s.push('\n');
}

const RULES: &str = "### Derived totals (T3-3) · 推算的总计

Where a row's 总计 cell of table 三 is blank but all six applicant columns of that row are
printed, the template's identity T3-3 (总计 = the six columns) gives the total as their sum. A
metric then uses that derived total; the `cells` table keeps the printed blank (null); the
metric's comparison row lists `<metric>:T3-3` in its `derived` column (trends: `T3-3`). A printed
total is always used as printed, even when it disagrees with its columns (that is a T3-3
finding): a derived value never hides a printed inconsistency.

### Ranks and per 100,000 · 排名与每10万人

A rank orders the rows of one group (a year; for departments a year and a department kind) in
the metric's direction: rank 1 is the highest value where `higher_is_better` is true, the lowest
where it is false. Equal values share the better rank; a row without a value has no rank.
`<id>_per_100k` = value × 100,000 ÷ the city's resident population (2020 census).

### City totals · 全市合计

A city's total of a year sums each operand over every body of the city (its government, its
departments, its counties and their departments; one report per body, the first by URL; bodies
of level 其他 are left out), then evaluates each metric's formula on the sums: rates are
recomputed from the summed counts, never averaged. When any included body's operand is null
(a blank cell, or a report whose table could not be read), the sum and every metric that needs
it are null: a total of the bodies that printed the cell would pass for the total of all.
`bodies` says how many reports are summed.

";

fn levels_section(s: &mut String) {
    s.push_str("## Levels of government · 层级\n\n| level | English |\n|---|---|\n");
    for l in Level::ALL {
        let _ = writeln!(s, "| {} | {} |", l.as_str(), l.key().replace('_', " "));
    }
    s.push_str("\n## Tables and columns · 表与列\n\n");
}

/// A two-column table of keys and their Chinese labels.
fn key_table(s: &mut String, head: (&str, &str), keys: &[(&str, &str)]) {
    let _ = writeln!(s, "| {} | {} |\n|---|---|", head.0, head.1);
    for (key, label) in keys {
        let _ = writeln!(s, "| `{key}` | {label} |");
    }
}

fn keys_section(s: &mut String) {
    s.push_str(
        "## Cell keys · 单元格键\n\nA cell is named `table.row.column` (the `table`, `row` and \
         `column` columns of `cells`; the keys of the `parse --json` contract; the operands of a \
         formula). Money cells are in 万元 (`unit` 万元 or unknown); every other cell is a \
         count.\n\n### table3 · 表三 收到和处理政府信息公开申请情况 (both templates)\n\n\
         Rows (`table3.<row>.<column>`):\n\n",
    );
    key_table(s, ("row", "行"), &T3_ROWS);
    s.push_str("\nColumns:\n\n");
    key_table(s, ("column", "列"), &T3_COLUMNS);
    s.push_str(
        "\nIn a 2019 report the three `other_*` item rows are null; in a 2021 report \
         `other_handling` is the sum of its items (null when one is null).\n\n\
         ### table4 · 表四 行政复议、行政诉讼情况 (both templates)\n\n\
         Groups (`table4.<group>.<outcome>`):\n\n",
    );
    key_table(s, ("group", "组"), &T4_GROUPS);
    s.push_str("\nOutcomes:\n\n");
    key_table(s, ("outcome", "结果"), &T4_OUTCOMES);
    s.push_str("\n### table2 · 表二 主动公开政府信息情况 (differs by template)\n\n");
    for template in [Template::V2021, Template::V2019] {
        let _ = writeln!(
            s,
            "{} template:\n\n| key | 项目 | 指标 | unit |\n|---|---|---|---|",
            template.as_str()
        );
        for item in table2_items(template) {
            for (measure, label) in item.measures {
                let key = format!("table2.{}.{measure}", item.key);
                let money = cell_defs()
                    .iter()
                    .filter(|d| d.table == "table2" && d.row == item.key && d.column == *measure)
                    .any(|d| units::money_column(d).is_some());
                let _ = writeln!(
                    s,
                    "| `{key}` | {} | {label} | {} |",
                    item.labels[0],
                    if money { "万元" } else { "count" }
                );
            }
        }
        s.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed `docs/data-dictionary.md` is the dictionary of the built-in metrics: a
    /// change of a metric, a template key or a column without regenerating it fails here.
    #[test]
    fn the_committed_dictionary_is_current() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/data-dictionary.md");
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        let current = markdown(&MetricSet::builtin());
        assert!(
            committed == current,
            "{} is stale: run `cargo run -- dictionary > docs/data-dictionary.md`",
            path.display()
        );
    }

    #[test]
    fn every_column_is_described() {
        let metrics = MetricSet::builtin();
        for stem in table_stems() {
            for c in columns(stem, &metrics).expect("a table") {
                assert!(!c.en.is_empty() && c.zh != c.name, "{stem}.{}", c.name);
            }
        }
        assert!(columns("nothing", &metrics).is_none());
    }

    /// `--labels zh` writes these labels as CSV headers: within a table they must differ, or
    /// a reader could not tell two columns apart.
    #[test]
    fn chinese_labels_are_unique_within_each_table() {
        let metrics = MetricSet::builtin();
        for stem in table_stems() {
            let cols = columns(stem, &metrics).expect("a table");
            let labels: std::collections::BTreeSet<&str> =
                cols.iter().map(|c| c.zh.as_str()).collect();
            assert_eq!(labels.len(), cols.len(), "{stem}: {cols:?}");
        }
    }

    #[test]
    fn number_columns_are_shown_by_their_metric_unit() {
        let metrics = MetricSet::builtin();
        assert_eq!(
            shown("comparison", "disclosure_rate", &metrics),
            Some(Shown::Rate)
        );
        assert_eq!(
            shown("comparison", "applications", &metrics),
            Some(Shown::Count)
        );
        assert_eq!(
            shown("comparison", "applications_per_100k", &metrics),
            Some(Shown::Per100k)
        );
        assert_eq!(
            shown("comparison", "population", &metrics),
            Some(Shown::Count)
        );
        assert_eq!(shown("trends", "rate_change", &metrics), Some(Shown::Rate));
        assert_eq!(shown("comparison", "city", &metrics), None);
        // A custom metric of unit rate is a rate, whatever its name says.
        let custom = MetricSet::from_toml(
            "[[metric]]\nid = \"granted_count\"\nzh = \"x\"\nen = \"x\"\nformula = \"table3.granted.total / table3.total_processed.total\"\nunit = \"rate\"\nhigher_is_better = true\ndefinition_zh = \"x\"\ndefinition_en = \"x\"\n",
            "test",
        )
        .expect("metrics");
        assert_eq!(
            shown("comparison", "granted_count", &custom),
            Some(Shown::Rate)
        );
    }
}
