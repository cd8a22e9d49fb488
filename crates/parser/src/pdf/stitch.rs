//! Tables that run over a page break: the closing row of one page and the opening row of the
//! next are rejoined when a page break cut a row or a row-spanning group label in two.

use nianbao_model::document::{Block, Cell};

use super::layout::{EdgeCell, PageLayout, SNAP};
use super::lines::join_lines;
use crate::rows::{is_label, numbered};

fn row_cells(blocks: &mut [Block], i: usize) -> Option<&mut Vec<Cell>> {
    match blocks.get_mut(i)? {
        Block::Row { cells } => Some(cells),
        Block::Line { .. } => None,
    }
}

/// Rejoins a row that a page break cut in two: the last row of one page and the first of the
/// next have the same cells, the second starts with an unnumbered label (the rest of the
/// first's label), and no cell has text on both sides. The texts are joined cell by cell into
/// the first part; the second is emptied (and dropped later).
fn stitch_split_row(prev: &mut PageLayout, next: &mut PageLayout) -> bool {
    let Some(pb) = prev.bottom.iter().map(|e| e.block).max() else {
        return false;
    };
    let Some(nb) = next.top.iter().map(|e| e.block).min() else {
        return false;
    };
    let mut pe: Vec<EdgeCell> = prev
        .bottom
        .iter()
        .filter(|e| e.block == pb)
        .copied()
        .collect();
    let mut ne: Vec<EdgeCell> = next.top.iter().filter(|e| e.block == nb).copied().collect();
    pe.sort_by_key(|e| e.cell);
    ne.sort_by_key(|e| e.cell);
    let (Some(Block::Row { cells: pc }), Some(Block::Row { cells: nc })) =
        (prev.blocks.get(pb), next.blocks.get(nb))
    else {
        return false;
    };
    let aligned = pe.len() == pc.len()
        && ne.len() == nc.len()
        && pc.len() == nc.len()
        && pe
            .iter()
            .zip(&ne)
            .all(|(a, b)| (a.x0 - b.x0).abs() <= SNAP && (a.x1 - b.x1).abs() <= SNAP);
    let continues = nc
        .iter()
        .find(|c| !c.text.is_empty())
        .is_some_and(|c| is_label(&c.text) && !numbered(&c.text));
    let disjoint_values = pc.iter().zip(nc.iter()).all(|(a, b)| {
        is_label(&a.text) || is_label(&b.text) || a.text.is_empty() || b.text.is_empty()
    });
    if !(aligned && continues && disjoint_values && pc.iter().any(|c| is_label(&c.text))) {
        return false;
    }
    let tails: Vec<String> = nc.iter().map(|c| c.text.clone()).collect();
    if let Some(Block::Row { cells }) = prev.blocks.get_mut(pb) {
        for (cell, tail) in cells.iter_mut().zip(tails) {
            cell.text = join_lines([std::mem::take(&mut cell.text), tail]);
        }
    }
    if let Some(Block::Row { cells }) = next.blocks.get_mut(nb) {
        cells.iter_mut().for_each(|c| c.text.clear());
    }
    true
}

/// Rejoins a group label that a page break cut in two: "（四）无" closing one page's table and
/// "法提供" opening the next page's, each beside an item label, become "（四）无法提供" in the
/// first part and an empty cell (dropped later) in the second.
pub(crate) fn stitch(prev: &mut PageLayout, next: &mut PageLayout) {
    if stitch_split_row(prev, next) {
        return;
    }
    let has_label_right = |blocks: &mut [Block], e: &EdgeCell| {
        row_cells(blocks, e.block)
            .is_some_and(|cells| cells.iter().skip(e.cell + 1).any(|c| is_label(&c.text)))
    };
    for t in next.top.clone() {
        let Some(t_text) = row_cells(&mut next.blocks, t.block)
            .and_then(|c| c.get(t.cell))
            .map(|c| c.text.clone())
        else {
            continue;
        };
        if !is_label(&t_text) || numbered(&t_text) || !has_label_right(&mut next.blocks, &t) {
            continue;
        }
        let b = prev
            .bottom
            .iter()
            .find(|b| (b.x0 - t.x0).abs() <= SNAP && (b.x1 - t.x1).abs() <= SNAP)
            .copied();
        let Some(b) = b else { continue };
        if !has_label_right(&mut prev.blocks, &b) {
            continue;
        }
        let Some(b_cell) = row_cells(&mut prev.blocks, b.block).and_then(|c| c.get_mut(b.cell))
        else {
            continue;
        };
        if !is_label(&b_cell.text) {
            continue;
        }
        b_cell.text = join_lines([std::mem::take(&mut b_cell.text), t_text]);
        if let Some(c) = row_cells(&mut next.blocks, t.block).and_then(|c| c.get_mut(t.cell)) {
            c.text.clear();
        }
    }
}
