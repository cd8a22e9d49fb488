//! The harvester: a config of cities and politeness settings → list pages, report pages and
//! attachments captured into a harvest archive (WARC files + SQLite crawl state).
//!
//! - Owns: the config file ([`config`], typed and validated at load), link discovery
//!   ([`discover`], pure), robots.txt ([`robots`], pure), politeness ([`politeness`]: per-host
//!   in-flight cap, spacing, AutoThrottle, back-off), one capped HTTP exchange ([`fetch`]), the
//!   scheduling of fetch tasks ([`engine`]), and the end-of-run [`Summary`].
//! - Input: [`Options`] (the cities, the settings, the archive folder). Output: the archive
//!   (written through `nianbao_archive::state::Store`) and a [`Summary`].
//! - Must not: parse report tables, aggregate, or print. It is the only crate with an HTTP
//!   client and an async runtime; progress goes to a [`progress::Progress`] the caller passes.
//!
//! Invariants that live here: only allowed hosts are fetched; robots.txt is obeyed unless a
//! per-host override says otherwise (logged); bodies and decompression are capped; TLS checks
//! are never disabled silently.
//!
//! Files: `engine` seeds and schedules; `worker` is what happens to one URL (robots, redirects,
//! retries, caps, discovery, commit); `frontier` is how a link enters the frontier.

pub mod config;
pub mod discover;
pub mod doctor;
pub mod engine;
pub mod fetch;
mod frontier;
mod hosts;
pub mod politeness;
pub mod progress;
pub mod proxy;
pub mod robots;
pub mod search;
pub mod summary;
mod walk;
mod worker;

pub use config::{CitySite, Config, ConfigError};
pub use engine::{crawl, CrawlError, Options};
pub use frontier::Scope;
pub use proxy::ProxyEnv;
pub use summary::{CitySummary, Summary, UnreachableHost};
