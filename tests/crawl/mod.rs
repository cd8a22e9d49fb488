//! `nianbao crawl` against the fixture portal on loopback: discovery, politeness, retries,
//! caps, scope, resume after `kill -9`, WARC validity, and the runs of a scheduled harvest: a
//! new year found (`yearly`), an outage survived (`outage`), removed pages kept (`removed`); requests through a
//! counting proxy (`proxy`); hosts that never answer (`unreachable`).
//! No sleeps for synchronization: tests wait on server-side counters and process exits.

mod columns;
mod config;
mod full_disk;
pub(crate) mod harness;
mod harvest;
mod markup;
mod options;
mod outage;
mod proxy;
mod removed;
mod resume;
mod search;
mod unreachable;
mod warcio;
mod yearly;
