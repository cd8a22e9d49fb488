//! Cities + settings → a harvest directory (WARC + crawl state) and a [`Summary`]: opens the
//! store, seeds the frontier, schedules fetch tasks per host (see `worker` for what one task
//! does), runs the site searches (`search::run`) once the column walk has ended, falls back to
//! the portal home page for cities with no report, and summarizes. The only place where
//! fetching is concurrent.
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::task::JoinSet;

use super::config::{CitySite, CrawlSettings, RobotsPolicy};
use super::discover::PageKind;
use super::fetch::build_client;
use super::frontier::{new_url, Scope};
use super::hosts::Hosts;
use super::progress::SharedProgress;
use super::proxy::ProxyEnv;
use super::summary::{summarize, Summary, UnreachableHost};
use super::worker::{CityRules, Done, Shared, UNREACHABLE};
use nianbao_archive::state::{NewUrl, RunStart, StateError, Store, UrlRow};
use nianbao_archive::warc::{Record, RecordType};

/// Everything a crawl needs.
#[derive(Debug, Clone)]
pub struct Options {
    /// `[crawl]` settings: politeness, limits and per-host overrides.
    pub settings: CrawlSettings,
    /// The cities to harvest.
    pub cities: Vec<CitySite>,
    /// Report years to keep (`None`: all); links naming another year are not followed.
    pub years: Option<RangeInclusive<u16>>,
    /// Which reports to keep: the city government's own, or all.
    pub scope: Scope,
    /// The harvest directory (WARC files and `state.sqlite`); an existing one is resumed.
    pub out: PathBuf,
    /// Re-harvest: revisit every known URL with conditional requests.
    pub refresh: bool,
    /// Put URLs that failed or were blocked in an earlier run back in the frontier.
    pub retry_failed: bool,
    /// Where crawl events go ([`crate::progress::silent`] for none).
    pub progress: SharedProgress,
    /// The proxy environment variables (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`),
    /// used for hosts whose config says neither `"none"` nor a proxy URL. The binary passes
    /// [`ProxyEnv::from_process`]; tests pass their own.
    pub proxy_env: ProxyEnv,
}

/// A crawl that could not run (per-URL failures are not errors: they are counted).
#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    /// The harvest archive (state database or WARC files) could not be opened or written.
    #[error(transparent)]
    State(#[from] StateError),
    /// The HTTP client could not be built (e.g. its TLS set-up failed).
    #[error("cannot build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    /// A host's proxy could not be set up (the message names the proxy, credentials masked).
    #[error("cannot use the proxy for host {host}: {message}")]
    Proxy {
        /// The host.
        host: String,
        /// What went wrong.
        message: String,
    },
    /// A fetch task panicked or was cancelled, or a query on the crawl state failed.
    #[error("crawl task failed: {0}")]
    Task(String),
}

/// Runs a crawl to the end (or resumes one in `opts.out`).
pub async fn crawl(opts: Options) -> Result<Summary, CrawlError> {
    let (mut store, cut) = Store::open(&opts.out, opts.settings.warc_max_bytes)?;
    if cut > 0 {
        tracing::warn!(
            "cut {cut} bytes of uncommitted or torn WARC data from {}",
            store.current_warc()
        );
    }
    let names: Vec<String> = opts.cities.iter().map(|c| c.name.clone()).collect();
    match store.begin_run(&names, opts.refresh, &now())? {
        RunStart::Resumed => tracing::info!("resuming the interrupted run"),
        RunStart::New { revalidate } => tracing::info!(
            "new run: {revalidate} list and navigation pages will be revalidated; captured reports are kept"
        ),
        RunStart::Refresh { revalidate } => tracing::info!(
            "re-harvest: {revalidate} known URLs will be revalidated with conditional requests"
        ),
    }
    if opts.retry_failed && !opts.refresh {
        let n = store.reset_failed(&names)?;
        tracing::info!("{n} failed, blocked or refused URLs will be tried again");
    }
    store.start_with_warcinfo(warcinfo(&opts.settings).to_gzip_member())?;
    // Fails early when the TLS set-up cannot work; per-proxy clients are built as needed.
    let client = build_client(&opts.settings, false).map_err(CrawlError::Client)?;
    for h in opts
        .settings
        .hosts
        .iter()
        .filter(|h| h.accept_invalid_certs)
    {
        tracing::warn!(
            "TLS certificate checks are OFF for host {} (config [[crawl.host]]; reason: {})",
            h.host,
            h.reason.as_deref().unwrap_or("none given")
        );
    }
    for h in opts
        .settings
        .hosts
        .iter()
        .filter(|h| h.robots == Some(RobotsPolicy::Ignore))
    {
        tracing::warn!(
            "robots.txt is ignored for host {} (reason: {})",
            h.host,
            h.reason.as_deref().unwrap_or("")
        );
    }
    let cities = opts
        .cities
        .iter()
        .map(|c| {
            let mut patterns = c.host_patterns();
            patterns.extend(
                opts.settings
                    .allowed_hosts
                    .iter()
                    .map(|h| h.to_ascii_lowercase()),
            );
            (
                c.name.clone(),
                CityRules {
                    city: c.clone(),
                    patterns,
                },
            )
        })
        .collect();
    let seeds = seed_urls(&opts.cities);
    store.enqueue(&seeds)?;
    let shared = Arc::new(Shared {
        settings: opts.settings.clone(),
        cities,
        years: opts.years.clone(),
        scope: opts.scope,
        hosts: Hosts::new(opts.settings.clone(), opts.proxy_env.clone(), Some(client)),
        no_answer: Mutex::new(HashMap::new()),
        unreachable: Mutex::new(BTreeMap::new()),
        store: Mutex::new(store),
        blocked: Mutex::new(HashSet::new()),
        requests: AtomicU64::new(0),
        progress: opts.progress.clone(),
    });
    // The proxy of every host known at start, logged once each (hosts found later are
    // logged when first fetched); a proxy that cannot be used stops the crawl here.
    for host in start_hosts(&opts) {
        shared.client_for(&host).map_err(|e| CrawlError::Proxy {
            host: host.clone(),
            message: e.message,
        })?;
    }
    loop {
        // Rows of cities not crawled in this run (`--city`) wait for a run that crawls them.
        let pending: Vec<UrlRow> = shared
            .store()
            .pending()?
            .into_iter()
            .filter(|r| shared.cities.contains_key(&r.target.city))
            .collect();
        schedule(&shared, pending).await?;
        // The column walk of every city has ended: the site searches fill the years it left.
        if run_searches(&shared).await? > 0 {
            continue;
        }
        let fallbacks = home_fallbacks(&shared)?;
        if fallbacks.is_empty() {
            break;
        }
        shared.store().enqueue(&fallbacks)?;
    }
    shared.store().finish_run(&now())?;
    shared.progress.finish();
    let cities: Vec<&CitySite> = shared.cities.values().map(|r| &r.city).collect();
    let mut summary = summarize(&shared.store(), &cities)
        .map_err(|e| CrawlError::Task(format!("summary query: {e}")))?;
    summary.requests = shared.requests.load(Ordering::Relaxed);
    summary.proxies = shared
        .hosts
        .routes()
        .iter()
        .map(|(h, r)| (h.clone(), r.describe()))
        .collect();
    let unreachable = shared
        .unreachable
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    for (host, cause) in unreachable {
        let waiting = pending_of(&shared, &host)?;
        summary.unreachable.push(UnreachableHost {
            host,
            cause,
            waiting,
        });
    }
    summary.cut_bytes = cut;
    Ok(summary)
}

/// The hosts of the cities' portals, list pages and site searches, and of the
/// `[[crawl.host]]` overrides.
fn start_hosts(opts: &Options) -> BTreeSet<String> {
    let mut hosts: BTreeSet<String> = opts
        .cities
        .iter()
        .flat_map(|c| {
            std::iter::once(&c.portal)
                .chain(&c.report_lists)
                .chain(c.search.as_ref().map(|s| &s.url))
        })
        .filter_map(|u| {
            url::Url::parse(u)
                .ok()?
                .host_str()
                .map(str::to_ascii_lowercase)
        })
        .collect();
    hosts.extend(
        opts.settings
            .hosts
            .iter()
            .map(|h| h.host.trim().to_ascii_lowercase()),
    );
    hosts
}

/// URLs of `host` left pending.
fn pending_of(shared: &Shared, host: &str) -> Result<usize, CrawlError> {
    shared
        .store()
        .pending_of_host(host)
        .map_err(|e| CrawlError::Task(format!("summary query: {e}")))
}

/// Marks the pending URLs of an unreachable host as waiting for the next run (they stay
/// pending: the next run tries them again).
fn defer_host(shared: &Shared, host: &str) -> Result<usize, CrawlError> {
    let why = format!(
        "{UNREACHABLE}: {host} gave no answer this run; left for the next run (set a proxy from abroad)"
    );
    shared
        .store()
        .note_pending_of_host(host, &why)
        .map_err(|e| CrawlError::Task(format!("deferring {host}: {e}")))
}

fn now() -> String {
    nianbao_archive::warc::warc_date(std::time::SystemTime::now())
}

fn warcinfo(s: &CrawlSettings) -> Record {
    let body = format!(
        "software: nianbao/{}\r\nformat: WARC File Format 1.1\r\nconformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\nhttp-header-user-agent: {}\r\nrobots: {:?}\r\n",
        env!("CARGO_PKG_VERSION"),
        s.user_agent,
        s.robots
    );
    Record::new(
        RecordType::Warcinfo,
        "application/warc-fields",
        body.into_bytes(),
    )
}

/// The configured list pages (depth 0); a city without any starts from its site search, or
/// else from its portal home page.
fn seed_urls(cities: &[CitySite]) -> Vec<NewUrl> {
    let mut out = Vec::new();
    for c in cities {
        let starts: Vec<(&String, PageKind)> = if c.report_lists.is_empty() && c.search.is_some() {
            Vec::new()
        } else if c.report_lists.is_empty() {
            vec![(&c.portal, PageKind::Home)]
        } else {
            c.report_lists.iter().map(|u| (u, PageKind::List)).collect()
        };
        for (u, kind) in starts {
            if let Some(n) = new_url(u, kind, &c.name, None, None, 0, None, None) {
                out.push(n);
            }
        }
    }
    out
}

/// Runs the site search of every city that has one and still needs it (`search::run`), the
/// cities in parallel; returns how many new URLs they queued.
async fn run_searches(shared: &Arc<Shared>) -> Result<usize, CrawlError> {
    let mut tasks: JoinSet<Result<Vec<UrlRow>, StateError>> = JoinSet::new();
    for rules in shared.cities.values().filter(|r| r.city.search.is_some()) {
        let (sh, city) = (Arc::clone(shared), rules.city.name.clone());
        tasks.spawn(async move { sh.site_search(&city).await });
    }
    let mut queued = 0;
    while let Some(joined) = tasks.join_next().await {
        queued += joined.map_err(|e| CrawlError::Task(e.to_string()))??.len();
    }
    Ok(queued)
}

/// Cities that found no report at all get their portal home page searched.
fn home_fallbacks(shared: &Shared) -> Result<Vec<NewUrl>, CrawlError> {
    let store = shared.store();
    let mut out = Vec::new();
    for rules in shared.cities.values() {
        let c = &rules.city;
        let count = |kinds: &[PageKind]| {
            store
                .count_of_kinds(&c.name, kinds)
                .map_err(|source| CrawlError::Task(format!("summary query: {source}")))
        };
        let found = count(&[PageKind::Report, PageKind::Attachment])?;
        let home_known = count(&[PageKind::Home])?;
        if found == 0 && home_known == 0 {
            tracing::info!(
                "{}: no report found from the list pages; searching from {}",
                c.name,
                c.portal
            );
            out.extend(new_url(
                &c.portal,
                PageKind::Home,
                &c.name,
                None,
                None,
                0,
                None,
                None,
            ));
        }
    }
    Ok(out)
}

/// One host's frontier: pages that reveal more links (lists, navigation) first, then report
/// pages, then attachments, so discovery runs ahead and the host's slots stay busy.
#[derive(Default)]
struct HostQueue {
    lists: VecDeque<UrlRow>,
    reports: VecDeque<UrlRow>,
    files: VecDeque<UrlRow>,
}

impl HostQueue {
    fn push(&mut self, row: UrlRow) {
        match row.target.kind {
            PageKind::Report => self.reports.push_back(row),
            PageKind::Attachment => self.files.push_back(row),
            _ => self.lists.push_back(row),
        }
    }

    fn pop(&mut self) -> Option<UrlRow> {
        self.lists
            .pop_front()
            .or_else(|| self.reports.pop_front())
            .or_else(|| self.files.pop_front())
    }

    fn is_empty(&self) -> bool {
        self.lists.is_empty() && self.reports.is_empty() && self.files.is_empty()
    }
}

const BLOCKED_HOST: &str = "blocked: host answered with challenge pages";

/// Runs tasks until the frontier is empty: at most `concurrency` tasks per host at a time.
async fn schedule(shared: &Arc<Shared>, pending: Vec<UrlRow>) -> Result<(), CrawlError> {
    let mut queues: HashMap<String, HostQueue> = HashMap::new();
    let mut deferred: HashSet<String> = HashSet::new();
    for row in pending {
        if shared.is_blocked(&row.host) {
            shared.store().block_host(&row.host, BLOCKED_HOST)?;
            continue;
        }
        if shared.is_unreachable(&row.host) {
            if deferred.insert(row.host.clone()) {
                defer_host(shared, &row.host)?;
            }
            continue;
        }
        queues.entry(row.host.clone()).or_default().push(row);
    }
    let mut inflight: HashMap<String, usize> = HashMap::new();
    let mut tasks: JoinSet<Result<Done, StateError>> = JoinSet::new();
    loop {
        for (host, queue) in queues.iter_mut() {
            // Twice the in-flight cap in tasks: while one task parses and commits, the next
            // already waits for the host's permit. The permit (HostSlot) is the hard cap.
            let cap = shared.settings.concurrency_for(host) * 2;
            let n = inflight.entry(host.clone()).or_default();
            while *n < cap {
                let Some(row) = queue.pop() else { break };
                *n += 1;
                shared.progress.queued(host, 1);
                let sh = Arc::clone(shared);
                tasks.spawn(async move { sh.process(row).await });
            }
        }
        queues.retain(|_, q| !q.is_empty());
        let Some(joined) = tasks.join_next().await else {
            return Ok(());
        };
        let done = joined.map_err(|e| CrawlError::Task(e.to_string()))??;
        if let Some(n) = inflight.get_mut(&done.host) {
            *n = n.saturating_sub(1);
        }
        if done.block_host && shared.block(&done.host) {
            let n = shared.store().block_host(&done.host, BLOCKED_HOST)?;
            queues.remove(&done.host);
            tracing::warn!(
                "{}: blocked by anti-bot challenges; {n} queued URLs left unfetched",
                done.host
            );
        }
        if done.unreachable_host || shared.is_unreachable(&done.host) {
            // Tasks already spawned for the host defer their own rows without a request.
            if queues.remove(&done.host).is_some() || deferred.insert(done.host.clone()) {
                let n = defer_host(shared, &done.host)?;
                tracing::debug!("{}: {n} URLs wait for the next run", done.host);
            }
        }
        for child in done.children {
            if shared.is_blocked(&child.host) {
                shared.store().block_host(&child.host, BLOCKED_HOST)?;
                continue;
            }
            if shared.is_unreachable(&child.host) {
                defer_host(shared, &child.host)?;
                continue;
            }
            queues.entry(child.host.clone()).or_default().push(child);
        }
    }
}
