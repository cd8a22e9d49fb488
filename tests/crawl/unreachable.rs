//! Hosts that never answer: one accepts connections and stays silent, one refuses them. After
//! `unreachable_after` requests in a row without an answer the host is left alone for the run,
//! its URLs stay pending (never failed), the other cities are harvested, the crawl ends in
//! bounded time, the summary names the hosts with the proxy hint, and the next run tries them
//! again.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use nianbao_fixtures::net::{refusing_addr, SilentHost};
use nianbao_fixtures::TEST_CRAWL_SETTINGS;
use nianbao_fixtures::{generate, DefaultContent, Portal, PortalOptions, ServeOptions};

use super::harness::rusqlite_free::Db;
use super::harness::{crawl_toml, path_of, runtime};

const SILENT_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 201);
const REFUSING_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 202);

#[test]
fn unreachable_hosts_are_bounded_left_pending_and_reported() {
    let opts = PortalOptions {
        cities: 2,
        years: 2021..=2022,
        faults: false,
        dead_list_on_last: false,
        ..PortalOptions::default()
    };
    let sites = generate::generate(&opts, &DefaultContent);
    let serve = ServeOptions {
        latency: Duration::from_millis(1),
        port: 0,
    };
    let portal = runtime().block_on(Portal::start(sites, serve)).unwrap();
    let silent = runtime().block_on(SilentHost::start(SILENT_IP)).unwrap();
    let refusing = refusing_addr(REFUSING_IP).unwrap();
    let settings = TEST_CRAWL_SETTINGS
        .replace("request_timeout_ms = 10000", "request_timeout_ms = 300")
        .replace("connect_timeout_ms = 5000", "connect_timeout_ms = 300")
        + "\nunreachable_after = 3";
    let mut text = portal.config_toml(&settings);
    for (name, adcode, addr) in [
        ("静默市", "459901", silent.addr),
        ("拒绝市", "459902", refusing),
    ] {
        text.push_str(&format!(
            "\n[[city]]\nname = \"{name}\"\nadcode = \"{adcode}\"\nportal = \"http://{addr}/\"\n\
             report_lists = [\"http://{addr}/zwgk/ndbg/index.shtml\"]\n"
        ));
    }
    let dir = tempfile::tempdir().unwrap();

    let started = Instant::now();
    let first = crawl_toml(&text, dir.path(), |_| {});
    assert!(started.elapsed() < Duration::from_secs(60), "bounded");

    // The silent host got exactly `unreachable_after` connections: no retry storm.
    runtime().block_on(silent.wait_for_accepted(3));
    assert_eq!(silent.accepted(), 3);
    let hosts: BTreeSet<&str> = first.unreachable.iter().map(|u| u.host.as_str()).collect();
    assert_eq!(
        hosts,
        BTreeSet::from(["127.0.0.201", "127.0.0.202"]),
        "{}",
        first.render()
    );
    for u in &first.unreachable {
        assert!(u.waiting >= 1, "{u:?}");
        let class = if u.host == "127.0.0.201" {
            "timeout"
        } else {
            "connect"
        };
        assert!(u.cause.starts_with(class), "{u:?}");
    }
    assert!(first.incomplete());
    let shown = first.render();
    assert!(shown.contains("unreachable hosts"), "{shown}");
    assert!(shown.contains("set a proxy"), "{shown}");
    for name in ["静默市", "拒绝市"] {
        let c = first.cities.iter().find(|c| c.name == name).unwrap();
        assert!(c.failures.is_empty(), "{c:?}");
        assert!(c.waiting.contains_key("unreachable"), "{c:?}");
    }
    let db = Db::open(dir.path());
    let theirs = "host IN ('127.0.0.201', '127.0.0.202')";
    assert!(db.count(theirs) >= 2);
    assert_eq!(db.count(&format!("{theirs} AND status != 'pending'")), 0);
    assert_eq!(
        db.count(&format!("{theirs} AND error NOT LIKE 'unreachable%'")),
        0
    );

    // The reachable cities were harvested in full.
    let archive = nianbao_archive::Archive::open(dir.path()).unwrap();
    let entries = archive.entries().unwrap();
    for s in &portal.sites {
        let wanted: BTreeSet<String> = s
            .site
            .expected
            .iter()
            .filter(|e| e.city_level)
            .map(|e| e.path.clone())
            .collect();
        let found: BTreeSet<String> = entries
            .iter()
            .filter(|e| e.target.city == s.site.city)
            .map(|e| path_of(&e.target.url))
            .collect();
        assert_eq!(found, wanted, "{}", s.site.city);
    }

    // The next run tries the host again (and is just as bounded).
    let second = crawl_toml(&text, dir.path(), |_| {});
    runtime().block_on(silent.wait_for_accepted(6));
    assert_eq!(silent.accepted(), 6);
    assert!(second.incomplete());
    assert_eq!(db.count(&format!("{theirs} AND status != 'pending'")), 0);
}

#[test]
fn page_requests_without_an_answer_count_too_and_stop_at_the_limit() {
    // robots.txt is not asked (a logged per-host exemption), so the streak is made of page
    // requests: the list page's first attempt and its retries.
    let silent = runtime().block_on(SilentHost::start(SILENT_IP)).unwrap();
    let host = SILENT_IP.to_string();
    let addr = silent.addr;
    let settings = TEST_CRAWL_SETTINGS
        .replace("request_timeout_ms = 10000", "request_timeout_ms = 300")
        .replace("retries = 2", "retries = 5")
        + "\nunreachable_after = 2";
    let text = format!(
        "[crawl]\n{settings}\n[[crawl.host]]\nhost = \"{host}\"\nrobots = \"ignore\"\nreason = \"test\"\n\
         [[city]]\nname = \"静默市\"\nadcode = \"459901\"\nportal = \"http://{addr}/\"\n\
         report_lists = [\"http://{addr}/a/\", \"http://{addr}/b/\", \"http://{addr}/c/\"]\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let summary = crawl_toml(&text, dir.path(), |_| {});
    runtime().block_on(silent.wait_for_accepted(2));
    // Two tasks may be in flight on the host (per_host_concurrency = 2): at most one more
    // request than the limit, never the 6 × 3 the retries would allow.
    assert!(silent.accepted() <= 3, "{}", silent.accepted());
    assert_eq!(summary.unreachable.len(), 1, "{}", summary.render());
    assert_eq!(
        summary.unreachable[0].waiting, 4,
        "three lists and the home page"
    );
    let db = Db::open(dir.path());
    assert_eq!(
        db.count("status = 'pending' AND error LIKE 'unreachable%'"),
        4
    );
    assert_eq!(db.count("status != 'pending'"), 0);
}
