//! Plain text → [`Document`], for the three text layouts real extractions use:
//! the flattened layout of the seed (a line `|` opens a row, each cell is `text |` on its own
//! line, a trailing run of `|` pads the row to the grid width, blank lines between the cells
//! are skipped); single-line rows `a | b | c |` (also tab-separated); and one cell per line,
//! which stays a sequence of lines. No I/O.

use nianbao_model::document::{Cell, Document, Loc};

/// Read a plain-text report (already decoded) into a document: rows for table rows in any of
/// the three layouts, lines for everything else. Each cell and line carries its 1-based line
/// number; blank lines and Markdown table rules are skipped.
pub fn read_text(text: &str) -> Document {
    let mut doc = Document::default();
    let mut open_row: Option<Vec<Cell>> = None;
    for (i, raw) in text.lines().enumerate() {
        let loc = Loc::Line {
            line: u32::try_from(i + 1).unwrap_or(u32::MAX),
        };
        let line = raw.trim();
        if line == "|" {
            if let Some(cells) = open_row.replace(Vec::new()) {
                doc.push_row(cells);
            }
            continue;
        }
        if let Some(cells) = open_row.as_mut() {
            if line.is_empty() {
                continue; // converters put blank lines between the cells of a row
            }
            if line.ends_with('|') {
                cells.push(Cell {
                    text: strip_pipe_run(line).to_string(),
                    loc,
                });
                continue;
            }
            if let Some(cells) = open_row.take() {
                doc.push_row(cells);
            }
        }
        if is_separator(line) {
            continue;
        }
        if let Some(cells) = split_row(line, loc).or_else(|| split_spaced_numbers(line, loc)) {
            doc.push_row(cells);
        } else {
            doc.push_line(line, loc);
        }
    }
    if let Some(cells) = open_row {
        doc.push_row(cells);
    }
    doc
}

/// `text | |||` → `text`: a cell line ends with its own pipe, then optional padding pipes.
fn strip_pipe_run(line: &str) -> &str {
    line.trim_end_matches(|c: char| c == '|' || c.is_whitespace())
}

/// A single-line row: `a | b | c |`, `| a | b |` or tab-separated cells.
fn split_row(line: &str, loc: Loc) -> Option<Vec<Cell>> {
    let sep = if line.contains('|') {
        '|'
    } else if line.contains('\t') {
        '\t'
    } else {
        return None;
    };
    let mut parts: Vec<&str> = line.split(sep).map(str::trim).collect();
    if sep == '|' && line.starts_with('|') {
        parts.remove(0);
    }
    if sep == '|' && line.ends_with('|') {
        parts.pop();
    }
    let filled = parts.iter().filter(|p| !p.is_empty()).count();
    if filled == 0 || (filled < 2 && !line.ends_with('|')) {
        return None;
    }
    Some(
        parts
            .into_iter()
            .map(|p| Cell {
                text: p.to_string(),
                loc,
            })
            .collect(),
    )
}

/// A row whose cell separators became spaces: `(一)予以公开 112 4 0 1 0 1 118` (a short label
/// followed by value-like words). Narrative text rarely ends in a run of bare numbers; when it
/// does, the row simply matches no template label.
fn split_spaced_numbers(line: &str, loc: Loc) -> Option<Vec<Cell>> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let is_value = |w: &str| crate::number::classify(w).is_some();
    let first_value = words
        .iter()
        .rposition(|w| !is_value(w))
        .map_or(0, |i| i + 1);
    if first_value == 0 || first_value == words.len() {
        return None;
    }
    let label = words[..first_value].join(" ");
    if label.chars().count() > 60
        || !label
            .chars()
            .any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
    {
        return None;
    }
    let mut cells = vec![Cell { text: label, loc }];
    cells.extend(words[first_value..].iter().map(|w| Cell {
        text: (*w).to_string(),
        loc,
    }));
    Some(cells)
}

/// Markdown table rules such as `|---|:--:|`.
fn is_separator(line: &str) -> bool {
    !line.is_empty()
        && line
            .chars()
            .all(|c| matches!(c, '|' | '-' | ':' | ' ' | '+' | '='))
}

#[cfg(test)]
mod tests {
    use super::*;
    use nianbao_model::document::Block;

    fn rows(doc: &Document) -> Vec<Vec<&str>> {
        doc.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Row { cells } => Some(cells.iter().map(|c| c.text.as_str()).collect()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn flattened_rows_drop_their_padding() {
        let doc = read_text(
            "二、主动公开\n|\n第二十条第(一)项 | |||\n|\n行政许可 |\n1200631 | ||\n三、收到",
        );
        assert_eq!(
            rows(&doc),
            vec![vec!["第二十条第(一)项"], vec!["行政许可", "1200631"]]
        );
        assert!(matches!(doc.blocks.last(), Some(Block::Line { text, .. }) if text == "三、收到"));
    }

    #[test]
    fn blank_lines_between_flattened_cells_do_not_end_the_row() {
        let doc = read_text("|\n规章 |\n\n0 |\n\n\n1 | ||\n|\n行政许可 |\n5 | ||");
        assert_eq!(
            rows(&doc),
            vec![vec!["规章", "0", "1"], vec!["行政许可", "5"]]
        );
    }

    #[test]
    fn single_line_pipe_rows_keep_blank_cells() {
        let doc = read_text("| 规章 | 0 |  | 1 |\n|---|---|---|---|\n(七)总计\t3\t4");
        assert_eq!(
            rows(&doc),
            vec![vec!["规章", "0", "", "1"], vec!["(七)总计", "3", "4"]]
        );
    }

    #[test]
    fn space_separated_values_become_cells() {
        let doc = read_text("(一)予以公开 112 4 0 1 0 1 118\n本年度共收到申请 287件,比上年增加。");
        assert_eq!(
            rows(&doc),
            vec![vec!["(一)予以公开", "112", "4", "0", "1", "0", "1", "118"]]
        );
    }

    #[test]
    fn cell_per_line_text_stays_lines() {
        let doc = read_text("规章\n0\n\n1");
        assert_eq!(doc.blocks.len(), 3);
        assert!(rows(&doc).is_empty());
    }
}
