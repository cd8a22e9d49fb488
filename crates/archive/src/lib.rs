//! The harvest archive: what the crawler writes and every later stage reads.
//!
//! - Owns: WARC 1.1 writing and reading ([`warc`]), the SQLite crawl state and its schema
//!   ([`state`]), the kind of each captured URL ([`PageKind`]) and what the crawl knows of it
//!   ([`Target`]), and the read-only view of a harvest folder that aggregation builds on
//!   ([`Archive`], [`Entry`]).
//! - Input: HTTP exchanges from the crawler (as WARC records and state rows). Output: captured
//!   pages and attachments with their payload bytes, exactly as served.
//! - Must not: touch the network, parse reports, or depend on an async runtime. Readers open
//!   the state read-only; only [`state::Store`] writes, and it commits WARC bytes and state rows
//!   together so a crash loses nothing committed.

mod content;
mod kind;
pub mod lock;
mod reader;
pub mod state;
mod target;
pub mod warc;

pub use content::{decode_content, decode_content_owned};
pub use kind::PageKind;
pub use reader::{
    entry_payload, entry_record, read_payload, read_sent_payload, split_http, Archive,
    ArchiveError, Capture, DigestMismatch, Entry, Payload, SentPayload, Uncaptured,
    MAX_PAYLOAD_BYTES,
};
pub use target::Target;
