//! The command line keeps its word: every exit code the README documents, usage errors that
//! name the flag, a closed stdout that ends the run quietly, and `harvest --replay` filtered by
//! `--city` and `--years`.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::Stdio;

use crate::util::{bin, copy_dir, describe, listing, root, run};

fn config() -> PathBuf {
    root().join("config/guangxi.toml")
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/parse").join(name)
}

fn code(out: &std::process::Output) -> i32 {
    out.status.code().expect("exited, not killed")
}

#[test]
fn exit_0_when_every_file_parses_even_with_broken_rules() {
    let out = run(bin()
        .args(["parse", "--json"])
        .arg(fixture("broken-rules-2021.txt")));
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

#[test]
fn exit_1_when_some_files_of_a_batch_fail_and_the_rest_are_still_parsed() {
    let missing = root().join("tests/fixtures/parse/no-such-report.html");
    let out = run(bin()
        .args(["parse", "--json"])
        .arg(&missing)
        .arg(fixture("blanks-2019.html")));
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-report.html"));
}

/// Runs `nianbao ARGS` and checks exit 2 with a message that contains `names`.
fn assert_usage_error(args: &[&str], names: &str) {
    let out = run(bin().args(args));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 2, "{args:?}\n{}", describe(&out));
    assert!(stderr.contains(names), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?}: stdout carries only data");
}

#[test]
fn exit_2_for_an_unknown_flag_or_subcommand() {
    assert_usage_error(&["parse", "--no-such-flag", "a.html"], "--no-such-flag");
    assert_usage_error(&["bogus"], "bogus");
}

#[test]
fn exit_2_for_an_unknown_city_naming_the_flag_and_the_known_cities() {
    let config = config();
    let config = config.to_str().expect("utf-8 path");
    let out_dir = tempfile::tempdir().expect("tempdir");
    let out = out_dir.path().to_str().expect("utf-8 path");
    for sub in ["crawl", "harvest"] {
        assert_usage_error(
            &[sub, "--config", config, "--city", "不存在市", "--out", out],
            "--city",
        );
        assert_usage_error(
            &[sub, "--config", config, "--city", "不存在市", "--out", out],
            "贵港市",
        );
    }
}

#[test]
fn exit_2_for_bad_years_showing_the_accepted_forms() {
    let config = config();
    let config = config.to_str().expect("utf-8 path");
    let out_dir = tempfile::tempdir().expect("tempdir");
    let out = out_dir.path().to_str().expect("utf-8 path");
    for years in ["2024..2019", "2019-2024", "twenty"] {
        assert_usage_error(
            &["crawl", "--config", config, "--years", years, "--out", out],
            "FROM..TO",
        );
    }
    let demo = root().join("data/demo");
    let demo = demo.to_str().expect("utf-8 path");
    assert_usage_error(
        &[
            "harvest",
            "--replay",
            demo,
            "--years",
            "2024..2019",
            "--out",
            out,
        ],
        "--years",
    );
}

#[test]
fn exit_2_for_scope_with_replay_which_a_replay_cannot_honour() {
    let demo = root().join("data/demo");
    let out_dir = tempfile::tempdir().expect("tempdir");
    let out = run(bin()
        .args(["harvest", "--scope", "all", "--replay"])
        .arg(&demo)
        .arg("--out")
        .arg(out_dir.path()));
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--scope"));
    assert!(
        std::fs::read_dir(out_dir.path())
            .expect("out")
            .next()
            .is_none(),
        "nothing written"
    );
}

#[test]
fn exit_2_for_refresh_or_retry_failed_with_replay_which_fetch_nothing() {
    let demo = root().join("data/demo");
    for flag in ["--refresh", "--retry-failed"] {
        let out_dir = tempfile::tempdir().expect("tempdir");
        let out = run(bin()
            .args(["harvest", flag, "--replay"])
            .arg(&demo)
            .arg("--out")
            .arg(out_dir.path()));
        assert_eq!(code(&out), 2, "{}", describe(&out));
        assert!(String::from_utf8_lossy(&out.stderr).contains(flag));
        assert!(
            std::fs::read_dir(out_dir.path())
                .expect("out")
                .next()
                .is_none(),
            "nothing written"
        );
    }
}

#[test]
fn exit_2_for_a_config_that_does_not_load_naming_the_file_and_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[crawl]\nno_such_key = 1\n").expect("write config");
    assert_config_error(&bad, &["bad.toml", "no_such_key"]);
}

#[test]
fn exit_3_when_the_archive_cannot_be_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(bin()
        .args(["aggregate", "--quiet", "--config"])
        .arg(config())
        .arg("--archive")
        .arg(dir.path().join("no-such-archive"))
        .arg("--out")
        .arg(dir.path().join("out")));
    assert_eq!(code(&out), 3, "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-archive"));
}

#[test]
fn a_closed_stdout_ends_the_run_quietly_with_exit_0() {
    // Enough output to fill the pipe many times over, so the writer meets the closed pipe.
    let files: Vec<PathBuf> = (0..60)
        .flat_map(|_| {
            [
                "blanks-2019.html",
                "word-export-2019.html",
                "pipe-lines-2021.txt",
            ]
        })
        .map(fixture)
        .collect();
    let mut child = bin()
        .args(["parse", "--json", "--sources"])
        .args(&files)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn nianbao");
    let stdout = child.stdout.take().expect("stdout");
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("first line");
    assert!(first.starts_with('{'), "{first}");
    // The reader is dropped here: stdout is closed, as `| head -1` does.
    let out = child.wait_with_output().expect("wait");
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(
        out.stderr.is_empty(),
        "no error for a closed pipe: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn harvest_replay_aggregates_only_the_chosen_cities_and_years() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A copy, so the run cannot touch the repository's demo archive.
    let demo = dir.path().join("demo");
    copy_dir(&root().join("data/demo"), &demo);
    let out_dir = dir.path().join("out");
    let out = run(bin()
        .args([
            "harvest",
            "--quiet",
            "--no-report",
            "--city",
            "贵港",
            "--city",
            "450100",
        ])
        .args(["--years", "2021..2022", "--config"])
        .arg(config())
        .arg("--replay")
        .arg(&demo)
        .arg("--out")
        .arg(&out_dir));
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let mut reader = csv::Reader::from_path(out_dir.join("reports.csv")).expect("reports.csv");
    let header = reader.headers().expect("header").clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
    };
    let (city, year) = (column("city"), column("year"));
    let mut seen = std::collections::BTreeSet::new();
    for row in reader.records() {
        let row = row.expect("row");
        seen.insert((row[city].to_string(), row[year].to_string()));
    }
    let want: std::collections::BTreeSet<(String, String)> = [
        ("南宁市", "2021"),
        ("南宁市", "2022"),
        ("贵港市", "2021"),
        ("贵港市", "2022"),
    ]
    .iter()
    .map(|(c, y)| (c.to_string(), y.to_string()))
    .collect();
    assert_eq!(seen, want);
}

#[test]
fn a_replay_writes_nothing_into_the_archive() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = dir.path().join("demo");
    copy_dir(&root().join("data/demo"), &demo);
    let before = listing(&demo);
    let out = run(bin()
        .args(["harvest", "--quiet", "--no-report", "--replay"])
        .arg(&demo)
        .arg("--out")
        .arg(dir.path().join("out")));
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(listing(&demo), before, "the archive was written to");
}

/// Runs `nianbao ARGS` in `cwd` as the unprivileged user `nobody` when the tests run as root
/// (root ignores file permissions), else as the current user; `None` when that cannot be done.
fn run_as_another_user(
    args: &[&std::ffi::OsStr],
    cwd: &std::path::Path,
) -> Option<std::process::Output> {
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .ok()
        .is_some_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let mut cmd = if is_root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(env!("CARGO_BIN_EXE_nianbao"));
        c
    } else {
        bin()
    };
    cmd.args(args).current_dir(cwd);
    match cmd.output() {
        Ok(out) => Some(out),
        Err(e) => {
            eprintln!("SKIPPED a read-only replay as another user: {e}");
            None
        }
    }
}

fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// A team's shared folder: the archive and its folders read-only, replayed by another user,
/// from a folder that holds no config (the built-in 广西 config is the default).
#[test]
fn a_read_only_archive_replays_as_another_user_with_the_built_in_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    set_mode(dir.path(), 0o755);
    let demo = dir.path().join("demo");
    copy_dir(&root().join("data/demo"), &demo);
    for (path, _, _) in listing(&demo) {
        set_mode(&path, if path.is_dir() { 0o555 } else { 0o444 });
    }
    set_mode(&demo, 0o555);
    let work = dir.path().join("work");
    std::fs::create_dir(&work).expect("mkdir");
    set_mode(&work, 0o777);
    let before = listing(&demo);
    let args: Vec<&std::ffi::OsStr> = ["harvest", "--quiet", "--replay"]
        .iter()
        .map(std::ffi::OsStr::new)
        .chain([demo.as_os_str()])
        .chain(["--out", "out"].iter().map(std::ffi::OsStr::new))
        .collect();
    let Some(out) = run_as_another_user(&args, &work) else {
        return;
    };
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(work.join("out/cells.csv").exists(), "{}", describe(&out));
    assert_eq!(listing(&demo), before, "the archive was written to");
}

#[test]
fn an_unreadable_config_is_named_with_how_to_pass_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_config_error(
        &dir.path().join("missing.toml"),
        &["missing.toml", "--config"],
    );
}

#[test]
fn exit_4_when_a_host_never_answers_with_the_proxy_hint() {
    let tmp = tempfile::tempdir().expect("tmp");
    // A loopback port bound and released: every connection to it is refused.
    let refused = std::net::TcpListener::bind("127.0.0.203:0")
        .and_then(|l| l.local_addr())
        .expect("bind");
    let config = tmp.path().join("c.toml");
    std::fs::write(
        &config,
        format!(
            "[crawl]\nretries = 0\nbackoff_base_ms = 1\nconnect_timeout_ms = 2000\nunreachable_after = 2\n\
             [[city]]\nname = \"不通市\"\nadcode = \"459903\"\nportal = \"http://{refused}/\"\n\
             report_lists = [\"http://{refused}/ndbg/\"]\n"
        ),
    )
    .expect("config");
    let mut cmd = bin();
    for var in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    let out = run(cmd
        .args(["crawl", "--quiet", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(tmp.path().join("harvest")));
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unreachable hosts"), "{err}");
    assert!(err.contains("127.0.0.203: "), "{err}");
    assert!(err.contains("set a proxy"), "{err}");
}

/// `crawl --config CONFIG` exits 2 before anything is fetched or written, with a message that
/// names each of `names`.
fn assert_config_error(config: &std::path::Path, names: &[&str]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(bin()
        .args(["crawl", "--config"])
        .arg(config)
        .arg("--out")
        .arg(dir.path().join("harvest")));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    for name in names {
        assert!(stderr.contains(name), "{name} not in {stderr}");
    }
    assert!(!dir.path().join("harvest").exists(), "nothing written");
}

/// stderr of a run, and its one line that starts `nianbao:` (panics when there are several).
fn one_error_line(out: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    assert!(!stderr.contains("(os error"), "no error numbers: {stderr}");
    stderr
}

#[test]
fn an_error_is_one_line_that_says_its_cause_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("no-such-report.html");
    let out = run(bin().arg("parse").arg(&missing));
    let line = one_error_line(&out);
    assert!(
        line.contains("no-such-report.html: No such file or directory"),
        "{line}"
    );
    assert_eq!(line.matches("No such file").count(), 1, "{line}");

    let out = run(bin()
        .args(["aggregate", "--quiet", "--archive"])
        .arg(dir.path().join("no-such-folder"))
        .arg("--out")
        .arg(dir.path().join("out")));
    let line = one_error_line(&out);
    assert!(line.ends_with("no-such-folder: no such folder\n"), "{line}");

    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let out = run(bin()
        .args(["aggregate", "--quiet", "--archive"])
        .arg(&empty)
        .arg("--out")
        .arg(dir.path().join("out")));
    let line = one_error_line(&out);
    assert!(
        line.contains("not a harvest folder (no state.sqlite"),
        "{line}"
    );

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[crawl]\ndelay_ms = \n").expect("write");
    let out = run(bin()
        .args(["crawl", "--config"])
        .arg(&bad)
        .arg("--out")
        .arg(&empty));
    assert_eq!(code(&out), 2, "{}", describe(&out));
    let line = one_error_line(&out);
    assert!(line.contains("bad.toml: line 2, column 12: "), "{line}");
}

#[test]
fn a_years_range_written_with_a_dash_is_answered_with_the_spelling_meant() {
    let out_dir = tempfile::tempdir().expect("tempdir");
    let out = run(bin()
        .args(["harvest", "--years", "2019-2024", "--replay"])
        .arg(root().join("data/demo"))
        .arg("--out")
        .arg(out_dir.path()));
    assert_eq!(code(&out), 2, "{}", describe(&out));
    let line = one_error_line(&out);
    assert!(
        line.contains("2019..2024") && line.contains("FROM..TO"),
        "{line}"
    );
}

#[test]
fn help_texts_name_what_the_commands_read_and_do() {
    let help = |args: &[&str]| {
        let out = run(bin().args(args));
        assert_eq!(code(&out), 0, "{}", describe(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let parse = help(&["parse", "--help"]);
    for format in [
        "HTML", "text", "PDF", "DOCX", "DOC", "WPS", "OFD", "XLSX", "XLS", "ODS", "MHT",
    ] {
        assert!(
            parse.contains(format),
            "parse --help names {format}:\n{parse}"
        );
    }
    let top = help(&["--help"]);
    for command in [
        "harvest",
        "aggregate",
        "crawl",
        "parse",
        "report",
        "show",
        "extract",
    ] {
        assert!(top.contains(command), "{command} in --help:\n{top}");
    }
    assert!(
        top.contains("--log-format") && !top.contains("--log-json"),
        "{top}"
    );
    let aggregate = help(&["aggregate", "--help"]);
    assert!(
        aggregate.contains("which copies an aggregation dropped"),
        "{aggregate}"
    );
    assert!(help(&["extract", "--help"]).contains("Content-Encoding"));
}

/// `harvest --replay data/demo` into a fresh folder with `extra` flags: (output, folder).
fn replay_demo(extra: &[&str]) -> (std::process::Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(bin()
        .args(extra)
        .args(["harvest", "--quiet", "--replay"])
        .arg(root().join("data/demo"))
        .arg("--out")
        .arg(dir.path().join("out")));
    assert_eq!(code(&out), 0, "{}", describe(&out));
    (out, dir)
}

/// Every file below `dir`, following the output folder's links.
fn count_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .expect("read dir")
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                count_files(&path)
            } else {
                1
            }
        })
        .sum()
}

#[test]
fn the_summary_counts_what_was_written_and_names_the_scan() {
    let (out, dir) = replay_demo(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let set = dir.path().join("out/.nianbao/current");
    let files = count_files(&set);
    assert!(files > 16, "the Parquet partitions count: {files}");
    assert!(
        stderr.contains(&format!("wrote {files} files into")),
        "{stderr}"
    );
    assert!(stderr.contains("(1 copy dropped)"), "{stderr}");
    assert!(
        stderr.contains("rows for 2019–2024; no city-year missing"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 attachment could not be read: scans")
            && stderr.contains("P0202401308216514.pdf (梧州市审计局 2023)"),
        "{stderr}"
    );
    assert!(!stderr.contains('{'), "no set braces: {stderr}");
}

#[test]
fn log_format_json_prints_the_summary_as_one_object_and_log_json_still_works() {
    for flags in [&["--log-format", "json"][..], &["--log-json"][..]] {
        let (out, _dir) = replay_demo(flags);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let objects: Vec<serde_json::Value> = stderr
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect();
        let summary = objects
            .iter()
            .find(|v| v.get("report_pages").is_some())
            .unwrap_or_else(|| panic!("{stderr}"));
        assert_eq!(summary["duplicates_dropped"], 1, "{summary}");
        assert_eq!(
            summary["missing_city_years"],
            serde_json::json!([]),
            "{summary}"
        );
        assert_eq!(summary["scans"][0]["body"], "梧州市审计局", "{summary}");
    }
}

#[test]
fn debug_explains_the_copies_dropped_and_the_reports_not_compared() {
    let (out, _dir) = replay_demo(&["--debug"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("dropped as a copy of"), "{stderr}");
    assert!(stderr.contains("(the same bytes, SHA-256"), "{stderr}");
    assert!(
        stderr.contains("南宁市 2023 南宁市财政局")
            && stderr.contains("not compared: not the city government's own report"),
        "{stderr}"
    );
    assert!(
        stderr.contains("not compared: no table, no year, no body"),
        "{stderr}"
    );
}
