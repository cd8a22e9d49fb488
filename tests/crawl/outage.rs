//! Outages are transient: a host whose robots.txt answers 5xx, or that drops every connection,
//! is left alone for the run, but its URLs stay pending (not "disallowed"): the next run, or
//! `--retry-failed`, harvests them once the host is back.

use std::collections::BTreeSet;
use std::time::Duration;

use nianbao_crawler::Summary;
use nianbao_fixtures::{
    generate, DefaultContent, Fault, Portal, PortalOptions, Resource, ServeOptions,
    TEST_CRAWL_SETTINGS,
};

use super::harness::{crawl_with, path_of, runtime};

fn options() -> PortalOptions {
    PortalOptions {
        cities: 2,
        years: 2021..=2022,
        faults: false,
        dead_list_on_last: false,
        ..PortalOptions::default()
    }
}

/// The city's reports and attachments that a `--scope city` crawl should find.
fn wanted(portal: &Portal, i: usize) -> BTreeSet<String> {
    let s = &portal.sites[i];
    s.site
        .expected
        .iter()
        .filter(|e| e.city_level)
        .map(|e| e.path.clone())
        .collect()
}

fn found(dir: &std::path::Path, city: &str) -> BTreeSet<String> {
    nianbao_archive::Archive::open(dir)
        .unwrap()
        .entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.target.city == city)
        .map(|e| path_of(&e.target.url))
        .collect()
}

fn city<'a>(summary: &'a Summary, name: &str) -> &'a nianbao_crawler::CitySummary {
    summary
        .cities
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no {name} in the summary"))
}

#[test]
fn a_host_whose_robots_txt_is_unreachable_waits_for_the_next_run() {
    let mut sites = generate::generate(&options(), &DefaultContent);
    sites[0].resources.insert(
        "/robots.txt".into(),
        Resource::new("text/plain", "").with_fault(Fault::Always { status: 503 }),
    );
    let serve = ServeOptions {
        latency: Duration::from_millis(1),
        port: 0,
    };
    let mut portal = runtime().block_on(Portal::start(sites, serve)).unwrap();
    portal.set_down(1, true);
    let (a, b) = (
        portal.sites[0].site.city.clone(),
        portal.sites[1].site.city.clone(),
    );
    let dir = tempfile::tempdir().unwrap();

    // Run 1: one host answers 503 to robots.txt, the other drops every connection.
    let first = crawl_with(&portal, TEST_CRAWL_SETTINGS, dir.path(), |_| {});
    let asked: BTreeSet<String> = portal.sites[0].counters.paths().into_keys().collect();
    assert_eq!(asked, BTreeSet::from(["/robots.txt".to_string()]));
    assert_eq!(
        portal.sites[0].counters.requests("/robots.txt"),
        3,
        "retries = 2"
    );
    assert_eq!(portal.sites[1].counters.total(), 0);
    assert!(portal.sites[1].counters.dropped_connections() >= 3);
    for name in [&a, &b] {
        let c = city(&first, name);
        assert!(c.failures.is_empty(), "{c:?}");
        assert!(
            c.waiting
                .get("robots.txt unreachable")
                .copied()
                .unwrap_or(0)
                >= 1,
            "{c:?}"
        );
    }
    let text = first.render();
    assert!(text.contains("robots.txt unreachable"), "{text}");
    assert!(!text.contains("disallowed"), "{text}");
    let db = super::harness::rusqlite_free::Db::open(dir.path());
    assert_eq!(db.count("status = 'skipped'"), 0);
    assert!(db.count("status = 'pending'") >= 2);

    // Run 2, a plain rerun: the first host is back and is harvested; the second is still down.
    portal.replace_sites(generate::generate(&options(), &DefaultContent));
    let second = crawl_with(&portal, TEST_CRAWL_SETTINGS, dir.path(), |_| {});
    assert_eq!(found(dir.path(), &a), wanted(&portal, 0));
    assert!(city(&second, &a).waiting.is_empty());
    assert!(city(&second, &b)
        .waiting
        .contains_key("robots.txt unreachable"));
    assert_eq!(portal.sites[1].counters.total(), 0);

    // Run 3 with --retry-failed once the second host is back: it is harvested too.
    portal.set_down(1, false);
    let third = crawl_with(&portal, TEST_CRAWL_SETTINGS, dir.path(), |o| {
        o.retry_failed = true
    });
    assert_eq!(found(dir.path(), &b), wanted(&portal, 1));
    assert!(
        city(&third, &b).waiting.is_empty(),
        "{:?}",
        city(&third, &b)
    );
    assert!(city(&third, &b).failures.is_empty());
    assert_eq!(db.count("status = 'pending'"), 0);
}
