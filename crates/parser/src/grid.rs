//! Rows of spanning cells → a rectangular grid, following the HTML table model: each cell is
//! placed at the first free column of its row, rowspan and colspan mark the slots it covers.
//! Malformed spans are tamed (`colspan="2;"` → 2, 0 → 1, huge → capped) so the grid is always
//! rectangular and its size proportional to the input.

/// The most columns a cell may span (the HTML limit).
pub(crate) const MAX_COLSPAN: usize = 1000;
/// The widest grid built; cells beyond it are placed at the last column. Report tables are at
/// most 15 columns wide; the cap keeps a hostile page's grid small.
pub(crate) const MAX_WIDTH: usize = 256;
const EMPTY: u32 = u32::MAX;

/// A cell as written in the source, before placement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SpanCell {
    pub text: String,
    pub colspan: usize,
    pub rowspan: usize,
}

/// A cell after placement: its top-left slot and extent.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Placed {
    pub text: String,
    pub row: usize,
    pub col: usize,
    pub rowspan: usize,
    pub colspan: usize,
}

/// A rectangular grid: every slot refers to the cell covering it, or is empty.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Grid {
    pub width: usize,
    pub height: usize,
    /// Cells in source order (row by row, left to right).
    pub cells: Vec<Placed>,
    /// `slots[row * width + col]` = index into `cells`, or `EMPTY`.
    slots: Vec<u32>,
}

impl Grid {
    /// Place `rows` of cells. A rowspan of 0 or one reaching past the last row stops at the
    /// last row, as browsers do within a row group.
    pub(crate) fn build(rows: Vec<Vec<SpanCell>>) -> Grid {
        let height = rows.len();
        let mut occupied: Vec<Vec<bool>> = vec![Vec::new(); height];
        let mut cells = Vec::new();
        for (r, row) in rows.into_iter().enumerate() {
            let mut c = 0;
            for cell in row {
                while occupied[r].get(c).copied().unwrap_or(false) {
                    c += 1;
                }
                let col = c.min(MAX_WIDTH - 1);
                let colspan = cell.colspan.clamp(1, MAX_COLSPAN).min(MAX_WIDTH - col);
                let remaining = height - r;
                let rowspan = if cell.rowspan == 0 {
                    remaining
                } else {
                    cell.rowspan.min(remaining)
                };
                for line in occupied.iter_mut().skip(r).take(rowspan) {
                    if line.len() < col + colspan {
                        line.resize(col + colspan, false);
                    }
                    line[col..col + colspan].iter_mut().for_each(|s| *s = true);
                }
                cells.push(Placed {
                    text: cell.text,
                    row: r,
                    col,
                    rowspan,
                    colspan,
                });
                c = col + colspan;
            }
        }
        let width = occupied.iter().map(Vec::len).max().unwrap_or(0);
        let mut slots = vec![EMPTY; width * height];
        for (i, p) in cells.iter().enumerate() {
            for r in p.row..p.row + p.rowspan {
                for slot in &mut slots[r * width + p.col..r * width + p.col + p.colspan] {
                    // A later cell never overwrites an earlier one (overlaps are malformed HTML).
                    if *slot == EMPTY {
                        *slot = u32::try_from(i).unwrap_or(EMPTY);
                    }
                }
            }
        }
        Grid {
            width,
            height,
            cells,
            slots,
        }
    }

    /// Which cells are values spanning several rows: `out[i]` for `cells[i]` (see
    /// [`repeats_down`]). Readers repeat such a cell in each row it covers (see `Block::Row`),
    /// so that the mapper sees every covered row's slot and the one merged cell behind them.
    pub(crate) fn value_spans(&self) -> Vec<bool> {
        self.cells
            .iter()
            .map(|p| {
                p.rowspan > 1
                    && repeats_down(&p.text, || {
                        self.cells
                            .iter()
                            .any(|q| q.row == p.row && is_number(&q.text))
                    })
            })
            .collect()
    }

    /// The cell covering a slot, if any.
    #[cfg(test)]
    fn at(&self, row: usize, col: usize) -> Option<&Placed> {
        if row >= self.height || col >= self.width {
            return None;
        }
        self.cells.get(self.slots[row * self.width + col] as usize)
    }

    /// The grid as text, one `Vec` per row, spanned slots repeating their cell's text (the way
    /// pandas.read_html copies spans). Always `height` rows of `width` strings.
    #[cfg(test)]
    fn to_text_rows(&self) -> Vec<Vec<String>> {
        (0..self.height)
            .map(|r| {
                (0..self.width)
                    .map(|c| self.at(r, c).map_or(String::new(), |p| p.text.clone()))
                    .collect()
            })
            .collect()
    }
}

/// Whether a cell spanning several rows is a value to repeat in each row it covers: a number,
/// a null marker (`-`, `无`, …) or digits that cannot be read; a blank cell only when
/// `row_has_number` says a number starts in its first row (a header's blank corner is no value).
pub(crate) fn repeats_down(text: &str, row_has_number: impl FnOnce() -> bool) -> bool {
    match crate::number::classify(text) {
        None => false,
        Some(_) if !text.trim().is_empty() => true,
        Some(_) => row_has_number(),
    }
}

/// A cell that reads as a number.
pub(crate) fn is_number(text: &str) -> bool {
    matches!(
        crate::number::classify(text),
        Some(crate::number::CellValue::Number { .. })
    )
}

/// Parse a span attribute the way browsers do: leading digits count (`"2;"` → 2), anything
/// unreadable is 1, and the value is capped.
pub(crate) fn parse_span(value: Option<&str>, cap: usize) -> usize {
    let Some(v) = value else { return 1 };
    let digits: String = v
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .take(7)
        .collect();
    match digits.parse::<usize>() {
        Ok(n) => n.min(cap),
        Err(_) => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cell(text: &str, colspan: usize, rowspan: usize) -> SpanCell {
        SpanCell {
            text: text.into(),
            colspan,
            rowspan,
        }
    }

    #[test]
    fn rowspan_pushes_later_cells_right() {
        let grid = Grid::build(vec![
            vec![
                cell("三、本年度办理结果", 1, 2),
                cell("(一)予以公开", 2, 1),
                cell("5", 1, 1),
            ],
            vec![cell("(二)", 2, 1), cell("6", 1, 1)],
        ]);
        assert_eq!(grid.width, 4);
        assert_eq!(
            grid.to_text_rows()[1],
            vec!["三、本年度办理结果", "(二)", "(二)", "6"]
        );
    }

    #[test]
    fn malformed_spans_are_tamed() {
        assert_eq!(parse_span(Some("2;"), MAX_COLSPAN), 2);
        assert_eq!(parse_span(Some(" 3 "), MAX_COLSPAN), 3);
        assert_eq!(parse_span(Some("abc"), MAX_COLSPAN), 1);
        assert_eq!(parse_span(Some("99999999999"), MAX_COLSPAN), MAX_COLSPAN);
        assert_eq!(parse_span(None, MAX_COLSPAN), 1);
    }

    #[test]
    fn zero_and_huge_rowspans_stop_at_the_last_row() {
        let grid = Grid::build(vec![
            vec![cell("a", 1, 0), cell("b", 1, 65534)],
            vec![cell("c", 1, 1)],
        ]);
        assert_eq!(grid.height, 2);
        assert_eq!(
            grid.to_text_rows(),
            vec![vec!["a", "b", ""], vec!["a", "b", "c"]]
        );
    }

    proptest! {
        #[test]
        fn grid_is_always_rectangular(rows in prop::collection::vec(
            prop::collection::vec((0usize..2000, 0usize..70000), 0..8), 0..12)) {
            let rows: Vec<Vec<SpanCell>> = rows.into_iter()
                .map(|r| r.into_iter().map(|(c, s)| cell("x", c, s)).collect())
                .collect();
            let (height, placed): (usize, usize) = (rows.len(), rows.iter().map(Vec::len).sum());
            let grid = Grid::build(rows);
            let text = grid.to_text_rows();
            prop_assert_eq!(text.len(), height);
            prop_assert!(text.iter().all(|r| r.len() == grid.width));
            prop_assert!(grid.width <= MAX_WIDTH);
            prop_assert_eq!(grid.cells.len(), placed);
        }
    }
}
