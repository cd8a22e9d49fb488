//! The crates keep the dependency rules of ARCHITECTURE.md, checked with `cargo tree` on the
//! lock file (offline): the parser builds without an async runtime, HTTP, SQLite or polars; the
//! model needs serde alone; the libraries carry no CLI crates; and the arrows between the
//! nianbao crates point one way.

use std::collections::BTreeSet;
use std::process::Command;

use crate::util::root;

/// The crates `package` pulls in, for `edges` (`normal` or `normal,dev`), as names.
fn tree(package: &str, edges: &str) -> BTreeSet<String> {
    let out = Command::new(env!("CARGO"))
        .current_dir(root())
        .args([
            "tree", "--frozen", "--prefix", "none", "--format", "{p}", "-e", edges,
        ])
        .args(["-p", package])
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo tree: {e}"));
    assert!(
        out.status.success(),
        "cargo tree -p {package}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

fn assert_none_of(package: &str, edges: &str, forbidden: &[&str]) {
    let crates = tree(package, edges);
    let found: Vec<&str> = forbidden
        .iter()
        .copied()
        .filter(|f| {
            crates
                .iter()
                .any(|c| c == f || c.starts_with(&format!("{f}-")))
        })
        .collect();
    assert!(
        found.is_empty(),
        "{package} ({edges}) must not depend on {found:?}"
    );
}

/// What a parser change must never have to rebuild.
const HEAVY: &[&str] = &[
    "polars",
    "tokio",
    "reqwest",
    "hyper",
    "rusqlite",
    "libsqlite3-sys",
    "axum",
    "rustls",
    "nianbao-archive",
    "nianbao-crawler",
    "nianbao-tables",
    "nianbao-fixtures",
];

#[test]
fn the_parser_and_its_tests_build_without_runtime_http_sqlite_or_polars() {
    assert_none_of("nianbao-parser", "normal,dev", HEAVY);
}

#[test]
fn the_model_depends_on_serde_alone() {
    let out = Command::new(env!("CARGO"))
        .current_dir(root())
        .args([
            "tree", "--frozen", "--prefix", "none", "--format", "{p}", "-e", "normal",
        ])
        .args(["--depth", "1", "-p", "nianbao-model"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo tree: {e}"));
    let direct: BTreeSet<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "nianbao-model")
        .map(str::to_string)
        .collect();
    assert_eq!(
        direct,
        BTreeSet::from(["serde".to_string(), "serde_json".to_string()])
    );
}

#[test]
fn the_libraries_carry_no_command_line_crates() {
    for lib in [
        "nianbao-model",
        "nianbao-parser",
        "nianbao-archive",
        "nianbao-crawler",
        "nianbao-tables",
    ] {
        assert_none_of(
            lib,
            "normal",
            &["clap", "indicatif", "tracing-subscriber", "anyhow"],
        );
    }
}

#[test]
fn the_arrows_between_the_crates_point_one_way() {
    assert_none_of(
        "nianbao-archive",
        "normal",
        &["nianbao-parser", "nianbao-crawler", "tokio"],
    );
    assert_none_of("nianbao-crawler", "normal", &["nianbao-tables", "polars"]);
    // No tokio/reqwest check here: polars' lazy engine (polars-stream) pulls them in through
    // its cloud file cache (object_store) whatever features are chosen (BENCHMARKS.md, "Build").
    assert_none_of(
        "nianbao-tables",
        "normal",
        &[
            "nianbao-crawler",
            "nianbao-archive",
            "nianbao-parser",
            "rusqlite",
        ],
    );
    assert_none_of("nianbao", "normal", &["nianbao-fixtures", "axum"]);
}

/// No two source files of a crate import each other, directly or around a loop
/// (`tools/file_cycles.py`, which finds the three cycles the single package had).
#[test]
fn no_source_files_import_each_other_in_a_cycle() {
    let Ok(out) = Command::new("python3")
        .arg(root().join("tools/file_cycles.py"))
        .output()
    else {
        eprintln!("SKIPPED no_source_files_import_each_other_in_a_cycle: python3 not found");
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.lines().any(|l| l.starts_with("0 cycle(s) in ")),
        "{stdout}"
    );
}

/// The crawler reaches the crawl state only through `nianbao_archive::state::Store`: no SQL of
/// its own, so no direct SQLite dependency.
#[test]
fn the_crawler_speaks_to_the_state_only_through_the_archive() {
    let out = Command::new(env!("CARGO"))
        .current_dir(root())
        .args([
            "tree", "--frozen", "--prefix", "none", "--format", "{p}", "-e", "normal",
        ])
        .args(["--depth", "1", "-p", "nianbao-crawler"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo tree: {e}"));
    let direct = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!direct.contains("rusqlite"), "{direct}");
}
