//! Bytes of a saved report → [`Report`]: sniff the format, decode, read it into a [`Document`],
//! read the metadata, map the tables onto the template, then validate. Pure functions of their
//! input apart from [`parse_path`], which reads one file.

pub mod grid;
pub mod html;
pub mod label;
pub mod mapper;
pub mod meta;
pub mod number;
pub mod text;
pub mod tokens;

use std::path::{Path, PathBuf};

use crate::decode;
use crate::document::Document;
use crate::report::Report;
use crate::validate;

/// What a file is, judged by its bytes (not its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Text,
    Pdf,
    Docx,
    /// OLE compound file: .doc, .wps, .xls (not readable without an external converter).
    Ole,
    /// A zip that is not a Word document (xlsx, ofd, …).
    OtherZip,
    /// Binary data that is none of the above.
    Binary,
}

#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{what} is not a format nianbao reads ({format:?})")]
    Unsupported { what: String, format: Format },
}

/// Sniff the format from magic bytes and, for text, from markup.
pub fn sniff(bytes: &[u8]) -> Format {
    if bytes.starts_with(b"%PDF-") {
        return Format::Pdf;
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Format::Ole;
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let head = &bytes[..bytes.len().min(64 * 1024)];
        return if contains(head, b"word/") {
            Format::Docx
        } else {
            Format::OtherZip
        };
    }
    let head = &bytes[..bytes.len().min(8 * 1024)];
    let nul = head.iter().filter(|&&b| b == 0).count();
    if nul > 0 && !head.starts_with(&[0xFF, 0xFE]) && !head.starts_with(&[0xFE, 0xFF]) {
        return Format::Binary;
    }
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
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
    if markup.iter().any(|m| contains(&lower, m)) {
        Format::Html
    } else {
        Format::Text
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Parse the bytes of one report. `http_charset` is the charset of the HTTP Content-Type
/// header when the bytes were fetched. `what` names the input in messages.
pub fn parse_bytes(
    bytes: &[u8],
    what: &str,
    http_charset: Option<&str>,
) -> Result<Report, ParseError> {
    let format = sniff(bytes);
    let (doc, encoding) = match format {
        Format::Html => {
            let d = decode::decode_html(bytes, http_charset);
            (html::read_html(&d.text), d.to_string())
        }
        Format::Text => {
            let d = decode::decode_text(bytes);
            (text::read_text(&d.text), d.to_string())
        }
        other => {
            return Err(ParseError::Unsupported {
                what: what.to_string(),
                format: other,
            })
        }
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
