//! `nianbao doctor`: the config's cities → one [`CityCheck`] each, saying whether the city has
//! a working path to its reports and what to do about each failure. Per host: DNS, TCP (to the
//! proxy when one is used), the proxy, robots.txt; per city: the portal's HTTP status, each
//! report list's status and the report links it yields (with their years), and whether the
//! site search answers. Cities are checked in parallel; requests to one host wait for its
//! politeness slot, as in a crawl, and a host that gives no answer is asked nothing more.
//! Nothing is written. `probe` sends the requests; this file decides and words the verdicts.

mod probe;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::task::JoinSet;

use super::config::{CitySite, CrawlSettings};
use super::proxy::ProxyEnv;
use probe::Prober;

/// What `doctor` needs.
#[derive(Debug, Clone)]
pub struct DoctorOptions {
    /// `[crawl]` settings (user agent, politeness, proxies, per-host overrides).
    pub settings: CrawlSettings,
    /// The cities to check.
    pub cities: Vec<CitySite>,
    /// The proxy environment variables (see [`crate::Options::proxy_env`]).
    pub proxy_env: ProxyEnv,
    /// Upper bound on the connect and request timeouts of every probe (the config's own, when
    /// shorter, are kept), so that a host that never answers costs at most this.
    pub timeout: Duration,
}

/// The checks of every city, in the order given.
#[derive(Debug, Clone, Serialize)]
pub struct DoctorReport {
    /// True when every city has a working path to its reports.
    pub ok: bool,
    /// One entry per city.
    pub cities: Vec<CityCheck>,
}

/// One city's checks.
#[derive(Debug, Clone, Serialize)]
pub struct CityCheck {
    /// The city's name.
    pub city: String,
    /// `ok` (a working path to its reports), `unreachable` (no path, and a host gave no
    /// answer: a proxy is the likely fix) or `broken` (no path for another reason: the config
    /// needs a change).
    pub verdict: Verdict,
    /// The working paths: `list <url>` for a list that yields report links or sub-columns,
    /// `search` for a site search that finds reports.
    pub paths: Vec<String>,
    /// The hosts of the portal, the lists and the search.
    pub hosts: Vec<HostCheck>,
    /// The portal home page.
    pub portal: PageCheck,
    /// Each `report_lists` page.
    pub lists: Vec<ListCheck>,
    /// The site search, when `[city.search]` has one.
    pub search: Option<SearchCheck>,
    /// What to do about each failure, one sentence each.
    pub advice: Vec<String>,
}

/// A city's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// A working path to its reports.
    Ok,
    /// No working path, and a host gave no answer (a proxy is the likely fix).
    Unreachable,
    /// No working path for another reason (the config needs a change).
    Broken,
}

/// One host, as far as a connection goes.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HostCheck {
    /// The host name (or address).
    pub host: String,
    /// `ok: <addresses>`, `address` (an IP address needs no lookup), `by the proxy`, or
    /// `failed: <error>`.
    pub dns: String,
    /// `ok` or `failed: <error>`: a TCP connection to the host, or to its proxy.
    pub tcp: String,
    /// The proxy its requests go through (`direct (none)`, `http://***@proxy:3128 (config)`…).
    pub proxy: String,
    /// `ok`, `none (HTTP 404): all allowed`, `unreachable (…)` or `not asked` (the host gave
    /// no answer, or its `[[crawl.host]]` says robots = "ignore").
    pub robots: String,
    /// True when a request to the host got no answer at all (refused, timed out).
    pub no_answer: bool,
}

/// One GET.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PageCheck {
    /// The URL asked for.
    pub url: String,
    /// The HTTP status, when an answer came.
    pub status: Option<u16>,
    /// What went wrong (`timeout: …`, `connect: …`, `tls: …`, `robots: disallowed /x/`,
    /// `not tried: the host gave no answer`), or `None`.
    pub error: Option<String>,
}

/// One report list page.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ListCheck {
    /// The page's request.
    #[serde(flatten)]
    pub page: PageCheck,
    /// Report pages and attachments it links.
    pub reports: usize,
    /// The report years they name, sorted.
    pub years: Vec<u16>,
    /// Sub-columns it links (per body or per year), walked by a crawl.
    pub sub_columns: usize,
    /// Further pages of the list it links or announces.
    pub pages: usize,
}

/// The first result page of a site search.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchCheck {
    /// The request.
    #[serde(flatten)]
    pub page: PageCheck,
    /// The code sent.
    pub code: String,
    /// The data type sent.
    pub data_type_id: String,
    /// Results on the first page.
    pub hits: usize,
    /// The result count the platform announced.
    pub total: Option<u64>,
    /// Annual reports among the first page's results, on the city's allowed hosts.
    pub reports: usize,
    /// Their years, sorted.
    pub years: Vec<u16>,
}

/// Checks every city of `opts`, in parallel across cities.
pub async fn diagnose(opts: DoctorOptions) -> DoctorReport {
    let prober = Arc::new(Prober::new(&opts));
    let mut tasks = JoinSet::new();
    for (i, city) in opts.cities.iter().cloned().enumerate() {
        let p = Arc::clone(&prober);
        tasks.spawn(async move { (i, p.check_city(&city).await) });
    }
    let mut cities: Vec<(usize, CityCheck)> = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(done) => cities.push(done),
            Err(e) => tracing::error!("a doctor task failed: {e}"),
        }
    }
    cities.sort_by_key(|(i, _)| *i);
    let cities: Vec<CityCheck> = cities.into_iter().map(|(_, c)| c).collect();
    DoctorReport {
        ok: cities.len() == opts.cities.len() && cities.iter().all(|c| c.verdict == Verdict::Ok),
        cities,
    }
}

impl CityCheck {
    /// Decides the verdict and the advice once the probes are in.
    fn conclude(&mut self, city: &CitySite) {
        self.paths = self.working_paths();
        self.advice = self.advise(city);
        self.verdict = if !self.paths.is_empty() {
            Verdict::Ok
        } else if self.hosts.iter().any(|h| h.no_answer) {
            Verdict::Unreachable
        } else {
            Verdict::Broken
        };
    }

    fn working_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self
            .lists
            .iter()
            .filter(|l| {
                l.page.error.is_none() && l.page.status.is_some_and(|s| (200..300).contains(&s))
            })
            .filter(|l| l.reports > 0 || l.sub_columns > 0)
            .map(|l| format!("list {}", l.page.url))
            .collect();
        if self
            .search
            .as_ref()
            .is_some_and(|s| s.page.error.is_none() && s.reports > 0)
        {
            paths.push("search".into());
        }
        paths
    }

    /// One sentence per failure, saying what to do.
    fn advise(&self, city: &CitySite) -> Vec<String> {
        let mut out = Vec::new();
        for h in &self.hosts {
            out.extend(host_advice(h));
        }
        if let Some(s) = self.portal.status.filter(|s| !(200..400).contains(s)) {
            out.push(format!(
                "{}: the portal home page answers HTTP {s} (a crawl starts there when the lists \
                 and the search find nothing); check portal in the config",
                self.portal.url
            ));
        }
        for l in &self.lists {
            out.extend(list_advice(l, city.search.is_some()));
        }
        if let Some(s) = &self.search {
            out.extend(search_advice(s));
        }
        if city.report_lists.is_empty() && city.search.is_none() {
            out.push(format!(
                "{}: no report_lists and no [city.search]: a crawl can only walk the portal's home \
                 page; add the report column's list page to report_lists, or a [city.search]",
                city.name
            ));
        }
        out.sort();
        out.dedup();
        out
    }

    /// One line: the verdict, then hosts, portal, lists and search; then one `fix:` line per
    /// piece of advice.
    pub fn render(&self) -> String {
        let verdict = match self.verdict {
            Verdict::Ok => format!("OK ({})", self.paths.join(", ")),
            Verdict::Unreachable => "UNREACHABLE".into(),
            Verdict::Broken => "NO PATH".into(),
        };
        let mut parts = vec![format!("{}  {verdict}", self.city)];
        for h in &self.hosts {
            parts.push(format!(
                "{}: dns {}, tcp {}, proxy {}, robots.txt {}",
                h.host, h.dns, h.tcp, h.proxy, h.robots
            ));
        }
        parts.push(format!("portal {}", page_outcome(&self.portal)));
        for l in &self.lists {
            let mut s = format!("list {} {}", l.page.url, page_outcome(&l.page));
            if is_success(&l.page) {
                s.push_str(&format!(
                    ": {} report links{}, {} sub-columns",
                    l.reports,
                    years(&l.years),
                    l.sub_columns
                ));
                if l.pages > 0 {
                    s.push_str(&format!(", {} more pages", l.pages));
                }
            }
            parts.push(s);
        }
        if let Some(s) = &self.search {
            let mut text = format!("search (code {}) {}", s.code, page_outcome(&s.page));
            if is_success(&s.page) {
                text.push_str(&format!(
                    ": {} results{}, {} reports{}",
                    s.hits,
                    s.total.map_or(String::new(), |t| format!(" of {t}")),
                    s.reports,
                    years(&s.years)
                ));
            }
            parts.push(text);
        }
        let mut out = parts.join("  |  ");
        out.push('\n');
        for a in &self.advice {
            out.push_str(&format!("  fix: {a}\n"));
        }
        out
    }
}

impl DoctorReport {
    /// The whole report as text: a block per city, then one line with the count of cities
    /// that have a working path.
    pub fn render(&self) -> String {
        let mut out: String = self.cities.iter().map(CityCheck::render).collect();
        let ok = self
            .cities
            .iter()
            .filter(|c| c.verdict == Verdict::Ok)
            .count();
        out.push_str(&format!(
            "{ok} of {} cities have a working path to their reports\n",
            self.cities.len()
        ));
        out
    }

    /// True when no city is [`Verdict::Broken`] but some are [`Verdict::Unreachable`]: every
    /// city without a path lacks it because a host gave no answer.
    pub fn only_unreachable(&self) -> bool {
        !self.ok && self.cities.iter().all(|c| c.verdict != Verdict::Broken)
    }
}

/// An answer with a 2xx status (and nothing wrong with it).
fn is_success(p: &PageCheck) -> bool {
    p.error.is_none() && p.status.is_some_and(|s| (200..300).contains(&s))
}

fn page_outcome(p: &PageCheck) -> String {
    match (&p.error, p.status) {
        (Some(e), _) => e.clone(),
        (None, Some(s)) => format!("HTTP {s}"),
        (None, None) => "not asked".into(),
    }
}

fn years(ys: &[u16]) -> String {
    if ys.is_empty() {
        return String::new();
    }
    let list: Vec<String> = ys.iter().map(u16::to_string).collect();
    format!(" [{}]", list.join(" "))
}

fn host_advice(h: &HostCheck) -> Option<String> {
    let direct = h.proxy.starts_with("direct");
    if h.dns.starts_with("failed") {
        return Some(format!(
            "{}: the name does not resolve ({}): check the URL in the config (a portal that \
             moved: change portal, report_lists or [city.search] url)",
            h.host, h.dns
        ));
    }
    if !h.no_answer && !h.tcp.starts_with("failed") {
        return None;
    }
    let symptom = if h.tcp.starts_with("failed") {
        format!("no connection (tcp {})", h.tcp)
    } else {
        "accepts connections but never answers".to_string()
    };
    Some(if direct {
        format!(
            "{}: {symptom}: these portals drop connections from outside mainland China; set \
             a proxy there ([[crawl.host]] host = \"{}\" proxy = \"http://…\" or \
             \"socks5h://…\", [crawl] proxy, or HTTPS_PROXY/HTTP_PROXY)",
            h.host, h.host
        )
    } else {
        format!(
            "{}: {symptom} through the proxy {}: check that the proxy runs and reaches the site",
            h.host, h.proxy
        )
    })
}

fn list_advice(l: &ListCheck, has_search: bool) -> Option<String> {
    let url = &l.page.url;
    let fallback = if has_search {
        "meanwhile the [city.search] covers it"
    } else {
        "or add a [city.search]"
    };
    if let Some(e) = &l.page.error {
        if e.starts_with("robots") {
            return Some(format!(
                "{url}: robots.txt disallows it; ask the site, or set [[crawl.host]] robots = \
                 \"ignore\" with a reason"
            ));
        }
        if e.starts_with("tls") {
            return Some(format!(
                "{url}: TLS failed ({e}); keep tls_http_fallback = true, or set \
                 [[crawl.host]] accept_invalid_certs = true with a reason"
            ));
        }
        // Transport errors are advised on per host.
        return None;
    }
    match l.page.status {
        Some(s) if matches!(s, 404 | 410) => Some(format!(
            "{url}: HTTP {s}: the column moved; find its list page on the portal and put it in \
             report_lists (config only), {fallback}"
        )),
        Some(s) if matches!(s, 412 | 521) => Some(format!(
            "{url}: HTTP {s} anti-bot challenge: a crawl cannot pass it (see docs/crawl.md, \
             Known limits)"
        )),
        Some(s) if !(200..300).contains(&s) => Some(format!(
            "{url}: HTTP {s}: try again later, or check the URL in report_lists"
        )),
        Some(_) if l.reports == 0 && l.sub_columns == 0 => Some(format!(
            "{url}: the page links no report (a list rendered by script, or not the report \
             column); put the column's list page in report_lists, {fallback}"
        )),
        _ => None,
    }
}

fn search_advice(s: &SearchCheck) -> Option<String> {
    let url = &s.page.url;
    if let Some(e) = &s.page.error {
        if e.starts_with("not tried") || e.starts_with("timeout") || e.starts_with("connect") {
            return None;
        }
        return Some(format!(
            "{url}: the site search failed ({e}); check [city.search] url, code and data_type_id"
        ));
    }
    let origin = url::Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    if s.hits == 0 {
        return Some(format!(
            "{url}: the site search answered nothing with code {} and dataTypeId {}: the code \
             may be stale; the site's search page names its current code ({origin}/irs-search-json/site.json); \
             change [city.search] code and data_type_id",
            s.code, s.data_type_id
        ));
    }
    (s.reports == 0).then(|| {
        format!(
            "{url}: the site search answers, but its first page holds no annual report of the \
             city's hosts; check [city.search] query and the city's allowed_hosts"
        )
    })
}

/// The years named by links, sorted and without repeats.
fn sorted_years(years: impl Iterator<Item = Option<u16>>) -> Vec<u16> {
    years
        .flatten()
        .collect::<BTreeSet<u16>>()
        .into_iter()
        .collect()
}
