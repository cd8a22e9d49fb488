//! An output folder written by [`super::output::write_all`] → [`Tables`] again: the Parquet
//! files `reports`, `cells/year=*/part-0` and `findings` are read with polars, keys and labels
//! are mapped back to the template's constants and rows back to their report; the comparisons
//! are computed again from them by the polars stage, with the metrics of the folder's
//! `metrics.toml` (or others), the cities and the statuses of `comparison.parquet`. Reads only;
//! `duplicates` is not stored and comes back as 0.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::corrections::CORRECTED;
use super::coverage::{CoverageRow, Status};
use super::metrics::{MetricError, MetricSet};
use super::stage::{Options, StageError};
use super::{
    find_def, CellLoc, CellOcr, CellRow, CellUnit, City, FindingRow, Level, ReportRow, SourceMeta,
    Tables,
};
use nianbao_model::document::Loc;
use nianbao_model::report::{Finding, Severity};

/// Why an output folder could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file could not be opened, or the `cells` folder could not be listed.
    #[error("cannot open {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is not readable Parquet, or a column is missing or of an unexpected type.
    #[error("cannot read {path}: {source}")]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The polars error.
        source: PolarsError,
    },
    /// A file was read but does not fit: a row names a report missing from `reports.parquet`,
    /// an unknown cell or severity, an unreadable `source_cell`.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, e.g. `unknown cell table3.x.total`.
        message: String,
    },
    /// The folder's `metrics.toml` is not a valid metric file.
    #[error(transparent)]
    Metrics(#[from] MetricError),
    /// The comparisons could not be computed again.
    #[error(transparent)]
    Stage(#[from] StageError),
}

/// The metrics the folder's comparisons were computed with (its `metrics.toml`); the built-in
/// set for a folder written before metrics were stored.
pub fn stored_metrics(dir: &Path) -> Result<MetricSet, LoadError> {
    let path = dir.join("metrics.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(MetricSet::from_toml(&text, &path.display().to_string())?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(MetricSet::builtin()),
        Err(source) => Err(LoadError::Io { path, source }),
    }
}

/// Read every table of the output folder `dir`, its comparisons computed with `metrics` (see
/// [`stored_metrics`]).
pub fn read_tables(dir: &Path, metrics: &MetricSet) -> Result<Tables, LoadError> {
    let reports = read_reports(&Frame::open(&dir.join("reports.parquet"))?)?;
    let index = ReportIndex::new(&reports);
    let mut reports = reports;
    let mut cells = Vec::new();
    for part in cell_partitions(dir)? {
        cells.extend(read_cells(&Frame::open(&part)?, &index)?);
    }
    // Partitions hold each year's reports in report order: a stable sort restores the order
    // of the whole table.
    cells.sort_by_key(|(c, ..)| c.report);
    // The printed texts the rows cannot rebuild, and the corrected cells, back onto their
    // reports.
    for (c, p, corrected, ocr) in &cells {
        if let Some(r) = reports.get_mut(c.report()) {
            r.printed_known |= p.is_some();
            if *corrected {
                r.corrected.push(c.def);
            }
            if let Some(o) = ocr {
                r.ocr.push((c.def, *o));
            }
        }
    }
    for r in &mut reports {
        r.corrected.sort_unstable();
        r.ocr.sort_by_key(|(d, _)| *d);
    }
    let cells = cells
        .into_iter()
        .map(|(c, p, ..)| {
            if let Some(r) = reports.get_mut(c.report()) {
                let rebuilt = c.printed(r).map(|t| t.into_owned());
                if r.printed_known && rebuilt != p {
                    r.printed.push((c.def, p.map(String::into_boxed_str)));
                }
            }
            c
        })
        .collect();
    for r in &mut reports {
        r.printed.sort_by_key(|(d, _)| *d);
    }
    let findings = read_findings(&Frame::open(&dir.join("findings.parquet"))?, &index)?;
    let (cities, grid) = read_grid(&Frame::open(&dir.join("comparison.parquet"))?)?;
    let grid = grid.filter(|c| c.height() > 0);
    // Output sets written before the coverage table existed have none.
    let path = dir.join("coverage.parquet");
    let coverage = if path.is_file() {
        read_coverage(&Frame::open(&path)?)?
    } else {
        Vec::new()
    };
    let mut tables = Tables {
        reports,
        cells,
        findings,
        coverage,
        ..Tables::default()
    };
    let options = Options {
        metrics: metrics.clone(),
        coverage: grid,
    };
    tables.compare(&cities, &options)?;
    Ok(tables)
}

/// From the city governments' comparison: the configured cities (every one has a row per
/// year; an unconfigured city has an empty adcode) and what was known of the rows without a
/// report (their `status` and `reason`; none in a folder written before statuses existed), to
/// compute the comparisons again as they were.
fn read_grid(f: &Frame) -> Result<(Vec<City>, Option<DataFrame>), LoadError> {
    let (city, adcode, population) = (
        f.strs("city")?,
        f.strs("adcode")?,
        f.opt_int::<u64>("population")?,
    );
    let mut cities: Vec<City> = Vec::new();
    for i in 0..f.height() {
        if adcode[i].is_empty() || cities.iter().any(|c| c.adcode == adcode[i]) {
            continue;
        }
        cities.push(City {
            name: city[i].clone(),
            adcode: adcode[i].clone(),
            population: population[i],
            population_source: None,
        });
    }
    if f.df.column("status").is_err() {
        return Ok((cities, None));
    }
    let coverage =
        f.df.clone()
            .lazy()
            .filter(col("status").neq(lit(super::stage::FOUND)))
            .select([col("city"), col("year"), col("status"), col("reason")])
            .collect()
            .map_err(|e| f.err(e))?;
    Ok((cities, Some(coverage)))
}

/// One Parquet file in memory, with typed column readers that name the file on error.
struct Frame {
    path: PathBuf,
    df: DataFrame,
}

impl Frame {
    fn open(path: &Path) -> Result<Frame, LoadError> {
        let file = File::open(path).map_err(|source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let df = ParquetReader::new(file)
            .finish()
            .map_err(|source| LoadError::Parquet {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(Frame {
            path: path.to_path_buf(),
            df,
        })
    }

    fn height(&self) -> usize {
        self.df.height()
    }

    fn err(&self, source: PolarsError) -> LoadError {
        LoadError::Parquet {
            path: self.path.clone(),
            source,
        }
    }

    fn invalid(&self, message: String) -> LoadError {
        LoadError::Invalid {
            path: self.path.clone(),
            message,
        }
    }

    fn column(&self, name: &str) -> Result<&Column, LoadError> {
        self.df.column(name).map_err(|e| self.err(e))
    }

    fn opt_strs(&self, name: &str) -> Result<Vec<Option<String>>, LoadError> {
        let ca = self.column(name)?.str().map_err(|e| self.err(e))?;
        Ok(ca.iter().map(|v| v.map(str::to_string)).collect())
    }

    fn strs(&self, name: &str) -> Result<Vec<String>, LoadError> {
        Ok(self
            .opt_strs(name)?
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect())
    }

    /// An Int64 column (every integer column is Int64).
    fn opt_i64(&self, name: &str) -> Result<Vec<Option<i64>>, LoadError> {
        let ca = self.column(name)?.i64().map_err(|e| self.err(e))?;
        Ok(ca.iter().collect())
    }

    /// An Int64 column of values that must fit `T` (a year, a rank); one that does not is an
    /// error, not a wrapped number.
    fn opt_int<T: TryFrom<i64>>(&self, name: &str) -> Result<Vec<Option<T>>, LoadError> {
        self.opt_i64(name)?
            .into_iter()
            .map(|v| {
                v.map(|x| {
                    T::try_from(x).map_err(|_| self.invalid(format!("{name}: {x} out of range")))
                })
                .transpose()
            })
            .collect()
    }

    fn opt_i32(&self, name: &str) -> Result<Vec<Option<i32>>, LoadError> {
        self.opt_int(name)
    }

    fn bools(&self, name: &str) -> Result<Vec<bool>, LoadError> {
        let ca = self.column(name)?.bool().map_err(|e| self.err(e))?;
        Ok(ca.iter().map(|v| v.unwrap_or(false)).collect())
    }

    fn counts(&self, name: &str) -> Result<Vec<usize>, LoadError> {
        Ok(self
            .opt_int::<u32>(name)?
            .into_iter()
            .map(|v| v.unwrap_or(0) as usize)
            .collect())
    }
}

/// The source and identity columns of a row-level table, as [`SourceMeta`].
fn source_metas(f: &Frame) -> Result<Vec<SourceMeta>, LoadError> {
    let (id, city, adcode) = (f.strs("report_id")?, f.strs("city")?, f.strs("adcode")?);
    let (level, county, department) = (
        f.strs("level")?,
        f.opt_strs("county")?,
        f.opt_strs("department")?,
    );
    let (origin, url) = (f.strs("data_origin")?, f.strs("source_url")?);
    let (warc, sha, time) = (
        f.strs("warc_record_id")?,
        f.strs("source_sha256")?,
        f.strs("fetch_time")?,
    );
    (0..f.height())
        .map(|i| {
            let level = Level::parse(&level[i])
                .ok_or_else(|| f.invalid(format!("row {i}: unknown level `{}`", level[i])))?;
            Ok(SourceMeta {
                report_id: id[i].clone(),
                city: city[i].clone(),
                adcode: adcode[i].clone(),
                level,
                county: county[i].clone(),
                department: department[i].clone(),
                url: url[i].clone(),
                warc_record_id: warc[i].clone(),
                sha256: sha[i].clone(),
                fetch_time: time[i].clone(),
                data_origin: origin[i].clone(),
            })
        })
        .collect()
}

fn read_coverage(f: &Frame) -> Result<Vec<CoverageRow>, LoadError> {
    let (city, adcode, level) = (f.strs("city")?, f.strs("adcode")?, f.strs("level")?);
    let (body, year, status) = (f.opt_strs("body")?, f.opt_i32("year")?, f.strs("status")?);
    let (reason, id, url) = (f.strs("reason")?, f.opt_strs("report_id")?, f.strs("url")?);
    (0..f.height())
        .map(|i| {
            let bad = |what: &str, v: &str| f.invalid(format!("row {i}: unknown {what} `{v}`"));
            Ok(CoverageRow {
                city: city[i].clone(),
                adcode: adcode[i].clone(),
                level: Level::parse(&level[i]).ok_or_else(|| bad("level", &level[i]))?,
                body: body[i].clone(),
                year: year[i],
                status: Status::parse(&status[i]).ok_or_else(|| bad("status", &status[i]))?,
                reason: reason[i].clone(),
                report_id: id[i].clone(),
                url: url[i].clone(),
            })
        })
        .collect()
}

fn read_reports(f: &Frame) -> Result<Vec<ReportRow>, LoadError> {
    let metas = source_metas(f)?;
    let (body, year, template) = (
        f.opt_strs("body")?,
        f.opt_i32("year")?,
        f.opt_strs("template")?,
    );
    let (read, encoding) = (f.strs("tables_read")?, f.opt_strs("encoding")?);
    let (errors, warnings, infos) = (
        f.counts("errors")?,
        f.counts("warnings")?,
        f.counts("infos")?,
    );
    let chosen = f.bools("in_comparison")?;
    Ok(metas
        .into_iter()
        .enumerate()
        .map(|(i, meta)| ReportRow {
            meta,
            body: body[i].clone(),
            year: year[i],
            template: template[i].clone(),
            tables_read: read[i].clone(),
            errors: errors[i],
            warnings: warnings[i],
            infos: infos[i],
            encoding: encoding[i].clone(),
            in_comparison: chosen[i],
            printed: Vec::new(),
            printed_known: false,
            corrected: Vec::new(),
            ocr: Vec::new(),
        })
        .collect())
}

/// What identifies a report in the tables that refer to it: its id, and the capture its values
/// came from (so that two rows with one id but different sources are never confused).
type ReportKey = (String, String, String);

/// Report rows by the columns that rows of `cells` and `findings` repeat.
struct ReportIndex(HashMap<ReportKey, usize>);

impl ReportIndex {
    fn new(reports: &[ReportRow]) -> ReportIndex {
        let mut map = HashMap::new();
        for (i, r) in reports.iter().enumerate() {
            map.entry(Self::key(&r.meta)).or_insert(i);
        }
        ReportIndex(map)
    }

    fn key(meta: &SourceMeta) -> ReportKey {
        (
            meta.report_id.clone(),
            meta.url.clone(),
            meta.sha256.clone(),
        )
    }

    /// The report of each row of `f`.
    fn rows(&self, f: &Frame) -> Result<Vec<usize>, LoadError> {
        source_metas(f)?
            .iter()
            .enumerate()
            .map(|(i, m)| {
                self.0.get(&Self::key(m)).copied().ok_or_else(|| {
                    f.invalid(format!(
                        "row {i} names a report missing from reports.parquet: {} ({})",
                        m.report_id, m.url
                    ))
                })
            })
            .collect()
    }
}

/// `cells/year=*/part-0.parquet`, sorted by folder name.
fn cell_partitions(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let cells = dir.join("cells");
    let io = |source| LoadError::Io {
        path: cells.clone(),
        source,
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&cells).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().to_string();
        if !name.starts_with("year=") {
            continue;
        }
        let path = entry.path().join("part-0.parquet");
        if path.is_file() {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// A row of `cells` as read back: the compact row, its `printed` text, whether a
/// correction replaced its value, and how OCR read it.
type ReadCell = (CellRow, Option<String>, bool, Option<CellOcr>);

/// The rows of one partition of `cells`.
fn read_cells(f: &Frame, index: &ReportIndex) -> Result<Vec<ReadCell>, LoadError> {
    let reports = index.rows(f)?;
    let (table, row, column) = (f.strs("table")?, f.strs("row")?, f.strs("column")?);
    let (row_label, column_label) = (f.strs("row_label")?, f.strs("column_label")?);
    let (value, source) = (f.opt_i64("value")?, f.opt_strs("source_cell")?);
    let (unit, fen, printed) = (
        f.strs("unit")?,
        f.opt_i64("amount_fen")?,
        f.opt_strs("printed")?,
    );
    let origin = f.strs("data_origin")?;
    let ocr = read_ocr(f)?;
    (0..f.height())
        .map(|i| {
            let def = find_def(
                &table[i],
                &row[i],
                &column[i],
                &row_label[i],
                &column_label[i],
            )
            .ok_or_else(|| {
                f.invalid(format!(
                    "unknown cell {}.{}.{}",
                    table[i], row[i], column[i]
                ))
            })?;
            let loc = source[i]
                .as_deref()
                .map(str::parse::<Loc>)
                .transpose()
                .map_err(|e| f.invalid(e))?;
            let report = u32::try_from(reports[i]).unwrap_or(u32::MAX);
            let unit = CellUnit::parse(&unit[i])
                .ok_or_else(|| f.invalid(format!("unknown unit {:?}", unit[i])))?;
            let v = match unit {
                CellUnit::Count => value[i],
                CellUnit::TenThousandYuan => fen[i],
                CellUnit::Unknown => None,
            };
            Ok((
                CellRow::new(report, def, v, unit, CellLoc::new(loc)),
                printed[i].clone(),
                origin[i] == CORRECTED,
                ocr.get(i).copied().flatten(),
            ))
        })
        .collect()
}

/// The OCR columns of `cells` per row; a set written before they existed has none.
fn read_ocr(f: &Frame) -> Result<Vec<Option<CellOcr>>, LoadError> {
    if f.df.column("ocr_confidence").is_err() {
        return Ok(Vec::new());
    }
    let conf = f.column("ocr_confidence")?.f64().map_err(|e| f.err(e))?;
    let corrected = f.column("ocr_corrected")?.bool().map_err(|e| f.err(e))?;
    // `ocr_narrative` and `ocr_box` came later than the other two: a set without them keeps
    // no box and no narrative check.
    let narrative: Vec<Option<bool>> = match f.df.column("ocr_narrative") {
        Ok(c) => c.bool().map_err(|e| f.err(e))?.iter().collect(),
        Err(_) => vec![None; conf.len()],
    };
    let boxes: Vec<Option<[u32; 4]>> = match f.df.column("ocr_box") {
        Ok(_) => f
            .column("ocr_box")?
            .str()
            .map_err(|e| f.err(e))?
            .iter()
            .map(|b| b.and_then(CellOcr::parse_box))
            .collect(),
        Err(_) => vec![None; conf.len()],
    };
    Ok(conf
        .iter()
        .zip(corrected.iter())
        .zip(boxes)
        .zip(narrative)
        .map(|(((p, c), bbox), narrative)| {
            Some(CellOcr {
                confidence: p? as f32,
                corrected: c?,
                narrative: narrative.unwrap_or(false),
                bbox,
            })
        })
        .collect())
}

fn severity(s: &str) -> Option<Severity> {
    [Severity::Error, Severity::Warning, Severity::Info]
        .into_iter()
        .find(|v| v.as_str() == s)
}

fn read_findings(f: &Frame, index: &ReportIndex) -> Result<Vec<FindingRow>, LoadError> {
    let reports = index.rows(f)?;
    let (rule, sev) = (f.strs("rule")?, f.strs("severity")?);
    let (message, cells) = (f.strs("message")?, f.strs("cells")?);
    // A set written before findings had a Chinese message has no such column.
    let message_zh = match f.df.column("message_zh") {
        Ok(_) => f.strs("message_zh")?,
        Err(_) => vec![String::new(); f.height()],
    };
    (0..f.height())
        .map(|i| {
            let severity = severity(&sev[i])
                .ok_or_else(|| f.invalid(format!("unknown severity {:?}", sev[i])))?;
            Ok(FindingRow {
                report: reports[i],
                finding: Finding {
                    rule: rule[i].clone(),
                    severity,
                    message: message[i].clone(),
                    message_zh: message_zh[i].clone(),
                    cells: cells[i].split_whitespace().map(str::to_string).collect(),
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::cell_defs;

    #[test]
    fn cell_definitions_are_found_by_keys_and_labels() {
        let d =
            find_def("table3", "total_processed", "total", "总计", "总计").expect("table3 cell");
        assert_eq!(cell_defs()[usize::from(d)].row, "total_processed");
        assert!(find_def("table2", "licensing", "change", "行政许可", "本年增/减").is_some());
        assert!(find_def("table9", "x", "y", "", "").is_none());
    }

    #[test]
    fn locations_read_back() {
        for loc in [
            Loc::Line { line: 3 },
            Loc::Table {
                table: 2,
                row: 7,
                col: 4,
            },
            Loc::Page {
                page: 1,
                row: 2,
                col: 3,
            },
        ] {
            assert_eq!(loc.to_string().parse::<Loc>(), Ok(loc));
        }
    }
}
