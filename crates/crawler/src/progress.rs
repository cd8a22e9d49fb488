//! Crawl events for whoever shows progress: the command line draws bars or lines from them, tests
//! ignore them. The crawler only calls this trait; it never writes to a terminal itself.

use std::sync::Arc;

/// Receives crawl events from every fetch task (so it must be cheap and thread-safe). Every
/// method does nothing by default.
pub trait Progress: Send + Sync + std::fmt::Debug {
    /// `n` more URLs of `host` were handed to fetch tasks.
    fn queued(&self, _host: &str, _n: u64) {}
    /// A URL reached its final `status` (`done`, `failed`, …), with the cause of a failure, or
    /// was left `pending` for the next run (cause: `robots.txt unreachable: …`).
    fn fetched(&self, _host: &str, _url: &str, _status: &str, _cause: Option<&str>) {}
    /// The crawl ended.
    fn finish(&self) {}
}

/// Progress that shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {}

/// A shared progress sink, as [`crate::Options`] holds it.
pub type SharedProgress = Arc<dyn Progress>;

/// No progress output.
pub fn silent() -> SharedProgress {
    Arc::new(Silent)
}
