//! The demo generator's pages (`tools/demo/make_demo_reports.py OUT` → `OUT/manifest.json` +
//! `OUT/pages/`) → [`Site`]s the fixture portal serves: one site per city host, each with a
//! home page, the generated report-list pages (the portal's own TRS-style pagination) and the
//! report pages exactly as written (GBK bytes stay GBK; the HTTP header declares a charset only
//! for UTF-8 pages, as many real portals do). Pure apart from reading the folder.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

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
}

/// A demo site and the real host name it stands for (the crawl config maps one to the other).
#[derive(Debug)]
pub struct DemoSite {
    pub site: Site,
    pub host: String,
}

/// Build the sites of a demo folder. Site `i` listens on `127.0.0.{first_ip + i}`.
pub fn sites_from_manifest(dir: &Path, first_ip: u8) -> Result<Vec<DemoSite>, DemoError> {
    let path = dir.join("manifest.json");
    let text = std::fs::read(&path).map_err(|source| DemoError::Io {
        path: path.clone(),
        source,
    })?;
    let manifest: Manifest =
        serde_json::from_slice(&text).map_err(|source| DemoError::Manifest { path, source })?;
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
