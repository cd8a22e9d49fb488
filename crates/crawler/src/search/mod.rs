//! Site search, the discovery fallback: a city's `[city.search]` + a page number → the request
//! to send ([`request`]); the answer → [`ResultPage`] (hits with title, URL, date, and the
//! pager) ([`parse`]); a hit → the annual-report link worth fetching, or nothing
//! ([`report_link`]). Pure: `run` sends the requests politely, records the search in the
//! crawl state and queues what it keeps.
//!
//! One module per platform ([`SearchKind`]): `trs_irs` for the TRS IRS JSON endpoint. A new
//! platform (南宁's 开普云) is a variant, a module with its request and answer, and an arm in
//! [`request`] and [`parse`].

pub(crate) mod run;
mod trs_irs;

use url::Url;

use super::config::{SearchKind, SiteSearch};
use super::discover::{
    is_attachment_url, is_reportish, publishing_body, report_year, Link, PageKind,
};
use super::fetch::Outgoing;

/// Results asked for per page (the page size the platform's own search page uses).
pub const PAGE_SIZE: u32 = 10;

/// One search result as the platform gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The title (highlighting tags are removed by [`report_link`]).
    pub title: String,
    /// The URL, absolute or relative to the search endpoint.
    pub url: String,
    /// The publication date or time, as given.
    pub date: Option<String>,
}

/// One page of results.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultPage {
    /// The results of this page, in the platform's order.
    pub hits: Vec<Hit>,
    /// How many result pages there are, when the platform says.
    pub page_count: Option<u32>,
    /// How many results there are in all, when the platform says.
    pub total: Option<u64>,
}

/// The request for result page `page` (1-based) of `search`.
pub fn request(search: &SiteSearch, url: &Url, page: u32) -> Outgoing {
    match search.kind {
        SearchKind::TrsIrs => trs_irs::request(search, url, page),
    }
}

/// Reads an answer body (content-decoded) of a `kind` search. The error says why it is not
/// the platform's answer (not JSON, no result list).
pub fn parse(kind: SearchKind, body: &[u8]) -> Result<ResultPage, String> {
    match kind {
        SearchKind::TrsIrs => trs_irs::parse(body),
    }
}

/// The link to fetch for a hit that is a 政府信息公开 annual report naming its year: a report
/// page, or an attachment when the URL is a file. Its body is the one its title names (none:
/// the site's own government). `None` for any other hit (news, another kind of 年度报告, a
/// title without a year, a URL that is not http(s)). Hosts, years and bodies wanted are the
/// caller's to check.
pub fn report_link(hit: &Hit, search_url: &Url) -> Option<Link> {
    let title = strip_tags(&hit.title);
    if !is_disclosure_report(&title) {
        return None;
    }
    let year = report_year(&title)?;
    let mut url = search_url.join(hit.url.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    url.set_fragment(None);
    let kind = if is_attachment_url(&url) {
        PageKind::Attachment
    } else {
        PageKind::Report
    };
    Some(Link {
        url,
        kind,
        body: publishing_body(&title),
        text: title,
        year: Some(year),
        same_level: false,
        date: hit.date.clone(),
    })
}

/// A 政府信息公开 (or 政务公开) annual report's title; a search for the report words also
/// finds other 年度报告 (法治政府建设, 统计公报…) and pages about a report (图解, 解读: a
/// picture or a commentary, not the tables), which are not.
fn is_disclosure_report(title: &str) -> bool {
    is_reportish(title)
        && (title.contains("信息公开") || title.contains("政务公开"))
        && !["图解", "解读"].iter().any(|w| title.contains(w))
}

/// The text of a title without the platform's highlighting (`<em>…</em>`, `<font …>`),
/// entities for `<`, `>`, `&` and spaces decoded, whitespace collapsed.
fn strip_tags(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut in_tag = false;
    for c in title.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(title: &str, url: &str) -> Hit {
        Hit {
            title: title.into(),
            url: url.into(),
            date: Some("2024-01-30".into()),
        }
    }

    #[test]
    fn only_disclosure_reports_with_a_year_become_links() {
        let base = Url::parse("http://www.gxgg.gov.cn/irs/front/search").unwrap();
        let l = report_link(
            &hit(
                "<em>贵港市</em>2023年<em>政府信息公开工作年度报告</em>",
                "/zfxxgk/t17000001.shtml",
            ),
            &base,
        )
        .unwrap();
        assert_eq!(
            l.url.as_str(),
            "http://www.gxgg.gov.cn/zfxxgk/t17000001.shtml"
        );
        assert_eq!((l.kind, l.year), (PageKind::Report, Some(2023)));
        assert_eq!(l.body.as_deref(), Some("贵港市"));
        assert_eq!(l.text, "贵港市2023年政府信息公开工作年度报告");
        let pdf = report_link(
            &hit(
                "2022年贵港市财政局政府信息公开工作年度报告",
                "http://czj.gxgg.gov.cn/a/P020230130000000000022.pdf",
            ),
            &base,
        )
        .unwrap();
        assert_eq!(pdf.kind, PageKind::Attachment);
        assert_eq!(pdf.body.as_deref(), Some("贵港市财政局"));
        for other in [
            "贵港市2023年法治政府建设年度报告",
            "政府信息公开工作年度报告",
            "关于做好2023年政府信息公开工作的通知",
            "图解：贵港市2023年政府信息公开工作年度报告",
        ] {
            assert_eq!(
                report_link(&hit(other, "/x/t1.shtml"), &base),
                None,
                "{other}"
            );
        }
        assert_eq!(
            report_link(
                &hit("2023年政府信息公开工作年度报告", "javascript:void(0)"),
                &base
            ),
            None
        );
    }
}
