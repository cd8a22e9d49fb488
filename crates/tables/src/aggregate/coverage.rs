//! The aggregated reports (with their findings), the report pages the crawl found but never
//! captured, the configured cities and the years asked for → the `coverage` table: for every
//! city and year, whether the city government's report is in the tables and, when it is not,
//! why; and a row for every other body's report found or lost. Nothing goes missing in silence:
//! a city-year without a report gets a row that says `not_found`.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;

use super::{City, FindingRow, Level, ReportRow, Tables};

/// Why a city or body has (or has no) report for a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// The report's tables are in the outputs.
    Found,
    /// The report is a scan (images without text): it needs OCR, so no values.
    Scan,
    /// The archived record could not be read, or did not match its digest.
    Unreadable,
    /// The page or attachment was captured but could not be parsed as a report.
    Failed,
    /// Captured, but no table of the template was found in it (a notice, an index page).
    NotAReport,
    /// The crawl could not fetch it (an HTTP error, a redirect loop, a body over the cap).
    FetchFailed,
    /// robots.txt or an anti-bot page kept the crawl out.
    Blocked,
    /// Still waiting: its host did not answer (unreachable) or its robots.txt could not be
    /// read in the last run; the next run tries again.
    Pending,
    /// No report for this year was found on the portal (list pages and site search).
    NotFound,
}

impl Status {
    /// The value of the `status` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Found => "found",
            Status::Scan => "scan",
            Status::Unreadable => "unreadable",
            Status::Failed => "failed",
            Status::NotAReport => "not_a_report",
            Status::FetchFailed => "fetch_failed",
            Status::Blocked => "blocked",
            Status::Pending => "pending",
            Status::NotFound => "not_found",
        }
    }

    /// Chinese label for the workbook and the HTML report.
    pub fn label(self) -> &'static str {
        match self {
            Status::Found => "已取得",
            Status::Scan => "扫描件（需 OCR）",
            Status::Unreadable => "存档记录无法读取",
            Status::Failed => "无法解析",
            Status::NotAReport => "非年报页面",
            Status::FetchFailed => "抓取失败",
            Status::Blocked => "被拒绝访问",
            Status::Pending => "待抓取（主机无响应）",
            Status::NotFound => "未找到",
        }
    }

    /// Every status, in the order of the enum.
    pub const ALL: [Status; 9] = [
        Status::Found,
        Status::Scan,
        Status::Unreadable,
        Status::Failed,
        Status::NotAReport,
        Status::FetchFailed,
        Status::Blocked,
        Status::Pending,
        Status::NotFound,
    ];

    /// The status whose key is `s`.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The status of a crawl row without a capture (`pending`, `failed`, `blocked`,
    /// `skipped`).
    pub fn of_crawl(status: &str) -> Status {
        match status {
            "pending" => Status::Pending,
            "blocked" => Status::Blocked,
            _ => Status::FetchFailed,
        }
    }
}

/// A report page the crawl found but has no capture of (from the archive's state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uncaptured {
    /// The city whose crawl found it.
    pub city: String,
    /// The body its link names, if any.
    pub body: Option<String>,
    /// Its level of government (from the body's name).
    pub level: Level,
    /// The year its link names, if any.
    pub year: Option<i32>,
    /// The page's URL.
    pub url: String,
    /// Why it has no capture.
    pub status: Status,
    /// The crawl's note (its error, the HTTP status).
    pub reason: String,
}

/// One row of `coverage`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageRow {
    /// The city, as the config names it.
    pub city: String,
    /// The city's administrative code; empty when it is not in the config.
    pub adcode: String,
    /// The level of government of the body.
    pub level: Level,
    /// The body, as the report (or its link) names it; `None` when unnamed.
    pub body: Option<String>,
    /// The year; `None` when neither the report nor its link says.
    pub year: Option<i32>,
    /// What became of the report.
    pub status: Status,
    /// Why, in words (the finding's or crawl's message; empty for a plain `found`).
    pub reason: String,
    /// The report's id in the other tables; `None` when no report row exists.
    pub report_id: Option<String>,
    /// The report page's or attachment's URL; empty for `not_found`.
    pub url: String,
}

/// The coverage of an aggregation: one row per configured city × year in `years` (the city
/// government's report or why there is none), then one row per other report and per uncaptured
/// report page. Sorted by city code, year, level, body, URL.
pub fn coverage(
    tables: &Tables,
    uncaptured: &[Uncaptured],
    cities: &[City],
    years: &RangeInclusive<i32>,
) -> Vec<CoverageRow> {
    let adcode_of = |city: &str| {
        cities
            .iter()
            .find(|c| c.name == city)
            .map_or_else(String::new, |c| c.adcode.clone())
    };
    let mut rows: Vec<CoverageRow> = Vec::new();
    let findings = findings_by_report(&tables.findings);
    for (i, r) in tables.reports.iter().enumerate() {
        let (status, reason) = report_status(r, findings.get(&i).map_or(&[][..], Vec::as_slice));
        rows.push(CoverageRow {
            city: r.meta.city.clone(),
            adcode: r.meta.adcode.clone(),
            level: r.meta.level,
            body: r.body.clone(),
            year: r.year,
            status,
            reason,
            report_id: Some(r.meta.report_id.clone()),
            url: r.meta.url.clone(),
        });
    }
    rows.extend(uncaptured.iter().map(|u| CoverageRow {
        city: u.city.clone(),
        adcode: adcode_of(&u.city),
        level: u.level,
        body: u.body.clone(),
        year: u.year,
        status: u.status,
        reason: u.reason.clone(),
        report_id: None,
        url: u.url.clone(),
    }));
    // Every configured city-year has a city-government row; the ones with none yet say so.
    let covered: BTreeSet<(String, i32)> = rows
        .iter()
        .filter(|r| r.level == Level::CityGovernment)
        .filter_map(|r| Some((r.city.clone(), r.year?)))
        .collect();
    for city in cities {
        for year in years.clone() {
            if !covered.contains(&(city.name.clone(), year)) {
                rows.push(CoverageRow {
                    city: city.name.clone(),
                    adcode: city.adcode.clone(),
                    level: Level::CityGovernment,
                    body: None,
                    year: Some(year),
                    status: Status::NotFound,
                    reason: "no report of the city government for this year in the archive \
                             (not on the list pages or in the site search that were crawled)"
                        .into(),
                    report_id: None,
                    url: String::new(),
                });
            }
        }
    }
    rows.sort_by(|a, b| {
        (&a.adcode, &a.city, a.year, a.level, &a.body, &a.url)
            .cmp(&(&b.adcode, &b.city, b.year, b.level, &b.body, &b.url))
    });
    rows
}

fn findings_by_report(findings: &[FindingRow]) -> BTreeMap<usize, Vec<&FindingRow>> {
    let mut by: BTreeMap<usize, Vec<&FindingRow>> = BTreeMap::new();
    for f in findings {
        by.entry(f.report).or_default().push(f);
    }
    by
}

/// A report row's status: `found` when any table was read, else what its findings say.
fn report_status(r: &ReportRow, findings: &[&FindingRow]) -> (Status, String) {
    let message = |rule: &str| {
        findings
            .iter()
            .filter(|f| f.finding.rule == rule)
            .map(|f| f.finding.message.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    if !r.tables_read.is_empty() {
        // A report read from the last good capture of a page the portal removed says so.
        return (Status::Found, message("P-REMOVED"));
    }
    for (rule, status) in [
        ("P-UNREADABLE", Status::Unreadable),
        ("P-SCAN", Status::Scan),
        ("P-PARSE", Status::Failed),
    ] {
        let m = message(rule);
        if !m.is_empty() {
            return (status, m);
        }
    }
    (
        Status::NotAReport,
        "captured, but none of tables 二, 三 and 四 was found in it".into(),
    )
}

/// The city governments' rows of `coverage` as the comparison stage's coverage frame
/// ([`super::Options::coverage`]): `city`, `year`, `status`, `reason`, one row per city-year,
/// the best status first (a city-year with a report found and a copy lost is `found`).
pub fn city_frame(
    coverage: &[CoverageRow],
) -> polars::prelude::PolarsResult<polars::prelude::DataFrame> {
    use polars::prelude::*;
    let mut rows: Vec<&CoverageRow> = coverage
        .iter()
        .filter(|r| r.level == Level::CityGovernment && r.year.is_some())
        .collect();
    rows.sort_by(|a, b| (&a.city, a.year, a.status).cmp(&(&b.city, b.year, b.status)));
    rows.dedup_by(|b, a| a.city == b.city && a.year == b.year);
    DataFrame::new(
        rows.len(),
        vec![
            Column::new(
                "city".into(),
                rows.iter().map(|r| r.city.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                "year".into(),
                rows.iter()
                    .map(|r| r.year.map(i64::from))
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "status".into(),
                rows.iter().map(|r| r.status.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                "reason".into(),
                rows.iter().map(|r| r.reason.as_str()).collect::<Vec<_>>(),
            ),
        ],
    )
}

/// The city-years of `coverage` whose city government has no report in the tables:
/// `(city, year, status)`, for the run summary.
pub fn missing(coverage: &[CoverageRow]) -> Vec<(&str, i32, Status)> {
    let found: BTreeSet<(&str, i32)> = coverage
        .iter()
        .filter(|r| r.level == Level::CityGovernment && r.status == Status::Found)
        .filter_map(|r| Some((r.city.as_str(), r.year?)))
        .collect();
    let mut out: Vec<(&str, i32, Status)> = Vec::new();
    for r in coverage
        .iter()
        .filter(|r| r.level == Level::CityGovernment && r.status != Status::Found)
    {
        let Some(year) = r.year else { continue };
        if found.contains(&(r.city.as_str(), year))
            || out.iter().any(|(c, y, _)| *c == r.city && *y == year)
        {
            continue;
        }
        out.push((r.city.as_str(), year, r.status));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::SourceMeta;
    use nianbao_model::report::{Finding, Severity};

    fn report(city: &str, year: i32, tables: &str, level: Level) -> ReportRow {
        ReportRow {
            meta: SourceMeta {
                city: city.into(),
                adcode: "450800".into(),
                report_id: format!("{city}-{year}"),
                level,
                url: format!("http://x/{city}/{year}"),
                ..SourceMeta::default()
            },
            body: None,
            year: Some(year),
            template: None,
            tables_read: tables.into(),
            errors: 0,
            warnings: 0,
            infos: 0,
            encoding: None,
            in_comparison: !tables.is_empty(),
            printed: Vec::new(),
            printed_known: false,
            corrected: Vec::new(),
            ocr: Vec::new(),
        }
    }

    fn city(name: &str) -> City {
        City {
            name: name.into(),
            adcode: "450800".into(),
            population: None,
            population_source: None,
        }
    }

    #[test]
    fn every_city_year_has_a_row_and_the_missing_say_why() {
        let mut tables = Tables::default();
        tables
            .reports
            .push(report("贵港市", 2021, "二,三,四", Level::CityGovernment));
        tables
            .reports
            .push(report("贵港市", 2022, "", Level::CityGovernment));
        tables.findings.push(FindingRow {
            report: 1,
            finding: Finding::new("P-SCAN", Severity::Warning, "a scan", "扫描件"),
        });
        let lost = Uncaptured {
            city: "贵港市".into(),
            body: None,
            level: Level::CityGovernment,
            year: Some(2023),
            url: "http://x/2023".into(),
            status: Status::Blocked,
            reason: "robots.txt disallows it".into(),
        };
        let rows = coverage(&tables, &[lost], &[city("贵港市")], &(2021..=2024));
        let status: Vec<(Option<i32>, Status)> = rows.iter().map(|r| (r.year, r.status)).collect();
        assert_eq!(
            status,
            [
                (Some(2021), Status::Found),
                (Some(2022), Status::Scan),
                (Some(2023), Status::Blocked),
                (Some(2024), Status::NotFound),
            ]
        );
        assert_eq!(rows[1].reason, "a scan");
        let missing = missing(&rows);
        assert_eq!(
            missing,
            [
                ("贵港市", 2022, Status::Scan),
                ("贵港市", 2023, Status::Blocked),
                ("贵港市", 2024, Status::NotFound),
            ]
        );
    }

    #[test]
    fn a_department_report_does_not_cover_its_city() {
        let mut tables = Tables::default();
        tables
            .reports
            .push(report("贵港市", 2021, "二,三,四", Level::CityDepartment));
        let rows = coverage(&tables, &[], &[city("贵港市")], &(2021..=2021));
        assert_eq!(rows.len(), 2);
        assert!(rows
            .iter()
            .any(|r| r.level == Level::CityGovernment && r.status == Status::NotFound));
    }

    #[test]
    fn a_page_without_tables_or_findings_is_not_a_report() {
        let mut tables = Tables::default();
        tables
            .reports
            .push(report("贵港市", 2021, "", Level::Other));
        let rows = coverage(&tables, &[], &[], &(2021..=2021));
        assert_eq!(rows[0].status, Status::NotAReport);
    }
}
