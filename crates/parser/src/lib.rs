//! The parser: bytes of a saved annual report → the canonical [`Report`].
//!
//! - Owns: format sniffing by magic bytes ([`sniff`]), character decoding ([`decode`]: BOM,
//!   HTTP charset, `<meta>`, then a detector, for GBK pages without declarations), the readers
//!   that turn each format into a layout-neutral [`Document`] ([`html`], [`text`], [`pdf`],
//!   [`docx`], also for Word 2003 XML; [`doc`] for Word 97–2003 and WPS binaries; [`mht`]
//!   unwraps the HTML of a MIME HTML "single file web page"; [`ofd`]; [`sheet`] for
//!   XLS/XLSX/ET/ODS workbooks), the report's metadata (year, body), and the mapping of its
//!   tables onto the national template, then validation.
//! - Input: bytes (and the HTTP charset when they were fetched). Output: a [`Report`] whose
//!   every value carries the location it was printed at, with its findings.
//! - Must not: touch the network, an async runtime, SQLite or polars (the workspace test
//!   `tests/deps.rs` keeps it so), or invent a value: a cell that cannot be read is `None` with a
//!   finding, never 0. Pure functions of their input apart from [`parse_path`], which reads one
//!   file.

pub mod decode;
pub mod doc;
pub mod docx;
mod grid;
pub mod html;
pub mod label;
mod mapper;
mod markup;
mod meta;
pub mod mht;
mod number;
pub mod ofd;
pub mod pdf;
mod realign;
mod reconstruct;
mod rows;
pub mod sheet;
mod slim;
pub mod sniff;
pub mod text;
mod tokens;

use std::path::{Path, PathBuf};

use nianbao_model::document::Document;
use nianbao_model::report::Report;
use nianbao_model::validate;
use sniff::{sniff, Format};

/// Why a report could not be parsed. Every variant but [`ParseError::Io`] carries `what`, the
/// name of the input given to [`parse_bytes`] (the file's path for [`parse_path`]).
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The file could not be read ([`parse_path`] only).
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file that could not be read.
        path: PathBuf,
        /// The error reading it.
        source: std::io::Error,
    },
    /// The input is empty (no bytes, or only white space): nothing to read.
    #[error("{what}: the file is empty")]
    Empty {
        /// The input, as named by the caller.
        what: String,
    },
    /// The file is larger than the input cap ([`parse_path_capped`]); nothing was parsed.
    #[error(
        "{path}: larger than the input cap of {limit} bytes (raise it with --max-input-bytes)"
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The cap in bytes.
        limit: u64,
    },
    /// A format sniffed from the magic bytes that no reader handles: a zip archive that is not
    /// a DOCX, an OLE file without a `WordDocument` stream or an RTF document.
    #[error("{what}: {format} is not a format nianbao reads (convert it to PDF or DOCX)")]
    Unsupported {
        /// The input, as named by the caller.
        what: String,
        /// The format the bytes were sniffed as.
        format: Format,
    },
    /// No known magic bytes, and NUL bytes in the first 8 KiB outside a UTF-16 text: an image
    /// or other binary file, not a text or HTML layout.
    #[error("{what}: binary data that is neither HTML, text, PDF, DOCX, OFD nor a workbook")]
    Binary {
        /// The input, as named by the caller.
        what: String,
    },
    /// The bytes are a PDF that the PDF reader could not read.
    #[error("{what}: {source}")]
    Pdf {
        /// The input, as named by the caller.
        what: String,
        /// Why the PDF reader failed.
        source: pdf::PdfError,
    },
    /// The bytes are a DOCX that the DOCX reader could not read.
    #[error("{what}: {source}")]
    Docx {
        /// The input, as named by the caller.
        what: String,
        /// Why the DOCX reader failed.
        source: docx::DocxError,
    },
    /// The bytes are a MIME HTML file (a Word "single file web page") without a readable HTML
    /// part.
    #[error("{what}: {source}")]
    Mht {
        /// The input, as named by the caller.
        what: String,
        /// Why no HTML part was found.
        source: mht::MhtError,
    },
    /// The bytes are a Word 97–2003 / WPS binary that the `.doc` reader could not read.
    #[error("{what}: {source}")]
    Doc {
        /// The input, as named by the caller.
        what: String,
        /// Why the Word binary reader failed.
        source: doc::DocError,
    },
    /// The bytes are an OFD document that the OFD reader could not read.
    #[error("{what}: {source}")]
    Ofd {
        /// The input, as named by the caller.
        what: String,
        /// Why the OFD reader failed.
        source: ofd::OfdError,
    },
    /// The bytes are a workbook (XLS, XLSX, WPS ET, ODS) that the spreadsheet reader could not
    /// read.
    #[error("{what}: {source}")]
    Sheet {
        /// The input, as named by the caller.
        what: String,
        /// Why the spreadsheet reader failed.
        source: sheet::SheetError,
    },
}

impl ParseError {
    /// The input is a scan: pages of images without a text layer (a PDF or an OFD), which
    /// needs OCR before nianbao can read it. Nothing is guessed from the images.
    pub fn is_scan(&self) -> bool {
        matches!(
            self,
            ParseError::Pdf {
                source: pdf::PdfError::ImageOnly { .. },
                ..
            } | ParseError::Ofd {
                source: ofd::OfdError::ImageOnly { .. },
                ..
            }
        )
    }
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
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty { what });
    }
    let (doc, encoding) = match sniff(bytes) {
        Format::Pdf => (
            pdf::read_pdf(bytes).map_err(|source| ParseError::Pdf { what, source })?,
            "PDF".to_string(),
        ),
        Format::Docx => (
            docx::read_docx(bytes).map_err(|source| ParseError::Docx { what, source })?,
            "DOCX".to_string(),
        ),
        Format::Mht => {
            let part = mht::html_part(bytes).map_err(|source| ParseError::Mht { what, source })?;
            let d = decode::decode_html(&part.bytes, part.charset.as_deref().or(http_charset));
            (html::read_html(&d.text), format!("MHT, {d}"))
        }
        Format::WordXml => (
            docx::read_wordml(bytes).map_err(|source| ParseError::Docx { what, source })?,
            "WordML (Word 2003 XML)".to_string(),
        ),
        Format::WordBinary => {
            let read = doc::read_doc_with_producer(bytes)
                .map_err(|source| ParseError::Doc { what, source })?;
            let name = match read.producer {
                doc::Producer::Word => "DOC (Word 97–2003 binary)",
                doc::Producer::Wps => "WPS (Word binary written by WPS Office)",
            };
            (read.document, name.to_string())
        }
        Format::Ofd => (
            ofd::read_ofd(bytes).map_err(|source| ParseError::Ofd { what, source })?,
            "OFD".to_string(),
        ),
        f @ (Format::Xls | Format::Xlsx | Format::Ods) => (
            sheet::read_sheet(bytes).map_err(|source| ParseError::Sheet { what, source })?,
            f.to_string(),
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

/// The default cap on one input file of [`parse_path`]: 128 MiB, the crawler's cap on a
/// decoded body (`max_decoded_bytes`), so whatever a crawl archives can be parsed.
pub const MAX_INPUT_BYTES: u64 = 128 << 20;

/// Read and parse one file of at most [`MAX_INPUT_BYTES`].
pub fn parse_path(path: &Path) -> Result<Report, ParseError> {
    parse_path_capped(path, MAX_INPUT_BYTES)
}

/// Read and parse one file of at most `limit` bytes. A larger input (or an endless one such
/// as `/dev/zero`) is [`ParseError::TooLarge`] after reading `limit + 1` bytes.
pub fn parse_path_capped(path: &Path, limit: u64) -> Result<Report, ParseError> {
    use std::io::Read;
    let io = |source| ParseError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(ParseError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_input_is_an_error_naming_it() {
        for bytes in [&b""[..], b" \r\n\t"] {
            let err = parse_bytes(bytes, "x.html", None).expect_err("empty");
            assert_eq!(err.to_string(), "x.html: the file is empty");
        }
    }

    #[test]
    fn an_input_beyond_the_cap_is_refused_after_cap_plus_one_bytes() {
        let dir = std::env::temp_dir().join(format!("nianbao-cap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let path = dir.join("big.txt");
        std::fs::write(&path, vec![b'a'; 1001]).expect("write");
        let err = parse_path_capped(&path, 1000).expect_err("too large");
        assert!(
            matches!(err, ParseError::TooLarge { limit: 1000, .. }),
            "{err}"
        );
        assert!(parse_path_capped(&path, 1001).is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
