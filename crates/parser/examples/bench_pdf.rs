//! Throughput of the PDF reader: reads each file given N times on one thread and prints
//! files/s and pages/s. Usage: `cargo run --release --example bench_pdf -- [-n N] FILE…`.

use std::time::Instant;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut n = 50usize;
    if args.first().map(String::as_str) == Some("-n") && args.len() > 1 {
        n = args[1].parse().unwrap_or(50);
        args.drain(..2);
    }
    let files: Vec<(String, Vec<u8>)> = args
        .into_iter()
        .filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b)))
        .collect();
    if files.is_empty() {
        eprintln!("usage: bench_pdf [-n N] FILE…");
        std::process::exit(2);
    }
    let mut total_pages = 0usize;
    let start = Instant::now();
    for _ in 0..n {
        for (path, bytes) in &files {
            match nianbao_parser::pdf::read_pdf(bytes) {
                Ok(doc) => {
                    total_pages +=
                        doc.blocks.iter().filter_map(page_of).max().unwrap_or(0) as usize;
                }
                Err(e) => eprintln!("{path}: {e}"),
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let docs = (n * files.len()) as f64;
    println!(
        "{docs} documents, {total_pages} pages in {secs:.3} s: {:.1} documents/s, {:.1} pages/s, {:.2} ms/document",
        docs / secs,
        total_pages as f64 / secs,
        secs * 1000.0 / docs
    );
}

fn page_of(b: &nianbao_model::document::Block) -> Option<u32> {
    let loc = match b {
        nianbao_model::document::Block::Line { loc, .. } => *loc,
        nianbao_model::document::Block::Row { cells } => cells.first()?.loc,
    };
    match loc {
        nianbao_model::document::Loc::Page { page, .. } => Some(page),
        _ => None,
    }
}
