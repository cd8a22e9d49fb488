//! Crawl state in SQLite + the WARC files it points into → a crash-safe [`Store`]: frontier,
//! seen URLs, status, attempts, errors and WARC offsets. WARC bytes are appended and the state
//! row committed under one lock, and a reopened store cuts WARC bytes past the last commit, so a
//! `kill -9` at any moment loses nothing that was committed and leaves no torn record.

use std::path::{Path, PathBuf};

use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Transaction};

use crate::kind::PageKind;
use crate::lock::DirLock;
use crate::target::Target;
use crate::warc::{WarcError, WarcWriter};

mod searches;
pub use searches::{search_outcome, SearchRecord};

/// A state database or archive that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The state database could not be opened, queried or written.
    #[error("crawl state {path}: {source}")]
    Sql {
        /// The `state.sqlite` file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// A WARC file could not be opened, cut or appended to.
    #[error(transparent)]
    Warc(#[from] WarcError),
    /// Another run writes this archive, or its lock file cannot be used.
    #[error("{0}")]
    Locked(#[source] crate::lock::LockError),
    /// `nianbao import` was given a URL the archive already holds.
    #[error("{0} is already in the archive: give the imported report another --url (or none)")]
    Known(String),
    /// The harvest's `warc/` directory could not be created.
    #[error("cannot create {path}: {source}")]
    Dir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

const SCHEMA: &str = "
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE IF NOT EXISTS urls(
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL UNIQUE,
  host TEXT NOT NULL,
  kind TEXT NOT NULL,
  city TEXT NOT NULL,
  body TEXT,
  year INTEGER,
  depth INTEGER NOT NULL DEFAULT 0,
  parent TEXT,
  anchor TEXT,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  http_status INTEGER,
  final_url TEXT,
  warc_file TEXT,
  warc_offset INTEGER,
  warc_length INTEGER,
  record_id TEXT,
  payload_sha1 TEXT,
  payload_sha256 TEXT,
  content_type TEXT,
  http_charset TEXT,
  content_encoding TEXT,
  detected TEXT,
  etag TEXT,
  last_modified TEXT,
  fetched_at TEXT,
  not_modified INTEGER NOT NULL DEFAULT 0,
  filename TEXT
);
CREATE INDEX IF NOT EXISTS urls_status ON urls(status);
CREATE INDEX IF NOT EXISTS urls_city ON urls(city, kind);
CREATE TABLE IF NOT EXISTS warc_files(name TEXT PRIMARY KEY, committed_len INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS robots(host TEXT PRIMARY KEY, status INTEGER, body TEXT);
CREATE TABLE IF NOT EXISTS runs(
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  refresh INTEGER NOT NULL DEFAULT 0
);
";

/// Columns added after the first schema, with their definitions: an archive written before
/// gets them when a [`Store`] opens it (readers cope without them).
///
/// - `captured`: 1 once the row has a good capture (a `done` outcome with a response record);
///   it is never lost again: a later 404/410, error, challenge or robots refusal keeps it.
/// - `removed_at`, `removed_status`: the WARC-Date and status (404 or 410) of the first answer
///   that said the page is gone; cleared when the page answers again.
const ADDED_COLUMNS: [(&str, &str); 4] = [
    ("captured", "INTEGER NOT NULL DEFAULT 0"),
    ("removed_at", "TEXT"),
    ("removed_status", "INTEGER"),
    // `manual` for a report added by `nianbao import` (never fetched, never refreshed).
    ("origin", "TEXT"),
];

/// The archive's lock file, inside the harvest folder.
pub const LOCK_FILE: &str = "nianbao.lock";

/// Status of a URL in the frontier.
pub mod status {
    /// In the frontier: not fetched yet, or put back by a reset.
    pub const PENDING: &str = "pending";
    /// Fetched: a final 2xx (or a 304 on a re-harvest) was archived.
    pub const DONE: &str = "done";
    /// Given up: a transport or HTTP error after the retries, a redirect loop, an offsite
    /// redirect, or a body too large.
    pub const FAILED: &str = "failed";
    /// Stopped by anti-bot measures: a challenge page (HTTP 412/521), or its host given up.
    pub const BLOCKED: &str = "blocked";
    /// Not fetched: robots.txt disallows it.
    pub const SKIPPED: &str = "skipped";
}

/// The error a row keeps while it waits for its host's robots.txt (the row stays pending).
pub const ROBOTS_UNREACHABLE: &str = "robots.txt unreachable";

/// How a crawl run begins ([`Store::begin_run`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStart {
    /// The previous run was interrupted: its frontier is taken up where it stopped, and no
    /// URL that reached a final status in it is fetched again.
    Resumed,
    /// A new run: list, home and navigation pages are revalidated, robots.txt is fetched
    /// again and URLs refused by robots.txt are checked again; captured report pages and
    /// attachments are not refetched. `revalidate` rows were put back in the frontier.
    New {
        /// Rows put back in the frontier.
        revalidate: usize,
    },
    /// A re-harvest (`--refresh`): every known URL is revisited with conditional requests.
    Refresh {
        /// Rows put back in the frontier.
        revalidate: usize,
    },
}

/// A URL to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUrl {
    /// The URL and what it is, as the crawl found it.
    pub target: Target,
    /// The URL's host, lowercased; rate limits and blocking go by host.
    pub host: String,
    /// Discovery depth: list and navigation hops from a start page (0); report and attachment
    /// links keep their parent's depth.
    pub depth: u32,
    /// The page the link was found on; `None` for a start page.
    pub parent: Option<String>,
    /// The link text; `None` for a start page.
    pub anchor: Option<String>,
}

/// A frontier row, as the fetcher needs it.
#[derive(Debug, Clone)]
pub struct UrlRow {
    /// The row id in the `urls` table.
    pub id: i64,
    /// The URL and what it is, as enqueued.
    pub target: Target,
    /// The URL's host, lowercased.
    pub host: String,
    /// Discovery depth, as in [`NewUrl::depth`].
    pub depth: u32,
    /// Attempts made so far (0 for a new row and after a reset).
    pub attempts: u32,
    /// `ETag` of the previous capture, for a conditional request on a re-harvest.
    pub etag: Option<String>,
    /// `Last-Modified` of the previous capture, likewise.
    pub last_modified: Option<String>,
    /// Previous capture (file, offset, length), for a 304 on a re-harvest.
    pub previous: Option<(String, u64, u64)>,
}

/// Where a record went.
#[derive(Debug, Clone, Default)]
pub struct WarcPtr {
    /// The WARC file name inside `warc/`, e.g. `nianbao-00000.warc.gz`. Left empty,
    /// [`Store::commit`] fills in the file it appends to.
    pub file: String,
    /// Byte offset of the response record's gzip member: in the file, or, while `file` is
    /// empty, within the members given to [`Store::commit`].
    pub offset: u64,
    /// Length in bytes of that gzip member (compressed).
    pub length: u64,
    /// `WARC-Record-ID` of the response record.
    pub record_id: String,
}

/// The final result of fetching one URL.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// One of the [`status`] constants.
    pub status: &'static str,
    /// Attempts made in all.
    pub attempts: u32,
    /// Why the URL failed, was blocked or skipped, e.g. `http-404`; `None` when done.
    pub error: Option<String>,
    /// The HTTP status of the final response; `None` when no response came.
    pub http_status: Option<u16>,
    /// The URL that answered, after redirects; `None` when no response came.
    pub final_url: Option<String>,
    /// Where the response record went; `None` keeps the stored pointer (no response, or a
    /// 304 that keeps the earlier capture).
    pub warc: Option<WarcPtr>,
    /// `sha1:` base32 of the entity body as sent (the `WARC-Payload-Digest`); `None` keeps the
    /// stored value.
    pub payload_sha1: Option<String>,
    /// SHA-256 (hex) of the content-decoded body; `None` keeps the stored value.
    pub payload_sha256: Option<String>,
    /// The `Content-Type` response header; `None` keeps the stored value.
    pub content_type: Option<String>,
    /// The `charset` parameter of the Content-Type header; `None` keeps the stored value.
    pub http_charset: Option<String>,
    /// The `Content-Encoding` response header; `None` keeps the stored value.
    pub content_encoding: Option<String>,
    /// File type by magic bytes of the decoded body (`html`, `pdf`, `ole`, `zip`, `rar`,
    /// `other`); `None` keeps the stored value.
    pub detected: Option<String>,
    /// The `ETag` response header; `None` keeps the stored value.
    pub etag: Option<String>,
    /// The `Last-Modified` response header; `None` keeps the stored value.
    pub last_modified: Option<String>,
    /// `WARC-Date` of the capture (ISO 8601 UTC); `None` when nothing was captured.
    pub fetched_at: Option<String>,
    /// True when the server answered 304 Not Modified to a conditional request.
    pub not_modified: bool,
    /// Sanitized file name (Content-Disposition or URL).
    pub filename: Option<String>,
}

/// The state database and the WARC file currently appended to.
pub struct Store {
    /// The archive's writer lock, released when the store is dropped.
    _lock: DirLock,
    path: PathBuf,
    conn: Connection,
    warc_dir: PathBuf,
    warc: WarcWriter,
    warc_name: String,
    warc_max_bytes: u64,
    /// The `warcinfo` member that starts every new WARC file.
    warcinfo: Vec<u8>,
}

impl Store {
    /// Opens `dir/state.sqlite` and the newest `dir/warc/*.warc.gz`, cutting uncommitted bytes.
    /// Returns the store and the number of bytes cut. The store holds the archive's lock
    /// (`dir/nianbao.lock`, [`crate::lock`]) until it is dropped: a second writer fails at once
    /// with [`StateError::Locked`] naming the holder.
    pub fn open(dir: &Path, warc_max_bytes: u64) -> Result<(Store, u64), StateError> {
        std::fs::create_dir_all(dir).map_err(|source| StateError::Dir {
            path: dir.to_path_buf(),
            source,
        })?;
        let lock = DirLock::acquire(dir, &dir.join(LOCK_FILE)).map_err(StateError::Locked)?;
        if let Some(dead) = lock.taken_over() {
            tracing::warn!(
                "took over the lock of {} from a run that ended without releasing it ({dead})",
                dir.display()
            );
        }
        let warc_dir = dir.join("warc");
        std::fs::create_dir_all(&warc_dir).map_err(|source| StateError::Dir {
            path: warc_dir.clone(),
            source,
        })?;
        let path = dir.join("state.sqlite");
        let sql = |source| StateError::Sql {
            path: path.clone(),
            source,
        };
        let conn = Connection::open(&path).map_err(sql)?;
        conn.execute_batch(SCHEMA).map_err(sql)?;
        conn.execute_batch(searches::SCHEMA).map_err(sql)?;
        let files: Vec<(String, u64)> = {
            let mut stmt = conn
                .prepare("SELECT name, committed_len FROM warc_files ORDER BY name")
                .map_err(sql)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))
                .map_err(sql)?;
            rows.collect::<Result<_, _>>().map_err(sql)?
        };
        // Files other than the newest were closed after a commit; only the newest can be torn.
        let (name, committed) = files
            .last()
            .cloned()
            .unwrap_or_else(|| (warc_file_name(0), 0));
        let (warc, cut) = WarcWriter::open(&warc_dir.join(&name), committed)?;
        // After the cut: a recovery reads only committed records.
        migrate(&conn, &warc_dir).map_err(sql)?;
        conn.execute(
            "INSERT OR IGNORE INTO warc_files(name, committed_len) VALUES (?1, ?2)",
            params![name, committed as i64],
        )
        .map_err(sql)?;
        let store = Store {
            _lock: lock,
            path,
            conn,
            warc_dir,
            warc,
            warc_name: name,
            warc_max_bytes,
            warcinfo: Vec::new(),
        };
        Ok((store, cut))
    }

    fn sql(&self, source: rusqlite::Error) -> StateError {
        StateError::Sql {
            path: self.path.clone(),
            source,
        }
    }

    /// The directory holding the WARC files.
    pub fn warc_dir(&self) -> &Path {
        &self.warc_dir
    }

    /// True when the newest WARC file is empty (a `warcinfo` record should start it).
    pub fn warc_is_empty(&self) -> bool {
        self.warc.is_empty()
    }

    /// Enqueues URLs not seen before; returns the rows that are new.
    pub fn enqueue(&mut self, urls: &[NewUrl]) -> Result<Vec<UrlRow>, StateError> {
        let path = self.path.clone();
        let sql = |source| StateError::Sql {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sql)?;
        let rows = enqueue_in(&tx, urls).map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(rows)
    }

    /// Appends `members` (gzip WARC records, may be empty) and, in the same step, records the
    /// outcome of `id` (when given) and enqueues `children`. Returns the offset of the first
    /// member and the new child rows.
    pub fn commit(
        &mut self,
        members: &[u8],
        finish: Option<(i64, &mut Outcome)>,
        children: &[NewUrl],
    ) -> Result<(u64, Vec<UrlRow>), StateError> {
        self.rotate_if_full()?;
        let offset = self.warc.append(members)?;
        let path = self.path.clone();
        let sql = |source| StateError::Sql {
            path: path.clone(),
            source,
        };
        let warc_name = self.warc_name.clone();
        let warc_len = self.warc.len() as i64;
        let tx = self.conn.transaction().map_err(sql)?;
        let result = (|| {
            if let Some((id, outcome)) = finish {
                if let Some(w) = &mut outcome.warc {
                    if w.file.is_empty() {
                        w.file = warc_name.clone();
                        w.offset += offset;
                    }
                }
                finish_url(&tx, id, outcome)?;
            }
            let rows = enqueue_in(&tx, children)?;
            tx.prepare_cached("UPDATE warc_files SET committed_len = ?2 WHERE name = ?1")?
                .execute(params![warc_name, warc_len])?;
            Ok(rows)
        })();
        let rows = result.map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok((offset, rows))
    }

    /// Appends the robots.txt exchange and stores its answer for `host` in one step.
    pub fn commit_robots(
        &mut self,
        members: &[u8],
        host: &str,
        status: u16,
        body: &str,
    ) -> Result<(), StateError> {
        self.rotate_if_full()?;
        self.warc.append(members)?;
        let path = self.path.clone();
        let sql = |source| StateError::Sql {
            path: path.clone(),
            source,
        };
        let (warc_name, warc_len) = (self.warc_name.clone(), self.warc.len() as i64);
        let tx = self.conn.transaction().map_err(sql)?;
        tx.execute(
            "INSERT OR REPLACE INTO robots(host, status, body) VALUES (?1, ?2, ?3)",
            params![host, status, body],
        )
        .and_then(|_| {
            tx.execute(
                "UPDATE warc_files SET committed_len = ?2 WHERE name = ?1",
                params![warc_name, warc_len],
            )
        })
        .map_err(sql)?;
        tx.commit().map_err(sql)
    }

    /// The name of the WARC file the next commit appends to.
    pub fn current_warc(&self) -> &str {
        &self.warc_name
    }

    fn rotate_if_full(&mut self) -> Result<(), StateError> {
        if self.warc.len() < self.warc_max_bytes {
            return Ok(());
        }
        let seq = self
            .warc_name
            .trim_start_matches("nianbao-")
            .trim_end_matches(".warc.gz")
            .parse::<u32>()
            .unwrap_or(0);
        let name = warc_file_name(seq + 1);
        let (w, _) = WarcWriter::open(&self.warc_dir.join(&name), 0)?;
        self.conn
            .execute(
                "INSERT OR IGNORE INTO warc_files(name, committed_len) VALUES (?1, 0)",
                [&name],
            )
            .map_err(|e| self.sql(e))?;
        self.warc = w;
        self.warc_name = name;
        if !self.warcinfo.is_empty() {
            // Committed with the record that triggered the rotation.
            self.warc.append(&self.warcinfo)?;
        }
        Ok(())
    }

    /// Sets the `warcinfo` member for new files, and writes it now if the current file is
    /// empty.
    pub fn start_with_warcinfo(&mut self, member: Vec<u8>) -> Result<(), StateError> {
        self.warcinfo = member;
        if self.warc.is_empty() {
            let info = self.warcinfo.clone();
            self.commit(&info, None, &[])?;
        }
        Ok(())
    }

    /// All pending rows, lists before reports before attachments.
    pub fn pending(&self) -> Result<Vec<UrlRow>, StateError> {
        let sql = format!("{SELECT_ROW} WHERE status = 'pending' ORDER BY id");
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.sql(e))?;
        let rows = stmt.query_map([], row_from_sql).map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// Records one failed attempt that will be retried.
    pub fn note_attempt(&mut self, id: i64, attempts: u32, error: &str) -> Result<(), StateError> {
        self.conn
            .execute(
                "UPDATE urls SET attempts = ?2, error = ?3 WHERE id = ?1",
                params![id, attempts, error],
            )
            .map(|_| ())
            .map_err(|e| self.sql(e))
    }

    /// Marks every pending URL of `host` as blocked without fetching it (a URL captured
    /// before stays `done` with its capture, the cause noted).
    pub fn block_host(&mut self, host: &str, why: &str) -> Result<usize, StateError> {
        self.conn
            .execute(
                "UPDATE urls SET status = CASE WHEN captured = 1 THEN 'done' ELSE 'blocked' END, \
                 error = ?2 WHERE host = ?1 AND status = 'pending'",
                params![host, why],
            )
            .map_err(|e| self.sql(e))
    }

    /// Number of URLs known for a city.
    pub fn city_count(&self, city: &str) -> Result<usize, StateError> {
        self.conn
            .prepare_cached("SELECT COUNT(*) FROM urls WHERE city = ?1")
            .and_then(|mut st| st.query_row([city], |r| r.get::<_, i64>(0)))
            .map(|n| n as usize)
            .map_err(|e| self.sql(e))
    }

    /// True once any report page or attachment of the city is known.
    pub fn city_has_reports(&self, city: &str) -> Result<bool, StateError> {
        self.conn
            .prepare_cached(
                "SELECT EXISTS(SELECT 1 FROM urls WHERE city = ?1 AND kind IN ('report', 'attachment'))",
            )
            .and_then(|mut st| st.query_row([city], |r| r.get::<_, bool>(0)))
            .map_err(|e| self.sql(e))
    }

    /// Starts a crawl run, in one transaction. With `refresh`, a re-harvest: a new run in
    /// which every row becomes pending again. Otherwise, when the last run did not finish
    /// (or an archive from before runs were recorded still has pending rows), that run is
    /// resumed; else a new run begins: list, home and navigation pages and URLs refused by
    /// robots.txt become pending again. Rows put back keep their ETag / Last-Modified for
    /// conditional requests and their capture; robots.txt answers are forgotten in a new run,
    /// so they are fetched again.
    ///
    /// Only rows of `cities` (the cities this run crawls) are put back in the frontier.
    pub fn begin_run(
        &mut self,
        cities: &[String],
        refresh: bool,
        now: &str,
    ) -> Result<RunStart, StateError> {
        let path = self.path.clone();
        let sql = |source| StateError::Sql {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sql)?;
        let start = begin_run_in(&tx, cities, refresh, now).map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(start)
    }

    /// Records that the current run reached its end (the frontier is empty).
    pub fn finish_run(&mut self, now: &str) -> Result<(), StateError> {
        self.conn
            .execute(
                "UPDATE runs SET finished_at = ?1 WHERE id = (SELECT MAX(id) FROM runs)",
                [now],
            )
            .map(|_| ())
            .map_err(|e| self.sql(e))
    }

    /// Puts the failed and blocked URLs of `cities`, and those refused by robots.txt, back in
    /// the frontier with fresh attempt counts (a refused URL still refused costs no request).
    pub fn reset_failed(&mut self, cities: &[String]) -> Result<usize, StateError> {
        self.conn
            .execute(
                &format!(
                    "UPDATE urls SET status = 'pending', attempts = 0 \
                     WHERE status IN ('failed', 'blocked', 'skipped') AND {}",
                    in_cities(cities)
                ),
                params_from_iter(cities),
            )
            .map_err(|e| self.sql(e))
    }

    /// Adds a report that was not fetched (`nianbao import`: a file obtained by e-mail, a scan
    /// typed in): appends its `resource` record `member` and, in the same step, stores its row
    /// as captured with origin `manual`, so aggregation reads it like any capture and no crawl
    /// ever fetches or refreshes it. `url` must be new to the archive.
    pub fn import(
        &mut self,
        member: &[u8],
        url: &NewUrl,
        outcome: &mut Outcome,
    ) -> Result<(), StateError> {
        if self.knows(&url.target.url)? {
            return Err(StateError::Known(url.target.url.clone()));
        }
        self.rotate_if_full()?;
        let offset = self.warc.append(member)?;
        let path = self.path.clone();
        let sql = |source| StateError::Sql {
            path: path.clone(),
            source,
        };
        if let Some(w) = &mut outcome.warc {
            w.file = self.warc_name.clone();
            w.offset = offset;
        }
        let (warc_name, warc_len) = (self.warc_name.clone(), self.warc.len() as i64);
        let tx = self.conn.transaction().map_err(sql)?;
        let result = (|| {
            let rows = enqueue_in(&tx, std::slice::from_ref(url))?;
            for row in &rows {
                finish_url(&tx, row.id, outcome)?;
                tx.execute("UPDATE urls SET origin = 'manual' WHERE id = ?1", [row.id])?;
            }
            tx.execute(
                "UPDATE warc_files SET committed_len = ?2 WHERE name = ?1",
                params![warc_name, warc_len],
            )
        })();
        result.map_err(sql)?;
        tx.commit().map_err(sql)
    }

    /// Leaves a row pending with `cause` noted, without counting an attempt: its host's
    /// robots.txt could not be read in this run, so the next run (or `--retry-failed`) tries
    /// it.
    pub fn defer(&mut self, id: i64, cause: &str) -> Result<(), StateError> {
        self.conn
            .execute(
                "UPDATE urls SET error = ?2 WHERE id = ?1 AND status = 'pending'",
                params![id, cause],
            )
            .map(|_| ())
            .map_err(|e| self.sql(e))
    }

    /// Stored robots.txt answer for a host (status, body).
    pub fn robots(&self, host: &str) -> Result<Option<(u16, String)>, StateError> {
        self.conn
            .query_row(
                "SELECT status, body FROM robots WHERE host = ?1",
                [host],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)? as u16,
                        r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    ))
                },
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// One row per URL of `city`, for the end-of-run summary.
    pub fn outcome_rows(&self, city: &str) -> Result<Vec<OutcomeRow>, StateError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT kind, year, status, error, detected, removed_at IS NOT NULL FROM urls \
                 WHERE city = ?1",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([city], |r| {
                Ok(OutcomeRow {
                    kind: r.get(0)?,
                    year: r
                        .get::<_, Option<i64>>(1)?
                        .and_then(|y| u16::try_from(y).ok()),
                    status: r.get(2)?,
                    error: r.get(3)?,
                    detected: r.get(4)?,
                    removed: r.get(5)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// How many URLs of `city` are of one of `kinds` (`report`, `home`, …), whatever their
    /// status.
    pub fn count_of_kinds(&self, city: &str, kinds: &[PageKind]) -> Result<usize, StateError> {
        let mut n = 0;
        for kind in kinds {
            let count: i64 = self
                .conn
                .query_row(
                    "SELECT COUNT(*) FROM urls WHERE city = ?1 AND kind = ?2",
                    params![city, kind.as_str()],
                    |r| r.get(0),
                )
                .map_err(|e| self.sql(e))?;
            n += usize::try_from(count).unwrap_or(0);
        }
        Ok(n)
    }

    /// How many URLs of `host` are pending.
    pub fn pending_of_host(&self, host: &str) -> Result<usize, StateError> {
        let count: i64 = self
            .conn
            .query_row(
                "SELECT COUNT(*) FROM urls WHERE host = ?1 AND status = 'pending'",
                [host],
                |r| r.get(0),
            )
            .map_err(|e| self.sql(e))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// Notes `why` on every pending URL of `host`; they stay pending. Returns how many.
    pub fn note_pending_of_host(&self, host: &str, why: &str) -> Result<usize, StateError> {
        self.conn
            .execute(
                "UPDATE urls SET error = ?2 WHERE host = ?1 AND status = 'pending'",
                params![host, why],
            )
            .map_err(|e| self.sql(e))
    }

    /// URLs of `host` other than `except` that match either SQL `LIKE` pattern (`\\` escapes).
    pub fn urls_like(
        &self,
        host: &str,
        except: &str,
        patterns: [&str; 2],
    ) -> Result<Vec<String>, StateError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT url FROM urls WHERE host = ?1 AND url <> ?2 \
                 AND (url LIKE ?3 ESCAPE '\\' OR url LIKE ?4 ESCAPE '\\')",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(params![host, except, patterns[0], patterns[1]], |r| {
                r.get::<_, String>(0)
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// Another list page of `city` (not `except`) whose payload has this SHA-256.
    pub fn list_with_payload(
        &self,
        city: &str,
        except: &str,
        sha256: &str,
    ) -> Result<Option<String>, StateError> {
        self.conn
            .query_row(
                "SELECT url FROM urls WHERE city = ?1 AND kind = 'list' AND url <> ?2 \
                 AND payload_sha256 = ?3 LIMIT 1",
                params![city, except, sha256],
                |r| r.get::<_, String>(0),
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// Whether `url` is in the crawl state.
    pub fn knows(&self, url: &str) -> Result<bool, StateError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT 1 FROM urls WHERE url = ?1")
            .map_err(|e| self.sql(e))?;
        stmt.exists([url]).map_err(|e| self.sql(e))
    }
}

/// One URL's outcome as the end-of-run summary counts it.
#[derive(Debug, Clone)]
pub struct OutcomeRow {
    /// `PageKind::as_str` of the URL.
    pub kind: String,
    /// The report year its link named; `None` when unnamed.
    pub year: Option<u16>,
    /// One of the [`status`] constants.
    pub status: String,
    /// Why it failed, was skipped or waits; `None` when done without a note.
    pub error: Option<String>,
    /// File type by magic bytes (`html`, `pdf`, …); `None` before a response.
    pub detected: Option<String>,
    /// The portal has removed a page whose capture is kept.
    pub removed: bool,
}

/// Adds [`ADDED_COLUMNS`] to an archive written before them, in one transaction. Rows that
/// were `done` with a response record become `captured`, and rows whose good capture an older
/// version's `--refresh` replaced by a 404/410 or an error get it back ([`recover_erased`]).
fn migrate(conn: &Connection, warc_dir: &Path) -> rusqlite::Result<()> {
    let have = columns(conn, "urls")?;
    let missing: Vec<_> = ADDED_COLUMNS
        .iter()
        .filter(|(name, _)| !have.iter().any(|h| h == name))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let tx = conn.unchecked_transaction()?;
    for (name, def) in &missing {
        tx.execute_batch(&format!("ALTER TABLE urls ADD COLUMN {name} {def}"))?;
        if *name == "captured" {
            tx.execute(
                "UPDATE urls SET captured = 1 WHERE status = 'done' AND warc_file IS NOT NULL",
                [],
            )?;
        }
    }
    if missing.iter().any(|(name, _)| *name == "captured") {
        recover_erased(&tx, warc_dir)?;
    }
    tx.commit()
}

/// A good (2xx, complete) response record found in the WARC files.
struct GoodRecord {
    file: String,
    offset: u64,
    length: u64,
    record_id: String,
    date: String,
    status: u16,
    target: String,
    payload_sha1: Option<String>,
}

/// Older versions let a `--refresh` that met a 404/410 or an error point the row at that
/// response and mark it `failed`, although the earlier good capture stayed in the WARC files.
/// Such a row still carries the SHA-256 of its last good payload (only a completed capture
/// sets it); it is pointed back at the newest complete 2xx response record for its URL, made
/// `done` and `captured` again, and a 404/410 is recorded as its removal. Best effort: a WARC
/// file that cannot be read is left out (its rows stay as they were). Returns the rows
/// recovered.
fn recover_erased(tx: &Transaction, warc_dir: &Path) -> rusqlite::Result<usize> {
    type Candidate = (i64, String, Option<String>, Option<i64>, Option<String>);
    let candidates: Vec<Candidate> = {
        let mut stmt = tx.prepare(
            "SELECT id, url, final_url, http_status, fetched_at FROM urls \
             WHERE captured = 0 AND status IN ('failed', 'blocked', 'skipped') \
             AND payload_sha256 IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    if candidates.is_empty() {
        return Ok(0);
    }
    let files: Vec<String> = {
        let mut stmt = tx.prepare("SELECT name FROM warc_files ORDER BY name")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    // Newest last: files in order, records in file order.
    let mut good: std::collections::HashMap<String, GoodRecord> = Default::default();
    for file in files {
        let Ok(records) = crate::warc::read_all(&warc_dir.join(&file)) else {
            continue;
        };
        for rec in records {
            if let Some(g) = good_record(&file, &rec) {
                good.insert(g.target.clone(), g);
            }
        }
    }
    let mut recovered = 0;
    for (id, url, final_url, old_status, old_date) in candidates {
        let Some(g) = good
            .get(&url)
            .or_else(|| final_url.as_ref().and_then(|u| good.get(u)))
        else {
            continue;
        };
        let gone = old_status.filter(|s| matches!(s, 404 | 410));
        tx.execute(
            "UPDATE urls SET status = 'done', captured = 1, warc_file = ?2, warc_offset = ?3, \
             warc_length = ?4, record_id = ?5, http_status = ?6, final_url = ?7, \
             payload_sha1 = COALESCE(?8, payload_sha1), fetched_at = ?9, not_modified = 0, \
             error = 'recovered: an earlier version replaced this capture', \
             removed_at = CASE WHEN ?10 IS NULL THEN NULL ELSE ?11 END, removed_status = ?10 \
             WHERE id = ?1",
            params![
                id,
                g.file,
                g.offset as i64,
                g.length as i64,
                g.record_id,
                g.status,
                g.target,
                g.payload_sha1,
                g.date,
                gone,
                old_date,
            ],
        )?;
        recovered += 1;
    }
    Ok(recovered)
}

/// A complete 2xx `response` record, with what a state row needs of it.
fn good_record(file: &str, rec: &crate::warc::ReadRecord) -> Option<GoodRecord> {
    if !rec.field("WARC-Type")?.eq_ignore_ascii_case("response")
        || rec.field("WARC-Truncated").is_some()
    {
        return None;
    }
    let line_end = crate::warc::find(&rec.block, b"\r\n")?;
    let status_line = std::str::from_utf8(&rec.block[..line_end]).ok()?;
    let status: u16 = status_line.split_whitespace().nth(1)?.parse().ok()?;
    if !(200..300).contains(&status) {
        return None;
    }
    Some(GoodRecord {
        file: file.to_string(),
        offset: rec.offset,
        length: rec.length,
        record_id: rec.field("WARC-Record-ID")?.to_string(),
        date: rec.field("WARC-Date")?.to_string(),
        status,
        target: rec.field("WARC-Target-URI")?.to_string(),
        payload_sha1: rec.field("WARC-Payload-Digest").map(str::to_string),
    })
}

/// The column names of `table`.
pub(crate) fn columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})"))?;
    let names = stmt.query_map([], |r| r.get::<_, String>(1))?;
    names.collect()
}

pub(crate) fn warc_file_name(seq: u32) -> String {
    format!("nianbao-{seq:05}.warc.gz")
}

const SELECT_ROW: &str = "SELECT id, url, host, kind, city, body, year, depth, attempts, etag, \
     last_modified, warc_file, warc_offset, warc_length FROM urls";

fn row_from_sql(r: &rusqlite::Row) -> rusqlite::Result<UrlRow> {
    let kind: String = r.get(3)?;
    let file: Option<String> = r.get(11)?;
    let off: Option<i64> = r.get(12)?;
    let len: Option<i64> = r.get(13)?;
    Ok(UrlRow {
        id: r.get(0)?,
        target: Target {
            url: r.get(1)?,
            kind: PageKind::parse(&kind).unwrap_or(PageKind::Report),
            city: r.get(4)?,
            body: r.get(5)?,
            year: r.get::<_, Option<i64>>(6)?.map(|y| y as u16),
        },
        host: r.get(2)?,
        depth: r.get::<_, i64>(7)? as u32,
        attempts: r.get::<_, i64>(8)? as u32,
        etag: r.get(9)?,
        last_modified: r.get(10)?,
        previous: match (file, off, len) {
            (Some(f), Some(o), Some(l)) => Some((f, o as u64, l as u64)),
            _ => None,
        },
    })
}

/// `city IN (?, …)` for one parameter per city (never true for none).
fn in_cities(cities: &[String]) -> String {
    let marks = vec!["?"; cities.len()].join(", ");
    format!("city IN ({marks})")
}

fn begin_run_in(
    tx: &Transaction,
    cities: &[String],
    refresh: bool,
    now: &str,
) -> rusqlite::Result<RunStart> {
    let last: Option<Option<String>> = tx
        .query_row(
            "SELECT finished_at FROM runs ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let interrupted = match &last {
        Some(finished) => finished.is_none(),
        // Written before runs were recorded: interrupted when something is still pending.
        None => tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM urls WHERE status = 'pending')",
            [],
            |r| r.get::<_, bool>(0),
        )?,
    };
    if interrupted && !refresh {
        if last.is_none() {
            tx.execute(
                "INSERT INTO runs(started_at, refresh) VALUES (?1, 0)",
                [now],
            )?;
        }
        return Ok(RunStart::Resumed);
    }
    tx.execute(
        "INSERT INTO runs(started_at, refresh) VALUES (?1, ?2)",
        params![now, refresh],
    )?;
    tx.execute("DELETE FROM robots", [])?;
    let revalidate = if refresh {
        tx.execute(
            &format!(
                "UPDATE urls SET status = 'pending', attempts = 0, error = NULL \
                 WHERE origin IS NOT 'manual' AND {}",
                in_cities(cities)
            ),
            params_from_iter(cities),
        )?
    } else {
        tx.execute(
            &format!(
                "UPDATE urls SET status = 'pending', attempts = 0, error = NULL \
                 WHERE (kind IN ('list', 'home', 'nav') OR status = 'skipped' \
                 OR (status = 'pending' AND error LIKE 'robots.txt unreachable%')) AND {}",
                in_cities(cities)
            ),
            params_from_iter(cities),
        )?
    };
    Ok(if refresh {
        RunStart::Refresh { revalidate }
    } else {
        RunStart::New { revalidate }
    })
}

fn enqueue_in(tx: &Transaction, urls: &[NewUrl]) -> rusqlite::Result<Vec<UrlRow>> {
    let mut out = Vec::new();
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO urls(url, host, kind, city, body, year, depth, parent, anchor) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for u in urls {
        let t = &u.target;
        let n = insert.execute(params![
            t.url,
            u.host,
            t.kind.as_str(),
            t.city,
            t.body,
            t.year,
            u.depth,
            u.parent,
            u.anchor
        ])?;
        if n == 1 {
            out.push(UrlRow {
                id: tx.last_insert_rowid(),
                target: t.clone(),
                host: u.host.clone(),
                depth: u.depth,
                attempts: 0,
                etag: None,
                last_modified: None,
                previous: None,
            });
        }
    }
    Ok(out)
}

fn finish_url(tx: &Transaction, id: i64, o: &Outcome) -> rusqlite::Result<()> {
    let captured: bool = tx
        .prepare_cached("SELECT captured FROM urls WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .unwrap_or(false);
    if captured && o.status != status::DONE {
        return keep_capture(tx, id, o);
    }
    let w = o.warc.as_ref();
    // A 304 keeps the pointer to the earlier capture.
    tx.prepare_cached(
        "UPDATE urls SET status = ?2, attempts = ?3, error = ?4, http_status = ?5, final_url = ?6, \
         warc_file = COALESCE(?7, warc_file), warc_offset = COALESCE(?8, warc_offset), \
         warc_length = COALESCE(?9, warc_length), record_id = COALESCE(?10, record_id), \
         payload_sha1 = COALESCE(?11, payload_sha1), payload_sha256 = COALESCE(?12, payload_sha256), \
         content_type = COALESCE(?13, content_type), http_charset = COALESCE(?14, http_charset), \
         content_encoding = COALESCE(?15, content_encoding), detected = COALESCE(?16, detected), \
         etag = COALESCE(?17, etag), last_modified = COALESCE(?18, last_modified), \
         fetched_at = ?19, not_modified = ?20, filename = COALESCE(?21, filename), \
         captured = (?2 = 'done' AND COALESCE(?7, warc_file) IS NOT NULL), \
         removed_at = NULL, removed_status = NULL WHERE id = ?1",
    )?
    .execute(params![
            id,
            o.status,
            o.attempts,
            o.error,
            o.http_status,
            o.final_url,
            w.map(|w| w.file.clone()),
            w.map(|w| w.offset as i64),
            w.map(|w| w.length as i64),
            w.map(|w| w.record_id.clone()),
            o.payload_sha1,
            o.payload_sha256,
            o.content_type,
            o.http_charset,
            o.content_encoding,
            o.detected,
            o.etag,
            o.last_modified,
            o.fetched_at,
            o.not_modified,
            o.filename,
        ],
    )?;
    Ok(())
}

/// A row with a good capture whose new attempt did not end `done` (a 404/410, an error, a
/// challenge, a robots refusal): it stays `done` with the earlier capture as its current one
/// (the new response is in the WARC all the same), the cause is noted, and a 404 or 410 is
/// recorded as the page's removal from the portal (the first date it was seen gone).
fn keep_capture(tx: &Transaction, id: i64, o: &Outcome) -> rusqlite::Result<()> {
    let gone = o.http_status.filter(|s| matches!(s, 404 | 410));
    let cause = o.error.as_deref().unwrap_or(o.status);
    let note = format!("{cause} (the earlier capture is kept)");
    tx.prepare_cached(
        "UPDATE urls SET status = 'done', attempts = ?2, error = ?3, \
         removed_at = CASE WHEN ?4 IS NULL THEN removed_at ELSE COALESCE(removed_at, ?5) END, \
         removed_status = CASE WHEN ?4 IS NULL THEN removed_status \
                               ELSE COALESCE(removed_status, ?4) END \
         WHERE id = ?1",
    )?
    .execute(params![id, o.attempts, note, gone, o.fetched_at])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(path: &str, kind: PageKind, city: &str) -> NewUrl {
        NewUrl {
            target: Target {
                url: format!("http://127.0.0.9{path}"),
                kind,
                city: city.into(),
                body: None,
                year: None,
            },
            host: "127.0.0.9".into(),
            depth: 0,
            parent: None,
            anchor: None,
        }
    }

    fn done(record: &str) -> Outcome {
        Outcome {
            status: status::DONE,
            attempts: 1,
            http_status: Some(200),
            warc: Some(WarcPtr {
                file: String::new(),
                offset: 0,
                length: 1,
                record_id: record.into(),
            }),
            fetched_at: Some("2025-04-15T03:00:00Z".into()),
            ..Outcome::default()
        }
    }

    fn status_of(store: &Store, path: &str) -> (String, Option<String>, bool) {
        store
            .conn
            .query_row(
                "SELECT status, record_id, captured FROM urls WHERE url LIKE '%' || ?1",
                [path],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap()
    }

    #[test]
    fn a_new_run_revalidates_only_the_lists_of_its_cities_and_a_resume_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = Store::open(dir.path(), 1 << 20).unwrap();
        let cities = ["甲市".to_string()];
        assert_eq!(
            store.begin_run(&cities, false, "t0").unwrap(),
            RunStart::New { revalidate: 0 }
        );
        let rows = store
            .enqueue(&[
                url("/list", PageKind::List, "甲市"),
                url("/report", PageKind::Report, "甲市"),
                url("/other", PageKind::List, "乙市"),
            ])
            .unwrap();
        for (row, rec) in rows.iter().zip(["a", "b", "c"]) {
            store
                .commit(b"x", Some((row.id, &mut done(rec))), &[])
                .unwrap();
        }
        // Killed before the end: the next start resumes and puts nothing back.
        assert_eq!(
            store.begin_run(&cities, false, "t1").unwrap(),
            RunStart::Resumed
        );
        assert!(store.pending().unwrap().is_empty());
        store.finish_run("t2").unwrap();
        assert_eq!(
            store.begin_run(&cities, false, "t3").unwrap(),
            RunStart::New { revalidate: 1 }
        );
        let pending: Vec<String> = store
            .pending()
            .unwrap()
            .into_iter()
            .map(|r| r.target.url)
            .collect();
        assert_eq!(pending, ["http://127.0.0.9/list"]);
        assert!(status_of(&store, "/list").2, "still captured");
    }

    #[test]
    fn a_gone_or_failing_revisit_keeps_the_capture_and_records_the_removal() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = Store::open(dir.path(), 1 << 20).unwrap();
        let rows = store
            .enqueue(&[url("/report", PageKind::Report, "甲市")])
            .unwrap();
        let id = rows[0].id;
        store
            .commit(b"x", Some((id, &mut done("good"))), &[])
            .unwrap();
        let mut gone = Outcome {
            status: status::FAILED,
            attempts: 1,
            error: Some("http-410".into()),
            http_status: Some(410),
            warc: Some(WarcPtr {
                record_id: "gone".into(),
                length: 1,
                ..WarcPtr::default()
            }),
            fetched_at: Some("2026-04-15T03:00:00Z".into()),
            ..Outcome::default()
        };
        store.commit(b"y", Some((id, &mut gone)), &[]).unwrap();
        assert_eq!(
            status_of(&store, "/report"),
            ("done".into(), Some("good".into()), true)
        );
        let removed: (Option<String>, Option<i64>) = store
            .conn
            .query_row(
                "SELECT removed_at, removed_status FROM urls WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(removed, (Some("2026-04-15T03:00:00Z".into()), Some(410)));
        // A challenge on the host during a re-harvest keeps it too; a new good capture clears
        // the removal.
        let refresh = store.begin_run(&["甲市".into()], true, "t").unwrap();
        assert_eq!(refresh, RunStart::Refresh { revalidate: 1 });
        // Waiting to be revisited, the page is still read from its capture.
        let waiting = crate::Archive::open(dir.path()).unwrap().entries().unwrap();
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0].removed_status, Some(410));
        assert_eq!(store.block_host("127.0.0.9", "blocked").unwrap(), 1);
        assert_eq!(status_of(&store, "/report").0, "done");
        store
            .commit(b"z", Some((id, &mut done("new"))), &[])
            .unwrap();
        let removed_at: Option<String> = store
            .conn
            .query_row("SELECT removed_at FROM urls WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(removed_at, None);
        assert_eq!(status_of(&store, "/report").1, Some("new".into()));
    }
}
