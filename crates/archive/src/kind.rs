//! What each URL of an archive is to the crawl; stored as text in the state database.

/// What a URL is to the crawl.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PageKind {
    /// A host's `/robots.txt`.
    Robots,
    /// A portal home page, the start of a search for the report column.
    Home,
    /// A page on the way from the home page to the report column.
    Nav,
    /// A list page of the report column (or one of its pages or sub-columns).
    List,
    /// A report page (an article; the report itself or a page linking its attachments).
    Report,
    /// A file linked from a report page.
    Attachment,
}

impl PageKind {
    /// The name stored in the state database's `kind` column, e.g. `report`.
    pub fn as_str(self) -> &'static str {
        match self {
            PageKind::Robots => "robots",
            PageKind::Home => "home",
            PageKind::Nav => "nav",
            PageKind::List => "list",
            PageKind::Report => "report",
            PageKind::Attachment => "attachment",
        }
    }

    /// The inverse of [`PageKind::as_str`]; `None` for an unknown name.
    pub fn parse(s: &str) -> Option<PageKind> {
        Some(match s {
            "robots" => PageKind::Robots,
            "home" => PageKind::Home,
            "nav" => PageKind::Nav,
            "list" => PageKind::List,
            "report" => PageKind::Report,
            "attachment" => PageKind::Attachment,
            _ => return None,
        })
    }
}
