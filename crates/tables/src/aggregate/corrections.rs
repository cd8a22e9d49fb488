//! A corrections file (TOML or CSV: report, cell, value, reason, who, date) → single values of
//! parsed reports replaced before aggregation, each with a `C-CORRECTED` finding that names the
//! printed value, the new one, the reason, who and when. The cell keeps its printed text (the
//! original, as published) and its row says `data_origin = corrected`. The report's rules are
//! checked again on the corrected values.
//!
//! A typo confirmed with the office, a figure from an erratum: nothing else may change a number.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use nianbao_model::report::{Finding, Num, Report, Severity, TableId};
use nianbao_model::validate;

/// The rule id of a correction's finding.
pub const RULE: &str = "C-CORRECTED";

/// The `data_origin` of a value a correction replaced.
pub const CORRECTED: &str = "corrected";

/// One correction.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    /// The report's `report_id`, as the tables print it.
    pub report: String,
    /// The cell's key, `table.row.column` as the `cells` table names it, e.g.
    /// `table3.new_received.total`.
    pub cell: String,
    /// The corrected value (a count, or a money amount in the unit the cell is printed in).
    pub value: f64,
    /// Why (e.g. "typo confirmed by the office by telephone").
    pub reason: String,
    /// Who made the correction.
    pub who: String,
    /// When (e.g. 2026-12-01).
    pub date: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    #[serde(default)]
    correction: Vec<Correction>,
}

/// A corrections file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CorrectionError {
    /// The file cannot be read.
    #[error("corrections {path}: cannot read it: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or CSV of the documented columns.
    #[error("corrections {path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line or record.
        message: String,
    },
    /// A correction that cannot be applied.
    #[error("corrections {path}, entry {entry} ({report} {cell}): {message}")]
    Entry {
        /// The file.
        path: PathBuf,
        /// The entry's number in the file, from 1.
        entry: usize,
        /// Its report id.
        report: String,
        /// Its cell key.
        cell: String,
        /// What is wrong.
        message: String,
    },
}

/// The corrections of a file: CSV when its name ends in `.csv` (header `report,cell,value,
/// reason,who,date`), else TOML (`[[correction]]` tables with the same keys).
pub fn load(path: &Path) -> Result<Vec<Correction>, CorrectionError> {
    let text = std::fs::read_to_string(path).map_err(|source| CorrectionError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let format = |message: String| CorrectionError::Format {
        path: path.to_path_buf(),
        message,
    };
    let list = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
    {
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        reader
            .deserialize()
            .collect::<Result<Vec<Correction>, _>>()
            .map_err(|e| format(e.to_string()))?
    } else {
        toml::from_str::<TomlFile>(&text)
            .map_err(|e| format(e.message().to_string()))?
            .correction
    };
    for (i, c) in list.iter().enumerate() {
        let entry = |message: String| CorrectionError::Entry {
            path: path.to_path_buf(),
            entry: i + 1,
            report: c.report.clone(),
            cell: c.cell.clone(),
            message,
        };
        if !c.value.is_finite() || c.value < 0.0 {
            return Err(entry(format!("value {} is not a count or amount", c.value)));
        }
        if c.reason.trim().is_empty() || c.who.trim().is_empty() || c.date.trim().is_empty() {
            return Err(entry("reason, who and date are required".into()));
        }
    }
    Ok(list)
}

/// Apply the corrections of one report (those whose `report` is its id), then check its rules
/// again. Returns an error message for a correction that names no cell of the report.
pub fn apply(report: &mut Report, corrections: &[&Correction]) -> Result<(), (usize, String)> {
    if corrections.is_empty() {
        return Ok(());
    }
    for (i, c) in corrections.iter().enumerate() {
        let mut found = None;
        report.for_each_cell(|cell, v| {
            if cell.path() == c.cell {
                found = Some((cell.table, cell.row, cell.column, v));
            }
        });
        let Some((table, row, column, before)) = found else {
            return Err((i, "no such cell in this report (it lacks the table, or the key is not one of its template)".into()));
        };
        let value = if c.value.fract() == 0.0 && c.value < 9.0e15 {
            Num::Int(c.value as i64)
        } else {
            Num::Dec(c.value)
        };
        let slot = match table {
            TableId::Table2 => report
                .table2
                .as_mut()
                .and_then(|t| t.values.get_mut(row))
                .and_then(|r| r.get_mut(column)),
            TableId::Table3 => report.table3.as_mut().map(|t| &mut t[row][column]),
            TableId::Table4 => report.table4.as_mut().map(|t| &mut t[row][column]),
        };
        if let Some(slot) = slot {
            *slot = Some(value);
        }
        let was = before.map_or_else(|| "blank".to_string(), |v| v.to_string());
        report.findings.push(
            Finding::new(
                RULE,
                Severity::Info,
                format!(
                    "{} corrected from {was} to {value}: {} ({}, {})",
                    c.cell, c.reason, c.who, c.date
                ),
                format!(
                    "{} 由 {was} 更正为 {value}：{}（{}，{}）",
                    c.cell, c.reason, c.who, c.date
                ),
            )
            .with_cells([c.cell.clone()]),
        );
    }
    // The rules speak of the values the tables now hold.
    report.findings.retain(|f| !is_rule(&f.rule));
    validate::check(report);
    Ok(())
}

/// A single-report rule of [`validate::check`] (T3-1 … T3-4, T4-1, T2-d).
fn is_rule(rule: &str) -> bool {
    ["T3-1", "T3-2", "T3-3", "T3-4", "T4-1", "T2-d"].contains(&rule)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nianbao_model::report::Table3;

    fn correction(cell: &str, value: f64) -> Correction {
        Correction {
            report: "r1".into(),
            cell: cell.into(),
            value,
            reason: "typo confirmed by the office".into(),
            who: "analyst".into(),
            date: "2026-12-01".into(),
        }
    }

    #[test]
    fn a_correction_replaces_one_value_and_the_rules_are_checked_again() {
        let mut t3: Table3 = [[Some(Num::Int(1)); 7]; 26];
        t3[0][6] = Some(Num::Int(7)); // 总计 of row 1 printed wrong: 7, six columns of 1
        let mut report = Report {
            table3: Some(t3),
            ..Report::default()
        };
        validate::check(&mut report);
        assert!(report
            .findings
            .iter()
            .any(|f| f.rule == "T3-3" && f.severity == Severity::Error));
        let c = correction("table3.new_received.total", 6.0);
        apply(&mut report, &[&c]).expect("applies");
        assert_eq!(
            report.table3.as_ref().map(|t| t[0][6]),
            Some(Some(Num::Int(6)))
        );
        let corrected = report
            .findings
            .iter()
            .find(|f| f.rule == RULE)
            .expect("finding");
        assert!(
            corrected.message.contains("from 7 to 6"),
            "{}",
            corrected.message
        );
        assert_eq!(corrected.cells, ["table3.new_received.total"]);
        assert!(
            !report.findings.iter().any(|f| f.rule == "T3-3"
                && f.severity == Severity::Error
                && f.cells
                    .iter()
                    .any(|c| c.starts_with("table3.new_received."))),
            "{:?}",
            report.findings
        );
    }

    #[test]
    fn a_cell_the_report_lacks_is_refused() {
        let mut report = Report::default();
        let c = correction("table3.new_received.total", 6.0);
        assert!(apply(&mut report, &[&c]).is_err());
    }

    #[test]
    fn files_in_toml_and_csv_say_the_same() {
        let dir = tempfile::tempdir().expect("tmp");
        let toml = dir.path().join("c.toml");
        std::fs::write(
            &toml,
            "[[correction]]\nreport = 'r1'\ncell = 'table3.new_received.total'\nvalue = 6\n\
             reason = 'typo confirmed by the office'\nwho = 'analyst'\ndate = '2026-12-01'\n",
        )
        .expect("write");
        let csv = dir.path().join("c.csv");
        std::fs::write(
            &csv,
            "\u{feff}report,cell,value,reason,who,date\n\
             r1,table3.new_received.total,6,typo confirmed by the office,analyst,2026-12-01\n",
        )
        .expect("write");
        let want = vec![correction("table3.new_received.total", 6.0)];
        assert_eq!(load(&toml).expect("toml"), want);
        assert_eq!(load(&csv).expect("csv"), want);
        let bad = dir.path().join("bad.csv");
        std::fs::write(&bad, "report,cell,value,reason,who,date\nr1,x,6,,a,b\n").expect("write");
        let err = load(&bad).unwrap_err().to_string();
        assert!(err.contains("entry 1") && err.contains("required"), "{err}");
    }
}
