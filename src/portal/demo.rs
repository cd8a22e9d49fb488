//! The demo generator's pages (`tools/demo/make_demo_reports.py OUT` → `OUT/manifest.json` +
//! `OUT/pages/`) → [`Site`]s the fixture portal serves: one site per city host, each with a
//! home page, the generated report-list pages (the portal's own TRS-style pagination), the
//! report pages exactly as written (GBK bytes stay GBK; the HTTP header declares a charset only
//! for UTF-8 pages, as many real portals do) and the attachments the pages link, rendered from
//! the manifest's layouts by [`docs`](super::docs) (PDF with a text layer, ruled or not; DOCX; a
//! scan). Pure apart from reading the folder ([`write_attachments`] writes the rendered files
//! for inspection and `tools/demo/parse_check.py`).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::docs::{self, DocError, Layout, Rulings};
use super::generate::{add_home, add_lists, Item, PortalOptions, Resource, Site};

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a demo manifest: {source}")]
    Manifest {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("attachment {path}: unknown form {form:?} (pdf-ruled, pdf-unruled, pdf-scan, docx)")]
    Form { path: String, form: String },
    #[error("attachment {path}: {source}")]
    Render { path: String, source: DocError },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug, Deserialize)]
struct Manifest {
    entries: Vec<Entry>,
}

/// One page of the manifest (only the keys the portal needs).
#[derive(Debug, Deserialize)]
struct Entry {
    city: String,
    adcode: String,
    host: String,
    path: String,
    file: String,
    encoding: String,
    title: String,
    /// Files the page links (published as attachments).
    #[serde(default)]
    attachments: Vec<Attachment>,
}

/// An attachment of a demo page: where it is served and written, its form, and its content.
#[derive(Debug, Deserialize)]
struct Attachment {
    /// URL path on the city host.
    path: String,
    /// Where [`write_attachments`] puts it, relative to the demo folder.
    file: String,
    /// `pdf-ruled`, `pdf-unruled`, `pdf-scan` or `docx`.
    form: String,
    layout: Layout,
}

const PDF: &str = "application/pdf";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// An attachment's bytes and Content-Type.
fn render(a: &Attachment) -> Result<(&'static str, Vec<u8>), DemoError> {
    let rendered = match a.form.as_str() {
        "pdf-ruled" => docs::render_pdf(&a.layout, Rulings::Ruled).map(|b| (PDF, b)),
        "pdf-unruled" => docs::render_pdf(&a.layout, Rulings::Unruled).map(|b| (PDF, b)),
        // As many pages as the text-layer rendering would have.
        "pdf-scan" => docs::render_scan(2, &a.layout.title).map(|b| (PDF, b)),
        "docx" => docs::render_docx(&a.layout).map(|b| (DOCX, b)),
        _ => {
            return Err(DemoError::Form {
                path: a.path.clone(),
                form: a.form.clone(),
            })
        }
    };
    rendered.map_err(|source| DemoError::Render {
        path: a.path.clone(),
        source,
    })
}

fn read_manifest(dir: &Path) -> Result<Manifest, DemoError> {
    let path = dir.join("manifest.json");
    let text = std::fs::read(&path).map_err(|source| DemoError::Io {
        path: path.clone(),
        source,
    })?;
    serde_json::from_slice(&text).map_err(|source| DemoError::Manifest { path, source })
}

/// Render every attachment of a demo folder into `dir/<file>` (the bytes the portal serves).
/// Returns the files written.
pub fn write_attachments(dir: &Path) -> Result<Vec<PathBuf>, DemoError> {
    let mut written = Vec::new();
    for e in read_manifest(dir)?.entries {
        for a in &e.attachments {
            let (_, bytes) = render(a)?;
            let path = dir.join(&a.file);
            let write = |path: &Path| {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(path, &bytes)
            };
            write(&path).map_err(|source| DemoError::Write {
                path: path.clone(),
                source,
            })?;
            written.push(path);
        }
    }
    Ok(written)
}

/// A demo site and the real host name it stands for (the crawl config maps one to the other).
#[derive(Debug)]
pub struct DemoSite {
    pub site: Site,
    pub host: String,
}

/// Build the sites of a demo folder. Site `i` listens on `127.0.0.{first_ip + i}`.
pub fn sites_from_manifest(dir: &Path, first_ip: u8) -> Result<Vec<DemoSite>, DemoError> {
    let manifest = read_manifest(dir)?;
    let mut by_host: BTreeMap<(String, String), Vec<Entry>> = BTreeMap::new();
    for e in manifest.entries {
        by_host
            .entry((e.adcode.clone(), e.host.clone()))
            .or_default()
            .push(e);
    }
    let opts = PortalOptions {
        page_size: 8,
        ..PortalOptions::default()
    };
    let mut sites = Vec::new();
    for (i, ((adcode, host), entries)) in by_host.into_iter().enumerate() {
        let city = entries.first().map(|e| e.city.clone()).unwrap_or_default();
        let ip = Ipv4Addr::new(
            127,
            0,
            0,
            first_ip.wrapping_add(u8::try_from(i).unwrap_or(u8::MAX)),
        );
        let mut site = Site::new(city, adcode, ip);
        let mut items = Vec::new();
        for e in &entries {
            let file = dir.join(&e.file);
            let bytes =
                std::fs::read(&file).map_err(|source| DemoError::Io { path: file, source })?;
            let content_type = if e.encoding == "utf-8" {
                "text/html; charset=utf-8"
            } else {
                "text/html"
            };
            site.resources
                .insert(e.path.clone(), Resource::new(content_type, bytes));
            for a in &e.attachments {
                let (content_type, bytes) = render(a)?;
                site.resources
                    .insert(a.path.clone(), Resource::new(content_type, bytes));
            }
            items.push(Item {
                title: e.title.clone(),
                href: e.path.clone(),
            });
        }
        // Newest first, as report columns list them.
        items.reverse();
        add_lists(&mut site, &items, i, &opts);
        add_home(&mut site, i);
        sites.push(DemoSite { site, host });
    }
    Ok(sites)
}
