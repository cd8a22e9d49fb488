//! Nothing archived is lost: a re-harvest that finds a report page or attachment gone (404,
//! 410) or failing keeps its last good capture as the current one, records the removal, and
//! aggregation still reads it and says "removed from the portal on …". Archives written before
//! removals were recorded still read, and take the new columns when a crawl opens them.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use nianbao_archive::{Archive, Entry};
use nianbao_fixtures::{Fault, PortalOptions, TEST_CRAWL_SETTINGS};

use super::harness::{crawl_with, path_of, start_portal};

/// Every captured report page and attachment, by path.
fn entries(dir: &Path) -> BTreeMap<String, Entry> {
    Archive::open(dir)
        .unwrap()
        .entries()
        .unwrap()
        .into_iter()
        .map(|e| (path_of(&e.target.url), e))
        .collect()
}

#[test]
fn a_refresh_that_finds_pages_gone_keeps_their_last_good_captures() {
    let opts = PortalOptions {
        cities: 1,
        years: 2021..=2022,
        faults: false,
        dead_list_on_last: false,
        ..PortalOptions::default()
    };
    let mut portal = start_portal(opts, Duration::from_millis(1));
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("harvest");
    crawl_with(&portal, TEST_CRAWL_SETTINGS, &dir, |_| {});
    let before = entries(&dir);

    let original = (*portal.sites[0].site).clone();
    let city_level = |kind: &str| -> Vec<String> {
        original
            .expected
            .iter()
            .filter(|e| e.city_level && e.kind == kind)
            .map(|e| e.path.clone())
            .collect()
    };
    let (reports, attachments) = (city_level("report"), city_level("attachment"));
    assert!(reports.len() >= 2 && attachments.len() >= 2);
    let (gone_404, gone_410, failing) = (&reports[0], &attachments[0], &attachments[1]);
    let mut changed = original.clone();
    changed.resources.remove(gone_404);
    for (path, status) in [(gone_410, 410), (failing, 500)] {
        let res = changed.resources.get(path).cloned().unwrap();
        changed
            .resources
            .insert(path.clone(), res.with_fault(Fault::Always { status }));
    }
    portal.replace_sites(vec![changed]);

    let refreshed = crawl_with(&portal, TEST_CRAWL_SETTINGS, &dir, |o| o.refresh = true);
    let c = &portal.sites[0].counters;
    assert_eq!(c.requests(gone_404), 2, "revisited by the refresh");
    assert_eq!(c.requests(failing), 1 + 3, "retries = 2");
    let after = entries(&dir);
    let same = |m: &BTreeMap<String, Entry>| -> BTreeMap<String, (String, String)> {
        m.iter()
            .map(|(p, e)| (p.clone(), (e.record_id.clone(), e.sha256.clone())))
            .collect()
    };
    assert_eq!(
        same(&after),
        same(&before),
        "every capture is still current"
    );
    assert_eq!(after[gone_404].removed_status, Some(404));
    assert_eq!(after[gone_410].removed_status, Some(410));
    let removed_at = after[gone_404].removed_at.clone().unwrap();
    assert!(removed_at > before[gone_404].fetched_at, "{removed_at}");
    assert_eq!(after[failing].removed_at, None, "an error is not a removal");
    assert_eq!(after[failing].removed_status, None);
    assert_eq!(refreshed.cities[0].removed, 2);
    assert!(refreshed.render().contains("removed from the portal 2"));
    let db = super::harness::rusqlite_free::Db::open(&dir);
    assert_eq!(
        db.count("status = 'done' AND error LIKE 'http-500%earlier capture is kept%'"),
        1
    );

    // Aggregation reads the kept captures and names the removals.
    let config = work.path().join("fixture.toml");
    std::fs::write(&config, portal.config_toml(TEST_CRAWL_SETTINGS)).unwrap();
    let out = work.path().join("out");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["aggregate", "--quiet", "--no-report", "--config"])
        .arg(&config)
        .arg("--archive")
        .arg(&dir)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let findings = std::fs::read_to_string(out.join("findings.csv")).unwrap();
    let day = &removed_at[..10];
    assert!(
        findings.contains(&format!(
            "{}{gone_404} removed from the portal on {day} (HTTP 404)",
            portal.sites[0].base
        )),
        "{findings}"
    );
    let reports_csv = std::fs::read_to_string(out.join("reports.csv")).unwrap();
    assert_eq!(reports_csv.lines().count(), 1 + reports.len());

    // The page comes back: it is current again, no longer marked removed.
    portal.replace_sites(vec![original]);
    crawl_with(&portal, TEST_CRAWL_SETTINGS, &dir, |o| o.refresh = true);
    let back = entries(&dir);
    assert_eq!(back[gone_404].removed_at, None);
    assert_eq!(back[gone_410].removed_status, None);
}

#[test]
fn an_archive_from_before_removals_were_recorded_reads_and_migrates_on_a_crawl() {
    let demo = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/demo"));
    let old = Archive::open(demo).unwrap().entries().unwrap();
    assert!(old.len() > 80);
    assert!(old.iter().all(|e| e.removed_at.is_none()));
    let copy = tempfile::tempdir().unwrap();
    std::fs::copy(demo.join("state.sqlite"), copy.path().join("state.sqlite")).unwrap();
    std::fs::create_dir(copy.path().join("warc")).unwrap();
    for f in std::fs::read_dir(demo.join("warc")).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), copy.path().join("warc").join(f.file_name())).unwrap();
    }
    let (store, cut) = nianbao_archive::state::Store::open(copy.path(), 1 << 30).unwrap();
    assert_eq!(cut, 0);
    drop(store);
    let migrated = Archive::open(copy.path()).unwrap().entries().unwrap();
    let key = |e: &Entry| (e.target.url.clone(), e.record_id.clone(), e.sha256.clone());
    assert_eq!(
        migrated.iter().map(key).collect::<Vec<_>>(),
        old.iter().map(key).collect::<Vec<_>>()
    );
}

#[test]
fn an_archive_whose_capture_an_older_refresh_replaced_by_a_404_gets_it_back() {
    let opts = PortalOptions {
        cities: 1,
        years: 2021..=2022,
        faults: false,
        dead_list_on_last: false,
        ..PortalOptions::default()
    };
    let mut portal = start_portal(opts, Duration::from_millis(1));
    let dir = tempfile::tempdir().unwrap();
    crawl_with(&portal, TEST_CRAWL_SETTINGS, dir.path(), |_| {});
    let before = entries(dir.path());
    let mut changed = (*portal.sites[0].site).clone();
    let gone = changed
        .expected
        .iter()
        .find(|e| e.city_level && e.kind == "report")
        .map(|e| e.path.clone())
        .unwrap();
    changed.resources.remove(&gone);
    portal.replace_sites(vec![changed]);
    crawl_with(&portal, TEST_CRAWL_SETTINGS, dir.path(), |o| {
        o.refresh = true
    });

    // Put the archive in the state an older version left: the row points at the 404 response
    // and says `failed`, and the columns that record captures and removals do not exist.
    let not_found = std::fs::read_dir(dir.path().join("warc"))
        .unwrap()
        .flat_map(|f| {
            let f = f.unwrap();
            let name = f.file_name().to_string_lossy().into_owned();
            nianbao_archive::warc::read_all(&f.path())
                .unwrap()
                .into_iter()
                .map(move |r| (name.clone(), r))
        })
        .find(|(_, r)| {
            r.field("WARC-Type") == Some("response")
                && r.field("WARC-Target-URI")
                    .is_some_and(|u| u.ends_with(&gone))
                && r.block.starts_with(b"HTTP/1.1 404")
        })
        .expect("the 404 response is archived");
    let (file, rec) = not_found;
    let db = rusqlite::Connection::open(dir.path().join("state.sqlite")).unwrap();
    let date = rec.field("WARC-Date").unwrap().to_string();
    db.execute(
        "UPDATE urls SET status = 'failed', error = 'http-404', http_status = 404, \
         warc_file = ?1, warc_offset = ?2, warc_length = ?3, record_id = ?4, fetched_at = ?5 \
         WHERE url LIKE '%' || ?6",
        rusqlite::params![
            file,
            rec.offset as i64,
            rec.length as i64,
            rec.field("WARC-Record-ID").unwrap(),
            date,
            gone
        ],
    )
    .unwrap();
    db.execute_batch(
        "ALTER TABLE urls DROP COLUMN captured; ALTER TABLE urls DROP COLUMN removed_at; \
         ALTER TABLE urls DROP COLUMN removed_status; DROP TABLE runs;",
    )
    .unwrap();
    drop(db);
    assert!(
        !entries(dir.path()).contains_key(&gone),
        "read as it is, the damaged archive has lost the report"
    );

    // A crawl opening it (here: only the store) adds the columns and finds the capture again.
    let (store, _) = nianbao_archive::state::Store::open(dir.path(), 1 << 30).unwrap();
    drop(store);
    let after = entries(dir.path());
    let e = &after[&gone];
    assert_eq!(e.record_id, before[&gone].record_id);
    assert_eq!(e.sha256, before[&gone].sha256);
    assert_eq!(e.fetched_at, before[&gone].fetched_at);
    assert_eq!(e.http_status, 200);
    assert_eq!(e.removed_status, Some(404));
    assert_eq!(e.removed_at.as_deref(), Some(date.as_str()));
    assert_eq!(after.len(), before.len());
    let payload = nianbao_archive::entry_payload(e).unwrap();
    assert!(!payload.is_empty());
}
