//! Test support: synthetic page images of ruled tables drawn in Rust, and a mock
//! [`Recognizer`] that reads them. Every cell's content is a bar code of ink blobs (a narrow
//! start bar, then one bar per bit, narrow 0, wide 1), so that a crop can be decoded wherever
//! the grid finder put it: label cells carry the code of a label string, value cells the code
//! of their value. Table layouts are given as the fixtures give them: each row lists the
//! cells that start in it, with their column and row spans.

use image::{GrayImage, Luma};
use nianbao_model::proof::Reading;

use crate::{AmountReading, OcrError, Recognizer};

/// One cell of a synthetic table: its code (none: blank) and spans.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cell {
    pub code: Option<u32>,
    pub cs: usize,
    pub rs: usize,
}

pub(crate) fn cell(code: u32, cs: usize, rs: usize) -> Cell {
    Cell {
        code: Some(code),
        cs,
        rs,
    }
}

/// A cell placed on the finest grid.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Placed {
    pub r: usize,
    pub c: usize,
    pub rs: usize,
    pub cs: usize,
    pub code: Option<u32>,
}

/// Cells placed as HTML places them: each row's cells fill the slots not taken by row spans
/// from above. Returns the cells and the number of columns.
pub(crate) fn place(rows: &[Vec<Cell>]) -> (Vec<Placed>, usize) {
    let mut taken: Vec<Vec<bool>> = vec![Vec::new(); rows.len()];
    let mut out = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        let mut c = 0;
        for cell in row {
            while taken[r].get(c).copied().unwrap_or(false) {
                c += 1;
            }
            for below in taken.iter_mut().skip(r).take(cell.rs) {
                if below.len() < c + cell.cs {
                    below.resize(c + cell.cs, false);
                }
                for slot in &mut below[c..c + cell.cs] {
                    *slot = true;
                }
            }
            out.push(Placed {
                r,
                c,
                rs: cell.rs,
                cs: cell.cs,
                code: cell.code,
            });
            c += cell.cs;
        }
    }
    let ncols = taken.iter().map(Vec::len).max().unwrap_or(0);
    (out, ncols)
}

/// How ruling lines are drawn.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LineStyle {
    pub grey: u8,
    pub thick: u32,
    /// Dashes: (ink, gap) in pixels.
    pub dash: Option<(u32, u32)>,
}

pub(crate) const SOLID: LineStyle = LineStyle {
    grey: 0,
    thick: 2,
    dash: None,
};

/// The bits of a code; drawn with a bar unit of `u` pixels it is `(BITS + 1) * 3 * u` wide
/// at most.
const BITS: u32 = 9;

fn fill(img: &mut GrayImage, x: u32, y: u32, w: u32, h: u32, grey: u8) {
    for yy in y..(y + h).min(img.height()) {
        for xx in x..(x + w).min(img.width()) {
            img.put_pixel(xx, yy, Luma([grey]));
        }
    }
}

fn hline(img: &mut GrayImage, x0: u32, x1: u32, y: u32, s: LineStyle) {
    for x in x0..=x1 {
        let on = s.dash.is_none_or(|(ink, gap)| (x - x0) % (ink + gap) < ink);
        if on {
            fill(img, x, y.saturating_sub(s.thick / 2), 1, s.thick, s.grey);
        }
    }
}

fn vline(img: &mut GrayImage, x: u32, y0: u32, y1: u32, s: LineStyle) {
    for y in y0..=y1 {
        let on = s.dash.is_none_or(|(ink, gap)| (y - y0) % (ink + gap) < ink);
        if on {
            fill(img, x.saturating_sub(s.thick / 2), y, s.thick, 1, s.grey);
        }
    }
}

/// Draws a code's bars with their top left at (x, y), `h` pixels tall, `unit` pixels to the
/// narrow bar.
pub(crate) fn draw_code(img: &mut GrayImage, (x, y): (u32, u32), h: u32, unit: u32, code: u32) {
    let mut pen = x;
    fill(img, pen, y, unit, h, 0);
    pen += 2 * unit;
    for bit in (0..BITS).rev() {
        let w = if code >> bit & 1 == 1 { 2 * unit } else { unit };
        fill(img, pen, y, w, h, 0);
        pen += w + unit;
    }
}

/// The code printed in a crop, if any: bars are runs of inked columns.
pub(crate) fn decode_code(crop: &GrayImage) -> Option<u32> {
    let (w, h) = crop.dimensions();
    let inked: Vec<bool> = (0..w)
        .map(|x| (0..h).filter(|&y| crop.get_pixel(x, y).0[0] < 128).count() >= 3)
        .collect();
    let mut bars = Vec::new();
    let mut run = 0u32;
    for &on in inked.iter().chain(std::iter::once(&false)) {
        if on {
            run += 1;
        } else if run > 0 {
            bars.push(run);
            run = 0;
        }
    }
    if bars.len() != BITS as usize + 1 {
        return None;
    }
    let unit = bars[0] as f32;
    Some(
        bars[1..]
            .iter()
            .fold(0, |acc, &b| acc << 1 | u32::from(b as f32 > 1.5 * unit)),
    )
}

/// Where a table is drawn and how big its rows and columns are.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub x: u32,
    pub y: u32,
    pub col_w: Vec<u32>,
    pub row_h: Vec<u32>,
    /// The narrow bar of the codes, in pixels.
    pub unit: u32,
}

/// Draws a table: borders of every placed cell (none inside a merged cell) and each cell's
/// code, vertically centred, a little in from its left border.
pub(crate) fn draw_table(img: &mut GrayImage, cells: &[Placed], f: &Frame, s: LineStyle) {
    let xs: Vec<u32> = std::iter::once(f.x)
        .chain(f.col_w.iter().scan(f.x, |x, w| {
            *x += w;
            Some(*x)
        }))
        .collect();
    let ys: Vec<u32> = std::iter::once(f.y)
        .chain(f.row_h.iter().scan(f.y, |y, h| {
            *y += h;
            Some(*y)
        }))
        .collect();
    for p in cells {
        let (x0, x1) = (xs[p.c], xs[p.c + p.cs]);
        let (y0, y1) = (ys[p.r], ys[(p.r + p.rs).min(ys.len() - 1)]);
        hline(img, x0, x1, y0, s);
        hline(img, x0, x1, y1, s);
        vline(img, x0, y0, y1, s);
        vline(img, x1, y0, y1, s);
        if let Some(code) = p.code {
            let bar_h = 20.min((y1 - y0).saturating_sub(10));
            draw_code(
                img,
                (x0 + 8, (y0 + y1) / 2 - bar_h / 2),
                bar_h,
                f.unit,
                code,
            );
        }
    }
}

/// A white page.
pub(crate) fn blank_page(w: u32, h: u32) -> GrayImage {
    GrayImage::from_pixel(w, h, Luma([255]))
}

/// Ink blobs in a band of the page, like a paragraph of text: they must not be taken for a
/// table.
pub(crate) fn draw_text_band(img: &mut GrayImage, x: u32, y: u32, w: u32, lines: u32) {
    for l in 0..lines {
        let mut pen = x;
        let mut k = l;
        while pen + 40 < x + w {
            k = k.wrapping_mul(1_103_515_245).wrapping_add(12345);
            // A character: a few strokes in a 36-pixel box.
            fill(img, pen, y + l * 54 + 4, 30, 3, 0);
            fill(img, pen + 14, y + l * 54, 3, 36, 0);
            if k % 3 == 0 {
                fill(img, pen + 2, y + l * 54 + 30, 28, 3, 0);
            }
            pen += 40;
        }
    }
}

/// A recognizer that decodes the bar codes: a label's code is its index in `labels`; a
/// value's code is its value.
pub(crate) struct Mock {
    pub labels: Vec<String>,
}

impl Recognizer for Mock {
    fn text(&self, crop: &GrayImage) -> Result<String, OcrError> {
        Ok(decode_code(crop)
            .and_then(|c| self.labels.get(c as usize).cloned())
            .unwrap_or_default())
    }

    fn digits(&self, crop: &GrayImage, _k: usize) -> Result<Vec<Reading>, OcrError> {
        Ok(vec![Reading {
            value: decode_code(crop).map(i64::from),
            p: 1.0,
        }])
    }

    fn amount(&self, crop: &GrayImage, k: usize) -> Result<Vec<AmountReading>, OcrError> {
        Ok(self.digits(crop, k)?.into_iter().map(Into::into).collect())
    }
}

#[test]
fn codes_round_trip_through_a_drawing() {
    let mut img = blank_page(200, 40);
    draw_code(&mut img, (10, 10), 20, 3, 0b1_1100_1011);
    assert_eq!(decode_code(&img), Some(0b1_1100_1011));
    assert_eq!(decode_code(&blank_page(50, 20)), None);
}
