//! The grids of a document's pages → the template's tables 二, 三 and 四, their value cells
//! located on the page images with the index the proof uses
//! ([`nianbao_model::proof::t3_index`] for table 三, `group * 5 + outcome` for table 四,
//! [`t2_index`] for table 二).
//!
//! Which grid holds which table is told by its shape and confirmed by reading its label cells
//! with a [`Recognizer`], matched as the parser matches printed labels
//! ([`nianbao_parser::label`]):
//!
//! - **table 四**: 15 columns; the cell above each value of the last row must read as its
//!   outcome (结果维持 … 总计).
//! - **table 三**: at least 8 columns (label columns, then 自然人 … 总计); it starts at the row
//!   whose label reads 本年新收政府信息公开申请数量 (the rows above are its header), and every
//!   following row must read as the template's next row, to 结转下年度继续办理. The row after
//!   (五)5 tells the version: the three (六) items (2021) or （六）其他处理 (2019). A table cut by
//!   a page break continues in the first grid of the next page.
//! - **table 二**: the rows of the other grids whose first cell reads as an item (规章,
//!   行政许可 …), each with as many value cells as the item has measures, in the version of
//!   table 三 (or, without one, the version whose measure counts fit).
//!
//! A row of table 三 or an outcome of table 四 that reads otherwise stops the reading with an
//! error naming the page, the table, the row and column of the grid, and both texts: a
//! misplaced grid must never put a number in the wrong cell.

use image::GrayImage;
use nianbao_model::template::{table2_items, Template, T3_ROWS, T4_OUTCOMES};
use nianbao_parser::label;

use crate::grid::{crop, Deskewed, Grid};
use crate::{LocatedCell, OcrError, PixelBox, Recognizer, TableKind};

/// A table of the template found on the pages: its value cells located.
#[derive(Debug, Clone, PartialEq)]
pub struct TableOnPage {
    /// Which table.
    pub kind: TableKind,
    /// The template version its labels follow (the identities of table 三 depend on it).
    pub template: Template,
    /// Its value cells, by the index the proof uses, in reading order.
    pub cells: Vec<LocatedCell>,
}

/// The tables of the template found on the pages ([`map_tables`]).
#[derive(Debug, Default)]
pub struct Mapped {
    /// Tables 二, 三 and 四 as found, in that order.
    pub tables: Vec<TableOnPage>,
    /// Why table 二 was left out while table 三 or 四 was found: its grid has a row whose
    /// value cells do not fit the template ([`LayoutError::Measures`]).
    pub table2_unread: Option<LayoutError>,
}

/// Why the grids could not be mapped onto the template.
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    /// A label cell reads as something other than the template's label there.
    #[error(
        "page {page}, table {table}, row {row}, column {col} of its grid: the label reads {read:?} where the template has {expected:?}"
    )]
    LabelMismatch {
        /// The page, from 1.
        page: usize,
        /// The table, 二, 三 or 四.
        table: &'static str,
        /// The row of the grid, from 1.
        row: usize,
        /// The column of the grid, from 1.
        col: usize,
        /// The template's label.
        expected: String,
        /// What the recognizer read.
        read: String,
    },
    /// A row of table 二 has another number of value cells than its item has measures.
    #[error(
        "page {page}, table 二, row {row} of its grid ({item}): {found} value cell(s) where the template has {expected}"
    )]
    Measures {
        /// The page, from 1.
        page: usize,
        /// The row of the grid, from 1.
        row: usize,
        /// The item's printed label.
        item: &'static str,
        /// The template's count.
        expected: usize,
        /// The grid's count.
        found: usize,
    },
    /// Table 三 stops before its last row (no grid continues it on the next page).
    #[error(
        "table 三 ends on page {page} after the row {after:?}; the template goes on to {next:?}"
    )]
    Incomplete {
        /// The page of its last grid.
        page: usize,
        /// The last row found.
        after: &'static str,
        /// The row that was expected next.
        next: &'static str,
    },
    /// A grid refers to a page that was not given.
    #[error("a grid is on page {page}, but only {pages} page image(s) were given")]
    NoPage {
        /// The grid's page.
        page: usize,
        /// The pages given.
        pages: usize,
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

/// The least [`label::score`] of a label read off a scan that counts as the template's.
const MIN_SCORE: f32 = 0.6;
/// Table 四's columns: 3 groups × 5 outcomes.
const T4_COLS: usize = 15;
/// Table 三's value columns, and the least columns of its grid (one label column more).
const T3_VALUES: usize = 7;
/// How many rows of a grid may precede table 三's first row (its header).
const T3_MAX_HEADER_ROWS: usize = 5;

/// Tables 二, 三 and 四 found in `grids` (all pages' grids, in page order, on the images of
/// `pages`, indexed by [`Grid::page`] − 1); a table 三 split over two pages is joined, and
/// table 二's rows are gathered from every grid that is not table 三 or 四. Tables that are
/// not found are left out; a label that does not match stops the reading. A table 二 whose
/// rows do not fit the template is left out with its reason when table 三 or 四 was found
/// ([`Mapped::table2_unread`]), and stops the reading otherwise.
pub fn map_tables(
    pages: &[Deskewed],
    grids: &[Grid],
    reader: &dyn Recognizer,
) -> Result<Mapped, LayoutError> {
    let ctx = Context { pages, reader };
    let mut t3: Option<T3Reading> = None;
    let mut t4: Option<TableOnPage> = None;
    let mut others: Vec<&Grid> = Vec::new();
    for (i, grid) in grids.iter().enumerate() {
        ctx.page(grid)?;
        let continues = t3.as_ref().is_some_and(|t| t.open_after(grids, i));
        if continues {
            if let Some(t) = t3.as_mut() {
                t.read_rows(&ctx, grid, 0)?;
            }
        } else if t4.is_none() && is_table4(grid) {
            t4 = Some(table4(&ctx, grid)?);
        } else if t3.is_none() && grid.cols.len() > T3_VALUES {
            match t3_start(&ctx, grid)? {
                Some(first) => {
                    let mut t = T3Reading::default();
                    t.read_rows(&ctx, grid, first)?;
                    t3 = Some(t);
                }
                None => others.push(grid),
            }
        } else {
            others.push(grid);
        }
    }
    let t3 = match t3 {
        Some(t) => Some(t.finish()?),
        None => None,
    };
    let mut out = Mapped::default();
    match table2(&ctx, &others, t3.as_ref().map(|t| t.template)) {
        Ok(t2) => out.tables.extend(t2),
        // Table 二 has a grid of its own and no identity ties it to 三 or 四: a grid that does
        // not fit it (a separator lost to a worn line) costs table 二 alone.
        Err(e @ LayoutError::Measures { .. }) if t3.is_some() || t4.is_some() => {
            out.table2_unread = Some(e);
        }
        Err(e) => return Err(e),
    }
    out.tables.extend(t3);
    out.tables.extend(t4);
    Ok(out)
}

/// The pages and the reader, for reading cells.
struct Context<'a> {
    pages: &'a [Deskewed],
    reader: &'a dyn Recognizer,
}

impl Context<'_> {
    fn page(&self, grid: &Grid) -> Result<&GrayImage, LayoutError> {
        grid.page
            .checked_sub(1)
            .and_then(|i| self.pages.get(i))
            .map(|d| &d.image)
            .ok_or(LayoutError::NoPage {
                page: grid.page,
                pages: self.pages.len(),
            })
    }

    /// The text of the cell spanning `rows` × `cols` of `grid`.
    fn text(
        &self,
        grid: &Grid,
        rows: (usize, usize),
        cols: (usize, usize),
    ) -> Result<String, LayoutError> {
        let Some(bbox) = grid.cell_box(rows, cols) else {
            return Ok(String::new());
        };
        let page = self.page(grid)?;
        Ok(self.reader.text(&crop(page, bbox, inset(page)))?)
    }
}

/// Pixels kept clear of the ruling lines around a crop.
fn inset(page: &GrayImage) -> u32 {
    (page.width().max(page.height()) / 1000).max(1)
}

/// How well text read off a scan matches a template label.
fn label_score(read: &str, template: &str) -> f32 {
    label::score(&label::key(read), &label::key(template))
}

/// Whether the label `read` off a scan is the template's label `expected` (the label the
/// layout expects in that cell), where `others` are the other labels that could stand in such
/// a cell (the rest of table 三's rows, table 四's outcomes).
///
/// A printed match ([`label_score`]) counts; so does a reading within a character confusion
/// or two of `expected` (OCR reads 子以公开 for 予以公开, 结果维特 for 结果维持) when it is
/// clearly `expected` that was printed: every other label is further away (by
/// [`CONFUSION_MARGIN`] edits or more). A label that matches nothing still stops the reading. The confusion
/// can cost no wrong number: the rows keep their template order and count, and the values
/// are still proven by the table's identities.
fn label_matches(read: &str, expected: &str, others: &[&str]) -> bool {
    if label_score(read, expected) >= MIN_SCORE {
        return true;
    }
    let read = label::key(read);
    let expected = label::key(expected);
    let edits = edit_distance(&read, &expected);
    edits <= confusions_allowed(&expected)
        && others
            .iter()
            .map(|o| label::key(o))
            .filter(|o| *o != expected)
            .all(|o| edit_distance(&read, &o) >= edits + CONFUSION_MARGIN)
}

/// How many more edits than the expected label every other label must be from a reading
/// accepted by confusion: strictly more. Two labels of table 三 are two edits apart (予以公开,
/// 部分公开), so a reading one edit from one of them is still told apart; a reading as near
/// to another label as to the expected one is not.
const CONFUSION_MARGIN: usize = 1;

/// The character confusions a label key of this length may be read with: none for two or
/// three characters (one would be half the label), one from four characters, two from eight.
fn confusions_allowed(key: &str) -> usize {
    (key.chars().count() / 4).min(2)
}

/// The Levenshtein distance between two strings, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut row = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != cb);
            row[j + 1] = substitute.min(prev[j + 1] + 1).min(row[j] + 1);
        }
        std::mem::swap(&mut prev, &mut row);
    }
    prev[b.len()]
}

/// The labels of table 三's rows, for [`label_matches`].
fn t3_labels() -> [&'static str; T3_ROWS.len()] {
    T3_ROWS.map(|(_, l)| l)
}

/// The labels of table 四's outcomes, for [`label_matches`].
fn t4_labels() -> [&'static str; T4_OUTCOMES.len()] {
    T4_OUTCOMES.map(|(_, l)| l)
}

fn value_cell(table: TableKind, index: usize, bbox: PixelBox) -> LocatedCell {
    LocatedCell { table, index, bbox }
}

/// Whether a grid has table 四's shape: its last row is 15 cells across.
fn is_table4(grid: &Grid) -> bool {
    let last = grid.rows.len().saturating_sub(1);
    grid.cells_from_right(last, T4_COLS)
        .is_some_and(|cells| cells[0].0 == 0)
}

/// Table 四: the last row holds the 15 values; the cell above each must read as its outcome.
fn table4(ctx: &Context<'_>, grid: &Grid) -> Result<TableOnPage, LayoutError> {
    let last = grid.rows.len() - 1;
    let spans = grid.cells_from_right(last, T4_COLS).unwrap_or_default();
    let mut cells = Vec::new();
    for (c, &span) in spans.iter().enumerate() {
        let expected = T4_OUTCOMES[c % 5].1;
        if last > 0 {
            let above = grid.merged_rows(last - 1, span.0);
            let read = ctx.text(grid, above, span)?;
            if !label_matches(&read, expected, &t4_labels()) {
                return Err(LayoutError::LabelMismatch {
                    page: grid.page,
                    table: "四",
                    row: above.0 + 1,
                    col: span.0 + 1,
                    expected: expected.to_string(),
                    read,
                });
            }
        }
        if let Some(bbox) = grid.cell_box((last, last), span) {
            cells.push(value_cell(TableKind::Table4, c, bbox));
        }
    }
    Ok(TableOnPage {
        kind: TableKind::Table4,
        // Table 四 is the same in both versions.
        template: Template::V2021,
        cells,
    })
}

/// An inclusive range of a grid's columns.
type Cols = (usize, usize);

/// The cells of a row of table 三: its label (the cell just left of the values) and its
/// seven value cells, as column ranges; `None` when the row has no such cells.
fn t3_row_cells(grid: &Grid, row: usize) -> Option<(Cols, Vec<Cols>)> {
    let values = grid.cells_from_right(row, T3_VALUES)?;
    let label = grid.merged_cols(row, values[0].0.checked_sub(1)?);
    Some((label, values))
}

/// The first row of table 三 in `grid` (the row reading 本年新收…), if one of its first rows is.
fn t3_start(ctx: &Context<'_>, grid: &Grid) -> Result<Option<usize>, LayoutError> {
    for r in 0..grid.rows.len().min(T3_MAX_HEADER_ROWS + 1) {
        let Some((label, _)) = t3_row_cells(grid, r) else {
            continue;
        };
        let read = ctx.text(grid, (r, r), label)?;
        if label_matches(&read, T3_ROWS[0].1, &t3_labels()) {
            return Ok(Some(r));
        }
    }
    Ok(None)
}

/// Table 三 being read: the template rows still to come, the cells found so far.
#[derive(Debug, Default)]
struct T3Reading {
    /// Rows of [`T3_ROWS`] found, in order.
    found: Vec<usize>,
    template: Option<Template>,
    cells: Vec<LocatedCell>,
    /// The page of the last grid read.
    last_page: usize,
}

impl T3Reading {
    /// The template row expected next, `None` when the table is complete.
    fn next_row(&self) -> Option<usize> {
        let Some(&last) = self.found.last() else {
            return Some(0);
        };
        match last {
            25 => None,
            // After (五)5 come the (六) items (2021) or the (六) row (2019): `read_rows` tells
            // which by reading; both go on to (七).
            22 | 23 => Some(24),
            r => Some(r + 1),
        }
    }

    /// Whether the grid at `i` continues this table: the table is open and the grid is the
    /// first one on the page after the table's last.
    fn open_after(&self, grids: &[Grid], i: usize) -> bool {
        let first_on_page = i == 0 || grids[i - 1].page != grids[i].page;
        self.next_row().is_some()
            && !self.found.is_empty()
            && grids[i].page == self.last_page + 1
            && first_on_page
            && grids[i].cols.len() > T3_VALUES
    }

    /// Reads the rows of `grid` from `from` on as the table's next rows. A separator that is
    /// not drawn across the value cells (a stroke of a two-line label taken for a line) does
    /// not split a row.
    fn read_rows(
        &mut self,
        ctx: &Context<'_>,
        grid: &Grid,
        from: usize,
    ) -> Result<(), LayoutError> {
        self.last_page = grid.page;
        let mut r = from;
        while r < grid.rows.len() {
            let Some(mut expected) = self.next_row() else {
                return Ok(());
            };
            let (label_cols, values) = t3_row_cells(grid, r).unwrap_or(((0, 0), Vec::new()));
            let mut bottom = r;
            while bottom + 1 < grid.rows.len() && !grid.h_drawn(bottom + 1, &values) {
                bottom += 1;
            }
            let read = if values.is_empty() {
                String::new()
            } else {
                ctx.text(grid, (r, bottom), label_cols)?
            };
            let matches = |row: usize| label_matches(&read, T3_ROWS[row].1, &t3_labels());
            if expected == 20 && !matches(20) && matches(23) {
                expected = 23;
            }
            if !matches(expected) {
                return Err(LayoutError::LabelMismatch {
                    page: grid.page,
                    table: "三",
                    row: r + 1,
                    col: label_cols.0 + 1,
                    expected: T3_ROWS[expected].1.to_string(),
                    read,
                });
            }
            match expected {
                20 => self.template = Some(Template::V2021),
                23 => self.template = Some(Template::V2019),
                _ => {}
            }
            self.found.push(expected);
            for (c, &span) in values.iter().enumerate() {
                if let Some(bbox) = grid.cell_box((r, bottom), span) {
                    let index = nianbao_model::proof::t3_index(expected, c);
                    self.cells.push(value_cell(TableKind::Table3, index, bbox));
                }
            }
            r = bottom + 1;
        }
        Ok(())
    }

    fn finish(self) -> Result<TableOnPage, LayoutError> {
        if let Some(next) = self.next_row() {
            let after = self.found.last().map_or("", |&r| T3_ROWS[r].1);
            return Err(LayoutError::Incomplete {
                page: self.last_page,
                after,
                next: T3_ROWS[next].1,
            });
        }
        Ok(TableOnPage {
            kind: TableKind::Table3,
            template: self.template.unwrap_or(Template::V2021),
            cells: self.cells,
        })
    }
}

/// A row of table 二 found: its grid and row, the item's position in both versions' lists,
/// and its value cells (the cells right of the label, merged cells counted once).
struct T2Row<'g> {
    grid: &'g Grid,
    row: usize,
    items: [Option<usize>; 2],
    values: Vec<PixelBox>,
}

const VERSIONS: [Template; 2] = [Template::V2019, Template::V2021];

/// The item of `template` whose printed label `read` is.
fn t2_item(template: Template, read: &str) -> Option<usize> {
    table2_items(template).iter().position(|item| {
        item.labels
            .iter()
            .any(|l| label_score(read, l) >= MIN_SCORE)
    })
}

/// Table 二 from the item rows of `grids`.
fn table2(
    ctx: &Context<'_>,
    grids: &[&Grid],
    known: Option<Template>,
) -> Result<Option<TableOnPage>, LayoutError> {
    let mut rows: Vec<T2Row<'_>> = Vec::new();
    for &grid in grids {
        for r in 0..grid.rows.len() {
            let label_cols = grid.merged_cols(r, 0);
            if label_cols.1 + 1 >= grid.cols.len() {
                continue; // a section heading across the table
            }
            let read = ctx.text(grid, (r, r), label_cols)?;
            let items = VERSIONS.map(|t| t2_item(t, &read));
            if items.iter().all(Option::is_none) {
                continue; // a header (信息内容 …) or a row the template does not have
            }
            let mut values = Vec::new();
            let mut c = label_cols.1 + 1;
            while c < grid.cols.len() {
                let span = grid.merged_cols(r, c);
                values.extend(grid.cell_box((r, r), span));
                c = span.1 + 1;
            }
            rows.push(T2Row {
                grid,
                row: r,
                items,
                values,
            });
        }
    }
    if rows.is_empty() {
        return Ok(None);
    }
    let fits = |t: Template, v: usize| {
        rows.iter().all(|row| {
            row.items[v].is_some_and(|i| table2_items(t)[i].measures.len() == row.values.len())
        })
    };
    let template = known.unwrap_or_else(|| {
        if fits(Template::V2019, 0) && !fits(Template::V2021, 1) {
            Template::V2019
        } else {
            Template::V2021
        }
    });
    let v = usize::from(template == Template::V2021);
    let items = table2_items(template);
    let mut cells = Vec::new();
    let mut seen = vec![false; items.len()];
    for row in &rows {
        let Some(i) = row.items[v] else { continue };
        if std::mem::replace(&mut seen[i], true) {
            continue; // the item printed twice: the first is taken
        }
        let expected = items[i].measures.len();
        if row.values.len() != expected {
            return Err(LayoutError::Measures {
                page: row.grid.page,
                row: row.row + 1,
                item: items[i].labels[0],
                expected,
                found: row.values.len(),
            });
        }
        for (m, bbox) in row.values.iter().enumerate() {
            cells.push(value_cell(
                TableKind::Table2,
                t2_index(template, i, m),
                *bbox,
            ));
        }
    }
    Ok(Some(TableOnPage {
        kind: TableKind::Table2,
        template,
        cells,
    }))
}

#[cfg(test)]
mod tests;
