//! `nianbao parse FILE...`: saved reports → the contract JSON (one object per line) or a
//! readable summary (the three tables as printed, then the findings). A file that cannot be
//! read is reported on stderr and the batch goes on; the exit code says whether all succeeded.

use std::collections::{BTreeSet, HashSet};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use unicode_width::UnicodeWidthStr;

use super::Exit;
use nianbao_model::report::{Report, Table2, Table3, Table4, Val};
use nianbao_model::template::{table2_items, T3_COLUMNS, T3_ROWS, T4_GROUPS, T4_OUTCOMES};

/// Parse saved report files into the canonical schema and check them.
///
/// Each file is recognised by its bytes, not its name: HTML pages as served (any encoding),
/// text layouts, PDF (text layer; a scan is named as needing OCR), DOCX, Word 97–2003 DOC and
/// WPS, Word 2003 XML, MIME HTML (.mht), OFD, and workbooks (XLSX, XLS, WPS ET, ODS).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Report files: HTML or text, PDF, DOCX, DOC/WPS, Word XML, MHT, OFD, XLSX/XLS/ET/ODS.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print the report object of the JSON contract (README.md, "The JSON contract"; its keys in
    /// docs/data-dictionary.md), one compact object per line,
    /// in the order of the files; a file that cannot be read prints no line.
    #[arg(long)]
    pub json: bool,
    /// With --json: add `file`, `encoding` and `sources` (where each value was printed).
    #[arg(long, requires = "json")]
    pub sources: bool,
    /// With --json: indent the JSON (then one object spans several lines).
    #[arg(long, requires = "json")]
    pub pretty: bool,
    /// The largest input file read, in bytes (default 128 MiB); a larger one (or an endless
    /// one such as /dev/zero) is an error naming it, and the batch goes on.
    #[arg(long, value_name = "BYTES", default_value_t = nianbao_parser::MAX_INPUT_BYTES)]
    pub max_input_bytes: u64,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<Exit> {
    // Block-buffered: a batch of thousands of reports is written in a few large writes rather
    // than one per line (stdout alone is line-buffered).
    let mut out = BufWriter::new(io::stdout().lock());
    let mut failed = 0usize;
    for (n, path) in args.files.iter().enumerate() {
        let report = match nianbao_parser::parse_path_capped(path, args.max_input_bytes) {
            Ok(r) => r,
            #[cfg(feature = "ocr")]
            Err(e) if e.is_scan() => match read_scan(path) {
                Ok(r) => r,
                Err(why) => {
                    eprintln!("nianbao: {}; {why}", crate::errors::message_of(&e));
                    failed += 1;
                    continue;
                }
            },
            Err(e) => {
                eprintln!("nianbao: {}", crate::errors::message_of(&e));
                failed += 1;
                continue;
            }
        };
        if args.json {
            write_json(&mut out, args, path, &report)?;
        } else {
            if n > 0 {
                writeln!(out)?;
            }
            write_summary(&mut out, &path.display().to_string(), &report)?;
        }
    }
    out.flush()?;
    Ok(if failed > 0 {
        Exit::SomeFailed
    } else {
        Exit::Ok
    })
}

/// A scan read by OCR (feature `ocr`): the report, or why OCR read no table.
#[cfg(feature = "ocr")]
fn read_scan(path: &Path) -> Result<Report, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    crate::ocr::read_scan(&bytes)
        .map_err(|n| format!("OCR read no table ({}): {}", n.rule, n.message))
}

/// One report as one JSON line (several with --pretty). Without --sources the contract object
/// is streamed straight to `out`; with it, the object is extended with `file` first.
fn write_json(
    out: &mut impl Write,
    args: &Args,
    path: &Path,
    report: &Report,
) -> anyhow::Result<()> {
    match (args.sources, args.pretty) {
        (false, false) => report.write_json(&mut *out)?,
        (false, true) => report.write_json_pretty(&mut *out)?,
        (true, pretty) => {
            let mut v = report.to_json_with_sources();
            if let Some(o) = v.as_object_mut() {
                o.insert("file".into(), path.display().to_string().into());
            }
            if pretty {
                serde_json::to_writer_pretty(&mut *out, &v)?;
            } else {
                serde_json::to_writer(&mut *out, &v)?;
            }
        }
    }
    writeln!(out)?;
    Ok(())
}

fn cell(v: Val) -> String {
    v.map_or_else(|| "·".to_string(), |n| n.to_string())
}

fn pad(s: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

fn rpad(s: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(s);
    format!("{}{s}", " ".repeat(width.saturating_sub(w)))
}

/// The summary: metadata, tables 二/三/四 aligned as printed (· marks a blank cell), findings.
pub(crate) fn write_summary(out: &mut impl Write, name: &str, r: &Report) -> io::Result<()> {
    let opt = |s: Option<String>| s.unwrap_or_else(|| "unknown".into());
    writeln!(out, "== {name}")?;
    writeln!(
        out,
        "body: {}   year: {}   template: {}   encoding: {}",
        opt(r.body.clone()),
        opt(r.year.map(|y| y.to_string())),
        opt(r.template.map(|t| t.as_str().to_string())),
        opt(r.encoding.clone())
    )?;
    let corrected = corrected_by_ocr(r);
    match &r.table2 {
        Some(t) => write_table2(out, t, &corrected)?,
        None => writeln!(out, "\n二、主动公开政府信息情况: not found")?,
    }
    match &r.table3 {
        Some(t) => write_table3(out, t, &corrected)?,
        None => writeln!(out, "\n三、收到和处理政府信息公开申请情况: not found")?,
    }
    match &r.table4 {
        Some(t) => write_table4(out, t, &corrected)?,
        None => writeln!(out, "\n四、政府信息公开行政复议、行政诉讼情况: not found")?,
    }
    write_ocr_line(out, r, corrected.len())?;
    let (e, w, i) = r.finding_counts();
    writeln!(out, "\nfindings: {e} error(s), {w} warning(s), {i} info")?;
    for f in &r.findings {
        // The Chinese explanation first, the English one under it.
        writeln!(
            out,
            "  [{}] {} {}",
            f.severity.as_str(),
            f.rule,
            f.message_for_readers()
        )?;
        if !f.message_zh.is_empty() {
            writeln!(out, "      {}", f.message)?;
        }
    }
    Ok(())
}

/// The schema paths of the values OCR read whose identities chose a reading other than the
/// most probable one: the summary marks them `*`.
fn corrected_by_ocr(r: &Report) -> HashSet<String> {
    r.sources
        .iter()
        .filter(|(_, s)| s.ocr.is_some_and(|m| m.corrected))
        .map(|(path, _)| path.clone())
        .collect()
}

/// For a report read by OCR: how many values, how sure, and where the rest is said.
fn write_ocr_line(out: &mut impl Write, r: &Report, corrected: usize) -> io::Result<()> {
    let marks: Vec<_> = r.sources.values().filter_map(|s| s.ocr).collect();
    let Some(least) = marks.iter().map(|m| m.confidence).reduce(f32::min) else {
        return Ok(());
    };
    let pages: BTreeSet<u32> = marks.iter().map(|m| m.page).collect();
    writeln!(
        out,
        "\nOCR: {} value(s) read from the page images of page(s) {}; least confidence {least:.4}; \
         {corrected} chosen by the identities over the most probable reading (marked *); \
         each value's page and box: --json",
        marks.len(),
        pages
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// A value as the summary prints it: `·` when blank, `*` after a value OCR corrected.
fn marked(v: Val, path: impl FnOnce() -> String, corrected: &HashSet<String>) -> String {
    let text = cell(v);
    if !corrected.is_empty() && corrected.contains(&path()) {
        format!("{text}*")
    } else {
        text
    }
}

fn write_table2(out: &mut impl Write, t: &Table2, corrected: &HashSet<String>) -> io::Result<()> {
    writeln!(out, "\n二、主动公开政府信息情况")?;
    for (item, values) in table2_items(t.template).iter().zip(&t.values) {
        let cells: Vec<String> = item
            .measures
            .iter()
            .zip(values)
            .map(|((key, label), v)| {
                let path = || format!("table2.{}.{key}", item.key);
                format!("{label} {}", marked(*v, path, corrected))
            })
            .collect();
        writeln!(out, "  {} {}", pad(item.labels[0], 22), cells.join("   "))?;
    }
    Ok(())
}

fn write_table3(out: &mut impl Write, t: &Table3, corrected: &HashSet<String>) -> io::Result<()> {
    writeln!(out, "\n三、收到和处理政府信息公开申请情况")?;
    const LABEL: usize = 40;
    const COL: usize = 13;
    let header: String = T3_COLUMNS.iter().map(|(_, l)| rpad(l, COL)).collect();
    writeln!(out, "  {}{header}", pad("", LABEL))?;
    for ((row_key, label), row) in T3_ROWS.iter().zip(t) {
        let short: String = label.chars().take(19).collect();
        let values: String = row
            .iter()
            .zip(T3_COLUMNS.iter())
            .map(|(v, (col, _))| {
                let path = || format!("table3.{row_key}.{col}");
                rpad(&marked(*v, path, corrected), COL)
            })
            .collect();
        writeln!(out, "  {}{values}", pad(&short, LABEL))?;
    }
    Ok(())
}

fn write_table4(out: &mut impl Write, t: &Table4, corrected: &HashSet<String>) -> io::Result<()> {
    writeln!(out, "\n四、政府信息公开行政复议、行政诉讼情况")?;
    let header: String = T4_OUTCOMES.iter().map(|(_, l)| rpad(l, 10)).collect();
    writeln!(out, "  {}{header}", pad("", 28))?;
    for ((group, label), row) in T4_GROUPS.iter().zip(t) {
        let values: String = row
            .iter()
            .zip(T4_OUTCOMES.iter())
            .map(|(v, (outcome, _))| {
                let path = || format!("table4.{group}.{outcome}");
                rpad(&marked(*v, path, corrected), 10)
            })
            .collect();
        writeln!(out, "  {}{values}", pad(label, 28))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use nianbao_model::document::Loc;
    use nianbao_model::report::{Num, OcrMark, Source};

    fn read_by_ocr(report: &mut Report, path: &str, corrected: bool) {
        report.sources.insert(
            path.into(),
            Source {
                loc: Loc::Page {
                    page: 2,
                    row: 1,
                    col: 1,
                },
                printed: "7".into(),
                ocr: Some(OcrMark {
                    page: 2,
                    bbox: [1, 2, 3, 4],
                    confidence: 0.875,
                    corrected,
                    narrative: false,
                }),
            },
        );
    }

    #[test]
    fn the_summary_marks_values_the_identities_corrected_and_says_how_ocr_read() {
        let mut report = Report {
            table4: Some([[None; 5]; 3]),
            ..Report::default()
        };
        if let Some(t) = report.table4.as_mut() {
            t[0][0] = Some(Num::Int(7));
            t[0][1] = Some(Num::Int(7));
        }
        read_by_ocr(&mut report, "table4.review.upheld", true);
        read_by_ocr(&mut report, "table4.review.corrected", false);
        let mut out = Vec::new();
        write_summary(&mut out, "scan", &report).expect("write");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(
            text.contains(" 7*"),
            "the corrected value is marked: {text}"
        );
        assert_eq!(text.matches("7*").count(), 1, "{text}");
        assert!(
            text.contains("OCR: 2 value(s) read from the page images of page(s) 2; least confidence 0.8750; 1 chosen"),
            "{text}"
        );
    }

    #[test]
    fn a_report_read_from_text_has_no_ocr_line() {
        let mut out = Vec::new();
        write_summary(&mut out, "text", &Report::default()).expect("write");
        assert!(!String::from_utf8_lossy(&out).contains("OCR:"));
    }
}
