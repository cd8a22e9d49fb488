//! `comparison` rows → the comparison sections of the report: per year, a ranked bar chart per
//! metric across the cities (counts also per 100,000 residents) and the year's table; per
//! metric, each city's trend over the years. Every chart comes with its numbers as a table.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use super::chart::{self, Bar};
use super::html::{anchor, esc, link, metric_value, or_dash, per_100k, plain};
use crate::aggregate::metrics::{Metric, MetricSet};
use crate::aggregate::stage::FOUND;
use crate::aggregate::ComparisonRow;

pub(super) const PUBLISHED: &str = "published";

/// The years of `rows`, latest first.
pub(super) fn years_desc(rows: &[ComparisonRow]) -> Vec<i32> {
    let years: BTreeSet<i32> = rows.iter().map(|r| r.year).collect();
    years.into_iter().rev().collect()
}

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

    fn key(&self) -> String {
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
}

/// The comparison section of one year: which cities have no report and why, a chart per
/// metric view and the year's table.
pub(super) fn year_section(rows: &[&ComparisonRow], year: i32, metrics: &MetricSet) -> String {
    let found = rows.iter().filter(|r| r.status == FOUND).count();
    let mut s = format!(
        "<section class=\"year\" id=\"year-{year}\"><h2>{year}年度 各市对比</h2>\
         <p class=\"lead\">{found} / {} 个城市有可对比的市政府本级年报。条形按数值排列，左侧数字为排名\
         （1 = 该指标方向上最好，并列取较好名次）；★ 为已公布的真实数据；<sup>推</sup> 表示用到按 T3-3 \
         推算的总计。</p>{}<div class=\"charts\">",
        rows.len(),
        missing_list(rows)
    );
    for view in View::all(metrics, true) {
        s.push_str(&bar_figure(rows, year, view));
    }
    s.push_str("</div>");
    let _ = write!(
        s,
        "<h3 id=\"table-{year}\">{year}年度 对比表</h3>{}</section>",
        comparison_table(rows, year, metrics)
    );
    s
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

fn bar_figure(rows: &[&ComparisonRow], year: i32, view: View) -> String {
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
    let title = format!("{year}年度 {}：各市排名", view.label());
    let svg = chart::bar_chart(&title, &bars, &|v| view.format(v), &|v| view.tick(v));
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
    format!(
        "<figure class=\"fig\" id=\"{}\" data-metric=\"{}\" data-year=\"{year}\">\
         <figcaption>{}</figcaption>{svg}<details><summary>数据表</summary>\
         <table class=\"data\"><caption>{}</caption><thead><tr><th scope=\"col\">排名</th>\
         <th scope=\"col\">城市</th><th scope=\"col\">{}</th></tr></thead><tbody>{table}</tbody>\
         </table></details></figure>",
        anchor(&["bar", &year.to_string(), &view.key()]),
        view.key(),
        esc(&view.label()),
        esc(&title),
        esc(&view.label()),
    )
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

/// The trends section: per metric (counts also per 100,000), one small line chart per city (same y scale, median of all
/// cities dashed) and the city × year table.
pub(super) fn trends_section(rows: &[ComparisonRow], metrics: &MetricSet) -> String {
    let mut years: Vec<i32> = years_desc(rows);
    years.reverse();
    let mut cities: BTreeMap<&str, (&str, BTreeMap<i32, &ComparisonRow>)> = BTreeMap::new();
    for r in rows {
        cities
            .entry(&r.adcode)
            .or_insert((&r.city, BTreeMap::new()))
            .1
            .insert(r.year, r);
    }
    let mut s = String::from(
        "<section id=\"trends\"><h2>历年趋势</h2><p class=\"lead\">每个小图是一个城市的历年数值\
         （蓝线），灰色虚线为同年各市中位数；同一指标的各图纵轴相同，从 0 开始。</p>",
    );
    for view in View::all(metrics, true) {
        s.push_str(&trend_figure(view, &years, &cities));
    }
    s.push_str("</section>");
    s
}

type CityYears<'a> = BTreeMap<&'a str, (&'a str, BTreeMap<i32, &'a ComparisonRow>)>;

fn trend_figure(view: View, years: &[i32], cities: &CityYears) -> String {
    let value = |r: &ComparisonRow| view.value(r);
    let label = view.label();
    let median: Vec<Option<f64>> = years
        .iter()
        .map(|y| {
            let vals: Vec<f64> = cities
                .values()
                .filter_map(|(_, by)| by.get(y).and_then(|r| value(r)))
                .collect();
            chart::median(&vals)
        })
        .collect();
    let max = cities
        .values()
        .flat_map(|(_, by)| by.values().filter_map(|r| value(r)))
        .fold(0.0, f64::max);
    let top = chart::nice_ceiling(max);
    let fmt = |v: f64| view.format(v);
    let mut charts = String::new();
    let mut table = String::new();
    for (adcode, (city, by)) in cities {
        let vals: Vec<Option<f64>> = years
            .iter()
            .map(|y| by.get(y).and_then(|r| value(r)))
            .collect();
        let (first, last) = (years.first().unwrap_or(&0), years.last().unwrap_or(&0));
        let title = format!("{city} {label}：{first}–{last}年");
        charts.push_str(&chart::line_chart(
            &title, city, years, &vals, &median, top, &fmt,
        ));
        let _ = write!(
            table,
            "<tr data-adcode=\"{}\"><th scope=\"row\">{}</th>",
            esc(adcode),
            esc(city)
        );
        for v in &vals {
            let _ = write!(table, "<td class=\"num\">{}</td>", or_dash(*v, fmt));
        }
        table.push_str("</tr>");
    }
    let head: String = years
        .iter()
        .map(|y| format!("<th scope=\"col\">{y}</th>"))
        .collect();
    let med: String = median
        .iter()
        .map(|v| format!("<td class=\"num\">{}</td>", or_dash(*v, fmt)))
        .collect();
    format!(
        "<figure class=\"trend\" id=\"trend-{}\" data-metric=\"{}\"><figcaption>{}</figcaption>\
         <div class=\"minis\">{charts}</div><details><summary>数据表</summary>\
         <table class=\"data\"><caption>{} 历年数值</caption><thead><tr><th scope=\"col\">城市</th>\
         {head}</tr></thead><tbody>{table}<tr class=\"median\"><th scope=\"row\">中位数</th>{med}</tr>\
         </tbody></table></details></figure>",
        view.key(),
        view.key(),
        esc(&label),
        esc(&label),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let html = year_section(&refs, 2024, &metrics);
        assert_eq!(
            html.matches("<figure class=\"fig\"").count(),
            charts(&metrics)
        );
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
    fn trends_have_a_line_per_city_and_metric() {
        let metrics = MetricSet::builtin();
        let rows = [
            row("甲", 2023, 1.0, "synthetic-demo"),
            row("甲", 2024, 2.0, "synthetic-demo"),
            row("乙", 2024, 5.0, "synthetic-demo"),
        ];
        let html = trends_section(&rows, &metrics);
        assert_eq!(
            html.matches("<svg class=\"chart line\"").count(),
            2 * charts(&metrics)
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
