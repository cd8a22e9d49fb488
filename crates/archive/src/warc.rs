//! WARC 1.1 records ↔ bytes: one gzip member per record, `sha1:` base32 block and payload
//! digests (ISO 28500:2017). Writes to an append-only file and reads a record back from its
//! offset. No network, no crawl state: the caller keeps offsets and decides what is committed.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use data_encoding::BASE32;
use flate2::write::GzEncoder;
use flate2::{Compress, Compression, FlushCompress, Status};
use sha1::{Digest, Sha1};

/// Errors reading or writing a WARC file.
#[derive(Debug, thiserror::Error)]
pub enum WarcError {
    /// The file could not be opened, read, written or cut.
    #[error("WARC file {path}: {source}")]
    Io {
        /// The WARC file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The bytes are not a valid record (a torn or corrupt gzip member, a bad header), or the
    /// file is shorter than its committed length.
    #[error("WARC file {path} at offset {offset}: {message}")]
    Malformed {
        /// The WARC file.
        path: PathBuf,
        /// Byte offset of the record, or the file's actual length when it is too short.
        offset: u64,
        /// What is wrong.
        message: String,
    },
}

/// The WARC record types this crawler writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordType {
    /// `warcinfo`: the crawl software and settings; starts every file the crawler writes.
    Warcinfo,
    /// `request`: the HTTP request as sent.
    Request,
    /// `response`: the HTTP response as received, the body de-chunked.
    Response,
    /// `metadata`: further information about another record.
    Metadata,
    /// `resource`: a file that was not fetched over HTTP (`nianbao import`); the block is the
    /// file's bytes, and its payload.
    Resource,
}

impl RecordType {
    fn as_str(self) -> &'static str {
        match self {
            RecordType::Warcinfo => "warcinfo",
            RecordType::Request => "request",
            RecordType::Response => "response",
            RecordType::Metadata => "metadata",
            RecordType::Resource => "resource",
        }
    }
}

/// One record to be written. `block` is the record body; for `request`/`response` records it
/// is the raw HTTP message and `payload_start` is where the entity body begins inside it.
#[derive(Debug, Clone)]
pub struct Record {
    /// `WARC-Type`.
    pub kind: RecordType,
    /// `WARC-Record-ID`, a `<urn:uuid:…>` (see [`new_record_id`]).
    pub record_id: String,
    /// `WARC-Date`, ISO 8601 UTC (see [`warc_date`]).
    pub date: String,
    /// `WARC-Target-URI`, the URL of a request or response; `None` when the record has none.
    pub target_uri: Option<String>,
    /// `Content-Type` of the block, e.g. `application/http;msgtype=response`.
    pub content_type: String,
    /// The record block: the bytes after the header, counted by `Content-Length`.
    pub block: Vec<u8>,
    /// Where the HTTP entity body starts in `block`; `None` when there is no payload, and then
    /// no `WARC-Payload-Digest` is written.
    pub payload_start: Option<usize>,
    /// Further named fields, e.g. `WARC-Concurrent-To`, `WARC-IP-Address`, `WARC-Truncated`.
    pub fields: Vec<(String, String)>,
}

impl Record {
    /// A record with a fresh id and the current time.
    pub fn new(kind: RecordType, content_type: &str, block: Vec<u8>) -> Record {
        Record {
            kind,
            record_id: new_record_id(),
            date: warc_date(SystemTime::now()),
            target_uri: None,
            content_type: content_type.to_string(),
            block,
            payload_start: None,
            fields: Vec::new(),
        }
    }

    /// `sha1:<base32>` of the whole block.
    pub fn block_digest(&self) -> String {
        sha1_base32(&self.block)
    }

    /// `sha1:<base32>` of the HTTP entity body, when the record carries one.
    pub fn payload_digest(&self) -> Option<String> {
        self.payload_start
            .map(|start| sha1_base32(self.block.get(start..).unwrap_or(&[])))
    }

    /// The uncompressed record: version line, fields, blank line, block, CRLF CRLF.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut head = String::with_capacity(512);
        head.push_str("WARC/1.1\r\n");
        push_field(&mut head, "WARC-Type", self.kind.as_str());
        push_field(&mut head, "WARC-Record-ID", &self.record_id);
        push_field(&mut head, "WARC-Date", &self.date);
        if let Some(uri) = &self.target_uri {
            push_field(&mut head, "WARC-Target-URI", uri);
        }
        for (name, value) in &self.fields {
            push_field(&mut head, name, value);
        }
        push_field(&mut head, "WARC-Block-Digest", &self.block_digest());
        if let Some(payload) = self.payload_digest() {
            push_field(&mut head, "WARC-Payload-Digest", &payload);
        }
        push_field(&mut head, "Content-Type", &self.content_type);
        push_field(&mut head, "Content-Length", &self.block.len().to_string());
        head.push_str("\r\n");
        let mut out = Vec::with_capacity(head.len() + self.block.len() + 4);
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(&self.block);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    /// The record as one gzip member, ready to append.
    pub fn to_gzip_member(&self) -> Vec<u8> {
        gzip_member(&self.to_bytes())
    }
}

thread_local! {
    /// One deflate state per thread, reset per member: allocating and zeroing a fresh
    /// compressor for every record dominated the crawler's CPU profile.
    static DEFLATE: std::cell::RefCell<Compress> =
        std::cell::RefCell::new(Compress::new(Compression::fast(), false));
    /// Level 0 (stored blocks) for tiny records such as requests: nothing to gain, and
    /// building Huffman tables costs more than the record.
    static STORE: std::cell::RefCell<Compress> =
        std::cell::RefCell::new(Compress::new(Compression::none(), false));
}

/// Records smaller than this are stored, not compressed.
const STORE_BELOW: usize = 1024;

/// `bytes` as one gzip member (RFC 1952: header, raw deflate, CRC-32, size).
pub fn gzip_member(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() / 2 + 64);
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    let state = if bytes.len() < STORE_BELOW {
        &STORE
    } else {
        &DEFLATE
    };
    let deflated = state.with(|c| deflate_into(&mut c.borrow_mut(), bytes, &mut out));
    if !deflated {
        // Not expected; fall back to a fresh encoder.
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        let _ = enc.write_all(bytes);
        return enc.finish().unwrap_or_default();
    }
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out
}

fn deflate_into(c: &mut Compress, input: &[u8], out: &mut Vec<u8>) -> bool {
    c.reset();
    loop {
        if out.capacity() - out.len() < 4096 {
            out.reserve(input.len() / 2 + 4096);
        }
        let consumed = c.total_in() as usize;
        match c.compress_vec(
            &input[consumed.min(input.len())..],
            out,
            FlushCompress::Finish,
        ) {
            Ok(Status::StreamEnd) => return true,
            Ok(_) => continue,
            Err(_) => return false,
        }
    }
}

fn push_field(head: &mut String, name: &str, value: &str) {
    head.push_str(name);
    head.push_str(": ");
    // Field values must not contain line breaks.
    head.extend(value.chars().filter(|c| *c != '\r' && *c != '\n'));
    head.push_str("\r\n");
}

/// `sha1:` + base32, the customary WARC digest form.
pub fn sha1_base32(bytes: &[u8]) -> String {
    format!("sha1:{}", BASE32.encode(&Sha1::digest(bytes)))
}

/// A fresh `<urn:uuid:…>` (version 4) record id.
pub fn new_record_id() -> String {
    let r = fastrand::u128(..);
    let b = r.to_be_bytes();
    let mut b = b;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "<urn:uuid:{}-{}-{}-{}-{}>",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// ISO 8601 UTC with microseconds, as WARC 1.1 allows (`2026-11-26T00:40:00.123456Z`).
pub fn warc_date(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, day) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60,
        d.subsec_micros()
    )
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Append-only writer over one `.warc.gz` file.
pub struct WarcWriter {
    path: PathBuf,
    file: File,
    len: u64,
}

impl WarcWriter {
    /// Opens (creating if needed) `path` and cuts everything after `committed_len`: the bytes
    /// past it belong to records whose crawl state was never committed, or to a torn record.
    /// Returns the writer and how many bytes were cut.
    pub fn open(path: &Path, committed_len: u64) -> Result<(WarcWriter, u64), WarcError> {
        let io_err = |source| WarcError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = OpenOptions::new()
            .create(true)
            .read(true)
            .write(true)
            .truncate(false)
            .open(path)
            .map_err(io_err)?;
        let actual = file.metadata().map_err(io_err)?.len();
        let mut cut = 0;
        if actual > committed_len {
            file.set_len(committed_len).map_err(io_err)?;
            cut = actual - committed_len;
        } else if actual < committed_len {
            return Err(WarcError::Malformed {
                path: path.to_path_buf(),
                offset: actual,
                message: format!("file is shorter than the committed length {committed_len}"),
            });
        }
        let mut w = WarcWriter {
            path: path.to_path_buf(),
            file,
            len: committed_len,
        };
        w.file
            .seek(SeekFrom::Start(committed_len))
            .map_err(io_err)?;
        Ok((w, cut))
    }

    /// The file's current length (the offset the next record will get).
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The path of the file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends already-compressed members; returns the offset of the first one.
    pub fn append(&mut self, members: &[u8]) -> Result<u64, WarcError> {
        let offset = self.len;
        self.file
            .write_all(members)
            .map_err(|source| WarcError::Io {
                path: self.path.clone(),
                source,
            })?;
        self.len += members.len() as u64;
        Ok(offset)
    }
}

/// A record read back from a file.
#[derive(Debug, Clone)]
pub struct ReadRecord {
    /// Byte offset of the record's gzip member in the file.
    pub offset: u64,
    /// Compressed length of the gzip member.
    pub length: u64,
    /// The WARC header fields as (name, value), in file order, trimmed.
    pub fields: Vec<(String, String)>,
    /// The record block: `Content-Length` bytes after the header.
    pub block: Vec<u8>,
}

impl ReadRecord {
    /// The first field named `name` (case-insensitive).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads the record whose gzip member starts at `offset` and is `length` bytes long.
pub fn read_record(path: &Path, offset: u64, length: u64) -> Result<ReadRecord, WarcError> {
    let io_err = |source| WarcError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io_err)?;
    file.seek(SeekFrom::Start(offset)).map_err(io_err)?;
    let mut member = vec![0; length as usize];
    file.read_exact(&mut member).map_err(io_err)?;
    let (rec, _) = decode_member(path, offset, &member)?;
    Ok(rec)
}

/// Reads every record of a file in order (for checks and tools; holds the file in memory).
pub fn read_all(path: &Path) -> Result<Vec<ReadRecord>, WarcError> {
    let bytes = std::fs::read(path).map_err(|source| WarcError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut out = Vec::new();
    let mut offset = 0usize;
    while offset < bytes.len() {
        let (rec, used) = decode_member(path, offset as u64, &bytes[offset..])?;
        offset += used;
        out.push(rec);
    }
    Ok(out)
}

/// Decodes one gzip member at the start of `bytes`; returns the record and the member length.
fn decode_member(path: &Path, offset: u64, bytes: &[u8]) -> Result<(ReadRecord, usize), WarcError> {
    let malformed = |message: String| WarcError::Malformed {
        path: path.to_path_buf(),
        offset,
        message,
    };
    let mut dec = flate2::bufread::GzDecoder::new(bytes);
    let mut raw = Vec::new();
    dec.read_to_end(&mut raw)
        .map_err(|e| malformed(format!("torn or corrupt gzip member: {e}")))?;
    let used = bytes.len() - dec.into_inner().len();
    let head_end =
        find(&raw, b"\r\n\r\n").ok_or_else(|| malformed("no end of WARC header".into()))?;
    let head = std::str::from_utf8(&raw[..head_end])
        .map_err(|_| malformed("WARC header is not UTF-8".into()))?;
    let mut lines = head.split("\r\n");
    if !lines.next().is_some_and(|l| l.starts_with("WARC/")) {
        return Err(malformed("missing WARC version line".into()));
    }
    let fields: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let len: usize = fields
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Content-Length"))
        .and_then(|(_, v)| v.parse().ok())
        .ok_or_else(|| malformed("missing Content-Length".into()))?;
    let start = head_end + 4;
    let block = raw
        .get(start..start + len)
        .ok_or_else(|| malformed("block shorter than Content-Length".into()))?
        .to_vec();
    let rec = ReadRecord {
        offset,
        length: used as u64,
        fields,
        block,
    };
    Ok((rec, used))
}

pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_iso_utc() {
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        assert_eq!(warc_date(t), "2023-11-14T22:13:20.000000Z");
    }

    #[test]
    fn record_ids_are_uuid_v4_urns() {
        let id = new_record_id();
        assert_eq!(id.len(), "<urn:uuid:>".len() + 36);
        assert_eq!(&id[24..25], "4");
    }

    #[test]
    fn a_record_round_trips_through_gzip() {
        let mut r = Record::new(
            RecordType::Response,
            "application/http;msgtype=response",
            b"HTTP/1.1 200 OK\r\n\r\nhello".to_vec(),
        );
        r.payload_start = Some(19);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.warc.gz");
        let (mut w, _) = WarcWriter::open(&path, 0).unwrap();
        let m = r.to_gzip_member();
        let off = w.append(&m).unwrap();
        let back = read_record(&path, off, m.len() as u64).unwrap();
        assert_eq!(back.block, r.block);
        assert_eq!(
            back.field("WARC-Payload-Digest"),
            Some(sha1_base32(b"hello").as_str())
        );
        assert_eq!(read_all(&path).unwrap().len(), 1);
    }

    #[test]
    fn reused_deflate_state_makes_valid_independent_members() {
        let a = gzip_member(b"first record");
        let big: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let b = gzip_member(&big);
        let c = gzip_member(b"");
        let all = [&a[..], &b[..], &c[..]].concat();
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&all[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, [&b"first record"[..], &big[..]].concat());
        let mut one = Vec::new();
        flate2::read::GzDecoder::new(&b[..])
            .read_to_end(&mut one)
            .unwrap();
        assert_eq!(one, big);
    }

    #[test]
    fn opening_cuts_a_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.warc.gz");
        let r = Record::new(RecordType::Metadata, "text/plain", b"x".to_vec());
        let m = r.to_gzip_member();
        std::fs::write(&path, [&m[..], &m[..m.len() / 2]].concat()).unwrap();
        let (w, cut) = WarcWriter::open(&path, m.len() as u64).unwrap();
        assert_eq!(cut, (m.len() / 2) as u64);
        assert_eq!(w.len(), m.len() as u64);
        assert_eq!(read_all(&path).unwrap().len(), 1);
    }
}
