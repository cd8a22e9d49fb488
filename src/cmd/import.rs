//! `nianbao import FILE --archive DIR --city C --year Y [--body B] [--url U]`: a report file
//! that was not harvested (obtained by e-mail, typed in from a scan, saved by hand) → a WARC
//! `resource` record and a captured row of origin `manual` in the archive, so that every later
//! aggregation reads it like a harvested report, with `data_origin = manual`. Nothing is
//! fetched; the archive's lock is held while writing.

use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};

use super::{Exit, UsageError};
use nianbao_archive::state::{status, NewUrl, Outcome, Store, WarcPtr};
use nianbao_archive::warc::{sha1_base32, Record, RecordType};
use nianbao_archive::{PageKind, Target, MAX_PAYLOAD_BYTES};

/// Add a report file to an archive by hand (provenance `manual`).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The report: HTML, text, PDF, DOCX, or any other form `nianbao parse` reads.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The harvest folder to add it to (created if needed).
    #[arg(long, value_name = "DIR")]
    pub archive: PathBuf,
    /// The city it belongs to, as the config names it (name, short name or code).
    #[arg(long)]
    pub city: String,
    /// The report year.
    #[arg(long)]
    pub year: u16,
    /// The publishing body, e.g. `贵港市财政局`; default: the body the report's title names,
    /// else the city government.
    #[arg(long)]
    pub body: Option<String>,
    /// Where the report is published, if anywhere (an http(s) URL); default: an identifier
    /// `urn:nianbao:manual:SHA256` of the file's bytes.
    #[arg(long)]
    pub url: Option<String>,
    /// The cities (default: the built-in config/guangxi.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<Exit> {
    let config = super::load_config(args.config.as_deref())?;
    let city = super::crawl::select_cities(&config, std::slice::from_ref(&args.city))?
        .into_iter()
        .next()
        .ok_or_else(|| UsageError(format!("--city {}: no such city", args.city)))?;
    let bytes = read_capped(&args.file)?;
    let name = args.file.display().to_string();
    // An input that gives no report is a failed input (exit 1), not a fatal error.
    let report = match nianbao_parser::parse_bytes(&bytes, &name, None) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("nianbao: {e}; not imported");
            return Ok(Exit::SomeFailed);
        }
    };
    if report.table2.is_none() && report.table3.is_none() && report.table4.is_none() {
        eprintln!(
            "nianbao: {name}: none of tables 二, 三 and 四 was found in it (a scan needs OCR \
             first); not imported"
        );
        return Ok(Exit::SomeFailed);
    }
    if let Some(printed) = report.year.filter(|y| *y != i32::from(args.year)) {
        return Err(UsageError(format!(
            "--year {}: {name} is the report for {printed} (its title says so)",
            args.year
        ))
        .into());
    }
    let sha256 = hex(&Sha256::digest(&bytes));
    let url = match &args.url {
        Some(u) if u.starts_with("http://") || u.starts_with("https://") => u.clone(),
        Some(u) => return Err(UsageError(format!("--url {u}: not an http(s) URL")).into()),
        None => format!("urn:nianbao:manual:{sha256}"),
    };
    let body = args.body.clone().or(report.body.clone());
    let file_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let record = resource_record(&bytes, &url, file_name.as_deref());
    let member = record.to_gzip_member();
    let new = NewUrl {
        target: Target {
            url: url.clone(),
            kind: PageKind::Report,
            city: city.name.clone(),
            body,
            year: Some(args.year),
        },
        host: "manual".into(),
        depth: 0,
        parent: None,
        anchor: file_name.clone(),
    };
    let mut outcome = Outcome {
        status: status::DONE,
        final_url: Some(url.clone()),
        warc: Some(WarcPtr {
            file: String::new(),
            offset: 0,
            length: member.len() as u64,
            record_id: record.record_id.clone(),
        }),
        payload_sha1: Some(sha1_base32(&bytes)),
        payload_sha256: Some(sha256),
        content_type: Some(record.content_type.clone()),
        detected: Some(nianbao_crawler::fetch::sniff(&bytes).to_string()),
        fetched_at: Some(record.date.clone()),
        filename: file_name,
        ..Outcome::default()
    };
    let (mut store, _) = Store::open(&args.archive, config.crawl.warc_max_bytes)
        .with_context(|| format!("cannot open the archive {}", args.archive.display()))?;
    store.start_with_warcinfo(warcinfo().to_gzip_member())?;
    store
        .import(&member, &new, &mut outcome)
        .map_err(|e| match e {
            nianbao_archive::state::StateError::Known(_) => {
                UsageError(format!("--url: {e}")).into()
            }
            e => anyhow::Error::from(e),
        })?;
    eprintln!(
        "nianbao: imported {name} into {} as {url} ({} {}, record {}); aggregations read it with \
         data_origin = manual",
        args.archive.display(),
        city.name,
        args.year,
        record.record_id
    );
    Ok(Exit::Ok)
}

/// The file's bytes, refusing a file over the archive's payload cap (and naming it).
fn read_capped(path: &Path) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_PAYLOAD_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.len() as u64 > MAX_PAYLOAD_BYTES {
        anyhow::bail!(
            "{}: larger than the archive's cap of {MAX_PAYLOAD_BYTES} bytes; not imported",
            path.display()
        );
    }
    Ok(bytes)
}

/// The `resource` record of an imported file: the bytes as they are, their type by magic
/// bytes, and where they came from (never a local path: only the file's name).
fn resource_record(bytes: &[u8], url: &str, file_name: Option<&str>) -> Record {
    let content_type = match nianbao_crawler::fetch::sniff(bytes) {
        "html" => "text/html",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "ole" => "application/x-ole-storage",
        _ => "application/octet-stream",
    };
    let mut record = Record::new(RecordType::Resource, content_type, bytes.to_vec());
    record.target_uri = Some(url.to_string());
    record.payload_start = Some(0);
    record
        .fields
        .push(("WARC-Nianbao-Origin".into(), "manual".into()));
    if let Some(name) = file_name {
        record
            .fields
            .push(("WARC-Nianbao-File-Name".into(), name.to_string()));
    }
    record
}

fn warcinfo() -> Record {
    let body = format!(
        "software: nianbao/{}\r\nformat: WARC File Format 1.1\r\noperation: import (reports added by hand)\r\n",
        env!("CARGO_PKG_VERSION")
    );
    Record::new(
        RecordType::Warcinfo,
        "application/warc-fields",
        body.into_bytes(),
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
