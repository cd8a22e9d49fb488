//! Tables → files, switched as one set: every output of a run (the tables, the workbook,
//! `report.html` and its pages folder `report/`) is written into a fresh set folder `OUT/.nianbao/set-…`, and the run ends by
//! pointing the symbolic link `OUT/.nianbao/current` at it with one `rename(2)`. Each output
//! name in `OUT` is a symbolic link through `current` (`OUT/cells.csv` →
//! `.nianbao/current/cells.csv`), so every name switches in that one step: a reader sees the
//! whole old set or the whole new one, never a mix; a name the new set lacks stops resolving at
//! that moment (its dangling link is then removed). Formats: CSV ([`csv`]), XLSX ([`xlsx`]),
//! Parquet (`aggregate`). The caller must hold the output folder's lock (one writer).

pub mod csv;
pub mod shown;
pub mod xlsx;

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The folder inside an output folder that holds the output sets, `current` and the lock.
pub const SETS_DIR: &str = ".nianbao";
/// The output folder's lock file, inside [`SETS_DIR`].
pub const LOCK_FILE: &str = "lock";
const CURRENT: &str = "current";
/// The folder of the HTML report's pages beside `report.html` (see [`crate::htmlreport`]).
pub const REPORT_DIR: &str = "report";

/// The folder of the output set that `out` shows now: `out/.nianbao/current` resolved, so a
/// reader that opens several files reads them all from one set even if a run switches sets
/// meanwhile; `out` itself for a folder written before output sets existed.
pub fn current_set(out: &Path) -> PathBuf {
    let link = out.join(SETS_DIR).join(CURRENT);
    match fs::read_link(&link) {
        Ok(target) => out.join(SETS_DIR).join(target),
        Err(_) => out.to_path_buf(),
    }
}

/// Whether `name` (a top-level entry of an output folder) is one of nianbao's outputs: only
/// these are ever replaced, linked or removed; any other file in the folder is left alone.
pub fn is_output_name(name: &str) -> bool {
    use crate::aggregate::Scope;
    let table = |n: &str| {
        ["reports", "findings"].contains(&n)
            || Scope::ALL
                .iter()
                .any(|s| s.stem() == n || s.trends_stem() == n)
    };
    match name {
        "cells" | "cells.csv" | "nianbao.xlsx" | "report.html" | REPORT_DIR | "unreadable.csv"
        | "metrics.toml" => true,
        _ => {
            if let Some(stem) = name.strip_suffix(".parquet") {
                table(stem)
            } else if let Some(stem) = name.strip_suffix(".csv") {
                stem.strip_prefix("comparison_")
                    .is_some_and(|y| !y.is_empty() && y.bytes().all(|b| b.is_ascii_digit()))
                    || table(stem)
            } else {
                false
            }
        }
    }
}

/// A set folder being written for one run.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    sets: PathBuf,
    dir: PathBuf,
    committed: bool,
}

impl Staging {
    /// Create `out` if needed, remove what killed runs left behind (see [`sweep`]), and create
    /// an empty set folder. The caller holds the output folder's lock.
    pub fn new(out: &Path) -> io::Result<Staging> {
        let sets = out.join(SETS_DIR);
        fs::create_dir_all(&sets)?;
        sweep(out)?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = sets.join(format!("set-{nanos}-{}", std::process::id()));
        fs::create_dir(&dir)?;
        Ok(Staging {
            out: out.to_path_buf(),
            sets,
            dir,
            committed: false,
        })
    }

    /// Where to write the output `name` (a file, or a path inside a folder such as `cells/`)
    /// before the set is switched in.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Switch to the new set: link every name of the set in `out`, point `current` at the set
    /// (the one atomic step), then remove the names the set lacks and the previous set.
    pub fn commit(mut self) -> io::Result<()> {
        let names = top_names(&self.dir)?;
        let set_name = file_name(&self.dir);
        // The set's bytes reach the disk before the switch: after a power cut `current` never
        // points at files the disk did not keep.
        sync_tree(&self.dir)?;
        adopt_legacy(&self.out, &self.sets)?;
        for name in &names {
            link_name(&self.out, name)?;
        }
        let tmp = self
            .sets
            .join(format!("{CURRENT}.new-{}", std::process::id()));
        let _ = fs::remove_file(&tmp);
        std::os::unix::fs::symlink(&set_name, &tmp)?;
        fs::rename(&tmp, self.sets.join(CURRENT))?;
        sync_dir(&self.sets);
        self.committed = true;
        sweep(&self.out)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // A run that failed before the switch leaves no half-written output behind.
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Remove what is not part of the current set: set folders other than `current`'s, temporary
/// links, the `.staging-PID` folders and `.NAME.tmp-PID` files of killed runs (and of nianbao
/// versions before output sets), and links to names the current set lacks. Call under the
/// output folder's lock.
pub fn sweep(out: &Path) -> io::Result<()> {
    let sets = out.join(SETS_DIR);
    let current = fs::read_link(sets.join(CURRENT)).ok();
    if let Ok(entries) = fs::read_dir(&sets) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let path = e.path();
            if name.starts_with("set-") && current.as_deref() != Some(Path::new(&name)) {
                fs::remove_dir_all(&path)?;
            } else if name.starts_with(&format!("{CURRENT}.new-")) {
                fs::remove_file(&path)?;
            }
        }
    }
    let current_names = top_names(&current_set(out)).unwrap_or_default();
    for e in fs::read_dir(out)?.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = e.path();
        let is_link = e.file_type().is_ok_and(|t| t.is_symlink());
        if name.starts_with(".staging-") && e.file_type().is_ok_and(|t| t.is_dir()) {
            fs::remove_dir_all(&path)?;
        } else if is_temporary(&name) {
            remove_any(&path)?;
        } else if is_link
            && fs::read_link(&path).is_ok_and(|t| t == link_target(&name))
            && !current_names.contains(&name)
        {
            fs::remove_file(&path)?;
        }
    }
    Ok(())
}

/// `.NAME.tmp-PID`, `.NAME.link-PID` or `.NAME.old-PID` of an output NAME: a temporary file,
/// link or moved-aside folder of a run (only nianbao's own names: a file of the user's is never
/// removed).
fn is_temporary(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.') else {
        return false;
    };
    [".tmp-", ".link-", ".old-"].iter().any(|mark| {
        rest.rsplit_once(mark).is_some_and(|(stem, pid)| {
            is_output_name(stem) && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
        })
    })
}

fn remove_any(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(_) => Ok(()),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn top_names(dir: &Path) -> io::Result<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    for e in fs::read_dir(dir)?.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') {
            names.insert(name);
        }
    }
    Ok(names)
}

/// What the link `out/NAME` points to.
fn link_target(name: &str) -> PathBuf {
    Path::new(SETS_DIR).join(CURRENT).join(name)
}

/// Make `out/NAME` the link through `current` (atomically replacing whatever was there, so a
/// name never goes missing).
fn link_name(out: &Path, name: &str) -> io::Result<()> {
    let path = out.join(name);
    let target = link_target(name);
    if fs::read_link(&path).is_ok_and(|t| t == target) {
        return Ok(());
    }
    if fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
        // A real folder of that name (not ours, or not adopted): refuse rather than delete.
        return Err(io::Error::other(format!(
            "{} is a folder that is not part of an output set; move it away",
            path.display()
        )));
    }
    let tmp = out.join(format!(".{name}.link-{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    std::os::unix::fs::symlink(&target, &tmp)?;
    fs::rename(&tmp, &path)
}

/// A folder written before output sets existed holds its outputs as plain files: make them
/// the current set first (hard links, no copy), so the switch to the new set is atomic too.
fn adopt_legacy(out: &Path, sets: &Path) -> io::Result<()> {
    let mut legacy = Vec::new();
    for e in fs::read_dir(out)?.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        // No version before output sets wrote a `report/` folder: one there is the user's, and
        // linking over it is refused (`link_name`) rather than adopted and later removed.
        if is_output_name(&name)
            && name != REPORT_DIR
            && e.file_type().is_ok_and(|t| !t.is_symlink())
        {
            legacy.push(name);
        }
    }
    if legacy.is_empty() {
        return Ok(());
    }
    if fs::symlink_metadata(sets.join(CURRENT)).is_err() {
        let set = sets.join(format!("set-0-legacy-{}", std::process::id()));
        fs::create_dir_all(&set)?;
        for name in &legacy {
            link_tree(&out.join(name), &set.join(name))?;
        }
        let tmp = sets.join(format!("{CURRENT}.new-{}", std::process::id()));
        let _ = fs::remove_file(&tmp);
        std::os::unix::fs::symlink(file_name(&set), &tmp)?;
        fs::rename(&tmp, sets.join(CURRENT))?;
    }
    for name in &legacy {
        let path = out.join(name);
        if fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            // rename(2) cannot put a link over a folder: move the folder aside first.
            let aside = out.join(format!(".{name}.tmp-{}", std::process::id()));
            fs::rename(&path, &aside)?;
            link_name(out, name)?;
            fs::remove_dir_all(&aside)?;
        } else {
            link_name(out, name)?;
        }
    }
    Ok(())
}

/// Hard-link the file `from` to `to`, or every file of the folder `from` into `to`.
fn link_tree(from: &Path, to: &Path) -> io::Result<()> {
    if fs::symlink_metadata(from)?.is_dir() {
        fs::create_dir_all(to)?;
        for e in fs::read_dir(from)?.flatten() {
            link_tree(&e.path(), &to.join(e.file_name()))?;
        }
        Ok(())
    } else {
        fs::hard_link(from, to)
    }
}

/// `fsync` every file of a folder, and the folders themselves.
fn sync_tree(dir: &Path) -> io::Result<()> {
    for e in fs::read_dir(dir)?.flatten() {
        let path = e.path();
        if e.file_type()?.is_dir() {
            sync_tree(&path)?;
        } else {
            fs::File::open(&path)?.sync_all()?;
        }
    }
    sync_dir(dir);
    Ok(())
}

/// Make a rename in `dir` durable (best effort: not every file system supports it).
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ls(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .expect("ls")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn nothing_changes_until_commit_and_the_set_switches_whole() {
        let tmp = tempfile::tempdir().expect("tmp");
        let out = tmp.path();
        // A folder of an earlier version: plain files, and leftovers of a killed run.
        fs::write(out.join("a.csv"), "foreign").expect("write");
        fs::write(out.join("reports.csv"), "old").expect("write");
        fs::write(out.join("comparison_2019.csv"), "2019").expect("write");
        fs::create_dir_all(out.join(".staging-123/cells")).expect("mkdir");
        fs::write(out.join(".report.html.tmp-123"), "x").expect("write");
        {
            let s = Staging::new(out).expect("staging");
            fs::write(s.path("reports.csv"), "new").expect("write");
            // dropped without commit: a failed run
        }
        assert_eq!(
            fs::read_to_string(out.join("reports.csv")).expect("r"),
            "old"
        );
        assert_eq!(
            ls(out),
            [".nianbao", "a.csv", "comparison_2019.csv", "reports.csv"],
            "leftovers of killed runs are removed"
        );
        let s = Staging::new(out).expect("staging");
        fs::write(s.path("reports.csv"), "new").expect("write");
        fs::create_dir_all(s.path("cells/year=2021")).expect("mkdir");
        fs::write(s.path("cells/year=2021/part-0.parquet"), "p").expect("write");
        s.commit().expect("commit");
        assert_eq!(
            fs::read_to_string(out.join("reports.csv")).expect("r"),
            "new"
        );
        assert_eq!(
            fs::read_to_string(out.join("cells/year=2021/part-0.parquet")).expect("r"),
            "p"
        );
        assert_eq!(fs::read_to_string(out.join("a.csv")).expect("r"), "foreign");
        assert!(
            !out.join("comparison_2019.csv").exists(),
            "gone with the old set"
        );
        assert_eq!(ls(out), [".nianbao", "a.csv", "cells", "reports.csv"]);
        assert_eq!(ls(&out.join(SETS_DIR)).len(), 2, "current and one set");
        // The next set drops cells: the name goes with the old set.
        let s = Staging::new(out).expect("staging");
        fs::write(s.path("reports.csv"), "newer").expect("write");
        s.commit().expect("commit");
        assert_eq!(ls(out), [".nianbao", "a.csv", "reports.csv"]);
        assert_eq!(
            fs::read_to_string(current_set(out).join("reports.csv")).expect("r"),
            "newer"
        );
    }

    #[test]
    fn only_our_temporary_files_are_swept() {
        assert!(is_temporary(".report.html.tmp-123"));
        assert!(is_temporary(".cells.tmp-9"));
        assert!(is_temporary(".cells.csv.link-42"));
        assert!(is_temporary(".report.old-42") && is_temporary(".report.tmp-42"));
        assert!(!is_temporary(".notes.txt.tmp-1"));
        assert!(!is_temporary(".report.html.tmp-x"));
        assert!(!is_temporary("report.html.tmp-1"));
    }

    #[test]
    fn output_names() {
        for n in [
            "cells",
            "cells.csv",
            "comparison_2019.csv",
            "comparison.parquet",
            "trends.csv",
            "report.html",
            "report",
            "nianbao.xlsx",
            "comparison_city_totals.csv",
            "comparison_departments.parquet",
            "trends_counties.parquet",
            "metrics.toml",
        ] {
            assert!(is_output_name(n), "{n}");
        }
        assert!(is_output_name("comparison.csv"), "all years");
        for n in ["notes.csv", "harvest", "comparison_.csv", "x.parquet"] {
            assert!(!is_output_name(n), "{n}");
        }
    }
}
