//! `nianbao extract --archive DIR (--record ID | --url URL) -o FILE`: one captured page or
//! attachment → its bytes, out of the WARC record, checked against every digest stored for
//! it, into a file (a temporary file renamed into place) or stdout. The archive is only read.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{Exit, UsageError};
use nianbao_archive::{read_payload, read_sent_payload, Archive, Capture};

/// Write a captured page or attachment out of an archive, as it was served.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["record", "url"])))]
pub(crate) struct Args {
    /// The harvest folder (`state.sqlite` + `warc/`); it is only read.
    #[arg(long, value_name = "ARCHIVE_DIR")]
    pub archive: PathBuf,
    /// The capture's WARC-Record-ID, with or without `<urn:uuid:…>` (the `warc_record_id`
    /// column of every table, and `nianbao show`, name it).
    #[arg(long, value_name = "ID")]
    pub record: Option<String>,
    /// The capture's URL (as linked, or after redirects).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Where to write the bytes (replaced in one step); `-` for stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    /// The body exactly as the server sent it, HTTP Content-Encoding (gzip, deflate) still
    /// applied; its SHA-1 is the record's WARC-Payload-Digest. Without it the encoding is
    /// undone, as a browser saves the file; its SHA-256 is the tables' `source_sha256`.
    #[arg(long)]
    pub raw: bool,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<Exit> {
    let wanted = match (&args.record, &args.url) {
        (Some(id), _) => Capture::Record(id.clone()),
        (None, Some(url)) => Capture::Url(url.clone()),
        (None, None) => return Err(UsageError("give --record ID or --url URL".into()).into()),
    };
    let archive = Archive::open(&args.archive)
        .with_context(|| format!("cannot read the archive {}", args.archive.display()))?;
    let entry = archive
        .find_capture(&wanted)
        .with_context(|| format!("cannot read the archive {}", args.archive.display()))?
        .ok_or_else(|| UsageError(not_found(&wanted, &args.archive)))?;
    let what = format!("record {} of {}", entry.record_id, entry.target.url);
    let bytes = if args.raw {
        read_sent_payload(&entry)
            .with_context(|| format!("cannot read {what}"))?
            .bytes
    } else {
        read_payload(&entry)
            .with_context(|| format!("cannot read {what}"))?
            .bytes
    };
    write_bytes(&args.output, &bytes)?;
    let form = match (&entry.content_encoding, args.raw) {
        (Some(enc), true) => format!(" as sent ({enc})"),
        (Some(enc), false) => format!(" ({enc} undone)"),
        (None, _) => String::new(),
    };
    if args.output != Path::new("-") {
        eprintln!(
            "nianbao: wrote {} bytes{form} of {what} to {}",
            bytes.len(),
            args.output.display()
        );
    }
    Ok(Exit::Ok)
}

fn not_found(wanted: &Capture, archive: &Path) -> String {
    let what = match wanted {
        Capture::Record(id) => format!("with the record ID {id}"),
        Capture::Url(url) => format!("of {url}"),
    };
    format!(
        "{}: no capture {what}; record IDs and URLs are in the tables' warc_record_id and \
         source_url columns, and `nianbao show CITY YEAR` prints them",
        archive.display()
    )
}

/// `bytes` to stdout (`-`), or to `path` through a temporary file beside it, renamed into
/// place: a reader never sees half a file, and a failed write leaves the old file.
fn write_bytes(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if path == Path::new("-") {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes)?;
        out.flush()?;
        return Ok(());
    }
    let name = path
        .file_name()
        .with_context(|| format!("{}: not a file name", path.display()))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::parse_args;

    #[test]
    fn one_of_record_or_url_and_an_output_are_required() {
        let base = ["extract", "--archive", "a", "-o", "f"];
        assert!(parse_args::<Args>(&base).is_err());
        assert!(parse_args::<Args>(&[&base[..], &["--record", "x"]].concat()).is_ok());
        assert!(parse_args::<Args>(&[&base[..], &["--url", "http://x/"]].concat()).is_ok());
        assert!(parse_args::<Args>(
            &[&base[..], &["--record", "x", "--url", "http://x/"]].concat()
        )
        .is_err());
        assert!(parse_args::<Args>(&["extract", "--archive", "a", "--record", "x"]).is_err());
    }

    #[test]
    fn a_file_is_replaced_in_one_step_and_no_temporary_file_stays() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("page.html");
        std::fs::write(&path, b"old").expect("write");
        write_bytes(&path, b"new bytes").expect("write");
        assert_eq!(std::fs::read(&path).expect("read"), b"new bytes");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["page.html"]);
        let missing = dir.path().join("no/such/folder/f");
        let err = write_bytes(&missing, b"x").expect_err("no folder");
        assert!(format!("{err:#}").contains("no/such/folder/f"), "{err:#}");
    }
}
