//! The coverage table → the report's 覆盖情况 section: a city × year grid of the city
//! governments' reports (found, or why not), then every other report that gave no values.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use super::html::{esc, link};
use crate::aggregate::coverage::{CoverageRow, Status};
use crate::aggregate::Level;

/// The section; empty when the tables carry no coverage (an output set from before it existed).
pub(super) fn section(rows: &[CoverageRow]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let gov: Vec<&CoverageRow> = rows
        .iter()
        .filter(|r| r.level == Level::CityGovernment)
        .collect();
    let years: BTreeSet<i32> = gov.iter().filter_map(|r| r.year).collect();
    // City-year → the best status among its rows (found wins), with the reason.
    let mut grid: BTreeMap<(&str, &str), BTreeMap<i32, &CoverageRow>> = BTreeMap::new();
    for r in &gov {
        let Some(year) = r.year else { continue };
        let cell = grid
            .entry((r.adcode.as_str(), r.city.as_str()))
            .or_default();
        match cell.get(&year) {
            Some(old) if old.status <= r.status => {}
            _ => {
                cell.insert(year, r);
            }
        }
    }
    let mut s = String::from(
        "<section id=\"coverage\"><h2>覆盖情况</h2><p>每市每年市政府本级年报是否取得；\
         未取得的写明原因（扫描件、抓取失败、被拒绝访问、未找到……）。完整清单见 coverage.csv。</p>\
         <div class=\"scroll\"><table class=\"coverage\"><thead><tr><th scope=\"col\">城市</th>",
    );
    for y in &years {
        let _ = write!(s, "<th scope=\"col\">{y}</th>");
    }
    s.push_str("</tr></thead><tbody>");
    for ((_, city), cells) in &grid {
        let _ = write!(s, "<tr><th scope=\"row\">{}</th>", esc(city));
        for y in &years {
            match cells.get(y) {
                Some(r) => {
                    let class = if r.status == Status::Found {
                        "ok"
                    } else {
                        "missing"
                    };
                    let _ = write!(
                        s,
                        "<td class=\"cov {class}\" title=\"{}\">{}</td>",
                        esc(&r.reason),
                        esc(r.status.label())
                    );
                }
                None => s.push_str("<td class=\"cov none\">—</td>"),
            }
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>");
    let lost: Vec<&CoverageRow> = rows
        .iter()
        .filter(|r| r.level != Level::CityGovernment && r.status != Status::Found)
        .collect();
    if !lost.is_empty() {
        s.push_str("<h3>其他机关未取得数据的年报</h3><ul class=\"lost\">");
        for r in lost {
            let year = r
                .year
                .map_or_else(|| "年度不详".to_string(), |y| format!("{y}年"));
            let body = r.body.as_deref().unwrap_or(r.level.as_str());
            let _ = write!(
                s,
                "<li>{} {} {}：{} — {}</li>",
                esc(&r.city),
                esc(body),
                year,
                esc(r.status.label()),
                link(&r.url, &r.reason)
            );
        }
        s.push_str("</ul>");
    }
    s.push_str("</section>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(city: &str, year: i32, level: Level, status: Status) -> CoverageRow {
        CoverageRow {
            city: city.into(),
            adcode: "450800".into(),
            level,
            body: None,
            year: Some(year),
            status,
            reason: format!("why {year}"),
            report_id: None,
            url: "http://x/".into(),
        }
    }

    #[test]
    fn the_grid_names_why_a_city_year_is_missing() {
        let html = section(&[
            row("贵港市", 2021, Level::CityGovernment, Status::Found),
            row("贵港市", 2022, Level::CityGovernment, Status::Scan),
            row("贵港市", 2022, Level::CityDepartment, Status::Blocked),
        ]);
        assert!(html.contains("<th scope=\"col\">2022</th>"));
        assert!(
            html.contains("title=\"why 2022\">扫描件（需 OCR）</td>"),
            "{html}"
        );
        assert!(html.contains("其他机关未取得数据的年报"));
        assert!(html.contains("被拒绝访问"));
    }

    #[test]
    fn no_coverage_no_section() {
        assert_eq!(section(&[]), "");
    }
}
