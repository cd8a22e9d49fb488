//! The WARC files pass `warcio check` (PyPI `warcio`), when it is installed.

use std::path::Path;
use std::process::Command;

use super::harness::city_scope;

#[test]
fn warc_files_pass_warcio_check() {
    let h = city_scope();
    let files: Vec<_> = std::fs::read_dir(h.dir.path().join("warc"))
        .unwrap()
        .map(|f| f.unwrap().path())
        .collect();
    assert!(!files.is_empty());
    for path in &files {
        // Our own reader must read every record.
        let records = nianbao_archive::warc::read_all(path).unwrap();
        assert!(records
            .iter()
            .any(|r| r.field("WARC-Type") == Some("warcinfo")));
        let responses = records
            .iter()
            .filter(|r| r.field("WARC-Type") == Some("response"))
            .count();
        let requests = records
            .iter()
            .filter(|r| r.field("WARC-Type") == Some("request"))
            .count();
        assert_eq!(responses, requests, "every response has its request record");
    }
    for path in &files {
        warcio_check(path);
    }
}

/// Runs `warcio check -v` on a file and fails on any problem; prints a skip notice and
/// returns false when `warcio` is not installed.
pub(super) fn warcio_check(path: &Path) -> bool {
    let probe = Command::new("warcio").arg("--help").output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("SKIPPED warcio check: `warcio` is not on PATH (pip install warcio)");
        return false;
    }
    let out = Command::new("warcio")
        .arg("check")
        .arg("-v")
        .arg(path)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "warcio check failed on {}:\n{text}",
        path.display()
    );
    assert!(!text.contains("digest failed"), "{text}");
    assert!(
        text.contains("digest pass"),
        "warcio checked no digest:\n{text}"
    );
    true
}
