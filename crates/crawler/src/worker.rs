//! One frontier row → its final outcome, committed with its WARC records and the links it
//! leads to: robots.txt, redirects kept on allowed hosts, retries with back-off, challenge
//! pages, TLS fallback, body and decompression caps, discovery with scope and year filters.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::RangeInclusive;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use reqwest::Client;
use sha2::{Digest, Sha256};
use tokio::time::Instant;
use url::Url;

use super::config::{host_matches, CitySite, CrawlSettings, RobotsPolicy};
use super::discover::{discover, is_city_level, Link, Page, PageKind};
use super::fetch::{decode_content, send, sniff, Capture, Outgoing, Transport, TransportError};
use super::frontier::{host_key, new_url, Scope};
use super::hosts::Hosts;
use super::politeness::{backoff, HostSlot};
use super::progress::SharedProgress;
use super::robots::Robots;
use nianbao_archive::state::{
    status, NewUrl, Outcome, StateError, Store, UrlRow, WarcPtr, ROBOTS_UNREACHABLE,
};

/// The cause that starts the error of a URL left pending because its host did not answer.
pub(super) const UNREACHABLE: &str = "unreachable";

pub(super) struct CityRules {
    pub(super) city: CitySite,
    pub(super) patterns: Vec<String>,
}

/// What every fetch task shares.
pub(super) struct Shared {
    pub(super) settings: CrawlSettings,
    pub(super) cities: HashMap<String, CityRules>,
    pub(super) years: Option<RangeInclusive<u16>>,
    pub(super) scope: Scope,
    /// Each host's politeness slot, proxy route and HTTP client.
    pub(super) hosts: Hosts,
    /// Requests in a row per host that got no answer (reset by any response).
    pub(super) no_answer: Mutex<HashMap<String, u32>>,
    /// Hosts that gave no answer `unreachable_after` times in a row: host → last error.
    pub(super) unreachable: Mutex<BTreeMap<String, String>>,
    pub(super) store: Mutex<Store>,
    /// Hosts given up on after repeated challenge pages (this run).
    pub(super) blocked: Mutex<HashSet<String>>,
    pub(super) requests: AtomicU64,
    pub(super) progress: SharedProgress,
}

/// The result of following one URL through its redirects.
enum Chain {
    Response(Box<Capture>),
    Transport(TransportError),
    /// Not fetched, or not followed further: (status, cause).
    Stop(&'static str, String),
    /// Not fetched in this run: a host's robots.txt could not be read (cause). The URL stays
    /// pending for the next run.
    Defer(String),
}

/// What to do after one attempt.
enum Next {
    Finished,
    /// Wait (the server's Retry-After, or the back-off), then try again.
    Retry(Option<Duration>),
    /// Try again at once with the same attempt number (the http:// variant after TLS failed).
    Again,
}

/// What a finished task hands back to the scheduler.
pub(super) struct Done {
    pub(super) host: String,
    pub(super) children: Vec<UrlRow>,
    pub(super) block_host: bool,
    /// The task found its host unreachable: the scheduler leaves the host's queue pending.
    pub(super) unreachable_host: bool,
}

impl Shared {
    pub(super) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Marks a host as given up on; true the first time.
    pub(super) fn block(&self, host: &str) -> bool {
        self.blocked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(host.to_string())
    }

    pub(super) fn is_blocked(&self, host: &str) -> bool {
        self.blocked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(host)
    }

    pub(super) fn slot(&self, host: &str) -> Arc<HostSlot> {
        self.hosts.slot(host)
    }

    /// The client for `host` (its proxy route; TLS checks off only where configured).
    pub(super) fn client_for(&self, host: &str) -> Result<Client, TransportError> {
        self.hosts.client_for(host)
    }

    /// True when `host` was found unreachable in this run.
    pub(super) fn is_unreachable(&self, host: &str) -> bool {
        self.unreachable
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(host)
    }

    /// Counts an exchange towards `host`'s unreachable streak: a response resets it, no
    /// answer extends it; at `unreachable_after` the host is marked unreachable (logged once).
    fn note_answer(&self, host: &str, result: &Result<Capture, TransportError>) {
        let mut streaks = self.no_answer.lock().unwrap_or_else(|p| p.into_inner());
        let e = match result {
            Err(e) if e.kind.is_no_answer() => e,
            Err(_) => return,
            Ok(_) => {
                streaks.remove(host);
                return;
            }
        };
        let n = streaks.entry(host.to_string()).or_default();
        *n += 1;
        if *n >= self.settings.unreachable_after {
            let n = *n;
            drop(streaks);
            self.mark_unreachable(host, n, e);
        }
    }

    /// Marks `host` unreachable for this run (logged once, with the proxy hint).
    fn mark_unreachable(&self, host: &str, n: u32, e: &TransportError) {
        let cause = format!("{}: {}", e.kind.as_str(), e.message);
        let mut unreachable = self.unreachable.lock().unwrap_or_else(|p| p.into_inner());
        if !unreachable.contains_key(host) {
            tracing::warn!(
                "{host}: unreachable ({n} requests in a row without an answer; last: {cause}); \
                 its URLs stay pending for the next run. From outside mainland China, set a \
                 proxy ([crawl] proxy, a [[crawl.host]] proxy, or HTTPS_PROXY/HTTP_PROXY)"
            );
            unreachable.insert(host.to_string(), cause);
        }
    }

    fn unreachable_error(&self, host: &str) -> TransportError {
        let cause = self
            .unreachable
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(host)
            .cloned()
            .unwrap_or_default();
        TransportError {
            kind: Transport::HostUnreachable,
            message: format!("{host} gave no answer this run ({cause})"),
        }
    }

    pub(super) fn allowed(&self, city: &str, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        if !matches!(url.scheme(), "http" | "https") {
            return false;
        }
        self.cities
            .get(city)
            .is_some_and(|r| r.patterns.iter().any(|p| host_matches(p, host)))
    }

    /// Fetches one frontier row to its end: done, failed, blocked or skipped.
    pub(super) async fn process(self: Arc<Self>, row: UrlRow) -> Result<Done, StateError> {
        let mut done = Done {
            host: row.host.clone(),
            children: Vec::new(),
            block_host: false,
            unreachable_host: false,
        };
        let Ok(mut target) = Url::parse(&row.target.url) else {
            self.finish(&row, failed(row.attempts, "bad-url"), None, &mut done)?;
            return Ok(done);
        };
        let mut tried_http = self.start_over_http(&row.host, &mut target);
        let mut attempts = row.attempts;
        loop {
            attempts += 1;
            let next = match self.follow(&row, &target).await? {
                Chain::Defer(cause) => {
                    self.store().defer(row.id, &cause)?;
                    self.progress.fetched(
                        &row.host,
                        &row.target.url,
                        status::PENDING,
                        Some(&cause),
                    );
                    Next::Finished
                }
                Chain::Stop(st, cause) => {
                    let o = Outcome {
                        status: st,
                        attempts,
                        error: Some(cause),
                        ..Outcome::default()
                    };
                    self.finish(&row, o, None, &mut done)?;
                    Next::Finished
                }
                Chain::Transport(e) if e.kind == Transport::Tls && !tried_http => {
                    tried_http = self.tls_fallback(&row.host, &mut target, &e);
                    if tried_http {
                        attempts -= 1;
                        Next::Again
                    } else {
                        self.on_transport(&row, attempts, e, &mut done)?
                    }
                }
                Chain::Transport(e) => self.on_transport(&row, attempts, e, &mut done)?,
                Chain::Response(cap) => self.on_response(&row, attempts, *cap, &mut done).await?,
            };
            match next {
                Next::Finished => return Ok(done),
                Next::Again => {}
                Next::Retry(retry_after) => {
                    self.wait_before_retry(&row.host, attempts, retry_after)
                        .await
                }
            }
        }
    }

    /// After a TLS failure on this host, later https:// URLs go straight to http://.
    fn start_over_http(&self, host: &str, target: &mut Url) -> bool {
        let known_bad = self.slot(host).tls_failed.load(Ordering::Relaxed);
        if self.settings.tls_http_fallback && target.scheme() == "https" && known_bad {
            return target.set_scheme("http").is_ok();
        }
        false
    }

    /// Switches `target` to http:// after a TLS failure, when allowed; logged per host.
    fn tls_fallback(&self, host: &str, target: &mut Url, e: &TransportError) -> bool {
        if !self.settings.tls_http_fallback || target.scheme() != "https" {
            return false;
        }
        tracing::warn!(
            "{host}: TLS failed ({}); trying the http:// variant",
            e.message
        );
        self.slot(host).tls_failed.store(true, Ordering::Relaxed);
        target.set_scheme("http").is_ok()
    }

    /// No response: retry (unless TLS or a given-up host), or record the failure.
    fn on_transport(
        &self,
        row: &UrlRow,
        attempts: u32,
        e: TransportError,
        done: &mut Done,
    ) -> Result<Next, StateError> {
        if e.kind == Transport::HostBlocked {
            let o = Outcome {
                status: status::BLOCKED,
                attempts: attempts - 1,
                error: Some(format!("blocked: host given up ({})", e.message)),
                ..Outcome::default()
            };
            self.finish(row, o, None, done)?;
            done.block_host = true;
            return Ok(Next::Finished);
        }
        if e.kind == Transport::HostUnreachable
            || (e.kind.is_no_answer() && self.is_unreachable(&row.host))
        {
            // Never failed, never dropped: the URL waits for the next run.
            let cause = format!("{UNREACHABLE}: {}; left for the next run", e.message);
            self.store().defer(row.id, &cause)?;
            self.progress
                .fetched(&row.host, &row.target.url, status::PENDING, Some(&cause));
            done.unreachable_host = true;
            return Ok(Next::Finished);
        }
        let cause = format!("{}: {}", e.kind.as_str(), e.message);
        if e.kind != Transport::Tls && attempts <= self.settings.retries {
            self.store().note_attempt(row.id, attempts, &cause)?;
            return Ok(Next::Retry(None));
        }
        self.finish(row, failed(attempts, &cause), None, done)?;
        Ok(Next::Finished)
    }

    /// A response: retry transient errors, record challenges, complete everything else.
    async fn on_response(
        &self,
        row: &UrlRow,
        attempts: u32,
        cap: Capture,
        done: &mut Done,
    ) -> Result<Next, StateError> {
        let code = cap.status.as_u16();
        let slot = self.slot(&host_key(&cap.url).unwrap_or_default());
        slot.observe(cap.latency, cap.status.is_success() || code == 304);
        if cap.body_error.is_some() || is_retryable(code) {
            let cause = match &cap.body_error {
                Some(e) => format!("body: {e}"),
                None => format!("http-{code}"),
            };
            if attempts <= self.settings.retries {
                self.archive_exchange(&cap)?;
                self.store().note_attempt(row.id, attempts, &cause)?;
                return Ok(Next::Retry(retry_after(&cap)));
            }
            self.finish_with_capture(row, failed(attempts, &cause), &cap, done)?;
            return Ok(Next::Finished);
        }
        if is_challenge(code) {
            let o = Outcome {
                status: status::BLOCKED,
                attempts,
                error: Some(format!("blocked: HTTP {code} anti-bot challenge page")),
                ..Outcome::default()
            };
            self.finish_with_capture(row, o, &cap, done)?;
            done.block_host = slot.blocked_count() >= self.settings.blocked_host_limit;
            tracing::warn!(
                "{}: HTTP {code} challenge (blocked) at {}",
                row.host,
                row.target.url
            );
            return Ok(Next::Finished);
        }
        self.complete(row, attempts, cap, done).await?;
        Ok(Next::Finished)
    }

    /// Appends an intermediate exchange (a retried error, a redirect hop). The records are
    /// compressed before the store lock is taken.
    pub(super) fn archive_exchange(&self, cap: &Capture) -> Result<(), StateError> {
        let members = cap.warc_members().0;
        self.store().commit(&members, None, &[])?;
        Ok(())
    }

    pub(super) async fn wait_before_retry(
        &self,
        host: &str,
        attempt: u32,
        retry_after: Option<Duration>,
    ) {
        let s = &self.settings;
        let max = Duration::from_millis(s.backoff_max_ms);
        let wait = retry_after
            .unwrap_or_else(|| backoff(attempt, Duration::from_millis(s.backoff_base_ms), max))
            .min(max);
        self.slot(host).defer_until(Instant::now() + wait);
        tokio::time::sleep(wait).await;
    }

    /// Follows redirects from `start`, keeping every hop on allowed hosts and within robots.txt.
    async fn follow(&self, row: &UrlRow, start: &Url) -> Result<Chain, StateError> {
        let mut seen = HashSet::new();
        let mut current = start.clone();
        for _hop in 0..=self.settings.max_redirects {
            if !seen.insert(current.clone()) {
                return Ok(Chain::Stop(
                    status::FAILED,
                    format!("redirect-loop: back to {current}"),
                ));
            }
            if !self.allowed(&row.target.city, &current) {
                return Ok(Chain::Stop(
                    status::FAILED,
                    format!(
                        "offsite: {} is not an allowed host",
                        current.host_str().unwrap_or("?")
                    ),
                ));
            }
            let robots = self.robots_for(&current).await?;
            if !robots.allowed(&path_and_query(&current)) {
                if let Some(why) = robots.unreachable_cause() {
                    let host = host_key(&current).unwrap_or_default();
                    if self.is_unreachable(&host) {
                        return Ok(Chain::Transport(self.unreachable_error(&host)));
                    }
                    return Ok(Chain::Defer(format!(
                        "{ROBOTS_UNREACHABLE}: {} ({why}); left for the next run",
                        host_key(&current).unwrap_or_default()
                    )));
                }
                return Ok(Chain::Stop(
                    status::SKIPPED,
                    format!("robots: disallowed {}", current.path()),
                ));
            }
            let conditional = if &current == start {
                conditional_headers(row)
            } else {
                Vec::new()
            };
            let cap = match self.request(&current, &conditional).await {
                Ok(cap) => cap,
                Err(e) => return Ok(Chain::Transport(e)),
            };
            let location = cap.header("location").map(str::to_string);
            match (
                cap.status.is_redirection() && cap.status.as_u16() != 304,
                location,
            ) {
                (true, Some(loc)) => {
                    let Ok(next) = current.join(loc.trim()) else {
                        return Ok(Chain::Response(Box::new(cap)));
                    };
                    self.archive_exchange(&cap)?;
                    current = next;
                }
                _ => return Ok(Chain::Response(Box::new(cap))),
            }
        }
        Ok(Chain::Stop(
            status::FAILED,
            format!(
                "redirect-limit: more than {} redirects",
                self.settings.max_redirects
            ),
        ))
    }

    /// One GET under the host's slot (permit held until the body is read).
    async fn request(
        &self,
        url: &Url,
        conditional: &[(&'static str, String)],
    ) -> Result<Capture, TransportError> {
        self.send(&Outgoing::get(url, conditional)).await
    }

    /// One exchange (GET or POST) under the host's slot, as polite as every other: the
    /// permit and spacing of the host, its challenge and unreachable counts, its proxy. The
    /// permit is held until the body is read.
    pub(super) async fn send(&self, req: &Outgoing) -> Result<Capture, TransportError> {
        let host = host_key(&req.url).unwrap_or_default();
        let slot = self.slot(&host);
        let permit = slot.acquire().await;
        let s = &self.settings;
        if slot.blocked_count() >= s.blocked_host_limit {
            return Err(TransportError {
                kind: Transport::HostBlocked,
                message: format!(
                    "{} anti-bot challenges from this host",
                    slot.blocked_count()
                ),
            });
        }
        if self.is_unreachable(&host) {
            return Err(self.unreachable_error(&host));
        }
        let client = self.client_for(&host)?;
        self.requests.fetch_add(1, Ordering::Relaxed);
        let result = send(&client, &s.user_agent, req, s.max_body_bytes).await;
        self.note_answer(&host, &result);
        if let Ok(cap) = &result {
            if is_challenge(cap.status.as_u16()) {
                // Counted while the permit is held, so the next request already sees it.
                slot.note_blocked();
                slot.defer_until(Instant::now() + Duration::from_millis(s.blocked_backoff_ms));
            }
        }
        drop(permit);
        result
    }

    /// The robots.txt rules that apply to `url`'s host (loaded once per host and run).
    pub(super) async fn robots_for(&self, url: &Url) -> Result<Robots, StateError> {
        let host = host_key(url).unwrap_or_default();
        if self.settings.robots_for(&host) == RobotsPolicy::Ignore {
            return Ok(Robots::allow_all());
        }
        let slot = self.slot(&host);
        let robots = slot
            .robots
            .get_or_try_init(|| async {
                let robots = self.load_robots(url, &host).await?;
                if let Some(secs) = robots.crawl_delay.filter(|s| s.is_finite() && *s > 0.0) {
                    let d = Duration::from_secs_f64(secs.min(3600.0));
                    if slot.raise_min_delay(d) {
                        tracing::info!("{host}: robots.txt Crawl-delay {secs} s raises the delay");
                    }
                }
                Ok::<_, StateError>(robots)
            })
            .await?;
        Ok(robots.clone())
    }

    /// robots.txt for a host: from the state database, else fetched (with retries on 5xx and
    /// transport errors, and the http:// variant after a TLS failure). A 4xx allows all; an
    /// answer that stays 5xx, or none at all, disallows all for this run (RFC 9309), logged:
    /// it is archived but not stored as the host's answer, so the next run asks again.
    async fn load_robots(&self, url: &Url, host: &str) -> Result<Robots, StateError> {
        let agent = "nianbao";
        if let Some((code, body)) = self.store().robots(host)? {
            return Ok(robots_from(code, &body, agent));
        }
        let Ok(mut robots_url) = url.join("/robots.txt") else {
            return Ok(Robots::allow_all());
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt > self.settings.retries;
            match self.request(&robots_url, &[]).await {
                Ok(cap) if cap.status.as_u16() >= 500 && !last => {
                    self.archive_exchange(&cap)?;
                    self.wait_before_retry(host, attempt, retry_after(&cap))
                        .await;
                }
                Ok(cap) if cap.status.as_u16() >= 500 => {
                    self.archive_exchange(&cap)?;
                    let code = cap.status.as_u16();
                    tracing::warn!("{host}: robots.txt answered {code}; its URLs wait for the next run (RFC 9309: disallowed while unreachable)");
                    return Ok(Robots::unreachable(format!("http-{code}")));
                }
                Ok(cap) => {
                    let code = cap.status.as_u16();
                    let text =
                        decode_content(&cap.body, cap.header("content-encoding"), 512 * 1024)
                            .map(|b| String::from_utf8_lossy(&b).into_owned())
                            .unwrap_or_default();
                    // Compress before taking the store lock.
                    let members = cap.warc_members().0;
                    self.store().commit_robots(&members, host, code, &text)?;
                    return Ok(robots_from(code, &text, agent));
                }
                Err(e)
                    if e.kind == Transport::Tls
                        && robots_url.scheme() == "https"
                        && self.settings.tls_http_fallback =>
                {
                    tracing::warn!(
                        "{host}: TLS failed for robots.txt ({}); trying http://",
                        e.message
                    );
                    self.slot(host).tls_failed.store(true, Ordering::Relaxed);
                    let _ = robots_url.set_scheme("http");
                }
                Err(e) if e.kind == Transport::HostUnreachable || self.is_unreachable(host) => {
                    tracing::debug!("{host}: robots.txt not fetched: {}", e.message);
                    return Ok(Robots::unreachable(UNREACHABLE.to_string()));
                }
                Err(e) if !last => {
                    tracing::debug!("{host}: robots.txt attempt {attempt}: {}", e.message);
                    self.wait_before_retry(host, attempt, None).await;
                }
                Err(e) if e.kind.is_no_answer() => {
                    // robots.txt got no answer after its retries: nothing else will be asked
                    // of this host in this run, so it is unreachable, whatever the streak.
                    self.mark_unreachable(host, attempt, &e);
                    return Ok(Robots::unreachable(UNREACHABLE.to_string()));
                }
                Err(e) => {
                    tracing::warn!(
                        "{host}: robots.txt unreachable ({}); its URLs wait for the next run",
                        e.message
                    );
                    return Ok(Robots::unreachable(e.kind.as_str().to_string()));
                }
            }
        }
    }

    /// A 2xx or 304 (or another final status): decode, discover, commit.
    async fn complete(
        &self,
        row: &UrlRow,
        attempts: u32,
        cap: Capture,
        done: &mut Done,
    ) -> Result<(), StateError> {
        let code = cap.status.as_u16();
        if let Some(o) = self.end_of_list(row, code, attempts) {
            return self.finish(row, o, Some(&cap.warc_members().0), done);
        }
        if !(cap.status.is_success() || code == 304) {
            return self.finish_with_capture(
                row,
                failed(attempts, &format!("http-{code}")),
                &cap,
                done,
            );
        }
        if cap.truncated == Some("length") {
            let cause = format!(
                "too-large: body exceeds {} bytes",
                self.settings.max_body_bytes
            );
            return self.finish_with_capture(row, failed(attempts, &cause), &cap, done);
        }
        let not_modified = code == 304;
        let payload = if not_modified {
            self.previous_payload(row)
        } else {
            decode_content(
                &cap.body,
                cap.header("content-encoding"),
                self.settings.max_decoded_bytes,
            )
        };
        let payload = match payload {
            Ok(p) => p,
            Err(cause) => {
                return self.finish_with_capture(row, failed(attempts, &cause), &cap, done)
            }
        };
        let detected = sniff(&payload);
        let http_charset = cap.http_charset();
        let mut children = self.children(row, &cap, &payload, detected, http_charset.as_deref());
        self.apply_city_cap(&row.target.city, &mut children);
        let mut o = Outcome {
            status: status::DONE,
            attempts,
            http_status: Some(code),
            not_modified,
            ..Outcome::default()
        };
        if !not_modified {
            o.payload_sha256 = Some(hex(&Sha256::digest(&payload)));
            o.detected = Some(detected.to_string());
            o.http_charset = http_charset;
            o.content_type = cap.header("content-type").map(str::to_string);
            o.content_encoding = cap.header("content-encoding").map(str::to_string);
            o.filename = super::fetch::file_name(&cap);
            o.etag = cap.header("etag").map(str::to_string);
            o.last_modified = cap.header("last-modified").map(str::to_string);
        }
        self.commit_capture(row, o, &cap, &children, done)
    }

    fn previous_payload(&self, row: &UrlRow) -> Result<Vec<u8>, String> {
        let Some((file, offset, length)) = &row.previous else {
            return Ok(Vec::new());
        };
        let path = self.store().warc_dir().join(file);
        let rec = nianbao_archive::warc::read_record(&path, *offset, *length)
            .map_err(|e| e.to_string())?;
        let (_, body, enc) = nianbao_archive::split_http(&rec.block);
        decode_content(body, enc.as_deref(), self.settings.max_decoded_bytes)
    }

    /// Links of an HTML page that this crawl should follow, as new frontier rows.
    fn children(
        &self,
        row: &UrlRow,
        cap: &Capture,
        payload: &[u8],
        detected: &str,
        charset: Option<&str>,
    ) -> Vec<NewUrl> {
        let html_like = detected == "html"
            || cap
                .header("content-type")
                .is_some_and(|ct| ct.to_ascii_lowercase().contains("html"));
        if !html_like || row.target.kind == PageKind::Robots {
            return Vec::new();
        }
        let kind = match row.target.kind {
            PageKind::Attachment => PageKind::Report,
            k => k,
        };
        let text = nianbao_parser::decode::decode_html(payload, charset).text;
        let page = Page {
            url: &cap.url,
            kind,
            year: row.target.year,
            body: row.target.body.as_deref(),
            max_list_pages: self.settings.max_list_pages,
        };
        let mut links = discover(&text, &page);
        if kind == PageKind::Report && super::discover::is_column_url(&cap.url) {
            // A "report" link that leads to a column page (per-year sub-column): read it as a list too.
            let as_list = Page {
                kind: PageKind::List,
                ..page.clone()
            };
            for l in discover(&text, &as_list) {
                if !links.iter().any(|x| x.url == l.url) {
                    links.push(l);
                }
            }
        }
        self.walk_columns(row, &cap.url, payload, &mut links);
        links
            .into_iter()
            .filter(|l| self.admit(row, l))
            .filter_map(|l| {
                let depth =
                    if l.same_level || matches!(l.kind, PageKind::Report | PageKind::Attachment) {
                        row.depth
                    } else {
                        row.depth + 1
                    };
                new_url(
                    l.url.as_str(),
                    l.kind,
                    &row.target.city,
                    l.body,
                    l.year,
                    depth,
                    Some(row.target.url.clone()),
                    Some(l.text),
                )
            })
            .collect()
    }

    /// Host, depth, year and scope filters for a discovered link.
    fn admit(&self, row: &UrlRow, link: &Link) -> bool {
        let city = &row.target.city;
        if !self.allowed(city, &link.url) {
            tracing::debug!("skip {}: host not allowed for {city}", link.url);
            return false;
        }
        if matches!(link.kind, PageKind::List | PageKind::Nav)
            && !link.same_level
            && row.depth >= self.settings.discovery_depth
        {
            tracing::debug!("skip {}: deeper than discovery_depth", link.url);
            return false;
        }
        if link.kind == PageKind::Nav && self.store().city_has_reports(city).unwrap_or(false) {
            tracing::debug!("skip {}: the report column of {city} is found", link.url);
            return false;
        }
        if let (Some(range), Some(y)) = (&self.years, link.year) {
            if !link.same_level && !range.contains(&y) {
                tracing::debug!("skip {}: year {y} outside {range:?}", link.url);
                return false;
            }
        }
        if self.scope == Scope::City
            && matches!(link.kind, PageKind::Report | PageKind::Attachment)
            && !is_city_level(link.body.as_deref(), city)
        {
            tracing::debug!(
                "skip {}: published by {:?}, not the city government",
                link.url,
                link.body
            );
            return false;
        }
        true
    }

    fn finish_with_capture(
        &self,
        row: &UrlRow,
        o: Outcome,
        cap: &Capture,
        done: &mut Done,
    ) -> Result<(), StateError> {
        self.commit_capture(row, o, cap, &[], done)
    }

    /// Commits the capture's WARC records, the outcome and the children in one step.
    fn commit_capture(
        &self,
        row: &UrlRow,
        mut o: Outcome,
        cap: &Capture,
        children: &[NewUrl],
        done: &mut Done,
    ) -> Result<(), StateError> {
        let (members, record_id, offset, length) = cap.warc_members();
        o.final_url = Some(cap.url.to_string());
        if o.http_status.is_none() {
            o.http_status = Some(cap.status.as_u16());
        }
        if cap.status.as_u16() != 304 {
            o.warc = Some(WarcPtr {
                file: String::new(),
                offset,
                length,
                record_id,
            });
            o.payload_sha1 = Some(nianbao_archive::warc::sha1_base32(&cap.body));
        }
        o.fetched_at = Some(cap.date.clone());
        self.commit_finish(row, o, &members, children, done)
    }

    pub(super) fn apply_city_cap(&self, city: &str, kids: &mut Vec<NewUrl>) {
        let known = self.store().city_count(city).unwrap_or(0);
        let room = self.settings.max_urls_per_city.saturating_sub(known);
        if kids.len() > room {
            tracing::warn!(
                "{city}: max_urls_per_city reached; {} links dropped",
                kids.len() - room
            );
            kids.truncate(room);
        }
    }

    fn finish(
        &self,
        row: &UrlRow,
        o: Outcome,
        members: Option<&[u8]>,
        done: &mut Done,
    ) -> Result<(), StateError> {
        self.commit_finish(row, o, members.unwrap_or(&[]), &[], done)
    }

    fn commit_finish(
        &self,
        row: &UrlRow,
        mut o: Outcome,
        members: &[u8],
        children: &[NewUrl],
        done: &mut Done,
    ) -> Result<(), StateError> {
        let cause = o.error.clone();
        let st = o.status;
        let (_, new_rows) = self
            .store()
            .commit(members, Some((row.id, &mut o)), children)?;
        self.progress
            .fetched(&row.host, &row.target.url, st, cause.as_deref());
        done.children.extend(new_rows);
        Ok(())
    }
}

fn failed(attempts: u32, cause: &str) -> Outcome {
    Outcome {
        status: status::FAILED,
        attempts,
        error: Some(cause.to_string()),
        ..Outcome::default()
    }
}

/// 412 (瑞数) and 521 (加速乐) answer with a JavaScript challenge instead of the page.
pub(crate) fn is_challenge(code: u16) -> bool {
    matches!(code, 412 | 521)
}

pub(crate) fn is_retryable(code: u16) -> bool {
    matches!(code, 408 | 429 | 500 | 502 | 503 | 504 | 522 | 524)
}

/// `Retry-After` as seconds or an HTTP date.
pub(crate) fn retry_after(cap: &Capture) -> Option<Duration> {
    parse_retry_after(cap.header("retry-after")?, std::time::SystemTime::now())
}

fn parse_retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(now).unwrap_or_default())
}

fn conditional_headers(row: &UrlRow) -> Vec<(&'static str, String)> {
    let mut h = Vec::new();
    if let Some(e) = &row.etag {
        h.push(("if-none-match", e.clone()));
    }
    if let Some(l) = &row.last_modified {
        h.push(("if-modified-since", l.clone()));
    }
    h
}

/// Rules from a robots.txt answer. A 5xx stored by an older version counts as unreachable.
pub(crate) fn robots_from(code: u16, body: &str, agent: &str) -> Robots {
    match code {
        200..=299 => Robots::parse(body, agent),
        500..=599 => Robots::unreachable(format!("http-{code}")),
        _ => Robots::allow_all(),
    }
}

/// The path and query of `url`, as robots.txt rules match them.
pub(crate) fn path_and_query(url: &Url) -> String {
    let mut path = url.path().to_string();
    if let Some(q) = url.query() {
        path.push('?');
        path.push_str(q);
    }
    path
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_as_seconds_or_an_http_date() {
        let now = httpdate::parse_http_date("Wed, 26 Nov 2025 00:00:00 GMT").unwrap();
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        let later = parse_retry_after("Wed, 26 Nov 2025 00:01:30 GMT", now);
        assert_eq!(later, Some(Duration::from_secs(90)));
        let past = parse_retry_after("Tue, 25 Nov 2025 00:00:00 GMT", now);
        assert_eq!(past, Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn only_transient_statuses_are_retried() {
        for code in [408, 429, 500, 502, 503, 504, 522, 524] {
            assert!(is_retryable(code), "{code}");
        }
        for code in [200, 301, 403, 404, 410, 412, 521] {
            assert!(!is_retryable(code), "{code}");
        }
    }

    #[test]
    fn robots_answers_map_to_rules_as_rfc_9309_says() {
        assert!(robots_from(404, "", "nianbao").allowed("/a"));
        assert!(!robots_from(503, "", "nianbao").allowed("/a"));
        assert_eq!(
            robots_from(503, "", "nianbao").unreachable_cause(),
            Some("http-503")
        );
        assert!(!robots_from(200, "User-agent: *\nDisallow: /a\n", "nianbao").allowed("/a"));
    }
}
