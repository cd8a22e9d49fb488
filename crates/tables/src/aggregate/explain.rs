//! What an aggregation decided, in words for `nianbao --debug aggregate`: the inputs it
//! dropped as copies (and of which report), and the reports it kept but left out of the city
//! comparison (a page that is not a report, a department's report, a second report of the
//! city government). Input: the inputs' keys taken before [`super::aggregate`] and the
//! [`Tables`] it returned; output: one line per decision. Reads only.

use std::collections::HashMap;

use super::{Input, ReportRow, Tables};

/// What identifies an input, kept before aggregation consumes the inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputKey {
    /// The capture the values were printed in.
    pub url: String,
    /// SHA-256 of its payload.
    pub sha256: String,
    /// The city it was harvested for.
    pub city: String,
    /// The body the report names.
    pub body: Option<String>,
    /// The report's year.
    pub year: Option<i32>,
}

/// The keys of `inputs`, in order.
pub fn input_keys(inputs: &[Input]) -> Vec<InputKey> {
    inputs
        .iter()
        .map(|i| InputKey {
            url: i.meta.url.clone(),
            sha256: i.meta.sha256.clone(),
            city: i.meta.city.clone(),
            body: i.report.body.clone(),
            year: i.report.year,
        })
        .collect()
}

/// One line per decision: every input that is not among `tables.reports` (dropped as a copy,
/// with the report it copies and why it counts as one), then every report kept but not
/// compared, with the reason.
pub fn decisions(before: &[InputKey], tables: &Tables) -> Vec<String> {
    let mut out = Vec::new();
    let mut kept: HashMap<(&str, &str), usize> = HashMap::new();
    for r in &tables.reports {
        *kept
            .entry((r.meta.url.as_str(), r.meta.sha256.as_str()))
            .or_default() += 1;
    }
    for key in before {
        match kept.get_mut(&(key.url.as_str(), key.sha256.as_str())) {
            Some(n) if *n > 0 => *n -= 1,
            _ => out.push(dropped(key, &tables.reports)),
        }
    }
    for (i, r) in tables.reports.iter().enumerate() {
        if !r.in_comparison {
            out.push(not_compared(i, r, &tables.reports));
        }
    }
    out
}

/// Why a dropped input counts as a copy: the kept report with its bytes, else the one with
/// its body and year (then its values are the same: the only other reason to drop one).
fn dropped(key: &InputKey, reports: &[ReportRow]) -> String {
    let same_bytes = reports
        .iter()
        .find(|r| !key.sha256.is_empty() && r.meta.sha256 == key.sha256);
    let same_report = || {
        reports
            .iter()
            .find(|r| r.meta.city == key.city && r.body == key.body && r.year == key.year)
    };
    match (same_bytes, same_report()) {
        (Some(r), _) => format!(
            "{} dropped as a copy of {} (the same bytes, SHA-256 {})",
            key.url,
            r.meta.url,
            short(&key.sha256)
        ),
        (None, Some(r)) => format!(
            "{} dropped as a copy of {} (the same body, year and values)",
            key.url, r.meta.url
        ),
        (None, None) => format!("{} dropped as a copy", key.url),
    }
}

/// Why a kept report is not in the comparison of its city and year.
fn not_compared(i: usize, r: &ReportRow, reports: &[ReportRow]) -> String {
    let who = format!(
        "{} {} {}",
        r.meta.city,
        r.year
            .map_or("(year unknown)".to_string(), |y| y.to_string()),
        r.body.as_deref().unwrap_or("(no body named)")
    );
    let has_table3 = r.tables_read.split(',').any(|t| t == "三");
    let why = if r.tables_read.is_empty() && r.year.is_none() && r.body.is_none() {
        "no table, no year, no body: a page that is not a report, kept in reports".to_string()
    } else if r.tables_read.is_empty() {
        "no table could be read (its findings say why, e.g. an attachment that is a scan)"
            .to_string()
    } else if r.year.is_none() {
        "its year is unknown".to_string()
    } else if !r.meta.is_city_government() {
        "not the city government's own report".to_string()
    } else if !has_table3 {
        "the city government's report has no table 三".to_string()
    } else {
        let chosen = reports.iter().enumerate().find(|(k, o)| {
            *k != i && o.in_comparison && o.meta.adcode == r.meta.adcode && o.year == r.year
        });
        match chosen {
            Some((_, o)) => format!(
                "another report of the city government was compared ({}, the first by URL)",
                o.meta.url
            ),
            None => "not chosen".to_string(),
        }
    };
    format!("{who} ({}) not compared: {why}", r.meta.url)
}

fn short(sha256: &str) -> &str {
    sha256.get(..12).unwrap_or(sha256)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::{aggregate, SourceMeta};
    use nianbao_model::report::{Num, Report, Table3};

    fn input(url: &str, sha: &str, body: &str, gov: bool, tables: bool) -> Input {
        let meta = SourceMeta {
            city: "某市".into(),
            adcode: "450000".into(),
            level: if gov {
                crate::bodies::Level::CityGovernment
            } else {
                crate::bodies::Level::CityDepartment
            },
            url: url.into(),
            sha256: sha.into(),
            ..SourceMeta::default()
        };
        let report = Report {
            year: tables.then_some(2021),
            body: tables.then(|| body.to_string()),
            table3: tables.then_some([[Some(Num::Int(1)); 7]; 26] as Table3),
            ..Report::default()
        };
        Input::new(meta, report)
    }

    #[test]
    fn copies_and_reports_left_out_of_the_comparison_are_explained() {
        let inputs = vec![
            input("http://x/a", "aa", "某市人民政府", true, true),
            input("http://x/copy", "aa", "某市人民政府", true, true),
            input("http://x/b", "bb", "某市财政局", false, true),
            input("http://x/notice", "cc", "", false, false),
        ];
        let keys = input_keys(&inputs);
        let tables =
            aggregate(inputs, &[], &crate::aggregate::Options::default()).expect("aggregate");
        let lines = decisions(&keys, &tables);
        let all = lines.join("\n");
        assert!(
            all.contains("http://x/copy dropped as a copy of http://x/a (the same bytes"),
            "{all}"
        );
        assert!(
            all.contains("某市财政局 (http://x/b) not compared: not the city government's"),
            "{all}"
        );
        assert!(
            all.contains("(http://x/notice) not compared: no table, no year, no body"),
            "{all}"
        );
        assert_eq!(lines.len(), 3, "{all}");
    }
}
