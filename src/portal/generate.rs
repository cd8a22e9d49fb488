//! [`PortalOptions`] → generated city sites ([`Site`]: path → [`Resource`]) with TRS-style list
//! pages (three pagination styles), report pages in UTF-8 and GBK (declared, undeclared, wrongly
//! declared), attachments in several link forms, and optional faults. Pure: no sockets.
//! The report page HTML comes from a caller-supplied [`ReportContent`].

use std::collections::BTreeMap;
use std::io::Write;
use std::net::Ipv4Addr;
use std::ops::RangeInclusive;
use std::time::Duration;

use bytes::Bytes;

/// How a resource misbehaves.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    None,
    /// The first `n` requests get `status` (with `Retry-After: retry_after` seconds if set).
    FailFirst {
        n: u64,
        status: u16,
        retry_after: Option<u64>,
    },
    /// Every request gets `status`.
    Always {
        status: u16,
    },
    /// Answer after an extra delay.
    Slow(Duration),
    /// The first `n` requests break the connection half-way through the body.
    ResetFirst(u64),
    /// The first `n` requests announce the full Content-Length but send half the body.
    TruncateFirst(u64),
}

/// One servable response.
#[derive(Debug, Clone)]
pub struct Resource {
    pub status: u16,
    /// Header values made only of characters ≤ U+00FF go out as those bytes (Latin-1), which
    /// lets a fixture send raw GBK file names.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    pub fault: Fault,
}

impl Resource {
    pub fn new(content_type: &str, body: impl Into<Bytes>) -> Resource {
        Resource {
            status: 200,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            fault: Fault::None,
        }
    }

    pub fn redirect(to: &str) -> Resource {
        Resource {
            status: 302,
            headers: vec![("location".into(), to.into())],
            body: Bytes::new(),
            fault: Fault::None,
        }
    }

    pub fn with_fault(mut self, fault: Fault) -> Resource {
        self.fault = fault;
        self
    }
}

/// What a crawl of a site should find.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    /// Path and query on the site.
    pub path: String,
    /// `report` or `attachment`.
    pub kind: &'static str,
    pub year: u16,
    pub body: String,
    /// Published by the city government itself (kept with `--scope city`).
    pub city_level: bool,
}

/// One city's site.
#[derive(Debug, Clone)]
pub struct Site {
    pub city: String,
    pub adcode: String,
    pub ip: Ipv4Addr,
    pub resources: BTreeMap<String, Resource>,
    /// The report list path given in the generated config (may be dead on purpose).
    pub list_path: String,
    pub expected: Vec<Expected>,
    /// Paths that a correct crawler must never request.
    pub forbidden: Vec<String>,
}

impl Site {
    /// An empty city site with the report column at `/zfxxgk/ndbg/index.shtml` and a robots.txt
    /// that disallows `/private/`.
    pub fn new(city: String, adcode: String, ip: Ipv4Addr) -> Site {
        let mut resources = BTreeMap::new();
        resources.insert(
            "/robots.txt".into(),
            Resource::new("text/plain", "User-agent: *\nDisallow: /private/\n"),
        );
        Site {
            city,
            adcode,
            ip,
            resources,
            list_path: "/zfxxgk/ndbg/index.shtml".into(),
            expected: Vec::new(),
            forbidden: Vec::new(),
        }
    }
}

/// The data a report page shows.
#[derive(Debug, Clone)]
pub struct ReportMeta {
    pub city: String,
    pub body: String,
    pub year: u16,
    pub title: String,
    /// Attachment links, already in their markup form.
    pub attachment_html: String,
}

/// Supplies report page HTML (without worrying about encodings: the generator encodes).
pub trait ReportContent: Send + Sync {
    fn report_html(&self, meta: &ReportMeta) -> String;
}

/// A plausible report page with the template's first tables.
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultContent;

impl ReportContent for DefaultContent {
    fn report_html(&self, m: &ReportMeta) -> String {
        let n = (m.year as u32 % 97) + m.body.chars().count() as u32;
        format!(
            "<div class=\"title\"><h1>{title}</h1></div>\
             <div class=\"info\">发布日期: {next}-01-30 17:05 来源: {body}</div>\
             <div class=\"content\"><p>本报告根据《中华人民共和国政府信息公开条例》编制。</p>\
             <p>一、总体情况</p><p>二、主动公开政府信息情况</p>\
             <table border=\"1\"><tr><td rowspan=\"2\">信息内容</td><td colspan=\"3\">本年制发件数</td></tr>\
             <tr><td>本年新制作数量</td><td>本年新公开数量</td><td>对外公开总数量</td></tr>\
             <tr><td>规章</td><td>{a}</td><td>{a}</td><td>{c}</td></tr>\
             <tr><td>行政规范性文件</td><td>{b}</td><td>{b}</td><td>{d}</td></tr></table>\
             <p>三、收到和处理政府信息公开申请情况</p>{att}</div>",
            title = m.title,
            next = m.year + 1,
            body = m.body,
            a = n % 7,
            b = n % 13,
            c = n % 7 + 20,
            d = n % 13 + 40,
            att = m.attachment_html,
        )
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct PortalOptions {
    /// Number of city sites (at most 14 use the Guangxi names; more get generic ones).
    pub cities: usize,
    pub years: RangeInclusive<u16>,
    /// Items per list page.
    pub page_size: usize,
    /// Add the fault routes (retries, challenge, resets, bombs, off-site redirect…).
    pub faults: bool,
    /// First loopback address's last octet (sites use `127.0.0.{first_ip + i}`).
    pub first_ip: u8,
    /// Give the last site a dead list page, so the crawler must search from the home page.
    pub dead_list_on_last: bool,
}

impl Default for PortalOptions {
    fn default() -> Self {
        PortalOptions {
            cities: 3,
            years: 2019..=2024,
            page_size: 5,
            faults: true,
            first_ip: 2,
            dead_list_on_last: true,
        }
    }
}

/// The 14 Guangxi prefecture-level cities (name, adcode).
pub const GUANGXI: [(&str, &str); 14] = [
    ("南宁市", "450100"),
    ("柳州市", "450200"),
    ("桂林市", "450300"),
    ("梧州市", "450400"),
    ("北海市", "450500"),
    ("防城港市", "450600"),
    ("钦州市", "450700"),
    ("贵港市", "450800"),
    ("玉林市", "450900"),
    ("百色市", "451000"),
    ("贺州市", "451100"),
    ("河池市", "451200"),
    ("来宾市", "451300"),
    ("崇左市", "451400"),
];

/// How a page's bytes and Content-Type are produced.
#[derive(Debug, Clone, Copy)]
enum Charset {
    Utf8Declared,
    GbkMeta,
    GbkUndeclared,
    /// GBK bytes served with `charset=utf-8`.
    GbkWrongHeader,
}

fn encode_page(html: &str, cs: Charset) -> Resource {
    let meta = match cs {
        Charset::Utf8Declared => "<meta charset=\"utf-8\">",
        Charset::GbkMeta => {
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">"
        }
        _ => "",
    };
    let full = format!("<!DOCTYPE html><html><head>{meta}<title>政府信息公开</title></head><body>{html}</body></html>");
    let (ct, bytes) = match cs {
        Charset::Utf8Declared => ("text/html; charset=utf-8", full.into_bytes()),
        Charset::GbkMeta | Charset::GbkUndeclared => ("text/html", gbk(&full)),
        Charset::GbkWrongHeader => ("text/html; charset=utf-8", gbk(&full)),
    };
    Resource::new(ct, bytes)
}

fn gbk(s: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(s).0.into_owned()
}

/// A tiny but valid-looking PDF.
pub fn pdf_bytes(label: &str) -> Vec<u8> {
    format!("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% {label}\ntrailer << /Root 1 0 R >>\n%%EOF\n").into_bytes()
}

fn ole_bytes(label: &str) -> Vec<u8> {
    let mut b = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    b.extend_from_slice(label.as_bytes());
    b
}

fn zip_bytes(label: &str) -> Vec<u8> {
    let mut b = b"PK\x03\x04".to_vec();
    b.extend_from_slice(label.as_bytes());
    b
}

pub(crate) struct Item {
    pub(crate) title: String,
    pub(crate) href: String,
}

/// Generates all sites.
pub fn generate(opts: &PortalOptions, content: &dyn ReportContent) -> Vec<Site> {
    (0..opts.cities)
        .map(|i| generate_site(i, opts, content))
        .collect()
}

fn city_name(i: usize) -> (String, String) {
    match GUANGXI.get(i) {
        Some((n, c)) => (n.to_string(), c.to_string()),
        None => (format!("测试{i}市"), format!("99{:04}", i)),
    }
}

fn generate_site(i: usize, opts: &PortalOptions, content: &dyn ReportContent) -> Site {
    let (city, adcode) = city_name(i);
    let short = city.trim_end_matches('市').to_string();
    let ip = Ipv4Addr::new(127, 0, 0, opts.first_ip.wrapping_add(i as u8));
    let mut site = Site::new(city.clone(), adcode, ip);
    let bodies = [
        format!("{city}人民政府"),
        format!("{city}财政局"),
        format!("{short}市教育局"),
    ];
    let mut items = Vec::new();
    let mut n = 0u32;
    for year in opts.years.clone().rev() {
        for (b, body) in bodies.iter().enumerate().take(2) {
            n += 1;
            let city_level = b == 0;
            let title = if b == 0 && year % 2 == 0 {
                format!("{year}年{city}政府信息公开工作年度报告")
            } else {
                format!("{body}{year}年政府信息公开工作年度报告")
            };
            let path = format!(
                "/zfxxgk/ndbg/{}{:02}/t{}{:02}30_{}.shtml",
                year + 1,
                (n % 12) + 1,
                year + 1,
                (n % 12) + 1,
                1000 + n
            );
            let att = attachments(&mut site, year, body, city_level, n);
            let meta = ReportMeta {
                city: city.clone(),
                body: body.clone(),
                year,
                title: title.clone(),
                attachment_html: att,
            };
            let cs = [
                Charset::Utf8Declared,
                Charset::GbkMeta,
                Charset::GbkUndeclared,
                Charset::GbkWrongHeader,
            ][(i + n as usize) % 4];
            site.resources
                .insert(path.clone(), encode_page(&content.report_html(&meta), cs));
            site.expected.push(Expected {
                path: path.clone(),
                kind: "report",
                year,
                body: body.clone(),
                city_level,
            });
            items.push(Item { title, href: path });
        }
    }
    // Noise that must not be taken for reports.
    for k in 0..3 {
        let path = format!("/zfxxgk/tzgg/t{}.shtml", 500 + k);
        site.resources.insert(
            path.clone(),
            encode_page("<p>通知</p>", Charset::Utf8Declared),
        );
        items.insert(
            k * 3,
            Item {
                title: format!("关于做好第{k}季度安全生产工作的通知"),
                href: path,
            },
        );
    }
    if opts.faults {
        add_faults(&mut site, &mut items, i, opts);
    }
    add_lists(&mut site, &items, i, opts);
    add_home(&mut site, i);
    if opts.dead_list_on_last && i + 1 == opts.cities && opts.cities > 1 {
        // The configured list page is dead; the real column is reachable from the home page.
        site.list_path = "/old/xxgknb/index.html".into();
        site.resources.insert(
            site.list_path.clone(),
            Resource::new("text/html", "not found").with_fault(Fault::Always { status: 404 }),
        );
    }
    site
}

/// Attachment resources for one report, in a link form chosen by `n`; returns the markup.
fn attachments(site: &mut Site, year: u16, body: &str, city_level: bool, n: u32) -> String {
    let base = format!("/uploads/{year}/P0{year}0130{n:04}");
    let mut add = |path: String, res: Resource| {
        site.resources.insert(path.clone(), res);
        site.expected.push(Expected {
            path,
            kind: "attachment",
            year,
            body: body.to_string(),
            city_level,
        });
    };
    match n % 3 {
        0 => {
            add(
                format!("{base}.pdf"),
                Resource::new("application/pdf", pdf_bytes(&base)),
            );
            format!("<p>附件：<a href=\"{base}.pdf\">{year}年度报告.pdf</a></p>")
        }
        1 => {
            add(
                format!("{base}.pdf"),
                Resource::new("application/octet-stream", pdf_bytes(&base)),
            );
            add(
                format!("{base}.xls"),
                Resource::new("application/vnd.ms-excel", ole_bytes(&base)),
            );
            format!(
                "<iframe src=\"/pdfjs/web/viewer.html?file={}.pdf\"></iframe><a href=\"{base}.xls\">统计表</a>",
                base.replace('/', "%2F")
            )
        }
        _ => {
            add(
                format!("{base}.docx"),
                Resource::new("application/octet-stream", zip_bytes(&base)),
            );
            add(
                format!("{base}.doc"),
                Resource::new("application/msword", ole_bytes(&base)),
            );
            format!(
                "<span onclick=\"window.open('{base}.docx')\">下载附件</span><embed src=\"{base}.doc\">"
            )
        }
    }
}

/// Fault routes linked from the first report list, so a crawler meets them naturally.
fn add_faults(site: &mut Site, items: &mut Vec<Item>, i: usize, _opts: &PortalOptions) {
    let city = site.city.clone();
    let mut report =
        |site: &mut Site, path: &str, year: u16, att_html: &str, res: Option<Resource>| {
            let title = format!(
                "{city}{year}年政府信息公开工作年度报告（{}）",
                path.rsplit('/').next().unwrap_or("")
            );
            let html = format!("<h1>{title}</h1><table><tr><td>1</td></tr></table>{att_html}");
            let r = res.unwrap_or_else(|| encode_page(&html, Charset::Utf8Declared));
            site.resources.insert(path.to_string(), r);
            items.push(Item {
                title,
                href: path.to_string(),
            });
        };
    let expect = |site: &mut Site, path: &str, kind: &'static str, year: u16| {
        let body = site.city.clone();
        site.expected.push(Expected {
            path: path.to_string(),
            kind,
            year,
            body,
            city_level: true,
        });
    };
    if i == 0 {
        // 503 twice with Retry-After, then fine: retried, found.
        let page = encode_page(
            "<h1>2019年政府信息公开工作年度报告</h1><table><tr><td>1</td></tr></table>",
            Charset::Utf8Declared,
        )
        .with_fault(Fault::FailFirst {
            n: 2,
            status: 503,
            retry_after: Some(1),
        });
        report(site, "/zfxxgk/ndbg/f/t9001.shtml", 2019, "", Some(page));
        expect(site, "/zfxxgk/ndbg/f/t9001.shtml", "report", 2019);
        // A report whose attachments misbehave.
        let atts = "<a href=\"/f/e500.pdf\">a</a><a href=\"/f/reset.pdf\">b</a><a href=\"/f/trunc.pdf\">c</a>\
                    <a href=\"/f/always500.pdf\">d</a><a href=\"/f/big.pdf\">e</a><a href=\"/f/bomb.pdf\">f</a>\
                    <a href=\"/loop/a.pdf\">g</a><a href=\"/go/out.pdf\">h</a><a href=\"/private/secret.pdf\">i</a>\
                    <a href=\"/f/slow.pdf\">j</a>";
        report(site, "/zfxxgk/ndbg/f/t9002.shtml", 2020, atts, None);
        expect(site, "/zfxxgk/ndbg/f/t9002.shtml", "report", 2020);
        let pdf = |l: &str| Resource::new("application/pdf", pdf_bytes(l));
        site.resources.insert(
            "/f/e500.pdf".into(),
            pdf("e500").with_fault(Fault::FailFirst {
                n: 1,
                status: 500,
                retry_after: None,
            }),
        );
        site.resources.insert(
            "/f/reset.pdf".into(),
            pdf("reset-reset-reset-reset").with_fault(Fault::ResetFirst(1)),
        );
        site.resources.insert(
            "/f/trunc.pdf".into(),
            pdf("trunc-trunc-trunc-trunc").with_fault(Fault::TruncateFirst(1)),
        );
        site.resources.insert(
            "/f/slow.pdf".into(),
            pdf("slow").with_fault(Fault::Slow(Duration::from_millis(300))),
        );
        for p in ["/f/e500.pdf", "/f/reset.pdf", "/f/trunc.pdf", "/f/slow.pdf"] {
            expect(site, p, "attachment", 2020);
        }
        site.resources.insert(
            "/f/always500.pdf".into(),
            pdf("x").with_fault(Fault::Always { status: 500 }),
        );
        site.resources.insert(
            "/f/big.pdf".into(),
            Resource::new("application/pdf", vec![b'%'; 3 << 20]),
        );
        site.resources
            .insert("/f/bomb.pdf".into(), gzip_bomb(16 << 20));
        site.resources
            .insert("/loop/a.pdf".into(), Resource::redirect("/loop/b.pdf"));
        site.resources
            .insert("/loop/b.pdf".into(), Resource::redirect("/loop/a.pdf"));
        site.resources
            .insert("/private/secret.pdf".into(), pdf("secret"));
        site.forbidden.push("/private/secret.pdf".into());
        // A robots-disallowed report page in the list.
        let secret = encode_page("<h1>secret</h1>", Charset::Utf8Declared);
        report(site, "/private/t9003.shtml", 2021, "", Some(secret));
        site.forbidden.push("/private/t9003.shtml".into());
    }
    if i == 1 {
        let challenge = Resource {
            status: 412,
            headers: vec![("content-type".into(), "text/html".into())],
            body: Bytes::from_static(b"<html><script>var _0x1=['\\x63\\x6f'];document.cookie='FSSBBIl1UgzbN7NS=1';location.reload();</script></html>"),
            fault: Fault::None,
        };
        report(
            site,
            "/zfxxgk/ndbg/f/t9101.shtml",
            2021,
            "",
            Some(challenge),
        );
    }
}

/// A body that inflates to `size` bytes of zeros, served with `Content-Encoding: gzip`.
fn gzip_bomb(size: usize) -> Resource {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..size / zeros.len() {
        let _ = enc.write_all(&zeros);
    }
    let body = enc.finish().unwrap_or_default();
    let mut r = Resource::new("application/pdf", body);
    r.headers.push(("content-encoding".into(), "gzip".into()));
    r
}

/// List pages in one of three pagination styles, chosen by the site index.
pub(crate) fn add_lists(site: &mut Site, items: &[Item], i: usize, opts: &PortalOptions) {
    let pages: Vec<&[Item]> = items.chunks(opts.page_size.max(1)).collect();
    let count = pages.len();
    let style = i % 3;
    for (p, chunk) in pages.iter().enumerate() {
        let lis: String = chunk
            .iter()
            .map(|it| {
                let short: String = it.title.chars().take(14).collect();
                format!("<li><a href=\"{}\" title=\"{}\" target=\"_blank\">{short}…</a><span>2024-01-30</span></li>", it.href, it.title)
            })
            .collect();
        let (path, nav) = match style {
            0 => (
                if p == 0 { "/zfxxgk/ndbg/index.shtml".to_string() } else { format!("/zfxxgk/ndbg/index_{p}.shtml") },
                format!("<script type=\"text/javascript\">createPageHTML({count}, {p}, \"index\", \"shtml\");</script>"),
            ),
            1 => (
                if p == 0 { "/zfxxgk/ndbg/index.shtml".to_string() } else { format!("/zfxxgk/ndbg/list_{p}.shtml") },
                if p + 1 < count { format!("<div class=\"page\"><a href=\"list_{}.shtml\">[下一页]</a></div>", p + 1) } else { String::new() },
            ),
            _ => (
                if p == 0 { "/zfxxgk/ndbg/index.shtml".to_string() } else { format!("/zfxxgk/ndbg/index.shtml?page={}", p + 1) },
                (1..=count).map(|k| format!("<a href=\"index.shtml?page={k}\">{k}</a> ")).collect(),
            ),
        };
        let html = format!("<div class=\"crumb\">当前位置：首页 &gt; 信息公开 &gt; 政府信息公开年度报告</div><ul class=\"list\">{lis}</ul>{nav}");
        let cs = if i.is_multiple_of(2) {
            Charset::Utf8Declared
        } else {
            Charset::GbkMeta
        };
        if style == 2 && p == 0 {
            // The first page answers under its numbered link too.
            site.resources.insert(
                "/zfxxgk/ndbg/index.shtml?page=1".into(),
                encode_page(&html, cs),
            );
        }
        site.resources.insert(path, encode_page(&html, cs));
    }
}

pub(crate) fn add_home(site: &mut Site, i: usize) {
    let cs = if i.is_multiple_of(2) {
        Charset::GbkUndeclared
    } else {
        Charset::Utf8Declared
    };
    site.resources.insert(
        "/".into(),
        encode_page("<a href=\"/news/\">新闻动态</a><a href=\"/zfxxgk/\">政府信息公开</a><a href=\"/bsfw/\">办事服务</a>", cs),
    );
    site.resources.insert(
        "/zfxxgk/".into(),
        encode_page("<a href=\"/zfxxgk/zn/\">政府信息公开指南</a><a href=\"/zfxxgk/ndbg/index.shtml\">政府信息公开年度报告</a>", cs),
    );
}
