//! Fixture portal: generated [`Site`]s → HTTP/1.1 servers on loopback addresses (one address
//! per host), with injected latency and faults, counting per host the requests in flight (max
//! observed), the requests per path and the body bytes sent ([`stats_json`]). For tests,
//! benchmarks and demo archives; it binds only to the addresses it is given (127.0.0.0/8).

pub mod demo;
pub mod docs;
pub mod generate;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, HttpBody};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use bytes::Bytes;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use generate::{
    generate, DefaultContent, Expected, Fault, PortalOptions, ReportContent, ReportMeta, Resource,
    Site, GUANGXI,
};

/// Request counters of one host.
#[derive(Debug, Default)]
pub struct Counters {
    inflight: AtomicUsize,
    max_inflight: AtomicUsize,
    total: AtomicU64,
    bytes: AtomicU64,
    per_path: Mutex<HashMap<String, u64>>,
}

impl Counters {
    /// The largest number of requests this host was serving at once.
    pub fn max_in_flight(&self) -> usize {
        self.max_inflight.load(Ordering::SeqCst)
    }

    /// Requests received so far.
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::SeqCst)
    }

    /// Response body bytes sent so far (bodies of known length: the fault routes that break
    /// a body off count 0).
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::SeqCst)
    }

    /// Requests received for a path (with query, as requested).
    pub fn requests(&self, path: &str) -> u64 {
        self.paths().get(path).copied().unwrap_or(0)
    }

    /// A snapshot of requests per path.
    pub fn paths(&self) -> HashMap<String, u64> {
        self.per_path
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn enter(&self, path: &str) -> (InFlight<'_>, u64) {
        let now = self.inflight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_inflight.fetch_max(now, Ordering::SeqCst);
        self.total.fetch_add(1, Ordering::SeqCst);
        let mut map = self.per_path.lock().unwrap_or_else(|p| p.into_inner());
        let n = map.entry(path.to_string()).or_default();
        *n += 1;
        (InFlight(self), *n)
    }
}

struct InFlight<'a>(&'a Counters);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.inflight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How to serve.
#[derive(Debug, Clone, Copy, Default)]
pub struct ServeOptions {
    /// Added before every response.
    pub latency: Duration,
    /// Port on every address (0: a free port per address).
    pub port: u16,
}

/// A site being served.
#[derive(Debug, Clone)]
pub struct RunningSite {
    pub site: Arc<Site>,
    /// `http://127.0.0.x:port`
    pub base: String,
    pub addr: SocketAddr,
    pub counters: Arc<Counters>,
}

impl RunningSite {
    /// Absolute URL of a path on this site.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

struct SiteState {
    site: Arc<Site>,
    counters: Arc<Counters>,
    latency: Duration,
    total: Arc<watch::Sender<u64>>,
}

/// The running portal. Dropping it stops the servers.
pub struct Portal {
    pub sites: Vec<RunningSite>,
    /// A host that no city is allowed to visit (the target of an off-site redirect).
    pub outside: RunningSite,
    total: watch::Receiver<u64>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Portal {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Portal {
    /// Serves `sites` (and an outside host on the next address) until dropped.
    pub async fn start(mut sites: Vec<Site>, opts: ServeOptions) -> std::io::Result<Portal> {
        let (tx, total) = watch::channel(0u64);
        let tx = Arc::new(tx);
        let mut tasks = Vec::new();
        let last_ip = sites.iter().map(|s| s.ip.octets()[3]).max().unwrap_or(1);
        let mut outside_site = Site {
            city: "outside".into(),
            adcode: "000000".into(),
            ip: Ipv4Addr::new(127, 0, 0, last_ip.wrapping_add(1)),
            resources: Default::default(),
            list_path: "/".into(),
            expected: Vec::new(),
            forbidden: vec!["/stolen.pdf".into()],
        };
        outside_site.resources.insert(
            "/stolen.pdf".into(),
            Resource::new("application/pdf", generate::pdf_bytes("stolen")),
        );
        let outside = serve_site(outside_site, opts, &tx, &mut tasks).await?;
        for s in &mut sites {
            if s.resources.contains_key("/loop/a.pdf") {
                s.resources.insert(
                    "/go/out.pdf".into(),
                    Resource::redirect(&outside.url("/stolen.pdf")),
                );
            }
        }
        let mut running = Vec::new();
        for s in sites {
            running.push(serve_site(s, opts, &tx, &mut tasks).await?);
        }
        Ok(Portal {
            sites: running,
            outside,
            total,
            tasks,
        })
    }

    /// Requests received by all hosts so far.
    pub fn total_requests(&self) -> u64 {
        *self.total.borrow()
    }

    /// Waits (on server events, not on a timer) until at least `n` requests have arrived.
    pub async fn wait_for_requests(&self, n: u64) {
        let mut rx = self.total.clone();
        let _ = rx.wait_for(|t| *t >= n).await;
    }

    /// A crawler config for these sites. `crawl` is the body of the `[crawl]` table.
    pub fn config_toml(&self, crawl: &str) -> String {
        let mut out = format!("[crawl]\n{crawl}\n");
        for s in &self.sites {
            out.push_str(&format!(
                "\n[[city]]\nname = \"{}\"\nadcode = \"{}\"\nportal = \"{}/\"\nreport_lists = [\"{}\"]\n",
                s.site.city,
                s.site.adcode,
                s.base,
                s.url(&s.site.list_path)
            ));
        }
        out
    }
}

/// `[crawl]` settings suited to the fixture: fast, small caps, quick back-off.
pub const TEST_CRAWL_SETTINGS: &str = r#"user_agent = "nianbao-test/0.1 (+https://example.invalid/nianbao)"
per_host_concurrency = 2
delay_ms = 0
autothrottle = false
retries = 2
backoff_base_ms = 5
backoff_max_ms = 2000
blocked_backoff_ms = 0
max_body_bytes = 1048576
max_decoded_bytes = 4194304
request_timeout_ms = 10000
connect_timeout_ms = 5000"#;

async fn serve_site(
    site: Site,
    opts: ServeOptions,
    total: &Arc<watch::Sender<u64>>,
    tasks: &mut Vec<JoinHandle<()>>,
) -> std::io::Result<RunningSite> {
    if !site.ip.is_loopback() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("fixture portal binds only to 127.0.0.0/8, not {}", site.ip),
        ));
    }
    let listener = tokio::net::TcpListener::bind((site.ip, opts.port)).await?;
    let addr = listener.local_addr()?;
    let site = Arc::new(site);
    let counters = Arc::new(Counters::default());
    let state = Arc::new(SiteState {
        site: Arc::clone(&site),
        counters: Arc::clone(&counters),
        latency: opts.latency,
        total: Arc::clone(total),
    });
    let app = Router::new().fallback(handle).with_state(state);
    tasks.push(tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    }));
    Ok(RunningSite {
        site,
        base: format!("http://{addr}"),
        addr,
        counters,
    })
}

async fn handle(State(st): State<Arc<SiteState>>, uri: Uri, headers: HeaderMap) -> Response {
    let key = uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .to_string();
    let (guard, nth) = st.counters.enter(&key);
    st.total.send_modify(|t| *t += 1);
    if !st.latency.is_zero() {
        tokio::time::sleep(st.latency).await;
    }
    let response = match st.site.resources.get(&key) {
        Some(res) => respond(res, nth, &headers).await,
        None => plain(404, "not found"),
    };
    let sent = HttpBody::size_hint(response.body()).exact().unwrap_or(0);
    st.counters.bytes.fetch_add(sent, Ordering::SeqCst);
    drop(guard);
    response
}

/// The counters of every site as JSON: per host its city, base URL, requests, body bytes, the
/// largest number of requests in flight at once and the requests per path (sorted), plus totals.
pub fn stats_json(sites: &[RunningSite]) -> serde_json::Value {
    let hosts: Vec<serde_json::Value> = sites
        .iter()
        .map(|s| {
            let paths: std::collections::BTreeMap<String, u64> =
                s.counters.paths().into_iter().collect();
            serde_json::json!({
                "city": s.site.city,
                "base": s.base,
                "requests": s.counters.total(),
                "bytes": s.counters.bytes(),
                "max_in_flight": s.counters.max_in_flight(),
                "paths": paths,
            })
        })
        .collect();
    serde_json::json!({
        "requests": sites.iter().map(|s| s.counters.total()).sum::<u64>(),
        "bytes": sites.iter().map(|s| s.counters.bytes()).sum::<u64>(),
        "max_in_flight": sites.iter().map(|s| s.counters.max_in_flight()).max().unwrap_or(0),
        "hosts": hosts,
    })
}

fn plain(status: u16, body: &'static str) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r
}

async fn respond(res: &Resource, nth: u64, req: &HeaderMap) -> Response {
    let etag = etag(&res.body);
    let mut status = res.status;
    let mut body = Body::from(res.body.clone());
    let mut extra: Vec<(String, String)> = Vec::new();
    match &res.fault {
        Fault::FailFirst {
            n,
            status: s,
            retry_after,
        } if nth <= *n => {
            status = *s;
            body = Body::from("temporarily unavailable");
            if let Some(ra) = retry_after {
                extra.push(("retry-after".into(), ra.to_string()));
            }
        }
        Fault::Always { status: s } => {
            status = *s;
            body = Body::from("error");
        }
        Fault::Slow(d) => tokio::time::sleep(*d).await,
        Fault::ResetFirst(n) if nth <= *n => {
            let half = res.body.slice(..res.body.len() / 2);
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(half),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "reset",
                )),
            ];
            body = Body::from_stream(futures_util::stream::iter(chunks));
            extra.push(("content-length".into(), res.body.len().to_string()));
        }
        Fault::TruncateFirst(n) if nth <= *n => {
            let half = res.body.slice(..res.body.len() / 2);
            body = Body::from_stream(futures_util::stream::iter(vec![Ok::<_, std::io::Error>(
                half,
            )]));
            extra.push(("content-length".into(), res.body.len().to_string()));
        }
        _ => {}
    }
    let fresh = status == 200
        && req.get("if-none-match").and_then(|v| v.to_str().ok()) == Some(etag.as_str());
    if fresh {
        status = 304;
        body = Body::empty();
    }
    let mut r = Response::new(body);
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = r.headers_mut();
    for (k, v) in res.headers.iter().chain(extra.iter()) {
        if fresh && k == "content-length" {
            continue;
        }
        if let (Ok(name), Ok(value)) = (
            axum::http::HeaderName::try_from(k.as_str()),
            HeaderValue::from_bytes(&header_bytes(v)),
        ) {
            h.insert(name, value);
        }
    }
    if status == 200 || status == 304 {
        if let Ok(v) = HeaderValue::from_str(&etag) {
            h.insert("etag", v);
        }
    }
    r
}

/// Header values whose characters are all ≤ U+00FF are sent as those bytes (Latin-1), so a
/// fixture can send raw GBK or other non-UTF-8 header bytes; others are sent as UTF-8.
fn header_bytes(v: &str) -> Vec<u8> {
    if v.chars().all(|c| (c as u32) < 256) {
        v.chars().map(|c| c as u32 as u8).collect()
    } else {
        v.as_bytes().to_vec()
    }
}

fn etag(body: &Bytes) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut hasher);
    format!("\"{:016x}\"", hasher.finish())
}
