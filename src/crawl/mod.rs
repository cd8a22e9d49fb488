//! The harvest stage: config → fetched list pages, report pages and attachments in WARC files
//! plus a SQLite crawl state; [`archive`] reads them back for the next stage. The only module
//! that touches the network.
//!
//! # Architecture
//! - [`config`]: the TOML file (cities, politeness), validated.
//! - [`discover`]: HTML → links to follow (pagination, reports, attachments). Pure.
//! - [`robots`]: robots.txt rules. Pure.
//! - [`politeness`]: per-host in-flight cap, spacing, AutoThrottle, back-off.
//! - [`fetch`]: one HTTP exchange, capped; WARC records for it.
//! - [`warc`]: WARC 1.1 writing and reading.
//! - [`state`]: frontier and outcomes in SQLite, committed together with WARC appends.
//! - [`engine`]: opening the store, seeding, per-host scheduling, the home-page fallback.
//! - `worker`: what happens to one URL (robots, redirects, retries, caps, discovery, commit).
//! - [`summary`]: per-city counts for the end of a run.
//! - [`archive`]: the reader the aggregation stage builds on.

pub mod archive;
pub mod config;
pub mod discover;
pub mod engine;
pub mod fetch;
pub mod politeness;
pub mod progress;
pub mod robots;
pub mod state;
pub mod summary;
pub mod warc;
mod worker;

pub use engine::{crawl, CrawlError, Options, Scope};
pub use summary::{CitySummary, Summary};
