//! The one integration-test binary: one module per subcommand or stage, a shared harness.

mod aggregate;
mod cli;
mod crawl;
mod deps;
mod derived;
mod doc;
mod doctor;
mod docx;
mod faults;
mod findings;
mod fixtures;
mod harvest;
mod import;
mod metrics;
#[cfg(feature = "ocr")]
mod ocr;
mod ofd;
mod parse;
mod pdf;
mod report;
mod report_chromium;
mod sheet;
mod show;
mod util;
mod workbook;
