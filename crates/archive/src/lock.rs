//! One writer per folder: an exclusive advisory lock (`flock(2)` through the `fs4` crate) on a
//! lock file, held for the whole run by [`DirLock`]. The file holds the holder's PID and start
//! time while it is held, so a second run can name the holder. The kernel drops the lock when
//! its process dies, even by `kill -9`; the next run then finds the dead holder's line still in
//! the file, takes the lock over and says so ([`DirLock::taken_over`]). The file itself is never
//! deleted (deleting a lock file races with a run that has just opened it); a clean release
//! empties it. Readers never take the lock.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use fs4::{FileExt, TryLockError};

/// Why a folder could not be locked.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another run holds the lock.
    #[error(
        "{folder} is in use by another nianbao run ({holder}; lock file {path}); \
         wait for it to finish or stop it, then run again"
    )]
    Held {
        /// The folder the lock protects.
        folder: PathBuf,
        /// The lock file.
        path: PathBuf,
        /// What the holder wrote: `PID 1234, started 2026-04-15T03:00:00.000000Z`, or
        /// `holder unknown` when the file was still empty.
        holder: String,
    },
    /// The lock file could not be created, read or written.
    #[error("cannot lock {path}: {source}")]
    Io {
        /// The lock file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// An exclusive lock on a folder, held until dropped.
#[derive(Debug)]
pub struct DirLock {
    file: File,
    path: PathBuf,
    taken_over: Option<String>,
}

impl DirLock {
    /// Locks `folder` through its lock file `lock_path` (created if needed, with its parent
    /// folder), or fails at once with [`LockError::Held`] naming the holder. Never waits.
    pub fn acquire(folder: &Path, lock_path: &Path) -> Result<DirLock, LockError> {
        let io = |source| LockError::Io {
            path: lock_path.to_path_buf(),
            source,
        };
        if let Some(parent) = lock_path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(lock_path)
            .map_err(io)?;
        match FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(LockError::Held {
                    folder: folder.to_path_buf(),
                    path: lock_path.to_path_buf(),
                    holder: holder_of(&mut file),
                })
            }
            Err(TryLockError::Error(source)) => return Err(io(source)),
        }
        let previous = read_line(&mut file);
        let line = format!(
            "PID {}, started {}\n",
            std::process::id(),
            crate::warc::warc_date(SystemTime::now())
        );
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        file.write_all(line.as_bytes()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(DirLock {
            file,
            path: lock_path.to_path_buf(),
            taken_over: (!previous.is_empty()).then_some(previous),
        })
    }

    /// The line of a holder that died without releasing the lock (e.g. killed), when this run
    /// took its lock over; the caller logs it.
    pub fn taken_over(&self) -> Option<&str> {
        self.taken_over.as_deref()
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        // A clean release leaves an empty file; closing the file releases the lock.
        let _ = self.file.set_len(0);
        let _ = FileExt::unlock(&self.file);
    }
}

fn read_line(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.seek(SeekFrom::Start(0));
    let _ = file.take(4096).read_to_string(&mut text);
    text.trim().to_string()
}

fn holder_of(file: &mut File) -> String {
    let line = read_line(file);
    if line.is_empty() {
        "holder unknown".into()
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_fails_naming_the_holder_and_a_dead_holder_is_taken_over() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("nianbao.lock");
        let first = DirLock::acquire(dir.path(), &path).expect("first");
        assert!(first.taken_over().is_none());
        let err = DirLock::acquire(dir.path(), &path).expect_err("held");
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("PID {}", std::process::id())),
            "{msg}"
        );
        drop(first);
        assert_eq!(std::fs::read(&path).expect("read").len(), 0, "released");
        // A holder killed without releasing leaves its line behind.
        std::fs::write(&path, "PID 999999, started 2026-01-01T00:00:00.000000Z\n").expect("w");
        let next = DirLock::acquire(dir.path(), &path).expect("take over");
        assert_eq!(
            next.taken_over(),
            Some("PID 999999, started 2026-01-01T00:00:00.000000Z")
        );
    }
}
