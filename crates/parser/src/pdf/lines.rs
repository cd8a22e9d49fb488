//! Glyphs → visual lines and their text: grouping by baseline, gaps that separate words or
//! cells, and the joining of a cell's wrapped lines. Shared by the ruled-table layout
//! (`layout`), the unruled reader (`loose`) and the page stitcher (`stitch`).

use super::interp::Glyph;

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2e80..=0x9fff | 0xf900..=0xfaff | 0xff00..=0xffef | 0x20000..=0x2fa1f)
}

/// Groups glyphs into visual lines, top to bottom, each sorted left to right.
pub(crate) fn lines_of(mut glyphs: Vec<Glyph>) -> Vec<Vec<Glyph>> {
    glyphs.sort_by(|a, b| b.cy().total_cmp(&a.cy()));
    let mut lines: Vec<(f64, f64, Vec<Glyph>)> = Vec::new(); // (cy of first, size, glyphs)
    for g in glyphs {
        match lines.last_mut() {
            Some((cy, size, line)) if (*cy - g.cy()).abs() <= 0.45 * size.max(g.size) => {
                *size = size.max(g.size);
                line.push(g);
            }
            _ => lines.push((g.cy(), g.size, vec![g])),
        }
    }
    lines
        .into_iter()
        .map(|(_, _, mut l)| {
            l.sort_by(|a, b| a.x0.total_cmp(&b.x0));
            l
        })
        .collect()
}

/// Text of one visual line: a space where the gap between glyphs is wide.
pub(crate) fn line_text(line: &[Glyph]) -> String {
    let mut s = String::new();
    let mut prev: Option<&Glyph> = None;
    for g in line {
        if let Some(p) = prev {
            // Overprinted duplicates (fake bold) are dropped.
            if g.c == p.c && (g.x0 - p.x0).abs() < 0.2 * g.size.max(1.0) {
                continue;
            }
            if g.x0 - p.x1 > 0.3 * g.size.max(p.size) {
                s.push(' ');
            }
        }
        s.push(g.c);
        prev = Some(g);
    }
    s
}

/// Joins wrapped lines of one cell: no separator between CJK text, a space otherwise.
pub(crate) fn join_lines(parts: impl IntoIterator<Item = String>) -> String {
    let mut out = String::new();
    for part in parts {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        if let (Some(a), Some(b)) = (out.chars().last(), part.chars().next()) {
            if !is_cjk(a) && !is_cjk(b) {
                out.push(' ');
            }
        }
        out.push_str(part);
    }
    out
}

/// Splits a visual line into segments at gaps wider than `factor` em.
/// Between CJK text and a digit a gap of half that already separates cells: a label that
/// fills its cell ends close to the value beside it.
pub(crate) fn segments(line: &[Glyph], factor: f64) -> Vec<&[Glyph]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..line.len() {
        let (p, g) = (&line[i - 1], &line[i]);
        let text_to_number = is_cjk(p.c) && g.c.is_ascii_digit();
        let factor = if text_to_number { factor / 2.0 } else { factor };
        if g.x0 - p.x1 > factor * g.size.max(p.size) {
            out.push(&line[start..i]);
            start = i;
        }
    }
    if start < line.len() {
        out.push(&line[start..]);
    }
    out
}
