//! A crawl that fills its disk (a small tmpfs, when the machine allows mounting one): a clean
//! exit 3 naming the file, no panic; with room again, the same command resumes and every
//! archived record reads back with matching digests.

use std::path::Path;
use std::time::Duration;

use nianbao_archive::{read_payload, Archive};
use nianbao_fixtures::{PortalOptions, TEST_CRAWL_SETTINGS};

use super::harness::start_portal;
use crate::util::{bin, describe, run};

fn mount(dir: &Path, options: &str) -> bool {
    std::fs::create_dir_all(dir).is_ok()
        && std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir)
            .output()
            .is_ok_and(|o| o.status.success())
}

struct Unmount<'a>(&'a Path);

impl Drop for Unmount<'_> {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(self.0).output();
    }
}

#[test]
fn a_crawl_on_a_full_disk_exits_3_naming_the_file_and_resumes_when_there_is_room() {
    let tmp = tempfile::tempdir().expect("tmp");
    let portal = start_portal(PortalOptions::default(), Duration::from_millis(1));
    let config = tmp.path().join("portal.toml");
    std::fs::write(&config, portal.config_toml(TEST_CRAWL_SETTINGS)).expect("config");
    let mut filled = 0;
    // The disk runs out at another step each time: opening the state, a WARC append, a commit.
    for size in ["160k", "320k", "640k"] {
        let mnt = tmp.path().join(format!("disk-{size}"));
        if !mount(&mnt, &format!("size={size}")) {
            eprintln!("SKIPPED a_crawl_on_a_full_disk…: cannot mount a tmpfs here (needs root)");
            return;
        }
        let _unmount = Unmount(&mnt);
        let out = mnt.join("harvest");
        let crawl = || {
            run(bin()
                .args(["crawl", "--quiet", "--config"])
                .arg(&config)
                .arg("--out")
                .arg(&out))
        };
        let o = crawl();
        if o.status.success() {
            continue; // it fitted
        }
        filled += 1;
        let msg = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(3), "{size}: {}", describe(&o));
        assert!(!msg.contains("panicked"), "{size}: {msg}");
        assert!(
            msg.contains(&out.display().to_string()),
            "{size}: names the file: {msg}"
        );
        // Room again: the same command resumes, and the archive reads back intact.
        assert!(mount(&mnt, "remount,size=256m"), "remount");
        let o = crawl();
        assert_eq!(o.status.code(), Some(0), "{size}: {}", describe(&o));
        let archive = Archive::open(&out).expect("archive");
        let entries = archive.entries().expect("entries");
        assert!(!entries.is_empty());
        for e in &entries {
            read_payload(e).unwrap_or_else(|err| panic!("{size}: {}: {err}", e.target.url));
        }
    }
    assert!(filled > 0, "no size filled the disk");
}
