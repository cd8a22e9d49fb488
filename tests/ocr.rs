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
    let models = nianbao_ocr::engine::models_dir();
    if !models.join("ppocrv5/rec.onnx").is_file() {
        eprintln!(
            "SKIP: no OCR models in {}; run tools/ocr-models.sh",
            models.display()
        );
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
