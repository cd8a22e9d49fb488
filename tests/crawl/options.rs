//! Crawl options on a fault-free portal: year filter, re-harvest with conditional requests,
//! per-host concurrency 1, and the exit status of the binary.

use std::collections::BTreeSet;
use std::time::Duration;

use nianbao_fixtures::{PortalOptions, TEST_CRAWL_SETTINGS};

use super::harness::{crawl_with, start_portal};

fn clean_portal(cities: usize) -> nianbao_fixtures::Portal {
    let opts = PortalOptions {
        cities,
        faults: false,
        dead_list_on_last: false,
        ..PortalOptions::default()
    };
    start_portal(opts, Duration::from_millis(3))
}

#[test]
fn the_year_filter_keeps_only_reports_of_those_years() {
    let portal = clean_portal(2);
    let dir = tempfile::tempdir().unwrap();
    crawl_with(&portal, TEST_CRAWL_SETTINGS, dir.path(), |o| {
        o.years = Some(2023..=2024)
    });
    let archive = nianbao_archive::Archive::open(dir.path()).unwrap();
    let years: BTreeSet<Option<u16>> = archive
        .entries()
        .unwrap()
        .iter()
        .map(|e| e.target.year)
        .collect();
    assert_eq!(years, BTreeSet::from([Some(2023), Some(2024)]));
    let site = &portal.sites[0];
    for e in site.site.expected.iter().filter(|e| e.year < 2023) {
        assert_eq!(
            site.counters.requests(&e.path),
            0,
            "{} ({}) was fetched",
            e.path,
            e.year
        );
    }
}

#[test]
fn a_refresh_revalidates_with_conditional_requests_and_keeps_the_captures() {
    let portal = clean_portal(1);
    let dir = tempfile::tempdir().unwrap();
    let first = crawl_with(&portal, TEST_CRAWL_SETTINGS, dir.path(), |_| {});
    let archive = nianbao_archive::Archive::open(dir.path()).unwrap();
    let before: BTreeSet<String> = archive
        .entries()
        .unwrap()
        .into_iter()
        .map(|e| e.sha256)
        .collect();
    let second = crawl_with(&portal, TEST_CRAWL_SETTINGS, dir.path(), |o| {
        o.refresh = true
    });
    assert!(second.requests > 0, "a refresh revisits the known URLs");
    assert_eq!(
        portal.sites[0].counters.requests("/robots.txt"),
        2,
        "robots.txt is fetched again"
    );
    let db = rusqlite::Connection::open(dir.path().join("state.sqlite")).unwrap();
    let not_modified: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM urls WHERE not_modified = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        not_modified as usize >= first.harvested(),
        "only {not_modified} answered 304"
    );
    let after: BTreeSet<String> = archive
        .entries()
        .unwrap()
        .into_iter()
        .map(|e| e.sha256)
        .collect();
    assert_eq!(before, after);
    assert_eq!(second.harvested(), first.harvested());
}

#[test]
fn with_concurrency_one_a_host_never_sees_two_requests_at_once() {
    let portal = clean_portal(2);
    let dir = tempfile::tempdir().unwrap();
    let settings =
        TEST_CRAWL_SETTINGS.replace("per_host_concurrency = 2", "per_host_concurrency = 1");
    let summary = crawl_with(&portal, &settings, dir.path(), |_| {});
    assert!(summary.harvested() > 20);
    for s in &portal.sites {
        assert_eq!(s.counters.max_in_flight(), 1, "{}", s.base);
    }
}

#[test]
fn the_binary_exits_non_zero_only_when_nothing_was_harvested() {
    let portal = clean_portal(1);
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(&good, portal.config_toml(TEST_CRAWL_SETTINGS)).unwrap();
    let run = |config: &std::path::Path, out: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_nianbao"))
            .args(["crawl", "--quiet", "--config"])
            .arg(config)
            .arg("--out")
            .arg(dir.path().join(out))
            .output()
            .unwrap()
    };
    let ok = run(&good, "a");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stderr).contains("harvested in total"));
    assert!(
        ok.stdout.is_empty(),
        "stdout carries no progress or summary"
    );
    // Without --quiet and with stderr not a terminal: one plain line per URL, no bars.
    let plain = std::process::Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["crawl", "--config"])
        .arg(&good)
        .arg("--out")
        .arg(dir.path().join("p"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&plain.stderr);
    assert!(
        err.lines()
            .any(|l| l.starts_with("done ") && l.contains("/zfxxgk/ndbg/")),
        "{err}"
    );
    assert!(
        !err.contains('\u{1b}'),
        "no terminal escapes when stderr is a pipe"
    );
    // A city whose portal has no report anywhere: nothing harvested.
    let empty = dir.path().join("empty.toml");
    let base = &portal.sites[0].base;
    std::fs::write(
        &empty,
        format!("[crawl]\n{TEST_CRAWL_SETTINGS}\n[[city]]\nname = \"空市\"\nadcode = \"450000\"\nportal = \"{base}/news/\"\nreport_lists = [\"{base}/nothing/\"]\n"),
    )
    .unwrap();
    let none = run(&empty, "b");
    assert_eq!(
        none.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&none.stderr)
    );
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[crawl]\nper_host_concurrency = 0\n").unwrap();
    let err = run(&bad, "c");
    assert_eq!(err.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&err.stderr).contains("crawl.per_host_concurrency"));
}

#[test]
fn a_tls_failure_falls_back_to_the_http_variant() {
    let portal = clean_portal(1);
    let dir = tempfile::tempdir().unwrap();
    // The list page is configured as https:// but the host only speaks plain HTTP.
    let https = |c: &mut nianbao_crawler::Options| {
        for city in &mut c.cities {
            for l in &mut city.report_lists {
                *l = l.replacen("http://", "https://", 1);
            }
        }
    };
    let summary = crawl_with(&portal, TEST_CRAWL_SETTINGS, dir.path(), https);
    assert!(summary.harvested() >= 16, "{}", summary.render());
    let db = rusqlite::Connection::open(dir.path().join("state.sqlite")).unwrap();
    let (url, final_url): (String, String) = db
        .query_row(
            "SELECT url, final_url FROM urls WHERE url LIKE 'https://%'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(
        url.starts_with("https://") && final_url.starts_with("http://"),
        "{url} → {final_url}"
    );
}

#[test]
fn warc_files_rotate_each_starting_with_warcinfo_and_the_archive_spans_them() {
    let portal = clean_portal(1);
    let dir = tempfile::tempdir().unwrap();
    let settings = format!("{TEST_CRAWL_SETTINGS}\nwarc_max_bytes = 4000");
    let summary = crawl_with(&portal, &settings, dir.path(), |_| {});
    let mut files: Vec<_> = std::fs::read_dir(dir.path().join("warc"))
        .unwrap()
        .map(|f| f.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    for f in &files {
        let records = nianbao_archive::warc::read_all(f).unwrap();
        assert_eq!(
            records[0].field("WARC-Type"),
            Some("warcinfo"),
            "{}",
            f.display()
        );
    }
    // warcio starts a Python interpreter per file: check the first and the last one.
    super::warcio::warcio_check(&files[0]);
    super::warcio::warcio_check(&files[files.len() - 1]);
    let archive = nianbao_archive::Archive::open(dir.path()).unwrap();
    let entries = archive.entries().unwrap();
    assert_eq!(entries.len(), summary.harvested());
    let in_files: BTreeSet<_> = entries.iter().map(|e| e.warc_file.clone()).collect();
    assert!(in_files.len() >= 2);
    for e in &entries {
        assert!(!archive.payload(e).unwrap().is_empty(), "{}", e.target.url);
    }
}

#[test]
fn the_portal_stats_count_every_request_and_body_byte_sent() {
    let portal = clean_portal(2);
    let dir = tempfile::tempdir().unwrap();
    let summary = crawl_with(&portal, TEST_CRAWL_SETTINGS, dir.path(), |_| {});
    let stats = nianbao_fixtures::stats_json(&portal.sites);
    assert_eq!(stats["requests"], summary.requests);
    for (s, h) in portal.sites.iter().zip(stats["hosts"].as_array().unwrap()) {
        let mut expected_bytes = 0;
        for (path, n) in h["paths"].as_object().unwrap() {
            // an unknown path gets the 9-byte "not found"
            let len = s.site.resources.get(path).map_or(9, |r| r.body.len()) as u64;
            expected_bytes += n.as_u64().unwrap() * len;
        }
        assert_eq!(h["bytes"], expected_bytes, "{}", s.base);
        assert_eq!(h["requests"], s.counters.total());
        assert!(h["max_in_flight"].as_u64().unwrap() <= 2);
    }
}
