//! TOML file → [`Config`]: the cities to harvest and the crawl's politeness settings, typed and
//! validated at load. Every error names the file and the key. No network.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use url::Url;

pub use super::proxy::ProxySetting;

/// A config file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}: {source} (pass another with --config FILE, or leave --config out for the built-in 广西 config)")]
    Read {
        /// The config file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML, or has an unknown key or a value of the wrong type. One
    /// line: the TOML error's own text quotes the file around the place, over several lines.
    #[error("config {path}: line {line}, column {column}: {message}")]
    Parse {
        /// The config file.
        path: PathBuf,
        /// The line of the error (from 1).
        line: usize,
        /// The column of the error (from 1, in characters).
        column: usize,
        /// What is wrong, as the TOML parser says it (names the key).
        message: String,
    },
    /// The file parsed, but a value breaks a rule checked at load.
    #[error("config {path}: key `{key}`: {message}")]
    Invalid {
        /// The config file.
        path: PathBuf,
        /// The offending key, with its index where it is in an array (`city[3].adcode`).
        key: String,
        /// What is wrong with the value (`must be six digits (GB/T 2260)`).
        message: String,
    },
}

/// What to do about robots.txt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum RobotsPolicy {
    /// Fetch `/robots.txt` per host and skip disallowed URLs (default).
    #[default]
    Obey,
    /// Do not fetch robots.txt. Allowed only as a per-host override, and logged.
    Ignore,
}

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `[crawl]`: politeness and limits (all defaults when the table is absent).
    #[serde(default)]
    pub crawl: CrawlSettings,
    /// `[census]`: the source of the `population_2020` figures, if given.
    #[serde(default)]
    pub census: Option<Census>,
    /// The `[[city]]` entries, in file order.
    #[serde(default, rename = "city")]
    pub cities: Vec<CitySite>,
}

/// Where the population figures come from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Census {
    /// The publication the figures come from (e.g. a census communiqué); shown with each
    /// city's population as its source.
    pub source: String,
    /// Who published it (e.g. the provincial statistics bureau).
    pub publisher: String,
    /// When it was published, as written in the config (e.g. `2021-05`).
    pub published: String,
    /// The published total population of the region; must be > 0.
    pub total: u64,
}

/// `[crawl]`: politeness and limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrawlSettings {
    /// User-Agent of every request; names the tool and a contact URL. Must not be empty.
    pub user_agent: String,
    /// Hard cap on requests in flight to one host (default 1, at least 1).
    pub per_host_concurrency: usize,
    /// Minimum time between request starts on one host, in ms (default 2000).
    pub delay_ms: u64,
    /// Adapt each host's delay to its latency (Scrapy's AutoThrottle rule; default true).
    pub autothrottle: bool,
    /// Upper bound of the adaptive delay, in ms (default 60 000).
    pub autothrottle_max_delay_ms: u64,
    /// AutoThrottle's target delay is latency / this (default 1.0, must be > 0).
    pub autothrottle_target_concurrency: f64,
    /// TCP + TLS connect timeout, in ms (default 15 000, must be > 0).
    pub connect_timeout_ms: u64,
    /// Whole-request timeout, body included, in ms (default 120 000, must be > 0).
    pub request_timeout_ms: u64,
    /// Retries after retryable statuses and transport errors (default 2: at most three
    /// requests per URL).
    pub retries: u32,
    /// First back-off before a retry, in ms (default 2000); doubles on each attempt, with
    /// ×[0.5, 1.5) jitter.
    pub backoff_base_ms: u64,
    /// Cap on the back-off and on a `Retry-After` wait, in ms (default 120 000).
    pub backoff_max_ms: u64,
    /// How long a host is paused after a 412/521 anti-bot challenge, in ms (default 600 000).
    pub blocked_backoff_ms: u64,
    /// After this many challenges, the host's queued URLs are marked blocked (default 3).
    pub blocked_host_limit: u32,
    /// Body cap in bytes as sent, enforced while streaming (default 64 MiB, must be > 0).
    pub max_body_bytes: u64,
    /// Cap in bytes on gzip/deflate output, against compression bombs (default 128 MiB,
    /// must be > 0).
    pub max_decoded_bytes: u64,
    /// Redirects followed per URL (default 5); every hop must be allowed.
    pub max_redirects: usize,
    /// Pages generated from one pagination script (default 50).
    pub max_list_pages: usize,
    /// Link depth for sub-columns and the home-page search (default 3).
    pub discovery_depth: u32,
    /// URL budget per city (default 2000); links beyond it are dropped.
    pub max_urls_per_city: usize,
    /// robots.txt policy (default obey); `ignore` is rejected here, allowed only per host.
    pub robots: RobotsPolicy,
    /// On a TLS failure, try the `http://` variant of the URL once, logged (default true).
    pub tls_http_fallback: bool,
    /// Hosts or `*.domain` patterns that every city may visit (default none).
    pub allowed_hosts: Vec<String>,
    /// Size in bytes after which a new WARC file is started (default 1 GiB).
    pub warc_max_bytes: u64,
    /// `[[crawl.host]]`: per-host overrides (default none).
    #[serde(rename = "host")]
    pub hosts: Vec<HostOverride>,
    /// `proxy`: `"env"` (the default: `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` /
    /// `NO_PROXY`), `"none"` (direct, environment ignored), or an `http://`, `https://`,
    /// `socks5://` or `socks5h://` URL used for every host (see `crate::proxy`).
    pub proxy: Option<ProxySetting>,
    /// After this many requests in a row to one host got no answer at all (connect refused,
    /// connect or response timeout), the host is unreachable for this run: its URLs stay
    /// pending for the next run (default 3, at least 1).
    pub unreachable_after: u32,
}

impl Default for CrawlSettings {
    fn default() -> Self {
        CrawlSettings {
            user_agent:
                "nianbao/0.1 (+https://github.com/nianbao/nianbao; annual-report harvester)".into(),
            per_host_concurrency: 1,
            delay_ms: 2000,
            autothrottle: true,
            autothrottle_max_delay_ms: 60_000,
            autothrottle_target_concurrency: 1.0,
            connect_timeout_ms: 15_000,
            request_timeout_ms: 120_000,
            retries: 2,
            backoff_base_ms: 2000,
            backoff_max_ms: 120_000,
            blocked_backoff_ms: 600_000,
            blocked_host_limit: 3,
            max_body_bytes: 64 << 20,
            max_decoded_bytes: 128 << 20,
            max_redirects: 5,
            max_list_pages: 50,
            discovery_depth: 3,
            max_urls_per_city: 2000,
            robots: RobotsPolicy::Obey,
            tls_http_fallback: true,
            allowed_hosts: Vec::new(),
            warc_max_bytes: 1 << 30,
            hosts: Vec::new(),
            proxy: None,
            unreachable_after: 3,
        }
    }
}

/// `[[crawl.host]]`: settings for one host that differ from `[crawl]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostOverride {
    /// The hostname it applies to (exact, case-insensitive; no patterns). Must not be empty.
    pub host: String,
    /// robots.txt policy for this host; `ignore` needs a `reason`.
    pub robots: Option<RobotsPolicy>,
    /// Overrides `[crawl]` `per_host_concurrency` for this host (at least 1).
    pub per_host_concurrency: Option<usize>,
    /// Overrides `[crawl]` `delay_ms` (ms between request starts) for this host.
    pub delay_ms: Option<u64>,
    /// Turns TLS certificate checks off for this host only, with a warning at start
    /// (default false).
    #[serde(default)]
    pub accept_invalid_certs: bool,
    /// Why the override exists; logged when it is applied.
    pub reason: Option<String>,
    /// Overrides `[crawl]` `proxy` for this host: `"env"`, `"none"` or a proxy URL.
    pub proxy: Option<ProxySetting>,
}

/// `[[city]]`: one prefecture-level city.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CitySite {
    /// City name, non-empty and unique (used by `--city`, in the archive and the summary).
    pub name: String,
    /// GB/T 2260 administrative division code, six digits.
    pub adcode: String,
    /// The portal's home page, an http(s) URL: the start of the fallback search.
    pub portal: String,
    /// List pages of the annual-report column, http(s) URLs (default none: the crawl starts
    /// from `portal`).
    #[serde(default)]
    pub report_lists: Vec<String>,
    /// True when `report_lists` are unverified guesses.
    #[serde(default)]
    pub guess: bool,
    /// Population at the 2020 census (source: `[census]`), if known.
    pub population_2020: Option<u64>,
    /// Extra hosts (or `*.suffix` patterns) this city's crawl may visit.
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    /// `[city.search]`: the portal's site search, the fallback for the report years the
    /// column walk does not find (default none).
    pub search: Option<SiteSearch>,
}

/// `[city.search]`: how to ask the portal's own site search for its annual reports.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSearch {
    /// The search platform, which decides the request and the answer's shape.
    pub kind: SearchKind,
    /// The search endpoint, an http(s) URL (TRS IRS: `http://<portal host>/irs/front/search`).
    pub url: String,
    /// The site's search code (TRS IRS `code`, e.g. `181aedaa74b`). Must not be empty.
    #[serde(deserialize_with = "string_or_number")]
    pub code: String,
    /// The data type searched (TRS IRS `dataTypeId`, e.g. `5723`); a string or a number.
    #[serde(deserialize_with = "string_or_number")]
    pub data_type_id: String,
    /// The search words (default [`DEFAULT_SEARCH_QUERY`]). Must not be empty.
    #[serde(default = "default_search_query")]
    pub query: String,
}

/// The search words sent when `[city.search]` gives no `query`.
pub const DEFAULT_SEARCH_QUERY: &str = "政府信息公开工作年度报告";

fn default_search_query() -> String {
    DEFAULT_SEARCH_QUERY.to_string()
}

/// A site-search platform. Only TRS IRS for now; 南宁's 开普云 search
/// (`api.so-gov.cn/query/s`, a form POST) would be another variant with its own request and
/// answer (see `crate::search`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum SearchKind {
    /// `trs-irs`: the TRS 智能检索 (IRS) JSON endpoint `POST /irs/front/search` of the shared
    /// Guangxi cluster and of 柳州 and 桂林.
    #[serde(rename = "trs-irs")]
    TrsIrs,
}

impl SearchKind {
    /// The name written in the config (`trs-irs`), also recorded in the crawl state.
    pub fn as_str(self) -> &'static str {
        match self {
            SearchKind::TrsIrs => "trs-irs",
        }
    }
}

/// A TOML string, or an integer read as its digits (`data_type_id = 5723`).
fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Text(String),
        Number(i64),
    }
    Ok(match Either::deserialize(d)? {
        Either::Text(s) => s,
        Either::Number(n) => n.to_string(),
    })
}

impl Config {
    /// Reads, parses and validates a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::from_toml(&text, path)
    }

    /// Parses and validates TOML text; `path` is used in error messages only.
    pub fn from_toml(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start).min(text.len());
            let before = text.get(..at).unwrap_or(text);
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            ConfigError::Parse {
                path: path.to_path_buf(),
                line: before.matches('\n').count() + 1,
                column: before[line_start..].chars().count() + 1,
                message: e.message().trim().to_string(),
            }
        })?;
        config.validate(path)?;
        Ok(config)
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let bad = |key: String, message: &str| ConfigError::Invalid {
            path: path.to_path_buf(),
            key,
            message: message.to_string(),
        };
        let c = &self.crawl;
        if c.user_agent.trim().is_empty() {
            return Err(bad("crawl.user_agent".into(), "must not be empty"));
        }
        if c.per_host_concurrency == 0 {
            return Err(bad(
                "crawl.per_host_concurrency".into(),
                "must be at least 1",
            ));
        }
        if c.autothrottle_target_concurrency.is_nan() || c.autothrottle_target_concurrency <= 0.0 {
            return Err(bad(
                "crawl.autothrottle_target_concurrency".into(),
                "must be > 0",
            ));
        }
        if c.max_body_bytes == 0 || c.max_decoded_bytes == 0 {
            return Err(bad("crawl.max_body_bytes".into(), "caps must be > 0"));
        }
        if c.request_timeout_ms == 0 || c.connect_timeout_ms == 0 {
            return Err(bad(
                "crawl.request_timeout_ms".into(),
                "timeouts must be > 0",
            ));
        }
        if c.unreachable_after == 0 {
            return Err(bad("crawl.unreachable_after".into(), "must be at least 1"));
        }
        if let Some(ProxySetting::Invalid(why)) = &c.proxy {
            return Err(bad("crawl.proxy".into(), why));
        }
        for (i, h) in c.hosts.iter().enumerate() {
            if let Some(ProxySetting::Invalid(why)) = &h.proxy {
                return Err(bad(format!("crawl.host[{i}].proxy"), why));
            }
        }
        if c.robots == RobotsPolicy::Ignore {
            return Err(bad(
                "crawl.robots".into(),
                "\"ignore\" is only allowed per host in [[crawl.host]], with a reason",
            ));
        }
        for (i, h) in c.hosts.iter().enumerate() {
            if h.host.trim().is_empty() {
                return Err(bad(format!("crawl.host[{i}].host"), "must not be empty"));
            }
            if h.per_host_concurrency == Some(0) {
                return Err(bad(
                    format!("crawl.host[{i}].per_host_concurrency"),
                    "must be at least 1",
                ));
            }
            if h.robots == Some(RobotsPolicy::Ignore) && h.reason.is_none() {
                return Err(bad(
                    format!("crawl.host[{i}].reason"),
                    "robots = \"ignore\" needs a reason",
                ));
            }
        }
        let mut names = BTreeSet::new();
        for (i, city) in self.cities.iter().enumerate() {
            if city.name.trim().is_empty() || !names.insert(city.name.clone()) {
                return Err(bad(
                    format!("city[{i}].name"),
                    "must be non-empty and unique",
                ));
            }
            if city.adcode.len() != 6 || !city.adcode.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad(
                    format!("city[{i}].adcode"),
                    "must be six digits (GB/T 2260)",
                ));
            }
            check_url(&city.portal).map_err(|m| bad(format!("city[{i}].portal"), &m))?;
            for (j, list) in city.report_lists.iter().enumerate() {
                check_url(list).map_err(|m| bad(format!("city[{i}].report_lists[{j}]"), &m))?;
            }
            if let Some(search) = &city.search {
                search
                    .check()
                    .map_err(|(key, m)| bad(format!("city[{i}].search.{key}"), &m))?;
            }
        }
        if let Some(census) = &self.census {
            if census.total == 0 {
                return Err(bad("census.total".into(), "must be > 0"));
            }
        }
        Ok(())
    }

    /// The cities as the tables compare them: name, adcode, 2020 population and its source
    /// (the `[census]` table's `source`).
    pub fn cities(&self) -> Vec<nianbao_model::City> {
        let source = self.census.as_ref().map(|c| c.source.clone());
        self.cities
            .iter()
            .map(|c| nianbao_model::City {
                name: c.name.clone(),
                adcode: c.adcode.clone(),
                population: c.population_2020,
                population_source: c.population_2020.and(source.clone()),
            })
            .collect()
    }

    /// The cities selected by name (all when `names` is empty), in the order of `names`. A
    /// name matches a city's name, its name without the trailing 市, or its adcode. Unknown
    /// names are an error message listing the known ones.
    pub fn select_cities(&self, names: &[String]) -> Result<Vec<CitySite>, String> {
        if names.is_empty() {
            return Ok(self.cities.clone());
        }
        names
            .iter()
            .map(|n| {
                self.cities
                    .iter()
                    .find(|c| &c.name == n || c.name.trim_end_matches('市') == n || &c.adcode == n)
                    .cloned()
                    .ok_or_else(|| {
                        let known: Vec<&str> =
                            self.cities.iter().map(|c| c.name.as_str()).collect();
                        format!("unknown city {n:?}; known: {}", known.join(", "))
                    })
            })
            .collect()
    }
}

impl SiteSearch {
    /// The rules checked at load: an http(s) URL, a code and a data type without spaces, and
    /// search words. The error is (key, message).
    fn check(&self) -> Result<(), (&'static str, String)> {
        check_url(&self.url).map_err(|m| ("url", m))?;
        for (key, value) in [("code", &self.code), ("data_type_id", &self.data_type_id)] {
            if value.trim().is_empty() || value.chars().any(char::is_whitespace) {
                return Err((
                    key,
                    format!("must be a non-empty value without spaces: {value:?}"),
                ));
            }
        }
        if self.query.trim().is_empty() {
            return Err(("query", "must not be empty".into()));
        }
        Ok(())
    }
}

fn check_url(s: &str) -> Result<(), String> {
    let url = Url::parse(s).map_err(|e| format!("not a URL ({e}): {s}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!("must be an http(s) URL with a host: {s}"));
    }
    Ok(())
}

impl CrawlSettings {
    /// The override for `host`, if any.
    pub fn host_override(&self, host: &str) -> Option<&HostOverride> {
        self.hosts
            .iter()
            .find(|h| h.host.eq_ignore_ascii_case(host))
    }

    /// The in-flight cap for `host`: its override, else `per_host_concurrency`.
    pub fn concurrency_for(&self, host: &str) -> usize {
        self.host_override(host)
            .and_then(|h| h.per_host_concurrency)
            .unwrap_or(self.per_host_concurrency)
    }

    /// The minimum spacing between request starts on `host`: its override's `delay_ms`,
    /// else `[crawl]` `delay_ms`.
    pub fn delay_for(&self, host: &str) -> Duration {
        Duration::from_millis(
            self.host_override(host)
                .and_then(|h| h.delay_ms)
                .unwrap_or(self.delay_ms),
        )
    }

    /// The `proxy` override for `host`, if its `[[crawl.host]]` sets one.
    pub fn proxy_override(&self, host: &str) -> Option<&ProxySetting> {
        self.host_override(host).and_then(|h| h.proxy.as_ref())
    }

    /// The robots.txt policy for `host`: its override, else `[crawl]` `robots`.
    pub fn robots_for(&self, host: &str) -> RobotsPolicy {
        self.host_override(host)
            .and_then(|h| h.robots)
            .unwrap_or(self.robots)
    }
}

impl CitySite {
    /// Host patterns this city may visit: its portal, its list pages, its search endpoint,
    /// and `allowed_hosts`.
    pub fn host_patterns(&self) -> Vec<String> {
        let mut out: Vec<String> = std::iter::once(&self.portal)
            .chain(&self.report_lists)
            .chain(self.search.as_ref().map(|s| &s.url))
            .filter_map(|u| Url::parse(u).ok()?.host_str().map(str::to_ascii_lowercase))
            .collect();
        // The portal's own domain (www.x.gov.cn → *.x.gov.cn): redirects to x.gov.cn and
        // department sub-sites stay reachable.
        if let Some(domain) = out.first().and_then(|h| h.strip_prefix("www.")) {
            if domain.contains('.') {
                out.push(format!("*.{domain}"));
            }
        }
        out.extend(self.allowed_hosts.iter().map(|h| h.to_ascii_lowercase()));
        out.sort();
        out.dedup();
        out
    }
}

/// True when `host` matches `pattern` (`example.gov.cn` exactly, or `*.example.gov.cn` for the
/// domain and any subdomain of it).
pub fn host_matches(pattern: &str, host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(suffix) => host == suffix || host.ends_with(&format!(".{suffix}")),
        None => pattern.eq_ignore_ascii_case(&host),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Config, ConfigError> {
        Config::from_toml(text, Path::new("test.toml"))
    }

    #[test]
    fn errors_name_the_key_and_the_file() {
        let err = load("[crawl]\nper_host_concurrency = 0\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("crawl.per_host_concurrency") && err.contains("test.toml"),
            "{err}"
        );
        let err = load("[[city]]\nname='a'\nadcode='12'\nportal='http://a.cn/'\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("city[0].adcode"), "{err}");
    }

    #[test]
    fn a_toml_error_is_one_line_with_its_place() {
        let err = load("[crawl]\ndelay_ms = 5\nx=\n").unwrap_err().to_string();
        assert!(!err.contains('\n'), "{err}");
        assert!(
            err.starts_with("config test.toml: line 3, column 3: "),
            "{err}"
        );
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = load("[crawl]\ndelay = 3\n").unwrap_err().to_string();
        assert!(err.contains("delay"), "{err}");
    }

    #[test]
    fn robots_ignore_is_per_host_only() {
        assert!(load("[crawl]\nrobots = 'ignore'\n").is_err());
        let ok =
            load("[[crawl.host]]\nhost='a.cn'\nrobots='ignore'\nreason='owner agreed'\n").unwrap();
        assert_eq!(ok.crawl.robots_for("A.cn"), RobotsPolicy::Ignore);
    }

    #[test]
    fn a_city_may_visit_its_portal_domain_and_list_hosts() {
        let c = load("[[city]]\nname='南宁市'\nadcode='450100'\nportal='http://www.nanning.gov.cn/'\nreport_lists=['http://sp.nn.cn/x/']\n").unwrap();
        let p = c.cities[0].host_patterns();
        assert_eq!(p, ["*.nanning.gov.cn", "sp.nn.cn", "www.nanning.gov.cn"]);
    }

    const CITY: &str =
        "[[city]]\nname='贵港市'\nadcode='450800'\nportal='http://www.gxgg.gov.cn/'\n";

    #[test]
    fn a_site_search_is_read_as_the_issue_writes_it_with_the_default_query() {
        let c = load(&format!(
            "{CITY}[city.search]\nkind = \"trs-irs\"\nurl = \"http://www.gxgg.gov.cn/irs/front/search\"\n\
             code = \"181aedaa74b\"\ndata_type_id = \"5723\"\n"
        ))
        .unwrap();
        let s = c.cities[0].search.as_ref().unwrap();
        assert_eq!(s.kind, SearchKind::TrsIrs);
        assert_eq!(
            (s.code.as_str(), s.data_type_id.as_str()),
            ("181aedaa74b", "5723")
        );
        assert_eq!(s.query, DEFAULT_SEARCH_QUERY);
        // A number is read as its digits.
        let c = load(&format!(
            "{CITY}[city.search]\nkind='trs-irs'\nurl='http://x.cn/s'\ncode='a'\ndata_type_id=54\nquery='年报'\n"
        ))
        .unwrap();
        let s = c.cities[0].search.as_ref().unwrap();
        assert_eq!((s.data_type_id.as_str(), s.query.as_str()), ("54", "年报"));
        assert!(c.cities[0].host_patterns().contains(&"x.cn".to_string()));
    }

    #[test]
    fn a_bad_site_search_is_refused_at_load_naming_its_key() {
        let search = |body: &str| {
            load(&format!("{CITY}[city.search]\n{body}\n"))
                .unwrap_err()
                .to_string()
        };
        let err = search("kind='kaipu'\nurl='http://x.cn/s'\ncode='a'\ndata_type_id='1'");
        assert!(err.contains("kaipu") && err.contains("trs-irs"), "{err}");
        let err = search("kind='trs-irs'\nurl='ftp://x.cn/s'\ncode='a'\ndata_type_id='1'");
        assert!(err.contains("city[0].search.url"), "{err}");
        let err = search("kind='trs-irs'\nurl='http://x.cn/s'\ncode=' '\ndata_type_id='1'");
        assert!(err.contains("city[0].search.code"), "{err}");
        let err = search("kind='trs-irs'\nurl='http://x.cn/s'\ncode='a'");
        assert!(err.contains("data_type_id"), "{err}");
        let err =
            search("kind='trs-irs'\nurl='http://x.cn/s'\ncode='a'\ndata_type_id='1'\nquery=''");
        assert!(err.contains("city[0].search.query"), "{err}");
        let err =
            search("kind='trs-irs'\nurl='http://x.cn/s'\ncode='a'\ndata_type_id='1'\npage_size=5");
        assert!(err.contains("page_size"), "{err}");
    }

    #[test]
    fn wildcard_host_patterns_match_subdomains_only_of_that_domain() {
        assert!(host_matches("*.nanning.gov.cn", "sp.nanning.gov.cn"));
        assert!(host_matches("*.nanning.gov.cn", "nanning.gov.cn"));
        assert!(!host_matches("*.nanning.gov.cn", "evilnanning.gov.cn"));
        assert!(!host_matches("www.nanning.gov.cn", "sp.nanning.gov.cn"));
    }
}
