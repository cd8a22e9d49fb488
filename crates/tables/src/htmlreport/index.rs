//! The index page (`report.html`): the latest year at a glance with two of its charts, a
//! directory of the pages (each level by year, the trends, each city with its reports and
//! findings), the findings heat table, the coverage grid and the notes (metrics, rules, the
//! census the populations come from).

use std::fmt::Write;

use super::chart;
use super::city::heat_table;
use super::compare::{bar_figure, View};
use super::coverage;
use super::html::{esc, percent, plain};
use super::site::{census_note, city_page, level_page, scope_years, Loc, Site, TRENDS_PAGE};
use crate::aggregate::metrics::MetricSet;
use crate::aggregate::{ComparisonRow, Scope};

/// The index page.
pub(super) fn page(site: &Site) -> String {
    let tables = site.tables;
    let latest = site.years.first().copied();
    let mut body = key_figures(&tables.comparison, &tables.metrics, latest);
    body.push_str(&featured_charts(site, latest));
    body.push_str(&directory(site));
    body.push_str(&city_list(site));
    body.push_str(&heat_table(site, Loc::Index));
    body.push_str(&coverage::section(&tables.coverage));
    body.push_str(&method_notes(
        &tables.metrics,
        site.options.population_source.as_deref(),
    ));
    site.page(Loc::Index, &site.options.title, &body)
}

/// Two charts of the latest year (applications per 100,000 residents and the disclosure rate,
/// when the metric set has them), linking to the year's page for the rest.
fn featured_charts(site: &Site, latest: Option<i32>) -> String {
    let Some(year) = latest else {
        return String::new();
    };
    let rows: Vec<&ComparisonRow> = site
        .tables
        .comparison
        .iter()
        .filter(|r| r.year == year)
        .collect();
    let views = View::all(&site.tables.metrics, true);
    let wanted = ["applications_per_100k", "disclosure_rate"];
    let mut s = String::from("<div class=\"charts\">");
    for view in views.iter().filter(|v| wanted.contains(&v.key().as_str())) {
        s.push_str(&bar_figure(site, Loc::Index, "index", &rows, year, *view));
    }
    let _ = write!(
        s,
        "</div><p><a href=\"{}\">{year}年度全部 {} 张对比图与对比表 →</a> \
         <a href=\"{}\">历年趋势 →</a></p>",
        site.href(Loc::Index, &level_page(Scope::CityGovernments, year)),
        views.len(),
        site.href(Loc::Index, TRENDS_PAGE),
    );
    s
}

/// Every level's pages by year, and the trends.
fn directory(site: &Site) -> String {
    let mut years: Vec<i32> = Scope::ALL
        .iter()
        .flat_map(|s| scope_years(site.tables, *s))
        .collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let mut s = String::from(
        "<section id=\"pages\"><h2>各级对比</h2><p class=\"lead\">每个层级每年一页：条形图（市政府本级）\
         与含排名的对比表。</p><div class=\"scroll\"><table class=\"pages\"><thead><tr>\
         <th scope=\"col\">层级</th>",
    );
    for y in &years {
        let _ = write!(s, "<th scope=\"col\">{y}</th>");
    }
    s.push_str("</tr></thead><tbody>");
    for scope in Scope::ALL {
        let have = scope_years(site.tables, scope);
        let _ = write!(s, "<tr><th scope=\"row\">{}</th>", esc(scope.zh()));
        for y in &years {
            if have.contains(y) {
                let _ = write!(
                    s,
                    "<td><a href=\"{}\">{y}</a></td>",
                    site.href(Loc::Index, &level_page(scope, *y))
                );
            } else {
                s.push_str("<td class=\"missing\">—</td>");
            }
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>");
    if !site.tables.comparison.is_empty() {
        let _ = write!(
            s,
            "<p><a href=\"{}\">历年趋势（市政府本级）：各指标的中位数与最小–最大范围，各市历年数值 →</a></p>",
            site.href(Loc::Index, TRENDS_PAGE)
        );
    }
    s.push_str("</section>");
    s
}

/// Each city with its population, reports and findings, linking to its page.
fn city_list(site: &Site) -> String {
    let mut s = String::from(
        "<section id=\"cities\"><h2>各市</h2><p class=\"lead\">每市一页：历年指标与排名、\
         与其他城市对比的趋势图、全市合计、每份年报（表二、三、四原样）及检查结果。</p>\
         <div class=\"scroll\"><table class=\"data\"><thead><tr><th scope=\"col\">城市</th>\
         <th scope=\"col\">行政区划代码</th><th scope=\"col\">常住人口</th><th scope=\"col\">年报数</th>\
         <th scope=\"col\">错误</th><th scope=\"col\">警告</th></tr></thead><tbody>",
    );
    for (adcode, city) in site.ix.cities() {
        let population = site
            .tables
            .comparison
            .iter()
            .find(|r| r.adcode == adcode)
            .and_then(|r| r.population);
        let reports = site.ix.reports_of_city(adcode);
        let [errors, warnings, _] = site.ix.severity_counts(&reports);
        let _ = write!(
            s,
            "<tr><th scope=\"row\"><a href=\"{}\">{}</a></th><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{errors}</td><td class=\"num\">{warnings}</td></tr>",
            site.href(Loc::Index, &city_page(adcode)),
            esc(city),
            esc(adcode),
            population.map_or("—".to_string(), |p| p.to_string()),
            reports.len(),
        );
    }
    let _ = write!(
        s,
        "</tbody></table></div><p class=\"lead\">{}</p></section>",
        esc(&census_note(site.options.population_source.as_deref()))
    );
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
fn method_notes(metrics: &MetricSet, population_source: Option<&str>) -> String {
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
    let _ = write!(
        s,
        "</tbody></table><p>操作数缺失（空白或无法读取）或分母为 0 时指标为空（—），空白从不按 0 计。\
         表三某行“总计”为空而六个申请人列均有数值时，按勾稽关系 T3-3 以六列之和推算总计，\
         用到推算值的指标标 <sup>推</sup>（表格的 derived 列注明）；已印出的总计一律照印出值使用。\
         排名在同一年度（同类部门为同一年度与部门类别）内按指标方向排列，1 为最好，并列取较好名次。\
         每10万常住人口 = 数量 × 100000 ÷ 常住人口；{}全市合计 = 全市各机关各操作数之和再按公式计算\
         （比率由合计重新计算，不取平均）；任一纳入机关的操作数为空，合计即为空。</p></section>",
        census_note(population_source)
    );
    s
}

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
        let html = method_notes(&metrics, Some("第七次全国人口普查公报"));
        for m in metrics.metrics() {
            assert!(html.contains(&esc(&m.def.formula)), "{}", m.id());
        }
        assert!(html.contains("T3-3") && html.contains("最低值"));
        assert!(
            html.contains("常住人口来源：第七次全国人口普查公报"),
            "{html}"
        );
        assert!(method_notes(&metrics, None).contains("城市配置未注明来源"));
    }
}
