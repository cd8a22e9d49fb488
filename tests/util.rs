//! Test harness: the built binary, the shared corpus when present, and a JSON comparison that
//! names every differing cell.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub(crate) fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nianbao"));
    cmd.env_remove("http_proxy")
        .env_remove("https_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY");
    cmd
}

/// Run a command; panic with everything needed to debug when it cannot start.
pub(crate) fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

pub(crate) fn describe(out: &Output) -> String {
    format!(
        "status: {}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/corpus`, or `None` (with a message saying the tests over it are skipped).
pub(crate) fn shared_corpus(test: &str) -> Option<PathBuf> {
    let dir = root().join("../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIPPED {test}: ../shared/corpus is not present (developer/CI material only)");
        None
    }
}

/// Every `*.expected.json` below `dir`, sorted.
pub(crate) fn expected_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(".expected.json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The report file an expected file describes: same stem, one of `exts`.
pub(crate) fn source_of(expected: &Path, exts: &[&str]) -> Option<PathBuf> {
    let name = expected
        .file_name()?
        .to_string_lossy()
        .replace(".expected.json", "");
    exts.iter()
        .map(|e| expected.with_file_name(format!("{name}.{e}")))
        .find(|p| p.exists())
}

pub(crate) fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Differences between `got` and `want` under the keys `keys`, numbers compared by value
/// (0 equals 0.0), as `path: got X, want Y` lines.
pub(crate) fn diff(got: &Value, want: &Value, keys: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for k in keys {
        diff_at(k, &got[*k], &want[*k], &mut out);
    }
    out
}

fn diff_at(path: &str, got: &Value, want: &Value, out: &mut Vec<String>) {
    match (got, want) {
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
        (Value::Object(a), Value::Object(b)) => {
            for (k, wv) in b {
                diff_at(
                    &format!("{path}.{k}"),
                    a.get(k).unwrap_or(&Value::Null),
                    wv,
                    out,
                );
            }
            for k in a.keys().filter(|k| !b.contains_key(*k)) {
                out.push(format!("{path}.{k}: unexpected key"));
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{path}: got {a}, want {b}")),
    }
}

/// A copy of the folder `from` at `to`.
pub(crate) fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

/// Every file below `dir` with its size and modification time, to show nothing was written.
pub(crate) fn listing(dir: &std::path::Path) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir").flatten() {
            let path = entry.path();
            let meta = entry.metadata().expect("metadata");
            if meta.is_dir() {
                stack.push(path.clone());
            }
            out.push((path, meta.len(), meta.modified().expect("mtime")));
        }
    }
    out.sort();
    out
}
