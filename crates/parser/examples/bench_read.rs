//! Throughput of the readers by format, on one thread: each file given is read N times by its
//! reader (sniffed from its bytes: PDF, DOCX, OFD, XLS/XLSX/ET/ODS, HTML, text) and then parsed
//! N times into a full report (`parse_bytes`: reader, metadata, template mapping, checks); prints
//! documents/s and reports/s per file. Usage:
//! `cargo run --release -p nianbao-parser --example bench_read -- [-n N] FILE…`.

use std::time::Instant;

use nianbao_model::document::Document;
use nianbao_parser::sniff::{sniff, Format};

fn read(bytes: &[u8]) -> Result<Document, String> {
    match sniff(bytes) {
        Format::Pdf => nianbao_parser::pdf::read_pdf(bytes).map_err(|e| e.to_string()),
        Format::Docx => nianbao_parser::docx::read_docx(bytes).map_err(|e| e.to_string()),
        Format::Ofd => nianbao_parser::ofd::read_ofd(bytes).map_err(|e| e.to_string()),
        Format::Xls | Format::Xlsx | Format::Ods => {
            nianbao_parser::sheet::read_sheet(bytes).map_err(|e| e.to_string())
        }
        other => Err(format!("{other}: not timed by this benchmark")),
    }
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut n = 200usize;
    if args.first().map(String::as_str) == Some("-n") && args.len() > 1 {
        n = args[1].parse().unwrap_or(200);
        args.drain(..2);
    }
    if args.is_empty() {
        eprintln!("usage: bench_read [-n N] FILE…");
        std::process::exit(2);
    }
    for path in args {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        if let Err(e) = read(&bytes) {
            eprintln!("{path}: {e}");
            continue;
        }
        let start = Instant::now();
        for _ in 0..n {
            let _ = std::hint::black_box(read(&bytes));
        }
        let read_secs = start.elapsed().as_secs_f64();
        let start = Instant::now();
        for _ in 0..n {
            let _ = std::hint::black_box(nianbao_parser::parse_bytes(&bytes, &path, None));
        }
        let parse_secs = start.elapsed().as_secs_f64();
        println!(
            "{path} ({} bytes, {}): read {:.0} documents/s ({:.2} ms), parse {:.0} reports/s ({:.2} ms)",
            bytes.len(),
            sniff(&bytes),
            n as f64 / read_secs,
            read_secs * 1000.0 / n as f64,
            n as f64 / parse_secs,
            parse_secs * 1000.0 / n as f64,
        );
    }
}
