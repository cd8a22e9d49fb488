//! `cargo run -p nianbao-ocr --features engine --example read_scan -- FILE…`: an image-only PDF
//! or OFD (or PNG/JPEG page images, one file a page) read by OCR with the installed model →
//! the report's JSON contract on stdout (with its `ocr` provenance) and the time it took on
//! stderr. For looking at what the reading makes of a scan.

use std::cell::Cell;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use image::GrayImage;
use nianbao_model::proof::Reading;
use nianbao_ocr::engine::Engine;
use nianbao_ocr::page::page_images_or_image;
use nianbao_ocr::read::{read_pages, ReadOptions};
use nianbao_ocr::{OcrError, Recognizer};

/// The engine, counting its calls and their time.
struct Timed<'a> {
    engine: &'a Engine,
    text: Cell<(usize, Duration)>,
    digits: Cell<(usize, Duration)>,
}

impl Recognizer for Timed<'_> {
    fn text(&self, crop: &GrayImage) -> Result<String, OcrError> {
        let t = Instant::now();
        let out = self.engine.text(crop);
        let (n, d) = self.text.get();
        self.text.set((n + 1, d + t.elapsed()));
        out
    }
    fn digits(&self, crop: &GrayImage, k: usize) -> Result<Vec<Reading>, OcrError> {
        let t = Instant::now();
        let out = self.engine.digits(crop, k);
        let (n, d) = self.digits.get();
        self.digits.set((n + 1, d + t.elapsed()));
        out
    }
}

fn main() -> ExitCode {
    let engine = match Engine::from_default_dir() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let mut pages = Vec::new();
    for path in std::env::args().skip(1) {
        let read = std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|bytes| page_images_or_image(&bytes).map_err(|e| e.to_string()));
        match read {
            Ok(p) => pages.extend(p),
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let timed = Timed {
        engine: &engine,
        text: Cell::new((0, Duration::ZERO)),
        digits: Cell::new((0, Duration::ZERO)),
    };
    let started = Instant::now();
    match read_pages(&pages, &timed, &ReadOptions::default()) {
        Ok(report) => {
            let ((tn, td), (dn, dd)) = (timed.text.get(), timed.digits.get());
            eprintln!(
                "{} page(s) read in {:.2} s: {tn} label crop(s) in {:.2} s, {dn} value cell(s) \
                 in {:.2} s",
                pages.len(),
                started.elapsed().as_secs_f64(),
                td.as_secs_f64(),
                dd.as_secs_f64()
            );
            println!("{}", report.to_json());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
