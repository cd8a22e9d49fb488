//! `cargo run -p nianbao-ocr --features engine --example read_scan -- FILE…`: an image-only PDF
//! or OFD (or PNG/JPEG page images, one file a page) read by OCR with the installed model →
//! the report's JSON contract on stdout (with its `ocr` provenance) and the time it took on
//! stderr (the narrative's share measured apart). For looking at what the reading makes of
//! a scan.

use std::cell::Cell;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use image::GrayImage;
use nianbao_model::proof::Reading;
use nianbao_ocr::engine::Engine;
use nianbao_ocr::grid::deskew_and_find_grids;
use nianbao_ocr::narrative::{narrative_boxes, read_narrative};
use nianbao_ocr::page::page_images_or_image;
use nianbao_ocr::read::{read_pages, ReadOptions};
use nianbao_ocr::{AmountReading, OcrError, Recognizer};

/// The engine, counting its calls and their time.
struct Timed<'a> {
    engine: &'a Engine,
    text: Cell<(usize, Duration)>,
    digits: Cell<(usize, Duration)>,
}

/// Run `call`, counting it and its time in `tally`.
fn timed<T>(tally: &Cell<(usize, Duration)>, call: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = call();
    let (n, d) = tally.get();
    tally.set((n + 1, d + t.elapsed()));
    out
}

impl Recognizer for Timed<'_> {
    fn text(&self, crop: &GrayImage) -> Result<String, OcrError> {
        timed(&self.text, || self.engine.text(crop))
    }
    fn digits(&self, crop: &GrayImage, k: usize) -> Result<Vec<Reading>, OcrError> {
        timed(&self.digits, || self.engine.digits(crop, k))
    }
    fn amount(&self, crop: &GrayImage, k: usize) -> Result<Vec<AmountReading>, OcrError> {
        timed(&self.digits, || self.engine.amount(crop, k))
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
            narrative_cost(&pages, &engine);
            println!("{}", report.to_json());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// The narrative's share of the reading, measured apart (the reading above includes it in
/// its text crops): its line pieces, their size, the time to read them.
fn narrative_cost(pages: &[GrayImage], engine: &Engine) {
    let (deskewed, grids) = deskew_and_find_grids(pages);
    let boxes = narrative_boxes(&deskewed, &grids);
    let started = Instant::now();
    match read_narrative(&deskewed, &boxes, engine) {
        Ok(text) => {
            let (w, h) = boxes.iter().fold((0u64, 0u64), |(w, h), b| {
                (w + u64::from(b.w), h + u64::from(b.h))
            });
            let n = boxes.len().max(1) as u64;
            eprintln!(
                "narrative (included above): {} line piece(s), {} × {} pixels on average, read \
                 in {:.2} s ({} characters)",
                boxes.len(),
                w / n,
                h / n,
                started.elapsed().as_secs_f64(),
                text.chars().count()
            );
        }
        Err(e) => eprintln!("narrative: {e}"),
    }
}
