//! `nianbao parse`: exact values on the shared corpus and on the project's own fixtures, the
//! JSON contract, exit codes and batches, and no panic on any input.

use std::path::Path;

use proptest::prelude::*;
use serde_json::Value;

use crate::util::{
    bin, describe, diff, expected_files, read_json, root, run, shared_corpus, source_of,
};

const COMPARED: [&str; 6] = ["template", "year", "body", "table2", "table3", "table4"];

fn parse_json(file: &Path) -> Value {
    let out = run(bin().args(["parse", "--json"]).arg(file));
    assert!(
        out.status.success(),
        "parse {} failed\n{}",
        file.display(),
        describe(&out)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not one JSON object: {e}\n{}", describe(&out)))
}

/// Compare one report with its expected file; returns the differences.
pub(crate) fn check_expected(expected: &Path, source: &Path) -> Vec<String> {
    let want = read_json(expected);
    let got = parse_json(source);
    let mut problems = diff(&got, &want, &COMPARED);
    let rules: Vec<(&str, &str)> = got["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| {
                    (
                        f["rule"].as_str().unwrap_or(""),
                        f["severity"].as_str().unwrap_or(""),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let must: Vec<&str> = want["expect_findings"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let known: Vec<&str> = want["known_inconsistencies"]
        .as_array()
        .map(|a| a.iter().filter_map(|k| k["rule"].as_str()).collect())
        .unwrap_or_default();
    // A broken rule must be an error or warning (info means "not checkable"); a parse finding
    // (P-…) may be informational, like a unit recorded as printed.
    for rule in must.iter().chain(&known) {
        let serious = |s: &str| s == "error" || s == "warning" || rule.starts_with("P-");
        if !rules.iter().any(|(r, s)| r == rule && serious(s)) {
            problems.push(format!("expected a {rule} finding, got {rules:?}"));
        }
    }
    // Rules that hold in the expected values must not be reported broken.
    for (r, s) in &rules {
        if *s == "error" && r.starts_with('T') && !known.contains(r) && !must.contains(r) {
            problems.push(format!("unexpected broken rule {r}: {}", got["findings"]));
        }
    }
    problems
        .into_iter()
        .map(|p| format!("{}: {p}", source.display()))
        .collect()
}

fn check_all(dir: &Path, exts: &[&str]) -> (usize, Vec<String>) {
    let mut checked = 0;
    let mut problems = Vec::new();
    for expected in expected_files(dir) {
        let Some(source) = source_of(&expected, exts) else {
            continue;
        };
        checked += 1;
        problems.extend(check_expected(&expected, &source));
    }
    (checked, problems)
}

#[test]
fn shared_corpus_pdf_reports_give_their_expected_values_and_flag_their_breaks() {
    let Some(dir) =
        shared_corpus("shared_corpus_pdf_reports_give_their_expected_values_and_flag_their_breaks")
    else {
        return;
    };
    let (checked, problems) = check_all(&dir, &["pdf", "docx"]);
    assert!(
        checked >= 3,
        "only {checked} PDF reports with an expected file in {}",
        dir.display()
    );
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn shared_corpus_html_and_text_reports_give_their_expected_values() {
    let Some(dir) = shared_corpus("shared_corpus_html_and_text_reports_give_their_expected_values")
    else {
        return;
    };
    let (checked, problems) = check_all(&dir, &["txt", "html", "htm"]);
    assert!(
        checked >= 1,
        "no HTML or text report with an expected file in {}",
        dir.display()
    );
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn own_fixtures_give_their_expected_values_and_findings() {
    let dir = root().join("tests/fixtures/parse");
    let exts = ["txt", "html", "htm", "ofd", "xlsx", "xls", "et", "ods"];
    let (checked, problems) = check_all(&dir, &exts);
    assert!(
        checked >= 5,
        "only {checked} fixtures found in {}",
        dir.display()
    );
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn json_has_exactly_the_contract_keys() {
    let Some(dir) = shared_corpus("json_has_exactly_the_contract_keys") else {
        return;
    };
    let got = parse_json(&dir.join("seed/guigang-2021.txt"));
    let keys: Vec<&str> = got
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        keys,
        ["schema", "template", "year", "body", "table2", "table3", "table4", "findings"]
    );
    assert_eq!(got["schema"], 1);
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", p.display()));
    p
}

#[test]
fn a_page_that_is_not_a_report_gives_null_tables_and_a_finding() {
    let dir = tempfile::tempdir().expect("temp dir");
    let page = write(dir.path(), "news.html", "<html><body><p>关于召开会议的通知</p><table><tr><td>时间</td><td>地点</td></tr></table></body></html>".as_bytes());
    let got = parse_json(&page);
    assert_eq!(got["table3"], Value::Null);
    let rules: Vec<&str> = got["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(rules.contains(&"P-TABLE-MISSING"), "{rules:?}");
}

#[test]
fn a_batch_goes_on_after_an_unreadable_file_and_exits_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = write(
        dir.path(),
        "a.txt",
        "一、本年新收政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n".as_bytes(),
    );
    let missing = dir.path().join("missing.html");
    let out = run(bin().args(["parse", "--json"]).arg(&missing).arg(&good));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("missing.html"),
        "the error names the file: {stderr}"
    );
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout)
        .expect("utf-8")
        .lines()
        .collect();
    assert_eq!(lines.len(), 1, "one JSON line for the readable file");
    let v: Value = serde_json::from_str(lines[0]).expect("json");
    assert_eq!(v["table3"]["new_received"]["total"], 1);
}

#[test]
fn a_legacy_word_file_is_named_in_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ole = write(
        dir.path(),
        "report.doc",
        &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0],
    );
    let out = run(bin().args(["parse"]).arg(&ole));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("report.doc"));
}

#[test]
fn usage_errors_exit_2() {
    let out = run(bin().args(["parse"]));
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
}

#[test]
fn summary_shows_tables_and_findings() {
    let Some(dir) = shared_corpus("summary_shows_tables_and_findings") else {
        return;
    };
    let out = run(bin().arg("parse").arg(dir.join("seed/guigang-2021.txt")));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", describe(&out));
    for needle in [
        "template: 2021",
        "year: 2021",
        "1200631",
        "结转下年度继续办理",
        "findings: 0 error(s)",
    ] {
        assert!(text.contains(needle), "summary lacks {needle}:\n{text}");
    }
}

fn arb_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[0-9]{1,4}",
        Just("&nbsp;".to_string()),
        Just("（三）不予公开".to_string()),
        Just("1.属于国家秘密".to_string()),
        Just("总计".to_string()),
        Just("-".to_string()),
        "[a-z<>/\"=; ]{0,8}",
    ]
}

fn arb_table() -> impl Strategy<Value = String> {
    let cell = (
        arb_cell(),
        0u32..5,
        prop_oneof![Just(String::new()), "[0-9;x ]{0,4}"],
        "[0-9]{0,6}",
    )
        .prop_map(|(text, kind, span, rs)| {
            let tag = if kind == 0 { "th" } else { "td" };
            format!("<{tag} colspan=\"{span}\" rowspan=\"{rs}\">{text}</{tag}>")
        });
    prop::collection::vec(prop::collection::vec(cell, 0..10), 0..30).prop_map(|rows| {
        let body: String = rows.iter().map(|r| format!("<tr>{}", r.concat())).collect();
        format!("<html><body><p>三、收到和处理政府信息公开申请情况</p><table>{body}</table><p>四、政府信息公开行政复议、行政诉讼情况</p></body></html>")
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = nianbao_parser::parse_bytes(&bytes, "arbitrary", None);
    }

    #[test]
    fn no_panic_on_arbitrary_html_tables(html in arb_table()) {
        let report = nianbao_parser::parse_bytes(html.as_bytes(), "arbitrary", None).expect("HTML is always readable");
        prop_assert!(report.to_json().is_object());
    }

    #[test]
    fn no_panic_on_arbitrary_text_layouts(lines in prop::collection::vec(prop_oneof![arb_cell(), Just("|".to_string()), "[^\n]{0,20} \\|+"], 0..80)) {
        let text = lines.join("\n");
        let _ = nianbao_parser::parse_bytes(text.as_bytes(), "arbitrary", None);
    }
}

/// A page wrapped in portal chrome: an ASCII link list after `<body>` and before `</body>`.
fn with_portal_chrome(page: &str) -> String {
    let nav: String = (0..300)
        .map(|i| format!("<li><a href=\"/col_{i}/index.shtml\">column {i}</a></li>"))
        .collect();
    let nav = format!("<div class=\"nav\"><ul>{nav}</ul></div>");
    let body_open = page
        .find("<body")
        .and_then(|b| page[b..].find('>').map(|e| b + e + 1))
        .unwrap_or(0);
    let body_close = page.rfind("</body>").unwrap_or(page.len()).max(body_open);
    format!(
        "{}{nav}{}{nav}{}",
        &page[..body_open],
        &page[body_open..body_close],
        &page[body_close..]
    )
}

#[test]
fn the_content_window_reads_like_the_whole_page() {
    use nianbao_parser::{html, report_from_document};
    let dir = root().join("tests/fixtures/parse");
    let mut windowed = 0;
    for expected in expected_files(&dir) {
        let Some(source) = source_of(&expected, &["html"]) else {
            continue;
        };
        let bytes = std::fs::read(&source).expect("fixture");
        let page = with_portal_chrome(&nianbao_parser::decode::decode_html(&bytes, None).text);
        windowed += usize::from(html::content_window(&page).is_some());
        let whole = report_from_document(&html::read_whole(&page)).to_json();
        let cropped = report_from_document(&html::read_html(&page)).to_json();
        let d = diff(
            &cropped,
            &whole,
            &["template", "year", "body", "table2", "table3", "table4"],
        );
        assert!(
            d.is_empty(),
            "{}: window and whole page differ:\n{}",
            source.display(),
            d.join("\n")
        );
        let want = read_json(&expected);
        let d = diff(&cropped, &want, &COMPARED);
        assert!(
            d.is_empty(),
            "{}: wrapped in chrome, values differ:\n{}",
            source.display(),
            d.join("\n")
        );
    }
    assert!(
        windowed >= 5,
        "the window applied to only {windowed} wrapped fixtures"
    );
}

/// A text layer that lost its cell separators: spaces between cells, and one row where two
/// neighbouring numbers ran together ("1124" for 112 | 4).
const GLUED: &str = "某市2022年政府信息公开工作年度报告\n\
三、收到和处理政府信息公开申请情况\n\
一、本年新收政府信息公开申请数量 150 5 0 1 0 1 157\n\
二、上年结转政府信息公开申请数量 2 0 0 0 0 0 2\n\
(一)予以公开 1124 0 1 0 1 118\n\
(七)总计 141 4 0 1 0 1 147\n\
四、结转下年度继续办理 11 1 0 0 0 0 12\n\
四、政府信息公开行政复议、行政诉讼情况\n\
1 0 0 0 1 0 0 0 0 0 0 0 0 0 0\n";

#[test]
fn run_together_digits_are_read_only_when_the_totals_allow_one_reading() {
    let report = nianbao_parser::parse_bytes(GLUED.as_bytes(), "glued.txt", None).expect("text");
    let v = report.to_json();
    let granted: Vec<i64> = (0..7)
        .map(|c| {
            v["table3"]["granted"][nianbao_model::template::T3_COLUMNS[c].0]
                .as_i64()
                .expect("a value")
        })
        .collect();
    assert_eq!(granted, [112, 4, 0, 1, 0, 1, 118]);
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(rules.contains(&"P-RECONSTRUCTED"), "{rules:?}");
    assert_eq!(v["table4"]["review"]["total"], 1);
    assert_eq!(v["table3"]["new_received"]["total"], 157);

    // Two readings add up ("111" with total 12): nothing is chosen.
    let ambiguous = GLUED.replace(
        "(一)予以公开 1124 0 1 0 1 118",
        "(一)予以公开 111 0 0 0 0 12",
    );
    let report =
        nianbao_parser::parse_bytes(ambiguous.as_bytes(), "ambiguous.txt", None).expect("text");
    assert_eq!(
        report.to_json()["table3"]["granted"]["total"],
        serde_json::Value::Null
    );
    assert!(report
        .findings
        .iter()
        .any(|f| f.rule == "P-VALUE-COUNT" && f.message.contains("2 readings")));
}

/// The parser's light markup reader builds the tree html5ever builds for every page of the
/// demo archive it accepts, and accepts every demo report page (the parse benchmark's corpus is
/// made of them). Lives here because reading the archive needs SQLite, which the parser crate
/// must not depend on.
#[test]
fn markup_reader_reads_the_demo_archive_as_html5ever_does() {
    use nianbao_archive::{entry_payload, Archive, PageKind};
    use nianbao_parser::html::differential::{differential, markup_accepts};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo");
    let archive = Archive::open(&dir).expect("demo archive");
    let (mut reports, mut accepted, mut pieces, mut pieces_accepted) = (0, 0, 0, 0);
    for entry in archive.all_pages().expect("entries") {
        if entry.file_type != "html" {
            continue;
        }
        let Ok(bytes) = entry_payload(&entry) else {
            continue;
        };
        let text = nianbao_parser::decode::decode_html(&bytes, entry.http_charset.as_deref()).text;
        let (a, n) = differential(&text, &entry.target.url);
        (pieces_accepted, pieces) = (pieces_accepted + a, pieces + n);
        if entry.target.kind == PageKind::Report {
            reports += 1;
            accepted += usize::from(markup_accepts(&text));
        }
    }
    eprintln!(
        "markup reader: {accepted}/{reports} demo report pages, {pieces_accepted}/{pieces} pieces"
    );
    assert!(reports >= 80, "{reports}");
    assert_eq!(accepted, reports);
}
