//! The layout-neutral form every reader produces: HTML, flattened text, PDF and DOCX readers all
//! turn their input into a [`Document`] (lines of running text and table rows of logical cells),
//! and the template mapper reads only this. No I/O here.

use std::fmt;

/// A report as a sequence of blocks in reading order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// The page or document title when the format has one (HTML `<title>`, PDF metadata).
    pub title: Option<String>,
    /// The blocks in reading order; blank lines are never pushed.
    pub blocks: Vec<Block>,
}

/// One unit of reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Running text: a paragraph, a heading, or one cell of a table printed one cell per line.
    Line {
        /// The text as printed, never blank.
        text: String,
        /// Where it was printed.
        loc: Loc,
    },
    /// One table row as printed: its logical cells in order; a cell spanning several columns
    /// appears once. Label cells covered by a rowspan from an earlier row are omitted; a value
    /// cell (a number, a null marker, a blank in a row of numbers) spanning several rows appears
    /// in every row it covers, each copy with the cell's own `Loc` (its first row). A `Loc`
    /// shared by cells of several rows therefore marks one merged cell: the mapper reads a
    /// printed 0 as 0 in each row it spans and never splits another value between them.
    Row {
        /// The row's logical cells, left to right.
        cells: Vec<Cell>,
    },
}

/// One logical table cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The cell's text as printed (possibly empty).
    pub text: String,
    /// Where the cell was printed.
    pub loc: Loc,
}

/// Where a piece of text was printed, so that every number can be traced to its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Loc {
    /// 1-based line of a text file.
    Line {
        /// The line number, from 1.
        line: u32,
    },
    /// 1-based table, row and grid column of an HTML or DOCX document.
    Table {
        /// The table number in document order, from 1.
        table: u32,
        /// The row within the table, from 1.
        row: u32,
        /// The grid column within the table, from 1.
        col: u32,
    },
    /// 1-based page, row and column of a PDF as rebuilt from text positions.
    Page {
        /// The page number, from 1.
        page: u32,
        /// The row rebuilt on that page, from 1.
        row: u32,
        /// The column within that row, from 1.
        col: u32,
    },
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Loc::Line { line } => write!(f, "line {line}"),
            Loc::Table { table, row, col } => write!(f, "table {table} row {row} col {col}"),
            Loc::Page { page, row, col } => write!(f, "page {page} row {row} col {col}"),
        }
    }
}

impl std::str::FromStr for Loc {
    type Err = String;

    /// The inverse of `Display`: `line 12`, `table 3 row 7 col 4`, `page 2 row 5 col 1`.
    fn from_str(s: &str) -> Result<Loc, String> {
        let words: Vec<&str> = s.split_whitespace().collect();
        let n = |i: usize| {
            words
                .get(i)
                .and_then(|w| w.parse::<u32>().ok())
                .ok_or_else(|| format!("not a location: {s}"))
        };
        match words.first().copied() {
            Some("line") if words.len() == 2 => Ok(Loc::Line { line: n(1)? }),
            Some("table") if words.len() == 6 => Ok(Loc::Table {
                table: n(1)?,
                row: n(3)?,
                col: n(5)?,
            }),
            Some("page") if words.len() == 6 => Ok(Loc::Page {
                page: n(1)?,
                row: n(3)?,
                col: n(5)?,
            }),
            _ => Err(format!("not a location: {s}")),
        }
    }
}

impl Document {
    /// The document as text, one entry per block: a row as `cell | cell | …`, a line as
    /// `LINE text`. What reader tests compare, locations left out.
    pub fn outline(&self) -> Vec<String> {
        self.blocks
            .iter()
            .map(|b| match b {
                Block::Row { cells } => cells
                    .iter()
                    .map(|c| c.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" | "),
                Block::Line { text, .. } => format!("LINE {text}"),
            })
            .collect()
    }

    /// Appends a [`Block::Line`]; text that is blank after trimming is dropped.
    pub fn push_line(&mut self, text: impl Into<String>, loc: Loc) {
        let text = text.into();
        if !text.trim().is_empty() {
            self.blocks.push(Block::Line { text, loc });
        }
    }

    /// Appends a [`Block::Row`]; a row without cells is dropped.
    pub fn push_row(&mut self, cells: Vec<Cell>) {
        if !cells.is_empty() {
            self.blocks.push(Block::Row { cells });
        }
    }
}
