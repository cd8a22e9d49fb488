//! Site searches in the crawl state: one row per city and run ([`SearchRecord`]: the search
//! sent, how many pages and hits came back, how many reports it queued, and how it ended), and
//! the report years a city already has, which decide whether a search is needed. The search's
//! HTTP exchanges themselves are WARC records appended with [`Store::commit`], like any other.

use rusqlite::{params, OptionalExtension};

use super::{StateError, Store};

/// The table, created when a [`Store`] opens an archive (older archives get it then).
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS searches(
  id INTEGER PRIMARY KEY,
  run INTEGER,
  city TEXT NOT NULL,
  url TEXT NOT NULL,
  kind TEXT NOT NULL,
  code TEXT NOT NULL,
  data_type_id TEXT NOT NULL,
  query TEXT NOT NULL,
  pages INTEGER NOT NULL,
  hits INTEGER NOT NULL,
  total INTEGER,
  kept INTEGER NOT NULL,
  queued INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  error TEXT,
  finished_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS searches_city ON searches(city, run);
";

/// How a site search ended ([`SearchRecord::outcome`]).
pub mod search_outcome {
    /// The search answered with results (whether or not any was kept).
    pub const ANSWERED: &str = "answered";
    /// The search answered, but with no result at all: a stale `code` or `data_type_id` is
    /// the usual cause.
    pub const NOTHING: &str = "nothing";
    /// No usable answer: an HTTP error after the retries, a transport error, or a body that
    /// is not the platform's JSON.
    pub const FAILED: &str = "failed";
    /// Not sent: robots.txt disallows the search URL.
    pub const SKIPPED: &str = "skipped";
    /// Not sent in this run: the host's robots.txt could not be read, or the host gave no
    /// answer; the next run searches again.
    pub const DEFERRED: &str = "deferred";
}

/// One site search of a city in one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchRecord {
    /// The city (`[[city]] name`).
    pub city: String,
    /// The search endpoint (`[city.search] url`).
    pub url: String,
    /// The platform (`[city.search] kind`, e.g. `trs-irs`).
    pub kind: String,
    /// The site's search code sent (`[city.search] code`).
    pub code: String,
    /// The data type sent (`[city.search] data_type_id`).
    pub data_type_id: String,
    /// The search words sent.
    pub query: String,
    /// Result pages received.
    pub pages: u32,
    /// Results received on those pages.
    pub hits: u32,
    /// The result count the platform announced, when it did.
    pub total: Option<u64>,
    /// Results kept: annual reports of a wanted body and year on an allowed host.
    pub kept: u32,
    /// Of those, URLs new to the crawl state (queued for fetching).
    pub queued: u32,
    /// One of the [`search_outcome`] constants.
    pub outcome: String,
    /// What went wrong, or why the search was not sent.
    pub error: Option<String>,
    /// When the search ended (WARC-Date form).
    pub finished_at: String,
}

impl Store {
    /// Records a city's search in the current run.
    pub fn record_search(&mut self, s: &SearchRecord) -> Result<(), StateError> {
        self.conn
            .execute(
                "INSERT INTO searches(run, city, url, kind, code, data_type_id, query, pages, \
                 hits, total, kept, queued, outcome, error, finished_at) VALUES \
                 ((SELECT MAX(id) FROM runs), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, \
                 ?13, ?14)",
                params![
                    s.city,
                    s.url,
                    s.kind,
                    s.code,
                    s.data_type_id,
                    s.query,
                    s.pages,
                    s.hits,
                    s.total.and_then(|t| i64::try_from(t).ok()),
                    s.kept,
                    s.queued,
                    s.outcome,
                    s.error,
                    s.finished_at,
                ],
            )
            .map(|_| ())
            .map_err(|e| self.sql(e))
    }

    /// True when the city's search already ran in the current run (a resumed run does not
    /// search again).
    pub fn searched_this_run(&self, city: &str) -> Result<bool, StateError> {
        self.conn
            .prepare_cached(
                "SELECT EXISTS(SELECT 1 FROM searches WHERE city = ?1 \
                 AND run IS (SELECT MAX(id) FROM runs))",
            )
            .and_then(|mut st| st.query_row([city], |r| r.get::<_, bool>(0)))
            .map_err(|e| self.sql(e))
    }

    /// The city's latest search, in any run.
    pub fn last_search(&self, city: &str) -> Result<Option<SearchRecord>, StateError> {
        self.conn
            .query_row(
                "SELECT city, url, kind, code, data_type_id, query, pages, hits, total, kept, \
                 queued, outcome, error, finished_at FROM searches WHERE city = ?1 \
                 ORDER BY id DESC LIMIT 1",
                [city],
                |r| {
                    Ok(SearchRecord {
                        city: r.get(0)?,
                        url: r.get(1)?,
                        kind: r.get(2)?,
                        code: r.get(3)?,
                        data_type_id: r.get(4)?,
                        query: r.get(5)?,
                        pages: r.get(6)?,
                        hits: r.get(7)?,
                        total: r
                            .get::<_, Option<i64>>(8)?
                            .and_then(|t| u64::try_from(t).ok()),
                        kept: r.get(9)?,
                        queued: r.get(10)?,
                        outcome: r.get(11)?,
                        error: r.get(12)?,
                        finished_at: r.get(13)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// (publishing body, report year) of every report page and attachment of `city` with a
    /// capture and a year: what the crawl already has.
    pub fn captured_report_years(
        &self,
        city: &str,
    ) -> Result<Vec<(Option<String>, u16)>, StateError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT body, year FROM urls WHERE city = ?1 AND captured = 1 \
                 AND kind IN ('report', 'attachment') AND year IS NOT NULL",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([city], |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, i64>(1)
                        .map(|y| u16::try_from(y).unwrap_or_default())?,
                ))
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{status, NewUrl, Outcome, WarcPtr};
    use super::*;
    use crate::{PageKind, Target};

    #[test]
    fn a_search_is_recorded_per_run_and_the_latest_is_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = Store::open(dir.path(), 1 << 20).unwrap();
        store.begin_run(&["甲市".into()], false, "t0").unwrap();
        assert!(!store.searched_this_run("甲市").unwrap());
        let rec = SearchRecord {
            city: "甲市".into(),
            url: "http://127.0.0.9/irs/front/search".into(),
            kind: "trs-irs".into(),
            code: "181aedaa74b".into(),
            data_type_id: "5723".into(),
            query: "政府信息公开工作年度报告".into(),
            pages: 2,
            hits: 13,
            total: Some(13),
            kept: 3,
            queued: 2,
            outcome: search_outcome::ANSWERED.into(),
            error: None,
            finished_at: "t1".into(),
        };
        store.record_search(&rec).unwrap();
        assert!(store.searched_this_run("甲市").unwrap());
        assert!(!store.searched_this_run("乙市").unwrap());
        assert_eq!(store.last_search("甲市").unwrap(), Some(rec));
        store.finish_run("t2").unwrap();
        store.begin_run(&["甲市".into()], false, "t3").unwrap();
        assert!(
            !store.searched_this_run("甲市").unwrap(),
            "a new run searches again"
        );
    }

    #[test]
    fn only_captured_reports_with_a_year_count_as_found() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = Store::open(dir.path(), 1 << 20).unwrap();
        let url = |path: &str, kind, year| NewUrl {
            target: Target {
                url: format!("http://127.0.0.9{path}"),
                kind,
                city: "甲市".into(),
                body: Some("甲市人民政府".into()),
                year,
            },
            host: "127.0.0.9".into(),
            depth: 0,
            parent: None,
            anchor: None,
        };
        let rows = store
            .enqueue(&[
                url("/a", PageKind::Report, Some(2023)),
                url("/b", PageKind::Report, Some(2022)),
                url("/c", PageKind::List, Some(2021)),
                url("/d", PageKind::Report, None),
            ])
            .unwrap();
        for row in [&rows[0], &rows[2], &rows[3]] {
            let mut done = Outcome {
                status: status::DONE,
                attempts: 1,
                warc: Some(WarcPtr {
                    length: 1,
                    ..WarcPtr::default()
                }),
                ..Outcome::default()
            };
            store.commit(b"x", Some((row.id, &mut done)), &[]).unwrap();
        }
        assert_eq!(
            store.captured_report_years("甲市").unwrap(),
            [(Some("甲市人民政府".to_string()), 2023)]
        );
    }
}
