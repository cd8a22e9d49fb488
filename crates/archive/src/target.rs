//! A URL the crawl goes after, with what it is and what its link told about it: the fields a
//! frontier entry ([`crate::state::NewUrl`]), a frontier row ([`crate::state::UrlRow`]) and a
//! captured page ([`crate::Entry`]) share. Stored in the state database's `url`, `kind`, `city`,
//! `body` and `year` columns.

use crate::kind::PageKind;

/// A URL to fetch (or fetched), tagged with what it is to the crawl, the city whose crawl
/// found it, and the publishing body and report year its link text names.
///
/// Where the link was found (the parent page and the link text) is not part of it: the
/// frontier rows the fetcher reads do not carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The URL as discovered and enqueued: absolute, without fragment; unique in the state.
    pub url: String,
    /// What the URL is to the crawl.
    pub kind: PageKind,
    /// The city whose crawl found it (`[[city]] name` in the config).
    pub city: String,
    /// The publishing body named by the link text, e.g. `南宁市财政局`; `None` when unnamed.
    pub body: Option<String>,
    /// The report year named by the link text (for attachments: inherited from the report
    /// page); `None` when unnamed.
    pub year: Option<u16>,
}
