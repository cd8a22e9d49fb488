//! Column walking on top of discovery, where the crawl state is needed: a document already
//! known under another column path (same host + id, [`doc_key`]) is not queued again; a list
//! without a pager is probed page by page (`index_1…`, [`probe_next`]) until a page is
//! missing, repeats an earlier list page, or adds no new row, capped by `max_list_pages`; a
//! missing probed page ends its list (`done`, not a failure).

use std::collections::HashSet;

use sha2::{Digest, Sha256};
use url::Url;

use super::discover::{doc_key, is_numbered_page, probe_next, Link, PageKind};
use super::worker::{hex, Shared};
use nianbao_archive::state::{status, Outcome, UrlRow};

/// The cause noted on a probed or numbered list page that answered 404/410.
pub(super) const END_OF_LIST: &str = "end of list";

impl Shared {
    /// Drops documents already known under another path and adds the next probe of a
    /// pager-less list page (`row`, read from `page_url` with `payload`).
    pub(super) fn walk_columns(
        &self,
        row: &UrlRow,
        page_url: &Url,
        payload: &[u8],
        links: &mut Vec<Link>,
    ) {
        self.drop_known_documents(links);
        if row.target.kind != PageKind::List {
            return;
        }
        let max = self.settings.max_list_pages;
        let Some(next) = probe_next(page_url, links, max) else {
            if is_numbered_page(page_url) && !links.iter().any(|l| l.same_level) {
                tracing::debug!("{page_url}: no further probe (cap {max} or no rows)");
            }
            return;
        };
        if let Some(other) = self.repeated_list(row, payload) {
            tracing::info!("{page_url}: repeats {other}; probing of this list ends");
            return;
        }
        if !self.adds_new_rows(links) {
            tracing::info!("{page_url}: no new row; probing of this list ends");
            return;
        }
        tracing::debug!("{page_url}: list without a pager; probing {next}");
        links.push(Link {
            url: next,
            kind: PageKind::List,
            text: String::new(),
            year: row.target.year,
            body: row.target.body.clone(),
            same_level: true,
            date: None,
        });
    }

    /// A numbered list page never captured that answered 404/410: the end of its list, not a
    /// failure. The exchange is archived; nothing is captured.
    pub(super) fn end_of_list(&self, row: &UrlRow, code: u16, attempts: u32) -> Option<Outcome> {
        let url = Url::parse(&row.target.url).ok()?;
        let numbered = row.target.kind == PageKind::List && is_numbered_page(&url);
        // A page captured before that is gone now is a removal, kept as such by the store.
        if !numbered || !matches!(code, 404 | 410) || row.previous.is_some() {
            return None;
        }
        tracing::info!("{url}: HTTP {code}; the list ends before this page");
        Some(Outcome {
            status: status::DONE,
            attempts,
            http_status: Some(code),
            error: Some(format!("{END_OF_LIST}: HTTP {code}")),
            ..Outcome::default()
        })
    }

    /// Removes report and attachment links whose document (host + id) appears earlier in
    /// `links` or is already in the crawl state under another URL.
    pub(super) fn drop_known_documents(&self, links: &mut Vec<Link>) {
        let mut seen = HashSet::new();
        links.retain(|l| {
            if !matches!(l.kind, PageKind::Report | PageKind::Attachment) {
                return true;
            }
            let Some(key) = doc_key(&l.url) else {
                return true;
            };
            if !seen.insert(key.clone()) {
                tracing::debug!("skip {}: document {key} listed twice", l.url);
                return false;
            }
            match self.known_under_other_url(&l.url, &key) {
                Some(other) => {
                    tracing::debug!("skip {}: document {key} already known as {other}", l.url);
                    false
                }
                None => true,
            }
        });
    }

    /// Another URL of the crawl state with the same document key as `url`.
    fn known_under_other_url(&self, url: &Url, key: &str) -> Option<String> {
        let id = key.rsplit('#').next()?;
        let host = url.host_str()?.to_ascii_lowercase();
        // Candidates by URL shape (`…/t<id>.…`, `…/tYYYYMMDD_<id>.…`, `…/P0….…`), then the key.
        let (a, b) = match id.strip_prefix('t') {
            Some(num) => (format!("%/t{num}.%"), format!("%\\_{num}.%")),
            None => (format!("%/{id}"), format!("%/{id}")),
        };
        let urls = self.store().urls_like(&host, url.as_str(), [&a, &b]).ok()?;
        urls.into_iter().find(|other| {
            Url::parse(other)
                .ok()
                .and_then(|u| doc_key(&u))
                .is_some_and(|k| k == key)
        })
    }

    /// Another list page of the same city whose payload is the same as this one.
    fn repeated_list(&self, row: &UrlRow, payload: &[u8]) -> Option<String> {
        let sha = hex(&Sha256::digest(payload));
        self.store()
            .list_with_payload(&row.target.city, &row.target.url, &sha)
            .ok()
            .flatten()
    }

    /// True when some article row of the page is not in the crawl state yet.
    fn adds_new_rows(&self, links: &[Link]) -> bool {
        let store = self.store();
        links
            .iter()
            .filter(|l| doc_key(&l.url).is_some())
            .any(|l| !store.knows(l.url.as_str()).unwrap_or(false))
    }
}
