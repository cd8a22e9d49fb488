//! The README's yearly cron job, run twice into the same folder against a portal that publishes
//! two more years in between: the second run finds the new years by revalidating the list
//! pages, and fetches no report page or attachment it already holds.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use nianbao_fixtures::{generate, DefaultContent, PortalOptions, TEST_CRAWL_SETTINGS};

use super::harness::start_portal;

/// The arguments of the README's cron line (section "Scheduled use"), after `nianbao`, with
/// its config and output folder replaced by the test's.
fn cron_args(config: &Path, out: &Path) -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let line = readme
        .lines()
        .find(|l| l.starts_with("0 3 15 4 *"))
        .expect("the README has the yearly cron line");
    let command = line
        .split_once("nianbao harvest")
        .map(|(_, rest)| rest)
        .and_then(|rest| rest.split_once("2>>"))
        .map(|(args, _)| args)
        .expect("the cron line runs `nianbao harvest … 2>> LOG`");
    let mut args = vec!["harvest".to_string()];
    for arg in command.split_whitespace() {
        args.push(match arg {
            "config/guangxi.toml" => config.display().to_string(),
            "/srv/nianbao/out" => out.display().to_string(),
            a => a.to_string(),
        });
    }
    assert!(
        args.iter().any(|a| a == &config.display().to_string())
            && args.iter().any(|a| a == &out.display().to_string()),
        "the cron line names --config and --out: {line}"
    );
    args
}

/// Runs the cron job once (with `extra` arguments), its stderr appended to `log` as `2>>`
/// does; the exit code.
fn run_cron(work: &Path, config: &Path, out: &Path, log: &Path, extra: &[&str]) -> Option<i32> {
    let output = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(cron_args(config, out))
        .args(extra)
        .current_dir(work)
        .output()
        .expect("nianbao runs");
    let mut text = std::fs::read(log).unwrap_or_default();
    text.extend_from_slice(&output.stderr);
    std::fs::write(log, text).unwrap();
    assert!(
        output.stdout.is_empty(),
        "the cron job prints nothing on stdout"
    );
    output.status.code()
}

/// Report years per city among the archive's report pages.
fn years_in_archive(out: &Path) -> BTreeMap<String, BTreeSet<u16>> {
    let archive = nianbao_archive::Archive::open(&out.join("harvest")).unwrap();
    let mut years: BTreeMap<String, BTreeSet<u16>> = BTreeMap::new();
    for e in archive.entries().unwrap() {
        if let (nianbao_archive::PageKind::Report, Some(y)) = (e.target.kind, e.target.year) {
            years.entry(e.target.city).or_default().insert(y);
        }
    }
    years
}

/// The URL paths of the reports in `reports.csv` (the page or the attachment read).
fn reports_read(out: &Path) -> BTreeSet<String> {
    let mut reader = csv::Reader::from_path(out.join("reports.csv")).expect("reports.csv");
    let header = reader.headers().unwrap().clone();
    let url = header
        .iter()
        .position(|h| h == "source_url")
        .expect("a source_url column");
    reader
        .records()
        .map(|r| super::harness::path_of(&r.unwrap()[url]))
        .collect()
}

#[test]
fn the_yearly_cron_job_finds_the_new_years_and_refetches_no_report() {
    let until_2022 = PortalOptions {
        cities: 2,
        years: 2019..=2024,
        faults: false,
        dead_list_on_last: false,
        published_up_to: Some(2022),
        ..PortalOptions::default()
    };
    let mut portal = start_portal(until_2022.clone(), Duration::from_millis(1));
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("fixture.toml");
    std::fs::write(&config, portal.config_toml(TEST_CRAWL_SETTINGS)).unwrap();
    let out = work.path().join("out");
    let log = work.path().join("nianbao.log");

    assert_eq!(run_cron(work.path(), &config, &out, &log, &[]), Some(0));
    let first = years_in_archive(&out);
    let read_first = reports_read(&out);
    for s in &portal.sites {
        assert_eq!(
            first.get(&s.site.city),
            Some(&BTreeSet::from([2019, 2020, 2021, 2022])),
            "{}",
            String::from_utf8_lossy(&std::fs::read(&log).unwrap())
        );
    }
    let after_first: Vec<HashMap<String, u64>> =
        portal.sites.iter().map(|s| s.counters.paths()).collect();

    // A year later the portal has published its 2023 and 2024 reports.
    let published = PortalOptions {
        published_up_to: None,
        ..until_2022
    };
    portal.replace_sites(generate::generate(&published, &DefaultContent));
    assert_eq!(run_cron(work.path(), &config, &out, &log, &[]), Some(0));

    let second = years_in_archive(&out);
    let read_second = reports_read(&out);
    assert!(read_first.is_subset(&read_second));
    for (s, before) in portal.sites.iter().zip(&after_first) {
        assert_eq!(
            second.get(&s.site.city),
            Some(&BTreeSet::from([2019, 2020, 2021, 2022, 2023, 2024])),
            "{}",
            String::from_utf8_lossy(&std::fs::read(&log).unwrap())
        );
        for e in &s.site.expected {
            let (now, then) = (
                s.counters.requests(&e.path),
                before.get(&e.path).copied().unwrap_or(0),
            );
            let wanted = u64::from(e.city_level);
            if e.year <= 2022 {
                assert_eq!(
                    (then, now),
                    (wanted, wanted),
                    "{} {} ({}) was fetched again",
                    s.base,
                    e.path,
                    e.year
                );
            } else {
                assert_eq!(now, wanted, "{} {} ({}) is new", s.base, e.path, e.year);
                if e.city_level && e.kind == "report" {
                    assert!(
                        read_second.contains(&e.path),
                        "{} is not in reports.csv",
                        e.path
                    );
                    assert!(!read_first.contains(&e.path));
                }
            }
        }
        // The list pages were asked again, with a conditional request.
        assert_eq!(s.counters.requests("/zfxxgk/ndbg/index.shtml"), 2);
        assert_eq!(s.counters.requests("/robots.txt"), 2);
    }
    // `harvest --refresh` revisits the report pages too, conditionally.
    assert_eq!(
        run_cron(work.path(), &config, &out, &log, &["--refresh"]),
        Some(0)
    );
    for s in &portal.sites {
        for e in s.site.expected.iter().filter(|e| e.city_level) {
            assert_eq!(s.counters.requests(&e.path), 2, "{} {}", s.base, e.path);
        }
    }
    let db = rusqlite::Connection::open(out.join("harvest/state.sqlite")).unwrap();
    let reports_304: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM urls WHERE kind = 'report' AND not_modified = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(reports_304, 12, "2 cities × 6 years, all unchanged");
    assert_eq!(reports_read(&out), read_second);
}
