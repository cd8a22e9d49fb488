//! The column shapes of the shared TRS cluster (`nianbao_fixtures::cluster_site`): per-body and
//! per-year sub-column trees, `more-list` rows with `title=` and a date, both `createPageHTML`
//! signatures, `index-N` and `?pageIndex=N` pagers, pager-less lists probed page by page,
//! the three article URL families, `P0…` attachments of every format in the column
//! directories, and one document listed under two column paths. Synchronised on the portal's
//! per-path request counters; no sleeps.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::time::Duration;

use nianbao_crawler::Scope;
use nianbao_fixtures::{cluster_site, Portal, ServeOptions, TEST_CRAWL_SETTINGS};

use super::harness::{crawl_portal, path_of, runtime};

const COL: &str = "/zfxxgk/zfxxgkndbg/";

struct Run {
    portal: Portal,
    found: BTreeSet<String>,
    summary: nianbao_crawler::Summary,
    _dir: tempfile::TempDir,
}

fn run(scope: Scope, ip: u8) -> Run {
    let site = cluster_site(Ipv4Addr::new(127, 0, 0, ip));
    let portal = runtime()
        .block_on(Portal::start(
            vec![site],
            ServeOptions {
                latency: Duration::ZERO,
                port: 0,
            },
        ))
        .expect("portal starts");
    let dir = tempfile::tempdir().unwrap();
    let summary = crawl_portal(&portal, TEST_CRAWL_SETTINGS, scope, dir.path());
    // `NB_DUMP=1` prints the crawl state rows, to see why a link was taken or left.
    if std::env::var_os("NB_DUMP").is_some() {
        let c = rusqlite::Connection::open(dir.path().join("state.sqlite")).unwrap();
        let mut st = c
            .prepare(
                "SELECT url, kind, body, year, status, error, parent, depth FROM urls ORDER BY id",
            )
            .unwrap();
        let rows = st
            .query_map([], |r| {
                Ok(format!(
                    "{} {} {:?} {:?} {} {:?} <- {:?} d{}",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, i64>(7)?
                ))
            })
            .unwrap();
        for r in rows {
            eprintln!("{}", r.unwrap());
        }
    }
    let found = nianbao_archive::Archive::open(dir.path())
        .unwrap()
        .entries()
        .unwrap()
        .into_iter()
        .map(|e| path_of(&e.target.url))
        .collect();
    Run {
        portal,
        found,
        summary,
        _dir: dir,
    }
}

fn requests(r: &Run, path: &str) -> u64 {
    r.portal.sites[0].counters.requests(path)
}

#[test]
fn the_city_scope_finds_every_city_report_of_the_column_tree_and_nothing_else() {
    let r = run(Scope::City, 80);
    let site = &r.portal.sites[0].site;
    let want: BTreeSet<String> = site
        .expected
        .iter()
        .filter(|e| e.city_level)
        .map(|e| e.path.clone())
        .collect();
    assert_eq!(r.found, want, "{:?}", r.summary);
    assert_eq!(want.len(), 14, "5 reports, 9 attachments of every format");
    // Departments' and counties' sub-columns are walked, their reports are not fetched.
    for id in ["szbm/t16000001", "szbm/t16000002", "xq/t15000001"] {
        assert_eq!(requests(&r, &format!("{COL}{id}.shtml")), 0, "{id}");
    }
    // The 2022 report listed again under another column is the same document.
    assert_eq!(requests(&r, "/zfxxgk/tzgg/t14000001.shtml"), 0);
    let city = &r.summary.cities[0];
    assert!(city.failures.is_empty(), "{city:?}");
}

#[test]
fn pager_less_lists_are_probed_until_a_page_is_missing_or_repeats() {
    let r = run(Scope::City, 81);
    let y23 = format!("{COL}szf/nb_2023/zfxxgknb/");
    // A second page exists: fetched; the third is missing: asked once, and the probe ends.
    assert_eq!(requests(&r, &format!("{y23}index_1.shtml")), 1);
    assert_eq!(requests(&r, &format!("{y23}index_2.shtml")), 1);
    assert_eq!(requests(&r, &format!("{y23}index_3.shtml")), 0);
    // 市直部门 answers its second page with the first: the probe ends there.
    assert_eq!(requests(&r, &format!("{COL}szbm/index_1.shtml")), 1);
    assert_eq!(requests(&r, &format!("{COL}szbm/index_2.shtml")), 0);
    // Lists with a pager are not probed.
    assert_eq!(requests(&r, &format!("{COL}szf/index_2.shtml")), 0);
    assert_eq!(requests(&r, &format!("{COL}xq/index_1.shtml")), 0);
    assert_eq!(
        requests(&r, &format!("{COL}index_1.shtml")),
        0,
        "no rows, no probe"
    );
    // Signature B is one-based: index_2 is page 2, index_1 does not exist.
    assert_eq!(
        requests(&r, &format!("{COL}szf/nb_2024/zfxxgknb/index_2.shtml")),
        1
    );
    assert_eq!(
        requests(&r, &format!("{COL}szf/nb_2024/zfxxgknb/index_1.shtml")),
        0
    );
    // A missing probed page ends its list: no failure, and no list page counted for it.
    let city = &r.summary.cities[0];
    assert!(city.failures.is_empty(), "{city:?}");
    // Every request was asked once.
    for (path, n) in r.portal.sites[0].counters.paths() {
        assert_eq!(n, 1, "{path} requested {n} times");
    }
}

#[test]
fn the_all_scope_keeps_departments_and_counties_apart_with_their_bodies() {
    let r = run(Scope::All, 82);
    let site = &r.portal.sites[0].site;
    let want: BTreeSet<String> = site.expected.iter().map(|e| e.path.clone()).collect();
    assert_eq!(r.found, want);
    let archive = nianbao_archive::Archive::open(r._dir.path()).unwrap();
    let bodies: BTreeSet<(String, Option<String>, Option<u16>)> = archive
        .entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.target.url.contains("/szbm/") || e.target.url.contains("/xq/"))
        .map(|e| (path_of(&e.target.url), e.target.body.clone(), e.target.year))
        .collect();
    let b = |p: &str, body: &str| (format!("{COL}{p}"), Some(body.to_string()), Some(2023));
    assert_eq!(
        bodies,
        [
            b("szbm/t16000001.shtml", "市直部门"),
            b("szbm/t16000002.shtml", "贵港市财政局"),
            b("xq/t15000001.shtml", "平南县"),
            b("xq/t15000002.shtml", "桂平市"),
            b("xq/t15000003.shtml", "港北区"),
        ]
        .into_iter()
        .collect()
    );
    // The 2024 report names no year nor body: both come from its sub-columns.
    let y24 = archive
        .entries()
        .unwrap()
        .into_iter()
        .find(|e| e.target.url.ends_with("/t19595017.shtml"))
        .expect("2024 report");
    assert_eq!(
        (y24.target.year, y24.target.body.as_deref()),
        (Some(2024), Some("市人民政府"))
    );
}

#[test]
fn a_second_run_revalidates_the_lists_and_refetches_no_report() {
    let r = run(Scope::City, 83);
    let again = crawl_portal(&r.portal, TEST_CRAWL_SETTINGS, Scope::City, r._dir.path());
    assert!(again.cities[0].failures.is_empty(), "{again:?}");
    let y23 = format!("{COL}szf/nb_2023/zfxxgknb/");
    for (path, n) in r.portal.sites[0].counters.paths() {
        let list = path.ends_with('/') || path.contains("/index");
        let want = if list || path == "/robots.txt" { 2 } else { 1 };
        assert_eq!(n, want, "{path}");
    }
    // The list's end is asked again (a new page may have appeared), and no further.
    assert_eq!(requests(&r, &format!("{y23}index_2.shtml")), 2);
    assert_eq!(requests(&r, &format!("{y23}index_3.shtml")), 0);
    assert_eq!(again.cities[0].list_pages, r.summary.cities[0].list_pages);
}
