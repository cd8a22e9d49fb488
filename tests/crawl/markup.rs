//! Portals with markup the generator does not produce: per-year sub-columns (防城港), 市本级
//! sub-columns (钦州), Hanweb CDATA lists with `pageNo=` links, GBK lists with truncated titles
//! and no `title`, PDF-only reports, download servlets, and a `<meta refresh>` column.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::time::Duration;

use nianbao_crawler::discover::PageKind;
use nianbao_fixtures::{Portal, Resource, ServeOptions, Site, TEST_CRAWL_SETTINGS};

use super::harness::{crawl_with, path_of, runtime};

fn utf8(body: &str) -> Resource {
    Resource::new(
        "text/html; charset=utf-8",
        format!("<html><body>{body}</body></html>"),
    )
}

fn gbk(body: &str) -> Resource {
    let html = format!("<html><head><title>信息公开</title></head><body>{body}</body></html>");
    Resource::new("text/html", encoding_rs::GBK.encode(&html).0.into_owned())
}

fn pdf() -> Resource {
    Resource::new("application/octet-stream", b"%PDF-1.5\n%%EOF\n".to_vec())
}

/// Bytes smuggled through a `String` header value one char per byte (Latin-1), which is how
/// the fixture sends non-UTF-8 header bytes.
fn unsafe_latin1(bytes: &[u8]) -> String {
    format!(
        "attachment; filename=\"{}\"",
        bytes.iter().map(|&b| b as char).collect::<String>()
    )
}

fn site<S: Into<String>>(
    city: &str,
    adcode: &str,
    ip: u8,
    list: &str,
    pages: Vec<(S, Resource)>,
) -> Site {
    let mut resources = std::collections::BTreeMap::new();
    resources.insert(
        "/robots.txt".to_string(),
        Resource::new("text/plain", "User-agent: *\nAllow: /\n"),
    );
    for (path, res) in pages {
        resources.insert(path.into(), res);
    }
    Site {
        city: city.into(),
        adcode: adcode.into(),
        ip: Ipv4Addr::new(127, 0, 0, ip),
        resources,
        list_path: list.into(),
        expected: Vec::new(),
        forbidden: Vec::new(),
        search: None,
    }
}

/// 防城港-style: the column lists per-year sub-columns; each sub-column lists the city's and
/// the departments' reports.
fn fangchenggang() -> Site {
    site(
        "防城港市",
        "450600",
        70,
        "/zfxxgk/zfxxgkndbg/",
        vec![
            (
                "/zfxxgk/zfxxgkndbg/",
                utf8(
                    r#"<div class="rightDiv"><ul>
            <li><span><a href="./2024gknb/">2024年</a></span></li>
            <li><span><a href="./2023gknb/">2023年度</a></span></li></ul></div>"#,
                ),
            ),
            (
                "/zfxxgk/zfxxgkndbg/2024gknb/",
                utf8(
                    r#"<ul>
            <li><a href="./t19595017.shtml">防城港市大数据和行政审批局2024年政府信息公开工作年度报告</a></li>
            <li><a href="./t19595001.shtml">防城港市人民政府2024年政府信息公开工作年度报告</a></li></ul>"#,
                ),
            ),
            (
                "/zfxxgk/zfxxgkndbg/2023gknb/",
                utf8(
                    r#"<ul>
            <li><a href="./t17907678.shtml">防城港市人民政府办公室2023年政府信息公开工作年度报告</a></li></ul>
            <div>[<a href="index_1.shtml">下一页</a>]</div>"#,
                ),
            ),
            (
                "/zfxxgk/zfxxgkndbg/2023gknb/index_1.shtml",
                utf8(
                    r#"<ul>
            <li><a href="./t17900001.shtml">防城港市水利局2023年政府信息公开工作年度报告</a></li></ul>"#,
                ),
            ),
            (
                "/zfxxgk/zfxxgkndbg/2024gknb/t19595017.shtml",
                utf8("<h1>2024</h1><table><tr><td>1</td></tr></table>"),
            ),
            (
                "/zfxxgk/zfxxgkndbg/2024gknb/t19595001.shtml",
                utf8(
                    r#"<h1>报告</h1><p>附件：<a href="/downfile.jsp?id=77">2024年度报告.pdf</a></p>"#,
                ),
            ),
            ("/downfile.jsp?id=77", {
                // A raw GBK file name, as many CMSs send it.
                let mut r = pdf();
                let name = encoding_rs::GBK.encode("2024年度报告.pdf").0.into_owned();
                r.headers
                    .push(("content-disposition".into(), unsafe_latin1(&name)));
                r
            }),
            (
                "/zfxxgk/zfxxgkndbg/2023gknb/t17907678.shtml",
                utf8("<table><tr><td>2023</td></tr></table>"),
            ),
            (
                "/zfxxgk/zfxxgkndbg/2023gknb/t17900001.shtml",
                utf8("<table><tr><td>水利</td></tr></table>"),
            ),
        ],
    )
}

/// 钦州-style GBK lists with truncated titles and no `title` attribute; the column links its
/// 市本级 and 机关 sub-columns; one report is a PDF linked straight from the list.
fn qinzhou() -> Site {
    site(
        "钦州市",
        "450700",
        71,
        "/zfxxgk/zfxxgkgzndbg/sj/",
        vec![
            (
                "/zfxxgk/zfxxgkgzndbg/sj/",
                gbk(r#"<div class="sublist"><ul>
            <li><a href="nb_2024/zfxxgknb/">市本级</a></li><li><a href="nb_2024/jgzfxxgknb/">机关</a></li></ul></div>"#),
            ),
            (
                "/zfxxgk/zfxxgkgzndbg/sj/nb_2024/zfxxgknb/",
                gbk(r#"<div class="sublist"><ul>
            <li><a href="t19691926.shtml">钦州市2024年政府信息公开…</a></li>
            <li><a href="/uploads/qz2023.pdf">钦州市2023年政府信息公开工作年度报告</a></li></ul></div>"#),
            ),
            (
                "/zfxxgk/zfxxgkgzndbg/sj/nb_2024/jgzfxxgknb/",
                gbk(r#"<ul>
            <li><a href="t15609267.shtml">钦州市交通运输局2024年政府信息公开工作年度报告</a></li></ul>"#),
            ),
            (
                "/zfxxgk/zfxxgkgzndbg/sj/nb_2024/zfxxgknb/t19691926.shtml",
                gbk("<table><tr><td>钦州</td></tr></table>"),
            ),
            (
                "/zfxxgk/zfxxgkgzndbg/sj/nb_2024/jgzfxxgknb/t15609267.shtml",
                gbk("<table><tr><td>交通</td></tr></table>"),
            ),
            ("/uploads/qz2023.pdf", pdf()),
        ],
    )
}

/// Hanweb-style: entries inside `<![CDATA[…]]>` records, `?pageNo=N` pagination; the
/// configured list is a stub that redirects by `<meta http-equiv=refresh>`.
fn hanweb() -> Site {
    let record = |href: &str, title: &str| {
        format!(
            r#"<record><![CDATA[<li><a href="{href}" title="{title}" target="_blank">{title}</a></li>]]></record>"#
        )
    };
    let page1 = format!(
        r#"<div id="4417"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/col/col4417/index.html?uid=1&pageNo=2"></a>]]></nextgroup><recordset>{}</recordset></datastore></script></div>
        <a href="/col/col4417/index.html?uid=1&pageNo=2">2</a>"#,
        record(
            "/art/2024/1/30/art_4417_1.html",
            "贺州市2023年政府信息公开工作年度报告"
        )
    );
    let page2 = format!(
        "<script type=\"text/xml\"><datastore><recordset>{}</recordset></datastore></script>",
        record(
            "/art/2023/1/20/art_4417_2.html",
            "贺州市2022年政府信息公开工作年度报告"
        )
    );
    site(
        "贺州市",
        "451100",
        72,
        "/xxgk/nb.html",
        vec![
            (
                "/xxgk/nb.html",
                utf8(r#"<meta http-equiv="refresh" content="0; url=/col/col4417/index.html">"#),
            ),
            ("/col/col4417/index.html", utf8(&page1)),
            ("/col/col4417/index.html?uid=1&pageNo=2", utf8(&page2)),
            (
                "/art/2024/1/30/art_4417_1.html",
                utf8(r#"<iframe src="/picture/0/report2023.pdf"></iframe>"#),
            ),
            (
                "/art/2023/1/20/art_4417_2.html",
                utf8(
                    r#"<a href="javascript:void(0)" onclick="window.open('/module/download/downfile.jsp?classid=0&filename=2022.docx')">下载</a>"#,
                ),
            ),
            ("/picture/0/report2023.pdf", pdf()),
            (
                "/module/download/downfile.jsp?classid=0&filename=2022.docx",
                Resource::new("application/octet-stream", b"PK\x03\x04docx".to_vec()),
            ),
        ],
    )
}

#[test]
fn unfamiliar_portal_markup_is_crawled_to_every_report_and_attachment() {
    let sites = vec![fangchenggang(), qinzhou(), hanweb()];
    let portal = runtime()
        .block_on(Portal::start(
            sites,
            ServeOptions {
                latency: Duration::ZERO,
                port: 0,
            },
        ))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    crawl_with(&portal, TEST_CRAWL_SETTINGS, dir.path(), |o| {
        o.scope = nianbao_crawler::Scope::All
    });
    let archive = nianbao_archive::Archive::open(dir.path()).unwrap();
    let found: BTreeSet<(String, &str, String, Option<u16>)> = archive
        .entries()
        .unwrap()
        .into_iter()
        .map(|e| {
            (
                e.target.city.clone(),
                e.target.kind.as_str(),
                path_of(&e.target.url),
                e.target.year,
            )
        })
        .collect();
    let want: BTreeSet<(String, &str, String, Option<u16>)> = [
        (
            "防城港市",
            PageKind::Report,
            "/zfxxgk/zfxxgkndbg/2024gknb/t19595017.shtml",
            2024,
        ),
        (
            "防城港市",
            PageKind::Report,
            "/zfxxgk/zfxxgkndbg/2024gknb/t19595001.shtml",
            2024,
        ),
        (
            "防城港市",
            PageKind::Attachment,
            "/downfile.jsp?id=77",
            2024,
        ),
        (
            "防城港市",
            PageKind::Report,
            "/zfxxgk/zfxxgkndbg/2023gknb/t17907678.shtml",
            2023,
        ),
        (
            "防城港市",
            PageKind::Report,
            "/zfxxgk/zfxxgkndbg/2023gknb/t17900001.shtml",
            2023,
        ),
        (
            "钦州市",
            PageKind::Report,
            "/zfxxgk/zfxxgkgzndbg/sj/nb_2024/zfxxgknb/t19691926.shtml",
            2024,
        ),
        (
            "钦州市",
            PageKind::Report,
            "/zfxxgk/zfxxgkgzndbg/sj/nb_2024/jgzfxxgknb/t15609267.shtml",
            2024,
        ),
        ("钦州市", PageKind::Attachment, "/uploads/qz2023.pdf", 2023),
        (
            "贺州市",
            PageKind::Report,
            "/art/2024/1/30/art_4417_1.html",
            2023,
        ),
        (
            "贺州市",
            PageKind::Report,
            "/art/2023/1/20/art_4417_2.html",
            2022,
        ),
        (
            "贺州市",
            PageKind::Attachment,
            "/picture/0/report2023.pdf",
            2023,
        ),
        (
            "贺州市",
            PageKind::Attachment,
            "/module/download/downfile.jsp?classid=0&filename=2022.docx",
            2022,
        ),
    ]
    .into_iter()
    .map(|(c, k, p, y)| (c.to_string(), k.as_str(), p.to_string(), Some(y)))
    .collect();
    let missing: Vec<_> = want.difference(&found).collect();
    let extra: Vec<_> = found.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nextra {extra:#?}"
    );
    let bodies: BTreeSet<Option<String>> = archive
        .entries()
        .unwrap()
        .into_iter()
        .map(|e| e.target.body)
        .collect();
    assert!(bodies.contains(&Some("防城港市水利局".to_string())));
    assert!(bodies.contains(&Some("钦州市交通运输局".to_string())));
    let names: BTreeSet<Option<String>> = archive
        .entries()
        .unwrap()
        .into_iter()
        .map(|e| e.filename)
        .collect();
    assert!(
        names.contains(&Some("2024年度报告.pdf".to_string())),
        "{names:?}"
    );
    assert!(names.contains(&Some("qz2023.pdf".to_string())), "{names:?}");
}

/// A host whose report pages all answer with a 412 challenge.
fn challenged() -> Site {
    let mut pages: Vec<(String, Resource)> = vec![];
    let mut lis = String::new();
    let paths: Vec<String> = (0..6).map(|i| format!("/nb/t{i}.shtml")).collect();
    for (i, p) in paths.iter().enumerate() {
        lis.push_str(&format!(
            r#"<li><a href="{p}">来宾市{}年政府信息公开工作年度报告</a></li>"#,
            2019 + i
        ));
    }
    let list = utf8(&format!("<ul>{lis}</ul>"));
    let challenge = Resource {
        status: 412,
        headers: vec![("content-type".into(), "text/html".into())],
        body: bytes::Bytes::from_static(
            b"<script>document.cookie='x=1';location.reload()</script>",
        ),
        fault: nianbao_fixtures::Fault::None,
    };
    for p in &paths {
        pages.push((p.clone(), challenge.clone()));
    }
    pages.push(("/nb/".into(), list));
    site("来宾市", "451300", 73, "/nb/", pages)
}

#[test]
fn a_host_is_given_up_after_blocked_host_limit_challenges_without_a_storm() {
    let portal = runtime()
        .block_on(Portal::start(vec![challenged()], ServeOptions::default()))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let settings = TEST_CRAWL_SETTINGS
        .replace("per_host_concurrency = 2", "per_host_concurrency = 1")
        + "\nblocked_host_limit = 3";
    let summary = crawl_with(&portal, &settings, dir.path(), |_| {});
    let c = &portal.sites[0].counters;
    let challenged: u64 = (0..6).map(|i| c.requests(&format!("/nb/t{i}.shtml"))).sum();
    assert_eq!(
        challenged, 3,
        "exactly blocked_host_limit challenge requests, none retried"
    );
    let city = &summary.cities[0];
    assert_eq!(city.failures.get("blocked"), Some(&6), "{city:?}");
    // The home-page fallback must not hammer a blocked host either.
    assert_eq!(c.requests("/"), 0);
}

/// The aggregation of an archive whose only report failed: the coverage table names it with the
/// crawl's reason, and the other cities of the (built-in Guangxi) config say `not_found`.
fn failed_report_is_a_coverage_entry(archive: &std::path::Path) {
    let out = tempfile::tempdir().unwrap();
    let o = crate::util::run(
        crate::util::bin()
            .args(["aggregate", "-q", "--archive"])
            .arg(archive)
            .arg("--out")
            .arg(out.path()),
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "nothing to compare: {}",
        crate::util::describe(&o)
    );
    let text = std::fs::read_to_string(out.path().join("coverage.csv")).unwrap();
    let failed: Vec<&str> = text.lines().filter(|l| l.contains("崇左市")).collect();
    assert_eq!(failed.len(), 1, "{text}");
    assert!(
        failed[0].contains(",2023,fetch_failed,") && failed[0].contains("http-500"),
        "{text}"
    );
    let not_found = text.lines().filter(|l| l.contains(",not_found,")).count();
    assert_eq!(not_found, 13, "the other 13 cities of 2023: {text}");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("14 city-years without the city government's report"),
        "{stderr}"
    );
}

#[test]
fn failed_urls_stay_failed_on_resume_and_are_retried_on_request() {
    let flaky = Resource::new(
        "text/html; charset=utf-8",
        "<table><tr><td>1</td></tr></table>",
    )
    .with_fault(nianbao_fixtures::Fault::FailFirst {
        n: 3,
        status: 500,
        retry_after: None,
    });
    let pages = vec![
        (
            "/nb/",
            utf8(r#"<a href="t1.shtml">崇左市2023年政府信息公开工作年度报告</a>"#),
        ),
        ("/nb/t1.shtml", flaky),
    ];
    let portal = runtime()
        .block_on(Portal::start(
            vec![site("崇左市", "451400", 74, "/nb/", pages)],
            ServeOptions::default(),
        ))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = &portal.sites[0].counters;
    let first = crawl_with(&portal, TEST_CRAWL_SETTINGS, dir.path(), |_| {});
    assert_eq!(c.requests("/nb/t1.shtml"), 3, "retries = 2");
    assert_eq!(first.cities[0].failures.get("http-500"), Some(&1));
    failed_report_is_a_coverage_entry(dir.path());
    let rerun = crawl_with(&portal, TEST_CRAWL_SETTINGS, dir.path(), |_| {});
    assert_eq!(
        c.requests("/nb/t1.shtml"),
        3,
        "a failed report is final for a plain rerun"
    );
    assert_eq!(c.requests("/nb/"), 2, "the list page is revalidated");
    assert_eq!(rerun.cities[0].failures.get("http-500"), Some(&1));
    let retried = crawl_with(&portal, TEST_CRAWL_SETTINGS, dir.path(), |o| {
        o.retry_failed = true
    });
    assert_eq!(c.requests("/nb/t1.shtml"), 4);
    assert_eq!(retried.harvested(), 1);
    assert!(
        retried.cities[0].failures.is_empty(),
        "{:?}",
        retried.cities[0]
    );
}
