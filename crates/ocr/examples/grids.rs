//! `cargo run -p nianbao-ocr --example grids -- FILE…`: the page images of an image-only PDF or
//! OFD (or PNG/JPEG page images) → the ruled tables found on each page: skew, rows × columns.
//! For looking at what the grid finder makes of a scan.

use std::process::ExitCode;

use nianbao_ocr::grid::{deskew, find_grids};
use nianbao_ocr::page::page_images_or_image;

fn main() -> ExitCode {
    let mut status = ExitCode::SUCCESS;
    for path in std::env::args().skip(1) {
        let pages = std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|bytes| page_images_or_image(&bytes).map_err(|e| e.to_string()));
        let pages = match pages {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{path}: {e}");
                status = ExitCode::FAILURE;
                continue;
            }
        };
        for (i, page) in pages.iter().enumerate() {
            let started = std::time::Instant::now();
            let straight = deskew(page);
            let grids = find_grids(&straight, i + 1);
            println!(
                "{path} page {}: {}×{} px, skew {:.2}°, {} table(s) in {:.2} s",
                i + 1,
                page.width(),
                page.height(),
                straight.skew_degrees,
                grids.len(),
                started.elapsed().as_secs_f32()
            );
            for g in &grids {
                let merged = g.v_rules.iter().filter(|r| r.iter().any(|d| !d)).count();
                println!(
                    "  rows {} × cols {} at y {}..{}, {merged} row(s) with merged cells",
                    g.rows.len(),
                    g.cols.len(),
                    g.rows.first().map_or(0, |r| r.0),
                    g.rows.last().map_or(0, |r| r.1)
                );
                if std::env::var_os("GRIDS_SPANS").is_some() {
                    println!("    rows {:?}\n    cols {:?}", g.rows, g.cols);
                }
            }
        }
    }
    status
}
