//! PDF reader: the row/value contract on the real corpus (../shared/corpus/pdf, skipped when
//! absent), self-made fixtures, and no panic on arbitrary or damaged input.

use std::path::PathBuf;

use nianbao_model::document::{Block, Document};
use nianbao_model::template::{
    table2_items, Template, T3_COLUMNS, T3_ROWS, T4_GROUPS, T4_OUTCOMES,
};
use nianbao_parser::pdf::{read_pdf, read_pdf_with, PdfError, PdfOptions};
use proptest::prelude::*;
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

use crate::fixtures;

fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/pdf");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "skipping: {} is absent (the shared corpus is not part of the repository)",
            dir.display()
        );
        None
    }
}

/// A value cell as the mapper classifies it: a number, blank, `-`, `—`, `/` or `无`.
fn is_value(text: &str) -> bool {
    let t = text.trim();
    t.is_empty()
        || matches!(t, "-" | "—" | "/" | "无")
        || (t.chars().any(|c| c.is_ascii_digit())
            && t.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '+' | '-')))
}

/// NFKC, whitespace removed: the mapper's label normalisation (numbering is irrelevant here
/// because labels are matched by containment).
fn norm(s: &str) -> String {
    s.nfkc().filter(|c| !c.is_whitespace()).collect()
}

fn lcs(a: &[char], b: &[char]) -> usize {
    let mut prev = vec![0; b.len() + 1];
    for &x in a {
        let mut cur = vec![0; b.len() + 1];
        for (j, &y) in b.iter().enumerate() {
            cur[j + 1] = if x == y {
                prev[j] + 1
            } else {
                prev[j + 1].max(cur[j])
            };
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The printed label contains the template label, allowing a few glyphs dropped by the
/// producer ("其他法律行政止公开").
fn label_matches(printed: &str, label: &str) -> bool {
    let (p, l) = (norm(printed), norm(label));
    if p.contains(&l) {
        return true;
    }
    let (pc, lc): (Vec<char>, Vec<char>) = (p.chars().collect(), l.chars().collect());
    let common = lcs(&pc, &lc);
    lc.len() >= 6
        && common + 3 >= lc.len()
        && common * 10 >= lc.len() * 7
        && pc.len() <= lc.len() + 8
}

/// (label text, value cells) of every row.
fn rows(doc: &Document) -> Vec<(String, Vec<String>)> {
    doc.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Row { cells } => {
                let label: String = cells
                    .iter()
                    .filter(|c| !is_value(&c.text))
                    .map(|c| c.text.as_str())
                    .collect();
                let values = cells
                    .iter()
                    .filter(|c| is_value(&c.text))
                    .map(|c| c.text.trim().to_string())
                    .collect();
                Some((label, values))
            }
            Block::Line { .. } => None,
        })
        .collect()
}

fn value_eq(printed: &str, expected: &Value) -> bool {
    match expected {
        Value::Null => printed.is_empty(),
        Value::Number(n) => printed.replace(',', "").parse::<f64>().ok() == n.as_f64(),
        _ => false,
    }
}

fn values_eq(printed: &[String], expected: &[&Value]) -> bool {
    printed.len() == expected.len() && printed.iter().zip(expected).all(|(p, e)| value_eq(p, e))
}

/// Checks the contract the template mapper relies on; returns the failures.
fn contract_failures(doc: &Document, expected: &Value) -> Vec<String> {
    let rows = rows(doc);
    let mut failures = Vec::new();
    let template = Template::parse(expected["template"].as_str().unwrap_or("")).expect("template");
    let t3 = &expected["table3"];
    let other_items_printed = [
        "other_overdue_correction",
        "other_unpaid_fee",
        "other_other",
    ]
    .iter()
    .any(|k| {
        t3[k]
            .as_object()
            .is_some_and(|o| o.values().any(|v| !v.is_null()))
    });
    for (key, label) in T3_ROWS {
        let want: Vec<&Value> = T3_COLUMNS.iter().map(|(c, _)| &t3[key][c]).collect();
        if want.iter().all(|v| v.is_null()) || (key == "other_handling" && other_items_printed) {
            continue; // not printed, or derived from printed rows
        }
        if !rows
            .iter()
            .any(|(l, v)| label_matches(l, label) && values_eq(v, &want))
        {
            failures.push(format!("表三 {key} ({label}): no row with values {want:?}"));
        }
    }
    let t4 = &expected["table4"];
    let want: Vec<&Value> = T4_GROUPS
        .iter()
        .flat_map(|(g, _)| T4_OUTCOMES.iter().map(move |(o, _)| &t4[g][o]))
        .collect();
    if !rows.iter().any(|(_, v)| values_eq(v, &want)) {
        failures.push(format!("表四: no row with the 15 values {want:?}"));
    }
    for item in table2_items(template) {
        let Some(got) = expected["table2"].get(item.key) else {
            continue;
        };
        let want: Vec<&Value> = item.measures.iter().map(|(m, _)| &got[m]).collect();
        let found = rows.iter().any(|(l, v)| {
            item.labels
                .iter()
                .any(|lab| norm(l).trim_start_matches(char::is_numeric) == norm(lab))
                && values_eq(v, &want)
        });
        if !found {
            failures.push(format!(
                "表二 {}: no row labelled {:?} with values {want:?}",
                item.key, item.labels
            ));
        }
    }
    failures
}

fn check_corpus(name: &str) {
    check_corpus_with(name, &PdfOptions::default());
}

fn check_corpus_with(name: &str, options: &PdfOptions) {
    let Some(dir) = corpus_dir() else { return };
    let bytes = std::fs::read(dir.join(format!("{name}.pdf"))).expect("read pdf");
    let expected: Value = serde_json::from_slice(
        &std::fs::read(dir.join(format!("{name}.expected.json"))).expect("read expected"),
    )
    .expect("expected json");
    let doc = read_pdf_with(&bytes, options).expect("read_pdf");
    let failures = contract_failures(&doc, &expected);
    assert!(
        failures.is_empty(),
        "{name}: {} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn corpus_huaian_2024_rows_match_expected() {
    check_corpus("huaian-2024");
}

#[test]
fn corpus_huaian_hongze_2023_rows_match_expected() {
    check_corpus("huaian-hongze-2023");
}

#[test]
fn corpus_huaian_hongze_2024_rows_match_expected() {
    check_corpus("huaian-hongze-2024");
}

/// The spacing-only fallback, checked on real layouts: the corpus read as if it had no rulings
/// (wrapped labels, values centred between label lines, the vertical 三、本年度办理结果,
/// blank-free value columns) still meets the contract.
#[test]
fn corpus_rows_match_expected_without_rulings() {
    let options = PdfOptions {
        ignore_rulings: true,
    };
    for name in ["huaian-2024", "huaian-hongze-2023", "huaian-hongze-2024"] {
        check_corpus_with(name, &options);
    }
}

#[test]
fn corpus_label_split_by_page_break_is_rejoined() {
    let Some(dir) = corpus_dir() else { return };
    let doc = read_pdf(&std::fs::read(dir.join("huaian-2024.pdf")).unwrap()).unwrap();
    let rows = rows(&doc);
    assert!(
        rows.iter().any(|(l, _)| norm(l).contains("(四)无法提供")),
        "（四）无法提供 split over pages 4/5"
    );
    assert!(!rows.iter().any(|(l, _)| norm(l).starts_with("法提供")));
}

#[test]
fn corpus_headings_are_lines() {
    let Some(dir) = corpus_dir() else { return };
    let doc = read_pdf(&std::fs::read(dir.join("huaian-hongze-2024.pdf")).unwrap()).unwrap();
    let lines: Vec<&str> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Line { text, .. } => Some(text.as_str()),
            Block::Row { .. } => None,
        })
        .collect();
    for heading in [
        "一、总体情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ] {
        assert!(
            lines.iter().any(|l| norm(l) == norm(heading)),
            "heading {heading} missing"
        );
    }
    assert!(
        !lines.iter().any(|l| norm(l) == "-3-"),
        "page numbers are dropped"
    );
    assert_eq!(doc.title.as_deref(), Some("政府信息公开工作年度报告"));
}

#[test]
fn corpus_damaged_files_do_not_panic() {
    let Some(dir) = corpus_dir() else { return };
    let bytes = std::fs::read(dir.join("huaian-hongze-2023.pdf")).unwrap();
    for cut in [
        10,
        1000,
        bytes.len() / 3,
        bytes.len() / 2,
        bytes.len() - 100,
    ] {
        let _ = read_pdf(&bytes[..cut]);
    }
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..20 {
        let mut damaged = bytes.clone();
        for _ in 0..50 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let i = (rng % damaged.len() as u64) as usize;
            damaged[i] = (rng >> 32) as u8;
        }
        let _ = read_pdf(&damaged);
    }
}

#[test]
fn rejects_non_pdf_input_by_name() {
    assert!(matches!(
        read_pdf(b"<html></html>"),
        Err(PdfError::NotPdf(_))
    ));
    assert!(matches!(
        read_pdf(&fixtures::ole_doc()),
        Err(PdfError::NotPdf(nianbao_parser::sniff::Format::Ole))
    ));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_pdf(&bytes);
        let mut pdf = b"%PDF-1.4\n".to_vec();
        pdf.extend_from_slice(&bytes);
        let _ = read_pdf(&pdf);
    }
}

#[test]
fn fixture_table3_rows_and_cells() {
    let doc = read_pdf(&fixtures::pdf_table3()).expect("fixture reads");
    assert_eq!(
        doc.outline(),
        vec![
            "LINE 政府信息公开工作年度报告",
            "LINE 三、收到和处理政府信息公开申请情况",
            "一、本年新收政府信息公开申请数量 | 10 | 1 | 0 | 0 | 0 | 0 | 11",
            "三、本年度办理结果 | （一）予以公开 | 4 | 0 | 0 | 0 | 0 | 0 | 4",
            "（三）不予公开 | 1.属于国家秘密 | 1 |  |  |  |  |  | 1",
            "2.其他法律行政法规禁止公开 | 0 | - | — | / | 无 | 0 | 0",
            "4.无正当理由大量反复 申请 | 2 | 0 | 0 | 0 | 0 | 0 | 2",
            "（六）其他处理 | 0 | 0 | 0 | 0 | 0 | 0 | 0",
            "（七）总计 | 7 | 0 | 0 | 0 | 0 | 0 | 7",
            "四、结转下年度继续办理 | 3 | 1 | 0 | 0 | 0 | 0 | 4",
            "LINE 四、政府信息公开行政复议、行政诉讼情况",
            "1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15",
        ]
    );
    assert_eq!(doc.title.as_deref(), Some("Fixture report"));
    // Rows count every visual block of the page, the dropped running header included.
    let Block::Row { cells } = &doc.blocks[3] else {
        panic!("row")
    };
    assert_eq!(
        cells[2].loc,
        nianbao_model::document::Loc::Page {
            page: 1,
            row: 5,
            col: 4
        }
    );
}

#[test]
fn fixture_scan_is_reported_as_image_only() {
    let err = read_pdf(&fixtures::pdf_scan()).unwrap_err();
    assert!(
        matches!(
            err,
            PdfError::ImageOnly {
                pages: 1,
                images: 1
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("OCR"));
}

#[test]
fn fixture_truncated_and_mutated_never_panic() {
    let bytes = fixtures::pdf_table3();
    for cut in (0..bytes.len()).step_by(97) {
        let _ = read_pdf(&bytes[..cut]);
    }
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..200 {
        let mut damaged = bytes.clone();
        for _ in 0..8 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let i = (rng % damaged.len() as u64) as usize;
            damaged[i] = (rng >> 40) as u8;
        }
        let _ = read_pdf(&damaged);
    }
}

#[test]
fn fixture_unruled_table_uses_gaps() {
    let doc = read_pdf(&fixtures::pdf_table3_unruled()).expect("fixture reads");
    assert_eq!(
        doc.outline(),
        vec![
            "LINE 政府信息公开工作年度报告",
            "LINE 三、收到和处理政府信息公开申请情况",
            "一、本年新收政府信息公开申请数量 | 10 | 1 | 0 | 0 | 0 | 0 | 11",
            "三、本年度办理结果 | （一）予以公开 | 4 | 0 | 0 | 0 | 0 | 0 | 4",
            "1.属于国家秘密 | 1 |  |  |  |  |  | 1",
            "LINE （三）不予公开",
            "2.其他法律行政法规禁止公开 | 0 | - | — | / | 无 | 0 | 0",
            "4.无正当理由大量反复 申请 | 2 | 0 | 0 | 0 | 0 | 0 | 2",
            "（六）其他处理 | 0 | 0 | 0 | 0 | 0 | 0 | 0",
            "（七）总计 | 7 | 0 | 0 | 0 | 0 | 0 | 7",
            "四、结转下年度继续办理 | 3 | 1 | 0 | 0 | 0 | 0 | 4",
            "LINE 四、政府信息公开行政复议、行政诉讼情况",
            "1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15",
        ]
    );
}

#[test]
fn fixture_vertical_font_label_stays_in_its_cell() {
    let doc = read_pdf(&fixtures::pdf_vertical_label()).expect("fixture reads");
    assert_eq!(
        doc.outline(),
        vec![
            "三、本年度办理结果 | （一）予以公开 | 1 | 2 | 3 | 4 | 5 | 6 | 21",
            "（二）部分公开 | 1 | 2 | 3 | 4 | 5 | 6 | 21",
            "（七）总计 | 1 | 2 | 3 | 4 | 5 | 6 | 21",
            "四、结转 | 1 | 2 | 3 | 4 | 5 | 6 | 21",
        ]
    );
}

/// Differential check against poppler's `pdftotext` where it is installed: both must see the
/// same CJK characters (as multisets, up to a small difference) in each corpus PDF.
#[test]
fn corpus_characters_agree_with_pdftotext() {
    let Some(dir) = corpus_dir() else { return };
    let probe = std::process::Command::new("pdftotext").arg("-v").output();
    if probe.is_err() {
        println!("skipping: pdftotext (poppler-utils) is not installed");
        return;
    }
    for name in ["huaian-2024", "huaian-hongze-2023", "huaian-hongze-2024"] {
        let path = dir.join(format!("{name}.pdf"));
        let out = std::process::Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
            .expect("pdftotext runs");
        let theirs = String::from_utf8_lossy(&out.stdout).into_owned();
        let doc = read_pdf(&std::fs::read(&path).unwrap()).unwrap();
        let mut ours = String::new();
        for b in &doc.blocks {
            match b {
                Block::Line { text, .. } => ours.push_str(text),
                Block::Row { cells } => cells.iter().for_each(|c| ours.push_str(&c.text)),
            }
        }
        let count = |s: &str| {
            let mut m = std::collections::BTreeMap::<char, i64>::new();
            for c in s.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)) {
                *m.entry(c).or_default() += 1;
            }
            m
        };
        let (a, b) = (count(&ours), count(&theirs));
        let total: i64 = b.values().sum();
        let diff: i64 = a
            .keys()
            .chain(b.keys())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(|c| (a.get(c).unwrap_or(&0) - b.get(c).unwrap_or(&0)).abs())
            .sum();
        assert!(
            diff * 200 <= total,
            "{name}: {diff} of {total} CJK characters differ from pdftotext"
        );
    }
}

#[test]
fn fixture_row_cut_by_page_break_is_rejoined() {
    let doc = read_pdf(&fixtures::pdf_split_row()).expect("fixture reads");
    assert_eq!(
        doc.outline(),
        vec![
            "（一）予以公开 | 4 | 0 | 0 | 0 | 0 | 0 | 4",
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形） | 2 | 0 | 0 | 0 | 0 | 1 | 3",
            "（七）总计 | 6 | 0 | 0 | 0 | 0 | 1 | 7",
        ]
    );
}

#[test]
fn fixture_encrypted_with_empty_user_password_reads() {
    let doc = read_pdf(&fixtures::pdf_encrypted("")).expect("empty user password opens");
    assert_eq!(doc.outline()[2], "（七）总计 | 6 | 0 | 0 | 0 | 0 | 1 | 7");
}

#[test]
fn fixture_encrypted_with_user_password_is_named() {
    let err = read_pdf(&fixtures::pdf_encrypted("secret")).unwrap_err();
    assert!(matches!(err, PdfError::Encrypted), "{err}");
}

#[test]
fn fixture_rotated_page_reads_upright() {
    let doc = read_pdf(&fixtures::pdf_rotated()).expect("fixture reads");
    assert_eq!(
        doc.outline(),
        vec![
            "（七）总计 | 6 | 0 | 0 | 0 | 0 | 1 | 7",
            "四、结转下年度继续办理 | 1 | 0 | 0 | 0 | 0 | 0 | 1"
        ]
    );
}

/// Content-stream fragments: operators with plausible and hostile operands.
fn content_op() -> impl Strategy<Value = String> {
    let num = prop_oneof![
        (-1000.0f64..1000.0).prop_map(|v| format!("{v:.2}")),
        Just("0".to_string()),
        Just("1e308".to_string()),
        Just("-99999999999999999999".to_string()),
        Just(".".to_string()),
    ];
    let nums = proptest::collection::vec(num, 0..7).prop_map(|v| v.join(" "));
    let op = prop_oneof![
        Just("Tm"),
        Just("Td"),
        Just("TD"),
        Just("T*"),
        Just("Tj"),
        Just("TJ"),
        Just("'"),
        Just("\""),
        Just("Tf"),
        Just("Tc"),
        Just("Tw"),
        Just("Tz"),
        Just("TL"),
        Just("Ts"),
        Just("BT"),
        Just("ET"),
        Just("re"),
        Just("m"),
        Just("l"),
        Just("c"),
        Just("h"),
        Just("S"),
        Just("f"),
        Just("B"),
        Just("n"),
        Just("W"),
        Just("q"),
        Just("Q"),
        Just("cm"),
        Just("Do"),
        Just("BI"),
        Just("ID"),
        Just("EI"),
    ];
    let string = prop_oneof![
        Just("<4E00>".to_string()),
        Just("(abc\\) \\101)".to_string()),
        Just("[(1) -250 <0031> 1e9]".to_string()),
        Just("/F1".to_string()),
        Just("/F3".to_string()),
        Just("/Im1".to_string()),
        Just("<<".to_string()),
        Just("[".to_string()),
        "[ -~]{0,8}".prop_map(|s| s.to_string()),
    ];
    (nums, string, op).prop_map(|(n, s, o)| format!("{n} {s} {o}\n"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_content_streams_never_panic(ops in proptest::collection::vec(content_op(), 0..80)) {
        let page = fixtures::Page { content: ops.concat(), ..fixtures::Page::default() };
        let _ = read_pdf(&fixtures::pdf(&[page], false));
    }
}

#[test]
fn fixture_cid_font_without_tounicode_uses_the_truetype_cmap() {
    let doc = read_pdf(&fixtures::pdf_without_tounicode(
        fixtures::PdfFont::IdentityTrueType,
    ))
    .unwrap();
    assert_eq!(doc.outline(), vec!["LINE 三、本年度办理结果"]);
}

#[test]
fn fixture_cid_font_without_any_mapping_is_named() {
    let err = read_pdf(&fixtures::pdf_without_tounicode(
        fixtures::PdfFont::IdentityBare,
    ))
    .unwrap_err();
    assert!(
        matches!(
            err,
            PdfError::NoUnicode {
                glyphs: 9,
                unmapped: 9
            }
        ),
        "{err}"
    );
}

#[test]
fn deeply_nested_objects_do_not_overflow_the_stack() {
    for open in ["[", "<<", "<</A "] {
        let mut pdf = b"%PDF-1.4\n1 0 obj\n".to_vec();
        for _ in 0..200_000 {
            pdf.extend_from_slice(open.as_bytes());
        }
        pdf.extend_from_slice(b"\nendobj\ntrailer <</Root 1 0 R>>\n%%EOF\n");
        let _ = read_pdf(&pdf);
    }
    // The same inside a content stream.
    let page = fixtures::Page {
        content: "[".repeat(200_000) + " TJ",
        ..fixtures::Page::default()
    };
    let _ = read_pdf(&fixtures::pdf(&[page], false));
}

#[test]
fn self_drawing_form_is_bounded() {
    // Depth and operator budgets stop the recursion; the text drawn so far is kept.
    let doc = read_pdf(&fixtures::pdf_recursive_form()).expect("reads");
    assert!(!doc.blocks.is_empty());
}
