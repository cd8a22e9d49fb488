//! `comparison` rows → the city governments' comparison pages: per year, a ranked bar chart per
//! metric across the cities (counts also per 100,000 residents, with their ranks) and the
//! year's table; the trends page (per metric, the median and min–max range of the cities over
//! the years, and each city's values); and, for a city's page, its trend against the others.
//! Every chart is captioned (metric, year, unit, level, source, data status) and comes with its
//! numbers as a table.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::chart::{self, Bar, Caption, Trend};
use super::html::{anchor, esc, link, metric_value, or_dash, per_100k, plain};
use super::site::PUBLISHED;
use super::site::{census_note, city_page, data_status, level_page, years_desc, Loc, Site};
use crate::aggregate::metrics::{Metric, MetricSet, MetricUnit};
use crate::aggregate::stage::FOUND;
use crate::aggregate::{ComparisonRow, Scope};

/// What one chart or column shows: a metric, absolute or per 100,000 residents.
#[derive(Clone, Copy)]
pub(super) struct View<'a> {
    k: usize,
    metric: &'a Metric,
    per_100k: bool,
}

impl<'a> View<'a> {
    /// Every metric, and per 100,000 residents for those that have it (`with_per_100k`).
    pub(super) fn all(metrics: &'a MetricSet, with_per_100k: bool) -> Vec<View<'a>> {
        let mut out = Vec::new();
        for (k, metric) in metrics.metrics().iter().enumerate() {
            out.push(View {
                k,
                metric,
                per_100k: false,
            });
            if with_per_100k && metric.per_100k() {
                out.push(View {
                    k,
                    metric,
                    per_100k: true,
                });
            }
        }
        out
    }

    pub(super) fn label(&self) -> String {
        if self.per_100k {
            format!("{}（每10万常住人口）", self.metric.zh())
        } else {
            self.metric.zh().to_string()
        }
    }

    /// The view's id: the metric's, with `_per_100k` for the value per 100,000 residents.
    pub(super) fn key(&self) -> String {
        if self.per_100k {
            format!("{}_per_100k", self.metric.id())
        } else {
            self.metric.id().to_string()
        }
    }

    fn value(&self, row: &ComparisonRow) -> Option<f64> {
        let v = if self.per_100k {
            &row.per_100k
        } else {
            &row.values
        };
        v.get(self.k).copied().flatten()
    }

    /// The row's rank for this view: of the metric, or of its value per 100,000 residents.
    fn rank(&self, row: &ComparisonRow) -> Option<u32> {
        let ranks = if self.per_100k {
            &row.per_100k_ranks
        } else {
            &row.ranks
        };
        ranks.get(self.k).copied().flatten()
    }

    /// An axis tick: as few decimals as the round tick values need.
    fn tick(&self, v: f64) -> String {
        if self.metric.is_rate() {
            format!("{}%", plain((v * 1000.0).round() / 10.0))
        } else {
            plain(v)
        }
    }

    fn format(&self, v: f64) -> String {
        if self.per_100k {
            per_100k(v)
        } else {
            metric_value(self.metric, v)
        }
    }

    /// The unit the values are shown in.
    fn unit(&self) -> &'static str {
        if self.per_100k {
            return "件 / 10万常住人口";
        }
        match self.metric.def.unit {
            MetricUnit::Count => "件",
            MetricUnit::Rate => "%",
            MetricUnit::Number => "数值",
            MetricUnit::TenThousandYuan => "万元",
        }
    }

    /// The caption of a chart of this view: metric, `when` (a year or a span), level; unit,
    /// rank direction, data status; source (and the census for values per 100,000).
    pub(super) fn caption(
        &self,
        when: &str,
        scope: Scope,
        status: &str,
        population_source: Option<&str>,
    ) -> Caption {
        let best = if self.metric.def.higher_is_better {
            "最高"
        } else {
            "最低"
        };
        let mut details = vec![
            format!("单位：{} · 排名 1 = {best}值 · {status}", self.unit()),
            format!(
                "来源：各市政府信息公开工作年度报告（{}），nianbao 整理",
                scope.zh()
            ),
        ];
        if self.per_100k {
            details.push(match population_source {
                Some(source) => format!("常住人口：{source}"),
                None => census_note(None),
            });
        }
        Caption::new(
            &format!("{} · {when} · {}", self.label(), scope.zh()),
            &details,
        )
    }
}

/// The page of one year: links to the other years, which cities have no report and why, a
/// chart per metric view and the year's table.
pub(super) fn year_page(site: &Site, rows: &[&ComparisonRow], year: i32) -> String {
    let found = rows.iter().filter(|r| r.status == FOUND).count();
    let mut s = format!(
        "<p class=\"years\">年度：{}</p>\
         <section class=\"year\" id=\"year-{year}\"><h2>{year}年度 各市对比 <small>市政府本级</small></h2>\
         <p class=\"lead\">{found} / {} 个城市有可对比的市政府本级年报。条形按数值排列，左侧数字为排名\
         （1 = 该指标方向上最好，并列取较好名次）；★ 为已公布的真实数据；<sup>推</sup> 表示用到按 T3-3 \
         推算的总计。每张图可下载为 SVG 文件。</p>{}<div class=\"charts\">",
        year_links(site, Scope::CityGovernments, &site.years, year),
        rows.len(),
        missing_list(rows)
    );
    for view in View::all(&site.tables.metrics, true) {
        s.push_str(&bar_figure(site, Loc::Folder, "bar", rows, year, view));
    }
    s.push_str("</div>");
    let _ = write!(
        s,
        "<h3 id=\"table-{year}\">{year}年度 对比表</h3>{}</section>",
        comparison_table(rows, year, &site.tables.metrics)
    );
    site.page(Loc::Folder, &format!("{year}年度 市政府本级 各市对比"), &s)
}

/// Links to a level's page of each year (`years`), the current one marked.
pub(super) fn year_links(site: &Site, scope: Scope, years: &[i32], current: i32) -> String {
    let mut sorted = years.to_vec();
    sorted.sort_unstable();
    sorted
        .iter()
        .map(|y| {
            if *y == current {
                format!("<strong>{y}</strong>")
            } else {
                format!(
                    "<a href=\"{}\">{y}</a>",
                    site.href(Loc::Folder, &level_page(scope, *y))
                )
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The cities of a year without a comparable report, each with its status and reason.
fn missing_list(rows: &[&ComparisonRow]) -> String {
    let missing: Vec<String> = rows
        .iter()
        .filter(|r| r.status != FOUND)
        .map(|r| {
            format!(
                "<li data-adcode=\"{}\">{}：<code>{}</code> {}</li>",
                esc(&r.adcode),
                esc(&r.city),
                esc(&r.status),
                esc(r.reason.as_deref().unwrap_or(""))
            )
        })
        .collect();
    if missing.is_empty() {
        return String::new();
    }
    format!("<ul class=\"missing-cities\">{}</ul>", missing.join(""))
}

/// The ranked bar chart of one view in one year, as a figure with its table; `prefix` makes
/// its id (and file name) unique across the report.
pub(super) fn bar_figure(
    site: &Site,
    loc: Loc,
    prefix: &str,
    rows: &[&ComparisonRow],
    year: i32,
    view: View,
) -> String {
    let bars: Vec<Bar> = rows
        .iter()
        .map(|r| Bar {
            label: r.city.clone(),
            value: view.value(r),
            rank: view.rank(r),
            published: r.data_origin == PUBLISHED,
        })
        .collect();
    let bars = chart::sorted(bars);
    let status = data_status(rows.iter().map(|r| r.data_origin.as_str()));
    let caption = view.caption(
        &format!("{year}年度"),
        Scope::CityGovernments,
        status,
        site.options.population_source.as_deref(),
    );
    let svg = chart::bar_chart(&caption, &bars, &|v| view.format(v), &|v| view.tick(v));
    let mut table = String::new();
    for b in &bars {
        let _ = write!(
            table,
            "<tr><td>{}</td><th scope=\"row\">{}</th><td class=\"num\">{}</td></tr>",
            b.rank.map_or("—".to_string(), |r| r.to_string()),
            esc(&b.label),
            or_dash(b.value, |v| view.format(v))
        );
    }
    let table = format!(
        "<table class=\"data\"><caption>{}</caption><thead><tr><th scope=\"col\">排名</th>\
         <th scope=\"col\">城市</th><th scope=\"col\">{}</th></tr></thead><tbody>{table}</tbody>\
         </table>",
        esc(&caption.title),
        esc(&view.label()),
    );
    let key = anchor(&[prefix, &year.to_string(), &view.key()]);
    let attrs = format!(" data-metric=\"{}\" data-year=\"{year}\"", view.key());
    site.figure(loc, &key, &attrs, &svg, &table)
}

/// The year's comparison table: every metric (counts also per 100,000) with its rank.
fn comparison_table(rows: &[&ComparisonRow], year: i32, metrics: &MetricSet) -> String {
    let mut s = format!(
        "<div class=\"scroll\"><table class=\"comparison\" id=\"comparison-{year}\">\
         <caption>{year}年度 各市指标（括号内为排名）</caption><thead><tr>\
         <th scope=\"col\">城市</th><th scope=\"col\">常住人口</th>"
    );
    for view in View::all(metrics, true) {
        let _ = write!(s, "<th scope=\"col\">{}</th>", esc(&view.label()));
    }
    s.push_str("<th scope=\"col\">数据来源</th></tr></thead><tbody>");
    for r in rows {
        s.push_str(&comparison_row(r, metrics));
    }
    s.push_str("</tbody></table></div>");
    s
}

fn comparison_row(r: &ComparisonRow, metrics: &MetricSet) -> String {
    let published = r.data_origin == PUBLISHED;
    format!(
        "<tr class=\"{}\" data-adcode=\"{}\"><th scope=\"row\">{}{}</th><td class=\"num\">{}</td>{}</tr>",
        if published { "published" } else { "" },
        esc(&r.adcode),
        if published { "★ " } else { "" },
        link(&r.source_url, &r.city),
        r.population.map_or("—".to_string(), |p| p.to_string()),
        metric_cells(r, &View::all(metrics, true)),
    )
}

/// A row's cells after its heading: every view (with the rank; <sup>推</sup> where a
/// derived total was used) and the data origin, or the status of a row without a report.
pub(super) fn metric_cells(r: &ComparisonRow, views: &[View]) -> String {
    let mut s = String::new();
    for view in views {
        let v = view.value(r);
        let rank = view
            .rank(r)
            .map_or(String::new(), |k| format!(" <small>({k})</small>"));
        let derived = if r.derived.get(view.k).copied().unwrap_or(false) {
            "<sup title=\"用到按勾稽关系 T3-3 推算的总计\">推</sup>"
        } else {
            ""
        };
        let _ = write!(
            s,
            "<td class=\"num\" data-metric=\"{}\" data-value=\"{}\">{}{derived}{rank}</td>",
            view.key(),
            v.map_or(String::new(), |v| v.to_string()),
            or_dash(v, |v| view.format(v)),
        );
    }
    if r.status == FOUND {
        let _ = write!(s, "<td>{}</td>", origin_badge(&r.data_origin));
    } else {
        let _ = write!(
            s,
            "<td class=\"missing\" title=\"{}\">{}</td>",
            esc(r.reason.as_deref().unwrap_or("")),
            esc(&r.status)
        );
    }
    s
}

/// One city's metrics over the years (latest first), each value with its rank that year.
pub(super) fn city_table(rows: &[&ComparisonRow], metrics: &MetricSet) -> String {
    if rows.is_empty() {
        return "<p class=\"missing\">没有用于对比的市政府本级年报。</p>".to_string();
    }
    let mut s = String::from(
        "<div class=\"scroll\"><table class=\"city-metrics\"><caption>历年指标（括号内为当年排名）\
         </caption><thead><tr><th scope=\"col\">年度</th>",
    );
    let views = View::all(metrics, true);
    for view in &views {
        let _ = write!(s, "<th scope=\"col\">{}</th>", esc(&view.label()));
    }
    s.push_str("<th scope=\"col\">数据来源</th></tr></thead><tbody>");
    let mut rows = rows.to_vec();
    rows.sort_by_key(|r| std::cmp::Reverse(r.year));
    for r in rows {
        let _ = write!(
            s,
            "<tr class=\"{}\"><th scope=\"row\">{}</th>{}</tr>",
            if r.data_origin == PUBLISHED {
                "published"
            } else {
                ""
            },
            r.year,
            metric_cells(r, &views)
        );
    }
    s.push_str("</tbody></table></div>");
    s
}

/// A badge naming where data came from: published figures or the synthetic demo.
pub(super) fn origin_badge(origin: &str) -> String {
    if origin == PUBLISHED {
        "<span class=\"badge published\">已公布</span>".to_string()
    } else {
        format!(
            "<span class=\"badge synthetic\" title=\"{}\">合成演示</span>",
            esc(origin)
        )
    }
}

/// The trends page: per metric view, the median and the min–max range of the cities over the
/// years (one chart on its own scale), and each city's values in its table (each city's page
/// draws that city against the others).
pub(super) fn trends_page(site: &Site) -> String {
    let years = years_asc(&site.tables.comparison);
    let cities = by_city(&site.tables.comparison);
    let mut s = format!(
        "<section id=\"trends\"><h2>历年趋势 <small>市政府本级</small></h2><p class=\"lead\">每张图是一个指标：\
         灰色带为同年各市的最小–最大范围，虚线为中位数；纵轴按该图的数据取值，不一定从 0 开始。\
         各市的历年数值在图下的数据表中；每市页面把该市与其他城市的中位数和范围画在一起。\
         每张图可下载为 SVG 文件。</p><p class=\"years\">各市：{}</p><div class=\"charts\">",
        cities
            .iter()
            .map(|(adcode, (city, _))| format!(
                "<a href=\"{}#trends\">{}</a>",
                city_page(adcode),
                esc(city)
            ))
            .collect::<Vec<_>>()
            .join(" ")
    );
    for view in View::all(&site.tables.metrics, true) {
        s.push_str(&trend_overview(site, view, &years, &cities));
    }
    s.push_str("</div></section>");
    site.page(Loc::Folder, "历年趋势 市政府本级", &s)
}

/// The years of `rows`, earliest first.
fn years_asc(rows: &[ComparisonRow]) -> Vec<i32> {
    let mut years = years_desc(rows);
    years.reverse();
    years
}

/// `2019–2024年`, or one year.
fn span_text(years: &[i32]) -> String {
    match (years.first(), years.last()) {
        (Some(a), Some(b)) if a != b => format!("{a}–{b}年"),
        (Some(a), _) => format!("{a}年"),
        _ => String::new(),
    }
}

type CityYears<'a> = BTreeMap<&'a str, (&'a str, BTreeMap<i32, &'a ComparisonRow>)>;

/// The rows by adcode (with the city's name) and year.
fn by_city(rows: &[ComparisonRow]) -> CityYears<'_> {
    let mut cities: CityYears = BTreeMap::new();
    for r in rows {
        cities
            .entry(&r.adcode)
            .or_insert((&r.city, BTreeMap::new()))
            .1
            .insert(r.year, r);
    }
    cities
}

/// Per year, the median, least and greatest value of a view over the cities other than
/// `except` (`None` in a year where none has a value).
fn spread(
    view: View,
    years: &[i32],
    cities: &CityYears,
    except: Option<&str>,
) -> [Vec<Option<f64>>; 3] {
    let mut out: [Vec<Option<f64>>; 3] = Default::default();
    for y in years {
        let vals: Vec<f64> = cities
            .iter()
            .filter(|(adcode, _)| Some(**adcode) != except)
            .filter_map(|(_, (_, by))| by.get(y).and_then(|r| view.value(r)))
            .collect();
        out[0].push(chart::median(&vals));
        out[1].push(vals.iter().copied().reduce(f64::min));
        out[2].push(vals.iter().copied().reduce(f64::max));
    }
    out
}

/// The data status of every row of the trends.
fn trends_status(cities: &CityYears) -> &'static str {
    data_status(
        cities
            .values()
            .flat_map(|(_, by)| by.values().map(|r| r.data_origin.as_str())),
    )
}

/// One view's chart of the median and range of all cities, with every city's values.
fn trend_overview(site: &Site, view: View, years: &[i32], cities: &CityYears) -> String {
    let [median, low, high] = spread(view, years, cities, None);
    let none = vec![None; years.len()];
    let trend = Trend {
        years,
        name: "",
        values: &none,
        median: &median,
        low: &low,
        high: &high,
        others: "各市",
    };
    let caption = view.caption(
        &span_text(years),
        Scope::CityGovernments,
        trends_status(cities),
        site.options.population_source.as_deref(),
    );
    let fmt = |v: f64| view.format(v);
    let svg = chart::trend_chart(&caption, &trend, &fmt, &|v| view.tick(v));
    let head: String = years
        .iter()
        .map(|y| format!("<th scope=\"col\">{y}</th>"))
        .collect();
    let mut table = format!(
        "<table class=\"data\"><caption>{}</caption><thead><tr><th scope=\"col\">城市</th>{head}\
         </tr></thead><tbody>",
        esc(&caption.title)
    );
    for (adcode, (city, by)) in cities {
        let _ = write!(
            table,
            "<tr data-adcode=\"{}\"><th scope=\"row\"><a href=\"{}\">{}</a></th>",
            esc(adcode),
            city_page(adcode),
            esc(city)
        );
        for y in years {
            let v = by.get(y).and_then(|r| view.value(r));
            let _ = write!(table, "<td class=\"num\">{}</td>", or_dash(v, fmt));
        }
        table.push_str("</tr>");
    }
    for (label, row) in [("中位数", &median), ("最小", &low), ("最大", &high)] {
        let _ = write!(table, "<tr class=\"median\"><th scope=\"row\">{label}</th>");
        for v in row {
            let _ = write!(table, "<td class=\"num\">{}</td>", or_dash(*v, fmt));
        }
        table.push_str("</tr>");
    }
    table.push_str("</tbody></table>");
    let attrs = format!(" data-metric=\"{}\"", view.key());
    site.figure(
        Loc::Folder,
        &anchor(&["trend", &view.key()]),
        &attrs,
        &svg,
        &table,
    )
}

/// A city's trends for its page: per metric view, the city against the median and the
/// min–max range of the other cities, on the chart's own scale.
pub(super) fn city_trends(site: &Site, adcode: &str) -> String {
    let years = years_asc(&site.tables.comparison);
    let cities = by_city(&site.tables.comparison);
    let Some((city, by)) = cities.get(adcode) else {
        return String::new();
    };
    let mut s = String::from("<div class=\"charts\">");
    for view in View::all(&site.tables.metrics, true) {
        let values: Vec<Option<f64>> = years
            .iter()
            .map(|y| by.get(y).and_then(|r| view.value(r)))
            .collect();
        let [median, low, high] = spread(view, &years, &cities, Some(adcode));
        let trend = Trend {
            years: &years,
            name: city,
            values: &values,
            median: &median,
            low: &low,
            high: &high,
            others: "其他城市",
        };
        let caption = view.caption(
            &format!("{city} {}", span_text(&years)),
            Scope::CityGovernments,
            trends_status(&cities),
            site.options.population_source.as_deref(),
        );
        let fmt = |v: f64| view.format(v);
        let svg = chart::trend_chart(&caption, &trend, &fmt, &|v| view.tick(v));
        let mut table = format!(
            "<table class=\"data\"><caption>{}</caption><thead><tr><th scope=\"col\">年度</th>\
             <th scope=\"col\">{}</th><th scope=\"col\">排名</th><th scope=\"col\">其他城市中位数</th>\
             <th scope=\"col\">最小</th><th scope=\"col\">最大</th></tr></thead><tbody>",
            esc(&caption.title),
            esc(city)
        );
        for (i, y) in years.iter().enumerate() {
            let rank = by.get(y).and_then(|r| view.rank(r));
            let _ = write!(
                table,
                "<tr><th scope=\"row\">{y}</th><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                or_dash(values[i], fmt),
                rank.map_or("—".to_string(), |r| r.to_string()),
                or_dash(median[i], fmt),
                or_dash(low[i], fmt),
                or_dash(high[i], fmt),
            );
        }
        table.push_str("</tbody></table>");
        let attrs = format!(" data-metric=\"{}\"", view.key());
        s.push_str(&site.figure(
            Loc::Folder,
            &anchor(&["trend", adcode, &view.key()]),
            &attrs,
            &svg,
            &table,
        ));
    }
    s.push_str("</div>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::Tables;
    use crate::htmlreport::Options;

    fn row(city: &str, year: i32, v: f64, origin: &str) -> ComparisonRow {
        let n = MetricSet::builtin().len();
        ComparisonRow {
            year,
            city: city.into(),
            adcode: city.into(),
            status: FOUND.into(),
            population: Some(1_000_000),
            data_origin: origin.into(),
            source_url: "javascript:alert(1)".into(),
            values: vec![Some(v); n],
            per_100k: vec![Some(v / 10.0); n],
            ranks: vec![Some(1); n],
            per_100k_ranks: vec![Some(1); n],
            derived: vec![false; n],
            ..ComparisonRow::default()
        }
    }

    /// Charts per year: one per metric, and one per metric that has a value per 100,000.
    fn charts(metrics: &MetricSet) -> usize {
        metrics.len() + metrics.metrics().iter().filter(|m| m.per_100k()).count()
    }

    #[test]
    fn a_year_has_a_chart_per_metric_and_per_100k_for_counts() {
        let metrics = MetricSet::builtin();
        let mut missing = row("丙", 2024, 0.0, "");
        missing.status = "missing".into();
        missing.reason = Some("no report".into());
        missing.values = vec![None; metrics.len()];
        let rows = [
            row("甲", 2024, 3.0, "synthetic-demo"),
            row("乙", 2024, 5.0, PUBLISHED),
            missing,
        ];
        let refs: Vec<&ComparisonRow> = rows.iter().collect();
        let t = Tables {
            metrics: metrics.clone(),
            ..Tables::default()
        };
        let o = Options::default();
        let site = Site::new(&t, &o, "report.html", "report");
        let html = year_page(&site, &refs, 2024);
        assert_eq!(
            html.matches("<figure class=\"fig\"").count(),
            charts(&metrics)
        );
        let svgs = site.take_svgs();
        assert_eq!(svgs.len(), charts(&metrics), "a file per chart");
        assert!(svgs
            .iter()
            .all(|p| p.path.starts_with("report/svg/bar-2024-") && p.body.starts_with("<?xml")));
        assert!(html.contains("href=\"svg/bar-2024-applications.svg\""));
        assert!(html.contains("applications_per_100k"));
        assert!(html.contains("<tr class=\"published\""));
        assert!(!html.contains("javascript:"), "non-http links are dropped");
        assert!(html.contains("2 / 3 个城市"), "a year says of how many");
        assert!(
            html.contains("丙：<code>missing</code> no report"),
            "{html}"
        );
    }

    #[test]
    fn trends_draw_a_city_against_the_others() {
        let metrics = MetricSet::builtin();
        let t = Tables {
            comparison: vec![
                row("甲", 2023, 1.0, "synthetic-demo"),
                row("甲", 2024, 2.0, "synthetic-demo"),
                row("乙", 2024, 5.0, "synthetic-demo"),
                row("丙", 2024, 9.0, "synthetic-demo"),
            ],
            metrics: metrics.clone(),
            ..Tables::default()
        };
        let o = Options::default();
        let site = Site::new(&t, &o, "report.html", "report");
        let overview = trends_page(&site);
        assert_eq!(
            overview.matches("<svg class=\"chart trend\"").count(),
            charts(&metrics)
        );
        let html = city_trends(&site, "甲");
        assert_eq!(
            html.matches("<svg class=\"chart trend\"").count(),
            charts(&metrics)
        );
        // 2024: 甲 has 2; the others (乙 5, 丙 9) have the median 7 and the range 5–9.
        assert!(
            html.contains(
                "<tr><th scope=\"row\">2024</th><td class=\"num\">2</td><td class=\"num\">1</td>\
             <td class=\"num\">7</td><td class=\"num\">5</td><td class=\"num\">9</td></tr>"
            ),
            "{html}"
        );
        assert!(
            html.contains("甲 2023–2024年"),
            "the caption names the city and years"
        );
        assert_eq!(
            city_trends(&site, "丁"),
            "",
            "a city without rows has no trends"
        );
    }

    #[test]
    fn a_value_from_a_derived_total_is_marked() {
        let metrics = MetricSet::builtin();
        let mut r = row("甲", 2024, 0.5, "synthetic-demo");
        r.derived[1] = true;
        let html = metric_cells(&r, &View::all(&metrics, true));
        assert_eq!(html.matches("<sup").count(), 1, "{html}");
    }
}
