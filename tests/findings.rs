//! Findings for Chinese readers: every rule id the code can emit is in the catalogue
//! (`nianbao_model::rules::RULES`) and in the README; every finding of the demo carries a
//! Chinese message, and a long list of cells is summarised in it while `cells` keeps them all.

use std::collections::BTreeSet;
use std::path::Path;

use nianbao_model::rules::RULES;

use crate::util::{bin, describe, root, run};

/// The code of a source file before its tests (`#[cfg(test)]`): what the program can emit.
fn program_text(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match text.find("#[cfg(test)]") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every rule id written as a string literal in the program's code (not its tests).
fn rule_ids_in_the_code() -> BTreeSet<String> {
    let id = regex::Regex::new(r#""(T\d-[0-9a-z]+|T-UNIT|P-[A-Z][A-Z-]*[A-Z])""#).expect("regex");
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    for krate in ["model", "parser", "archive", "crawler", "tables"] {
        rust_files(&root().join("crates").join(krate).join("src"), &mut files);
    }
    let mut ids = BTreeSet::new();
    for f in files {
        for c in id.captures_iter(&program_text(&f)) {
            ids.insert(c[1].to_string());
        }
    }
    ids
}

#[test]
fn every_rule_id_the_code_emits_is_catalogued_and_in_the_readme() {
    let catalogued: BTreeSet<String> = RULES.iter().map(|r| r.id.to_string()).collect();
    let in_code = rule_ids_in_the_code();
    assert!(in_code.len() >= 30, "the scan finds the ids: {in_code:?}");
    let missing: Vec<&String> = in_code.difference(&catalogued).collect();
    assert!(
        missing.is_empty(),
        "rule ids not in rules::RULES: {missing:?}"
    );
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let undocumented: Vec<&str> = RULES
        .iter()
        .map(|r| r.id)
        .filter(|id| !readme.contains(&format!("`{id}`")))
        .collect();
    assert!(
        undocumented.is_empty(),
        "rule ids not in the README: {undocumented:?}"
    );
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

#[test]
fn every_finding_of_the_demo_speaks_chinese_and_summarises_long_cell_lists() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    let o = run(bin()
        .args(["harvest", "--quiet", "--no-report", "--replay"])
        .arg(root().join("data/demo"))
        .arg("--out")
        .arg(&out));
    assert!(o.status.success(), "{}", describe(&o));
    let bytes = std::fs::read(out.join("findings.csv")).expect("findings.csv");
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    let header = r.headers().expect("header").clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}: {header:?}"))
    };
    let (rule, zh, cells) = (col("rule"), col("message_zh"), col("cells"));
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("row")).collect();
    assert!(rows.len() > 50, "{}", rows.len());
    let mut longest_list = None;
    for row in &rows {
        assert!(
            row[zh].chars().any(is_cjk),
            "{} has no Chinese message: {row:?}",
            &row[rule]
        );
        let listed = row[cells].split_whitespace().count();
        if longest_list.as_ref().is_none_or(|(n, _, _)| listed > *n) {
            longest_list = Some((listed, row[zh].to_string(), row[cells].len()));
        }
    }
    let (listed, message, cells_len) = longest_list.expect("rows");
    assert!(
        listed > 50 && cells_len > 2000,
        "a long list in the demo: {listed} cells"
    );
    assert!(message.chars().count() < 120, "summarised: {message}");
    assert!(
        message.contains("格空白") && message.contains("列"),
        "{message}"
    );
}
