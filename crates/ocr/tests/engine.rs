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
