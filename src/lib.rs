//! nianbao (年报): harvest, parse, check and compare the yearly 政府信息公开工作年度报告.
//!
//! Pipeline stages, one module each: [`decode`] (bytes → text), [`parse`] (text or HTML →
//! [`document::Document`] → [`report::Report`]), [`validate`] (report → findings).
//! [`crawl`] harvests the reports into WARC files; [`portal`] is a fixture portal for tests.
//! Every stage is a pure function of its input: no network outside `crawl`.

pub mod aggregate;
pub mod cmd;
pub mod crawl;
pub mod decode;
pub mod document;
pub mod export;
pub mod htmlreport;
pub mod parse;
pub mod pipeline;
pub mod portal;
pub mod report;
pub mod template;
pub mod validate;
