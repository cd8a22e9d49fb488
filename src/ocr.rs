//! Scans read by OCR (feature `ocr`): the bytes of an image-only PDF or OFD → a report whose
//! tables hold only proven values ([`nianbao_ocr::read`]), or why not. Without the feature
//! a scan stays a `P-SCAN` finding, as before. The recognition model is loaded once per
//! process from the models folder (`tools/ocr-models.sh`); nothing is downloaded.

use std::sync::OnceLock;

use nianbao_model::report::Report;
use nianbao_ocr::engine::Engine;
use nianbao_ocr::read::{read_document, ReadOptions};
use nianbao_ocr::OcrError;

/// The engine, loaded on first use; the error when the models are missing or broken.
fn engine() -> Result<&'static Engine, String> {
    static ENGINE: OnceLock<Result<Engine, String>> = OnceLock::new();
    ENGINE
        .get_or_init(|| Engine::from_default_dir().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(Clone::clone)
}

/// Why a scan gave no tables: the message for its `P-SCAN` finding, and the OCR's rule.
pub(crate) struct NotRead {
    /// The `O-…` rule of the reason.
    pub rule: &'static str,
    /// The reason, in one line.
    pub message: String,
}

/// Read a scan. A report with at least one table is a reading (its findings say what was
/// proven, corrected or refused); a scan that gives no table stays a scan, with the reason.
pub(crate) fn read_scan(bytes: &[u8]) -> Result<Report, NotRead> {
    let engine = engine().map_err(|message| NotRead {
        rule: "O-MODELS",
        message,
    })?;
    match read_document(bytes, engine, &ReadOptions::default()) {
        Ok(r) if r.table2.is_some() || r.table3.is_some() || r.table4.is_some() => Ok(r),
        Ok(r) => {
            let why = r.findings.first();
            Err(NotRead {
                rule: why.map_or("O-GRID", |f| rule_id(&f.rule)),
                message: why.map_or_else(|| "no table read".to_string(), |f| f.message.clone()),
            })
        }
        Err(e @ OcrError::ModelsMissing { .. }) => Err(NotRead {
            rule: "O-MODELS",
            message: e.to_string(),
        }),
        Err(e) => Err(NotRead {
            rule: "O-GRID",
            message: format!("OCR failed: {e}"),
        }),
    }
}

/// The catalogue's `&'static` id of a rule id (an unknown id is the OCR's grid finding).
fn rule_id(rule: &str) -> &'static str {
    nianbao_model::rules::find(rule).map_or("O-GRID", |r| r.id)
}
