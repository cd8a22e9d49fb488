//! A harvest archive → parsed reports ready for aggregation ([`aggregate::Input`]): every
//! report page is parsed, the attachments it links are parsed too and merged into it (best
//! complete source per table), and each report is tagged with its city, its id, its level of
//! government and department kind (from the body its title block names), its data origin, and the capture its tables were printed in (the
//! attachment, for a report published only as a PDF or DOCX). Reads the archive; no network.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Deserialize;

use nianbao_archive::{read_payload, Archive, ArchiveError, Entry};
use nianbao_crawler::discover::PageKind;
use nianbao_model::report::{Finding, Report, Severity};
use nianbao_parser::parse_bytes;
use nianbao_tables::aggregate::coverage::{Status, Uncaptured};
use nianbao_tables::aggregate::{sources, City, Input, SourceMeta};
use nianbao_tables::bodies::{report_id, BodyTable};

/// Data origin of every report in an archive, unless `data_origin.json` in the archive folder
/// says otherwise.
pub(crate) const PUBLISHED: &str = "published";
pub(crate) const SYNTHETIC: &str = "synthetic-demo";
/// Data origin of a report added by `nianbao import`.
pub(crate) const MANUAL: &str = "manual";

/// `data_origin.json`: the demo archive marks its synthetic figures (all but the reports whose
/// URL path is listed as published).
#[derive(Debug, Deserialize, Default)]
struct OriginFile {
    default: String,
    #[serde(default)]
    published_paths: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum PipelineError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("{path}: {message}")]
    Origin { path: PathBuf, message: String },
}

/// What reading an archive gave, for the run summary.
#[derive(Debug, Default)]
pub(crate) struct Read {
    pub inputs: Vec<Input>,
    pub reports: usize,
    pub attachments: usize,
    /// Report pages that could not be read or parsed, and attachments whose record could not
    /// be read (each named with its reason).
    pub failures: Vec<String>,
    /// How many records (pages and attachments) could not be read from the archive: an I/O or
    /// WARC error, a payload that does not decode, a digest that does not match the bytes.
    pub unreadable: usize,
    /// Attachments that are scans (images without a text layer, which need OCR), in archive
    /// order; each is also a `P-ATTACHMENT` finding of its report.
    pub scans: Vec<Scan>,
}

/// An attachment that is a scan, and the report that links it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scan {
    /// The attachment's URL.
    pub url: String,
    /// The city the report was harvested for.
    pub city: String,
    /// The body that published the report, as the report names it.
    pub body: Option<String>,
    /// The report's year.
    pub year: Option<i32>,
}

fn origins(dir: &Path) -> Result<OriginFile, PipelineError> {
    let path = dir.join("data_origin.json");
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| PipelineError::Origin {
            path,
            message: e.to_string(),
        }),
        Err(_) => Ok(OriginFile {
            default: PUBLISHED.into(),
            published_paths: Vec::new(),
        }),
    }
}

fn url_path(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
}

/// What reading one report page (and its attachments) gave.
enum PageRead {
    Report {
        input: Box<Input>,
        attachments: usize,
        /// Attachments whose record could not be read (named with the reason).
        unreadable: Vec<String>,
        /// Attachments that are scans.
        scans: Vec<Scan>,
    },
    Failed {
        message: String,
        /// The record could not be read (not: read, but not a report that parses).
        unreadable: bool,
        /// The page as a report without tables, with the finding that says why.
        input: Box<Input>,
    },
}

/// Read every report of an archive. Pages are parsed on every core; the result is in the
/// archive's order (city, year, URL) whatever the threads' timing. `progress(done, total)` is
/// called from the worker threads.
pub(crate) fn read_archive(
    dir: &Path,
    cities: &[City],
    bodies: &BodyTable,
    progress: impl Fn(usize, usize) + Sync,
) -> Result<Read, PipelineError> {
    read_archive_where(dir, cities, bodies, |_| true, progress)
}

/// [`read_archive`] of the report pages `keep` accepts (with their attachments) only.
pub(crate) fn read_archive_where(
    dir: &Path,
    cities: &[City],
    bodies: &BodyTable,
    keep: impl Fn(&Entry) -> bool,
    progress: impl Fn(usize, usize) + Sync,
) -> Result<Read, PipelineError> {
    let archive = Archive::open(dir)?;
    let origin = origins(dir)?;
    let entries = archive.entries()?;
    let mut attachments: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
    for e in entries
        .iter()
        .filter(|e| e.target.kind == PageKind::Attachment)
    {
        if let Some(parent) = &e.parent {
            attachments.entry(parent.as_str()).or_default().push(e);
        }
    }
    let pages: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.target.kind == PageKind::Report && keep(e))
        .collect();
    progress(0, pages.len());
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let worker = || {
        let mut out = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(page) = pages.get(i) else { break };
            let atts = attachments
                .get(page.target.url.as_str())
                .map_or(&[][..], Vec::as_slice);
            out.push((i, read_page(page, atts, cities, bodies, &origin)));
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, pages.len());
        }
        out
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut results: Vec<(usize, PageRead)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|_| s.spawn(worker)).collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    // Back into the archive's order (city, year, url), whatever the threads' timing.
    results.sort_by_key(|(i, _)| *i);
    let mut read = Read::default();
    for (i, result) in results {
        match result {
            PageRead::Report {
                input,
                attachments,
                unreadable,
                scans,
            } => {
                read.reports += 1;
                read.attachments += attachments;
                read.inputs.push(*input);
                read.unreadable += unreadable.len();
                read.failures.extend(unreadable);
                read.scans.extend(scans);
            }
            PageRead::Failed {
                message,
                unreadable,
                input,
            } => {
                read.inputs.push(*input);
                read.unreadable += usize::from(unreadable);
                read.failures
                    .push(format!("{}: {message}", pages[i].target.url));
            }
        }
    }
    Ok(read)
}

/// The report pages of an archive that the crawl found but never captured, with their level
/// (from the body their link names) and the crawl's reason, for the coverage table.
pub(crate) fn uncaptured(
    dir: &Path,
    cities: &[City],
    bodies: &BodyTable,
) -> Result<Vec<Uncaptured>, PipelineError> {
    let archive = Archive::open(dir)?;
    Ok(archive
        .uncaptured_reports()?
        .into_iter()
        .map(|u| {
            let others: Vec<&str> = cities
                .iter()
                .map(|c| c.name.as_str())
                .filter(|n| *n != u.target.city)
                .collect();
            let level = bodies
                .classify(u.target.body.as_deref(), &u.target.city, &others)
                .level;
            let status = Status::of_crawl(&u.status);
            let http = u.http_status.map(|s| format!("HTTP {s}"));
            let reason = [u.error, http]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("; ");
            Uncaptured {
                city: u.target.city,
                body: u.target.body,
                level,
                year: u.target.year.map(i32::from),
                url: u.target.url,
                status,
                reason: if reason.is_empty() {
                    format!("crawl status `{}`", u.status)
                } else {
                    reason
                },
            }
        })
        .collect())
}

/// Parse a report page and the attachments it links, merged into one report.
fn read_page(
    page: &Entry,
    atts: &[&Entry],
    cities: &[City],
    bodies: &BodyTable,
    origin: &OriginFile,
) -> PageRead {
    let (report, page_sha256) = match parse_entry(page) {
        Ok(r) => r,
        Err(e) => {
            // The page still has a row in `reports` (no tables) with the finding that says
            // why, so the coverage table and the findings name it.
            let stub = Report {
                year: page.target.year.map(i32::from),
                body: page.target.body.clone(),
                findings: e.findings(&page.target.url),
                ..Report::default()
            };
            let meta = meta(page, (page, ""), &stub, (cities, bodies), origin);
            return PageRead::Failed {
                message: e.message,
                unreadable: e.unreadable,
                input: Box::new(Input::new(meta, stub)),
            };
        }
    };
    let mut parsed_attachments = Vec::new();
    let mut parsed_entries: Vec<(&Entry, String)> = Vec::new();
    let mut notes = Vec::new();
    let mut unreadable = Vec::new();
    let mut scans = Vec::new();
    for att in atts {
        match parse_entry(att) {
            Ok((r, sha256)) => {
                // The merge keeps the page's findings only: what OCR proved, corrected or
                // refused in a scanned attachment is said in the report.
                notes.extend(
                    r.findings
                        .iter()
                        .filter(|f| f.rule.starts_with("O-"))
                        .cloned(),
                );
                parsed_attachments.push((att.target.url.clone(), r));
                parsed_entries.push((att, sha256));
            }
            Err(e) => {
                let url = &att.target.url;
                if e.unreadable {
                    unreadable.push(format!("{url}: {}", e.message));
                }
                if e.scan {
                    scans.push(url.clone());
                }
                notes.extend(if e.unreadable || e.scan {
                    e.findings(url)
                } else {
                    vec![Finding::new(
                        "P-ATTACHMENT",
                        Severity::Warning,
                        format!("attachment {url} not read: {}", e.message),
                        format!("附件 {url} 无法读取（{}）", e.message),
                    )]
                });
            }
        }
    }
    let (mut report, chosen) = sources::merge_with_sources(report, &parsed_attachments);
    if page.manual && page.target.body.is_some() {
        report.body.clone_from(&page.target.body);
    }
    report.findings.extend(notes);
    report.findings.extend(
        std::iter::once(page)
            .chain(atts.iter().copied())
            .filter_map(removal),
    );
    let printed_in = printed_in((page, &page_sha256), &report, chosen, &parsed_entries);
    let meta = meta(page, printed_in, &report, (cities, bodies), origin);
    let scans = scans
        .into_iter()
        .map(|url| Scan {
            url,
            city: meta.city.clone(),
            body: report.body.clone(),
            year: report.year,
        })
        .collect();
    PageRead::Report {
        input: Box::new(Input::new(meta, report)),
        attachments: atts.len(),
        unreadable,
        scans,
    }
}

/// A capture the portal no longer serves: a note that the values come from the last good
/// capture, kept in the archive.
fn removal(entry: &Entry) -> Option<Finding> {
    let on = entry.removed_at.as_deref()?;
    let day = on.get(..10).unwrap_or(on);
    let status = entry
        .removed_status
        .map_or(String::new(), |s| format!(" (HTTP {s})"));
    let (url, captured) = (
        &entry.target.url,
        entry.fetched_at.get(..10).unwrap_or(&entry.fetched_at),
    );
    Some(Finding::new(
        "P-REMOVED",
        Severity::Info,
        format!(
            "{url} removed from the portal on {day}{status}; read from the capture of {captured}"
        ),
        format!("{url} 已于 {day} 从门户撤下{status}；数值取自 {captured} 的存档"),
    ))
}

/// Why an entry gave no report.
struct EntryError {
    message: String,
    /// Its record could not be read from the archive (I/O, WARC, decoding, digest).
    unreadable: bool,
    /// It is a scan (images without text), which needs OCR.
    scan: bool,
    /// Why OCR did not read the scan (feature `ocr`).
    ocr: Option<OcrNotRead>,
}

#[cfg(feature = "ocr")]
type OcrNotRead = crate::ocr::NotRead;
/// Without the `ocr` feature there is no OCR reason.
#[cfg(not(feature = "ocr"))]
type OcrNotRead = std::convert::Infallible;

impl EntryError {
    /// The finding that says why `url` gave no values: `P-UNREADABLE` (the archive's record
    /// is lost or altered: an error), `P-SCAN` (a scan, which needs OCR: a warning) or
    /// `P-PARSE` (read, but not a report nianbao can parse: an error).
    fn finding(&self, url: &str) -> Finding {
        let (rule, severity, what) = if self.unreadable {
            ("P-UNREADABLE", Severity::Error, "the archived record of")
        } else if self.scan {
            (
                "P-SCAN",
                Severity::Warning,
                "a scan (no text), which needs OCR:",
            )
        } else {
            ("P-PARSE", Severity::Error, "not parsed:")
        };
        let message = if self.unreadable {
            format!("{what} {url} cannot be read: {}", self.message)
        } else {
            format!("{what} {url}: {}", self.message)
        };
        let zh = if self.unreadable {
            format!("存档中 {url} 的记录无法读取：{}", self.message)
        } else if self.scan {
            format!("{url} 是扫描件（只有图像，没有文字层），需要 OCR，未读取")
        } else {
            format!("{url} 无法解析：{}", self.message)
        };
        Finding::new(rule, severity, message, zh)
    }

    /// [`EntryError::finding`], and the OCR's reason for not reading a scan.
    fn findings(&self, url: &str) -> Vec<Finding> {
        let mut out = vec![self.finding(url)];
        out.extend(self.ocr.as_ref().map(|not| ocr_finding(url, not)));
        out
    }
}

/// The OCR's reason for reading no table of the scan at `url` (`O-MODELS`, `O-LABEL`, …).
#[cfg(feature = "ocr")]
fn ocr_finding(url: &str, not: &OcrNotRead) -> Finding {
    let zh = nianbao_model::rules::find(not.rule).map_or("", |r| r.name_zh);
    Finding::new(
        not.rule,
        Severity::Warning,
        format!("{url}: OCR read no table: {}", not.message),
        format!("{url}：{zh}（{}）", not.message),
    )
}

#[cfg(not(feature = "ocr"))]
fn ocr_finding(_url: &str, not: &OcrNotRead) -> Finding {
    match *not {}
}

/// The entry's report and the SHA-256 of the bytes it was parsed from (checked against the
/// archive's digests as it is read).
fn parse_entry(entry: &Entry) -> Result<(Report, String), EntryError> {
    let url = &entry.target.url;
    let payload = read_payload(entry).map_err(|e| EntryError {
        message: e.to_string(),
        unreadable: true,
        scan: false,
        ocr: None,
    })?;
    let report = match parse_bytes(&payload.bytes, url, entry.http_charset.as_deref()) {
        Ok(report) => report,
        Err(e) => {
            // The parser names its input first; the caller names the URL already.
            let message = e.to_string();
            let message = message
                .strip_prefix(&format!("{url}: "))
                .unwrap_or(&message)
                .to_string();
            if e.is_scan() {
                return read_scan(entry, &payload.bytes, message).map(|r| (r, payload.sha256));
            }
            return Err(EntryError {
                message,
                unreadable: false,
                scan: false,
                ocr: None,
            });
        }
    };
    Ok((report, payload.sha256))
}

/// A scan: read by OCR with the `ocr` feature (year and body from the crawl where the scan
/// names none), else — or when no table is read — the scan's error, with the OCR's reason.
#[cfg(feature = "ocr")]
fn read_scan(entry: &Entry, bytes: &[u8], message: String) -> Result<Report, EntryError> {
    match crate::ocr::read_scan(bytes) {
        Ok(mut report) => {
            report.year = report.year.or(entry.target.year.map(i32::from));
            report.body = report.body.or_else(|| entry.target.body.clone());
            Ok(report)
        }
        Err(not) => Err(EntryError {
            message,
            unreadable: false,
            scan: true,
            ocr: Some(not),
        }),
    }
}

/// Without the `ocr` feature a scan is named, never read.
#[cfg(not(feature = "ocr"))]
fn read_scan(_entry: &Entry, _bytes: &[u8], message: String) -> Result<Report, EntryError> {
    Err(EntryError {
        message,
        unreadable: false,
        scan: true,
        ocr: None,
    })
}

/// The capture whose payload printed the report's tables: the one attachment every table
/// present was read from (a report published as a PDF or DOCX behind a short page), else the
/// page itself.
fn printed_in<'a>(
    page: (&'a Entry, &'a str),
    report: &Report,
    chosen: [Option<usize>; 3],
    attachments: &'a [(&'a Entry, String)],
) -> (&'a Entry, &'a str) {
    let present = [
        report.table2.is_some(),
        report.table3.is_some(),
        report.table4.is_some(),
    ];
    let mut sources = chosen
        .iter()
        .zip(present)
        .filter(|(_, p)| *p)
        .map(|(c, _)| *c);
    match sources.next() {
        Some(Some(i)) if sources.all(|c| c == Some(i)) => attachments
            .get(i)
            .map_or(page, |(e, sha256)| (*e, sha256.as_str())),
        _ => page,
    }
}

/// The report's source columns: city, body and data origin from the page; URL, WARC record,
/// fetch time from the capture that printed the tables (`printed_in`), with the SHA-256 of the
/// bytes that were actually parsed.
fn meta(
    page: &Entry,
    (printed_in, sha256): (&Entry, &str),
    report: &Report,
    (cities, bodies): (&[City], &BodyTable),
    origin: &OriginFile,
) -> SourceMeta {
    let adcode = cities
        .iter()
        .find(|c| c.name == page.target.city)
        .map(|c| c.adcode.clone())
        .unwrap_or_default();
    // The body as the report's own title block names it; else as the crawl config named it.
    // A report imported by hand: the body its importer named wins.
    let body_name = if page.manual {
        page.target.body.as_deref().or(report.body.as_deref())
    } else {
        report.body.as_deref().or(page.target.body.as_deref())
    };
    let others: Vec<&str> = cities
        .iter()
        .map(|c| c.name.as_str())
        .filter(|n| *n != page.target.city)
        .collect();
    let body = bodies.classify(body_name, &page.target.city, &others);
    let path = url_path(&page.target.url);
    let data_origin = if page.manual {
        MANUAL
    } else if origin.published_paths.iter().any(|p| p == path) {
        PUBLISHED
    } else {
        origin.default.as_str()
    };
    SourceMeta {
        city: page.target.city.clone(),
        adcode: adcode.clone(),
        report_id: report_id(&adcode, &page.target.city, report.year, &page.target.url),
        level: body.level,
        department: body.department,
        county: body.county,
        url: printed_in.target.url.clone(),
        warc_record_id: printed_in.record_id.clone(),
        sha256: sha256.to_string(),
        fetch_time: printed_in.fetched_at.clone(),
        data_origin: data_origin.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_urls() {
        assert_eq!(
            url_path("http://127.0.0.2:8480/zfxxgk/t1.shtml"),
            "/zfxxgk/t1.shtml"
        );
        assert_eq!(url_path("http://host"), "/");
    }
}
