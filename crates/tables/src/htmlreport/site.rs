//! The report's pages and what they share: file names and relative links (the index
//! `report.html` beside the folder `report/` of the other pages and `report/svg/` of the chart
//! files), the page shell (head with the CSP, heading, data-origin banner, navigation) and
//! the chart figure with its "save as SVG" link. Pure: pages are collected as [`Page`]s.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt::Write;

use super::chart;
use super::html::{anchor, esc};
use super::reports::Index;
use super::style::STYLE;
use super::{Options, Page};
use crate::aggregate::{ComparisonRow, Scope, Tables};

/// Where a page is, which decides its relative links: the index, or the pages folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Loc {
    /// The index page (`report.html`), beside the pages folder.
    Index,
    /// A page inside the pages folder.
    Folder,
}

/// The report being built: the tables, the names of its files, and the chart files collected.
pub(super) struct Site<'a> {
    pub tables: &'a Tables,
    pub options: &'a Options,
    /// The index page's file name, e.g. `report.html`.
    pub index: &'a str,
    /// The pages folder's name, e.g. `report`.
    pub dir: &'a str,
    pub ix: Index<'a>,
    /// The city governments' comparison years, latest first.
    pub years: Vec<i32>,
    svgs: RefCell<Vec<Page>>,
}

/// The data origin of published figures.
pub(super) const PUBLISHED: &str = "published";

/// The years of `rows`, latest first.
pub(super) fn years_desc(rows: &[ComparisonRow]) -> Vec<i32> {
    let years: BTreeSet<i32> = rows.iter().map(|r| r.year).collect();
    years.into_iter().rev().collect()
}

/// The census note (plain text): where the populations come from, as the config cites it.
pub(super) fn census_note(source: Option<&str>) -> String {
    match source {
        Some(s) => format!("常住人口来源：{s}（城市配置 [census]）。"),
        None => "常住人口取自城市配置（城市配置未注明来源）。".to_string(),
    }
}

/// The pages of a level (and the short key used in file names and ids).
pub(super) fn level_key(scope: Scope) -> &'static str {
    match scope {
        Scope::CityGovernments => "cities",
        Scope::Departments => "departments",
        Scope::Counties => "counties",
        Scope::CityTotals => "city-totals",
    }
}

/// The page of a level's year, e.g. `cities-2024.html`.
pub(super) fn level_page(scope: Scope, year: i32) -> String {
    format!("{}-{year}.html", level_key(scope))
}

/// A city's page, e.g. `city-450100.html`.
pub(super) fn city_page(adcode: &str) -> String {
    format!("{}.html", anchor(&["city", adcode]))
}

/// The trends page of the city governments.
pub(super) const TRENDS_PAGE: &str = "trends.html";

/// The years of a level, latest first.
pub(super) fn scope_years(tables: &Tables, scope: Scope) -> Vec<i32> {
    years_desc(tables.compared(scope).0)
}

impl<'a> Site<'a> {
    pub(super) fn new(
        tables: &'a Tables,
        options: &'a Options,
        index: &'a str,
        dir: &'a str,
    ) -> Site<'a> {
        Site {
            tables,
            options,
            index,
            dir,
            ix: Index::new(tables),
            years: years_desc(&tables.comparison),
            svgs: RefCell::new(Vec::new()),
        }
    }

    /// The chart files collected so far, taken.
    pub(super) fn take_svgs(&self) -> Vec<Page> {
        std::mem::take(&mut self.svgs.borrow_mut())
    }

    /// A page of the folder as a [`Page`].
    pub(super) fn folder_page(&self, name: &str, html: String) -> Page {
        Page {
            path: format!("{}/{name}", self.dir),
            body: html,
        }
    }

    /// The link from a page at `loc` to the page `name` of the folder.
    pub(super) fn href(&self, loc: Loc, name: &str) -> String {
        match loc {
            Loc::Index => format!("{}/{name}", self.dir),
            Loc::Folder => name.to_string(),
        }
    }

    /// The link from a page at `loc` to the index (with `#fragment` when not empty).
    pub(super) fn home(&self, loc: Loc, fragment: &str) -> String {
        let base = match loc {
            Loc::Index => String::new(),
            Loc::Folder => format!("../{}", self.index),
        };
        if fragment.is_empty() && base.is_empty() {
            "#top".to_string()
        } else if fragment.is_empty() {
            base
        } else {
            format!("{base}#{fragment}")
        }
    }

    /// A chart in its figure: the SVG inline, a link to the same chart as a file of its own
    /// (written to `svg/KEY.svg`), and its numbers as a table under "数据表".
    pub(super) fn figure(
        &self,
        loc: Loc,
        key: &str,
        attrs: &str,
        svg: &str,
        table: &str,
    ) -> String {
        let file = format!("svg/{key}.svg");
        self.svgs.borrow_mut().push(Page {
            path: format!("{}/{file}", self.dir),
            body: chart::standalone(svg),
        });
        format!(
            "<figure class=\"fig\" id=\"{key}\"{attrs}>{svg}<p class=\"tools\">\
             <a class=\"save\" href=\"{}\" download=\"{key}.svg\" type=\"image/svg+xml\">\
             下载此图（SVG）</a></p><details><summary>数据表</summary>{table}</details></figure>",
            self.href(loc, &file)
        )
    }

    /// A whole page: head, heading, banner, navigation and `body` in `<main>`.
    pub(super) fn page(&self, loc: Loc, title: &str, body: &str) -> String {
        let full_title = if loc == Loc::Index {
            self.options.title.clone()
        } else {
            format!("{title} · {}", self.options.title)
        };
        let mut s = head(&full_title);
        s.push_str(&self.header(title));
        s.push_str(&origin_banner(self.tables, loc == Loc::Index));
        s.push_str(&self.nav(loc));
        let _ = writeln!(s, "<main>{body}</main></body></html>");
        s
    }

    fn header(&self, title: &str) -> String {
        let tables = self.tables;
        let cities: BTreeSet<&str> = tables
            .reports
            .iter()
            .map(|r| r.meta.adcode.as_str())
            .collect();
        let (e, w, _) = crate::aggregate::severity_counts(&tables.findings);
        let span = match (self.years.last(), self.years.first()) {
            (Some(a), Some(b)) if a != b => format!("{a}–{b} 年度"),
            (Some(a), _) => format!("{a} 年度"),
            _ => "无对比数据".to_string(),
        };
        let report = if title == self.options.title {
            String::new()
        } else {
            format!("{} · ", esc(&self.options.title))
        };
        format!(
            "<header class=\"top\" id=\"top\"><h1>{}</h1><p class=\"sub\">{report}{span} · {} 个城市 · \
             {} 份报告 · 检查发现 {e} 个错误、{w} 个警告</p></header>",
            esc(title),
            cities.len(),
            tables.reports.len(),
        )
    }

    /// Links to every kind of page: the index, each level's latest year, the trends, each
    /// city, and the notes.
    fn nav(&self, loc: Loc) -> String {
        let mut s = format!(
            "<nav><strong>目录</strong> <a href=\"{}\">总览</a>",
            self.home(loc, "")
        );
        for scope in Scope::ALL {
            if let Some(year) = scope_years(self.tables, scope).first() {
                let _ = write!(
                    s,
                    " <a href=\"{}\">{}</a>",
                    self.href(loc, &level_page(scope, *year)),
                    esc(scope.zh())
                );
            }
            if scope == Scope::CityGovernments && !self.years.is_empty() {
                let _ = write!(
                    s,
                    " <a href=\"{}\">历年趋势</a>",
                    self.href(loc, TRENDS_PAGE)
                );
            }
        }
        s.push_str(" <span class=\"cities\">各市：");
        for (adcode, city) in self.ix.cities() {
            let _ = write!(
                s,
                " <a href=\"{}\">{}</a>",
                self.href(loc, &city_page(adcode)),
                esc(city)
            );
        }
        let _ = write!(
            s,
            "</span> <a href=\"{}\">说明</a></nav>",
            self.home(loc, "method")
        );
        s
    }
}

const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"icon\" href=\"data:,\"><title>{}</title><style>{STYLE}{}</style></head><body>",
        esc(title),
        chart::CHART_STYLE
    )
}

/// A prominent notice when any data is synthetic; the index names the published rows, the
/// other pages say it in one line.
fn origin_banner(tables: &Tables, full: bool) -> String {
    let synthetic = tables
        .reports
        .iter()
        .filter(|r| r.meta.data_origin != PUBLISHED)
        .count();
    if synthetic == 0 {
        return "<div class=\"banner ok\" role=\"note\"><strong>数据来源：</strong>\
                本报告全部数据来自已公布的政府信息公开工作年度报告。</div>"
            .to_string();
    }
    if !full {
        return format!(
            "<div class=\"banner synthetic\" role=\"alert\"><strong>演示数据，不是真实统计。</strong>\
             {synthetic} / {} 份报告的数字为合成演示数据（synthetic-demo）；\
             ★ / <span class=\"badge published\">已公布</span> 标出已公布的真实数据。</div>",
            tables.reports.len()
        );
    }
    let published: Vec<String> = tables
        .comparison
        .iter()
        .filter(|r| r.data_origin == PUBLISHED)
        .map(|r| format!("{} {}年", esc(&r.city), r.year))
        .collect();
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

/// What a chart's data is, from the data origins of its rows (rows without a report have
/// none and are left out): published, synthetic demo, or a mix.
pub(super) fn data_status<'r>(origins: impl Iterator<Item = &'r str>) -> &'static str {
    let (mut real, mut demo) = (false, false);
    for o in origins.filter(|o| !o.is_empty()) {
        if o.contains("synthetic") {
            demo = true;
        }
        if o.split('+').any(|part| !part.contains("synthetic")) {
            real = true;
        }
    }
    match (real, demo) {
        (true, true) => "数据：合成演示数据，部分为已公布数据",
        (false, true) => "数据：合成演示数据，不是真实统计",
        (true, false) => "数据：已公布的年报",
        (false, false) => "数据：无",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_status_names_demo_data() {
        assert_eq!(
            data_status(["synthetic-demo", ""].into_iter()),
            "数据：合成演示数据，不是真实统计"
        );
        assert_eq!(data_status(["published"].into_iter()), "数据：已公布的年报");
        assert!(data_status(["published+synthetic-demo"].into_iter()).contains("部分为已公布"));
        assert!(data_status(["published", "synthetic-demo"].into_iter()).contains("部分为已公布"));
    }

    #[test]
    fn links_are_relative_to_the_page() {
        let t = Tables::default();
        let o = Options::default();
        let site = Site::new(&t, &o, "report.html", "report");
        assert_eq!(site.href(Loc::Index, "a.html"), "report/a.html");
        assert_eq!(site.href(Loc::Folder, "a.html"), "a.html");
        assert_eq!(site.home(Loc::Folder, "method"), "../report.html#method");
        assert_eq!(site.home(Loc::Index, "method"), "#method");
    }
}
