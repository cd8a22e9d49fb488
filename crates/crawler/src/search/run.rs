//! One city's site search in a crawl: the years the crawl already has → whether a search is
//! needed; then the result pages, each POST sent like every other request (the host's permit,
//! spacing, robots.txt, proxy, retries, unreachable count) and archived with its request body;
//! the hits kept → new frontier rows, committed with the page that listed them; the search
//! recorded in the crawl state ([`SearchRecord`]), and logged with its code when it answered
//! nothing.

use std::collections::{BTreeSet, HashSet};
use std::time::SystemTime;

use url::Url;

use super::{parse, report_link, request, ResultPage};
use crate::config::SiteSearch;
use crate::discover::{is_city_level, Link};
use crate::fetch::{decode_content, Capture, Transport};
use crate::frontier::{host_key, new_url, Scope};
use crate::worker::{is_challenge, is_retryable, path_and_query, retry_after, Shared};
use nianbao_archive::state::{search_outcome, NewUrl, SearchRecord, StateError, UrlRow};

/// What the crawl already has of a city: (body, year), the body `None` for the city
/// government itself (whatever name its report gives it).
type Found = HashSet<(Option<String>, u16)>;

/// One result page, or why there is none.
enum PageAnswer {
    Page(Box<Capture>, ResultPage),
    /// (one of the [`search_outcome`] constants, why).
    Failed(&'static str, String),
}

impl Shared {
    /// Runs `city`'s site search when its config has one, it has not run in this run yet,
    /// and it is needed: always without `--years` or with `--scope all` (the years or bodies
    /// missing cannot be known), else when a wanted year has no captured report of the city
    /// government. Returns the new frontier rows.
    pub(crate) async fn site_search(&self, city: &str) -> Result<Vec<UrlRow>, StateError> {
        let Some(search) = self.cities.get(city).and_then(|r| r.city.search.clone()) else {
            return Ok(Vec::new());
        };
        if self.store().searched_this_run(city)? {
            return Ok(Vec::new());
        }
        let found = self.found_reports(city)?;
        let mut missing = self.missing_years(&found);
        if missing.as_ref().is_some_and(BTreeSet::is_empty) {
            tracing::debug!("{city}: every wanted year has its report; no site search");
            return Ok(Vec::new());
        }
        let mut rec = SearchRecord {
            city: city.to_string(),
            url: search.url.clone(),
            kind: search.kind.as_str().to_string(),
            code: search.code.clone(),
            data_type_id: search.data_type_id.clone(),
            query: search.query.clone(),
            outcome: search_outcome::ANSWERED.to_string(),
            ..SearchRecord::default()
        };
        let mut queued = Vec::new();
        match Url::parse(&search.url) {
            Ok(url) if self.allowed(city, &url) => {
                if let Some((outcome, why)) = self.search_refused(&url).await? {
                    rec.outcome = outcome.to_string();
                    rec.error = Some(why);
                } else {
                    tracing::info!(
                        "{city}: site search {} (code {}, dataTypeId {}) for the years {}",
                        search.url,
                        search.code,
                        search.data_type_id,
                        missing
                            .as_ref()
                            .map_or("not known".into(), |m| format!("{m:?}"))
                    );
                    queued = self
                        .search_pages(&search, &url, &found, &mut missing, &mut rec)
                        .await?;
                }
            }
            _ => {
                rec.outcome = search_outcome::SKIPPED.to_string();
                rec.error = Some(format!("offsite: {} is not an allowed host", search.url));
            }
        }
        if rec.outcome == search_outcome::ANSWERED && rec.hits == 0 {
            rec.outcome = search_outcome::NOTHING.to_string();
            rec.error = Some(
                "answered nothing: is the code or dataTypeId stale? (the portal's search page \
                 names its current code: /irs-search-json/site.json)"
                    .into(),
            );
        }
        self.log_search_end(&rec);
        rec.finished_at = nianbao_archive::warc::warc_date(SystemTime::now());
        self.store().record_search(&rec)?;
        Ok(queued)
    }

    /// Why the search may not be sent now: robots.txt disallows its URL (skipped), or the
    /// host's robots.txt could not be read or the host gave no answer (deferred).
    async fn search_refused(
        &self,
        url: &Url,
    ) -> Result<Option<(&'static str, String)>, StateError> {
        let robots = self.robots_for(url).await?;
        if robots.allowed(&path_and_query(url)) {
            return Ok(None);
        }
        Ok(Some(match robots.unreachable_cause() {
            Some(why) => (
                search_outcome::DEFERRED,
                format!(
                    "robots.txt of {} unreachable ({why}); searched in the next run",
                    host_key(url).unwrap_or_default()
                ),
            ),
            None => (
                search_outcome::SKIPPED,
                format!("robots: disallowed {}", url.path()),
            ),
        }))
    }

    /// Sends the result pages one after another until the last page, an empty or repeated
    /// page, every missing year found, or `max_list_pages`; returns the new frontier rows.
    async fn search_pages(
        &self,
        search: &SiteSearch,
        url: &Url,
        found: &Found,
        missing: &mut Option<BTreeSet<u16>>,
        rec: &mut SearchRecord,
    ) -> Result<Vec<UrlRow>, StateError> {
        let city = rec.city.clone();
        let mut queued = Vec::new();
        let mut previous: Vec<String> = Vec::new();
        let max_pages = u32::try_from(self.settings.max_list_pages.max(1)).unwrap_or(u32::MAX);
        for page in 1..=max_pages {
            let (cap, answer) = match self.search_page(search, url, page).await? {
                PageAnswer::Page(cap, answer) => (cap, answer),
                PageAnswer::Failed(outcome, why) => {
                    rec.outcome = outcome.to_string();
                    rec.error = Some(format!("page {page}: {why}"));
                    break;
                }
            };
            rec.pages += 1;
            rec.hits += u32::try_from(answer.hits.len()).unwrap_or(u32::MAX);
            rec.total = rec.total.or(answer.total);
            let urls: Vec<String> = answer.hits.iter().map(|h| h.url.clone()).collect();
            let repeated = page > 1 && urls == previous;
            let links = if repeated {
                Vec::new()
            } else {
                self.wanted_hits(&city, url, &answer, found)
            };
            rec.kept += u32::try_from(links.len()).unwrap_or(u32::MAX);
            if let Some(left) = missing.as_mut() {
                for l in links
                    .iter()
                    .filter(|l| is_city_level(l.body.as_deref(), &city))
                {
                    left.remove(&l.year.unwrap_or_default());
                }
            }
            let children = self.search_children(&city, url, links);
            let (_, rows) = self
                .store()
                .commit(&cap.warc_members().0, None, &children)?;
            rec.queued += u32::try_from(rows.len()).unwrap_or(u32::MAX);
            queued.extend(rows);
            // The pager says so, or every announced result has come (whatever page size the
            // platform really used).
            let last_page = answer.page_count.is_some_and(|n| page >= n)
                || answer.total.is_some_and(|t| u64::from(rec.hits) >= t);
            if repeated || urls.is_empty() || last_page {
                break;
            }
            if missing.as_ref().is_some_and(BTreeSet::is_empty) {
                tracing::debug!(
                    "{city}: every missing year found; the search stops at page {page}"
                );
                break;
            }
            if page == max_pages {
                tracing::info!(
                    "{city}: the site search stops at max_list_pages ({max_pages}) pages"
                );
            }
            previous = urls;
        }
        Ok(queued)
    }

    /// One result page, with retries on transient errors (each intermediate exchange
    /// archived); a page that cannot be had is [`PageAnswer::Failed`].
    async fn search_page(
        &self,
        search: &SiteSearch,
        url: &Url,
        page: u32,
    ) -> Result<PageAnswer, StateError> {
        let req = request(search, url, page);
        let host = host_key(url).unwrap_or_default();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt > self.settings.retries;
            let cap = match self.send(&req).await {
                Ok(cap) => cap,
                Err(e)
                    if e.kind == Transport::HostUnreachable
                        || (e.kind.is_no_answer() && self.is_unreachable(&host)) =>
                {
                    return Ok(PageAnswer::Failed(
                        search_outcome::DEFERRED,
                        format!("unreachable: {}; searched in the next run", e.message),
                    ));
                }
                Err(e) if !last && !matches!(e.kind, Transport::Tls | Transport::HostBlocked) => {
                    self.wait_before_retry(&host, attempt, None).await;
                    continue;
                }
                Err(e) => {
                    return Ok(PageAnswer::Failed(
                        search_outcome::FAILED,
                        format!("{}: {}", e.kind.as_str(), e.message),
                    ))
                }
            };
            let code = cap.status.as_u16();
            self.slot(&host)
                .observe(cap.latency, cap.status.is_success());
            if (is_retryable(code) || cap.body_error.is_some()) && !last {
                self.archive_exchange(&cap)?;
                self.wait_before_retry(&host, attempt, retry_after(&cap))
                    .await;
                continue;
            }
            let answer = if is_challenge(code) {
                Err(format!("blocked: HTTP {code} anti-bot challenge page"))
            } else if !cap.status.is_success() || cap.truncated.is_some() {
                Err(format!(
                    "http-{code}{}",
                    cap.truncated
                        .map_or(String::new(), |t| format!(" (body cut: {t})"))
                ))
            } else {
                decode_content(
                    &cap.body,
                    cap.header("content-encoding"),
                    self.settings.max_decoded_bytes,
                )
                .and_then(|body| parse(search.kind, &body))
            };
            return Ok(match answer {
                Ok(page) => PageAnswer::Page(Box::new(cap), page),
                Err(why) => {
                    self.archive_exchange(&cap)?;
                    PageAnswer::Failed(search_outcome::FAILED, why)
                }
            });
        }
    }

    /// The hits worth fetching: annual reports on an allowed host, of a wanted year and
    /// body (`--years`, `--scope`), that the crawl does not have yet, each document once.
    fn wanted_hits(&self, city: &str, url: &Url, answer: &ResultPage, found: &Found) -> Vec<Link> {
        let mut links: Vec<Link> = answer
            .hits
            .iter()
            .filter_map(|h| report_link(h, url))
            .filter(|l| {
                let year = l.year.unwrap_or_default();
                let why_not = if !self.allowed(city, &l.url) {
                    Some("host not allowed".to_string())
                } else if self.years.as_ref().is_some_and(|r| !r.contains(&year)) {
                    Some(format!("year {year} not wanted"))
                } else if self.scope == Scope::City && !is_city_level(l.body.as_deref(), city) {
                    Some(format!(
                        "published by {:?}, not the city government",
                        l.body
                    ))
                } else if found.contains(&(body_key(l.body.as_deref(), city), year)) {
                    Some(format!("the {year} report of this body is harvested"))
                } else {
                    None
                };
                if let Some(why) = &why_not {
                    tracing::debug!("search hit {} skipped: {why}", l.url);
                }
                why_not.is_none()
            })
            .collect();
        self.drop_known_documents(&mut links);
        links
    }

    /// Kept hits as frontier rows (depth 0: a search hit is as good as a configured list's
    /// row), within the city's URL budget.
    fn search_children(&self, city: &str, url: &Url, links: Vec<Link>) -> Vec<NewUrl> {
        let mut children: Vec<NewUrl> = links
            .into_iter()
            .filter_map(|l| {
                new_url(
                    l.url.as_str(),
                    l.kind,
                    city,
                    l.body,
                    l.year,
                    0,
                    Some(url.to_string()),
                    Some(l.text),
                )
            })
            .collect();
        self.apply_city_cap(city, &mut children);
        children
    }

    /// (body, year) of the captured reports of `city`.
    fn found_reports(&self, city: &str) -> Result<Found, StateError> {
        Ok(self
            .store()
            .captured_report_years(city)?
            .into_iter()
            .map(|(body, year)| (body_key(body.as_deref(), city), year))
            .collect())
    }

    /// The wanted years without a captured report of the city government; `None` when they
    /// cannot be known (no `--years`, or `--scope all`).
    fn missing_years(&self, found: &Found) -> Option<BTreeSet<u16>> {
        let range = self.years.as_ref().filter(|_| self.scope == Scope::City)?;
        Some(
            range
                .clone()
                .filter(|y| !found.contains(&(None, *y)))
                .collect(),
        )
    }

    /// The end of a search, logged: a warning naming the code when the search answered
    /// nothing (a stale code or data type is the usual cause) or failed.
    fn log_search_end(&self, rec: &SearchRecord) {
        let what = format!(
            "{}: site search {} (code {}, dataTypeId {}, words {:?})",
            rec.city, rec.url, rec.code, rec.data_type_id, rec.query
        );
        match rec.outcome.as_str() {
            search_outcome::ANSWERED if rec.hits == 0 => {}
            search_outcome::ANSWERED => tracing::info!(
                "{what}: {} results on {} pages, {} reports kept, {} new",
                rec.hits,
                rec.pages,
                rec.kept,
                rec.queued
            ),
            _ => tracing::warn!("{what}: {}", rec.error.as_deref().unwrap_or(&rec.outcome)),
        }
    }
}

/// The key of a body in [`Found`]: `None` for the city government itself.
fn body_key(body: Option<&str>, city: &str) -> Option<String> {
    (!is_city_level(body, city)).then(|| body.unwrap_or_default().to_string())
}
