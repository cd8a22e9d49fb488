//! The site search as a discovery fallback (`[city.search]`, TRS IRS) against the fixture's
//! `POST /irs/front/search` (`nianbao_fixtures::search`): a script-rendered column harvested
//! through the search (both result keys, two result pages), the years a column walk missed
//! filled and no others, no search when every wanted year is found, a search that answers
//! nothing logged with its code, robots.txt obeyed, and the POSTs archived with their
//! bodies. Synchronised on the portal's per-path counters; no sleeps.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::path::Path;
use std::time::Duration;

use nianbao_archive::state::search_outcome;
use nianbao_crawler::{Scope, Summary};
use nianbao_fixtures::search::{search_site, ColumnShape, ResultKey, SEARCH_PATH};
use nianbao_fixtures::{Portal, ServeOptions, Site, TEST_CRAWL_SETTINGS};

use super::harness::{crawl_with, path_of, runtime};

/// A [`search_site`] on `127.0.0.{ip}`, served.
fn search_portal(ip: u8, shape: ColumnShape, key: ResultKey, stale: bool) -> Portal {
    serve(search_site(Ipv4Addr::new(127, 0, 0, ip), shape, key, stale))
}

fn serve(site: Site) -> Portal {
    runtime()
        .block_on(Portal::start(
            vec![site],
            ServeOptions {
                latency: Duration::ZERO,
                port: 0,
            },
        ))
        .expect("portal starts")
}

/// Paths of every report page and attachment captured.
fn found(dir: &Path) -> BTreeSet<String> {
    nianbao_archive::Archive::open(dir)
        .unwrap()
        .entries()
        .unwrap()
        .into_iter()
        .map(|e| path_of(&e.target.url))
        .collect()
}

fn wanted(portal: &Portal, city_only: bool) -> BTreeSet<String> {
    portal.sites[0]
        .site
        .expected
        .iter()
        .filter(|e| e.city_level || !city_only)
        .map(|e| e.path.clone())
        .collect()
}

/// The archive holds exactly the wanted reports and attachments (the city government's with
/// `city_only`).
fn assert_harvested(portal: &Portal, dir: &Path, city_only: bool, summary: &Summary) {
    assert_eq!(
        found(dir),
        wanted(portal, city_only),
        "{}",
        summary.render()
    );
}

fn requests(portal: &Portal, path: &str) -> u64 {
    portal.sites[0].counters.requests(path)
}

fn search_of(summary: &Summary) -> nianbao_archive::state::SearchRecord {
    summary.cities[0]
        .search
        .clone()
        .expect("a search was recorded")
}

/// Every path a correct crawl must leave alone was left alone.
fn assert_nothing_forbidden(portal: &Portal) {
    for path in &portal.sites[0].site.forbidden {
        assert_eq!(requests(portal, path), 0, "{path}");
    }
}

#[test]
fn a_script_rendered_column_is_harvested_through_the_site_search() {
    let portal = search_portal(
        90,
        ColumnShape::ScriptRendered,
        ResultKey::ListAndBox,
        false,
    );
    let dir = tempfile::tempdir().unwrap();
    let summary = crawl_with(&portal, TEST_CRAWL_SETTINGS, dir.path(), |_| {});
    assert_harvested(&portal, dir.path(), true, &summary);
    assert_eq!(
        wanted(&portal, true).len(),
        11,
        "2020–2024 with attachments, 2019 as a PDF"
    );
    // Both result pages, once each; no home-page walk: the search found the reports.
    assert_eq!(requests(&portal, SEARCH_PATH), 2);
    assert_eq!(requests(&portal, "/"), 0);
    assert_nothing_forbidden(&portal);
    let s = search_of(&summary);
    assert_eq!(s.outcome, search_outcome::ANSWERED);
    assert_eq!((s.pages, s.hits, s.total), (2, 13, Some(13)));
    assert_eq!((s.kept, s.queued), (6, 6), "five articles and the 2019 PDF");
    assert!(
        summary.cities[0].failures.is_empty(),
        "{:?}",
        summary.cities[0]
    );
    // The off-site hit never entered the crawl state.
    let db = super::harness::rusqlite_free::Db::open(dir.path());
    assert_eq!(db.count("host = '127.0.0.254'"), 0);
    assert_eq!(db.count("url LIKE '%2018%'"), 0);
    // Every result page's POST is archived with its JSON body, and its answer.
    let posts = archived_posts(dir.path());
    assert_eq!(posts.len(), 2, "{posts:?}");
    assert!(posts
        .iter()
        .all(|p| p.contains("\"code\":\"181aedaa74b\"") && p.contains("\"dataTypeId\":\"5723\"")));
    assert!(posts[1].contains("\"pageNo\":2"), "{}", posts[1]);
    for file in std::fs::read_dir(dir.path().join("warc")).unwrap() {
        super::warcio::warcio_check(&file.unwrap().path());
    }

    // The next run searches again, and fetches no report again.
    let before = portal.sites[0].counters.paths();
    let again = crawl_with(&portal, TEST_CRAWL_SETTINGS, dir.path(), |_| {});
    assert_eq!(requests(&portal, SEARCH_PATH), 4);
    let s = search_of(&again);
    assert_eq!((s.kept, s.queued), (0, 0), "every hit is harvested: {s:?}");
    for path in wanted(&portal, true) {
        assert_eq!(
            requests(&portal, &path),
            before[&path],
            "{path} fetched again"
        );
    }
}

#[test]
fn the_all_scope_keeps_the_departments_and_counties_the_search_finds() {
    let portal = search_portal(91, ColumnShape::ScriptRendered, ResultKey::List, false);
    let dir = tempfile::tempdir().unwrap();
    let summary = crawl_with(&portal, TEST_CRAWL_SETTINGS, dir.path(), |o| {
        o.scope = Scope::All
    });
    assert_harvested(&portal, dir.path(), false, &summary);
    let archive = nianbao_archive::Archive::open(dir.path()).unwrap();
    let county = archive
        .entries()
        .unwrap()
        .into_iter()
        .find(|e| e.target.url.ends_with("/t15002023.shtml"))
        .expect("the county's report");
    assert_eq!(
        (county.target.body.as_deref(), county.target.year),
        (Some("平南县"), Some(2023))
    );
    assert_nothing_forbidden(&portal);
}

#[test]
fn the_search_fills_the_years_the_column_walk_missed_and_runs_only_when_one_is_missing() {
    let portal = search_portal(92, ColumnShape::Partial, ResultKey::List, false);
    // --years 2023..2024: the column lists both; no search at all.
    let dir = tempfile::tempdir().unwrap();
    let summary = crawl_with(&portal, TEST_CRAWL_SETTINGS, dir.path(), |o| {
        o.years = Some(2023..=2024)
    });
    assert_eq!(requests(&portal, SEARCH_PATH), 0, "{}", summary.render());
    assert!(summary.cities[0].search.is_none());
    let listed: BTreeSet<String> = portal.sites[0]
        .site
        .expected
        .iter()
        .filter(|e| e.city_level && e.year >= 2023)
        .map(|e| e.path.clone())
        .collect();
    assert_eq!(found(dir.path()), listed);

    // --years 2019..2024 in the same archive: the search fills 2019–2022, stops once they
    // are all found, and fetches the listed years no second time.
    let summary = crawl_with(&portal, TEST_CRAWL_SETTINGS, dir.path(), |o| {
        o.years = Some(2019..=2024)
    });
    assert_harvested(&portal, dir.path(), true, &summary);
    assert_eq!(
        requests(&portal, SEARCH_PATH),
        2,
        "the 2019 PDF is on page 2"
    );
    for path in &listed {
        assert_eq!(requests(&portal, path), 1, "{path}");
    }
    let s = search_of(&summary);
    assert_eq!((s.kept, s.queued), (4, 4), "2019–2022: {s:?}");
    assert_nothing_forbidden(&portal);

    // --years 2022..2022, all found now: no search.
    crawl_with(&portal, TEST_CRAWL_SETTINGS, dir.path(), |o| {
        o.years = Some(2022..=2022)
    });
    assert_eq!(requests(&portal, SEARCH_PATH), 2);
}

#[test]
fn a_search_that_answers_nothing_is_logged_with_its_code_and_the_home_page_is_tried() {
    let portal = search_portal(93, ColumnShape::ScriptRendered, ResultKey::ListAndBox, true);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("stale.toml");
    std::fs::write(&config, portal.config_toml(TEST_CRAWL_SETTINGS)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["crawl", "--quiet", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(dir.path().join("h"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "nothing harvested: {stderr}");
    assert_eq!(requests(&portal, SEARCH_PATH), 1, "one page, then no more");
    // The log line and the summary both name the code used.
    let warned = stderr
        .lines()
        .find(|l| l.contains("WARN") && l.contains("answered nothing"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        warned.contains("code 181aedaa74b") && warned.contains("dataTypeId 5723"),
        "{warned}"
    );
    assert!(
        stderr.contains("search: answered nothing (code 181aedaa74b"),
        "{stderr}"
    );
    // With nothing found, the portal's home page is searched for the column.
    assert_eq!(requests(&portal, "/"), 1);
}

#[test]
fn a_site_answering_only_through_a_proxy_is_searched_through_it() {
    use nianbao_fixtures::net::{refusing_addr, CountingProxy};
    let portal = search_portal(
        95,
        ColumnShape::ScriptRendered,
        ResultKey::ListAndBox,
        false,
    );
    // The city is configured on an address where nothing listens; the proxy routes it to
    // the site.
    let proxied = refusing_addr(Ipv4Addr::new(127, 0, 0, 96)).unwrap();
    let routes = std::collections::HashMap::from([(proxied.to_string(), portal.sites[0].addr)]);
    let proxy = runtime()
        .block_on(CountingProxy::start_routing(Ipv4Addr::LOCALHOST, routes))
        .unwrap();
    let text = portal
        .config_toml(TEST_CRAWL_SETTINGS)
        .replace(&portal.sites[0].base, &format!("http://{proxied}"))
        + &format!(
            "\n[[crawl.host]]\nhost = \"{}\"\nproxy = \"{}\"\n",
            proxied.ip(),
            proxy.url(None)
        );
    let dir = tempfile::tempdir().unwrap();
    let summary = super::harness::crawl_toml(&text, dir.path(), |_| {});
    let want: BTreeSet<String> = wanted(&portal, true);
    assert_eq!(found(dir.path()), want, "{}", summary.render());
    assert_eq!(requests(&portal, SEARCH_PATH), 2);
    // Every request, the two POSTs included, went through the proxy.
    let total = portal.sites[0].counters.total();
    assert_eq!(proxy.forwarded(&proxied.to_string()), total);
    assert_eq!(proxy.targets().len(), 1);
    assert!(!summary.incomplete(), "{}", summary.render());
}

#[test]
fn a_search_on_a_host_that_never_answers_is_bounded_and_left_for_the_next_run() {
    use nianbao_fixtures::net::SilentHost;
    let silent = runtime()
        .block_on(SilentHost::start(Ipv4Addr::new(127, 0, 0, 97)))
        .unwrap();
    let base = format!("http://{}", silent.addr);
    let settings = TEST_CRAWL_SETTINGS
        .replace("request_timeout_ms = 10000", "request_timeout_ms = 300")
        .replace("connect_timeout_ms = 5000", "connect_timeout_ms = 300");
    let text = format!(
        "[crawl]\n{settings}\n[[city]]\nname = \"静默市\"\nadcode = \"459901\"\nportal = \"{base}/\"\n\
         [city.search]\nkind = \"trs-irs\"\nurl = \"{base}{SEARCH_PATH}\"\ncode = \"181aedaa74b\"\n\
         data_type_id = \"5723\"\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let summary = super::harness::crawl_toml(&text, dir.path(), |_| {});
    // robots.txt and its two retries, then nothing more: no POST, no home page.
    runtime().block_on(silent.wait_for_accepted(3));
    assert_eq!(silent.accepted(), 3);
    assert!(summary.incomplete(), "{}", summary.render());
    assert_eq!(summary.unreachable[0].host, "127.0.0.97");
    let s = search_of(&summary);
    assert_eq!(s.outcome, search_outcome::DEFERRED, "{s:?}");
    assert!(
        summary.render().contains("search: deferred"),
        "{}",
        summary.render()
    );
}

#[test]
fn robots_txt_may_forbid_the_search() {
    let mut site = search_site(
        Ipv4Addr::new(127, 0, 0, 94),
        ColumnShape::ScriptRendered,
        ResultKey::ListAndBox,
        false,
    );
    site.resources.insert(
        "/robots.txt".into(),
        nianbao_fixtures::Resource::new("text/plain", "User-agent: *\nDisallow: /irs/\n"),
    );
    let portal = serve(site);
    let dir = tempfile::tempdir().unwrap();
    let summary = crawl_with(&portal, TEST_CRAWL_SETTINGS, dir.path(), |_| {});
    assert_eq!(requests(&portal, SEARCH_PATH), 0);
    let s = search_of(&summary);
    assert_eq!(s.outcome, search_outcome::SKIPPED);
    assert!(s.error.unwrap().contains("robots"));
}

/// The bodies of the POST requests in the WARC files, in order.
fn archived_posts(dir: &Path) -> Vec<String> {
    let mut files: Vec<_> = std::fs::read_dir(dir.join("warc"))
        .unwrap()
        .map(|f| f.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| nianbao_archive::warc::read_all(f).unwrap())
        .filter(|r| r.field("WARC-Type") == Some("request") && r.block.starts_with(b"POST "))
        .map(|r| String::from_utf8_lossy(&r.block).into_owned())
        .collect()
}
