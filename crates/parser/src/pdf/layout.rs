//! Glyphs and rulings of one page → blocks. Ruled tables (a connected set of horizontal and
//! vertical rulings) become a grid whose missing inner rulings merge grid cells into logical
//! cells (row- and colspans); each grid row gives a `Row` of the cells that start in it, and of
//! the value cells spanning down into it, repeated with their own location (`Block::Row`). Text
//! outside tables is grouped into visual lines; a line with wide gaps becomes a `Row` of its
//! segments (tables printed without rulings).

use nianbao_model::document::{Block, Cell, Loc};

use super::interp::{Glyph, Seg};

/// Rulings closer than this (points) are one grid line.
pub(crate) const SNAP: f64 = 2.0;
/// Grid lines closer than this (points) are one line: a double border is one edge, and no
/// text fits between them anyway.
const GRID_SNAP: f64 = 3.5;
/// More segments than this on one page: skip table detection (hostile or vector art).
const MAX_SEGS: usize = 5_000;

/// A block with its top edge, for ordering a page.
struct Placed {
    top: f64,
    block: Block,
    /// For table rows: the grid, and the x-range of each cell and whether it reaches the
    /// grid's top or bottom edge.
    grid: Option<(usize, Vec<EdgeSpan>)>,
    /// A line in the top or bottom margin.
    margin: bool,
    /// For table rows: (grid, grid row).
    grid_row: Option<(usize, usize)>,
    /// Cells of the row that repeat a value cell spanning down from an earlier grid row: (cell
    /// index in the row, that grid row). Their location is the first row's.
    copies: Vec<(usize, usize)>,
}

#[derive(Clone, Copy)]
struct EdgeSpan {
    x0: f64,
    x1: f64,
    at_top: bool,
    at_bottom: bool,
}

/// A table cell on the top or bottom edge of a page's first or last table, for stitching
/// tables that run over a page break.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EdgeCell {
    /// Index of the row in the page's blocks, and of the cell in the row.
    pub block: usize,
    pub cell: usize,
    pub x0: f64,
    pub x1: f64,
}

/// One page's blocks, and the cells that may continue a table from or onto another page.
#[derive(Debug, Default)]
pub(crate) struct PageLayout {
    pub blocks: Vec<Block>,
    /// Cells on the top edge of the table that opens the page (nothing printed above it).
    pub top: Vec<EdgeCell>,
    /// Cells on the bottom edge of the table that closes the page (nothing printed below it).
    pub bottom: Vec<EdgeCell>,
    /// Lines printed in the top or bottom margin: block index and text without digits or
    /// spaces, to find running headers and footers.
    pub margin_lines: Vec<(usize, String)>,
    /// Margin lines above the opening table and below the closing table: the tables continue
    /// over the page break only if these are running headers or footers.
    pub top_guard: Vec<usize>,
    pub bottom_guard: Vec<usize>,
}

/// One ruled table on a page.
struct Grid {
    xs: Vec<f64>,
    /// Top to bottom (descending y).
    ys: Vec<f64>,
    /// For each grid cell (row-major) the index of its logical cell.
    owner: Vec<usize>,
    /// Logical cells: (first row, first col).
    cells: Vec<(usize, usize)>,
    /// Logical cells: (last row, last col).
    ends: Vec<(usize, usize)>,
}

impl Grid {
    fn contains(&self, g: &Glyph) -> bool {
        let (x, y) = (g.cx(), g.cy());
        x >= self.xs[0]
            && x <= self.xs[self.xs.len() - 1]
            && y <= self.ys[0]
            && y >= self.ys[self.ys.len() - 1]
    }

    /// The logical cell of a point inside the table.
    fn cell_at(&self, x: f64, y: f64) -> usize {
        let nc = self.xs.len() - 1;
        let nr = self.ys.len() - 1;
        let col = self.xs[1..].partition_point(|&v| v < x).min(nc - 1);
        let row = self.ys[1..].partition_point(|&v| v > y).min(nr - 1);
        self.owner[row * nc + col]
    }
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind((0..n).collect())
    }
    fn find(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }
    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[a.max(b)] = a.min(b);
        }
    }
}

/// Sorted cluster centres of values closer than [`GRID_SNAP`].
fn clusters(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    let mut out: Vec<(f64, f64, usize)> = Vec::new(); // (last, sum, n)
    for x in v {
        match out.last_mut() {
            Some((last, sum, n)) if x - *last <= GRID_SNAP => {
                *last = x;
                *sum += x;
                *n += 1;
            }
            _ => out.push((x, x, 1)),
        }
    }
    out.into_iter().map(|(_, s, n)| s / n as f64).collect()
}

/// Merges collinear rulings that touch or overlap (dashed lines, a border drawn per cell), so
/// that the grid search sees one segment per printed line.
fn merge_segments(segs: &[Seg]) -> Vec<Seg> {
    let mut sorted = segs.to_vec();
    sorted.sort_by(|a, b| {
        a.horizontal
            .cmp(&b.horizontal)
            .then(a.pos.total_cmp(&b.pos))
    });
    // Group by orientation and position, then merge intervals within each group.
    let mut out = Vec::with_capacity(sorted.len());
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i + 1;
        while j < sorted.len()
            && sorted[j].horizontal == sorted[i].horizontal
            && sorted[j].pos - sorted[j - 1].pos <= SNAP / 2.0
        {
            j += 1;
        }
        let group = &mut sorted[i..j];
        let pos = group.iter().map(|s| s.pos).sum::<f64>() / group.len() as f64;
        group.sort_by(|a, b| a.lo.total_cmp(&b.lo));
        let mut cur = Seg { pos, ..group[0] };
        for s in &group[1..] {
            if s.lo <= cur.hi + 1.0 {
                cur.hi = cur.hi.max(s.hi);
            } else {
                out.push(cur);
                cur = Seg { pos, ..*s };
            }
        }
        out.push(cur);
        i = j;
    }
    out
}

fn find_grids(segs: &[Seg]) -> Vec<Grid> {
    let segs = merge_segments(segs);
    if segs.len() > MAX_SEGS {
        return Vec::new();
    }
    let hs: Vec<&Seg> = segs.iter().filter(|s| s.horizontal).collect();
    let vs: Vec<&Seg> = segs.iter().filter(|s| !s.horizontal).collect();
    let mut uf = UnionFind::new(hs.len() + vs.len());
    for (i, h) in hs.iter().enumerate() {
        for (j, v) in vs.iter().enumerate() {
            if v.pos >= h.lo - SNAP
                && v.pos <= h.hi + SNAP
                && h.pos >= v.lo - SNAP
                && h.pos <= v.hi + SNAP
            {
                uf.union(i, hs.len() + j);
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, (Vec<&Seg>, Vec<&Seg>)> = Default::default();
    for (i, h) in hs.iter().enumerate() {
        groups.entry(uf.find(i)).or_default().0.push(h);
    }
    for (j, v) in vs.iter().enumerate() {
        groups.entry(uf.find(hs.len() + j)).or_default().1.push(v);
    }
    groups
        .into_values()
        .filter_map(|(h, v)| grid(&h, &v))
        .collect()
}

/// For each grid line, the sorted, disjoint intervals its rulings cover.
fn coverage(lines: &[f64], segs: &[&Seg]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new(); lines.len()];
    for s in segs {
        let k = lines.partition_point(|&v| v < s.pos - GRID_SNAP);
        for (line, bucket) in lines.iter().zip(out.iter_mut()).skip(k) {
            if *line > s.pos + GRID_SNAP {
                break;
            }
            bucket.push((s.lo, s.hi));
        }
    }
    for bucket in &mut out {
        bucket.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut merged: Vec<(f64, f64)> = Vec::with_capacity(bucket.len());
        for &(lo, hi) in bucket.iter() {
            match merged.last_mut() {
                Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        *bucket = merged;
    }
    out
}

/// Does a ruling of this grid line cover `at`?
fn covered(intervals: &[(f64, f64)], at: f64) -> bool {
    let k = intervals.partition_point(|&(lo, _)| lo - SNAP <= at);
    k > 0 && intervals[k - 1].1 + SNAP >= at
}

fn grid(hs: &[&Seg], vs: &[&Seg]) -> Option<Grid> {
    let xs = clusters(vs.iter().map(|s| s.pos).collect());
    let mut ys = clusters(hs.iter().map(|s| s.pos).collect());
    if xs.len() < 3 || ys.len() < 2 {
        return None;
    }
    let (nc, nr) = (xs.len() - 1, ys.len() - 1);
    if nc * nr > 100_000 {
        return None;
    }
    let vcov = coverage(&xs, vs);
    let hcov = coverage(&ys, hs);
    ys.reverse();
    let mut uf = UnionFind::new(nc * nr);
    for r in 0..nr {
        let ymid = (ys[r] + ys[r + 1]) / 2.0;
        for (c, cov) in vcov.iter().enumerate().take(nc).skip(1) {
            if !covered(cov, ymid) {
                uf.union(r * nc + c - 1, r * nc + c);
            }
        }
    }
    for r in 1..nr {
        for c in 0..nc {
            let xmid = (xs[c] + xs[c + 1]) / 2.0;
            // hcov is indexed by ascending y; ys is descending.
            if !covered(&hcov[nr - r], xmid) {
                uf.union((r - 1) * nc + c, r * nc + c);
            }
        }
    }
    let mut index = vec![usize::MAX; nc * nr];
    let mut cells = Vec::new();
    let mut owner = vec![0; nc * nr];
    // Row-major order: the first grid cell met of a logical cell is its top-left one.
    let mut ends: Vec<(usize, usize)> = Vec::new();
    for (k, slot) in owner.iter_mut().enumerate() {
        let root = uf.find(k);
        if index[root] == usize::MAX {
            index[root] = cells.len();
            cells.push((k / nc, k % nc));
            ends.push((k / nc, k % nc));
        }
        let e = &mut ends[index[root]];
        *e = (e.0.max(k / nc), e.1.max(k % nc));
        *slot = index[root];
    }
    Some(Grid {
        xs,
        ys,
        owner,
        cells,
        ends,
    })
}

use super::lines::{join_lines, line_text, lines_of};
use crate::rows::is_label;

/// For each grid column: does it hold labels? More labels than values starting there, or no
/// text at all left of the first value column.
fn label_columns(grid: &Grid, texts: &[String]) -> Vec<bool> {
    let nc = grid.xs.len() - 1;
    let (mut labels, mut values) = (vec![0usize; nc], vec![0usize; nc]);
    for (k, &(_, c)) in grid.cells.iter().enumerate() {
        if texts[k].is_empty() {
            continue;
        }
        if is_label(&texts[k]) {
            labels[c] += 1;
        } else {
            values[c] += 1;
        }
    }
    let first_value = (0..nc).find(|&c| values[c] > labels[c]).unwrap_or(nc);
    (0..nc)
        .map(|c| labels[c] > values[c] || (labels[c] == 0 && values[c] == 0 && c < first_value))
        .collect()
}

fn is_page_number(text: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let core = t.trim_matches(|c: char| matches!(c, '-' | '—' | '–' | '－' | '·' | '•' | '_'));
    let digits = |s: &str| !s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit());
    digits(core)
        || core
            .strip_prefix('第')
            .and_then(|r| r.split('页').next())
            .is_some_and(digits)
        || core
            .split_once('/')
            .is_some_and(|(a, b)| digits(a) && digits(b))
}

/// Lays out one page (1-based `page`, `height` in points) into blocks in reading order.
pub(crate) fn layout_page(page: u32, height: f64, glyphs: Vec<Glyph>, segs: &[Seg]) -> PageLayout {
    let grids = find_grids(segs);
    let mut per_grid: Vec<Vec<Vec<Glyph>>> = grids
        .iter()
        .map(|g| vec![Vec::new(); g.cells.len()])
        .collect();
    let mut loose = Vec::new();
    for g in glyphs {
        match grids.iter().position(|grid| grid.contains(&g)) {
            Some(k) => {
                let cell = grids[k].cell_at(g.cx(), g.cy());
                per_grid[k][cell].push(g);
            }
            None => loose.push(g),
        }
    }
    let mut placed: Vec<Placed> = Vec::new();
    for (gi, (grid, cell_glyphs)) in grids.iter().zip(per_grid).enumerate() {
        let texts: Vec<String> = cell_glyphs
            .into_iter()
            .map(|gs| join_lines(lines_of(gs).iter().map(|l| line_text(l))))
            .collect();
        let nr = grid.ys.len() - 1;
        let label_col = label_columns(grid, &texts);
        let mut rows: Vec<Vec<(usize, usize)>> = vec![Vec::new(); nr];
        for (k, &(r, c)) in grid.cells.iter().enumerate() {
            rows[r].push((c, k));
            let last = grid.ends[k].0;
            let number_in_row = || {
                grid.cells
                    .iter()
                    .zip(&texts)
                    .any(|(&(rj, _), t)| rj == r && crate::grid::is_number(t))
            };
            if last > r && crate::grid::repeats_down(&texts[k], number_in_row) {
                for covered in rows.iter_mut().take(last + 1).skip(r + 1) {
                    covered.push((c, k));
                }
            }
        }
        for (r, mut row) in rows.into_iter().enumerate() {
            row.sort();
            // An empty cell in a label column (a rowspan continued from the previous page, or a
            // label printed in one of two label columns) is no value: drop it from label rows.
            if row.iter().any(|&(_, k)| is_label(&texts[k])) {
                row.retain(|&(c, k)| !(texts[k].is_empty() && label_col[c]));
            }
            let cells: Vec<Cell> = row
                .iter()
                .map(|&(c, k)| Cell {
                    text: texts[k].clone(),
                    loc: Loc::Page {
                        page,
                        row: 0,
                        col: c as u32 + 1,
                    },
                })
                .collect();
            let spans = row
                .iter()
                .map(|&(c, k)| EdgeSpan {
                    x0: grid.xs[c],
                    x1: grid.xs[grid.ends[k].1 + 1],
                    at_top: r == 0,
                    at_bottom: grid.ends[k].0 == nr - 1,
                })
                .collect();
            let copies = row
                .iter()
                .enumerate()
                .filter(|(_, &(_, k))| grid.cells[k].0 != r)
                .map(|(i, &(_, k))| (i, grid.cells[k].0))
                .collect();
            if !cells.is_empty() {
                placed.push(Placed {
                    top: grid.ys[r],
                    block: Block::Row { cells },
                    grid: Some((gi, spans)),
                    margin: false,
                    grid_row: Some((gi, r)),
                    copies,
                });
            }
        }
    }
    let in_margin = |cy: f64| cy < height * 0.12 || cy > height * 0.88;
    for line in super::loose::loose_lines(loose) {
        let cells = line.cells();
        let block = if cells.len() >= 2 {
            let cells = cells
                .into_iter()
                .enumerate()
                .map(|(c, text)| Cell {
                    text,
                    loc: Loc::Page {
                        page,
                        row: 0,
                        col: c as u32 + 1,
                    },
                })
                .collect();
            Block::Row { cells }
        } else {
            let text = cells.into_iter().next().unwrap_or_default();
            if in_margin(line.cy) && is_page_number(&text) {
                continue;
            }
            Block::Line {
                text,
                loc: Loc::Page {
                    page,
                    row: 0,
                    col: 1,
                },
            }
        };
        let margin = matches!(block, Block::Line { .. }) && in_margin(line.cy);
        placed.push(Placed {
            top: line.top,
            block,
            grid: None,
            margin,
            grid_row: None,
            copies: Vec::new(),
        });
    }
    placed.sort_by(|a, b| b.top.total_cmp(&a.top));
    let mut out = PageLayout::default();
    // The opening (closing) table: the first (last) block that is no margin line.
    let first = placed.iter().position(|p| !p.margin);
    let last = placed.iter().rposition(|p| !p.margin);
    let first_grid = first.and_then(|i| placed[i].grid.as_ref().map(|g| g.0));
    let last_grid = last.and_then(|i| placed[i].grid.as_ref().map(|g| g.0));
    out.top_guard = (0..first.unwrap_or(0)).collect();
    out.bottom_guard = (last.map_or(0, |l| l + 1)..placed.len()).collect();
    let row_of = |grid_row: (usize, usize)| {
        placed
            .iter()
            .position(|p| p.grid_row == Some(grid_row))
            .map_or(0, |i| i as u32 + 1)
    };
    let origins: Vec<Vec<(usize, u32)>> = placed
        .iter()
        .map(|p| match p.grid_row {
            Some((gi, _)) => p
                .copies
                .iter()
                .map(|&(i, r)| (i, row_of((gi, r))))
                .collect(),
            None => Vec::new(),
        })
        .collect();
    for (i, (mut p, origins)) in placed.into_iter().zip(origins).enumerate() {
        let row = i as u32 + 1;
        match &mut p.block {
            Block::Line { loc, .. } => *loc = Loc::Page { page, row, col: 1 },
            Block::Row { cells } => {
                for cell in cells.iter_mut() {
                    if let Loc::Page { row: r, .. } = &mut cell.loc {
                        *r = row;
                    }
                }
                for (k, origin) in origins {
                    if let Some(Loc::Page { row: r, .. }) = cells.get_mut(k).map(|c| &mut c.loc) {
                        *r = origin;
                    }
                }
            }
        }
        if p.margin {
            if let Block::Line { text, .. } = &p.block {
                let key: String = text
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_ascii_digit())
                    .collect();
                out.margin_lines.push((i, key));
            }
        }
        if let Some((gi, spans)) = &p.grid {
            for (cell, s) in spans.iter().enumerate() {
                let edge = EdgeCell {
                    block: i,
                    cell,
                    x0: s.x0,
                    x1: s.x1,
                };
                if s.at_top && Some(*gi) == first_grid {
                    out.top.push(edge);
                }
                if s.at_bottom && Some(*gi) == last_grid {
                    out.bottom.push(edge);
                }
            }
        }
        out.blocks.push(p.block);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyph(c: char, x: f64, y: f64) -> Glyph {
        Glyph {
            c,
            x0: x,
            x1: x + 10.0,
            y0: y,
            y1: y + 10.0,
            size: 10.0,
        }
    }

    fn h(y: f64, lo: f64, hi: f64) -> Seg {
        Seg {
            horizontal: true,
            pos: y,
            lo,
            hi,
        }
    }

    fn v(x: f64, lo: f64, hi: f64) -> Seg {
        Seg {
            horizontal: false,
            pos: x,
            lo,
            hi,
        }
    }

    fn texts(blocks: &[Block]) -> Vec<Vec<String>> {
        blocks
            .iter()
            .map(|b| match b {
                Block::Row { cells } => cells.iter().map(|c| c.text.clone()).collect(),
                Block::Line { text, .. } => vec![format!("LINE {text}")],
            })
            .collect()
    }

    #[test]
    fn rowspan_cell_appears_once_in_its_first_row() {
        // 3 columns x 2 rows; the left cell spans both rows.
        let segs = vec![
            h(100.0, 0.0, 300.0),
            h(70.0, 100.0, 300.0),
            h(40.0, 0.0, 300.0),
            v(0.0, 40.0, 100.0),
            v(100.0, 40.0, 100.0),
            v(200.0, 40.0, 100.0),
            v(300.0, 40.0, 100.0),
        ];
        let glyphs = vec![
            glyph('甲', 10.0, 60.0),
            glyph('乙', 110.0, 80.0),
            glyph('1', 210.0, 80.0),
            glyph('丙', 110.0, 50.0),
            glyph('丁', 120.0, 50.0),
            glyph('2', 210.0, 50.0),
            glyph('3', 220.0, 50.0),
        ];
        let blocks = layout_page(1, 842.0, glyphs, &segs).blocks;
        assert_eq!(
            texts(&blocks),
            vec![vec!["甲", "乙", "1"], vec!["丙丁", "23"]]
        );
    }

    #[test]
    fn value_cell_spanning_rows_repeats_with_its_location() {
        // 3 columns x 2 rows; the right cell (a value) spans both rows.
        let segs = vec![
            h(100.0, 0.0, 300.0),
            h(70.0, 0.0, 200.0),
            h(40.0, 0.0, 300.0),
            v(0.0, 40.0, 100.0),
            v(100.0, 40.0, 100.0),
            v(200.0, 40.0, 100.0),
            v(300.0, 40.0, 100.0),
        ];
        let glyphs = vec![
            glyph('甲', 10.0, 80.0),
            glyph('1', 110.0, 80.0),
            glyph('乙', 10.0, 50.0),
            glyph('2', 110.0, 50.0),
            glyph('0', 210.0, 60.0),
        ];
        let blocks = layout_page(1, 842.0, glyphs, &segs).blocks;
        assert_eq!(
            texts(&blocks),
            vec![vec!["甲", "1", "0"], vec!["乙", "2", "0"]]
        );
        let locs: Vec<Loc> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Row { cells } => cells.last().map(|c| c.loc),
                _ => None,
            })
            .collect();
        let first = Loc::Page {
            page: 1,
            row: 1,
            col: 3,
        };
        assert_eq!(locs, vec![first, first]);
    }

    #[test]
    fn double_border_is_one_edge() {
        let mut segs = vec![
            h(100.0, 0.0, 200.0),
            h(97.0, 3.0, 197.0),
            h(40.0, 0.0, 200.0),
            h(43.0, 3.0, 197.0),
            v(0.0, 40.0, 100.0),
            v(3.0, 43.0, 97.0),
            v(100.0, 40.0, 100.0),
            v(200.0, 40.0, 100.0),
            v(197.0, 43.0, 97.0),
        ];
        segs.reverse();
        let glyphs = vec![glyph('甲', 10.0, 60.0), glyph('7', 150.0, 60.0)];
        assert_eq!(
            texts(&layout_page(1, 842.0, glyphs, &segs).blocks),
            vec![vec!["甲", "7"]]
        );
    }

    #[test]
    fn wrapped_label_is_joined_in_one_cell() {
        let segs = vec![
            h(100.0, 0.0, 200.0),
            h(40.0, 0.0, 200.0),
            v(0.0, 40.0, 100.0),
            v(100.0, 40.0, 100.0),
            v(200.0, 40.0, 100.0),
        ];
        let glyphs = vec![
            glyph('申', 10.0, 80.0),
            glyph('请', 20.0, 80.0),
            glyph('数', 10.0, 60.0),
            glyph('7', 150.0, 70.0),
        ];
        assert_eq!(
            texts(&layout_page(1, 842.0, glyphs, &segs).blocks),
            vec![vec!["申请数", "7"]]
        );
    }

    #[test]
    fn page_numbers_in_margins_are_dropped() {
        let glyphs = vec![
            glyph('-', 280.0, 20.0),
            glyph('3', 290.0, 20.0),
            glyph('-', 300.0, 20.0),
            glyph('正', 100.0, 400.0),
        ];
        assert_eq!(
            texts(&layout_page(1, 842.0, glyphs, &[]).blocks),
            vec![vec!["LINE 正"]]
        );
    }
}
