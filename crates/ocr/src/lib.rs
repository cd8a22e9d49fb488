//! Scanned report pages (page images of image-only PDFs and OFDs) → the template's value cells
//! located on the images, read with their alternatives, and proven by the template's identities
//! ([`nianbao_model::proof`]) or refused (issue "Scanned reports").
//!
//! The stages, one module each:
//! - page images out of a document (the embedded image of each page);
//! - the grid: binarise, deskew, find the ruling lines, the cells between them;
//! - the layout: the grid mapped onto the template by reading its label cells
//!   (a label that does not match stops the reading);
//! - the engine (feature `engine`): a recognition model that reads a cell's text, or its
//!   digits (a money cell's digits and decimal point) with the top-k readings and their
//!   probabilities ([`Recognizer`]);
//! - the narrative: the text lines before the first table, read as text, for the table 二
//!   figures they state ([`nianbao_model::narrative`]);
//! - the reading: all of it together → tables whose every value is proven, or null with a
//!   finding naming the suspect cells.

pub mod grid;
pub mod layout;
pub mod narrative;
pub mod page;
#[cfg(test)]
mod synthetic;

use image::GrayImage;
use nianbao_model::proof::Reading;
use nianbao_model::report::Num;

#[cfg(feature = "engine")]
pub mod engine;
pub mod ink;
pub mod read;

/// A box on one page image, in pixels from the top left corner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelBox {
    /// The page, from 1.
    pub page: usize,
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

/// The tables of the template that carry numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TableKind {
    /// 二 主动公开.
    Table2,
    /// 三 依申请公开.
    Table3,
    /// 四 行政复议、行政诉讼.
    Table4,
}

/// A value cell of the template found on a page image: which cell (the index the proof uses,
/// e.g. [`nianbao_model::proof::t3_index`]) and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocatedCell {
    /// The table it belongs to.
    pub table: TableKind,
    /// The cell's index in that table's reading vector.
    pub index: usize,
    /// Where it is printed.
    pub bbox: PixelBox,
}

/// Why a scan could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    /// The recognition models are not installed where they were looked for.
    #[error("OCR models not found in {dir}: run `tools/ocr-models.sh` to install them")]
    ModelsMissing {
        /// The folder searched.
        dir: String,
    },
    /// A document's page images could not be had: the page (from 1; 0 for the whole
    /// document) and why.
    #[error("page {page}: {reason}")]
    Page {
        /// The page, from 1; 0 when the document as a whole is at fault.
        page: usize,
        /// What is wrong, in one line.
        reason: String,
    },
    /// Anything else, said in one line.
    #[error("{0}")]
    Other(String),
}

/// A recognition engine as the reading uses it: plain text for label cells, digits with
/// alternatives for value cells. A blank cell is its own reading (`value: None`), never 0.
pub trait Recognizer {
    /// The text of a crop (a label cell), best reading only.
    fn text(&self, crop: &GrayImage) -> Result<String, OcrError>;
    /// Up to `k` readings of a value cell under a digits-only decoding, most probable first.
    fn digits(&self, crop: &GrayImage, k: usize) -> Result<Vec<Reading>, OcrError>;
    /// Up to `k` readings of a money cell (万元, maybe with decimals) under a decoding of
    /// digits and one decimal point, most probable first.
    fn amount(&self, crop: &GrayImage, k: usize) -> Result<Vec<AmountReading>, OcrError>;
}

/// One reading of a money cell: an amount as the text parser gives it ([`Num::parse_plain`]:
/// an integer, or a decimal) or `None` for a blank cell, and its probability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AmountReading {
    /// The amount read; `None` for a blank cell.
    pub value: Option<Num>,
    /// The reader's probability for it, 0–1.
    pub p: f32,
}

impl From<Reading> for AmountReading {
    /// A count's reading as an amount reading (the value an integer).
    fn from(r: Reading) -> AmountReading {
        AmountReading {
            value: r.value.map(Num::Int),
            p: r.p,
        }
    }
}
