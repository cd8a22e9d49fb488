//! Which proxy a host's requests go through: the `proxy` keys of `[crawl]` and
//! `[[crawl.host]]`, else the standard environment variables; and how a proxy is shown in logs
//! and the summary (credentials masked). Pure: the environment is passed in as a
//! [`ProxyEnv`], read once by the caller.
//!
//! The rule, most specific first:
//! 1. `[[crawl.host]] proxy` for that host;
//! 2. `[crawl] proxy`;
//! 3. when neither is set, or the value is `"env"`: `HTTPS_PROXY` (for https:// URLs),
//!    `HTTP_PROXY` (for http:// URLs), `ALL_PROXY` (for both when the scheme's own variable is
//!    unset), each also in lower case, and hosts listed in `NO_PROXY` go direct.
//!
//! `"none"` means direct connections, environment ignored; a URL (`http://`, `https://`,
//! `socks5://`, `socks5h://`) means that proxy for every request of the host, `NO_PROXY`
//! ignored.

use url::Url;

/// A `proxy` value from the config, checked at load. Its `Debug` masks credentials.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum ProxySetting {
    /// `"env"` (or the key left out): the environment variables decide.
    Env,
    /// `"none"`: direct connections; the environment is ignored.
    Direct,
    /// One proxy for every request.
    Url(Url),
    /// A value that is not one of the above: why (credentials masked). Rejected at load with
    /// the key named, so a loaded config never holds it; kept apart from the TOML error
    /// because that quotes the source line, password included.
    Invalid(String),
}

impl std::fmt::Debug for ProxySetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProxySetting::Env => f.write_str("env"),
            ProxySetting::Direct => f.write_str("none"),
            ProxySetting::Url(u) => f.write_str(&mask(u)),
            ProxySetting::Invalid(why) => write!(f, "invalid ({why})"),
        }
    }
}

impl<'de> serde::Deserialize<'de> for ProxySetting {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(parse_setting(&s).unwrap_or_else(ProxySetting::Invalid))
    }
}

/// Parses a `proxy` value: `"env"`, `"none"`, or an `http`, `https`, `socks5` or `socks5h`
/// URL with a host (user:password allowed). The error says what is wrong.
pub fn parse_setting(value: &str) -> Result<ProxySetting, String> {
    match value.trim() {
        "env" => return Ok(ProxySetting::Env),
        "none" => return Ok(ProxySetting::Direct),
        _ => {}
    }
    parse_proxy_url(value).map(ProxySetting::Url)
}

fn parse_proxy_url(value: &str) -> Result<Url, String> {
    let url = Url::parse(value.trim()).map_err(|e| {
        format!(
            "must be \"env\", \"none\" or a proxy URL such as http://host:3128 or socks5://host:1080 ({e}): {}",
            mask_str(value)
        )
    })?;
    if !matches!(url.scheme(), "http" | "https" | "socks5" | "socks5h") {
        return Err(format!(
            "proxy scheme must be http, https, socks5 or socks5h: {}",
            mask_str(value)
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("proxy URL has no host: {}", mask_str(value)));
    }
    Ok(url)
}

/// The proxy environment variables, read once (tests pass their own).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    /// `HTTP_PROXY` / `http_proxy`.
    pub http: Option<String>,
    /// `HTTPS_PROXY` / `https_proxy`.
    pub https: Option<String>,
    /// `ALL_PROXY` / `all_proxy`.
    pub all: Option<String>,
    /// `NO_PROXY` / `no_proxy`: comma-separated hosts, `.domain`/`domain` suffixes, or `*`.
    pub no_proxy: Option<String>,
}

impl ProxyEnv {
    /// Reads the variables of this process (upper case first, then lower case; empty values
    /// count as unset).
    pub fn from_process() -> ProxyEnv {
        ProxyEnv::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads the variables through `get` (for tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> ProxyEnv {
        let var = |name: &str| {
            get(name)
                .or_else(|| get(&name.to_ascii_lowercase()))
                .filter(|v| !v.trim().is_empty())
        };
        ProxyEnv {
            http: var("HTTP_PROXY"),
            https: var("HTTPS_PROXY"),
            all: var("ALL_PROXY"),
            no_proxy: var("NO_PROXY"),
        }
    }

    fn excluded(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.no_proxy.as_deref().is_some_and(|list| {
            list.split(',').map(str::trim).any(|entry| {
                let entry = entry.to_ascii_lowercase();
                // `host:port` entries name the host.
                let entry = match entry.rsplit_once(':') {
                    Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) && !h.contains(':') => {
                        h.to_string()
                    }
                    _ => entry,
                };
                let entry = entry.trim_start_matches("*.").trim_start_matches('.');
                entry == "*"
                    || (!entry.is_empty()
                        && (host == entry || host.ends_with(&format!(".{entry}"))))
            })
        })
    }
}

/// The proxies one host's requests use: per URL scheme, `None` for a direct connection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ProxyRoute {
    /// For http:// URLs.
    pub http: Option<Url>,
    /// For https:// URLs.
    pub https: Option<Url>,
    /// Where the choice came from: `config`, `host override`, `environment`, `NO_PROXY` or
    /// `none`.
    pub source: &'static str,
}

impl ProxyRoute {
    /// True when no request of the host goes through a proxy.
    pub fn is_direct(&self) -> bool {
        self.http.is_none() && self.https.is_none()
    }

    /// How the route is shown in logs and the summary, credentials masked: `direct`,
    /// `http://***@proxy:3128 (config)`, or per scheme when they differ.
    pub fn describe(&self) -> String {
        let show = |u: &Option<Url>| u.as_ref().map_or("direct".to_string(), mask);
        let what = if self.http == self.https {
            show(&self.http)
        } else {
            format!("http: {}, https: {}", show(&self.http), show(&self.https))
        };
        format!("{what} ({})", self.source)
    }
}

/// Resolves the route of `host`: its override, else `[crawl]`, else the environment.
/// Environment values that are not proxy URLs are ignored (and named in the returned
/// warnings, masked).
pub fn route_for(
    crawl: Option<&ProxySetting>,
    host_override: Option<&ProxySetting>,
    host: &str,
    env: &ProxyEnv,
) -> (ProxyRoute, Vec<String>) {
    let source = if host_override.is_some() {
        "host override"
    } else {
        "config"
    };
    let setting = host_override.or(crawl).unwrap_or(&ProxySetting::Env);
    let mut warnings = Vec::new();
    let route = match setting {
        ProxySetting::Direct => ProxyRoute {
            source,
            ..ProxyRoute::default()
        },
        ProxySetting::Url(u) => ProxyRoute {
            http: Some(u.clone()),
            https: Some(u.clone()),
            source,
        },
        ProxySetting::Invalid(_) => ProxyRoute {
            source: "invalid config: direct",
            ..ProxyRoute::default()
        },
        ProxySetting::Env if env.excluded(host) => ProxyRoute {
            source: "NO_PROXY",
            ..ProxyRoute::default()
        },
        ProxySetting::Env => {
            let mut pick = |name: &str, v: &Option<String>| {
                v.as_deref().and_then(|s| match parse_proxy_url(s) {
                    Ok(u) => Some(u),
                    Err(e) => {
                        warnings.push(format!("{name} ignored: {e}"));
                        None
                    }
                })
            };
            let all = pick("ALL_PROXY", &env.all);
            let http = pick("HTTP_PROXY", &env.http).or_else(|| all.clone());
            let https = pick("HTTPS_PROXY", &env.https).or(all);
            let source = if http.is_none() && https.is_none() {
                "none"
            } else {
                "environment"
            };
            ProxyRoute {
                http,
                https,
                source,
            }
        }
    };
    (route, warnings)
}

/// A proxy URL as logged: user and password replaced by `***`.
pub fn mask(url: &Url) -> String {
    let mut shown = url.clone();
    if !url.username().is_empty() || url.password().is_some() {
        let _ = shown.set_username("***");
        let _ = shown.set_password(None);
    }
    shown.to_string().trim_end_matches('/').to_string()
}

/// Masks anything between the scheme and the last `@` of a value that is not a usable proxy
/// URL (it may not even parse as one).
fn mask_str(value: &str) -> String {
    match value.rsplit_once('@') {
        Some((head, tail)) => {
            let scheme = head.split_once("://").map_or("", |(s, _)| s);
            if scheme.is_empty() {
                format!("***@{tail}")
            } else {
                format!("{scheme}://***@{tail}")
            }
        }
        None => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> ProxyEnv {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ProxyEnv::from_lookup(|k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn settings_parse_and_bad_ones_are_masked() {
        assert_eq!(parse_setting("none"), Ok(ProxySetting::Direct));
        assert_eq!(parse_setting("env"), Ok(ProxySetting::Env));
        assert!(matches!(
            parse_setting("socks5://u:p@127.0.0.1:1080"),
            Ok(ProxySetting::Url(_))
        ));
        let err = parse_setting("ftp://user:secret@h:21").unwrap_err();
        assert!(!err.contains("secret") && !err.contains("user"), "{err}");
        let err = parse_setting("user:secret@nohost").unwrap_err();
        assert!(!err.contains("secret"), "{err}");
    }

    #[test]
    fn credentials_are_masked() {
        let u = Url::parse("http://alice:s3cret@proxy.example:3128").unwrap();
        assert_eq!(mask(&u), "http://***@proxy.example:3128");
        let u = Url::parse("socks5h://10.0.0.1:1080").unwrap();
        assert_eq!(mask(&u), "socks5h://10.0.0.1:1080");
    }

    #[test]
    fn config_beats_environment_and_no_proxy_is_honoured() {
        let e = env(&[
            ("HTTPS_PROXY", "http://p:1"),
            ("http_proxy", "http://q:2"),
            ("NO_PROXY", "localhost,.gov.cn"),
        ]);
        let (r, _) = route_for(None, None, "www.example.org", &e);
        assert_eq!(r.https.unwrap().as_str(), "http://p:1/");
        assert_eq!(r.http.unwrap().as_str(), "http://q:2/");
        let (r, _) = route_for(None, None, "www.nanning.gov.cn", &e);
        assert!(r.is_direct());
        assert_eq!(r.source, "NO_PROXY");
        let (r, _) = route_for(Some(&ProxySetting::Direct), None, "www.example.org", &e);
        assert!(r.is_direct());
        let fixed = parse_setting("socks5://s:3").unwrap();
        let (r, _) = route_for(Some(&ProxySetting::Direct), Some(&fixed), "a.gov.cn", &e);
        assert_eq!(r.source, "host override");
        assert_eq!(r.http.unwrap().as_str(), "socks5://s:3");
        let (r, _) = route_for(Some(&fixed), Some(&ProxySetting::Direct), "a", &e);
        assert!(r.is_direct());
        let (r, w) = route_for(None, None, "x", &env(&[("ALL_PROXY", "bogus")]));
        assert!(r.is_direct() && w.len() == 1);
    }
}
