//! A cell's crop (grey pixels between the ruling lines) → its ink: the remnants of ruling
//! lines at the edges trimmed, then the box around the dark pixels with a margin, or
//! [`InkBox::Empty`] when the cell has no mark (a blank cell, read as blank without a model).

use image::GrayImage;

/// A pixel darker than this is ink (0 black, 255 white).
pub(crate) const INK_LEVEL: u8 = 160;
/// An edge row or column darker than this fraction is a ruling line's remnant.
const LINE_FRACTION: f32 = 0.5;
/// Fewer ink pixels than this (a speck of noise or dust) is no mark.
const MIN_INK_PIXELS: usize = 6;

/// What a crop holds.
#[derive(Debug, Clone, PartialEq)]
pub enum InkBox {
    /// No mark: the cell is blank.
    Empty,
    /// The ink with a margin of white, ready for the recogniser.
    Ink(GrayImage),
}

/// The ink of `crop`: edge lines trimmed, cut to the dark pixels' box plus a margin of a
/// quarter of the ink's height on every side (the recogniser reads text set in white space,
/// as its detector would have cut it).
pub fn ink_box(crop: &GrayImage) -> InkBox {
    match dark_bounds(crop, trim_edge_lines(crop)) {
        Some((bounds, count)) if count >= MIN_INK_PIXELS => InkBox::Ink(cut_out(crop, bounds)),
        _ => InkBox::Empty,
    }
}

/// The box `(x0, y0, x1, y1)` of the dark pixels within `within`, and their count.
fn dark_bounds(
    img: &GrayImage,
    (x0, y0, x1, y1): (u32, u32, u32, u32),
) -> Option<((u32, u32, u32, u32), usize)> {
    let mut bounds: Option<(u32, u32, u32, u32)> = None;
    let mut count = 0usize;
    for y in y0..y1 {
        for x in x0..x1 {
            if img.get_pixel(x, y).0[0] < INK_LEVEL {
                count += 1;
                bounds = Some(match bounds {
                    None => (x, y, x + 1, y + 1),
                    Some((a, b, c, d)) => (a.min(x), b.min(y), c.max(x + 1), d.max(y + 1)),
                });
            }
        }
    }
    bounds.map(|b| (b, count))
}

/// The pixels of `(x0, y0, x1, y1)` with a white margin of a quarter of their height (at
/// least 2 pixels) on every side.
fn cut_out(img: &GrayImage, (x0, y0, x1, y1): (u32, u32, u32, u32)) -> GrayImage {
    let (w, h) = (x1 - x0, y1 - y0);
    let margin = (h / 4).max(2);
    let mut out = GrayImage::from_pixel(w + 2 * margin, h + 2 * margin, image::Luma([255]));
    for y in 0..h {
        for x in 0..w {
            out.put_pixel(x + margin, y + margin, *img.get_pixel(x0 + x, y0 + y));
        }
    }
    out
}

/// The text lines of an ink crop (from [`ink_box`]), top to bottom, each cut out with its
/// own margin: a label that wraps onto two or three lines in its cell is read line by line
/// (the recogniser reads one line). Lines are runs of rows with ink separated by blank rows;
/// a run much thinner than the tallest (a stray mark, a dot) belongs to no line of its own
/// and is left in the nearest line. One line gives the crop itself.
pub fn text_lines(ink: &GrayImage) -> Vec<GrayImage> {
    let (w, h) = ink.dimensions();
    let runs = runs_of(0..h, |y| {
        (0..w).any(|x| ink.get_pixel(x, y).0[0] < INK_LEVEL)
    });
    let tallest = runs.iter().map(|(a, b)| b - a).max().unwrap_or(0);
    // A line is at least a third as tall as the tallest; thinner runs join their neighbour.
    let mut lines: Vec<(u32, u32)> = Vec::new();
    for (a, b) in runs {
        match lines.last_mut() {
            Some(last) if (b - a) * 3 < tallest || (last.1 - last.0) * 3 < tallest => {
                last.1 = b;
            }
            _ => lines.push((a, b)),
        }
    }
    if lines.len() <= 1 {
        return vec![ink.clone()];
    }
    lines
        .into_iter()
        .filter_map(|(a, b)| dark_bounds(ink, (0, a, w, b)))
        .map(|(bounds, _)| cut_out(ink, bounds))
        .collect()
}

/// The maximal runs `[start, end)` of positions in `range` where `on` holds (rows with ink,
/// columns with ink), in order.
pub(crate) fn runs_of(range: std::ops::Range<u32>, on: impl Fn(u32) -> bool) -> Vec<(u32, u32)> {
    let mut runs = Vec::new();
    let mut start = None;
    for y in range.clone() {
        match (on(y), start) {
            (true, None) => start = Some(y),
            (false, Some(s)) => {
                runs.push((s, y));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push((s, range.end));
    }
    runs
}

/// The crop's bounds `(x0, y0, x1, y1)` without the mostly dark rows and columns at its
/// edges (a ruling line the grid's spans just missed, after deskewing).
fn trim_edge_lines(crop: &GrayImage) -> (u32, u32, u32, u32) {
    let (w, h) = crop.dimensions();
    let dark_row = |y: u32, x0: u32, x1: u32| {
        let dark = (x0..x1)
            .filter(|&x| crop.get_pixel(x, y).0[0] < INK_LEVEL)
            .count();
        dark as f32 > LINE_FRACTION * (x1 - x0) as f32
    };
    let dark_col = |x: u32, y0: u32, y1: u32| {
        let dark = (y0..y1)
            .filter(|&y| crop.get_pixel(x, y).0[0] < INK_LEVEL)
            .count();
        dark as f32 > LINE_FRACTION * (y1 - y0) as f32
    };
    let (mut x0, mut y0, mut x1, mut y1) = (0, 0, w, h);
    // A line is a few pixels thick; never trim more than an eighth of the crop per edge.
    let (max_x, max_y) = ((w / 8).max(1), (h / 8).max(1));
    while y0 < max_y && y0 < y1 && dark_row(y0, x0, x1) {
        y0 += 1;
    }
    while h - y1 < max_y && y1 > y0 && dark_row(y1 - 1, x0, x1) {
        y1 -= 1;
    }
    while x0 < max_x && x0 < x1 && dark_col(x0, y0, y1) {
        x0 += 1;
    }
    while w - x1 < max_x && x1 > x0 && dark_col(x1 - 1, y0, y1) {
        x1 -= 1;
    }
    (x0, y0, x1, y1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    #[test]
    fn a_white_cell_with_line_remnants_is_empty() {
        let mut crop = GrayImage::from_pixel(60, 30, Luma([255]));
        for x in 0..60 {
            crop.put_pixel(x, 0, Luma([0]));
            crop.put_pixel(x, 29, Luma([20]));
        }
        for y in 0..30 {
            crop.put_pixel(59, y, Luma([0]));
        }
        crop.put_pixel(30, 15, Luma([0])); // one speck of dust
        assert_eq!(ink_box(&crop), InkBox::Empty);
    }

    fn bar(img: &mut GrayImage, x: std::ops::Range<u32>, y: std::ops::Range<u32>) {
        for yy in y {
            for xx in x.clone() {
                img.put_pixel(xx, yy, Luma([0]));
            }
        }
    }

    #[test]
    fn a_wrapped_label_is_cut_into_its_lines() {
        let mut ink = GrayImage::from_pixel(80, 60, Luma([255]));
        bar(&mut ink, 5..70, 5..17); // line 1
        bar(&mut ink, 5..40, 30..42); // line 2
        bar(&mut ink, 60..62, 44..46); // a speck under line 2: no line of its own
        let lines = text_lines(&ink);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].height(), 12 + 2 * 3);
        assert_eq!(lines[0].width(), 65 + 2 * 3);
        assert_eq!(lines[1].height(), 16 + 2 * 4, "the speck stays in line 2");
        let mut one = GrayImage::from_pixel(80, 30, Luma([255]));
        bar(&mut one, 5..70, 5..17);
        assert_eq!(text_lines(&one), vec![one.clone()]);
    }

    #[test]
    fn a_mark_is_cut_out_with_a_white_margin() {
        let mut crop = GrayImage::from_pixel(60, 30, Luma([255]));
        for y in 10..20 {
            for x in 25..29 {
                crop.put_pixel(x, y, Luma([0]));
            }
        }
        let InkBox::Ink(ink) = ink_box(&crop) else {
            panic!("a mark must give ink")
        };
        // 4 × 10 of ink, margin max(10 / 4, 2) = 2.
        assert_eq!(ink.dimensions(), (8, 14));
        assert_eq!(ink.get_pixel(0, 0).0[0], 255);
        assert_eq!(ink.get_pixel(2, 2).0[0], 0);
    }
}
