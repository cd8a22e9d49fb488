//! The requests `doctor` sends, one host slot at a time: per host a DNS lookup, a TCP
//! connection (to the proxy when the host has one) and robots.txt, each once per run; per
//! city the portal, each list (read with the crawl's own link discovery) and the first page of
//! the site search (read with the crawl's own search codec). A host that gives no answer is
//! asked nothing more.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::OnceCell;
use url::{Host, Url};

use super::{
    sorted_years, CityCheck, DoctorOptions, HostCheck, ListCheck, PageCheck, SearchCheck, Verdict,
};
use crate::config::{host_matches, CitySite, CrawlSettings, RobotsPolicy, SiteSearch};
use crate::discover::{discover, Page, PageKind};
use crate::fetch::{decode_content, send, Capture, Outgoing, Transport, TransportError};
use crate::hosts::Hosts;
use crate::robots::Robots;
use crate::search::{parse, report_link, request};
use crate::worker::{path_and_query, robots_from};

/// A host's connection checks and robots.txt rules, made once per run.
type HostOnce = Arc<OnceCell<(HostCheck, Robots)>>;

/// What `doctor` shares across its city tasks.
pub(super) struct Prober {
    settings: CrawlSettings,
    timeout: Duration,
    hosts: Hosts,
    /// Per host: its connection checks and robots.txt, made once.
    checked: Mutex<HashMap<String, HostOnce>>,
    /// Hosts that gave no answer: asked nothing more.
    dead: Mutex<HashSet<String>>,
}

impl Prober {
    /// A prober with the config's settings, every timeout capped at `opts.timeout`.
    pub(super) fn new(opts: &DoctorOptions) -> Prober {
        let mut settings = opts.settings.clone();
        let cap = u64::try_from(opts.timeout.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        settings.connect_timeout_ms = settings.connect_timeout_ms.min(cap);
        settings.request_timeout_ms = settings.request_timeout_ms.min(cap);
        Prober {
            hosts: Hosts::new(settings.clone(), opts.proxy_env.clone(), None),
            timeout: Duration::from_millis(settings.connect_timeout_ms),
            settings,
            checked: Mutex::new(HashMap::new()),
            dead: Mutex::new(HashSet::new()),
        }
    }

    /// Every check of one city, concluded.
    pub(super) async fn check_city(&self, city: &CitySite) -> CityCheck {
        let mut check = CityCheck {
            city: city.name.clone(),
            verdict: Verdict::Broken,
            paths: Vec::new(),
            hosts: Vec::new(),
            portal: PageCheck::default(),
            lists: Vec::new(),
            search: None,
            advice: Vec::new(),
        };
        check.portal = self.get(&city.portal).await.0;
        for list in &city.report_lists {
            check.lists.push(self.check_list(list).await);
        }
        if let Some(search) = &city.search {
            check.search = Some(self.check_search(city, search).await);
        }
        let urls = std::iter::once(&city.portal)
            .chain(&city.report_lists)
            .chain(city.search.as_ref().map(|s| &s.url));
        let mut seen = HashSet::new();
        for url in urls.filter_map(|u| Url::parse(u).ok()) {
            let host = host_of(&url);
            if seen.insert(host.clone()) {
                let mut h = self.host(&url).await.0;
                h.no_answer = self.is_dead(&host);
                check.hosts.push(h);
            }
        }
        check.conclude(city);
        check
    }

    /// A list page and the links a crawl would take from it.
    async fn check_list(&self, url: &str) -> ListCheck {
        let (page, cap) = self.get(url).await;
        let mut check = ListCheck {
            page,
            ..ListCheck::default()
        };
        let Some(cap) = cap.filter(|c| c.status.is_success()) else {
            return check;
        };
        let Ok(payload) = decode_content(
            &cap.body,
            cap.header("content-encoding"),
            self.settings.max_decoded_bytes,
        ) else {
            return check;
        };
        let text =
            nianbao_parser::decode::decode_html(&payload, cap.http_charset().as_deref()).text;
        let links = discover(
            &text,
            &Page {
                url: &cap.url,
                kind: PageKind::List,
                year: None,
                body: None,
                max_list_pages: self.settings.max_list_pages,
            },
        );
        let reports = links
            .iter()
            .filter(|l| matches!(l.kind, PageKind::Report | PageKind::Attachment));
        check.reports = reports.clone().count();
        check.years = sorted_years(reports.map(|l| l.year));
        let lists = links.iter().filter(|l| l.kind == PageKind::List);
        check.sub_columns = lists.clone().filter(|l| !l.same_level).count();
        check.pages = lists.filter(|l| l.same_level).count();
        check
    }

    /// The first result page of the city's site search.
    async fn check_search(&self, city: &CitySite, search: &SiteSearch) -> SearchCheck {
        let mut check = SearchCheck {
            page: PageCheck {
                url: search.url.clone(),
                ..PageCheck::default()
            },
            code: search.code.clone(),
            data_type_id: search.data_type_id.clone(),
            ..SearchCheck::default()
        };
        let Ok(url) = Url::parse(&search.url) else {
            check.page.error = Some("not a URL".into());
            return check;
        };
        let (page, cap) = self.fetch(&request(search, &url, 1)).await;
        check.page = page;
        let Some(cap) = cap.filter(|c| c.status.is_success()) else {
            return check;
        };
        let answer = decode_content(
            &cap.body,
            cap.header("content-encoding"),
            self.settings.max_decoded_bytes,
        )
        .and_then(|body| parse(search.kind, &body));
        let answer = match answer {
            Ok(a) => a,
            Err(why) => {
                check.page.error = Some(format!("not the platform's answer: {why}"));
                return check;
            }
        };
        let mut patterns = city.host_patterns();
        patterns.extend(
            self.settings
                .allowed_hosts
                .iter()
                .map(|h| h.to_ascii_lowercase()),
        );
        let reports: Vec<_> = answer
            .hits
            .iter()
            .filter_map(|h| report_link(h, &url))
            .filter(|l| {
                l.url
                    .host_str()
                    .is_some_and(|h| patterns.iter().any(|p| host_matches(p, h)))
            })
            .collect();
        check.hits = answer.hits.len();
        check.total = answer.total;
        check.reports = reports.len();
        check.years = sorted_years(reports.iter().map(|l| l.year));
        check
    }

    /// A GET of `url`, when robots.txt allows it.
    async fn get(&self, url: &str) -> (PageCheck, Option<Capture>) {
        match Url::parse(url) {
            Ok(u) => self.fetch(&Outgoing::get(&u, &[])).await,
            Err(e) => (
                PageCheck {
                    url: url.to_string(),
                    status: None,
                    error: Some(format!("not a URL: {e}")),
                },
                None,
            ),
        }
    }

    /// One request of a page (not robots.txt): skipped when its host gave no answer or
    /// robots.txt disallows it.
    async fn fetch(&self, req: &Outgoing) -> (PageCheck, Option<Capture>) {
        let mut check = PageCheck {
            url: req.url.to_string(),
            ..PageCheck::default()
        };
        let (_, robots) = self.host(&req.url).await;
        let host = host_of(&req.url);
        if self.is_dead(&host) {
            check.error = Some("not tried: the host gave no answer".into());
            return (check, None);
        }
        if !robots.allowed(&path_and_query(&req.url)) {
            check.error = Some(match robots.unreachable_cause() {
                Some(why) => {
                    format!("robots.txt unreachable ({why}): a crawl fetches nothing there")
                }
                None => format!("robots: disallowed {}", req.url.path()),
            });
            return (check, None);
        }
        match self.send(req).await {
            Ok(cap) => {
                check.status = Some(cap.status.as_u16());
                (check, Some(cap))
            }
            Err(e) => {
                check.error = Some(format!("{}: {}", e.kind.as_str(), e.message));
                (check, None)
            }
        }
    }

    /// One request under the host's slot; no answer marks the host dead.
    async fn send(&self, req: &Outgoing) -> Result<Capture, TransportError> {
        let host = host_of(&req.url);
        let slot = self.hosts.slot(&host);
        let permit = slot.acquire().await;
        let client = self.hosts.client_for(&host)?;
        let s = &self.settings;
        let result = send(&client, &s.user_agent, req, s.max_body_bytes).await;
        drop(permit);
        if let Err(e) = &result {
            if e.kind.is_no_answer() {
                self.dead
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(host);
            }
        }
        result
    }

    fn is_dead(&self, host: &str) -> bool {
        self.dead
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(host)
    }

    /// The connection checks and robots.txt of `url`'s host, made once.
    async fn host(&self, url: &Url) -> (HostCheck, Robots) {
        let host = host_of(url);
        let cell = Arc::clone(
            self.checked
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(host.clone())
                .or_default(),
        );
        cell.get_or_init(|| self.check_host(url, host))
            .await
            .clone()
    }

    async fn check_host(&self, url: &Url, host: String) -> (HostCheck, Robots) {
        let route = self.hosts.route(&host);
        let proxy = if url.scheme() == "https" {
            &route.https
        } else {
            &route.http
        };
        let mut check = HostCheck {
            host: host.clone(),
            proxy: route.describe(),
            ..HostCheck::default()
        };
        let target = match proxy {
            Some(p) => {
                check.dns = "by the proxy".into();
                self.resolve(p).await.map_err(|e| format!("the proxy: {e}"))
            }
            None => {
                let resolved = self.resolve(url).await;
                check.dns = match (&resolved, url.host()) {
                    (Ok(_), Some(Host::Ipv4(_) | Host::Ipv6(_))) => "address".into(),
                    (Ok(addrs), _) => format!(
                        "ok: {}",
                        addrs
                            .iter()
                            .map(|a| a.ip().to_string())
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                    (Err(e), _) => format!("failed: {e}"),
                };
                resolved
            }
        };
        check.tcp = match target {
            Ok(addrs) => self.connect(&addrs).await,
            Err(e) => format!("failed: {e}"),
        };
        if check.tcp.starts_with("failed") || check.dns.starts_with("failed") {
            self.dead
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(host.clone());
            check.robots = "not asked".into();
            return (check, Robots::allow_all());
        }
        if self.settings.robots_for(&host) == RobotsPolicy::Ignore {
            check.robots = "not asked (robots = \"ignore\" for this host)".into();
            return (check, Robots::allow_all());
        }
        let (verdict, robots) = self.robots(url).await;
        check.robots = verdict;
        (check, robots)
    }

    /// robots.txt of `url`'s host: (what it says, the rules).
    async fn robots(&self, url: &Url) -> (String, Robots) {
        let Ok(robots_url) = url.join("/robots.txt") else {
            return ("not asked".into(), Robots::allow_all());
        };
        match self.send(&Outgoing::get(&robots_url, &[])).await {
            Ok(cap) => {
                let code = cap.status.as_u16();
                let text = decode_content(&cap.body, cap.header("content-encoding"), 512 * 1024)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                let verdict = match code {
                    200..=299 => "ok".to_string(),
                    500..=599 => {
                        format!("unreachable (HTTP {code}): a crawl fetches nothing there this run")
                    }
                    _ => format!("none (HTTP {code}): all allowed"),
                };
                (verdict, robots_from(code, &text, "nianbao"))
            }
            Err(e) if e.kind == Transport::Timeout || e.kind == Transport::Connect => (
                format!("no answer ({})", e.kind.as_str()),
                Robots::unreachable(e.kind.as_str().to_string()),
            ),
            Err(e) => (
                format!("failed ({}: {})", e.kind.as_str(), e.message),
                Robots::unreachable(e.kind.as_str().to_string()),
            ),
        }
    }

    /// The socket addresses of a URL's host and port (its scheme's default port).
    async fn resolve(&self, url: &Url) -> Result<Vec<SocketAddr>, String> {
        let host = url
            .host_str()
            .ok_or("no host")?
            .trim_matches(['[', ']'])
            .to_string();
        let port = url
            .port_or_known_default()
            .unwrap_or(if url.scheme().starts_with("socks") {
                1080
            } else {
                80
            });
        let lookup =
            tokio::time::timeout(self.timeout, tokio::net::lookup_host((host.as_str(), port)))
                .await
                .map(|r| r.map(|addrs| addrs.collect::<Vec<SocketAddr>>()));
        match lookup {
            Ok(Ok(addrs)) => {
                if addrs.is_empty() {
                    Err(format!("{host} has no address"))
                } else {
                    Ok(addrs)
                }
            }
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!(
                "lookup timed out after {} ms",
                self.timeout.as_millis()
            )),
        }
    }

    /// `ok`, or `failed: …` for a TCP connection to the first address.
    async fn connect(&self, addrs: &[SocketAddr]) -> String {
        let Some(addr) = addrs.first() else {
            return "failed: no address".into();
        };
        match tokio::time::timeout(self.timeout, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(_)) => "ok".into(),
            Ok(Err(e)) => format!("failed: {addr}: {e}"),
            Err(_) => format!(
                "failed: {addr}: timed out after {} ms",
                self.timeout.as_millis()
            ),
        }
    }
}

fn host_of(url: &Url) -> String {
    crate::frontier::host_key(url).unwrap_or_default()
}
