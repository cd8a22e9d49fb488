//! `nianbao show` and `nianbao extract` on the demo: a report as printed from an output set
//! and from the archive (the same tables either way, the archive untouched), its source and
//! coverage, the choices when a city has several reports in a year; the captured bytes of a
//! page and of an attachment out of the WARC, checked by their digests.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::util::{bin, copy_dir, describe, listing, root, run};

fn demo() -> PathBuf {
    root().join("data/demo")
}

/// `harvest --replay data/demo` into `out`.
fn harvest(out: &Path) {
    let o = run(bin()
        .args(["harvest", "--quiet", "--no-report", "--replay"])
        .arg(demo())
        .arg("--out")
        .arg(out));
    assert!(o.status.success(), "{}", describe(&o));
}

fn show(args: &[&str], from: &Path) -> Output {
    run(bin().arg("show").args(args).arg("--from").arg(from))
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON: {e}\n{}", describe(o)))
}

#[test]
fn show_prints_a_report_as_printed_with_its_source_and_coverage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    harvest(&out);

    // With or without 市, the same report: tables in parse's layout, source, coverage.
    let o = show(&["贵港", "2021"], &out);
    assert_eq!(code(&o), 0, "{}", describe(&o));
    let text = stdout(&o);
    for want in [
        "== 贵港市 2021",
        "三、收到和处理政府信息公开申请情况",
        "本年新收政府信息公开申请数量",
        "287",
        "四、政府信息公开行政复议、行政诉讼情况",
        "data origin  published",
        "WARC record  <urn:uuid:",
        "coverage:",
        "status: found",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    assert_eq!(stdout(&show(&["贵港市", "2021"], &out)), text);
    assert_eq!(stdout(&show(&["450800", "2021"], &out)), text, "by adcode");

    // JSON: the contract object, its findings in Chinese too, the capture it was read from.
    let j = json(&show(&["贵港", "2021", "--json"], &out));
    assert_eq!(j["table3"]["new_received"]["total"], 287);
    assert_eq!(j["capture"]["data_origin"], "published");
    assert_eq!(j["city"], "贵港市");
    let sha = j["capture"]["sha256"].as_str().expect("sha256").to_string();
    assert_eq!(sha.len(), 64);

    // CSV: the report's rows of cells.csv, the same bytes as there.
    let o = show(&["贵港", "2021", "--csv"], &out);
    let csv_text = String::from_utf8(o.stdout.clone()).expect("utf-8");
    let csv_text = csv_text.strip_prefix('\u{feff}').expect("a BOM");
    let all = std::fs::read_to_string(out.join("cells.csv")).expect("cells.csv");
    let mut lines = csv_text.lines();
    let header = lines.next().expect("header");
    assert!(all.starts_with(&format!("\u{feff}{header}")));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 10 + 26 * 7 + 15, "table 二 (2021), 三 and 四");
    assert!(rows.iter().all(|r| all.contains(r) && r.contains(&sha)));

    // The set's coverage row of the city-year is shown with its level and status.
    assert!(
        text.contains("level: 市政府本级") && text.contains("status: found"),
        "{text}"
    );
}

/// A `coverage` table as an aggregation writes it (city, year, body, status, reason).

#[test]
fn show_lists_the_choices_when_a_city_has_several_reports_and_says_what_is_missing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    harvest(&out);

    let o = show(&["南宁", "2023"], &out);
    assert_eq!(code(&o), 2, "{}", describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("南宁市 has 6 reports for 2023"), "{err}");
    assert!(
        err.contains("--body 南宁市 ") && err.contains("--body 南宁市财政局"),
        "{err}"
    );
    assert!(o.stdout.is_empty());

    let o = show(&["南宁", "2023", "--body", "财政局"], &out);
    assert_eq!(code(&o), 0, "{}", describe(&o));
    assert!(stdout(&o).contains("== 南宁市 2023 南宁市财政局"));
    assert!(stdout(&o).contains("not the city government's own report"));

    let o = show(&["南宁", "2030"], &out);
    assert_eq!(code(&o), 1, "{}", describe(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("its years: 2019–2024"));

    let o = run(bin()
        .args(["show", "贵港", "2021", "--from"])
        .arg(dir.path().join("nothing")));
    assert_eq!(code(&o), 2, "{}", describe(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no output set"));
}

#[test]
fn show_from_the_archive_reads_the_same_report_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    harvest(&out);
    let archive = dir.path().join("demo");
    copy_dir(&demo(), &archive);
    let before = listing(&archive);

    let from_set = json(&show(&["贵港", "2021", "--json"], &out));
    let o = run(bin()
        .args(["show", "贵港市", "2021", "--json", "--archive"])
        .arg(&archive));
    assert_eq!(code(&o), 0, "{}", describe(&o));
    let from_archive = json(&o);
    for key in [
        "template", "year", "body", "table2", "table3", "table4", "capture",
    ] {
        assert_eq!(from_archive[key], from_set[key], "{key}");
    }
    assert!(from_archive["coverage"]["unavailable"].is_string());
    // A scan attached to a department's report is that report's finding, in Chinese too.
    let o = run(bin()
        .args([
            "show",
            "梧州",
            "2023",
            "--body",
            "审计局",
            "--json",
            "--archive",
        ])
        .arg(&archive));
    let j = json(&o);
    let scan = j["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule"] == "P-SCAN")
        .unwrap_or_else(|| panic!("no P-SCAN: {j}"));
    assert!(
        scan["message_zh"]
            .as_str()
            .is_some_and(|m| m.contains("扫描件")),
        "{scan}"
    );
    assert_eq!(j["body"], "梧州市审计局");
    assert_eq!(listing(&archive), before, "the archive was written to");
}

/// `extract` of the capture `which` (`--record ID` or `--url URL`) of the demo, into a file.
fn extract(which: &[&str], extra: &[&str], to: &Path) -> Output {
    run(bin()
        .arg("extract")
        .arg("--archive")
        .arg(demo())
        .args(which)
        .args(extra)
        .arg("-o")
        .arg(to))
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn extract_writes_the_captured_bytes_of_a_page_and_an_attachment_as_their_digests_say() {
    use nianbao_archive::warc::sha1_base32;
    use nianbao_archive::{entry_record, Archive, Capture, PageKind};
    let archive = Archive::open(&demo()).expect("demo archive");
    let entries = archive.entries().expect("entries");
    let page = entries
        .iter()
        .find(|e| e.target.kind == PageKind::Report)
        .expect("a report page");
    let attachment = entries
        .iter()
        .find(|e| e.target.kind == PageKind::Attachment && e.file_type == "pdf")
        .expect("a PDF attachment");
    let dir = tempfile::tempdir().expect("temp dir");
    for (entry, which) in [
        (page, vec!["--record", page.record_id.as_str()]),
        (attachment, vec!["--url", attachment.target.url.as_str()]),
    ] {
        let record = entry_record(entry).expect("record");
        let payload_digest = record
            .field("WARC-Payload-Digest")
            .expect("a payload digest");
        let to = dir.path().join("captured");
        let o = extract(&which, &[], &to);
        assert_eq!(code(&o), 0, "{}", describe(&o));
        let bytes = std::fs::read(&to).expect("written");
        assert_eq!(sha256_hex(&bytes), entry.sha256, "{}", entry.target.url);
        // Sent without a Content-Encoding, the body as sent is the same bytes.
        let o = extract(&which, &["--raw"], &to);
        assert_eq!(code(&o), 0, "{}", describe(&o));
        let raw = std::fs::read(&to).expect("written");
        assert_eq!(sha1_base32(&raw), payload_digest, "{}", entry.target.url);
        let o = extract(&which, &[], Path::new("-"));
        assert_eq!(o.stdout, bytes, "-o - writes the same bytes to stdout");
        // The record ID bare, without <urn:uuid:…>, finds the same capture.
        let bare = entry
            .record_id
            .trim_matches(['<', '>'])
            .trim_start_matches("urn:uuid:");
        let found = archive
            .find_capture(&Capture::Record(bare.to_string()))
            .expect("query");
        assert_eq!(found.map(|e| e.record_id), Some(entry.record_id.clone()));
    }
    assert!(
        attachment_is_a_pdf(&std::fs::read(dir.path().join("captured")).expect("read")),
        "the attachment's bytes open as a PDF"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["captured"], "no temporary file left");
}

fn attachment_is_a_pdf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"%PDF-")
}

#[test]
fn extract_of_an_unknown_capture_is_a_usage_error_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let to = dir.path().join("x");
    let o = extract(
        &[
            "--record",
            "<urn:uuid:00000000-0000-0000-0000-000000000000>",
        ],
        &[],
        &to,
    );
    assert_eq!(code(&o), 2, "{}", describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no capture with the record ID <urn:uuid:00000000"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!to.exists());
    let o = extract(&["--url", "http://127.0.0.1/none"], &[], &to);
    assert_eq!(code(&o), 2, "{}", describe(&o));
    let o = run(bin()
        .args(["extract", "--record", "x", "-o"])
        .arg(&to)
        .arg("--archive")
        .arg(dir.path().join("no-archive")));
    assert_eq!(code(&o), 3, "{}", describe(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no such folder"));
}
