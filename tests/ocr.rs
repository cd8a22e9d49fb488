//! Scans with the `ocr` feature: `nianbao parse` of an image-only PDF reads it by OCR, and
//! says why not when it cannot — the models missing names the setup script, never a
//! download; a scan that gives no table stays an error naming the OCR's reason.

use crate::util::{bin, describe, run};

fn scan_file(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("scan.pdf");
    let bytes = nianbao_fixtures::docs::render_scan(2, "扫描件").expect("scan");
    std::fs::write(&path, bytes).expect("write the scan");
    path
}

#[test]
fn a_scan_without_the_models_names_the_setup_script() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scan = scan_file(dir.path());
    let out = run(bin()
        .args(["parse", "--json"])
        .arg(&scan)
        .env("NIANBAO_OCR_MODELS", dir.path().join("no-models")));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("O-MODELS") && err.contains("tools/ocr-models.sh"),
        "{}",
        describe(&out)
    );
    assert!(
        out.stdout.is_empty(),
        "no report guessed: {}",
        describe(&out)
    );
}

#[test]
fn a_scan_without_a_ruled_table_stays_unread_with_the_reason() {
    if models_missing() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    // The fixture's scan paints blank pages: nothing to read, and nothing made up.
    let scan = scan_file(dir.path());
    let out = run(bin().args(["parse", "--json"]).arg(&scan));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("OCR read no table (O-GRID)"),
        "{}",
        describe(&out)
    );
}

/// The README's first command with the feature: the demo's one scan (梧州市审计局 2023) is read
/// into the outputs — its cells carry `ocr_confidence`, the source is the scanned attachment,
/// and the report says it was read by OCR — instead of a `P-SCAN` stub.
#[test]
fn the_demo_harvest_reads_its_scan() {
    if models_missing() {
        return;
    }
    let out = tempfile::tempdir().expect("temp dir");
    let demo = crate::util::root().join("data/demo");
    let run_out = run(bin()
        .args(["harvest", "--replay"])
        .arg(&demo)
        .arg("--out")
        .arg(out.path()));
    assert!(run_out.status.success(), "{}", describe(&run_out));
    let cells = std::fs::read_to_string(out.path().join("cells.csv")).expect("cells.csv");
    let header: Vec<&str> = cells.lines().next().expect("header").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (body, conf) = (col("body"), col("ocr_confidence"));
    let scan_rows: Vec<Vec<&str>> = cells
        .lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f.get(body) == Some(&"梧州市审计局") && f.get(col("year")) == Some(&"2023"))
        .collect();
    assert!(
        scan_rows.len() >= 200,
        "{} rows of the scan",
        scan_rows.len()
    );
    // Every row names the scanned attachment as its source (a label may hold a quoted comma,
    // so the URL is looked for in the row rather than by its column).
    assert!(
        scan_rows
            .iter()
            .all(|f| f.iter().any(|x| x.ends_with("P0202401308216514.pdf"))),
        "read from the scan"
    );
    let with_conf = scan_rows.iter().filter(|f| !f[conf].is_empty()).count();
    // All but the 2021 （六） row (derived from its items, not read) and the money amount.
    assert!(
        with_conf >= 190,
        "{with_conf} values with their OCR confidence"
    );
    let findings = std::fs::read_to_string(out.path().join("findings.csv")).expect("findings");
    assert!(
        findings
            .lines()
            .any(|l| l.contains("梧州市审计局") && l.contains(",O-READ,")),
        "the report says it was read by OCR"
    );
    shows_the_scan_provenance(out.path());
}

/// Every output that shows a value says how OCR read the scan's: `show` (text and JSON:
/// page and box of each value) and the HTML report's page of the report.
fn shows_the_scan_provenance(out: &std::path::Path) {
    let show = |extra: &[&str]| {
        let o = run(bin()
            .args(["show", "梧州", "2023", "--body", "审计局", "--from"])
            .arg(out)
            .args(extra));
        assert!(o.status.success(), "{}", describe(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let text = show(&[]);
    assert!(
        text.contains("\nOCR: ") && text.contains("read from the page images of page(s) 1, 2"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&show(&["--json"])).expect("show --json");
    let ocr = json["ocr"]
        .as_object()
        .expect("an ocr object, as parse --json gives it");
    assert!(
        ocr.len() >= 190,
        "{} values with their OCR provenance",
        ocr.len()
    );
    assert!(
        ocr.values()
            .all(|m| m["box"].as_array().is_some_and(|b| b.len() == 4) && m["page"].is_u64()),
        "every value has its page and box"
    );
    let pages = std::fs::read_dir(out.join("report")).expect("report pages");
    let marked = pages
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .map(|page| page.matches("class=\"num ocr").count())
        .max()
        .unwrap_or(0);
    assert!(
        marked >= 190,
        "{marked} cells marked as read by OCR on the report's page"
    );
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = open_workbook(out.join("nianbao.xlsx")).expect("nianbao.xlsx");
    let sheet = wb.worksheet_range("原始单元格").expect("原始单元格");
    let mut rows = sheet.rows();
    let header = rows.next().expect("header");
    let at = |label: &str| header.iter().position(|h| *h == label).expect(label);
    let (conf, place) = (at("OCR 置信度"), at("OCR 单元格位置"));
    let read = rows
        .filter(|r| matches!(r[conf], Data::Float(p) if p > 0.9))
        .filter(|r| matches!(&r[place], Data::String(b) if b.split(',').count() == 4))
        .count();
    assert!(
        read >= 190,
        "{read} rows of the workbook say how OCR read them"
    );
}

/// Whether the OCR models are absent (the test then skips, saying so).
fn models_missing() -> bool {
    let models = nianbao_ocr::engine::models_dir();
    let missing = !models.join("ppocrv5/rec.onnx").is_file();
    if missing {
        eprintln!(
            "SKIP: no OCR models in {}; run tools/ocr-models.sh",
            models.display()
        );
    }
    missing
}
