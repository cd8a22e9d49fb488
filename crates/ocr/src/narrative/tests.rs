//! The narrative's lines on synthetic pages: prose above a table, prose below it, a page
//! number; the pieces a long line is cut into; the text read and its figures.

use super::*;
use crate::grid::{deskew, find_grids};
use crate::synthetic::{blank_page, cell, draw_table, draw_text_band, place, Frame, SOLID};
use nianbao_model::proof::Reading;
use nianbao_model::report::Num;

/// A page: 3 lines of prose (36-pixel characters, 54 apart) 1100 pixels wide, a table at
/// y = 400, 2 more lines below it, a page number at the foot.
fn page() -> GrayImage {
    let mut img = blank_page(1240, 1754);
    draw_text_band(&mut img, 100, 100, 1100, 3);
    let rows: Vec<Vec<_>> = (0..3)
        .map(|r| (0..3).map(|c| cell(10 * r + c, 1, 1)).collect())
        .collect();
    let (cells, _) = place(&rows);
    let frame = Frame {
        x: 150,
        y: 400,
        col_w: vec![300, 200, 200],
        row_h: vec![60, 60, 60],
        unit: 4,
    };
    draw_table(&mut img, &cells, &frame, SOLID);
    draw_text_band(&mut img, 100, 800, 1000, 2);
    draw_text_band(&mut img, 600, 1680, 60, 1); // the page number
    img
}

#[test]
fn the_lines_before_the_first_table_are_found_and_cut_into_pieces() {
    let pages = vec![deskew(&page())];
    let grids = find_grids(&pages[0], 1);
    assert_eq!(grids.len(), 1, "the table is found");
    let boxes = narrative_boxes(&pages, &grids);
    let lines: Vec<u32> = boxes.iter().map(|b| b.y).collect::<Vec<_>>();
    let mut tops = lines.clone();
    tops.dedup();
    assert_eq!(tops.len(), 3, "three lines above the table: {boxes:?}");
    for (l, top) in tops.iter().enumerate() {
        assert!(
            top.abs_diff(100 + 54 * l as u32) <= 1,
            "line {l} at {top}: {boxes:?}"
        );
    }
    for b in &boxes {
        assert!(
            b.y + b.h <= 400,
            "nothing from the table or below it: {b:?}"
        );
        assert!(
            b.w <= PIECE_ASPECT * b.h,
            "a piece the model reads unsqueezed: {b:?}"
        );
        assert!(b.h >= 30 && b.h <= 40, "one line tall: {b:?}");
    }
    assert!(
        boxes.len() > 3,
        "1100-pixel lines of 36-pixel characters are cut: {boxes:?}"
    );
    // Pieces of a line join up: no ink lost between them.
    let first: Vec<&PixelBox> = boxes.iter().filter(|b| b.y == tops[0]).collect();
    for pair in first.windows(2) {
        assert_eq!(pair[0].x + pair[0].w, pair[1].x, "{first:?}");
    }
}

#[test]
fn no_table_no_narrative() {
    let pages = vec![deskew(&page())];
    assert_eq!(narrative_boxes(&pages, &[]), vec![]);
}

#[test]
fn lines_that_touch_are_split() {
    let mut img = blank_page(800, 400);
    // Two lines of 36-pixel characters 38 apart (touching, nearly), among normal ones.
    draw_text_band(&mut img, 50, 20, 600, 1);
    draw_text_band(&mut img, 50, 100, 600, 1);
    draw_text_band(&mut img, 50, 160, 600, 1);
    draw_text_band(&mut img, 50, 197, 600, 1);
    let bands = split_tall_bands(&img, ink_bands(&img, 400));
    assert_eq!(bands.len(), 4, "{bands:?}");
}

/// Reads every piece as the same clause, a space inside its number: the joined text states
/// table 二 figures.
struct Prose;

impl Recognizer for Prose {
    fn text(&self, _crop: &GrayImage) -> Result<String, OcrError> {
        Ok("制发规章1 2件。".to_string())
    }
    fn digits(&self, _crop: &GrayImage, _k: usize) -> Result<Vec<Reading>, OcrError> {
        Ok(Vec::new())
    }
    fn amount(&self, _crop: &GrayImage, _k: usize) -> Result<Vec<crate::AmountReading>, OcrError> {
        Ok(Vec::new())
    }
}

#[test]
fn the_narrative_is_read_and_its_figures_stated() {
    let pages = vec![deskew(&page())];
    let grids = find_grids(&pages[0], 1);
    let stated = narrative_statements(&pages, &grids, Template::V2021, &Prose).expect("read");
    assert_eq!(stated.len(), 1);
    assert_eq!(stated[0].path, "table2.regulations.issued");
    assert_eq!(
        stated[0].value,
        Num::Int(12),
        "the recogniser's space dropped"
    );
}
