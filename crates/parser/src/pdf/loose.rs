//! Text outside ruled tables → lines and rows by spacing alone. A visual line splits into
//! cells at wide gaps; characters stacked one per line (a vertical label) are collected into
//! one cell; a label wrapped above or below its values is joined to them; blank cells of a
//! spacing-only table are restored from the value columns of its rows.

use super::interp::Glyph;
use super::lines::{join_lines, line_text, lines_of, segments};
use crate::rows::{is_label, numbered};

/// A gap wider than this many ems separates two cells.
const CELL_GAP: f64 = 1.2;

/// One cell of a visual line.
#[derive(Debug, Clone)]
struct Piece {
    x0: f64,
    x1: f64,
    text: String,
}

impl Piece {
    fn cx(&self) -> f64 {
        (self.x0 + self.x1) / 2.0
    }
}

/// One visual line (or a row assembled from several).
#[derive(Debug, Clone)]
pub(crate) struct LooseLine {
    pub top: f64,
    pub cy: f64,
    /// Font size of the first cell.
    size: f64,
    pieces: Vec<Piece>,
}

impl LooseLine {
    pub(crate) fn cells(&self) -> Vec<String> {
        self.pieces.iter().map(|p| p.text.clone()).collect()
    }

    fn has_value(&self) -> bool {
        self.pieces.iter().any(|p| !is_label(&p.text))
    }

    /// A table row: two or more cells, one of them a value.
    fn is_anchor(&self) -> bool {
        self.pieces.len() >= 2 && self.has_value()
    }

    /// A short line of label text only: part of a wrapped or row-spanning label.
    fn is_satellite(&self) -> bool {
        self.pieces.len() == 1
            && is_label(&self.pieces[0].text)
            && self.pieces[0].text.chars().count() <= 40
    }

    fn close_below(&self, below: &LooseLine) -> bool {
        let size = self.size.max(below.size);
        // Small table text is often set with line spacing above twice its size.
        self.cy - below.cy <= 2.4 * size && (self.size - below.size).abs() <= 0.25 * size
    }
}

/// Two pieces of one cell's text on successive lines: aligned left, or centred alike.
fn same_x(a: &Piece, b: &Piece, size: f64) -> bool {
    (a.x0 - b.x0).abs() <= 1.5 * size || (a.cx() - b.cx()).abs() <= 1.5 * size
}

/// Two pieces in the same column: aligned, or overlapping horizontally.
fn same_column(a: &Piece, b: &Piece, size: f64) -> bool {
    same_x(a, b, size) || (a.x0 < b.x1 && b.x0 < a.x1)
}

fn is_cjk_char(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x9fff | 0xff00..=0xffef)
}

/// Lays out glyphs that are in no ruled table.
pub(crate) fn loose_lines(glyphs: Vec<Glyph>) -> Vec<LooseLine> {
    let mut lines: Vec<LooseLine> = lines_of(glyphs)
        .into_iter()
        .map(|line| {
            let top = line.iter().map(|g| g.y1).fold(f64::MIN, f64::max);
            let cy = line.iter().map(|g| g.cy()).sum::<f64>() / line.len() as f64;
            let segs = segments(&line, CELL_GAP);
            // The size of the first cell (the label of a row): values may be set larger.
            let size = segs
                .first()
                .map_or(0.0, |s| s.iter().map(|g| g.size).fold(0.0, f64::max));
            let pieces = segs
                .into_iter()
                .map(|s| Piece {
                    x0: s[0].x0,
                    x1: s[s.len() - 1].x1,
                    text: line_text(s),
                })
                .collect();
            LooseLine {
                top,
                cy,
                size,
                pieces,
            }
        })
        .collect();
    let stacked = take_stacked(&mut lines);
    lines.retain(|l| !l.pieces.is_empty());
    let mut lines = attach_wrapped(lines);
    for line in lines.iter_mut().filter(|l| l.is_anchor()) {
        join_broken_label(line);
    }
    place_stacked(&mut lines, stacked);
    fill_blank_columns(&mut lines);
    lines
}

/// A vertical label: characters stacked one per line in a tall cell.
struct Stacked {
    x0: f64,
    x1: f64,
    top: f64,
    bottom: f64,
    text: String,
    size: f64,
}

/// Removes runs of three or more single CJK characters stacked at the same x (each the first
/// cell of its line) and returns them as labels.
fn take_stacked(lines: &mut [LooseLine]) -> Vec<Stacked> {
    // (line index, centre x, size) of each candidate, top to bottom.
    let singles: Vec<(usize, f64, f64)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let p = l.pieces.first()?;
            let mut chars = p.text.chars();
            let c = chars.next()?;
            (chars.next().is_none() && is_cjk_char(c)).then_some((i, p.cx(), l.size))
        })
        .collect();
    let mut used = vec![false; singles.len()];
    let mut out = Vec::new();
    for start in 0..singles.len() {
        if used[start] {
            continue;
        }
        let mut run = vec![start];
        for k in start + 1..singles.len() {
            let (li, x, size) = singles[k];
            let (lj, px, _) = singles[*run.last().unwrap_or(&start)];
            if used[k] || (x - px).abs() > 0.5 * size {
                continue;
            }
            if lines[lj].cy - lines[li].cy > 2.5 * size {
                break;
            }
            run.push(k);
        }
        if run.len() < 3 {
            continue;
        }
        let mut text = String::new();
        let (mut x0, mut x1) = (f64::MAX, f64::MIN);
        for &k in &run {
            used[k] = true;
            let piece = lines[singles[k].0].pieces.remove(0);
            x0 = x0.min(piece.x0);
            x1 = x1.max(piece.x1);
            text.push_str(&piece.text);
        }
        let first = &lines[singles[run[0]].0];
        let last = &lines[singles[run[run.len() - 1]].0];
        out.push(Stacked {
            x0,
            x1,
            top: first.top,
            bottom: last.cy - last.size,
            text,
            size: first.size,
        });
    }
    out
}

/// Puts each vertical label first in the first table row beside it, or keeps it as a line.
fn place_stacked(lines: &mut Vec<LooseLine>, stacked: Vec<Stacked>) {
    for s in stacked {
        let piece = Piece {
            x0: s.x0,
            x1: s.x1,
            text: s.text,
        };
        let target = lines
            .iter_mut()
            .find(|l| l.is_anchor() && l.cy <= s.top && l.cy >= s.bottom);
        match target {
            Some(l) => l.pieces.insert(0, piece),
            None => {
                let at = lines
                    .iter()
                    .position(|l| l.cy < s.top)
                    .unwrap_or(lines.len());
                lines.insert(
                    at,
                    LooseLine {
                        top: s.top,
                        cy: s.top - s.size / 2.0,
                        size: s.size,
                        pieces: vec![piece],
                    },
                );
            }
        }
    }
}

/// Joins a label that a wide space broke in two ("无正当理由大量反复 申请"): in a row of
/// values, an unnumbered label piece right after another label piece (within 3 em) is part
/// of it.
fn join_broken_label(line: &mut LooseLine) {
    let mut i = 1;
    while i < line.pieces.len() {
        let (a, b) = (&line.pieces[i - 1], &line.pieces[i]);
        if !is_label(&a.text) || !is_label(&b.text) {
            break;
        }
        if !numbered(&b.text) && b.x0 - a.x1 <= 3.0 * line.size {
            let b = line.pieces.remove(i);
            let a = &mut line.pieces[i - 1];
            a.text = format!("{} {}", a.text, b.text);
            a.x1 = b.x1;
        } else {
            i += 1;
        }
    }
}

/// Joins labels wrapped over lines to the row of their values: a numbered label line above
/// a row of values (or above the rest of its label, same column) moves into that row; an
/// unnumbered label line right below a row's label (same column) is appended to it. Label
/// lines of another column (a row-spanning group label) may sit in between.
fn attach_wrapped(lines: Vec<LooseLine>) -> Vec<LooseLine> {
    // A numbered label line (grown by its continuation lines) waiting for its values, and the
    // lines it was made of, restored if no row of values takes it.
    struct Pending {
        label: LooseLine,
        parts: Vec<LooseLine>,
    }
    let mut out: Vec<LooseLine> = Vec::with_capacity(lines.len());
    let mut pending: Vec<Pending> = Vec::new();
    let flush =
        |pending: &mut Vec<Pending>, out: &mut Vec<LooseLine>, keep: &dyn Fn(&Pending) -> bool| {
            let mut k = 0;
            while k < pending.len() {
                if keep(&pending[k]) {
                    k += 1;
                } else {
                    out.extend(pending.remove(k).parts);
                }
            }
        };
    for mut line in lines {
        flush(&mut pending, &mut out, &|p| p.label.close_below(&line));
        let size = line.size;
        if line.is_anchor() {
            let first = &line.pieces[0];
            let target = if !is_label(&first.text) {
                pending
                    .iter()
                    .rposition(|p| p.label.pieces[0].x1 <= first.x0 + size)
            } else if !numbered(&first.text) {
                pending
                    .iter()
                    .rposition(|p| same_column(&p.label.pieces[0], first, size))
            } else {
                None
            };
            if let Some(k) = target {
                let head = pending.remove(k).label.pieces.remove(0);
                let first = &mut line.pieces[0];
                if is_label(&first.text) {
                    first.text = join_lines([head.text, std::mem::take(&mut first.text)]);
                    first.x0 = first.x0.min(head.x0);
                    first.x1 = first.x1.max(head.x1);
                } else {
                    line.pieces.insert(0, head);
                }
            }
            out.push(line);
            continue;
        }
        if line.is_satellite() {
            let piece = line.pieces[0].clone();
            if numbered(&piece.text) {
                flush(&mut pending, &mut out, &|p| {
                    !same_column(&p.label.pieces[0], &piece, size)
                });
                pending.push(Pending {
                    label: line.clone(),
                    parts: vec![line],
                });
                continue;
            }
            if let Some(p) = pending
                .iter_mut()
                .rev()
                .find(|p| same_column(&p.label.pieces[0], &piece, size))
            {
                let head = &mut p.label.pieces[0];
                head.text = join_lines([std::mem::take(&mut head.text), piece.text]);
                head.x0 = head.x0.min(piece.x0);
                head.x1 = head.x1.max(piece.x1);
                p.label.cy = line.cy;
                p.parts.push(line);
                continue;
            }
            let anchor = out.iter_mut().rev().take(3).find(|l| l.is_anchor());
            if let Some(last) = anchor {
                if last.close_below(&line)
                    && is_label(&last.pieces[0].text)
                    && same_column(&last.pieces[0], &piece, size)
                {
                    let first = &mut last.pieces[0];
                    first.text = join_lines([std::mem::take(&mut first.text), piece.text]);
                    last.cy = line.cy;
                    continue;
                }
            }
            if !pending.is_empty() {
                // A label line of another column (a group label): it does not end the wait.
                out.push(line);
                continue;
            }
        }
        flush(&mut pending, &mut out, &|_| false);
        out.push(line);
    }
    flush(&mut pending, &mut out, &|_| false);
    out
}

/// In a run of table rows without rulings, blank cells print nothing; the value columns shared
/// by the rows tell where they were. Rows whose values all sit on those columns get a blank
/// cell for each column they lack.
fn fill_blank_columns(lines: &mut [LooseLine]) {
    let mut start = 0;
    while start < lines.len() {
        // A region: anchors, with single-cell label lines (group labels) between them.
        let mut end = start;
        while end < lines.len()
            && (lines[end].is_anchor() || (end > start && lines[end].is_satellite()))
        {
            end += 1;
        }
        if end > start {
            fill_region(&mut lines[start..end]);
            start = end;
        } else {
            start += 1;
        }
    }
}

fn fill_region(region: &mut [LooseLine]) {
    let anchors = region.iter().filter(|l| l.is_anchor()).count();
    if anchors < 3 {
        return;
    }
    let size = region.iter().map(|l| l.size).fold(0.0, f64::max).max(1.0);
    let first_value = |l: &LooseLine| l.pieces.iter().position(|p| !is_label(&p.text));
    let mut centers: Vec<f64> = region
        .iter()
        .filter(|l| l.is_anchor())
        .flat_map(|l| {
            let k = first_value(l).unwrap_or(l.pieces.len());
            l.pieces[k..].iter().map(Piece::cx).collect::<Vec<_>>()
        })
        .collect();
    centers.sort_by(f64::total_cmp);
    let mut columns: Vec<(f64, usize)> = Vec::new(); // (mean, count)
    for c in centers {
        match columns.last_mut() {
            Some((mean, n)) if c - *mean <= size => {
                *mean = (*mean * *n as f64 + c) / (*n + 1) as f64;
                *n += 1;
            }
            _ => columns.push((c, 1)),
        }
    }
    let columns: Vec<f64> = columns
        .into_iter()
        .filter(|&(_, n)| n >= 2 && n * 2 >= anchors)
        .map(|(m, _)| m)
        .collect();
    if columns.len() < 2 {
        return;
    }
    for line in region.iter_mut().filter(|l| l.is_anchor()) {
        let Some(k) = first_value(line) else { continue };
        let values = &line.pieces[k..];
        if values.len() >= columns.len() || values.iter().any(|p| is_label(&p.text)) {
            continue;
        }
        let slots: Option<Vec<usize>> = values
            .iter()
            .map(|p| {
                let (i, d) = columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (i, (c - p.cx()).abs()))
                    .min_by(|a, b| a.1.total_cmp(&b.1))?;
                (d <= size).then_some(i)
            })
            .collect();
        let Some(slots) = slots else { continue };
        if slots.windows(2).any(|w| w[0] >= w[1]) {
            continue;
        }
        let mut filled: Vec<Piece> = columns
            .iter()
            .map(|&c| Piece {
                x0: c - size / 2.0,
                x1: c + size / 2.0,
                text: String::new(),
            })
            .collect();
        for (p, &slot) in values.iter().zip(&slots) {
            filled[slot] = p.clone();
        }
        line.pieces.truncate(k);
        line.pieces.extend(filled);
    }
}
