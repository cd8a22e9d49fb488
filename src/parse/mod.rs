//! Bytes of a saved report → [`Report`]: sniff the format, decode, read it into a [`Document`],
//! read the metadata, map the tables onto the template, then validate. Pure functions of their
//! input apart from [`parse_path`], which reads one file.

pub mod docx;
pub mod grid;
pub mod html;
pub mod label;
pub mod mapper;
mod markup;
pub mod meta;
pub mod number;
pub mod pdf;
pub mod reconstruct;
mod rows;
mod slim;
pub mod sniff;
pub mod text;
pub mod tokens;

use std::path::{Path, PathBuf};

use crate::decode;
use crate::document::Document;
use crate::report::Report;
use crate::validate;
use sniff::{sniff, Format};

#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{what}: {format} is not a format nianbao reads (convert it to PDF or DOCX)")]
    Unsupported { what: String, format: Format },
    #[error("{what}: binary data that is neither HTML, text, PDF nor DOCX")]
    Binary { what: String },
    #[error("{what}: {source}")]
    Pdf { what: String, source: pdf::PdfError },
    #[error("{what}: {source}")]
    Docx {
        what: String,
        source: docx::DocxError,
    },
}

/// Markup in the first bytes of a file that [`sniff`] calls `Other`: HTML rather than text.
pub(crate) fn looks_like_html(bytes: &[u8]) -> bool {
    let head: Vec<u8> = bytes[..bytes.len().min(8 * 1024)]
        .iter()
        .map(u8::to_ascii_lowercase)
        .collect();
    let markup = [
        &b"<html"[..],
        b"<!doctype",
        b"<table",
        b"<body",
        b"<meta",
        b"<div",
        b"<p>",
        b"<p ",
    ];
    markup
        .iter()
        .any(|m| head.windows(m.len()).any(|w| w == *m))
}

/// NUL bytes outside a UTF-16 text: not a text layout.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8 * 1024)];
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    !utf16 && head.contains(&0)
}

/// Parse the bytes of one report. `http_charset` is the charset of the HTTP Content-Type
/// header when the bytes were fetched. `what` names the input in messages.
pub fn parse_bytes(
    bytes: &[u8],
    what: &str,
    http_charset: Option<&str>,
) -> Result<Report, ParseError> {
    let what = what.to_string();
    let (doc, encoding) = match sniff(bytes) {
        Format::Pdf => (
            pdf::read_pdf(bytes).map_err(|source| ParseError::Pdf { what, source })?,
            "PDF".to_string(),
        ),
        Format::Docx => (
            docx::read_docx(bytes).map_err(|source| ParseError::Docx { what, source })?,
            "DOCX".to_string(),
        ),
        Format::Other if looks_binary(bytes) => return Err(ParseError::Binary { what }),
        Format::Other if looks_like_html(bytes) => {
            let d = decode::decode_html(bytes, http_charset);
            (html::read_html(&d.text), d.to_string())
        }
        Format::Other => {
            let d = decode::decode_text(bytes);
            (text::read_text(&d.text), d.to_string())
        }
        format => return Err(ParseError::Unsupported { what, format }),
    };
    let mut report = report_from_document(&doc);
    report.encoding = Some(encoding);
    Ok(report)
}

/// Read and parse one file.
pub fn parse_path(path: &Path) -> Result<Report, ParseError> {
    let bytes = std::fs::read(path).map_err(|source| ParseError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_bytes(&bytes, &path.display().to_string(), None)
}

/// Metadata, tables and findings of a document in any layout.
pub fn report_from_document(doc: &Document) -> Report {
    let mut report = Report {
        year: meta::year(doc),
        body: meta::body(doc),
        ..Report::default()
    };
    mapper::map_tables(doc, &mut report);
    validate::check(&mut report);
    report
}
