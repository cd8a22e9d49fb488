//! Fault injection (issue 17): two writers at once, a lock left by a killed run, `kill -9` at
//! random points of an aggregation, a full disk (a small tmpfs, when the machine allows
//! mounting one), corrupted and edited WARC records, and the smaller input faults of `parse`.
//! No test sleeps to synchronise: a killed run is stopped when its set folder holds a chosen
//! number of files, and a second writer meets a lock this process holds.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Output;

use nianbao_archive::lock::DirLock;
use nianbao_archive::{Archive, PageKind};
use sha2::{Digest, Sha256};

use crate::util::{bin, copy_dir, describe, root, run};

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `harvest --replay ARCHIVE --out OUT` with `extra` flags, from the repository root.
fn replay(archive: &Path, out: &Path, extra: &[&str]) -> Output {
    run(bin()
        .current_dir(root())
        .args(["harvest", "--quiet", "--replay"])
        .arg(archive)
        .arg("--out")
        .arg(out)
        .args(extra))
}

pub(crate) fn demo_copy(dir: &Path) -> PathBuf {
    let archive = dir.join("demo");
    copy_dir(&root().join("data/demo"), &archive);
    archive
}

/// What an output folder shows: every file reachable through its names (links followed),
/// with the SHA-256 of its bytes; the set folders, the lock and a harvest are left out.
fn snapshot(out: &Path) -> BTreeMap<String, String> {
    fn walk(dir: &Path, rel: &str, into: &mut BTreeMap<String, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if rel.is_empty() && (name == ".nianbao" || name == "harvest") {
                continue;
            }
            let key = format!("{rel}{name}");
            let path = e.path();
            if e.file_type().is_ok_and(|t| t.is_symlink()) && !path.exists() {
                continue; // a link whose set does not hold the name: the name is absent
            }
            if path.is_dir() {
                walk(&path, &format!("{key}/"), into);
            } else {
                let bytes = std::fs::read(&path)
                    .unwrap_or_else(|err| panic!("{key} does not resolve: {err}"));
                into.insert(key, format!("{:x}", Sha256::digest(&bytes)));
            }
        }
    }
    let mut map = BTreeMap::new();
    walk(out, "", &mut map);
    map
}

/// What a killed or failed run may leave behind and the next run must remove (or, after a
/// completed run, must not exist): staging folders, temporary files and links, set folders
/// other than the current one.
fn leftovers(out: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for e in std::fs::read_dir(out).expect("ls").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(".staging-") || name.contains(".tmp-") || name.contains(".link-") {
            found.push(name);
        }
    }
    let sets = out.join(".nianbao");
    let current = std::fs::read_link(sets.join("current")).ok();
    for e in std::fs::read_dir(&sets).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let is_current = current.as_deref() == Some(Path::new(&name));
        if (name.starts_with("set-") && !is_current) || name.starts_with("current.new") {
            found.push(format!(".nianbao/{name}"));
        }
    }
    found
}

/// Names in the output folder that are links which do not resolve.
fn dangling(out: &Path) -> Vec<String> {
    std::fs::read_dir(out)
        .expect("ls")
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_symlink()) && !e.path().exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_second_writer_fails_at_once_naming_the_holder_and_readers_need_no_lock() {
    let tmp = tempfile::tempdir().expect("tmp");
    let archive = demo_copy(tmp.path());
    let out = tmp.path().join("out");
    // This process is the first writer of the output folder.
    let held = DirLock::acquire(&out, &out.join(".nianbao/lock")).expect("lock");
    let o = replay(&archive, &out, &[]);
    assert_eq!(code(&o), 2, "{}", describe(&o));
    let msg = stderr(&o);
    assert!(msg.contains("in use by another nianbao run"), "{msg}");
    assert!(
        msg.contains(&format!("PID {}", std::process::id())),
        "{msg}"
    );
    assert!(snapshot(&out).is_empty(), "nothing written");
    drop(held);

    // A crawl's archive lock: a second crawl into it fails before any request…
    let harvest = tmp.path().join("harvest");
    let config = tmp.path().join("c.toml");
    std::fs::write(
        &config,
        "[[city]]\nname = \"空市\"\nadcode = \"450000\"\nportal = \"http://127.0.0.1:9/\"\n",
    )
    .expect("config");
    let held = DirLock::acquire(&harvest, &harvest.join("nianbao.lock")).expect("lock");
    let o = run(bin()
        .args(["crawl", "--quiet", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&harvest));
    assert_eq!(code(&o), 2, "{}", describe(&o));
    assert!(stderr(&o).contains(&format!("PID {}", std::process::id())));
    drop(held);
    // …and a reader of an archive never takes its lock.
    let _held = DirLock::acquire(&archive, &archive.join("nianbao.lock")).expect("lock");
    let o = replay(&archive, &out, &[]);
    assert_eq!(code(&o), 0, "{}", describe(&o));
}

#[test]
fn a_lock_left_by_a_killed_run_is_taken_over_and_logged() {
    let tmp = tempfile::tempdir().expect("tmp");
    let archive = demo_copy(tmp.path());
    let out = tmp.path().join("out");
    std::fs::create_dir_all(out.join(".nianbao")).expect("mkdir");
    std::fs::write(
        out.join(".nianbao/lock"),
        "PID 999999, started 2026-04-15T03:00:00.000000Z\n",
    )
    .expect("stale lock");
    let o = replay(&archive, &out, &["--city", "贵港", "--years", "2021"]);
    assert_eq!(code(&o), 0, "{}", describe(&o));
    let msg = stderr(&o);
    assert!(msg.contains("took over the lock"), "{msg}");
    assert!(msg.contains("PID 999999"), "{msg}");
    assert_eq!(
        std::fs::read(out.join(".nianbao/lock"))
            .expect("lock")
            .len(),
        0,
        "released"
    );
}

/// The files of a set folder being written, counted (the event a kill waits for).
fn staged_files(out: &Path) -> usize {
    fn count(dir: &Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries
                .flatten()
                .map(|e| {
                    let p = e.path();
                    if e.file_type().is_ok_and(|t| t.is_dir()) {
                        count(&p)
                    } else {
                        1
                    }
                })
                .sum()
        })
    }
    let sets = out.join(".nianbao");
    let current = std::fs::read_link(sets.join("current")).ok();
    std::fs::read_dir(&sets).map_or(0, |entries| {
        entries
            .flatten()
            .filter(|e| {
                let name = e.file_name();
                name.to_string_lossy().starts_with("set-")
                    && current.as_deref() != Some(Path::new(&name))
            })
            .map(|e| count(&e.path()))
            .sum()
    })
}

#[test]
fn kill_9_at_random_points_of_an_aggregation_leaves_one_complete_set() {
    let tmp = tempfile::tempdir().expect("tmp");
    let archive = demo_copy(tmp.path());
    // The two sets a folder may show: a small one (an earlier run) and the full one.
    let full_out = tmp.path().join("full");
    let o = replay(&archive, &full_out, &[]);
    assert_eq!(code(&o), 0, "{}", describe(&o));
    let full = snapshot(&full_out);
    let out = tmp.path().join("out");
    let o = replay(&archive, &out, &["--city", "贵港", "--years", "2019..2020"]);
    assert_eq!(code(&o), 0, "{}", describe(&o));
    let small = snapshot(&out);
    assert!(small.contains_key("comparison_2019.csv") && small.len() < full.len());

    let seed = fastrand::u64(..);
    eprintln!("kill -9 points: seed {seed}");
    let mut rng = fastrand::Rng::with_seed(seed);
    // 0 files: killed while reading the archive; 17 and more: around the switch.
    let full_files = full.len() + 1; // report.html is written last, plus a temporary file
    for round in 0..6 {
        let target = rng.usize(0..=full_files);
        let mut child = bin()
            .current_dir(root())
            .args(["harvest", "--quiet", "--replay"])
            .arg(&archive)
            .arg("--out")
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        // Wait for the event (the set folder holds `target` files) or the run's end.
        loop {
            if staged_files(&out) >= target || child.try_wait().expect("wait").is_some() {
                break;
            }
            std::thread::yield_now();
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let shown = snapshot(&out);
        assert!(
            shown == small || shown == full,
            "round {round} (killed at {target} files, seed {seed}): the folder shows a mix: \
             {} files, {:?}",
            shown.len(),
            shown.keys().collect::<Vec<_>>()
        );
    }
    let o = replay(&archive, &out, &[]);
    assert_eq!(code(&o), 0, "{}", describe(&o));
    assert_eq!(snapshot(&out), full);
    assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
    assert!(dangling(&out).is_empty(), "{:?}", dangling(&out));
}

#[test]
fn files_the_new_set_lacks_disappear_with_the_old_set() {
    let tmp = tempfile::tempdir().expect("tmp");
    let archive = demo_copy(tmp.path());
    let out = tmp.path().join("out");
    let o = replay(&archive, &out, &["--years", "2019..2020"]);
    assert_eq!(code(&o), 0, "{}", describe(&o));
    assert!(out.join("comparison_2019.csv").exists());
    // Leftovers of a killed run of an earlier version.
    std::fs::create_dir_all(out.join(".staging-4242/cells")).expect("mkdir");
    std::fs::write(out.join(".report.html.tmp-4242"), "half").expect("write");
    let o = replay(&archive, &out, &["--years", "2021", "--no-report"]);
    assert_eq!(code(&o), 0, "{}", describe(&o));
    assert!(!out.join("comparison_2019.csv").exists());
    assert!(
        !out.join("report.html").exists(),
        "--no-report: no stale report"
    );
    assert!(out.join("comparison_2021.csv").exists());
    assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
    // `nianbao report` adds the report to the current set.
    let o = run(bin().args(["report", "--from"]).arg(&out));
    assert_eq!(code(&o), 0, "{}", describe(&o));
    assert!(out.join("report.html").exists());
}

/// A small tmpfs at `dir`, unmounted when dropped; `None` when this machine does not allow it.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).ok()?;
        let o = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .ok()?;
        o.status.success().then(|| Tmpfs(dir.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).output();
    }
}

#[test]
fn a_full_disk_is_a_clean_exit_3_naming_the_file_and_the_previous_set_stays() {
    let tmp = tempfile::tempdir().expect("tmp");
    let archive = demo_copy(tmp.path());
    // The small set (贵港 2021) needs about 1 MB: its report pages and chart files take 4 KB
    // blocks each, and its workbook's worksheets spill to temporary XML files beside it. The
    // full set far more: each size runs out in another writer (cells, the small tables, the
    // workbook, the report's pages).
    for size in ["1m", "2m", "7m", "8m", "9m", "10m"] {
        let mnt = tmp.path().join(format!("disk-{size}"));
        let Some(_disk) = Tmpfs::mount(&mnt, size) else {
            eprintln!("SKIPPED a_full_disk…: cannot mount a tmpfs here (needs root)");
            return;
        };
        let out = mnt.join("out");
        let o = replay(&archive, &out, &["--city", "贵港", "--years", "2021"]);
        assert_eq!(code(&o), 0, "{size}: {}", describe(&o));
        let before = snapshot(&out);
        let o = replay(&archive, &out, &[]);
        let msg = stderr(&o);
        assert_eq!(code(&o), 3, "{size}: {}", describe(&o));
        assert!(!msg.contains("panicked"), "{size}: {msg}");
        assert!(msg.contains("cannot write"), "{size}: {msg}");
        assert!(
            msg.contains(&mnt.display().to_string()),
            "{size}: names the file: {msg}"
        );
        assert_eq!(snapshot(&out), before, "{size}: the previous set is intact");
        assert!(leftovers(&out).is_empty(), "{size}: {:?}", leftovers(&out));
    }
}

/// The gzip member of `entry`'s record, decompressed.
fn record_bytes(e: &nianbao_archive::Entry) -> Vec<u8> {
    let mut file = std::fs::File::open(&e.warc_file).expect("warc");
    let mut all = Vec::new();
    file.read_to_end(&mut all).expect("read");
    let start = usize::try_from(e.warc_offset).expect("offset");
    let end = start + usize::try_from(e.warc_length).expect("length");
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&all[start..end])
        .read_to_end(&mut raw)
        .expect("gunzip");
    raw
}

#[test]
fn corrupted_and_edited_records_are_named_and_counted_exit_1_and_strict_keeps_the_outputs() {
    let tmp = tempfile::tempdir().expect("tmp");
    let archive = demo_copy(tmp.path());
    let out = tmp.path().join("out");
    let o = replay(&archive, &out, &[]);
    assert_eq!(code(&o), 0, "{}", describe(&o));
    let clean = snapshot(&out);

    let entries = Archive::open(&archive)
        .expect("archive")
        .entries()
        .expect("entries");
    let pages: Vec<_> = entries
        .iter()
        .filter(|e| e.target.kind == PageKind::Report && e.file_type == "html")
        .collect();
    let (edited, corrupted) = (pages[0], pages[pages.len() / 2]);
    // Edited: one digit of the payload changed, the record re-compressed and appended, the
    // state pointed at it; every header (and its digests) left as they were.
    let mut raw = record_bytes(edited);
    let body = raw
        .windows(4)
        .rposition(|w| w == b"\r\n\r\n")
        .expect("a body");
    let digit = raw[..body]
        .iter()
        .rposition(u8::is_ascii_digit)
        .expect("a digit");
    raw[digit] = if raw[digit] == b'9' {
        b'8'
    } else {
        raw[digit] + 1
    };
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&raw).expect("gzip");
    let member = gz.finish().expect("gzip");
    let offset = std::fs::metadata(&edited.warc_file).expect("len").len();
    std::fs::OpenOptions::new()
        .append(true)
        .open(&edited.warc_file)
        .expect("open")
        .write_all(&member)
        .expect("append");
    let db = rusqlite::Connection::open(archive.join("state.sqlite")).expect("db");
    db.execute(
        "UPDATE urls SET warc_offset = ?1, warc_length = ?2 WHERE record_id = ?3",
        rusqlite::params![offset as i64, member.len() as i64, edited.record_id],
    )
    .expect("update");
    drop(db);
    // Corrupted: a byte in the middle of a gzip member flipped in place.
    let mut bytes = std::fs::read(&corrupted.warc_file).expect("read");
    let at = usize::try_from(corrupted.warc_offset + corrupted.warc_length / 2).expect("at");
    bytes[at] ^= 0x5a;
    std::fs::write(&corrupted.warc_file, bytes).expect("write");

    let o = replay(&archive, &out, &["--strict"]);
    assert_eq!(code(&o), 1, "{}", describe(&o));
    let msg = stderr(&o);
    assert!(msg.contains(&edited.target.url), "{msg}");
    assert!(msg.contains("digest mismatch"), "{msg}");
    assert!(msg.contains(&corrupted.target.url), "{msg}");
    assert!(msg.contains("--strict"), "{msg}");
    assert_eq!(snapshot(&out), clean, "--strict keeps the previous outputs");

    let o = replay(&archive, &out, &["--log-format", "json"]);
    assert_eq!(code(&o), 1, "partial is not success: {}", describe(&o));
    let msg = stderr(&o);
    // Every line is JSON: log events, then the summary.
    let summary: serde_json::Value = msg
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v.get("report_pages").is_some())
        .unwrap_or_else(|| panic!("a JSON summary: {msg}"));
    assert_eq!(summary["unreadable_records"], 2, "{summary}");
    assert_eq!(summary["partial"], true, "{summary}");
    assert_ne!(
        snapshot(&out),
        clean,
        "without --strict the readable reports are written"
    );
    let listed = std::fs::read_to_string(out.join("unreadable.csv")).expect("unreadable.csv");
    assert_eq!(listed.lines().count(), 3, "header and two inputs: {listed}");
    assert!(listed.contains(&edited.target.url) && listed.contains(&corrupted.target.url));
    assert!(
        !clean.contains_key("unreadable.csv"),
        "a complete run lists nothing"
    );
    // Each lost record is also a finding (P-UNREADABLE, an error) and a coverage entry.
    let findings = std::fs::read_to_string(out.join("findings.csv")).expect("findings.csv");
    let coverage = std::fs::read_to_string(out.join("coverage.csv")).expect("coverage.csv");
    for page in [edited, corrupted] {
        let url = &page.target.url;
        assert!(
            findings.lines().any(|l| l.contains("P-UNREADABLE")
                && l.contains(",error,")
                && l.contains(url.as_str())),
            "finding for {url}: {findings}"
        );
        assert!(
            coverage
                .lines()
                .any(|l| l.contains(",unreadable,") && l.contains(url.as_str())),
            "coverage entry for {url}: {coverage}"
        );
    }
}

#[test]
fn parse_names_an_empty_file_an_endless_input_and_malformed_docx_xml() {
    let tmp = tempfile::tempdir().expect("tmp");
    let empty = tmp.path().join("empty.html");
    std::fs::write(&empty, b"").expect("write");
    let o = run(bin().arg("parse").arg(&empty));
    assert_eq!(code(&o), 1, "{}", describe(&o));
    assert!(
        stderr(&o).contains("empty.html: the file is empty"),
        "{}",
        describe(&o)
    );

    let o = run(bin().args(["parse", "--max-input-bytes", "65536", "/dev/zero"]));
    assert_eq!(code(&o), 1, "{}", describe(&o));
    assert!(stderr(&o).contains("/dev/zero: larger than the input cap of 65536 bytes"));

    let docx = tmp.path().join("cut.docx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&docx).expect("create"));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", opts).expect("zip");
    zip.write_all(b"<?xml version=\"1.0\"?><Types/>")
        .expect("zip");
    zip.start_file("word/document.xml", opts).expect("zip");
    zip.write_all(b"<w:document><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>12</w:t>")
        .expect("zip");
    zip.finish().expect("zip");
    let o = run(bin().arg("parse").arg(&docx));
    assert_eq!(code(&o), 1, "{}", describe(&o));
    let msg = stderr(&o);
    assert!(
        msg.contains("cut.docx") && msg.contains("word/document.xml is malformed"),
        "{msg}"
    );
}

#[test]
fn a_full_stdout_is_a_clean_exit_3() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("SKIPPED a_full_stdout…: no /dev/full");
        return;
    };
    let page = root().join("tests/fixtures/parse");
    let file = std::fs::read_dir(&page)
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "html"))
        .expect("an html fixture");
    let o = run(bin().args(["parse", "--json"]).arg(&file).stdout(full));
    assert_eq!(code(&o), 3, "{}", describe(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", describe(&o));
}
