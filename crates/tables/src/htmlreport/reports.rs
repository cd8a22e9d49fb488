//! `reports`, `cells` and `findings` → an index of them by report and city, for the city and
//! report pages: each report's cells and findings, each city's reports (latest year first,
//! the city government's own first) and each report's page name. Pure.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::html::anchor;
use crate::aggregate::{CellRow, ReportRow, Tables};
use nianbao_model::report::{Finding, Severity};

/// The tables indexed for the city sections.
pub(super) struct Index<'a> {
    pub tables: &'a Tables,
    /// adcode → report indices, latest year first, the city government's own report first.
    cities: BTreeMap<&'a str, Vec<usize>>,
    /// Per report: its cells by (table, row, column).
    pub cells: Vec<HashMap<(&'static str, &'static str, &'static str), &'a CellRow>>,
    /// Per report: its findings.
    pub findings: Vec<Vec<&'a Finding>>,
    /// Each report's page, e.g. `r-450100-2024-1.html` (the city's reports of a year in the
    /// order above, numbered from 1).
    pub pages: Vec<String>,
}

impl<'a> Index<'a> {
    pub(super) fn new(tables: &'a Tables) -> Index<'a> {
        let n = tables.reports.len();
        let mut cells = vec![HashMap::new(); n];
        for c in &tables.cells {
            if let Some(map) = cells.get_mut(c.report()) {
                let d = c.def();
                map.insert((d.table, d.row, d.column), c);
            }
        }
        let mut findings = vec![Vec::new(); n];
        for f in &tables.findings {
            if let Some(list) = findings.get_mut(f.report) {
                list.push(&f.finding);
            }
        }
        let mut cities: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, r) in tables.reports.iter().enumerate() {
            cities.entry(&r.meta.adcode).or_default().push(i);
        }
        for list in cities.values_mut() {
            list.sort_by_key(|&i| {
                let r = &tables.reports[i];
                (
                    std::cmp::Reverse(r.year),
                    !r.meta.is_city_government(),
                    r.meta.url.clone(),
                )
            });
        }
        let mut pages = vec![String::new(); n];
        for (adcode, list) in &cities {
            let mut last: Option<Option<i32>> = None;
            let mut k = 0;
            for &i in list {
                let year = tables.reports[i].year;
                k = if last == Some(year) { k + 1 } else { 1 };
                last = Some(year);
                let y = year.map_or("none".to_string(), |y| y.to_string());
                pages[i] = format!("{}.html", anchor(&["r", adcode, &y, &k.to_string()]));
            }
        }
        Index {
            tables,
            cities,
            cells,
            findings,
            pages,
        }
    }

    /// Report `i`.
    pub(super) fn report(&self, i: usize) -> &'a ReportRow {
        &self.tables.reports[i]
    }

    /// The city's name, as its reports give it.
    pub(super) fn city_name(&self, adcode: &str) -> &'a str {
        self.cities
            .get(adcode)
            .and_then(|l| l.first())
            .map_or("", |&i| self.report(i).meta.city.as_str())
    }

    /// Every year of a report, earliest first.
    pub(super) fn years(&self) -> Vec<i32> {
        let years: BTreeSet<i32> = self.tables.reports.iter().filter_map(|r| r.year).collect();
        years.into_iter().collect()
    }

    /// The reports of a city in one year (`None`: no year could be read).
    pub(super) fn reports_of(&self, adcode: &str, year: Option<i32>) -> Vec<usize> {
        self.cities.get(adcode).map_or(Vec::new(), |l| {
            l.iter()
                .copied()
                .filter(|&i| self.report(i).year == year)
                .collect()
        })
    }

    /// The findings of `reports` by severity: errors, warnings, infos.
    pub(super) fn severity_counts(&self, reports: &[usize]) -> [usize; 3] {
        let mut c = [0; 3];
        for &i in reports {
            for f in &self.findings[i] {
                c[match f.severity {
                    Severity::Error => 0,
                    Severity::Warning => 1,
                    Severity::Info => 2,
                }] += 1;
            }
        }
        c
    }

    /// The reports of a city, latest year first.
    pub(super) fn reports_of_city(&self, adcode: &str) -> Vec<usize> {
        self.cities.get(adcode).cloned().unwrap_or_default()
    }

    /// Sorted city adcodes with their names.
    pub(super) fn cities(&self) -> Vec<(&'a str, &'a str)> {
        self.cities
            .keys()
            .map(|a| (*a, self.city_name(a)))
            .collect()
    }
}
