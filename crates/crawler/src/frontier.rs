//! What a crawl keeps and how a discovered link enters the frontier: the [`Scope`] of reports
//! wanted, and a link's normalised URL and host key. Shared by the engine (seeding) and the
//! worker (discovery).

use nianbao_archive::state::NewUrl;
use nianbao_archive::{PageKind, Target};
use url::Url;

/// Which reports to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// The city government's own reports (default).
    #[default]
    City,
    /// Also department, district and county reports, tagged with their publishing body.
    All,
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn new_url(
    url: &str,
    kind: PageKind,
    city: &str,
    body: Option<String>,
    year: Option<u16>,
    depth: u32,
    parent: Option<String>,
    anchor: Option<String>,
) -> Option<NewUrl> {
    let mut parsed = Url::parse(url).ok()?;
    parsed.set_fragment(None);
    Some(NewUrl {
        host: host_key(&parsed)?,
        target: Target {
            url: parsed.to_string(),
            kind,
            city: city.to_string(),
            body,
            year,
        },
        depth,
        parent,
        anchor,
    })
}

pub(crate) fn host_key(url: &Url) -> Option<String> {
    url.host_str().map(str::to_ascii_lowercase)
}
