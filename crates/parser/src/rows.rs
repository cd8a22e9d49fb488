//! Row clean-up shared by the PDF and DOCX readers, so that the template mapper sees label
//! cells, then value cells: cells are trimmed, empty cells in the label part of a row (before
//! its last label) are dropped, and rows with no text are removed. Pure.

use nianbao_model::document::Block;

/// A cell that is text rather than a value (a number, possibly with a unit such as `元` or
/// `件`; blank, `-`, `—`, `/`, `无`).
pub(crate) fn is_label(text: &str) -> bool {
    let t = text.trim();
    if t.is_empty() || matches!(t, "-" | "—" | "——" | "/" | "无" | "－" | "–" | "／") {
        return false;
    }
    let number = [
        "万元", "亿元", "元", "件", "个", "条", "项", "次", "人", "%",
    ]
    .iter()
    .find_map(|u| t.strip_suffix(u))
    .unwrap_or(t)
    .trim();
    let numeric = number.chars().any(|c| c.is_ascii_digit())
        && number
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '+' | '-' | '%' | ' '));
    !numeric
}

/// Starts with template numbering: `（一）`, `(1)`, `1.`, `1、`, `一、`.
pub(crate) fn numbered(text: &str) -> bool {
    let t = text.trim_start();
    if t.starts_with(['（', '(', '〔']) {
        return true;
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 {
        return t[digits..].starts_with(['.', '、', '．', ')', '）']);
    }
    t.split_once('、').is_some_and(|(head, _)| {
        !head.is_empty() && head.chars().all(|c| "一二三四五六七八九十".contains(c))
    })
}

/// Cleans the rows of `blocks` in place (see the module docs).
pub(crate) fn tidy_rows(blocks: &mut Vec<Block>) {
    blocks.retain_mut(|b| match b {
        Block::Line { .. } => true,
        Block::Row { cells } => {
            for c in cells.iter_mut() {
                let t = c.text.trim();
                if t.len() != c.text.len() {
                    c.text = t.to_string();
                }
            }
            if cells.iter().all(|c| c.text.is_empty()) {
                return false;
            }
            if let Some(last_label) = cells.iter().rposition(|c| is_label(&c.text)) {
                let mut index = 0..;
                cells.retain(|c| {
                    index.next().is_some_and(|i| i >= last_label) || !c.text.is_empty()
                });
            }
            true
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use nianbao_model::document::{Cell, Loc};

    fn row(texts: &[&str]) -> Block {
        let loc = Loc::Line { line: 1 };
        Block::Row {
            cells: texts
                .iter()
                .map(|t| Cell {
                    text: t.to_string(),
                    loc,
                })
                .collect(),
        }
    }

    #[test]
    fn drops_empty_label_cells_and_empty_rows() {
        let mut blocks = vec![
            row(&["", " 2.重复申请 ", "", "0", ""]),
            row(&["", " "]),
            row(&["", "1", "2"]),
        ];
        tidy_rows(&mut blocks);
        assert_eq!(
            blocks,
            vec![row(&["2.重复申请", "", "0", ""]), row(&["", "1", "2"])]
        );
    }

    #[test]
    fn classifies_values() {
        for v in [
            "",
            "0",
            "1,200",
            "34572.2",
            "-",
            "—",
            "/",
            "无",
            "+2",
            "251000元",
            "3 件",
        ] {
            assert!(!is_label(v), "{v}");
        }
        for l in [
            "规章",
            "（七）总计",
            "2.其他法律行政止公开",
            "元",
            "...",
            "第二十条",
        ] {
            assert!(is_label(l), "{l}");
        }
    }
}
