//! [`Tables`] → one self-contained HTML comparison report: inline CSS and SVG charts, no script,
//! no fonts or images to fetch, a CSP that forbids every request, and all data text escaped.
//! [`render`] is pure; [`write()`] replaces the file atomically (temporary file + rename).

mod chart;
mod city;
mod compare;
mod coverage;
mod html;
mod levels;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::aggregate::metrics::MetricSet;
use crate::aggregate::{ComparisonRow, Tables};
use compare::PUBLISHED;
use html::{esc, percent, plain};

/// What the report says about itself.
#[derive(Debug, Clone)]
pub struct Options {
    /// The page title and heading.
    pub title: String,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            title: "政府信息公开工作年度报告 · 城市对比".to_string(),
        }
    }
}

/// Why the HTML report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The temporary file could not be written or renamed onto the report's path.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The report's path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// The whole report as one HTML document.
pub fn render(tables: &Tables, options: &Options) -> String {
    let ix = city::Index::new(tables);
    let years = compare::years_desc(&tables.comparison);
    let mut page = String::with_capacity(1 << 20);
    page.push_str(&head(&options.title));
    page.push_str(&header(tables, &options.title, &years));
    page.push_str(&origin_banner(tables));
    page.push_str(&nav(&years, &ix));
    page.push_str("<main>");
    page.push_str(&key_figures(
        &tables.comparison,
        &tables.metrics,
        years.first().copied(),
    ));
    for year in &years {
        let rows: Vec<&ComparisonRow> = tables
            .comparison
            .iter()
            .filter(|r| r.year == *year)
            .collect();
        page.push_str(&compare::year_section(&rows, *year, &tables.metrics));
    }
    if !tables.comparison.is_empty() {
        page.push_str(&compare::trends_section(
            &tables.comparison,
            &tables.metrics,
        ));
    }
    for scope in levels::SCOPES {
        page.push_str(&levels::section(tables, scope));
    }
    page.push_str(&city::heat_table(&ix));
    page.push_str(&coverage::section(&tables.coverage));
    page.push_str(&city::city_sections(&ix));
    page.push_str(&method_notes(&tables.metrics));
    page.push_str("</main></body></html>\n");
    page
}

/// Render the report and replace `path` with it: written to a temporary file beside `path`
/// first, so readers never see half a report.
pub fn write(tables: &Tables, options: &Options, path: &Path) -> Result<(), WriteError> {
    let io = |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    let name = path
        .file_name()
        .map_or("report.html".into(), |n| n.to_string_lossy().to_string());
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, render(tables, options))
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            // A full disk leaves no partial temporary file behind.
            let _ = std::fs::remove_file(&tmp);
            io(e)
        })
}

const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"icon\" href=\"data:,\"><title>{}</title><style>{STYLE}</style></head><body>",
        esc(title)
    )
}

fn header(tables: &Tables, title: &str, years: &[i32]) -> String {
    let cities: std::collections::BTreeSet<&str> = tables
        .reports
        .iter()
        .map(|r| r.meta.adcode.as_str())
        .collect();
    let (e, w, _) = crate::aggregate::severity_counts(&tables.findings);
    let span = match (years.last(), years.first()) {
        (Some(a), Some(b)) if a != b => format!("{a}–{b} 年度"),
        (Some(a), _) => format!("{a} 年度"),
        _ => "无对比数据".to_string(),
    };
    format!(
        "<header class=\"top\"><h1>{}</h1><p class=\"sub\">{span} · {} 个城市 · {} 份报告 · \
         检查发现 {e} 个错误、{w} 个警告</p></header>",
        esc(title),
        cities.len(),
        tables.reports.len(),
    )
}

/// A prominent notice when any data is synthetic; published rows are named.
fn origin_banner(tables: &Tables) -> String {
    let synthetic = tables
        .reports
        .iter()
        .filter(|r| r.meta.data_origin != PUBLISHED)
        .count();
    let published: Vec<String> = tables
        .comparison
        .iter()
        .filter(|r| r.data_origin == PUBLISHED)
        .map(|r| format!("{} {}年", esc(&r.city), r.year))
        .collect();
    if synthetic == 0 {
        return "<div class=\"banner ok\" role=\"note\"><strong>数据来源：</strong>\
                本报告全部数据来自已公布的政府信息公开工作年度报告。</div>"
            .to_string();
    }
    let named = if published.is_empty() {
        "没有一行是已公布的真实数据。".to_string()
    } else {
        format!(
            "只有标 <span class=\"badge published\">★ 已公布</span> 的数据来自已公布的年报：{}。",
            published.join("、")
        )
    };
    format!(
        "<div class=\"banner synthetic\" role=\"alert\"><strong>演示数据，不是真实统计。</strong>\
         本报告中 {synthetic} / {} 份报告的数字为合成演示数据（synthetic-demo），仅用于展示本工具，\
         不代表任何政府机关公布的数字。{named}</div>",
        tables.reports.len()
    )
}

fn nav(years: &[i32], ix: &city::Index) -> String {
    let mut s = String::from("<nav><strong>目录</strong> <a href=\"#overview\">概览</a>");
    for y in years {
        let _ = write!(s, " <a href=\"#year-{y}\">{y}年度对比</a>");
    }
    s.push_str(" <a href=\"#trends\">历年趋势</a>");
    for scope in levels::SCOPES {
        let _ = write!(
            s,
            " <a href=\"#{}\">{}</a>",
            levels::anchor_of(scope),
            scope.zh()
        );
    }
    s.push_str(" <a href=\"#heat\">问题热力表</a> <a href=\"#coverage\">覆盖情况</a> <span class=\"cities\">各市：");
    for (adcode, city) in ix.cities() {
        let _ = write!(
            s,
            " <a href=\"#{}\">{}</a>",
            html::anchor(&["city", adcode]),
            esc(city)
        );
    }
    s.push_str("</span> <a href=\"#method\">说明</a></nav>");
    s
}

/// The latest year at a glance: cities, total applications, median disclosure rate, disputes
/// (each figure shown only when its metric is in the set).
fn key_figures(rows: &[ComparisonRow], metrics: &MetricSet, latest: Option<i32>) -> String {
    let Some(year) = latest else {
        return "<section id=\"overview\"><p>没有可对比的城市数据。</p></section>".to_string();
    };
    let of_year: Vec<&ComparisonRow> = rows.iter().filter(|r| r.year == year).collect();
    let found = of_year
        .iter()
        .filter(|r| r.status == crate::aggregate::stage::FOUND)
        .count();
    let mut figures = vec![(
        "城市（有可对比年报 / 共）".to_string(),
        format!("{found} / {}", of_year.len()),
    )];
    let sum = |id: &str| {
        let k = metrics.index_of(id)?;
        let label = format!("{}（各市合计）", metrics.metrics()[k].zh());
        let missing = of_year.iter().filter(|r| r.values[k].is_none()).count();
        Some(match city_total(&of_year, k) {
            Some(v) => (label, plain(v)),
            None => (
                format!("{label}：{missing} 市无数值，不合计"),
                "—".to_string(),
            ),
        })
    };
    let median = |id: &str| {
        let k = metrics.index_of(id)?;
        let values: Vec<f64> = of_year.iter().filter_map(|r| r.values[k]).collect();
        Some((
            format!("{}（中位数）", metrics.metrics()[k].zh()),
            chart::median(&values).map_or("—".into(), percent),
        ))
    };
    figures.extend(
        [
            sum("applications"),
            median("disclosure_rate"),
            sum("reviews"),
            sum("lawsuits"),
        ]
        .into_iter()
        .flatten(),
    );
    let mut s = format!("<section id=\"overview\"><h2>{year}年度 概览</h2><div class=\"kpis\">");
    for (label, value) in figures {
        let _ = write!(
            s,
            "<div class=\"kpi\"><span class=\"v\">{value}</span><span class=\"l\">{}</span></div>",
            esc(&label)
        );
    }
    s.push_str("</div></section>");
    s
}

/// Metric `k` summed over the cities of a year: `None` when a city has no value, since the total
/// of the cities that reported would pass for the total of all of them.
fn city_total(of_year: &[&ComparisonRow], k: usize) -> Option<f64> {
    of_year.iter().map(|r| r.values[k]).sum()
}

/// 说明: which reports are compared, every metric's formula, unit and rank direction, and the
/// rules (null, T3-3, ranks, city totals).
fn method_notes(metrics: &MetricSet) -> String {
    let mut s = String::from(
        "<section id=\"method\"><h2>说明</h2><p>城市对比只用各市市政府本级的年报（每市每年一份；\
         没有可对比年报的城市保留一行并注明原因）；同类部门、县区政府与全市合计另有对比表。\
         指标定义（config/metrics.toml；完整的数据字典见 docs/data-dictionary.md）：</p>\
         <table class=\"data\"><thead><tr><th scope=\"col\">指标</th><th scope=\"col\">键</th>\
         <th scope=\"col\">公式</th><th scope=\"col\">类型</th><th scope=\"col\">排名 1 为</th>\
         <th scope=\"col\">定义</th></tr></thead><tbody>",
    );
    for m in metrics.metrics() {
        let _ = write!(
            s,
            "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}{}</td><td>{}</td><td>{}</td></tr>",
            esc(m.zh()),
            esc(m.id()),
            esc(&m.def.formula),
            m.def.unit.zh(),
            if m.per_100k() { "，另按每10万常住人口" } else { "" },
            if m.def.higher_is_better { "最高值" } else { "最低值" },
            esc(&m.def.definition_zh),
        );
    }
    s.push_str(
        "</tbody></table><p>操作数缺失（空白或无法读取）或分母为 0 时指标为空（—），空白从不按 0 计。\
         表三某行“总计”为空而六个申请人列均有数值时，按勾稽关系 T3-3 以六列之和推算总计，\
         用到推算值的指标标 <sup>推</sup>（表格的 derived 列注明）；已印出的总计一律照印出值使用。\
         排名在同一年度（同类部门为同一年度与部门类别）内按指标方向排列，1 为最好，并列取较好名次。\
         每10万常住人口 = 数量 × 100000 ÷ 常住人口。全市合计 = 全市各机关各操作数之和再按公式计算\
         （比率由合计重新计算，不取平均）；任一纳入机关的操作数为空，合计即为空。</p></section>",
    );
    s
}

const STYLE: &str = r#"
:root{--ink:#1d2733;--muted:#5b6673;--line:#d8dee6;--blue:#1f5fa8;--pub:#b45309;--bg:#f6f8fb}
*{box-sizing:border-box}
body{margin:0;color:var(--ink);background:#fff;font:14px/1.55 "Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif}
header.top{background:#16324f;color:#fff;padding:22px 32px 18px}
header.top h1{margin:0;font-size:26px;letter-spacing:.02em}
header.top .sub{margin:6px 0 0;color:#c9d7e6}
.banner{margin:0;padding:12px 32px;border-bottom:1px solid var(--line)}
.banner.synthetic{background:#fff3d6;border-left:8px solid #d97706;color:#5c3a00}
.banner.ok{background:#e8f5ec}
nav{padding:8px 32px;background:var(--bg);border-bottom:1px solid var(--line);font-size:13px}
nav a{color:var(--blue);text-decoration:none;margin-right:4px}
nav .cities{color:var(--muted)}
main{padding:8px 32px 40px;max-width:1280px}
h2{font-size:20px;margin:28px 0 8px;padding-bottom:4px;border-bottom:2px solid var(--blue)}
h2 small{color:var(--muted);font-weight:normal;font-size:14px}
h3{font-size:16px;margin:20px 0 8px}
h4{font-size:14px;margin:12px 0 6px}
.lead{color:var(--muted);margin:4px 0 12px}
.kpis{display:flex;gap:12px;flex-wrap:wrap}
.kpi{flex:1 1 150px;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:10px 14px}
.kpi .v{display:block;font-size:24px;font-weight:bold;color:var(--blue)}
.kpi .l{color:var(--muted);font-size:13px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:14px}
figure{margin:0;break-inside:avoid}
.fig{border:1px solid var(--line);border-radius:6px;padding:8px 10px}
figcaption{font-weight:bold;margin-bottom:4px}
svg.chart{display:block;width:100%;height:auto}
svg text{font-family:inherit;font-size:11px;fill:var(--ink)}
svg .label{font-size:12px}
svg .rank{fill:var(--muted)}
svg .tick{fill:var(--muted);font-size:10px}
svg .grid{stroke:#e3e8ee}
svg .axis{stroke:#b8c2cc}
svg .bar rect{fill:var(--blue)}
svg .bar.published rect{fill:var(--pub)}
svg .bar.published .label{fill:var(--pub);font-weight:bold}
svg .value.none{fill:var(--muted)}
svg polyline.series{fill:none;stroke:var(--blue);stroke-width:2}
svg polyline.median{fill:none;stroke:#9aa5b1;stroke-width:1.2;stroke-dasharray:4 3}
svg circle{fill:var(--blue)}
svg .city{font-weight:bold;font-size:12px}
svg .last{fill:var(--muted)}
.trend{margin:14px 0;border:1px solid var(--line);border-radius:6px;padding:8px 10px}
.minis{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:6px}
details summary{cursor:pointer;color:var(--blue);font-size:12px;margin-top:4px}
table{border-collapse:collapse;font-size:12px}
th,td{border:1px solid var(--line);padding:3px 6px;vertical-align:top}
thead th{background:var(--bg)}
caption{text-align:left;font-weight:bold;padding:4px 0}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td small{color:var(--muted)}
.scroll{overflow-x:auto}
table.comparison th[scope=row]{white-space:nowrap;text-align:left}
tr.published{background:#fff1e0}
tr.published th{color:var(--pub)}
.badge{display:inline-block;white-space:nowrap;font-size:11px;font-weight:normal;padding:0 6px;border-radius:9px;border:1px solid;vertical-align:middle}
.badge.published{color:#fff;background:var(--pub);border-color:var(--pub)}
.badge.synthetic{color:#8a5a00;border-color:#e0a43a;background:#fff7e6}
.badge.gov{color:var(--blue)}
.badge.dept{color:var(--muted)}
.badge.cmp{color:#166534;border-color:#86c29b}
.sev{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px}
.sev.error,td.heat.error{background:#d64545;color:#fff}
.sev.warning,td.heat.warning{background:#f2b134;color:#3d2a00}
.sev.info,td.heat.info{background:#d6e6f7;color:#1d2733}
.sev.ok,td.heat.ok{background:#dcefe2;color:#1d4d2b}
table.heat td{text-align:center;min-width:72px;font-size:12px}
table.heat td a{color:inherit;text-decoration:none;display:block}
td.heat.none{color:var(--muted);background:#f1f3f5}
td.cov{text-align:center;font-size:12px;min-width:64px}
td.cov.ok{background:#dcefe2;color:#1d4d2b}
td.cov.missing{background:#fde2e1;color:#7a1c1c}
td.cov.none{color:var(--muted)}
section.city{margin-top:36px}
article.report{border-left:4px solid var(--line);padding:2px 0 8px 14px;margin:18px 0}
article.report.published{border-left-color:var(--pub)}
dl.source{display:grid;grid-template-columns:max-content 1fr;gap:0 12px;font-size:12px;margin:4px 0 10px}
dl.source dt{color:var(--muted)}
dl.source dd{margin:0;word-break:break-all}
table.cells{margin:6px 0 12px}
table.t3 tbody th,table.t2 tbody th,table.city-metrics th[scope=row]{font-weight:normal;text-align:left;max-width:420px}
table.city-metrics{margin:6px 0 4px}
table.t2 tr.head th{font-weight:bold;background:var(--bg);text-align:center}
table.t3 .grp{display:block;font-weight:bold}
table.t3 .note{color:var(--muted);font-size:11px}
td.blank{color:#b0b8c1}
td.mark.error{background:#f8d4d4;outline:2px solid #d64545}
td.mark.warning{background:#fdecc8}
td.mark.info{background:#e4eef9}
.missing{color:var(--muted);font-style:italic}
table.findings-list{width:100%}
table.findings-list tr.error td:first-child{border-left:4px solid #d64545}
.findings .ok{color:#1d4d2b}
a{color:var(--blue)}
#method table{margin:8px 0}
@page{size:A4;margin:12mm}
@media print{
 body{font-size:10pt;-webkit-print-color-adjust:exact;print-color-adjust:exact}
 nav{display:none}
 header.top{padding:10px 12px}
 .banner,nav{padding-left:12px}
 main{padding:0;max-width:none}
 .charts{grid-template-columns:repeat(2,1fr)}
 .minis{grid-template-columns:repeat(4,1fr)}
 section.year,#trends,#heat,section.city{break-before:page}
 #overview+section.year{break-before:auto}
 details>summary{display:none}
 table{font-size:8pt}
 tr,figure,table.cells,table.city-metrics{break-inside:avoid}
 h2,h3,h4{break-after:avoid}
 .scroll{overflow:visible}
 a{color:inherit;text-decoration:none}
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn row(adcode: &str, applications: Option<f64>) -> ComparisonRow {
        let n = MetricSet::builtin().len();
        let mut values = vec![Some(1.0); n];
        values[0] = applications;
        ComparisonRow {
            year: 2024,
            city: adcode.into(),
            adcode: adcode.into(),
            status: crate::aggregate::stage::FOUND.into(),
            data_origin: "synthetic-demo".into(),
            values,
            per_100k: vec![None; n],
            ranks: vec![None; n],
            per_100k_ranks: vec![None; n],
            derived: vec![false; n],
            ..ComparisonRow::default()
        }
    }

    /// A total over the cities is no total when a city has no value: it is shown as "—" with
    /// the number of cities missing, never as the sum of the cities that reported.
    #[test]
    fn a_city_total_with_a_missing_city_is_not_shown() {
        let metrics = MetricSet::builtin();
        let all = [row("1", Some(3.0)), row("2", Some(4.0))];
        let html = key_figures(&all, &metrics, Some(2024));
        assert!(html.contains("<span class=\"v\">7</span>"), "{html}");
        let one_missing = [row("1", Some(3.0)), row("2", None)];
        let html = key_figures(&one_missing, &metrics, Some(2024));
        assert!(!html.contains("<span class=\"v\">3</span>"), "{html}");
        assert!(html.contains("1 市无数值，不合计"), "{html}");
        assert_eq!(city_total(&one_missing.iter().collect::<Vec<_>>(), 0), None);
    }

    /// 说明 gives every metric's formula and rank direction.
    #[test]
    fn the_notes_give_every_formula() {
        let metrics = MetricSet::builtin();
        let html = method_notes(&metrics);
        for m in metrics.metrics() {
            assert!(html.contains(&esc(&m.def.formula)), "{}", m.id());
        }
        assert!(html.contains("T3-3") && html.contains("最低值"));
    }
}
