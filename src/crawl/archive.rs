//! A harvest directory (`state.sqlite` + `warc/*.warc.gz`) → the captured report pages and
//! attachments as [`Entry`] values, with their payload bytes read from the WARC records. This
//! is the interface the aggregation stage builds on. Read-only; no network.
//!
//! ```no_run
//! use nianbao::crawl::archive::Archive;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let archive = Archive::open(std::path::Path::new("out/harvest"))?;
//! for entry in archive.entries()? {
//!     let bytes = archive.payload(&entry)?; // content-decoded entity body
//!     println!("{} {} {:?} {} {} bytes", entry.city, entry.kind.as_str(), entry.year, entry.url, bytes.len());
//! }
//! # Ok(()) }
//! ```

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::discover::PageKind;
use super::fetch::decode_content;
use super::warc::{read_record, ReadRecord, WarcError};
use crate::decode::{decode_html, Decoded};

/// Largest payload [`Archive::payload`] will decode (a guard against compressed bombs).
pub const MAX_PAYLOAD_BYTES: u64 = 512 << 20;

/// An archive that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("archive state {path}: {source}")]
    Sql {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error(transparent)]
    Warc(#[from] WarcError),
    #[error("record {record_id} in {path}: {message}")]
    Payload {
        path: PathBuf,
        record_id: String,
        message: String,
    },
}

/// One captured page or file.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The URL as discovered.
    pub url: String,
    /// The URL that answered (after redirects).
    pub final_url: String,
    /// `Report` (a report page), `Attachment` (a file linked from one), or `List`/`Home`/`Nav`
    /// for [`Archive::all_pages`].
    pub kind: PageKind,
    /// The city (`[[city]] name` in the config).
    pub city: String,
    /// The publishing body named by the link text, e.g. `南宁市财政局`; `None` when unnamed.
    pub body: Option<String>,
    /// The report year named by the link text (for attachments: inherited from the report page).
    pub year: Option<u16>,
    /// The page the link was found on, and the link text.
    pub parent: Option<String>,
    pub anchor: Option<String>,
    /// WARC-Date of the capture (ISO 8601 UTC).
    pub fetched_at: String,
    pub http_status: u16,
    pub content_type: Option<String>,
    /// The `charset` parameter of the HTTP Content-Type header, for `decode::decode_html`.
    pub http_charset: Option<String>,
    pub content_encoding: Option<String>,
    /// File type by magic bytes: `html`, `pdf`, `ole` (doc/xls/wps), `zip` (docx/xlsx/ofd), `rar`, `other`.
    pub file_type: String,
    /// `WARC-Record-ID` of the response record.
    pub record_id: String,
    pub warc_file: PathBuf,
    pub warc_offset: u64,
    pub warc_length: u64,
    /// `WARC-Payload-Digest` (`sha1:` base32) of the body as sent.
    pub payload_digest: String,
    /// SHA-256 (hex) of the content-decoded payload, the bytes [`Archive::payload`] returns.
    pub sha256: String,
    /// A safe file name: from `Content-Disposition` (UTF-8 or GBK) or the URL's last segment.
    /// Useful to tell `.doc` from `.wps` or `.xls`, which share the OLE magic bytes.
    pub filename: Option<String>,
}

/// The WARC response record of an entry (needs only the entry: any thread may read).
pub fn entry_record(entry: &Entry) -> Result<ReadRecord, ArchiveError> {
    Ok(read_record(
        &entry.warc_file,
        entry.warc_offset,
        entry.warc_length,
    )?)
}

/// [`Archive::payload`] without the archive's database connection (any thread may read).
pub fn entry_payload(entry: &Entry) -> Result<Vec<u8>, ArchiveError> {
    let rec = entry_record(entry)?;
    let (_, body, encoding) = split_http(&rec.block);
    decode_content(body, encoding.as_deref(), MAX_PAYLOAD_BYTES).map_err(|message| {
        ArchiveError::Payload {
            path: entry.warc_file.clone(),
            record_id: entry.record_id.clone(),
            message,
        }
    })
}

/// Read access to a harvest directory.
pub struct Archive {
    dir: PathBuf,
    db_path: PathBuf,
    conn: Connection,
}

const SELECT: &str = "SELECT url, COALESCE(final_url, url), kind, city, body, year, parent, anchor, \
    COALESCE(fetched_at, ''), COALESCE(http_status, 0), content_type, http_charset, content_encoding, \
    COALESCE(detected, 'other'), record_id, warc_file, warc_offset, warc_length, COALESCE(payload_sha1, ''), \
    COALESCE(payload_sha256, ''), filename FROM urls WHERE status = 'done' AND warc_file IS NOT NULL";

impl Archive {
    /// Opens a harvest directory read-only (a crawl may still be writing it).
    pub fn open(dir: &Path) -> Result<Archive, ArchiveError> {
        let db_path = dir.join("state.sqlite");
        let conn = Connection::open_with_flags(
            &db_path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| ArchiveError::Sql {
            path: db_path.clone(),
            source,
        })?;
        Ok(Archive {
            dir: dir.to_path_buf(),
            db_path,
            conn,
        })
    }

    /// Report pages and attachments, ordered by city, year, URL. Attachments that turned out
    /// to be HTML pages are left out.
    pub fn entries(&self) -> Result<Vec<Entry>, ArchiveError> {
        self.query(&format!(
            "{SELECT} AND (kind = 'report' OR (kind = 'attachment' AND detected != 'html')) \
             ORDER BY city, year, url"
        ))
    }

    /// Every successfully captured page, list and navigation pages included.
    pub fn all_pages(&self) -> Result<Vec<Entry>, ArchiveError> {
        self.query(&format!(
            "{SELECT} AND kind != 'robots' ORDER BY city, kind, url"
        ))
    }

    fn query(&self, sql: &str) -> Result<Vec<Entry>, ArchiveError> {
        let err = |source| ArchiveError::Sql {
            path: self.db_path.clone(),
            source,
        };
        let mut stmt = self.conn.prepare(sql).map_err(err)?;
        let warc_dir = self.dir.join("warc");
        let rows = stmt
            .query_map([], |r| {
                let kind: String = r.get(2)?;
                let file: String = r.get(15)?;
                Ok(Entry {
                    url: r.get(0)?,
                    final_url: r.get(1)?,
                    kind: PageKind::parse(&kind).unwrap_or(PageKind::Report),
                    city: r.get(3)?,
                    body: r.get(4)?,
                    year: r.get::<_, Option<i64>>(5)?.map(|y| y as u16),
                    parent: r.get(6)?,
                    anchor: r.get(7)?,
                    fetched_at: r.get(8)?,
                    http_status: r.get::<_, i64>(9)? as u16,
                    content_type: r.get(10)?,
                    http_charset: r.get(11)?,
                    content_encoding: r.get(12)?,
                    file_type: r.get(13)?,
                    record_id: r.get::<_, Option<String>>(14)?.unwrap_or_default(),
                    warc_file: warc_dir.join(file),
                    warc_offset: r.get::<_, i64>(16)? as u64,
                    warc_length: r.get::<_, i64>(17)? as u64,
                    payload_digest: r.get(18)?,
                    sha256: r.get(19)?,
                    filename: r.get(20)?,
                })
            })
            .map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)
    }

    /// The WARC response record of an entry.
    pub fn record(&self, entry: &Entry) -> Result<ReadRecord, ArchiveError> {
        entry_record(entry)
    }

    /// The entity body with any Content-Encoding removed: the bytes a browser would render
    /// or save. For HTML, pass them with `entry.http_charset` to `decode::decode_html`.
    pub fn payload(&self, entry: &Entry) -> Result<Vec<u8>, ArchiveError> {
        entry_payload(entry)
    }

    /// The entity body exactly as the server sent it (still content-encoded, e.g. gzip);
    /// its SHA-1 is `entry.payload_digest`.
    pub fn raw_payload(&self, entry: &Entry) -> Result<Vec<u8>, ArchiveError> {
        let rec = self.record(entry)?;
        let (_, body, _) = split_http(&rec.block);
        Ok(body.to_vec())
    }

    /// The payload decoded as HTML text (browser rules: BOM, HTTP charset, `<meta>`, detector).
    pub fn html(&self, entry: &Entry) -> Result<Decoded, ArchiveError> {
        let bytes = self.payload(entry)?;
        Ok(decode_html(&bytes, entry.http_charset.as_deref()))
    }
}

/// Splits an HTTP message block into (header text, body, Content-Encoding).
pub fn split_http(block: &[u8]) -> (String, &[u8], Option<String>) {
    let end = super::warc::find(block, b"\r\n\r\n").map_or(block.len(), |i| i + 4);
    let head = String::from_utf8_lossy(&block[..end]).into_owned();
    let encoding = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-encoding"))
        .map(|(_, v)| v.trim().to_string());
    (head, &block[end..], encoding)
}
