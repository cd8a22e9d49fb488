//! The tables: parsed reports → the comparison tables an analyst opens, in every output format.
//!
//! - Owns: the levels of government and department kinds of bodies ([`bodies`]), aggregation
//!   ([`aggregate`]: one row per cell, report and finding, the cross-year rule T3-5, and the
//!   polars stage that computes the metrics of `config/metrics.toml` into comparisons of every
//!   level with ranks and trends), the data dictionary ([`dictionary`]), the output formats
//!   ([`export`]: CSV, XLSX, the staging folder that switches outputs atomically; Parquet in
//!   [`aggregate::frames`]), and the HTML report ([`htmlreport`]: an index page and a folder
//!   of linked pages and chart files, no script, no requests).
//! - Input: [`aggregate::Input`] values (a parsed report with its source) and the cities
//!   compared. Output: files in an output folder, written to a staging folder and renamed into
//!   place only when all of them were written.
//! - Must not: fetch, parse report files or read the crawler's config (cities arrive as
//!   `nianbao_model::City`). It is the only crate with polars and rust_xlsxwriter.
//!
//! Invariants that live here: a value derived from a null operand is null; text cells that a
//! spreadsheet would run as a formula are neutralised; two runs over the same input write
//! byte-identical files.

pub mod aggregate;
pub mod bodies;
pub mod dictionary;
pub mod export;
pub mod htmlreport;
