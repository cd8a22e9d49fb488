//! One crawl of the fixture portal (3 city hosts with faults), read by many assertions.

use std::collections::BTreeSet;

use nianbao_crawler::discover::PageKind;

use super::harness::{all_scope, city_scope, path_of};

fn expected(h: &super::harness::Harvest, city_level_only: bool) -> BTreeSet<(String, String)> {
    h.portal
        .sites
        .iter()
        .flat_map(|s| {
            s.site
                .expected
                .iter()
                .filter(move |e| e.city_level || !city_level_only)
                .map(move |e| (s.site.city.clone(), e.path.clone()))
        })
        .collect()
}

#[test]
fn every_city_report_and_attachment_is_found() {
    let h = city_scope();
    let found = h.found();
    let want = expected(h, true);
    let missing: Vec<_> = want.difference(&found).collect();
    let extra: Vec<_> = found.difference(&want).collect();
    assert!(missing.is_empty(), "missing: {missing:#?}");
    assert!(extra.is_empty(), "unexpected: {extra:#?}");
    assert!(
        want.len() > 40,
        "the fixture should be non-trivial ({} items)",
        want.len()
    );
}

#[test]
fn scope_all_keeps_department_reports_tagged_with_their_body() {
    let h = all_scope();
    let want = expected(h, false);
    assert_eq!(h.found(), want);
    let entries = h.archive().entries().unwrap();
    let dept: Vec<_> = entries
        .iter()
        .filter(|e| e.target.body.as_deref() == Some("南宁市财政局"))
        .collect();
    assert!(dept.iter().any(|e| e.target.kind == PageKind::Report));
    assert!(
        dept.iter().any(|e| e.target.kind == PageKind::Attachment),
        "attachments inherit the body"
    );
}

#[test]
fn reports_carry_their_year_and_city() {
    let h = city_scope();
    let archive = h.archive();
    for e in archive.entries().unwrap() {
        let site = h
            .portal
            .sites
            .iter()
            .find(|s| s.site.city == e.target.city)
            .unwrap();
        let exp = site
            .site
            .expected
            .iter()
            .find(|x| x.path == path_of(&e.target.url))
            .unwrap();
        assert_eq!(e.target.year, Some(exp.year), "{}", e.target.url);
    }
}

#[test]
fn gbk_pages_with_and_without_declarations_decode_to_the_report_text() {
    let h = city_scope();
    let archive = h.archive();
    let reports: Vec<_> = archive
        .entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.target.kind == PageKind::Report)
        .collect();
    let mut gbk = 0;
    for e in &reports {
        let payload = archive.payload(e).unwrap();
        let decoded = nianbao_parser::decode::decode_html(&payload, e.http_charset.as_deref());
        assert!(
            decoded.text.contains("年度报告"),
            "{} decoded as {}",
            e.target.url,
            decoded
        );
        assert!(
            !decoded.had_errors,
            "{} decoded with errors as {decoded}",
            e.target.url
        );
        gbk += usize::from(decoded.encoding == encoding_rs::GBK);
    }
    assert!(gbk >= 3, "the fixture serves GBK report pages ({gbk})");
}

#[test]
fn attachment_types_are_detected_by_magic_bytes() {
    let h = city_scope();
    let archive = h.archive();
    for e in archive
        .entries()
        .unwrap()
        .iter()
        .filter(|e| e.target.kind == PageKind::Attachment)
    {
        let want = match e.target.url.rsplit('.').next() {
            Some("pdf") => "pdf",
            Some("doc" | "xls") => "ole",
            Some("docx") => "zip",
            other => panic!("unexpected attachment {other:?}"),
        };
        assert_eq!(e.file_type, want, "{}", e.target.url);
        let bytes = archive.payload(e).unwrap();
        assert_eq!(nianbao_crawler::fetch::sniff(&bytes), want);
        let raw = archive.raw_payload(e).unwrap();
        assert_eq!(nianbao_archive::warc::sha1_base32(&raw), e.payload_digest);
        let ext = e.target.url.rsplit('.').next().unwrap();
        assert!(
            e.filename.as_deref().is_some_and(|f| f.ends_with(ext)),
            "{:?}",
            e.filename
        );
    }
}

#[test]
fn in_flight_requests_per_host_never_exceed_the_limit() {
    for h in [city_scope(), all_scope()] {
        for s in &h.portal.sites {
            let max = s.counters.max_in_flight();
            assert!(max <= 2, "{} saw {max} requests at once (limit 2)", s.base);
            assert!(s.counters.total() > 10);
        }
    }
}

#[test]
fn retries_happen_with_retry_after_and_stop() {
    let h = city_scope();
    let c = &h.portal.sites[0].counters;
    assert_eq!(
        c.requests("/zfxxgk/ndbg/f/t9001.shtml"),
        3,
        "two 503s with Retry-After, then 200"
    );
    assert_eq!(c.requests("/f/e500.pdf"), 2, "one 500, then 200");
    assert_eq!(c.requests("/f/reset.pdf"), 2, "reset mid-body, then 200");
    assert_eq!(c.requests("/f/trunc.pdf"), 2, "truncated body, then 200");
    assert_eq!(
        c.requests("/f/always500.pdf"),
        3,
        "retries = 2: three requests, then give up"
    );
    let db = h.db();
    let (st, err) = db.status_of("/f/always500.pdf");
    assert_eq!(st, "failed");
    assert!(err.unwrap().starts_with("http-500"));
}

#[test]
fn challenge_pages_are_blocked_and_not_retried() {
    let h = city_scope();
    assert_eq!(
        h.portal.sites[1]
            .counters
            .requests("/zfxxgk/ndbg/f/t9101.shtml"),
        1
    );
    let (st, err) = h.db().status_of("/zfxxgk/ndbg/f/t9101.shtml");
    assert_eq!(st, "blocked");
    assert!(err.unwrap().contains("412"));
    let site = h
        .summary
        .cities
        .iter()
        .find(|c| c.name == h.portal.sites[1].site.city)
        .unwrap();
    assert_eq!(site.failures.get("blocked"), Some(&1));
}

#[test]
fn nothing_outside_the_allowed_hosts_or_robots_txt_is_requested() {
    for h in [city_scope(), all_scope()] {
        assert_eq!(
            h.portal.outside.counters.total(),
            0,
            "the off-site redirect was followed"
        );
        for s in &h.portal.sites {
            for path in &s.site.forbidden {
                assert_eq!(
                    s.counters.requests(path),
                    0,
                    "{path} is disallowed by robots.txt"
                );
            }
            assert_eq!(
                s.counters.requests("/robots.txt"),
                1,
                "robots.txt once per host"
            );
        }
        let (st, err) = h.db().status_of("/go/out.pdf");
        assert_eq!(st, "failed");
        assert!(err.unwrap().starts_with("offsite"));
        assert_eq!(h.db().status_of("/private/secret.pdf").0, "skipped");
    }
}

#[test]
fn body_and_decompression_caps_and_redirect_loops_end_in_failures() {
    let h = city_scope();
    let db = h.db();
    assert!(db
        .status_of("/f/big.pdf")
        .1
        .unwrap()
        .starts_with("too-large"));
    assert!(db
        .status_of("/f/bomb.pdf")
        .1
        .unwrap()
        .starts_with("decompression-cap"));
    assert!(db
        .status_of("/loop/a.pdf")
        .1
        .unwrap()
        .starts_with("redirect-loop"));
    assert_eq!(h.portal.sites[0].counters.requests("/loop/a.pdf"), 1);
}

#[test]
fn a_dead_list_page_falls_back_to_the_home_page() {
    let h = city_scope();
    let last = h.portal.sites.last().unwrap();
    assert_eq!(
        last.counters.requests("/old/xxgknb/index.html"),
        1,
        "404 is not retried"
    );
    assert_eq!(last.counters.requests("/"), 1, "home page searched");
    let city = h
        .summary
        .cities
        .iter()
        .find(|c| c.name == last.site.city)
        .unwrap();
    assert!(
        city.reports_by_year.values().sum::<usize>() >= 6,
        "{city:?}"
    );
}

#[test]
fn the_summary_counts_reports_per_year_and_attachments() {
    let h = city_scope();
    assert_eq!(h.summary.harvested(), h.archive().entries().unwrap().len());
    for c in &h.summary.cities {
        assert!(c.list_pages >= 2, "{c:?}");
        for y in 2019..=2024 {
            assert!(
                c.reports_by_year.get(&Some(y)).copied().unwrap_or(0) >= 1,
                "{} has no {y} report",
                c.name
            );
        }
        assert!(c.attachments >= 6);
    }
    assert!(h.summary.render().contains("attachments"));
}

#[test]
fn a_rerun_of_a_finished_crawl_revalidates_only_robots_txt_and_the_list_pages() {
    // Its own crawl: the rerun writes to the archive and the portal's counters.
    let h = super::harness::harvest(nianbao_crawler::Scope::All);
    let before: Vec<_> = h.portal.sites.iter().map(|s| s.counters.paths()).collect();
    let summary = super::harness::crawl_portal(
        &h.portal,
        nianbao_fixtures::TEST_CRAWL_SETTINGS,
        nianbao_crawler::Scope::All,
        h.dir.path(),
    );
    assert!(summary.requests > 0, "the list pages are revalidated");
    for (s, before) in h.portal.sites.iter().zip(&before) {
        for e in &s.site.expected {
            assert_eq!(
                s.counters.requests(&e.path),
                before.get(&e.path).copied().unwrap_or(0),
                "{} {} was fetched again",
                s.base,
                e.path
            );
        }
    }
    let db = h.db();
    assert_eq!(
        db.count("kind IN ('report', 'attachment') AND not_modified = 1"),
        0
    );
    assert!(db.count("kind = 'list' AND not_modified = 1") >= 3);
    assert_eq!(
        db.count("kind = 'list' AND status = 'done' AND not_modified = 0"),
        0,
        "every unchanged list page answered 304 to its conditional request"
    );
    assert_eq!(summary.harvested(), h.summary.harvested());
}
