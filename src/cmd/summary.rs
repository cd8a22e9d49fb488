//! What an aggregation did → its run summary on stderr: as lines for people, or as one JSON
//! object (`--log-format json`). Counts are of what happened: the files on disk, the copies
//! dropped, the city-years without a comparison row, the attachments that are scans.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::Path;

use serde_json::{json, Value};

use crate::pipeline::{self, Scan};
use nianbao_tables::aggregate::{coverage, severity_counts, Tables};

/// Everything the summary reports.
pub(crate) struct RunSummary<'a> {
    /// The output folder.
    pub out: &'a Path,
    /// The tables written.
    pub tables: &'a Tables,
    /// Report pages read.
    pub pages: usize,
    /// Attachments of those pages.
    pub attachments: usize,
    /// Inputs that could not be read, each `URL: reason`.
    pub failures: &'a [String],
    /// Of those, records that could not be read from the archive.
    pub unreadable: usize,
    /// Attachments that are scans.
    pub scans: &'a [Scan],
    /// Files written into the output set.
    pub files: usize,
}

impl RunSummary<'_> {
    /// The years of the comparison.
    fn years(&self) -> BTreeSet<i32> {
        self.tables.comparison.iter().map(|r| r.year).collect()
    }

    /// The city-years without the city government's report, each with why (from the
    /// `coverage` table: a scan, a failed fetch, not found, …).
    fn missing_city_years(&self) -> Vec<String> {
        coverage::missing(&self.tables.coverage)
            .into_iter()
            .map(|(city, year, status)| format!("{city} {year} ({})", status.label()))
            .collect()
    }

    fn synthetic(&self) -> usize {
        self.tables
            .reports
            .iter()
            .filter(|r| r.meta.data_origin == pipeline::SYNTHETIC)
            .count()
    }

    /// The summary as lines for people, each starting `nianbao: `.
    pub(crate) fn to_text(&self) -> String {
        let t = self.tables;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "nianbao: {} and {} read; {} kept ({} dropped)",
            plural(self.pages, "report page", "report pages"),
            plural(self.attachments, "attachment", "attachments"),
            plural(t.reports.len(), "report", "reports"),
            plural(t.duplicates, "copy", "copies")
        );
        let years = self.years();
        let missing = self.missing_city_years();
        let _ = writeln!(
            s,
            "nianbao: {} for {}; {}",
            plural(
                t.comparison.len(),
                "city × year comparison row",
                "city × year comparison rows"
            ),
            years_text(&years),
            match missing.len() {
                0 => "no city-year missing".to_string(),
                n => format!(
                    "{} without the city government's report (see coverage.csv): {}",
                    plural(n, "city-year", "city-years"),
                    shortened(&missing, 10)
                ),
            }
        );
        let (errors, warnings, infos) = severity_counts(&t.findings);
        let _ = writeln!(
            s,
            "nianbao: findings: {}, {}, {infos} info",
            plural(errors, "error", "errors"),
            plural(warnings, "warning", "warnings")
        );
        if !self.scans.is_empty() {
            let _ = writeln!(
                s,
                "nianbao: {} could not be read: scans (images without a text layer) that need OCR:",
                plural(self.scans.len(), "attachment", "attachments")
            );
            for scan in self.scans {
                let _ = writeln!(s, "  {} ({})", scan.url, scan_owner(scan));
            }
        }
        let synthetic = self.synthetic();
        if synthetic > 0 {
            let _ = writeln!(
                s,
                "nianbao: {} SYNTHETIC DEMO figures (data_origin = {})",
                plural(synthetic, "report carries", "reports carry"),
                pipeline::SYNTHETIC
            );
        }
        for f in self.failures {
            let _ = writeln!(s, "nianbao: not read: {f}");
        }
        if !self.failures.is_empty() {
            let _ = writeln!(
                s,
                "nianbao: PARTIAL: {} not read ({}); the tables leave them out (exit 1)",
                plural(self.failures.len(), "input", "inputs"),
                plural(self.unreadable, "unreadable record", "unreadable records")
            );
        }
        let _ = writeln!(
            s,
            "nianbao: wrote {} into {}",
            plural(self.files, "file", "files"),
            self.out.display()
        );
        s
    }

    /// The summary as one JSON object (its keys are stable; new ones may be added).
    pub(crate) fn to_json(&self) -> Value {
        let t = self.tables;
        let (errors, warnings, infos) = severity_counts(&t.findings);
        json!({
            "out": self.out.display().to_string(),
            "report_pages": self.pages,
            "attachments": self.attachments,
            "reports": t.reports.len(),
            "duplicates_dropped": t.duplicates,
            "unreadable": self.failures,
            "unreadable_records": self.unreadable,
            "partial": !self.failures.is_empty(),
            "comparison_rows": t.comparison.len(),
            "years": self.years(),
            "missing_city_years": self.missing_city_years(),
            "findings": {"error": errors, "warning": warnings, "info": infos},
            "scans": self.scans.iter().map(|s| json!({
                "url": s.url,
                "city": s.city,
                "body": s.body,
                "year": s.year,
            })).collect::<Vec<_>>(),
            "synthetic_demo_reports": self.synthetic(),
            "files": self.files,
        })
    }
}

/// `1 copy`, `2 copies`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `2019–2024` for consecutive years, else the years listed; `no year` for none.
pub(crate) fn years_text(years: &BTreeSet<i32>) -> String {
    match (years.first(), years.last()) {
        (None, _) | (_, None) => "no year".to_string(),
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) if usize::try_from(b - a).ok() == Some(years.len() - 1) => {
            format!("{a}–{b}")
        }
        _ => years
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The first `n` items, then how many more.
fn shortened(items: &[String], n: usize) -> String {
    let mut s = items[..items.len().min(n)].join(", ");
    if items.len() > n {
        let _ = write!(s, " and {} more", items.len() - n);
    }
    s
}

/// Whose report links a scan: `梧州市审计局 2023`.
fn scan_owner(scan: &Scan) -> String {
    let body = scan.body.as_deref().unwrap_or(&scan.city);
    match scan.year {
        Some(y) => format!("{body} {y}"),
        None => body.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(plural(1, "copy", "copies"), "1 copy");
        assert_eq!(plural(0, "copy", "copies"), "0 copies");
        assert_eq!(plural(2, "file", "files"), "2 files");
    }

    #[test]
    fn years_read_as_a_range_or_a_list() {
        let set = |v: &[i32]| v.iter().copied().collect::<BTreeSet<i32>>();
        assert_eq!(years_text(&set(&[2019, 2020, 2021])), "2019–2021");
        assert_eq!(years_text(&set(&[2019, 2021])), "2019, 2021");
        assert_eq!(years_text(&set(&[2023])), "2023");
        assert_eq!(years_text(&set(&[])), "no year");
    }

    #[test]
    fn missing_city_years_come_from_the_coverage_table_with_their_reason() {
        use nianbao_tables::aggregate::coverage::{CoverageRow, Status};
        use nianbao_tables::aggregate::{ComparisonRow, Level};
        let row = |adcode: &str, year| ComparisonRow {
            year,
            city: adcode.into(),
            adcode: adcode.into(),
            ..ComparisonRow::default()
        };
        let cov = |city: &str, year, status| CoverageRow {
            city: city.into(),
            adcode: String::new(),
            level: Level::CityGovernment,
            body: None,
            year: Some(year),
            status,
            reason: String::new(),
            report_id: None,
            url: String::new(),
        };
        let tables = Tables {
            comparison: vec![row("1", 2019), row("1", 2021), row("2", 2020)],
            coverage: vec![
                cov("甲市", 2019, Status::Found),
                cov("乙市", 2019, Status::NotFound),
                cov("甲市", 2020, Status::Scan),
                cov("乙市", 2020, Status::Found),
                cov("甲市", 2021, Status::Found),
                cov("乙市", 2021, Status::Blocked),
            ],
            ..Tables::default()
        };
        let summary = RunSummary {
            out: Path::new("out"),
            tables: &tables,
            pages: 3,
            attachments: 1,
            failures: &[],
            unreadable: 0,
            scans: &[],
            files: 22,
        };
        assert_eq!(
            summary.missing_city_years(),
            [
                "乙市 2019 (未找到)",
                "甲市 2020 (扫描件（需 OCR）)",
                "乙市 2021 (被拒绝访问)"
            ]
        );
        let text = summary.to_text();
        assert!(
            text.contains("3 city-years without the city government"),
            "{text}"
        );
        assert!(text.contains("for 2019–2021"), "{text}");
        assert!(text.contains("wrote 22 files into out"), "{text}");
        assert!(text.contains("(0 copies dropped)"), "{text}");
    }
}
