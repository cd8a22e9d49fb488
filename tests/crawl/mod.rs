//! `nianbao crawl` against the fixture portal on loopback: discovery, politeness, retries,
//! caps, scope, resume after `kill -9`, WARC validity. No sleeps for synchronization: tests
//! wait on server-side counters and process exits.

mod config;
mod full_disk;
mod harness;
mod harvest;
mod markup;
mod options;
mod resume;
mod warcio;
