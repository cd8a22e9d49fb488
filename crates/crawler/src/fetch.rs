//! One HTTP exchange ([`Outgoing`]: a GET with conditional headers, or a POST with a body) →
//! [`Capture`]: status, headers, the raw body as sent (capped while streaming), timing, and
//! the WARC request/response records for it (the request record keeps a POST's body).
//! No redirects are followed here and nothing is decompressed; see `engine` for the policy.

use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, ACCEPT_ENCODING, ACCEPT_LANGUAGE};
use reqwest::{Client, StatusCode};
use url::Url;

use super::config::CrawlSettings;
use super::proxy::ProxyRoute;
use nianbao_archive::warc::{warc_date, Record, RecordType};

/// Why an exchange produced no usable response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// The connect or request timeout ran out.
    Timeout,
    /// The connection could not be made (DNS, refused, unreachable).
    Connect,
    /// The TLS handshake or certificate check failed (https only); never retried.
    Tls,
    /// Connection reset or closed before the headers arrived.
    Reset,
    /// Any other transport failure.
    Other,
    /// Not sent: the host was given up on after repeated challenge pages.
    HostBlocked,
    /// Not sent: the host gave no answer to `unreachable_after` requests in a row this run.
    HostUnreachable,
}

impl Transport {
    /// The short cause name that starts the recorded error: `timeout`, `connect`, `tls`,
    /// `reset`, `transport`, `blocked` or `unreachable`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Transport::Timeout => "timeout",
            Transport::Connect => "connect",
            Transport::Tls => "tls",
            Transport::Reset => "reset",
            Transport::Other => "transport",
            Transport::HostBlocked => "blocked",
            Transport::HostUnreachable => "unreachable",
        }
    }

    /// True for "no answer at all": the connection was refused or not made, or no response
    /// headers came before the timeout. These count towards a host's unreachable streak.
    pub fn is_no_answer(&self) -> bool {
        matches!(self, Transport::Timeout | Transport::Connect)
    }
}

/// A transport failure with its message.
#[derive(Debug, Clone)]
pub struct TransportError {
    /// What kind of failure it was.
    pub kind: Transport,
    /// The error and its sources, joined by `: `.
    pub message: String,
}

/// One request and its response, as far as it got.
#[derive(Debug, Clone)]
pub struct Capture {
    /// The URL requested (redirects are not followed).
    pub url: Url,
    /// The response's HTTP status.
    pub status: StatusCode,
    /// The response headers, as received.
    pub headers: HeaderMap,
    /// The body exactly as received (still content-encoded).
    pub body: Vec<u8>,
    /// `length` when the body cap cut it, `disconnect` when the connection broke mid-body.
    pub truncated: Option<&'static str>,
    /// The error that broke the connection mid-body (then `truncated` is `disconnect`).
    pub body_error: Option<String>,
    /// The server's address, when known; recorded as `WARC-IP-Address`.
    pub remote: Option<SocketAddr>,
    /// Time from sending the request to the response headers.
    pub latency: Duration,
    /// When the request was sent, as a WARC-Date (ISO 8601 UTC, microseconds).
    pub date: String,
    request_head: String,
    /// The body sent (a POST's), empty for a GET.
    request_body: Vec<u8>,
}

/// Builds the HTTP client: no automatic redirects, no decompression, direct connections (no
/// proxies from the environment), the configured user agent and timeouts.
/// `accept_invalid_certs` is only ever set for hosts listed in `[[crawl.host]]` with that flag
/// (and is logged by the caller).
pub fn build_client(s: &CrawlSettings, accept_invalid_certs: bool) -> reqwest::Result<Client> {
    build_client_via(s, accept_invalid_certs, &ProxyRoute::default())
}

/// [`build_client`] whose requests go through `route`'s proxies (http:// URLs through
/// `route.http`, https:// URLs through `route.https`; `None`: direct). The environment is never
/// read here: the route was resolved from the config and the environment by `crate::proxy`.
pub fn build_client_via(
    s: &CrawlSettings,
    accept_invalid_certs: bool,
    route: &ProxyRoute,
) -> reqwest::Result<Client> {
    // rustls with the ring provider (no CMake build, unlike aws-lc): installed once per
    // process; a second install fails harmlessly and keeps the first.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut b = Client::builder()
        .user_agent(s.user_agent.clone())
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_millis(s.connect_timeout_ms))
        .timeout(Duration::from_millis(s.request_timeout_ms))
        .pool_max_idle_per_host(s.per_host_concurrency.max(1) * 2)
        .tcp_nodelay(true)
        .no_proxy();
    if let Some(p) = &route.http {
        b = b.proxy(reqwest::Proxy::http(p.as_str())?);
    }
    if let Some(p) = &route.https {
        b = b.proxy(reqwest::Proxy::https(p.as_str())?);
    }
    if accept_invalid_certs {
        b = b.tls_danger_accept_invalid_certs(true);
    }
    b.build()
}

/// A request to send: a GET, or a POST when it has a body (the site search).
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The URL requested.
    pub url: Url,
    /// Headers added to (or replacing) the defaults: `If-None-Match` for a conditional GET,
    /// `Content-Type`, `Origin` and `Referer` for a search.
    pub headers: Vec<(&'static str, String)>,
    /// The request body; `Some` makes the request a POST.
    pub body: Option<Vec<u8>>,
}

impl Outgoing {
    /// A GET of `url` with `headers` (e.g. conditional ones).
    pub fn get(url: &Url, headers: &[(&'static str, String)]) -> Outgoing {
        Outgoing {
            url: url.clone(),
            headers: headers.to_vec(),
            body: None,
        }
    }

    fn method(&self) -> &'static str {
        if self.body.is_some() {
            "POST"
        } else {
            "GET"
        }
    }
}

/// Sends one GET and reads the body up to `max_body` bytes.
pub async fn exchange(
    client: &Client,
    user_agent: &str,
    url: &Url,
    conditional: &[(&'static str, String)],
    max_body: u64,
) -> Result<Capture, TransportError> {
    send(
        client,
        user_agent,
        &Outgoing::get(url, conditional),
        max_body,
    )
    .await
}

/// Sends one request (GET, or POST with its body) and reads the response body up to
/// `max_body` bytes. The request, body included, is kept for its WARC `request` record.
pub async fn send(
    client: &Client,
    user_agent: &str,
    req: &Outgoing,
    max_body: u64,
) -> Result<Capture, TransportError> {
    let mut headers = HeaderMap::new();
    headers.insert(
        ACCEPT,
        HeaderValue::from_static("text/html,application/xhtml+xml,*/*;q=0.8"),
    );
    headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("gzip, deflate"));
    headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_static("zh-CN,zh;q=0.9"));
    for (name, value) in &req.headers {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(*name, v);
        }
    }
    let request_body = req.body.clone().unwrap_or_default();
    let request_head = request_head(req, user_agent, &headers);
    let date = warc_date(SystemTime::now());
    let started = Instant::now();
    let builder = match &req.body {
        Some(body) => client.post(req.url.clone()).body(body.clone()),
        None => client.get(req.url.clone()),
    };
    let mut resp = builder
        .headers(headers)
        .send()
        .await
        .map_err(classify_error)?;
    let latency = started.elapsed();
    let status = resp.status();
    let remote = resp.remote_addr();
    let resp_headers = resp.headers().clone();
    let mut body = Vec::new();
    let mut truncated = None;
    let mut body_error = None;
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                let room = max_body.saturating_sub(body.len() as u64) as usize;
                if chunk.len() > room {
                    body.extend_from_slice(&chunk[..room]);
                    truncated = Some("length");
                    break;
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => {
                truncated = Some("disconnect");
                body_error = Some(error_chain(&e));
                break;
            }
        }
    }
    Ok(Capture {
        url: req.url.clone(),
        status,
        headers: resp_headers,
        body,
        truncated,
        body_error,
        remote,
        latency,
        date,
        request_head,
        request_body,
    })
}

fn request_head(req: &Outgoing, user_agent: &str, headers: &HeaderMap) -> String {
    let url = &req.url;
    let mut path = url.path().to_string();
    if let Some(q) = url.query() {
        path.push('?');
        path.push_str(q);
    }
    let host = match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or("")),
        None => url.host_str().unwrap_or("").to_string(),
    };
    let mut head = format!(
        "{} {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {user_agent}\r\n",
        req.method()
    );
    for (k, v) in headers {
        head.push_str(&format!("{}: {}\r\n", k, v.to_str().unwrap_or("")));
    }
    if let Some(body) = &req.body {
        head.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    head
}

fn classify_error(e: reqwest::Error) -> TransportError {
    let message = error_chain(&e);
    let lower = message.to_ascii_lowercase();
    let https = e.url().is_some_and(|u| u.scheme() == "https");
    let kind = if e.is_timeout() {
        Transport::Timeout
    } else if https && e.is_connect() && looks_like_tls(&e, &lower) {
        Transport::Tls
    } else if e.is_connect() {
        Transport::Connect
    } else if lower.contains("reset")
        || lower.contains("closed")
        || lower.contains("incomplete")
        || lower.contains("eof")
    {
        Transport::Reset
    } else {
        Transport::Other
    };
    TransportError { kind, message }
}

/// rustls errors reach us as `io::Error`s of kind `InvalidData` inside the connect error, or
/// name the certificate, the handshake, an alert or a corrupt record.
fn looks_like_tls(e: &reqwest::Error, lower: &str) -> bool {
    let words = [
        "certificate",
        "tls",
        "handshake",
        "alert",
        "corrupt message",
        "peer",
    ];
    if words.iter().any(|w| lower.contains(w)) {
        return true;
    }
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(inner) = src {
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::InvalidData {
                return true;
            }
        }
        src = inner.source();
    }
    false
}

/// The error and its sources, joined by `: `.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

impl Capture {
    /// The `charset` parameter of the Content-Type header.
    pub fn http_charset(&self) -> Option<String> {
        let ct = self.header("content-type")?;
        ct.split(';')
            .filter_map(|p| p.trim().split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
            .map(|(_, v)| v.trim().trim_matches('"').to_string())
    }

    /// The value of response header `name` (case-insensitive), if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The request and response records, as gzip members, and the response record's id,
    /// offset within the returned bytes, and member length.
    pub fn warc_members(&self) -> (Vec<u8>, String, u64, u64) {
        let mut block = self.request_head.clone().into_bytes();
        block.extend_from_slice(&self.request_body);
        let mut req = Record::new(
            RecordType::Request,
            "application/http;msgtype=request",
            block,
        );
        req.date = self.date.clone();
        req.target_uri = Some(self.url.to_string());
        // A POST's body is the request's payload (the search's JSON).
        req.payload_start = (!self.request_body.is_empty()).then_some(self.request_head.len());
        let (block, payload_start) = self.response_block();
        let mut resp = Record::new(
            RecordType::Response,
            "application/http;msgtype=response",
            block,
        );
        resp.date = self.date.clone();
        resp.target_uri = Some(self.url.to_string());
        resp.payload_start = Some(payload_start);
        if let Some(addr) = self.remote {
            resp.fields
                .push(("WARC-IP-Address".into(), addr.ip().to_string()));
        }
        if let Some(t) = self.truncated {
            resp.fields.push(("WARC-Truncated".into(), t.into()));
        }
        req.fields
            .push(("WARC-Concurrent-To".into(), resp.record_id.clone()));
        let resp_member = resp.to_gzip_member();
        let mut out = req.to_gzip_member();
        let offset = out.len() as u64;
        out.extend_from_slice(&resp_member);
        (out, resp.record_id, offset, resp_member.len() as u64)
    }

    /// Status line, headers (without Transfer-Encoding: the body is stored de-chunked), blank
    /// line, body as received.
    fn response_block(&self) -> (Vec<u8>, usize) {
        let mut head = format!(
            "HTTP/1.1 {} {}\r\n",
            self.status.as_u16(),
            self.status.canonical_reason().unwrap_or("")
        );
        for (k, v) in &self.headers {
            if k.as_str().eq_ignore_ascii_case("transfer-encoding") {
                continue;
            }
            head.push_str(k.as_str());
            head.push_str(": ");
            head.push_str(&String::from_utf8_lossy(v.as_bytes()));
            head.push_str("\r\n");
        }
        head.push_str("\r\n");
        let start = head.len();
        let mut block = head.into_bytes();
        block.extend_from_slice(&self.body);
        (block, start)
    }
}

/// A safe file name for a capture: `Content-Disposition` (`filename*=UTF-8''…`, or a raw
/// `filename=` in UTF-8 or GBK, percent-decoded), else the last URL path segment. Path
/// separators, control characters and leading dots are removed; at most 200 characters.
pub fn file_name(cap: &Capture) -> Option<String> {
    let from_header = cap
        .headers
        .get("content-disposition")
        .and_then(|v| disposition_name(v.as_bytes()));
    let from_url = || {
        let last = cap.url.path_segments()?.next_back()?.to_string();
        Some(decode_name(last.as_bytes()))
    };
    from_header
        .or_else(from_url)
        .and_then(|n| sanitize_name(&n))
}

fn disposition_name(raw: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let lower = text.to_ascii_lowercase();
    if let Some(at) = lower.find("filename*=") {
        let v = text[at + 10..].split(';').next()?.trim().trim_matches('"');
        let v = v.split_once("''").map_or(v, |(_, rest)| rest);
        return Some(decode_name(v.as_bytes()));
    }
    let at = find_bytes(&raw.to_ascii_lowercase(), b"filename=")?;
    let v = &raw[at + 9..];
    let v = v.split(|b| *b == b';').next()?;
    let v = v.trim_ascii().strip_prefix(b"\"").unwrap_or(v.trim_ascii());
    let v = v.strip_suffix(b"\"").unwrap_or(v);
    Some(decode_name(v))
}

fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Percent-decodes, then reads the bytes as UTF-8, or else as GBK.
fn decode_name(bytes: &[u8]) -> String {
    let bytes: Vec<u8> = if bytes.contains(&b'%') {
        url::form_urlencoded::parse(&[b"x=", bytes].concat())
            .next()
            .map(|(_, v)| v.into_owned().into_bytes())
            .unwrap_or_else(|| bytes.to_vec())
    } else {
        bytes.to_vec()
    };
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => encoding_rs::GBK.decode(e.as_bytes()).0.into_owned(),
    }
}

fn sanitize_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|'))
        .take(200)
        .collect();
    let clean = clean.trim().trim_start_matches('.').trim().to_string();
    (!clean.is_empty()).then_some(clean)
}

pub use nianbao_archive::decode_content;

/// File type by magic bytes: `pdf`, `ole` (doc/xls/wps), `zip` (docx/xlsx/ofd), `html`, `rar`, or `other`.
pub fn sniff(bytes: &[u8]) -> &'static str {
    let trimmed = {
        let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let start = b
            .iter()
            .position(|c| !c.is_ascii_whitespace())
            .unwrap_or(b.len());
        &b[start..]
    };
    if bytes.starts_with(b"%PDF-") || bytes.windows(5).take(1024).any(|w| w == b"%PDF-") {
        "pdf"
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        "ole"
    } else if bytes.starts_with(b"PK\x03\x04") {
        "zip"
    } else if bytes.starts_with(b"Rar!") {
        "rar"
    } else if trimmed.starts_with(b"<") {
        "html"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_decide_the_type() {
        assert_eq!(sniff(b"%PDF-1.7\n"), "pdf");
        assert_eq!(sniff(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1]), "ole");
        assert_eq!(sniff(b"PK\x03\x04...."), "zip");
        assert_eq!(sniff(b"\n  <!DOCTYPE html>"), "html");
        assert_eq!(sniff(b"plain"), "other");
    }

    #[test]
    fn file_names_come_from_content_disposition_or_the_url_and_are_sanitized() {
        assert_eq!(
            disposition_name(b"attachment; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.pdf").as_deref(),
            Some("年报.pdf")
        );
        let gbk = [
            &b"attachment; filename=\""[..],
            &encoding_rs::GBK.encode("年报.doc").0,
            b"\"",
        ]
        .concat();
        assert_eq!(disposition_name(&gbk).as_deref(), Some("年报.doc"));
        assert_eq!(sanitize_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(sanitize_name("..\\a:b?.wps").as_deref(), Some("ab.wps"));
        assert_eq!(sanitize_name(".."), None);
    }

    #[test]
    fn decompression_is_capped() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![0u8; 1 << 20]).unwrap();
        let bomb = enc.finish().unwrap();
        let err = decode_content(&bomb, Some("gzip"), 1000).unwrap_err();
        assert!(err.starts_with("decompression-cap"), "{err}");
        assert_eq!(
            decode_content(&bomb, Some("gzip"), 1 << 20).unwrap().len(),
            1 << 20
        );
    }
}
