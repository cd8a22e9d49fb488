//! Tables → files, atomically: every output of a run is written into a staging folder inside
//! the output folder and moved into place only when all of it was written, so a failed run
//! leaves the previous output intact. Formats: CSV ([`csv`]), Parquet and XLSX (`aggregate`).

pub mod csv;
pub mod xlsx;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// A staging folder for one run's outputs.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    /// Top-level names staged so far (several writer threads may add to it).
    entries: std::sync::Mutex<Vec<String>>,
}

impl Staging {
    /// Create `out` if needed and an empty staging folder inside it.
    pub fn new(out: &Path) -> io::Result<Staging> {
        fs::create_dir_all(out)?;
        let dir = out.join(format!(".staging-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir)?;
        }
        fs::create_dir_all(&dir)?;
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
            entries: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// Where to write the output `name` (a file or a folder) before it is committed.
    pub fn path(&self, name: &str) -> PathBuf {
        let top = name.split('/').next().unwrap_or(name).to_string();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if !entries.contains(&top) {
            entries.push(top);
        }
        self.dir.join(name)
    }

    /// Move every staged output into the output folder, replacing the previous version.
    pub fn commit(self) -> io::Result<()> {
        let entries = self.entries.lock().map(|e| e.clone()).unwrap_or_default();
        for name in &entries {
            let staged = self.dir.join(name);
            if !staged.exists() {
                continue;
            }
            let target = self.out.join(name);
            if target.is_dir() {
                let old = self.dir.join(format!("{name}.old"));
                fs::rename(&target, &old)?;
                fs::rename(&staged, &target)?;
            } else {
                fs::rename(&staged, &target)?;
            }
        }
        fs::remove_dir_all(&self.dir)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // A run that failed before commit leaves no half-written output behind.
        let _ = fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_changes_until_commit() {
        let tmp = tempfile::tempdir().expect("tmp");
        fs::write(tmp.path().join("a.csv"), "old").expect("write");
        {
            let s = Staging::new(tmp.path()).expect("staging");
            fs::write(s.path("a.csv"), "new").expect("write");
            // dropped without commit: a failed run
        }
        assert_eq!(
            fs::read_to_string(tmp.path().join("a.csv")).expect("read"),
            "old"
        );
        let s = Staging::new(tmp.path()).expect("staging");
        fs::write(s.path("a.csv"), "new").expect("write");
        fs::create_dir_all(s.path("cells/year=2021")).expect("mkdir");
        fs::write(s.path("cells/year=2021/part-0.parquet"), "p").expect("write");
        s.commit().expect("commit");
        assert_eq!(
            fs::read_to_string(tmp.path().join("a.csv")).expect("read"),
            "new"
        );
        assert!(tmp.path().join("cells/year=2021/part-0.parquet").exists());
        let leftovers: Vec<_> = fs::read_dir(tmp.path())
            .expect("ls")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".staging"))
            .collect();
        assert!(leftovers.is_empty());
    }
}
