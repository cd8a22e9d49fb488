//! Decoded HTML → [`Document`]: running text becomes lines, every data table becomes rows of
//! logical cells placed on a [`Grid`] (so each cell knows its grid column). Layout tables (a
//! table whose cells hold other tables) are read as running text around their inner tables.
//! Uses scraper (html5ever), so implied `<tbody>`, missing end tags and foster parenting are
//! handled as browsers do. No I/O.

use ego_tree::NodeRef;
use scraper::{Html, Node};

use super::grid::{parse_span, Grid, SpanCell, MAX_COLSPAN};
use super::slim::slim;
use crate::document::{Cell, Document, Loc};

/// Read an HTML page (already decoded) into a document.
pub fn read_html(text: &str) -> Document {
    match content_window(text) {
        Some(window) => {
            let mut doc = read_whole(&text[window]);
            doc.title = head_title(text);
            doc
        }
        None => read_whole(text),
    }
}

/// Read a whole page, portal chrome and all.
pub fn read_whole(text: &str) -> Document {
    read_tree(&Html::parse_document(&slim(text)))
}

fn read_tree(html: &Html) -> Document {
    let mut walker = Walker::default();
    walker.doc.title = title_of(html);
    walker.walk(html.tree.root());
    walker.flush();
    walker.doc
}

/// Text that opens a report's content: the statistics period, the first section headings.
const START_ANCHORS: [&str; 4] = [
    "统计期限",
    "一、总体情况",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
];
/// How much markup before the first anchor and after the last table is kept (the report's
/// title and opening sentence, the heading after table 四).
const WINDOW_SLACK: usize = 1536;

/// The byte range of a portal page that holds the report: from a little before its first
/// anchor to a little after the last `</table>` that follows it. Navigation, footers and
/// link lists outside it are never given to the HTML parser, which is most of the cost of a
/// portal page. `None` (read the whole page) when the page has no anchor or no table after it.
/// Cutting inside markup is harmless: html5ever recovers, and cut layout-table cells only
/// lose their layout. A differential test checks the window reads like the whole page.
pub fn content_window(text: &str) -> Option<std::ops::Range<usize>> {
    let anchor = START_ANCHORS.iter().filter_map(|a| text.find(a)).min()?;
    let last_table = text[anchor..]
        .rfind("</table>")
        .or_else(|| text[anchor..].rfind("</TABLE>"))?;
    let end_of_tables = anchor + last_table + "</table>".len();
    let start = floor_boundary(text, anchor.saturating_sub(WINDOW_SLACK));
    let start = text[start..anchor].find('<').map_or(start, |i| start + i);
    let end = ceil_boundary(text, end_of_tables + WINDOW_SLACK);
    let end = text[end..].find('<').map_or(text.len(), |i| end + i);
    (end.saturating_sub(start) * 10 < text.len() * 9).then_some(start..end)
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The `<title>` of a page, read without parsing the rest of it.
fn head_title(text: &str) -> Option<String> {
    let lower_head = text.get(..text.len().min(64 * 1024))?.to_ascii_lowercase();
    let open = lower_head.find("<title")?;
    let close = lower_head[open..].find("</title").map(|i| open + i)?;
    let html = Html::parse_document(&text[open..close + "</title>".len().min(text.len() - close)]);
    title_of(&html)
}

fn title_of(html: &Html) -> Option<String> {
    html.tree
        .root()
        .descendants()
        .find_map(|n| match n.value() {
            Node::Element(e) if e.name() == "title" => {
                let t = text_of(n);
                (!t.is_empty()).then_some(t)
            }
            _ => None,
        })
}

#[derive(Default)]
struct Walker {
    doc: Document,
    line: String,
    lines_seen: u32,
    tables_seen: u32,
}

/// Elements whose content is never shown.
fn is_hidden(name: &str) -> bool {
    matches!(
        name,
        "script" | "style" | "noscript" | "template" | "head" | "select" | "option" | "iframe"
    )
}

/// Elements that end a line of running text.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "br"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "tr"
            | "td"
            | "th"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "nav"
            | "aside"
            | "main"
            | "blockquote"
            | "center"
            | "pre"
            | "hr"
            | "form"
            | "figure"
            | "figcaption"
            | "caption"
            | "address"
            | "body"
    )
}

impl Walker {
    fn walk(&mut self, node: NodeRef<'_, Node>) {
        match node.value() {
            Node::Text(t) => self.line.push_str(t),
            Node::Element(e) => {
                let name = e.name();
                if is_hidden(name) {
                    return;
                }
                if name == "table" && !has_nested_table(node) {
                    self.flush();
                    self.table(node);
                    return;
                }
                let block = is_block(name);
                if block {
                    self.flush();
                }
                for child in node.children() {
                    self.walk(child);
                }
                if block {
                    self.flush();
                }
            }
            Node::Document | Node::Fragment => {
                for child in node.children() {
                    self.walk(child);
                }
            }
            _ => {}
        }
    }

    fn flush(&mut self) {
        let text = collapse(&self.line);
        self.line.clear();
        if !text.is_empty() {
            self.lines_seen += 1;
            self.doc.push_line(
                text,
                Loc::Line {
                    line: self.lines_seen,
                },
            );
        }
    }

    /// A data table: rows of cells → grid → one document row per table row. The cell texts
    /// move from the source rows through the grid into the document, never copied.
    fn table(&mut self, table: NodeRef<'_, Node>) {
        self.tables_seen += 1;
        let rows: Vec<Vec<SpanCell>> = table_rows(table).into_iter().map(row_cells).collect();
        let grid = Grid::build(rows);
        let mut by_row: Vec<Vec<Cell>> = vec![Vec::new(); grid.height];
        for p in grid.cells {
            let loc = Loc::Table {
                table: self.tables_seen,
                row: to_u32(p.row + 1),
                col: to_u32(p.col + 1),
            };
            by_row[p.row].push(Cell { text: p.text, loc });
        }
        for cells in by_row {
            self.doc.push_row(cells);
        }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn element_name<'a>(node: &NodeRef<'a, Node>) -> Option<&'a str> {
    match node.value() {
        Node::Element(e) => Some(e.name()),
        _ => None,
    }
}

fn has_nested_table(table: NodeRef<'_, Node>) -> bool {
    table
        .descendants()
        .skip(1)
        .any(|n| element_name(&n) == Some("table"))
}

/// The `<tr>` elements of a table, through `<thead>`/`<tbody>`/`<tfoot>`, in document order.
fn table_rows(table: NodeRef<'_, Node>) -> Vec<NodeRef<'_, Node>> {
    let mut rows = Vec::new();
    for child in table.children() {
        match element_name(&child) {
            Some("tr") => rows.push(child),
            Some("thead" | "tbody" | "tfoot") => {
                rows.extend(child.children().filter(|n| element_name(n) == Some("tr")));
            }
            _ => {}
        }
    }
    rows
}

fn row_cells(tr: NodeRef<'_, Node>) -> Vec<SpanCell> {
    tr.children()
        .filter_map(|cell| match cell.value() {
            Node::Element(e) if matches!(e.name(), "td" | "th") => Some(SpanCell {
                text: text_of(cell),
                colspan: parse_span(e.attr("colspan"), MAX_COLSPAN).max(1),
                rowspan: parse_span(e.attr("rowspan"), 65534),
            }),
            _ => None,
        })
        .collect()
}

/// The visible text of a subtree, [`collapse`]d; block elements and `<br>` separate words.
fn text_of(node: NodeRef<'_, Node>) -> String {
    let mut out = Collapsed::default();
    collect_text(node, &mut out);
    out.text
}

fn collect_text(node: NodeRef<'_, Node>, out: &mut Collapsed) {
    for child in node.children() {
        match child.value() {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) => {
                if is_hidden(e.name()) {
                    continue;
                }
                let block = is_block(e.name());
                if block {
                    out.gap = true;
                }
                collect_text(child, out);
                if block {
                    out.gap = true;
                }
            }
            _ => {}
        }
    }
}

/// Text built piece by piece with white space collapsed as [`collapse`] does to the whole.
#[derive(Default)]
struct Collapsed {
    text: String,
    /// White space since the last word.
    gap: bool,
}

impl Collapsed {
    fn push_str(&mut self, s: &str) {
        for (n, word) in s.split(char::is_whitespace).enumerate() {
            if n > 0 {
                self.gap = true;
            }
            if !word.is_empty() {
                if self.gap && !self.text.is_empty() {
                    self.text.push(' ');
                }
                self.text.push_str(word);
                self.gap = false;
            }
        }
    }
}

/// Collapse runs of white space (including `&nbsp;` and ideographic spaces) to one space and trim.
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(|c: char| c.is_whitespace()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Block;

    fn rows(doc: &Document) -> Vec<Vec<String>> {
        doc.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Row { cells } => Some(cells.iter().map(|c| c.text.clone()).collect()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn implied_tbody_and_missing_end_tags() {
        let doc =
            read_html("<table><tr><td>规章<td>0<td>1<tr><th>行政许可<td colspan=\"3;\">12</table>");
        assert_eq!(
            rows(&doc),
            vec![vec!["规章", "0", "1"], vec!["行政许可", "12"]]
        );
    }

    #[test]
    fn word_exported_cells_and_nbsp() {
        let doc = read_html(
            "<table><tr><td><p class=MsoNormal><span lang=EN-US>275<o:p></o:p></span></p></td>\
             <td>&nbsp;</td><td>4.无正当理由大量<br>反复申请</td></tr></table>",
        );
        assert_eq!(
            rows(&doc),
            vec![vec!["275", "", "4.无正当理由大量 反复申请"]]
        );
    }

    #[test]
    fn layout_table_is_read_as_text_around_the_data_table() {
        let doc = read_html(
            "<table><tr><td><p>三、收到和处理政府信息公开申请情况</p>\
             <table><tr><td>总计</td><td>5</td></tr></table></td></tr></table>",
        );
        assert!(
            matches!(&doc.blocks[0], Block::Line { text, .. } if text == "三、收到和处理政府信息公开申请情况")
        );
        assert_eq!(rows(&doc), vec![vec!["总计", "5"]]);
    }

    #[test]
    fn cells_know_their_grid_column() {
        let doc =
            read_html("<table><tr><td rowspan=2>三</td><td>a</td></tr><tr><td>b</td></tr></table>");
        let Some(Block::Row { cells }) = doc.blocks.get(1) else {
            panic!("no second row")
        };
        assert_eq!(
            cells[0].loc,
            Loc::Table {
                table: 1,
                row: 2,
                col: 2
            }
        );
    }

    #[test]
    fn slimmed_markup_reads_like_the_page() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/parse");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).expect("fixtures") {
            let path = entry.expect("fixture").path();
            if path.extension().and_then(|e| e.to_str()) != Some("html") {
                continue;
            }
            let bytes = std::fs::read(&path).expect("fixture bytes");
            let text = crate::decode::decode_html(&bytes, None).text;
            let page = read_tree(&Html::parse_document(&text));
            assert_eq!(read_whole(&text), page, "{}", path.display());
            seen += 1;
        }
        assert!(seen > 0);
    }

    #[test]
    fn scripts_and_title() {
        let doc = read_html("<html><head><title> 某市2021年 报告 </title><script>var a='<td>';</script></head><body>正文</body></html>");
        assert_eq!(doc.title.as_deref(), Some("某市2021年 报告"));
        assert_eq!(doc.blocks.len(), 1);
    }
}
