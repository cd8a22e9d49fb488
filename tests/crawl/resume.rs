//! `kill -9` at random points, then the same command again: the archive ends up with the same
//! content as an uninterrupted crawl, and no URL completed in the interrupted run is fetched
//! twice by its resumption.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use nianbao_archive::warc;
use nianbao_archive::Archive;
use nianbao_fixtures::{Portal, PortalOptions, TEST_CRAWL_SETTINGS};

use super::harness::{crawl_portal, path_of, runtime, start_portal};

/// (URL, payload digest, sha256) of every captured page.
fn content(dir: &Path) -> BTreeSet<(String, String, String)> {
    let archive = Archive::open(dir).unwrap();
    archive
        .all_pages()
        .unwrap()
        .into_iter()
        .map(|e| (e.target.url, e.payload_digest, e.sha256))
        .collect()
}

fn counts(portal: &Portal) -> HashMap<(String, String), u64> {
    let mut out = HashMap::new();
    for s in &portal.sites {
        for (path, n) in s.counters.paths() {
            out.insert((s.base.clone(), path), n);
        }
    }
    out
}

fn spawn_crawler(config: &Path, out: &Path) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["crawl", "--quiet", "--scope", "all", "--config"])
        .arg(config)
        .arg("--out")
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("nianbao binary starts")
}

/// Runs the crawler until the portal has seen `after` more requests, then SIGKILLs it.
/// Returns false when the crawl finished first.
async fn kill_after(portal: &Portal, config: &Path, out: &Path, after: u64) -> bool {
    let target = portal.total_requests() + after;
    let mut child = spawn_crawler(config, out);
    tokio::select! {
        _ = portal.wait_for_requests(target) => {
            child.start_kill().expect("SIGKILL");
            let _ = child.wait().await;
            true
        }
        status = child.wait() => {
            assert!(status.unwrap().success(), "crawler failed before the kill point");
            false
        }
    }
}

/// Whether the last run recorded in the crawl state reached its end.
fn run_finished(db: &rusqlite::Connection) -> bool {
    db.query_row(
        "SELECT finished_at IS NOT NULL FROM runs ORDER BY id DESC LIMIT 1",
        [],
        |r| r.get(0),
    )
    .unwrap_or(false)
}

#[test]
fn a_crawl_killed_at_random_points_and_resumed_matches_an_uninterrupted_one() {
    let opts = PortalOptions {
        cities: 3,
        faults: false,
        dead_list_on_last: false,
        ..PortalOptions::default()
    };
    let portal = start_portal(opts, Duration::from_millis(2));
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("fixture.toml");
    std::fs::write(&config, portal.config_toml(TEST_CRAWL_SETTINGS)).unwrap();

    let whole = work.path().join("whole");
    crawl_portal(
        &portal,
        TEST_CRAWL_SETTINGS,
        nianbao_crawler::Scope::All,
        &whole,
    );
    let expected = content(&whole);
    assert!(expected.len() > 50);

    let resumed = work.path().join("resumed");
    let mut killed = 0;
    let mut finished = false;
    // Done URLs at each kill, with the server's request count for them at that moment.
    let mut frozen: HashMap<(String, String), u64> = HashMap::new();
    for (i, after) in [5u64, 17, 9, 31, 23, 41].into_iter().enumerate() {
        let seed = fastrand::u64(..3);
        let was_killed = runtime().block_on(kill_after(
            &portal,
            &config,
            &resumed,
            after + seed + i as u64,
        ));
        let db = rusqlite::Connection::open(resumed.join("state.sqlite")).unwrap();
        if !was_killed || run_finished(&db) {
            // The crawl ended (maybe just before the kill landed): a further run would be a
            // new run, which revalidates the list pages, not a resume.
            finished = true;
            break;
        }
        killed += 1;
        let now = counts(&portal);
        let mut stmt = db
            .prepare("SELECT url FROM urls WHERE status = 'done'")
            .unwrap();
        let done: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for url in done {
            let base = url.split('/').take(3).collect::<Vec<_>>().join("/");
            let key = (base, path_of(&url));
            frozen
                .entry(key.clone())
                .or_insert_with(|| now.get(&key).copied().unwrap_or(0));
        }
    }
    assert!(killed >= 3, "the crawl was killed only {killed} times");
    if !finished {
        let status = runtime().block_on(async {
            let mut child = spawn_crawler(&config, &resumed);
            child.wait().await.unwrap()
        });
        assert!(status.success());
    }

    assert_eq!(
        content(&resumed),
        expected,
        "resumed archive differs from the uninterrupted one"
    );
    let end = counts(&portal);
    for (key, n) in &frozen {
        assert_eq!(
            end.get(key),
            Some(n),
            "{key:?} was completed before a kill and fetched again"
        );
    }
    for file in std::fs::read_dir(resumed.join("warc")).unwrap() {
        let path = file.unwrap().path();
        warc::read_all(&path).unwrap_or_else(|e| panic!("torn WARC after resume: {e}"));
        super::warcio::warcio_check(&path);
    }
}
