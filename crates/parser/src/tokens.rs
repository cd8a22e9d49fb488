//! [`Document`] → tokens and groups: every cell and line becomes a token classified as a label
//! or a value slot, and consecutive tokens form groups of (labels, values) — one printed row of
//! a table, whether the layout kept row boundaries (HTML, pipes) or not (one cell per line).

use super::label;
use super::number::{classify_normalized, CellValue};
use nianbao_model::document::{Block, Document, Loc};

#[derive(Debug)]
pub(crate) struct Token<'a> {
    /// The text as printed.
    pub text: &'a str,
    /// NFKC, white space removed: for headings and markers.
    pub compact: String,
    /// The label matching key ([`label::key`]); empty for a value slot.
    pub key: String,
    /// `Some` when the token is a value slot (number, null marker, unreadable digits).
    pub value: Option<CellValue>,
    /// The block index of the row the token belongs to; `None` for a line of running text.
    pub row: Option<usize>,
    /// How many cells the token's row has (1 for a line).
    pub row_len: usize,
    pub loc: Loc,
}

impl Token<'_> {
    pub(crate) fn is_label(&self) -> bool {
        self.value.is_none()
    }

    pub(crate) fn key(&self) -> &str {
        &self.key
    }
}

pub(crate) fn tokenize(doc: &Document) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    for (i, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::Line { text, loc } => out.push(token(text, None, 1, *loc)),
            Block::Row { cells } => {
                out.extend(
                    cells
                        .iter()
                        .map(|c| token(&c.text, Some(i), cells.len(), c.loc)),
                );
            }
        }
    }
    out
}

fn token(text: &str, row: Option<usize>, row_len: usize, loc: Loc) -> Token<'_> {
    // NFKC once: the compact form and the value classification both start from it.
    let spaced = label::nfkc(text);
    let compact = label::without_whitespace(&spaced);
    // "2." or "(七" alone is the numbering of a label broken after it, not a value.
    let numbering_only = label::is_numbered(&compact) && label::key_of_compact(&compact).is_empty();
    let value = if numbering_only {
        None
    } else {
        classify_normalized(&spaced, &compact)
    };
    let key = if value.is_none() {
        label::key_of_compact(&compact)
    } else {
        String::new()
    };
    Token {
        text,
        compact,
        key,
        value,
        row,
        row_len,
        loc,
    }
}

/// The key of a label broken over several tokens (lines, or cells of a converter's layout,
/// possibly mid-word): the compact texts of `labels` from the last numbered one to the end,
/// joined, then keyed. `None` when the last label is numbered itself (it is whole) or no
/// label is numbered (nothing marks where the label starts).
pub(crate) fn broken_label_key(tokens: &[Token<'_>], labels: &[usize]) -> Option<String> {
    let numbered = |i: &usize| label::is_numbered(&tokens[*i].compact);
    if labels.last().is_none_or(numbered) {
        return None;
    }
    let start = labels.iter().rposition(numbered)?;
    let joined: String = labels[start..]
        .iter()
        .map(|&i| tokens[i].compact.as_str())
        .collect();
    Some(label::key_of_compact(&joined))
}

/// One printed row: its label tokens, then its value tokens (indices into the token list).
#[derive(Debug, Default, Clone)]
pub(crate) struct Group {
    pub labels: Vec<usize>,
    pub values: Vec<usize>,
    /// Values already read from the whole table (each with the token it came from), when the
    /// row's cells were found by [`crate::realign`] rather than printed in the row; empty when
    /// the row was found but its values could not be read (null, with a finding).
    pub read: Option<Vec<(i64, usize)>>,
}

/// Split `tokens[range]` into groups: a new group starts at a row boundary, or where a label
/// follows a value.
pub(crate) fn groups(tokens: &[Token<'_>], range: std::ops::Range<usize>) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    let mut cur = Group::default();
    let mut cur_row: Option<Option<usize>> = None;
    for i in range {
        let t = &tokens[i];
        let new_row = match (cur_row, t.row) {
            (None, _) => false,
            (Some(prev), now) => prev != now && (prev.is_some() || now.is_some()),
        };
        if new_row || (t.is_label() && !cur.values.is_empty()) {
            out.push(std::mem::take(&mut cur));
        }
        cur_row = Some(t.row);
        if t.is_label() {
            cur.labels.push(i);
        } else {
            cur.values.push(i);
        }
    }
    if !cur.labels.is_empty() || !cur.values.is_empty() {
        out.push(cur);
    }
    out
}
