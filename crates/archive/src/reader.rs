//! A harvest directory (`state.sqlite` + `warc/*.warc.gz`) → the captured report pages and
//! attachments as [`Entry`] values, with their payload bytes read from the WARC records. This
//! is the interface the aggregation stage builds on. Read-only; no network.
//!
//! ```no_run
//! use nianbao_archive::Archive;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let archive = Archive::open(std::path::Path::new("out/harvest"))?;
//! for entry in archive.entries()? {
//!     let bytes = archive.payload(&entry)?; // content-decoded entity body
//!     let t = &entry.target;
//!     println!("{} {} {:?} {} {} bytes", t.city, t.kind.as_str(), t.year, t.url, bytes.len());
//! }
//! # Ok(()) }
//! ```

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, Row};

use crate::content::decode_content_owned;
use crate::kind::PageKind;
use crate::target::Target;
use crate::warc::{read_record, sha1_base32, ReadRecord, WarcError};
use sha2::{Digest, Sha256};

/// Largest payload [`Archive::payload`] will decode (a guard against compressed bombs).
pub const MAX_PAYLOAD_BYTES: u64 = 512 << 20;

/// An archive that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The folder does not exist, or holds no crawl state: not a harvest folder. The message
    /// is the reason alone: the caller names the folder (`cannot read the archive DIR: …`).
    #[error("{why}")]
    NotAnArchive {
        /// The folder named as an archive.
        dir: PathBuf,
        /// `no such folder`, or which file is missing.
        why: &'static str,
    },
    /// The state database could not be opened or queried.
    #[error("archive state {path}: {source}")]
    Sql {
        /// The `state.sqlite` file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// A WARC record could not be read.
    #[error(transparent)]
    Warc(#[from] WarcError),
    /// A record's bytes do not match a digest stored for them.
    #[error("{0}")]
    Digest(#[source] Box<DigestMismatch>),
    /// A record was read but its payload could not be decoded (Content-Encoding, size cap).
    #[error("record {record_id} in {path}: {message}")]
    Payload {
        /// The WARC file.
        path: PathBuf,
        /// The record's `WARC-Record-ID`.
        record_id: String,
        /// What went wrong, e.g. `decompression-cap: …`.
        message: String,
    },
}

/// A record whose bytes are not the bytes that were archived: a digest stored in the WARC
/// record or in the crawl state differs from the digest of the bytes read.
#[derive(Debug, thiserror::Error)]
#[error(
    "record {record_id} in {path} at offset {offset}: {what} digest mismatch \
     (stored {stored}, bytes read {actual}); the record was altered or corrupted"
)]
pub struct DigestMismatch {
    /// The WARC file.
    pub path: PathBuf,
    /// The record's `WARC-Record-ID`.
    pub record_id: String,
    /// The byte offset of the record's gzip member.
    pub offset: u64,
    /// Which digest: `WARC-Block-Digest`, `WARC-Payload-Digest`, `state payload_sha1` or
    /// `state payload_sha256`.
    pub what: &'static str,
    /// The digest stored.
    pub stored: String,
    /// The digest of the bytes read.
    pub actual: String,
}

/// The payload of an entry as read and checked: the content-decoded bytes and their SHA-256.
#[derive(Debug, Clone)]
pub struct Payload {
    /// The entity body with any Content-Encoding removed.
    pub bytes: Vec<u8>,
    /// SHA-256 (hex) of `bytes`: the digest of what is actually parsed.
    pub sha256: String,
}

/// One captured page or file.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The URL as discovered and what it is. Its kind is `Report` (a report page),
    /// `Attachment` (a file linked from one), or `List`/`Home`/`Nav` for [`Archive::all_pages`].
    pub target: Target,
    /// The URL that answered (after redirects).
    pub final_url: String,
    /// The page the link was found on; `None` for a start page from the config.
    pub parent: Option<String>,
    /// The link text on that page; `None` for a start page.
    pub anchor: Option<String>,
    /// WARC-Date of the capture (ISO 8601 UTC).
    pub fetched_at: String,
    /// The HTTP status of the final response, e.g. 200, or 304 when a re-harvest found it
    /// unchanged; 0 if not recorded.
    pub http_status: u16,
    /// The HTTP `Content-Type` header; `None` when absent.
    pub content_type: Option<String>,
    /// The `charset` parameter of the HTTP Content-Type header, for `decode::decode_html`.
    pub http_charset: Option<String>,
    /// The HTTP `Content-Encoding` header, e.g. `gzip`; `None` when the body was sent as is.
    pub content_encoding: Option<String>,
    /// File type by magic bytes: `html`, `pdf`, `ole` (doc/xls/wps), `zip` (docx/xlsx/ofd),
    /// `rar`, `other`.
    pub file_type: String,
    /// `WARC-Record-ID` of the response record.
    pub record_id: String,
    /// The WARC file holding the response record, inside the harvest's `warc/` directory.
    pub warc_file: PathBuf,
    /// Byte offset of the record's gzip member in `warc_file`.
    pub warc_offset: u64,
    /// Length in bytes of that gzip member (compressed).
    pub warc_length: u64,
    /// `WARC-Payload-Digest` (`sha1:` base32) of the body as sent.
    pub payload_digest: String,
    /// SHA-256 (hex) of the content-decoded payload, the bytes [`Archive::payload`] returns.
    pub sha256: String,
    /// A safe file name: from `Content-Disposition` (UTF-8 or GBK) or the URL's last segment.
    /// Useful to tell `.doc` from `.wps` or `.xls`, which share the OLE magic bytes.
    pub filename: Option<String>,
    /// When the portal was first seen to have removed the page: the WARC-Date of the 404 or
    /// 410 answer to a later visit. The entry is then the last good capture, kept.
    /// `None` while the page is still served (and in archives from before this was recorded).
    pub removed_at: Option<String>,
    /// The status of that answer (404 or 410); `None` with `removed_at`.
    pub removed_status: Option<u16>,
    /// `true` for a report added by `nianbao import` (a `resource` record, never fetched).
    pub manual: bool,
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
    read_payload(entry).map(|p| p.bytes)
}

/// The entry's payload, checked against every digest stored for it: the record's
/// `WARC-Block-Digest` and `WARC-Payload-Digest`, and the crawl state's SHA-1 of the body as
/// sent and SHA-256 of the decoded body. A mismatch is [`ArchiveError::Digest`]; a digest that
/// was never stored is not checked. Any thread may read.
pub fn read_payload(entry: &Entry) -> Result<Payload, ArchiveError> {
    let sent = read_sent_payload(entry)?;
    let bytes = decode_content_owned(sent.bytes, sent.encoding.as_deref(), MAX_PAYLOAD_BYTES)
        .map_err(|message| ArchiveError::Payload {
            path: entry.warc_file.clone(),
            record_id: entry.record_id.clone(),
            message,
        })?;
    let sha256 = hex(&Sha256::digest(&bytes));
    check_digest(
        entry,
        "state payload_sha256",
        Some(entry.sha256.as_str()),
        &|| sha256.clone(),
    )?;
    Ok(Payload { bytes, sha256 })
}

/// The entity body of an entry exactly as the server sent it: still content-encoded (gzip,
/// deflate) if it was, de-chunked (the crawler stores it so), without the HTTP headers.
#[derive(Debug, Clone)]
pub struct SentPayload {
    /// The body as sent; its SHA-1 is the record's `WARC-Payload-Digest`.
    pub bytes: Vec<u8>,
    /// The HTTP `Content-Encoding` it was sent with; `None` for a body sent as is.
    pub encoding: Option<String>,
}

/// The entry's body as the server sent it, checked against the record's `WARC-Block-Digest`
/// and `WARC-Payload-Digest` and the crawl state's SHA-1 (a digest never stored is not
/// checked). [`read_payload`] also removes the Content-Encoding and checks the SHA-256.
pub fn read_sent_payload(entry: &Entry) -> Result<SentPayload, ArchiveError> {
    let rec = entry_record(entry)?;
    check_digest(
        entry,
        "WARC-Block-Digest",
        rec.field("WARC-Block-Digest"),
        &|| sha1_base32(&rec.block),
    )?;
    // A `resource` record (an imported file) is its payload; a response carries HTTP headers.
    let (body, encoding) = if rec.field("WARC-Type") == Some("resource") {
        (&rec.block[..], None)
    } else {
        let (_, body, encoding) = split_http(&rec.block);
        (body, encoding)
    };
    let body_sha1 = || sha1_base32(body);
    check_digest(
        entry,
        "WARC-Payload-Digest",
        rec.field("WARC-Payload-Digest"),
        &body_sha1,
    )?;
    check_digest(
        entry,
        "state payload_sha1",
        Some(entry.payload_digest.as_str()),
        &body_sha1,
    )?;
    Ok(SentPayload {
        bytes: body.to_vec(),
        encoding,
    })
}

/// A digest stored for an entry's record (`what`) against the digest of the bytes read;
/// `None` or empty means never stored, and is not checked.
fn check_digest(
    entry: &Entry,
    what: &'static str,
    stored: Option<&str>,
    actual: &dyn Fn() -> String,
) -> Result<(), ArchiveError> {
    let Some(stored) = stored.filter(|s| !s.is_empty()) else {
        return Ok(());
    };
    let actual = actual();
    if stored.eq_ignore_ascii_case(&actual) {
        return Ok(());
    }
    Err(ArchiveError::Digest(Box::new(DigestMismatch {
        path: entry.warc_file.clone(),
        record_id: entry.record_id.clone(),
        offset: entry.warc_offset,
        what,
        stored: stored.to_string(),
        actual,
    })))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A report page without a capture, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uncaptured {
    /// The page as discovered (city, body and year from its link).
    pub target: Target,
    /// Its crawl status: `pending`, `failed`, `blocked` or `skipped`.
    pub status: String,
    /// The crawl's note on it (the error, or why it is deferred); `None` when none.
    pub error: Option<String>,
    /// The last HTTP status it answered with; `None` when it never answered.
    pub http_status: Option<u16>,
}

/// Which capture [`Archive::find_capture`] looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Capture {
    /// By the `WARC-Record-ID` of its response record.
    Record(String),
    /// By its URL.
    Url(String),
}

/// Read access to a harvest directory.
pub struct Archive {
    dir: PathBuf,
    db_path: PathBuf,
    conn: Connection,
    /// The `SELECT … WHERE` every query starts with, fitted to the archive's schema.
    select: String,
}

const SELECT: &str = "SELECT url, COALESCE(final_url, url), kind, city, body, year, parent, anchor, \
    COALESCE(fetched_at, ''), COALESCE(http_status, 0), content_type, http_charset, content_encoding, \
    COALESCE(detected, 'other'), record_id, warc_file, warc_offset, warc_length, COALESCE(payload_sha1, ''), \
    COALESCE(payload_sha256, ''), filename";

/// The current capture of every URL that has one: the last good capture, kept even while the
/// row waits in the frontier of a re-harvest or after the portal removed the page.
const CURRENT: &str =
    ", removed_at, removed_status, origin FROM urls WHERE captured = 1 AND warc_file IS NOT NULL";

/// The same for an archive written before `captured` and the removal columns existed (it is
/// read as it is, never migrated by a reader).
const CURRENT_BEFORE_REMOVALS: &str =
    ", NULL, NULL, origin FROM urls WHERE status = 'done' AND warc_file IS NOT NULL";

/// The state database, read-only. While a crawl may be writing (its lock file names a holder)
/// or a killed crawl left committed pages in the write-ahead log, SQLite's shared-memory index
/// is needed to read consistently; otherwise the file is opened `immutable`, which reads it
/// without creating or writing any file beside it.
fn open_state(dir: &Path, db_path: &Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if may_have_writer(dir, db_path) {
        return Connection::open_with_flags(db_path, flags);
    }
    let uri = format!("file:{}?immutable=1", uri_path(db_path));
    Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
}

/// A crawl holds (or a killed one held) the archive's lock, or the write-ahead log is not empty.
fn may_have_writer(dir: &Path, db_path: &Path) -> bool {
    let non_empty = |p: &Path| std::fs::metadata(p).is_ok_and(|m| m.len() > 0);
    let mut wal = db_path.as_os_str().to_owned();
    wal.push("-wal");
    non_empty(&dir.join(crate::state::LOCK_FILE)) || non_empty(Path::new(&wal))
}

/// A path as the path part of an SQLite `file:` URI: every byte outside the unreserved set
/// percent-encoded (so `?`, `#`, `%` and spaces in folder names stay part of the path).
fn uri_path(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut out = String::new();
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/._-~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Archive {
    /// Opens a harvest directory read-only (a crawl may still be writing it). Reading never
    /// writes into the archive when no crawl is running: the state is then opened as an
    /// immutable file (no `-shm`/`-wal` files are created or touched), so a read-only copy
    /// — a team's shared folder, another user's archive — replays as it is.
    pub fn open(dir: &Path) -> Result<Archive, ArchiveError> {
        let db_path = dir.join("state.sqlite");
        // Said plainly here: SQLite's own error for a missing file is "unable to open database
        // file", twice over.
        let not_an_archive = |why| ArchiveError::NotAnArchive {
            dir: dir.to_path_buf(),
            why,
        };
        if !dir.is_dir() {
            return Err(not_an_archive("no such folder"));
        }
        if !db_path.is_file() {
            return Err(not_an_archive(
                "not a harvest folder (no state.sqlite; `nianbao crawl --out DIR` writes one)",
            ));
        }
        let conn = open_state(dir, &db_path).map_err(|source| ArchiveError::Sql {
            path: db_path.clone(),
            source,
        })?;
        let have = crate::state::columns(&conn, "urls").map_err(|source| ArchiveError::Sql {
            path: db_path.clone(),
            source,
        })?;
        let tracks_removals = ["captured", "removed_at", "removed_status"]
            .iter()
            .all(|c| have.iter().any(|h| h == c));
        let mut tail = if tracks_removals {
            CURRENT.to_string()
        } else {
            CURRENT_BEFORE_REMOVALS.to_string()
        };
        // Archives written before `nianbao import` existed have no `origin`: nothing is manual.
        if !have.iter().any(|h| h == "origin") {
            tail = tail.replacen(", origin FROM", ", NULL FROM", 1);
        }
        Ok(Archive {
            dir: dir.to_path_buf(),
            db_path,
            conn,
            select: format!("{SELECT}{tail}"),
        })
    }

    /// Report pages and attachments, ordered by city, year, URL. Attachments that turned out
    /// to be HTML pages are left out.
    pub fn entries(&self) -> Result<Vec<Entry>, ArchiveError> {
        self.query(&format!(
            "{} AND (kind = 'report' OR (kind = 'attachment' AND detected != 'html')) \
             ORDER BY city, year, url",
            self.select
        ))
    }

    /// Report pages the crawl found but has no capture of — failed, blocked (robots.txt or an
    /// anti-bot page), skipped, or still pending (an unreachable host) — ordered by city, year,
    /// URL: what the coverage table names as missing and why.
    pub fn uncaptured_reports(&self) -> Result<Vec<Uncaptured>, ArchiveError> {
        let err = |source| ArchiveError::Sql {
            path: self.db_path.clone(),
            source,
        };
        let captured = if self.select.contains("captured = 1") {
            "captured = 1 AND warc_file IS NOT NULL"
        } else {
            "status = 'done' AND warc_file IS NOT NULL"
        };
        let sql = format!(
            "SELECT url, city, body, year, status, error, http_status FROM urls \
             WHERE kind = 'report' AND NOT ({captured}) ORDER BY city, year, url"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Uncaptured {
                    target: Target {
                        url: r.get(0)?,
                        kind: PageKind::Report,
                        city: r.get(1)?,
                        body: r.get(2)?,
                        year: r
                            .get::<_, Option<i64>>(3)?
                            .and_then(|y| u16::try_from(y).ok()),
                    },
                    status: r.get(4)?,
                    error: r.get(5)?,
                    http_status: r
                        .get::<_, Option<i64>>(6)?
                        .and_then(|s| u16::try_from(s).ok()),
                })
            })
            .map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)
    }

    /// The capture whose response record has this `WARC-Record-ID` (with or without its
    /// `<urn:uuid:…>` wrapping), or whose URL (as discovered, or after redirects) is `url`.
    /// Any captured page or attachment; `None` when the archive holds no such capture.
    pub fn find_capture(&self, wanted: &Capture) -> Result<Option<Entry>, ArchiveError> {
        let bare = |id: &str| {
            let id = id.trim();
            let id = id.strip_prefix('<').unwrap_or(id);
            let id = id.strip_suffix('>').unwrap_or(id);
            id.strip_prefix("urn:uuid:")
                .unwrap_or(id)
                .to_ascii_lowercase()
        };
        Ok(self.all_pages()?.into_iter().find(|e| match wanted {
            Capture::Record(id) => !e.record_id.is_empty() && bare(&e.record_id) == bare(id),
            Capture::Url(url) => e.target.url == *url || e.final_url == *url,
        }))
    }

    /// Every successfully captured page, list and navigation pages included.
    pub fn all_pages(&self) -> Result<Vec<Entry>, ArchiveError> {
        self.query(&format!(
            "{} AND kind != 'robots' ORDER BY city, kind, url",
            self.select
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
            .query_map([], |r| entry_from_sql(r, &warc_dir))
            .map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)
    }

    /// The WARC response record of an entry.
    pub fn record(&self, entry: &Entry) -> Result<ReadRecord, ArchiveError> {
        entry_record(entry)
    }

    /// The entity body with any Content-Encoding removed: the bytes a browser would render
    /// or save. For HTML, pass them with `entry.http_charset` to the parser's
    /// `decode::decode_html`.
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
}

/// An [`Entry`] from a row of [`SELECT`]; `warc_dir` is the harvest's `warc/` directory.
fn entry_from_sql(r: &Row, warc_dir: &Path) -> rusqlite::Result<Entry> {
    let kind: String = r.get(2)?;
    let file: String = r.get(15)?;
    Ok(Entry {
        target: Target {
            url: r.get(0)?,
            kind: PageKind::parse(&kind).unwrap_or(PageKind::Report),
            city: r.get(3)?,
            body: r.get(4)?,
            year: r.get::<_, Option<i64>>(5)?.map(|y| y as u16),
        },
        final_url: r.get(1)?,
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
        removed_at: r.get(21)?,
        removed_status: r.get::<_, Option<i64>>(22)?.map(|s| s as u16),
        manual: r.get::<_, Option<String>>(23)?.as_deref() == Some("manual"),
    })
}

/// Splits an HTTP message block into (header text, body, Content-Encoding).
pub fn split_http(block: &[u8]) -> (String, &[u8], Option<String>) {
    let end = crate::warc::find(block, b"\r\n\r\n").map_or(block.len(), |i| i + 4);
    let head = String::from_utf8_lossy(&block[..end]).into_owned();
    let encoding = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-encoding"))
        .map(|(_, v)| v.trim().to_string());
    (head, &block[end..], encoding)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::warc::{gzip_member, Record, RecordType, WarcWriter};

    /// An entry for a response record written with a gzip-encoded body into a fresh WARC.
    fn gzip_capture(dir: &Path, body: &[u8]) -> Entry {
        let sent = gzip_member(body);
        let mut block =
            b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Encoding: gzip\r\n\r\n"
                .to_vec();
        let start = block.len();
        block.extend_from_slice(&sent);
        let mut record = Record::new(
            RecordType::Response,
            "application/http;msgtype=response",
            block,
        );
        record.payload_start = Some(start);
        let member = record.to_gzip_member();
        let path = dir.join("a.warc.gz");
        let (mut w, _) = WarcWriter::open(&path, 0).expect("warc");
        let offset = w.append(&member).expect("append");
        Entry {
            target: Target {
                url: "http://x/a.pdf".into(),
                kind: PageKind::Attachment,
                city: "甲市".into(),
                body: None,
                year: None,
            },
            final_url: "http://x/a.pdf".into(),
            parent: None,
            anchor: None,
            fetched_at: String::new(),
            http_status: 200,
            content_type: Some("application/pdf".into()),
            http_charset: None,
            content_encoding: Some("gzip".into()),
            file_type: "pdf".into(),
            record_id: record.record_id.clone(),
            warc_file: path,
            warc_offset: offset,
            warc_length: member.len() as u64,
            payload_digest: sha1_base32(&sent),
            sha256: hex(&Sha256::digest(body)),
            filename: None,
            removed_at: None,
            removed_status: None,
            manual: false,
        }
    }

    #[test]
    fn a_gzip_body_is_read_as_sent_or_decoded_each_checked_by_its_digest() {
        let dir = tempfile::tempdir().expect("temp dir");
        let body = b"%PDF-1.5 a report".repeat(50);
        let entry = gzip_capture(dir.path(), &body);
        let sent = read_sent_payload(&entry).expect("as sent");
        assert_eq!(sent.encoding.as_deref(), Some("gzip"));
        assert_eq!(sha1_base32(&sent.bytes), entry.payload_digest);
        assert_ne!(sent.bytes, body);
        let decoded = read_payload(&entry).expect("decoded");
        assert_eq!(decoded.bytes, body);
        assert_eq!(decoded.sha256, entry.sha256);
        let altered = Entry {
            payload_digest: "sha1:AAAA".into(),
            ..entry
        };
        let err = read_sent_payload(&altered).expect_err("digest mismatch");
        assert!(
            err.to_string()
                .contains("state payload_sha1 digest mismatch"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_folder_or_one_without_state_is_named_plainly() {
        let dir = tempfile::tempdir().expect("temp dir");
        let missing = Archive::open(&dir.path().join("nope"))
            .err()
            .expect("no folder");
        assert_eq!(missing.to_string(), "no such folder");
        let empty = Archive::open(dir.path()).err().expect("no state");
        assert!(
            empty.to_string().starts_with("not a harvest folder"),
            "{empty}"
        );
    }
}
