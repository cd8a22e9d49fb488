//! The comparisons beyond the city governments → one page per level and year: like
//! departments across cities, county-level governments, and whole cities (all bodies summed),
//! the year's table with every metric and its rank. Pure.

use std::fmt::Write;

use super::compare::{metric_cells, year_links, View};
use super::html::{esc, link};
use super::site::{census_note, scope_years, Loc, Site};
use crate::aggregate::{ComparisonRow, Scope};

/// The levels that get a section here, in page order.
pub(super) const SCOPES: [Scope; 3] = [Scope::Departments, Scope::Counties, Scope::CityTotals];

/// The section's id.
pub(super) fn anchor_of(scope: Scope) -> &'static str {
    match scope {
        Scope::CityGovernments => "level-cities",
        Scope::Departments => "level-departments",
        Scope::Counties => "level-counties",
        Scope::CityTotals => "level-city-totals",
    }
}

/// What the section compares, shown under its heading.
fn lead(scope: Scope) -> &'static str {
    match scope {
        Scope::Departments => {
            "同类部门（市直部门，按部门类别）跨城市对比：每个部门类别、城市、年度一行，在同一年度与部门类别内排名。"
        }
        Scope::Counties => "县、区、县级市政府跨城市对比：每个县区、年度一行，在同一年度内全区排名。",
        _ => {
            "全市合计：全市各机关（市政府、市直部门、县区政府及其部门，每机关一份报告）各操作数之和，\
             比率由合计重新计算；任一纳入机关的操作数为空，合计即为空。"
        }
    }
}

/// A row heading: its label and the row's text.
type Heading = (&'static str, fn(&ComparisonRow) -> String);

/// The row headings of a scope.
fn headings(scope: Scope) -> Vec<Heading> {
    let body: fn(&ComparisonRow) -> String = |r| r.body.clone().unwrap_or_default();
    match scope {
        Scope::Departments => vec![
            ("部门类别", |r| r.department.clone().unwrap_or_default()),
            ("城市", |r| r.city.clone()),
            ("发布机关", body),
        ],
        Scope::Counties => vec![
            ("城市", |r| r.city.clone()),
            ("县区", |r| r.county.clone().unwrap_or_default()),
            ("发布机关", body),
        ],
        _ => vec![
            ("城市", |r| r.city.clone()),
            ("纳入机关数", |r| {
                r.bodies.map_or(String::new(), |b| b.to_string())
            }),
        ],
    }
}

/// The page of `scope` in `year`: links to its other years and the year's table.
pub(super) fn page(site: &Site, scope: Scope, year: i32) -> String {
    let (rows, _) = site.tables.compared(scope);
    let years = scope_years(site.tables, scope);
    let mut s = format!(
        "<p class=\"years\">年度：{}</p><section class=\"level\" id=\"{}\"><h2>{year}年度 {}</h2>\
         <p class=\"lead\">{}</p>",
        year_links(site, scope, &years, year),
        anchor_of(scope),
        esc(scope.zh()),
        lead(scope)
    );
    let views = View::all(&site.tables.metrics, scope.has_population());
    let _ = write!(
        s,
        "<div class=\"scroll\"><table class=\"comparison\" id=\"{}-{year}\"><caption>{year}年度 {}\
         （括号内为排名）</caption><thead><tr>",
        anchor_of(scope),
        esc(scope.zh())
    );
    for (label, _) in headings(scope) {
        let _ = write!(s, "<th scope=\"col\">{label}</th>");
    }
    for view in &views {
        let _ = write!(s, "<th scope=\"col\">{}</th>", esc(&view.label()));
    }
    s.push_str("<th scope=\"col\">数据来源</th></tr></thead><tbody>");
    for r in rows.iter().filter(|r| r.year == year) {
        s.push_str("<tr>");
        for (k, (_, text)) in headings(scope).iter().enumerate() {
            let cell = if k == 0 && !r.source_url.is_empty() {
                link(&r.source_url, &text(r))
            } else {
                esc(&text(r))
            };
            let _ = write!(s, "<th scope=\"row\">{cell}</th>");
        }
        s.push_str(&metric_cells(r, &views));
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div></section>");
    if scope.has_population() {
        let _ = write!(
            s,
            "<p class=\"lead\">{}</p>",
            esc(&census_note(site.options.population_source.as_deref()))
        );
    }
    site.page(Loc::Folder, &format!("{year}年度 {}", scope.zh()), &s)
}
