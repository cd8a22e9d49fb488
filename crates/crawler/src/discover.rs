//! Decoded HTML page + its role → the links worth following ([`Link`]): pagination (TRS
//! `createPageHTML`, 下一页, `?page=N`, page counters), report links chosen by their text or
//! title, child columns, attachments (`<a>`, `<iframe>`, `<embed>`, `onclick`, pdf.js viewers),
//! and the way from a portal home page to the report column. Also the shapes of the TRS
//! column trees (per-body and per-year sub-columns, `div#morelist` rows with a `title=` and a
//! date, both `createPageHTML` signatures, `index_N`/`index-N`/`?pageIndex=N` pagers), the
//! three article URL families and `P0…` attachments, each document keyed by host + id
//! ([`doc_key`]), and the next page to probe of a list without a pager ([`probe_next`]).
//! Pure: no network, no state.

use std::sync::LazyLock;

use regex::Regex;
use scraper::{Html, Selector};
use url::Url;

pub use nianbao_archive::PageKind;

/// A link found on a page, with what the crawl should treat it as.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The absolute URL, resolved against the page's base, without fragment.
    pub url: Url,
    /// What the crawl should fetch it as (list, report, attachment, …).
    pub kind: PageKind,
    /// Link text or title, whitespace collapsed.
    pub text: String,
    /// The report year named by the text (or inherited from the page).
    pub year: Option<u16>,
    /// The publishing body named by the text (or inherited from the page).
    pub body: Option<String>,
    /// True for pagination of the same list (does not deepen the search).
    pub same_level: bool,
    /// The date printed in the link's row (`<li><a …>…</a><span>2024-01-30</span></li>`), as
    /// `YYYY-MM-DD`: the publication date, never taken for the report year.
    pub date: Option<String>,
}

/// The page being read.
#[derive(Debug, Clone)]
pub struct Page<'a> {
    /// The page's URL: relative links resolve against it (or its `<base href>`).
    pub url: &'a Url,
    /// What the page is to the crawl; decides which links are looked for.
    pub kind: PageKind,
    /// The report year of the page, inherited by links that name none.
    pub year: Option<u16>,
    /// The publishing body of the page, inherited by links that name none.
    pub body: Option<&'a str>,
    /// Upper bound on pages generated from one pagination script.
    pub max_list_pages: usize,
}

static LINKS: LazyLock<Selector> = LazyLock::new(|| {
    Selector::parse("a[href], area[href], iframe[src], frame[src], embed[src], object[data], [onclick], base[href], meta[http-equiv]")
        .expect("static selector")
});
static CREATE_PAGE: LazyLock<Regex> = LazyLock::new(|| {
    // Signature A, 0-based: createPageHTML(5, 0, "index", "shtml") → index_1 … index_4.
    // Signature B, 1-based, a container id first: createPageHTML('page_div', 5, 1, 'index',
    // 'shtml', 90) → index_2 … index_5 (page 1 is index.shtml).
    Regex::new(r#"createPage(?:HTML)?\(\s*(['"][A-Za-z_\-][^'"]*['"]\s*,\s*)?['"]?(\d+)['"]?\s*,\s*['"]?(\d+)['"]?\s*,\s*['"]([^'"]+)['"]\s*,\s*['"]([A-Za-z]+)['"]"#)
        .expect("static regex")
});
static ROW_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:19|20)\d{2})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})")
        .expect("static regex")
});
/// `t12345678.shtml`, `t12345.html`: TRS and 南宁 article ids.
static ARTICLE_T: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^t(\d+)\.s?html?$").expect("static regex"));
/// `t20240115_1234.shtml` (under `YYYYMM/`): the date is not part of the key.
static ARTICLE_DATED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^t\d{8}_(\d+)\.s?html?$").expect("static regex"));
/// `P020240930573724841467.docx`: a TRS attachment in the column directory.
static TRS_FILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(P0\d+\.(?:pdf|docx?|wps|ofd|xlsx?|et|zip|rar))$").expect("static regex")
});
/// `index_3.shtml`, `index-3.shtml`, `list_2.html`: a numbered page of a list.
static NUMBERED_PAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([A-Za-z]+)[_-](\d{1,4})\.([A-Za-z]+)$").expect("static regex"));
/// A year in a column path segment (`nb_2024`, `2024gknb`, `2023`).
static PATH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^0-9])((?:19|20)\d{2})(?:[^0-9]|$)").expect("static regex")
});
static CN_YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([〇○零Ｏ一二三四五六七八九]{4})\s*年").expect("static regex"));
static CDATA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<!\[CDATA\[(.*?)\]\]>").expect("static regex"));
static PAGE_COUNT_VAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b(?:countPage|totalPage|pageCount|page_count|totalPages)\s*[=:]\s*['"]?(\d+)"#,
    )
    .expect("static regex")
});
static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"((?:19|20)\d{2})\s*年").expect("static regex"));
static BARE_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^0-9])((?:19|20)\d{2})(?:[^0-9]|$)").expect("static regex")
});
static QUOTED_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"['"]([^'"\s]+\.(?:pdf|docx?|wps|xlsx?|et|ofd|zip|rar|s?html?)(?:\?[^'"\s]*)?)['"]"#,
    )
    .expect("static regex")
});
static PAGE_PARAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|&)(?:page|pageno|pageindex|currpage|pagenum|p|pn|curpage)=\d+")
        .expect("static regex")
});

const ATTACHMENT_EXTS: &[&str] = &[
    ".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".ofd", ".zip", ".rar",
];
/// Link texts of per-body sub-columns (市人民政府 / 市直部门 / 县区 …): the text becomes the
/// body of the reports listed below it that name none.
const BODY_COLUMNS: &[&str] = &[
    "市人民政府",
    "市政府",
    "人民政府",
    "市本级",
    "本级",
    "市人民政府办公室",
    "市直部门",
    "市直单位",
    "部门",
    "政府部门",
    "县区",
    "县（市、区）",
    "县(市、区)",
    "县（区）",
    "县市区",
    "城区",
    "乡镇",
    "乡镇（街道）",
    "乡镇(街道)",
];
const NEXT_TEXTS: &[&str] = &["下一页", "下页", "后一页", "尾页", "末页", "next", "»", ">"];
const NAV_WORDS: &[&str] = &[
    "信息公开",
    "政务公开",
    "政府信息",
    "公开目录",
    "主动公开",
    "法定主动公开内容",
    "公开年报",
];

/// A raw link as it appears in the markup.
struct Raw {
    href: String,
    text: String,
    embedded: bool,
    /// A `<meta http-equiv=refresh>` target: the same page, moved.
    refresh: bool,
    /// The date printed in the link's row, `YYYY-MM-DD`.
    date: Option<String>,
}

/// Every link worth following from `html`, classified for `page`. Off-site links are kept: the
/// caller decides which hosts are allowed.
pub fn discover(html: &str, page: &Page) -> Vec<Link> {
    let (raws, base) = raw_links(html, page.url);
    let mut out = Vec::new();
    let mut push = |link: Link| {
        if !out.iter().any(|l: &Link| l.url == link.url) {
            out.push(link);
        }
    };
    if matches!(page.kind, PageKind::List | PageKind::Report) {
        for url in script_pagination(html, page.url, page.max_list_pages) {
            push(same_level(url, page));
        }
    }
    for raw in &raws {
        let Ok(mut url) = base.join(raw.href.trim()) else {
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") {
            continue;
        }
        url.set_fragment(None);
        if &url == page.url {
            continue;
        }
        if let Some(link) = classify(raw, url, page) {
            push(link);
        }
    }
    out
}

fn same_level(url: Url, page: &Page) -> Link {
    Link {
        url,
        kind: page.kind,
        text: String::new(),
        year: page.year,
        body: page.body.map(str::to_string),
        same_level: true,
        date: None,
    }
}

/// Collects links from elements and attributes, and the document base URL.
fn raw_links(html: &str, page_url: &Url) -> (Vec<Raw>, Url) {
    let (mut out, base) = element_links(html, page_url);
    // Hanweb (大汉) lists ship their entries as HTML inside `<![CDATA[…]]>` in a script.
    let cdata_sections = if html.contains("<![CDATA[") {
        CDATA.captures_iter(html).collect()
    } else {
        Vec::new()
    };
    for cdata in cdata_sections {
        if cdata[1].contains("<a") {
            out.extend(element_links(&cdata[1], page_url).0);
        }
    }
    (out, base)
}

fn element_links(html: &str, page_url: &Url) -> (Vec<Raw>, Url) {
    let doc = Html::parse_document(html);
    let mut base = page_url.clone();
    let mut out = Vec::new();
    for el in doc.select(&LINKS) {
        let v = el.value();
        let name = v.name();
        if name == "base" {
            if let Some(b) = v.attr("href").and_then(|h| page_url.join(h).ok()) {
                base = b;
            }
            continue;
        }
        if name == "meta" {
            if let Some(target) = meta_refresh(v.attr("http-equiv"), v.attr("content")) {
                out.push(Raw {
                    href: target,
                    text: String::new(),
                    embedded: false,
                    refresh: true,
                    date: None,
                });
            }
            continue;
        }
        let text = collapse(&el.text().collect::<String>());
        let title = v.attr("title").map(collapse).unwrap_or_default();
        // `title=` holds the full title where the template cuts the link text short.
        let cut = text.ends_with('…') || text.ends_with("...") || text.ends_with("..");
        let text = if title.chars().count() > text.chars().count() || (cut && !title.is_empty()) {
            title
        } else {
            text
        };
        let date = if name == "a" { row_date(&el) } else { None };
        let target = match name {
            "a" | "area" => v.attr("href"),
            "iframe" | "frame" | "embed" => v.attr("src"),
            "object" => v.attr("data"),
            _ => None,
        };
        let embedded = matches!(name, "iframe" | "frame" | "embed" | "object");
        if let Some(href) = target {
            if let Some(js) = href.trim().strip_prefix("javascript:") {
                out.extend(quoted_urls(js, &text));
            } else {
                out.push(Raw {
                    href: viewer_file(href),
                    text: text.clone(),
                    embedded,
                    refresh: false,
                    date,
                });
            }
        }
        if let Some(onclick) = v.attr("onclick") {
            out.extend(quoted_urls(onclick, &text));
        }
    }
    (out, base)
}

/// The date printed in the row (`li`, `tr`) around a link, outside the link's own text:
/// `2024-01-30`, `2024.01.30`, `（2024-01-30）`, `[2024/01/30]`, `2024年1月30日`.
fn row_date(a: &scraper::ElementRef) -> Option<String> {
    let own: String = a.text().collect();
    let row = a
        .ancestors()
        .take(3)
        .filter_map(scraper::ElementRef::wrap)
        .find(|e| matches!(e.value().name(), "li" | "tr" | "dd"))?;
    let text: String = row.text().collect();
    let rest = text.replacen(&own, " ", 1);
    let c = ROW_DATE.captures(&rest)?;
    let (m, d): (u8, u8) = (c[2].parse().ok()?, c[3].parse().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{}-{m:02}-{d:02}", &c[1]))
}

fn meta_refresh(equiv: Option<&str>, content: Option<&str>) -> Option<String> {
    if !equiv?.eq_ignore_ascii_case("refresh") {
        return None;
    }
    let content = content?;
    let at = content.to_ascii_lowercase().find("url=")?;
    Some(
        content[at + 4..]
            .trim()
            .trim_matches(['\'', '"'])
            .to_string(),
    )
}

fn quoted_urls(js: &str, text: &str) -> Vec<Raw> {
    QUOTED_URL
        .captures_iter(js)
        .map(|c| Raw {
            href: c[1].to_string(),
            text: text.to_string(),
            embedded: false,
            refresh: false,
            date: None,
        })
        .collect()
}

/// `…/pdfjs/web/viewer.html?file=/a/b.pdf` → `/a/b.pdf`; other hrefs unchanged.
fn viewer_file(href: &str) -> String {
    let lower = href.to_ascii_lowercase();
    if let Some(at) = lower.find("viewer.html?file=") {
        let file = &href[at + "viewer.html?file=".len()..];
        let file = file.split('&').next().unwrap_or(file);
        return percent_decode(file);
    }
    href.to_string()
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Decides what a link is, given the page it is on.
fn classify(raw: &Raw, url: Url, page: &Page) -> Option<Link> {
    let text = raw.text.as_str();
    let year = report_year(text);
    let link = |kind, same_level, year: Option<u16>, body: Option<String>| {
        Some(Link {
            url: url.clone(),
            kind,
            text: text.to_string(),
            year,
            body,
            same_level,
            date: raw.date.clone(),
        })
    };
    let is_attachment = is_attachment_url(&url);
    if raw.refresh {
        return link(page.kind, true, page.year, page.body.map(str::to_string));
    }
    match page.kind {
        PageKind::Report => {
            if is_attachment || raw.embedded || names_a_file(text) {
                return link(
                    PageKind::Attachment,
                    false,
                    page.year,
                    page.body.map(str::to_string),
                );
            }
            None
        }
        PageKind::List => {
            if is_reportish(text) || is_truncated_report_title(text, year) {
                let body = publishing_body(text).or_else(|| page.body.map(str::to_string));
                let kind = match (is_attachment, year) {
                    (true, _) => PageKind::Attachment,
                    (false, Some(_)) => PageKind::Report,
                    (false, None) => yearless_report_kind(&url),
                };
                let year = match kind {
                    PageKind::List => year.or_else(|| column_path_year(&url, page.url)),
                    _ => year,
                };
                return link(kind, false, year.or(page.year), body);
            }
            let framed_list =
                raw.embedded && !is_attachment && url.host_str() == page.url.host_str();
            if framed_list || is_pagination(text, &url, page.url) {
                return link(
                    PageKind::List,
                    true,
                    page.year,
                    page.body.map(str::to_string),
                );
            }
            if let Some(y) = bare_year_label(text) {
                return link(
                    PageKind::List,
                    false,
                    Some(y),
                    page.body.map(str::to_string),
                );
            }
            if is_child_column(&url, page.url) && !text.is_empty() {
                let body = body_column(text).or(page.body).map(str::to_string);
                let year = report_year(text)
                    .or_else(|| column_path_year(&url, page.url))
                    .or(page.year);
                return link(PageKind::List, false, year, body);
            }
            None
        }
        PageKind::Home | PageKind::Nav => {
            if url.host_str() != page.url.host_str() {
                return None;
            }
            if is_reportish(text) && (text.contains("公开") || year.is_none()) {
                let kind = if year.is_some() {
                    PageKind::Report
                } else {
                    yearless_report_kind(&url)
                };
                return link(kind, false, year, publishing_body(text));
            }
            if NAV_WORDS.iter().any(|w| text.contains(w)) {
                return link(PageKind::Nav, false, None, None);
            }
            None
        }
        PageKind::Robots | PageKind::Attachment => None,
    }
}

/// Text that names an annual report (年度报告 / 年报).
pub fn is_reportish(text: &str) -> bool {
    text.contains("年度报告") || text.contains("年报") || text.contains("年度工作报告")
}

/// A list entry cut short by the template (`南宁市2023年政府信息公开…`) with no `title`.
fn is_truncated_report_title(text: &str, year: Option<u16>) -> bool {
    let cut = text.ends_with('…') || text.ends_with("...") || text.ends_with("..");
    cut && year.is_some()
        && (text.contains("信息公开") || text.contains("政府信息") || text.contains("政务公开"))
}

/// True for directory-like URLs (`…/`, `…/index.shtml`): column pages rather than articles.
pub fn is_column_url(url: &Url) -> bool {
    let last = url.path().rsplit('/').next().unwrap_or("");
    last.is_empty() || last.starts_with("index") || last.starts_with("list")
}

/// The report year named in a text: `2023年…` first, else a bare four-digit year.
pub fn report_year(text: &str) -> Option<u16> {
    YEAR.captures(text)
        .or_else(|| BARE_YEAR.captures(text))
        .and_then(|c| c[1].parse().ok())
        .or_else(|| chinese_year(text))
}

/// `二〇二三年` → 2023.
fn chinese_year(text: &str) -> Option<u16> {
    let c = CN_YEAR.captures(text)?;
    let digits: String = c[1]
        .chars()
        .map(|ch| match ch {
            '〇' | '○' | '零' | 'Ｏ' | 'O' => '0',
            '一' => '1',
            '二' => '2',
            '三' => '3',
            '四' => '4',
            '五' => '5',
            '六' => '6',
            '七' => '7',
            '八' => '8',
            _ => '9',
        })
        .collect();
    digits.parse().ok().filter(|y| (1990..2100).contains(y))
}

/// A report link without a year: a column when its URL looks like one, else an article.
fn yearless_report_kind(url: &Url) -> PageKind {
    if is_column_url(url) {
        PageKind::List
    } else {
        PageKind::Report
    }
}

/// Link text that is only a year (`2023`, `2023年`, `2023年度`): a per-year sub-column.
fn bare_year_label(text: &str) -> Option<u16> {
    let t = text.trim_end_matches(['年', '度']).trim();
    (t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()))
        .then(|| t.parse().ok())
        .flatten()
        .filter(|y| (1990..2100).contains(y))
}

/// A link to another page of the same list: 下一页-style text, a page number next to the
/// list, or the list path with a `page=N`-style query.
fn is_pagination(text: &str, url: &Url, list: &Url) -> bool {
    if url.host_str() != list.host_str() {
        return false;
    }
    let t = text
        .trim_matches(['[', ']', '【', '】', ' '])
        .to_lowercase();
    if NEXT_TEXTS.iter().any(|n| t == *n) {
        return true;
    }
    let same_dir = dir_of(url) == dir_of(list);
    if same_dir && is_numbered_page_of(url, list) {
        return true;
    }
    if same_dir && !t.is_empty() && t.len() <= 3 && t.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    same_dir && url.query().is_some_and(|q| PAGE_PARAM.is_match(q))
}

/// A directory-like URL below the list page's directory on the same host.
fn is_child_column(url: &Url, list: &Url) -> bool {
    if url.host_str() != list.host_str() {
        return false;
    }
    let dir = dir_of(list);
    let path = url.path();
    let last = path.rsplit('/').next().unwrap_or("");
    let dir_like = last.is_empty() || last.starts_with("index");
    path.len() > dir.len() && path.starts_with(dir) && dir_like
}

/// `index_3.shtml` / `index-3.shtml` next to `index.shtml` (or a directory URL, whose page is
/// `index`), whatever the link text (often an arrow or an image).
fn is_numbered_page_of(url: &Url, list: &Url) -> bool {
    let last = url.path().rsplit('/').next().unwrap_or("");
    let Some(c) = NUMBERED_PAGE.captures(last) else {
        return false;
    };
    let list_last = list.path().rsplit('/').next().unwrap_or("");
    let list_stem = NUMBERED_PAGE
        .captures(list_last)
        .map(|l| l[1].to_string())
        .unwrap_or_else(|| match list_last.split_once('.') {
            Some((stem, _)) if !stem.is_empty() => stem.to_string(),
            _ => "index".to_string(),
        });
    c[1].eq_ignore_ascii_case(&list_stem)
}

/// The body a per-body sub-column's link text names (市人民政府, 市直部门, 县区 …).
fn body_column(text: &str) -> Option<&str> {
    let t = text.trim();
    BODY_COLUMNS.contains(&t).then_some(t)
}

/// The year in the path of a sub-column below the list (`nb_2024/zfxxgknb/`, `2023gknb/`).
/// Only for columns: an article URL's date (`t20240115_…`) is never a report year.
fn column_path_year(url: &Url, list: &Url) -> Option<u16> {
    let rest = url.path().strip_prefix(dir_of(list))?;
    rest.split('/')
        .filter(|seg| !seg.is_empty() && !seg.contains('.'))
        .find_map(|seg| PATH_YEAR.captures(seg).and_then(|c| c[1].parse().ok()))
        .filter(|y| (1990..2100).contains(y))
}

/// The id of an article or TRS attachment URL, in the three article families
/// (`t<id>.shtml`, dated `YYYYMM/tYYYYMMDD_<id>.shtml`, `t<id>.html`) and `P0<digits>.<ext>`
/// (with its extension: a portal may give a `.docx` and a `.doc` one stem).
pub fn article_id(url: &Url) -> Option<String> {
    let last = url.path().rsplit('/').next().unwrap_or("");
    if let Some(c) = ARTICLE_T
        .captures(last)
        .or_else(|| ARTICLE_DATED.captures(last))
    {
        return Some(format!("t{}", &c[1]));
    }
    let c = TRS_FILE.captures(last)?;
    let (id, ext) = c[1].split_once('.')?;
    Some(format!(
        "{}.{}",
        id.to_ascii_uppercase(),
        ext.to_ascii_lowercase()
    ))
}

/// A document's key: host + id (`www.gxgg.gov.cn#t11369142`), the same under every column
/// path and whatever date its URL carries. `None` for URLs of no known family.
pub fn doc_key(url: &Url) -> Option<String> {
    Some(format!(
        "{}#{}",
        url.host_str()?.to_ascii_lowercase(),
        article_id(url)?
    ))
}

/// The next page to probe of a list page that shows rows but no pager: `index.shtml` (or the
/// column directory) → `index_1.shtml`, `index_N.shtml` → `index_{N+1}.shtml`, while below
/// `max_pages`. `None` when the page is not such a list, or has a pager (`links` holds
/// same-level pages), or lists no article.
pub fn probe_next(page_url: &Url, links: &[Link], max_pages: usize) -> Option<Url> {
    if page_url.query().is_some() || links.iter().any(|l| l.same_level) {
        return None;
    }
    if !links.iter().any(|l| article_id(&l.url).is_some()) {
        return None;
    }
    let last = page_url.path().rsplit('/').next().unwrap_or("");
    let (n, ext) = if last.is_empty() {
        (0, "shtml".to_string())
    } else if let Some(c) = NUMBERED_PAGE.captures(last).filter(|c| &c[1] == "index") {
        (c[2].parse::<usize>().ok()?, c[3].to_string())
    } else {
        let (stem, ext) = last.split_once('.')?;
        if stem != "index" {
            return None;
        }
        (0, ext.to_string())
    };
    if n + 1 >= max_pages {
        return None;
    }
    if last.contains('-') {
        return None;
    }
    page_url.join(&format!("index_{}.{ext}", n + 1)).ok()
}

/// A numbered page of a list (`index_3.shtml`, `index-3.shtml`, `list_2.html`).
pub fn is_numbered_page(url: &Url) -> bool {
    NUMBERED_PAGE.is_match(url.path().rsplit('/').next().unwrap_or(""))
}

fn dir_of(url: &Url) -> &str {
    let p = url.path();
    &p[..p.rfind('/').map_or(0, |i| i + 1)]
}

/// Link text that is a file name (`2023年度报告.pdf`), for download links without an extension.
fn names_a_file(text: &str) -> bool {
    let t = text.trim().to_ascii_lowercase();
    ATTACHMENT_EXTS.iter().any(|e| t.ends_with(e))
}

/// Attachment by extension (path only) or by a download-servlet path.
pub fn is_attachment_url(url: &Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    if ATTACHMENT_EXTS.iter().any(|e| path.ends_with(e)) {
        return true;
    }
    let last = path.rsplit('/').next().unwrap_or("");
    let html_like = [".html", ".htm", ".shtml", ".jsp", ".php", ".asp", ".aspx"]
        .iter()
        .any(|e| last.ends_with(e));
    ["download", "downfile", "getfile", "attach"]
        .iter()
        .any(|w| last.contains(w))
        && (url.query().is_some() || !html_like)
}

/// Pages generated from a TRS `createPageHTML(count, current, "index", "html")` call or a
/// `countPage = N` variable, resolved against the list page's directory.
fn script_pagination(html: &str, page_url: &Url, max_pages: usize) -> Vec<Url> {
    let mut out = Vec::new();
    let lower_has = |words: &[&str]| {
        let lower = html.to_ascii_lowercase();
        words.iter().any(|w| lower.contains(w))
    };
    let create_page = html.contains("createPageHTML") || html.contains("createPage(");
    let counter = !create_page && lower_has(&["countpage", "totalpage", "pagecount", "page_count"]);
    if !create_page && !counter {
        return out;
    }
    if let Some(c) = CREATE_PAGE.captures(html).filter(|_| create_page) {
        let count: usize = c[2].parse().unwrap_or(0);
        let one_based = c.get(1).is_some();
        out.extend(numbered_pages(
            page_url, &c[4], &c[5], count, max_pages, one_based,
        ));
    } else if let Some(c) = PAGE_COUNT_VAR.captures(html) {
        let count: usize = c[1].parse().unwrap_or(0);
        let last = page_url.path().rsplit('/').next().unwrap_or("");
        let (stem, ext) = last.split_once('.').unwrap_or(("index", "html"));
        let stem = stem.split('_').next().unwrap_or("index");
        let stem = if stem.is_empty() { "index" } else { stem };
        out.extend(numbered_pages(page_url, stem, ext, count, max_pages, false));
    }
    out
}

fn numbered_pages(
    page_url: &Url,
    stem: &str,
    ext: &str,
    count: usize,
    max_pages: usize,
    one_based: bool,
) -> Vec<Url> {
    // Page k (0-based) is `stem_k` (signature A) or `stem_{k+1}` (signature B); page 0 is `stem`.
    let shift = usize::from(one_based);
    (0..count.min(max_pages))
        .map(|i| match i {
            0 => format!("{stem}.{ext}"),
            _ => format!("{stem}_{}.{ext}", i + shift),
        })
        .filter_map(|name| page_url.join(&name).ok())
        .filter(|u| u != page_url)
        .collect()
}

/// The publishing body a report title names: the text before the year
/// (`南宁市财政局2023年…`) or between the year and 政府信息公开 (`2023年南宁市财政局政府信息公开…`).
pub fn publishing_body(title: &str) -> Option<String> {
    let m = YEAR.find(title).or_else(|| BARE_YEAR.find(title))?;
    let before = title[..m.start()]
        .trim_matches(|c: char| c.is_whitespace() || "《》【】[]()（）:：-".contains(c));
    let before = before.strip_suffix("关于").unwrap_or(before).trim();
    if !before.is_empty() {
        return Some(before.to_string());
    }
    let after = title[m.end()..].trim_start_matches('度').trim();
    let end = ["政府信息公开", "信息公开", "政务公开", "年度报告", "年报"]
        .iter()
        .filter_map(|k| after.find(k))
        .min()?;
    let body = after[..end].trim();
    (!body.is_empty()).then(|| body.to_string())
}

/// True when `body` is the city government itself (or unnamed), false for a department,
/// district or county.
pub fn is_city_level(body: Option<&str>, city: &str) -> bool {
    let Some(body) = body else { return true };
    let short = city.trim_end_matches('市');
    let rest = body
        .strip_prefix(city)
        .or_else(|| body.strip_prefix(short))
        .unwrap_or(body);
    matches!(
        rest.trim(),
        "" | "市"
            | "人民政府"
            | "市人民政府"
            | "政府"
            | "市政府"
            | "人民政府办公室"
            | "市人民政府办公室"
            | "人民政府办公厅"
            | "政府办公室"
            | "市政府办公室"
            | "本级"
            | "市本级"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(url: &str, kind: PageKind) -> (Url, PageKind) {
        (Url::parse(url).unwrap(), kind)
    }

    fn run(html: &str, url: &str, kind: PageKind) -> Vec<Link> {
        let (u, k) = page(url, kind);
        discover(
            html,
            &Page {
                url: &u,
                kind: k,
                year: None,
                body: None,
                max_list_pages: 50,
            },
        )
    }

    #[test]
    fn trs_create_page_html_expands_to_numbered_pages() {
        let html = r#"<script>createPageHTML(3, 0, "index", "shtml");</script>"#;
        let links = run(html, "http://a.cn/zwgk/nb/index.shtml", PageKind::List);
        let urls: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "http://a.cn/zwgk/nb/index_1.shtml",
                "http://a.cn/zwgk/nb/index_2.shtml"
            ]
        );
        assert!(links
            .iter()
            .all(|l| l.same_level && l.kind == PageKind::List));
    }

    #[test]
    fn report_links_are_chosen_by_text_or_title_with_their_year() {
        let html = r#"<ul>
          <li><a href="t1.shtml" title="南宁市2023年政府信息公开工作年度报告">南宁市2023年政府信息…</a></li>
          <li><a href="t2.shtml">关于开展防汛工作的通知</a></li>
          <li><a href="/f/2022.pdf">2022年政府信息公开工作年度报告</a></li></ul>"#;
        let links = run(html, "http://a.cn/nb/", PageKind::List);
        assert_eq!(links.len(), 2, "{links:?}");
        assert_eq!(
            (links[0].kind, links[0].year),
            (PageKind::Report, Some(2023))
        );
        assert_eq!(links[0].body.as_deref(), Some("南宁市"));
        assert_eq!(
            (links[1].kind, links[1].year),
            (PageKind::Attachment, Some(2022))
        );
    }

    #[test]
    fn next_page_links_and_page_queries_are_pagination() {
        let html = r#"<a href="list?page=2">2</a><a href="index_1.html">[下一页]</a><a href="/other/x?page=2">3</a>"#;
        let links = run(html, "http://a.cn/nb/list?page=1", PageKind::List);
        let urls: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(
            urls,
            ["http://a.cn/nb/list?page=2", "http://a.cn/nb/index_1.html"]
        );
    }

    #[test]
    fn attachments_hide_in_iframes_onclick_and_viewers() {
        let html = r#"<iframe src="/pdfjs/web/viewer.html?file=%2Ff%2Fa.pdf"></iframe>
            <span onclick="window.open('/f/b.docx')">下载</span>
            <embed src="c.wps"><a href="/zwgk/">返回</a>"#;
        let links = run(html, "http://a.cn/nb/t1.shtml", PageKind::Report);
        let urls: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "http://a.cn/f/a.pdf",
                "http://a.cn/f/b.docx",
                "http://a.cn/nb/c.wps"
            ]
        );
        assert!(links.iter().all(|l| l.kind == PageKind::Attachment));
    }

    #[test]
    fn home_pages_lead_to_the_report_column_on_the_same_host_only() {
        let html = r#"<a href="/xxgk/">政府信息公开</a><a href="/xxgk/ndbg/">政府信息公开年度报告</a>
            <a href="http://other.cn/xxgk/">信息公开</a><a href="/news/">新闻</a>"#;
        let links = run(html, "http://a.cn/", PageKind::Home);
        let kinds: Vec<(PageKind, &str)> = links.iter().map(|l| (l.kind, l.url.path())).collect();
        assert_eq!(
            kinds,
            [(PageKind::Nav, "/xxgk/"), (PageKind::List, "/xxgk/ndbg/")]
        );
    }

    #[test]
    fn publishing_bodies_and_city_level() {
        assert_eq!(
            publishing_body("南宁市财政局2023年政府信息公开工作年度报告").as_deref(),
            Some("南宁市财政局")
        );
        assert_eq!(
            publishing_body("2023年南宁市财政局政府信息公开工作年度报告").as_deref(),
            Some("南宁市财政局")
        );
        assert_eq!(publishing_body("2023年政府信息公开工作年度报告"), None);
        assert!(is_city_level(Some("南宁市人民政府"), "南宁市"));
        assert!(is_city_level(None, "南宁市"));
        assert!(!is_city_level(Some("南宁市财政局"), "南宁市"));
        assert!(!is_city_level(Some("兴宁区"), "南宁市"));
    }

    #[test]
    fn trs_pagination_with_a_container_id_first_is_one_based() {
        // Signature B: page 1 is index.shtml, page N ≥ 2 is index_N.shtml.
        let html = r#"<script>createPageHTML('page_div', 3, 2, 'index', 'shtml', 45);</script>"#;
        let links = run(html, "http://a.cn/nb/index_2.shtml", PageKind::List);
        let urls: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(
            urls,
            ["http://a.cn/nb/index.shtml", "http://a.cn/nb/index_3.shtml"]
        );
        let html = r#"<script>createPageHTML('page_div',10, 1,'dezlist','shtml',149)</script>"#;
        let links = run(html, "http://a.cn/nb/dezlist.shtml", PageKind::List);
        assert_eq!(links.len(), 9);
        assert_eq!(links[0].url.as_str(), "http://a.cn/nb/dezlist_2.shtml");
        assert_eq!(links[8].url.as_str(), "http://a.cn/nb/dezlist_10.shtml");
        // Signature A through `createPage(`: 0-based.
        let html = r#"<script>createPage(3, 0, "index", "shtml");</script>"#;
        let links = run(html, "http://a.cn/nb/", PageKind::List);
        let urls: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "http://a.cn/nb/index.shtml",
                "http://a.cn/nb/index_1.shtml",
                "http://a.cn/nb/index_2.shtml"
            ]
        );
    }

    #[test]
    fn numbered_page_links_are_pagination_whatever_their_text() {
        let html = r#"<div class="more-page"><a href="index-2.shtml">›</a>
            <a href="index.shtml?pageIndex=3"><img src="n.png"></a><a href="index_4.shtml"></a>
            <a href="list_2.shtml">›</a><a href="t123.shtml">›</a><a href="../index_1.shtml">上级</a></div>"#;
        let links = run(html, "http://a.cn/nb/index.shtml", PageKind::List);
        let urls: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "http://a.cn/nb/index-2.shtml",
                "http://a.cn/nb/index.shtml?pageIndex=3",
                "http://a.cn/nb/index_4.shtml"
            ]
        );
        assert!(links.iter().all(|l| l.same_level));
    }

    #[test]
    fn morelist_rows_give_the_full_title_and_the_row_date() {
        let html = r#"<div id="morelist"><ul class="more-list">
            <li><a href="./t11369142.shtml" title="贵港市2021年政府信息公开工作年度报告" target="_blank">贵港市2021年政府信息…</a><span>2022-01-28</span></li>
            <li><a href="./t11369143.shtml" title="2021年政府信息公开工作年度报告">2021年…</a><span>（2022.1.5）</span></li>
            <li><a href="./t11369144.shtml" title="关于防汛的通知">关于防汛…</a><span>2022-01-05</span></li>
            </ul></div>"#;
        let links = run(html, "http://a.cn/zfxxgk/ndbg/", PageKind::List);
        assert_eq!(links.len(), 2, "{links:?}");
        assert_eq!(links[0].text, "贵港市2021年政府信息公开工作年度报告");
        assert_eq!(links[0].date.as_deref(), Some("2022-01-28"));
        assert_eq!(links[0].year, Some(2021));
        assert_eq!(links[1].date.as_deref(), Some("2022-01-05"));
        assert_eq!(links[1].year, Some(2021), "the row date is not the year");
    }

    #[test]
    fn per_body_and_per_year_sub_columns_are_kept_apart() {
        let html = r#"<ul class="more-list">
            <li><a href="./szf/">市人民政府</a></li><li><a href="./szbm/">市直部门</a></li>
            <li><a href="./xq/" title="县区">县区</a></li>
            <li><a href="./nb_2024/zfxxgknb/">政府信息公开年报</a></li>
            <li><a href="./2023gknb/">本级</a></li></ul>"#;
        let (u, k) = page("http://a.cn/zfxxgk/zfxxgkndbg/", PageKind::List);
        let links = discover(
            html,
            &Page {
                url: &u,
                kind: k,
                year: None,
                body: Some("上级"),
                max_list_pages: 50,
            },
        );
        let got: Vec<(&str, Option<&str>, Option<u16>, PageKind)> = links
            .iter()
            .map(|l| (l.url.path(), l.body.as_deref(), l.year, l.kind))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "/zfxxgk/zfxxgkndbg/szf/",
                    Some("市人民政府"),
                    None,
                    PageKind::List
                ),
                (
                    "/zfxxgk/zfxxgkndbg/szbm/",
                    Some("市直部门"),
                    None,
                    PageKind::List
                ),
                ("/zfxxgk/zfxxgkndbg/xq/", Some("县区"), None, PageKind::List),
                (
                    "/zfxxgk/zfxxgkndbg/nb_2024/zfxxgknb/",
                    Some("上级"),
                    Some(2024),
                    PageKind::List
                ),
                (
                    "/zfxxgk/zfxxgkndbg/2023gknb/",
                    Some("本级"),
                    Some(2023),
                    PageKind::List
                ),
            ]
        );
        assert!(is_city_level(Some("市人民政府"), "贵港市"));
        assert!(!is_city_level(Some("市直部门"), "贵港市"));
        assert!(!is_city_level(Some("县区"), "贵港市"));
    }

    #[test]
    fn documents_are_keyed_by_host_and_id_in_every_family() {
        let key = |u: &str| doc_key(&Url::parse(u).unwrap());
        assert_eq!(
            key("http://www.gxgg.gov.cn/zfxxgk/ndbg/t11369142.shtml").as_deref(),
            Some("www.gxgg.gov.cn#t11369142")
        );
        assert_eq!(
            key("http://www.gxgg.gov.cn/other/col/t11369142.shtml"),
            key("http://WWW.gxgg.gov.cn/zfxxgk/ndbg/t11369142.shtml")
        );
        // The date in a dated URL is no part of the key (柳南区 `t19700101_…`).
        assert_eq!(
            key("http://www.liuzhou.gov.cn/a/202401/t20240115_3401234.shtml"),
            key("http://www.liuzhou.gov.cn/b/197001/t19700101_3401234.shtml")
        );
        assert_eq!(
            key("http://www.nanning.gov.cn/x/t5824867.html").as_deref(),
            Some("www.nanning.gov.cn#t5824867")
        );
        for ext in [
            "pdf", "doc", "docx", "wps", "ofd", "xls", "xlsx", "et", "PDF",
        ] {
            let u = format!("http://a.cn/nb/P020240930573724841467.{ext}");
            let want = format!("a.cn#P020240930573724841467.{}", ext.to_ascii_lowercase());
            assert_eq!(key(&u), Some(want), "{ext}");
            assert!(is_attachment_url(&Url::parse(&u).unwrap()), "{ext}");
        }
        assert_eq!(key("http://a.cn/nb/index_1.shtml"), None);
        assert_eq!(key("http://a.cn/nb/"), None);
        assert_ne!(key("http://a.cn/t1.shtml"), key("http://b.cn/t1.shtml"));
    }

    #[test]
    fn a_list_without_a_pager_is_probed_page_by_page() {
        let rows = r#"<ul class="more-list"><li><a href="./t1.shtml" title="2023年政府信息公开工作年度报告">x</a></li></ul>"#;
        let probe = |url: &str, html: &str, max: usize| {
            let u = Url::parse(url).unwrap();
            let links = discover(
                html,
                &Page {
                    url: &u,
                    kind: PageKind::List,
                    year: None,
                    body: None,
                    max_list_pages: max,
                },
            );
            probe_next(&u, &links, max).map(|u| u.to_string())
        };
        assert_eq!(
            probe("http://a.cn/nb/", rows, 50).as_deref(),
            Some("http://a.cn/nb/index_1.shtml")
        );
        assert_eq!(
            probe("http://a.cn/nb/index.html", rows, 50).as_deref(),
            Some("http://a.cn/nb/index_1.html")
        );
        assert_eq!(
            probe("http://a.cn/nb/index_7.shtml", rows, 50).as_deref(),
            Some("http://a.cn/nb/index_8.shtml")
        );
        // Capped, and never where a pager exists, no row is listed, or the page is no index.
        assert_eq!(probe("http://a.cn/nb/index_4.shtml", rows, 5), None);
        let paged = format!(r#"{rows}<script>createPageHTML(2, 0, "index", "shtml")</script>"#);
        assert_eq!(probe("http://a.cn/nb/index.shtml", &paged, 50), None);
        assert_eq!(probe("http://a.cn/nb/", "<a href='/x/'>首页</a>", 50), None);
        assert_eq!(probe("http://a.cn/nb/list.shtml", rows, 50), None);
        assert_eq!(probe("http://a.cn/nb/index.shtml?page=2", rows, 50), None);
    }

    #[test]
    fn hanweb_cdata_records_are_read() {
        let html = r#"<script type="text/xml"><datastore><recordset>
            <record><![CDATA[<li><a href="/art/2024/1/30/art_1_1.html" title="南宁市2023年政府信息公开工作年度报告">x</a></li>]]></record>
            </recordset></datastore></script>"#;
        let links = run(html, "http://a.cn/col/col1/index.html", PageKind::List);
        assert_eq!(links.len(), 1, "{links:?}");
        assert_eq!(
            links[0].url.as_str(),
            "http://a.cn/art/2024/1/30/art_1_1.html"
        );
    }

    #[test]
    fn download_links_named_by_their_text_are_attachments() {
        let html = r#"<a href="/servlet/fileId=123">2023年度报告.PDF</a><a href="/x/">返回</a>"#;
        let links = run(html, "http://a.cn/nb/t1.shtml", PageKind::Report);
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].kind, PageKind::Attachment);
    }

    #[test]
    fn chinese_numeral_years_and_yearless_titles() {
        assert_eq!(
            report_year("二〇二三年政府信息公开工作年度报告"),
            Some(2023)
        );
        assert_eq!(report_year("二零一九年度报告"), Some(2019));
        let html = r#"<a href="szf/">市政府信息公开年度报告</a><a href="t77.shtml">市政府信息公开工作年度报告</a>"#;
        let links = run(html, "http://a.cn/nb/", PageKind::List);
        let kinds: Vec<PageKind> = links.iter().map(|l| l.kind).collect();
        assert_eq!(kinds, [PageKind::List, PageKind::Report]);
    }

    #[test]
    fn a_list_shown_in_a_frame_is_read_as_the_same_list() {
        let html = r#"<iframe src="./list_content.html"></iframe><iframe src="http://ads.cn/x.html"></iframe>"#;
        let links = run(html, "http://a.cn/nb/index.html", PageKind::List);
        assert_eq!(links.len(), 1, "{links:?}");
        assert_eq!((links[0].kind, links[0].same_level), (PageKind::List, true));
    }

    #[test]
    fn truncated_titles_without_a_title_attribute_still_count() {
        let html = r#"<a href="t1.shtml">南宁市2023年政府信息公开…</a><a href="t2.shtml">南宁市2023年防汛…</a>"#;
        let links = run(html, "http://a.cn/nb/", PageKind::List);
        assert_eq!(links.len(), 1, "{links:?}");
        assert_eq!(
            (links[0].kind, links[0].year),
            (PageKind::Report, Some(2023))
        );
    }

    #[test]
    fn year_labels_and_child_columns_are_sub_lists() {
        let html = r#"<a href="2023gknb/">2023年</a><a href="nb_2024/zfxxgknb/">市本级</a><a href="/a/">外部</a>"#;
        let links = run(html, "http://a.cn/zfxxgk/ndbg/", PageKind::List);
        assert_eq!(links.len(), 2, "{links:?}");
        assert_eq!(links[0].year, Some(2023));
        assert_eq!(links[1].url.path(), "/zfxxgk/ndbg/nb_2024/zfxxgknb/");
    }
}
