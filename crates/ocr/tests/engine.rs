//! The engine on real renders: digit strings drawn in a font (tests/data, made by
//! make_digits.py) read by the installed PP-OCR model. Skips, saying so, when the models are
//! not installed (`tools/ocr-models.sh`).
#![cfg(feature = "engine")]

use std::path::Path;
use std::sync::OnceLock;

use nianbao_ocr::engine::{models_dir, Engine};
use nianbao_ocr::{OcrError, Recognizer};

fn engine() -> Option<&'static Engine> {
    static ENGINE: OnceLock<Option<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| match Engine::from_default_dir() {
            Ok(e) => Some(e),
            Err(OcrError::ModelsMissing { dir }) => {
                eprintln!("SKIP: no OCR models in {dir}; run tools/ocr-models.sh");
                None
            }
            Err(e) => panic!("the installed models do not load: {e}"),
        })
        .as_ref()
}

fn crop(name: &str) -> image::GrayImage {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    image::open(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_luma8()
}

#[test]
fn a_missing_models_folder_is_named_with_the_setup_command() {
    let err = Engine::load(Path::new("/nonexistent/nianbao-ocr"))
        .err()
        .expect("no models");
    let msg = err.to_string();
    assert!(
        msg.contains("/nonexistent/nianbao-ocr") && msg.contains("tools/ocr-models.sh"),
        "{msg}"
    );
    assert!(models_dir().is_absolute() || std::env::var_os("NIANBAO_OCR_MODELS").is_some());
}

#[test]
fn rendered_digit_strings_read_right_with_high_probability() {
    let Some(engine) = engine() else { return };
    for (file, want) in [
        ("d0.png", 0),
        ("d7.png", 7),
        ("d11.png", 11),
        ("d12.png", 12),
        ("d86.png", 86),
        ("d305.png", 305),
        ("d1024.png", 1024),
        ("d4096.png", 4096),
    ] {
        let readings = engine.digits(&crop(file), 3).expect(file);
        let top = readings
            .first()
            .unwrap_or_else(|| panic!("{file}: no reading"));
        assert_eq!(top.value, Some(want), "{file}: {readings:?}");
        assert!(top.p > 0.9, "{file}: {readings:?}");
        assert!(
            readings.windows(2).all(|w| w[0].p >= w[1].p),
            "{file}: {readings:?}"
        );
    }
}

#[test]
fn rendered_money_amounts_read_with_their_decimal_point() {
    use nianbao_model::report::Num;

    let Some(engine) = engine() else { return };
    for (file, want) in [
        ("m24720_2.png", Num::Dec(24720.2)),
        ("m14913_51.png", Num::Dec(14913.51)),
        ("m300.png", Num::Int(300)),
    ] {
        let readings = engine.amount(&crop(file), 3).expect(file);
        let top = readings
            .first()
            .unwrap_or_else(|| panic!("{file}: no reading"));
        assert_eq!(top.value, Some(want), "{file}: {readings:?}");
        assert!(top.p > 0.9, "{file}: {readings:?}");
    }
    // As a count, a decimal is no reading at all: never 247202.
    assert_eq!(
        engine.digits(&crop("m24720_2.png"), 3).expect("digits"),
        vec![]
    );
}

#[test]
fn a_blank_cell_is_the_blank_reading_never_zero() {
    let Some(engine) = engine() else { return };
    let readings = engine.digits(&crop("blank.png"), 3).expect("blank");
    assert_eq!(readings[0].value, None, "{readings:?}");
    assert!(readings[0].p > 0.99, "{readings:?}");
    assert!(readings.iter().all(|r| r.value != Some(0)), "{readings:?}");
}

#[test]
fn text_reads_the_whole_string() {
    let Some(engine) = engine() else { return };
    assert_eq!(engine.text(&crop("d1024.png")).expect("text"), "1024");
    assert_eq!(engine.text(&crop("blank.png")).expect("text"), "");
}

/// The value cells of a grid rendered by make_tables.py: 110 × 44-pixel cells from (20, 20),
/// inside their 2-pixel ruling lines; `skip` rows are not printed.
fn grid_cells(
    kind: nianbao_ocr::TableKind,
    rows: usize,
    cols: usize,
    skip_rows: &[usize],
) -> Vec<nianbao_ocr::LocatedCell> {
    let mut cells = Vec::new();
    for r in (0..rows).filter(|r| !skip_rows.contains(r)) {
        for c in 0..cols {
            cells.push(nianbao_ocr::LocatedCell {
                table: kind,
                index: r * cols + c,
                bbox: nianbao_ocr::PixelBox {
                    page: 1,
                    x: 20 + c as u32 * 110 + 2,
                    y: 20 + r as u32 * 44 + 2,
                    w: 110 - 3,
                    h: 44 - 3,
                },
            });
        }
    }
    cells
}

fn page(name: &str) -> nianbao_ocr::grid::Deskewed {
    nianbao_ocr::grid::Deskewed {
        image: crop(name),
        skew_degrees: 0.0,
    }
}

#[test]
fn rendered_tables_are_read_proven_and_timed() {
    use nianbao_model::report::Num;
    use nianbao_model::template::{t3, Template};
    use nianbao_ocr::layout::TableOnPage;
    use nianbao_ocr::read::{read_tables, ReadOptions};
    use nianbao_ocr::TableKind;

    let Some(engine) = engine() else { return };
    let pages = [page("table3.png"), page("table4.png")];
    let mut t4_cells = grid_cells(TableKind::Table4, 3, 5, &[]);
    for c in &mut t4_cells {
        c.bbox.page = 2;
    }
    let tables = [
        TableOnPage {
            kind: TableKind::Table3,
            template: Template::V2021,
            cells: grid_cells(TableKind::Table3, 26, 7, &[t3::OTHER_HANDLING]),
        },
        TableOnPage {
            kind: TableKind::Table4,
            template: Template::V2021,
            cells: t4_cells,
        },
    ];
    let cells: usize = tables.iter().map(|t| t.cells.len()).sum();
    let start = std::time::Instant::now();
    let report = read_tables(&pages, &tables, &[], engine, &ReadOptions::default()).expect("read");
    let took = start.elapsed();
    eprintln!(
        "OCR: {cells} value cells read and proven in {:.2} s ({:.1} ms a cell, plans included)",
        took.as_secs_f64(),
        took.as_secs_f64() * 1000.0 / cells as f64
    );
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(!rules.contains(&"O-REFUSED"), "{:?}", report.findings);
    let t4 = report.table4.expect("table 四 proven");
    let want4 = [[3, 1, 0, 2, 6], [12, 4, 1, 0, 17], [0, 0, 0, 0, 0]];
    for (g, row) in want4.iter().enumerate() {
        for (o, v) in row.iter().enumerate() {
            assert_eq!(t4[g][o], Some(Num::Int(*v)), "table 四 [{g}][{o}]");
        }
    }
    let t3 = report.table3.expect("table 三 proven");
    assert_eq!(t3[t3::NEW_RECEIVED][0], Some(Num::Int(10)));
    assert_eq!(t3[t3::NEW_RECEIVED][6], Some(Num::Int(12)));
    assert_eq!(t3[t3::TOTAL_PROCESSED][6], Some(Num::Int(12)));
    assert_eq!(
        t3[t3::OTHER_HANDLING][0],
        Some(Num::Int(0)),
        "2021: derived from its items"
    );
    let mark = report.sources["table4.litigation_direct.total"]
        .ocr
        .expect("ocr provenance");
    assert_eq!(mark.page, 2);
    assert!(mark.confidence > 0.9, "{mark:?}");
}

/// The demo's scan (梧州市审计局 2023: its layout rendered at 150 dpi, turned a fraction of a
/// degree, grey JPEGs in an image-only PDF, as the fixture portal serves it) read end to end:
/// page images, deskew, grids, labels, values, proof. Every value read is the one printed
/// (demo-scan-truth.json: the parse of the same layout set as a text PDF); the money amount
/// of table 二, read with its decimal point, falls under the bar of a value nothing proves on
/// this 150-dpi JPEG (p ≈ 0.96 < 0.98; its narrative states no table 二 figure): null with a
/// finding, never its digits as a count.
#[test]
fn the_demo_scan_is_read_end_to_end_with_no_wrong_value() {
    use nianbao_ocr::read::{read_document, ReadOptions};

    let Some(engine) = engine() else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/scan");
    let jpegs: Vec<Vec<u8>> = ["450400-2023-dept-sjj-p1.jpg", "450400-2023-dept-sjj-p2.jpg"]
        .iter()
        .map(|f| std::fs::read(root.join(f)).unwrap_or_else(|e| panic!("{f}: {e}")))
        .collect();
    let pdf = nianbao_fixtures::docs::render_scan_images(&jpegs, "扫描件").expect("pdf");
    let started = std::time::Instant::now();
    let report = read_document(&pdf, engine, &ReadOptions::default()).expect("read");
    eprintln!(
        "OCR: the demo's two-page scan read in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let got = report.to_json();
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/demo-scan-truth.json"),
        )
        .expect("truth"),
    )
    .expect("truth json");
    assert_eq!(got["template"], truth["template"]);
    let (mut right, mut null) = (0, Vec::new());
    for table in ["table2", "table3", "table4"] {
        let rows = truth[table].as_object().expect("truth table");
        for (row, cols) in rows {
            for (col, want) in cols.as_object().expect("truth row") {
                let v = &got[table][row][col];
                if v.is_null() && !want.is_null() {
                    null.push(format!("{table}.{row}.{col}"));
                } else {
                    assert_eq!(v, want, "{table}.{row}.{col}: a wrong number");
                    right += 1;
                }
            }
        }
    }
    assert_eq!(
        null,
        ["table2.fees.amount_10k_yuan"],
        "only money (unsure at 150 dpi) is left null"
    );
    assert!(right >= 200, "{right} values right");
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(
        rules.contains(&"O-READ") && rules.contains(&"O-UNPROVEN"),
        "{rules:?}"
    );
    assert!(!rules.contains(&"O-REFUSED"), "{:?}", report.findings);
    assert!(got["ocr"]["table3.new_received.total"]["confidence"].as_f64() > Some(0.9));
}
