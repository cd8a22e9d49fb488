//! Throughput of the Word 97–2003 / WPS binary reader: reads each file given N times on one
//! thread, first into a `Document` alone, then through the whole parse (mapper and
//! validation), and prints files/s. Usage:
//! `cargo run --release --example bench_doc -- [-n N] FILE…`.

use std::time::Instant;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut n = 200usize;
    if args.first().map(String::as_str) == Some("-n") && args.len() > 1 {
        n = args[1].parse().unwrap_or(200);
        args.drain(..2);
    }
    let files: Vec<(String, Vec<u8>)> = args
        .into_iter()
        .filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b)))
        .collect();
    if files.is_empty() {
        eprintln!("usage: bench_doc [-n N] FILE…");
        std::process::exit(2);
    }
    let docs = (n * files.len()) as f64;
    let start = Instant::now();
    let mut blocks = 0usize;
    for _ in 0..n {
        for (path, bytes) in &files {
            match nianbao_parser::doc::read_doc(bytes) {
                Ok(doc) => blocks += doc.blocks.len(),
                Err(e) => eprintln!("{path}: {e}"),
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "read_doc:    {docs} documents ({blocks} blocks) in {secs:.3} s: {:.1} documents/s, {:.2} ms/document",
        docs / secs,
        secs * 1000.0 / docs
    );
    let start = Instant::now();
    for _ in 0..n {
        for (path, bytes) in &files {
            if let Err(e) = nianbao_parser::parse_bytes(bytes, path, None) {
                eprintln!("{path}: {e}");
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "parse_bytes: {docs} reports in {secs:.3} s: {:.1} reports/s, {:.2} ms/report",
        docs / secs,
        secs * 1000.0 / docs
    );
}
