//! nianbao's data model, shared by every other crate: what a report *is*, independent of how it
//! was published, fetched or tabulated.
//!
//! - Owns: the national template as data ([`template`]), the layout-neutral document every reader
//!   produces ([`document`]), the canonical report and its JSON contract ([`report`]), the
//!   consistency rules 勾稽关系 ([`validate`]), the catalogue of finding ids and their Chinese
//!   wording ([`rules`]), the table 二 figures a narrative states ([`narrative`]), and the cities
//!   compared ([`City`]).
//! - Input: values set by a reader (the parser crate). Output: a [`Report`] with its findings,
//!   serialisable as `nianbao parse --json` prints it.
//! - Must not: read files, touch the network, or depend on any nianbao crate. serde is its only
//!   dependency, so every crate can build on it cheaply.
//!
//! Invariants that live here: a blank cell is `None` (never 0); a rule with a null operand is
//! "not checkable", never broken.

pub mod document;
pub mod narrative;
pub mod proof;
pub mod report;
pub mod rules;
pub mod template;
pub mod validate;

mod city;

pub use city::City;
pub use document::{Block, Cell, Document, Loc};
pub use report::{Finding, Num, Report, Severity};
pub use template::Template;
