//! The narrative of a scan: deskewed pages and the grids found on them → the boxes of the text
//! lines printed before the first table (in reading order), cut into pieces the recogniser
//! reads well → their text, joined → the table 二 figures it states
//! ([`nianbao_model::narrative::table2_statements`]).
//!
//! Only the text before the first table is read: the template's 一、总体情况 comes before
//! table 二 and is where a report states table 二's figures, and reading every line of every
//! page would cost several times the tables' reading (a full line is three or four model runs
//! at the widest input). Lines are found by a horizontal ink projection; a band too tall for
//! one line (two lines touching) is split at its thinnest row; a short mark alone at a page's
//! foot (a page number) is skipped.

use image::GrayImage;
use nianbao_model::narrative::{table2_statements, Stated};
use nianbao_model::Template;

use crate::grid::{Deskewed, Grid};
use crate::ink::{runs_of, INK_LEVEL};
use crate::{OcrError, PixelBox, Recognizer};

/// A row is inked when at least this many of its pixels are ink (noise gives a few).
const MIN_ROW_INK: usize = 3;
/// A piece of a line is at most this many times as wide as the line is tall: the recogniser's
/// input is 48 pixels high and at most 1280 wide, so wider pieces would be squeezed.
const PIECE_ASPECT: u32 = 24;

/// The boxes of the text lines before the first grid (the lines of every page before the
/// grid's page, and of that page above the grid), in reading order, each cut into pieces of
/// at most [`PIECE_ASPECT`] times its height at blank columns. No grid: no narrative (a
/// report whose tables were not found is not read).
pub fn narrative_boxes(pages: &[Deskewed], grids: &[Grid]) -> Vec<PixelBox> {
    let Some(first) = grids
        .iter()
        .filter_map(|g| Some((g.page, g.rows.first()?.0)))
        .min()
    else {
        return Vec::new();
    };
    let mut boxes = Vec::new();
    for (i, page) in pages.iter().enumerate().take(first.0) {
        let page_no = i + 1;
        let bottom = if page_no == first.0 {
            // Above the table's top border (its first row starts inside the ruling line).
            first.1.saturating_sub(ruling_margin(&page.image))
        } else {
            page.image.height()
        };
        boxes.extend(line_boxes(&page.image, bottom, page_no));
    }
    boxes
}

/// A few pixels: the table's top ruling line is above its first row's span.
fn ruling_margin(img: &GrayImage) -> u32 {
    (img.height() / 300).max(4)
}

/// The line pieces of `img` above row `bottom`.
fn line_boxes(img: &GrayImage, bottom: u32, page: usize) -> Vec<PixelBox> {
    let bands = split_tall_bands(img, ink_bands(img, bottom));
    let Some(typical) = median(bands.iter().map(|(a, b)| b - a).collect()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (y0, y1) in bands {
        let h = y1 - y0;
        // Specks and rules: much thinner than a line of text.
        if h * 3 < typical {
            continue;
        }
        let Some((x0, x1)) = ink_columns(img, y0, y1) else {
            continue;
        };
        if is_page_furniture(img, (x0, y0, x1, y1)) {
            continue;
        }
        for (a, b) in pieces(img, y0, y1, x0, x1) {
            out.push(PixelBox {
                page,
                x: a,
                y: y0,
                w: b - a,
                h,
            });
        }
    }
    out
}

/// Runs of inked rows above `bottom`: `[start, end)`.
fn ink_bands(img: &GrayImage, bottom: u32) -> Vec<(u32, u32)> {
    runs_of(0..bottom.min(img.height()), |y| {
        row_ink(img, y) >= MIN_ROW_INK
    })
}

/// The ink pixels of row `y`.
fn row_ink(img: &GrayImage, y: u32) -> usize {
    (0..img.width())
        .filter(|&x| img.get_pixel(x, y).0[0] < INK_LEVEL)
        .count()
}

/// Bands taller than 1.6 times the median band (lines that touch) split at their thinnest
/// row near the middle, until none is.
fn split_tall_bands(img: &GrayImage, bands: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    let Some(typical) = median(bands.iter().map(|(a, b)| b - a).collect()) else {
        return bands;
    };
    let mut out = Vec::new();
    let mut todo: Vec<(u32, u32)> = bands.into_iter().rev().collect();
    while let Some((a, b)) = todo.pop() {
        if (b - a) * 5 <= typical * 8 || b - a < 4 {
            out.push((a, b));
            continue;
        }
        let (lo, hi) = (a + (b - a) / 4, b - (b - a) / 4);
        let cut = (lo..hi)
            .min_by_key(|&y| row_ink(img, y))
            .unwrap_or((a + b) / 2);
        todo.push((cut, b));
        todo.push((a, cut));
    }
    out
}

/// The median of `v` (the upper one of an even count), `None` when empty.
fn median(mut v: Vec<u32>) -> Option<u32> {
    v.sort_unstable();
    v.get(v.len() / 2).copied()
}

/// The `[x0, x1)` of the inked columns of rows `y0..y1`.
fn ink_columns(img: &GrayImage, y0: u32, y1: u32) -> Option<(u32, u32)> {
    let inked = |x: u32| (y0..y1).any(|y| img.get_pixel(x, y).0[0] < INK_LEVEL);
    let x0 = (0..img.width()).find(|&x| inked(x))?;
    let x1 = (0..img.width()).rev().find(|&x| inked(x))? + 1;
    Some((x0, x1))
}

/// A short mark alone in the bottom tenth of a page: a page number, not a line of prose.
fn is_page_furniture(img: &GrayImage, (x0, y0, x1, y1): (u32, u32, u32, u32)) -> bool {
    let short = (x1 - x0) < 6 * (y1 - y0);
    short && y0 * 10 > img.height() * 9
}

/// `[x0, x1)` cut into pieces at most [`PIECE_ASPECT`] times the line's height wide, each cut
/// at the blank column nearest before the limit (between two characters), else at the limit.
fn pieces(img: &GrayImage, y0: u32, y1: u32, x0: u32, x1: u32) -> Vec<(u32, u32)> {
    let limit = PIECE_ASPECT * (y1 - y0).max(1);
    let blank = |x: u32| (y0..y1).all(|y| img.get_pixel(x, y).0[0] >= INK_LEVEL);
    let mut out = Vec::new();
    let mut a = x0;
    while x1 - a > limit {
        let hard = a + limit;
        // Look back at most a third of the piece for a gap between characters.
        let cut = (a + 2 * limit / 3..hard)
            .rev()
            .find(|&x| blank(x))
            .unwrap_or(hard);
        out.push((a, cut));
        a = cut;
    }
    out.push((a, x1));
    out
}

/// The text of the narrative boxes, read in order and joined (a sentence runs on over line
/// breaks) without the recogniser's spaces; a piece read with neither a Han character nor a
/// digit (a stray mark, a rule) is left out.
pub fn read_narrative(
    pages: &[Deskewed],
    boxes: &[PixelBox],
    reader: &dyn Recognizer,
) -> Result<String, OcrError> {
    let mut text = String::new();
    for b in boxes {
        let Some(page) = b.page.checked_sub(1).and_then(|i| pages.get(i)) else {
            continue;
        };
        let crop = image::imageops::crop_imm(&page.image, b.x, b.y, b.w, b.h).to_image();
        // Chinese print puts no space between characters or inside a number: a space the
        // recogniser emits (`40 85`, `201 9年`) is its own artefact, dropped.
        let piece: String = reader
            .text(&crop)?
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let has_han = piece
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        if has_han || piece.chars().any(|c| c.is_ascii_digit()) {
            text.push_str(&piece);
        }
    }
    Ok(text)
}

/// The table 二 figures the narrative before the first table states, for `template`.
pub fn narrative_statements(
    pages: &[Deskewed],
    grids: &[Grid],
    template: Template,
    reader: &dyn Recognizer,
) -> Result<Vec<Stated>, OcrError> {
    let text = read_narrative(pages, &narrative_boxes(pages, grids), reader)?;
    Ok(table2_statements(&text, template))
}

#[cfg(test)]
mod tests;
