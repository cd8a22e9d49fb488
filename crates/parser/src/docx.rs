//! DOCX bytes → [`Document`]: `word/document.xml` read with quick-xml. Body paragraphs become
//! lines; table rows become rows of logical cells (`gridSpan` → one cell, `vMerge`
//! continuations omitted like a rowspan). A row holding a nested table is layout, not data:
//! its paragraphs and nested rows are emitted in order. Legacy .doc/.wps are read by
//! [`crate::doc`], which shares `emit_row`; Word 2003 XML (one file, the same `w:` body
//! markup) by [`read_wordml`].

use std::io::Read;

use quick_xml::events::{BytesStart, Event};

use crate::sniff::{sniff, Format};
use nianbao_model::document::{Block, Cell, Document, Loc};

/// Largest `word/document.xml` read (decompressed).
const XML_LIMIT: u64 = 64 << 20;
/// Deepest table nesting followed.
const MAX_NESTING: usize = 64;

/// Why a DOCX could not be read into a [`Document`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DocxError {
    /// The bytes are an OLE compound file: a Word 97–2003 `.doc` or WPS `.wps`, not read.
    #[error("a legacy Word/WPS binary file (OLE compound document, .doc/.wps): convert it to DOCX or PDF first")]
    LegacyWord,
    /// The bytes are not a zip archive at all; holds the format they were sniffed as.
    #[error("not a DOCX: the bytes look like a {0}")]
    NotDocx(Format),
    /// The zip archive or one of its parts could not be opened or decompressed; holds the zip
    /// library's message.
    #[error("the DOCX archive is unreadable: {0}")]
    Zip(String),
    /// The archive has neither `word/document.xml` nor another `word/document*.xml` part.
    #[error("the DOCX has no word/document.xml")]
    NoDocumentXml,
    /// The main document part decompresses to more than 64 MiB.
    #[error("word/document.xml is larger than {XML_LIMIT} bytes")]
    TooLarge,
    /// The main document part is not well-formed XML.
    #[error("word/document.xml is malformed at byte {position}: {message}")]
    Xml {
        /// Byte offset in the decoded XML where the XML reader failed.
        position: u64,
        /// The XML reader's message.
        message: String,
    },
    /// The reader panicked (caught); a bug in nianbao or a dependency, not in the file.
    #[error("internal error while reading the DOCX (a bug: please report the file)")]
    Internal,
}

/// Reads a DOCX into blocks: one `Row` per table row, one `Line` per body paragraph.
pub fn read_docx(bytes: &[u8]) -> Result<Document, DocxError> {
    match sniff(bytes) {
        Format::Docx | Format::Zip => {}
        Format::Ole | Format::WordBinary => return Err(DocxError::LegacyWord),
        other => return Err(DocxError::NotDocx(other)),
    }
    std::panic::catch_unwind(|| {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .map_err(|e| DocxError::Zip(e.to_string()))?;
        let xml = document_xml(&mut archive)?;
        let mut doc = parse_document_xml(&xml)?;
        doc.title = core_title(&mut archive);
        Ok(doc)
    })
    .unwrap_or(Err(DocxError::Internal))
}

/// Reads a Word 2003 XML document (WordprocessingML, `<w:wordDocument>`, often served as a
/// `.doc`): the same `w:` body markup as a DOCX's main part, in one file.
pub fn read_wordml(bytes: &[u8]) -> Result<Document, DocxError> {
    if bytes.len() as u64 > XML_LIMIT {
        return Err(DocxError::TooLarge);
    }
    std::panic::catch_unwind(|| {
        let xml = decode_xml(bytes);
        let mut doc = parse_document_xml(&xml)?;
        doc.title = tag_text(&xml, "o:Title");
        Ok(doc)
    })
    .unwrap_or(Err(DocxError::Internal))
}

/// The unescaped, trimmed text of the first `<tag>…</tag>` of `xml`, when not empty.
fn tag_text(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find(&format!("</{tag}>"))?;
    let raw = &xml[start..end];
    let text =
        quick_xml::escape::unescape(raw).map_or_else(|_| raw.to_string(), |t| t.into_owned());
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

type Archive<'a> = zip::ZipArchive<std::io::Cursor<&'a [u8]>>;

fn read_part(archive: &mut Archive<'_>, name: &str) -> Result<String, DocxError> {
    let file = archive
        .by_name(name)
        .map_err(|e| DocxError::Zip(e.to_string()))?;
    let mut raw = Vec::new();
    file.take(XML_LIMIT + 1)
        .read_to_end(&mut raw)
        .map_err(|e| DocxError::Zip(e.to_string()))?;
    if raw.len() as u64 > XML_LIMIT {
        return Err(DocxError::TooLarge);
    }
    Ok(decode_xml(&raw))
}

/// `dc:title` of `docProps/core.xml`, when present and not empty.
fn core_title(archive: &mut Archive<'_>) -> Option<String> {
    let xml = read_part(archive, "docProps/core.xml").ok()?;
    tag_text(&xml, "dc:title")
}

fn document_xml(archive: &mut Archive<'_>) -> Result<String, DocxError> {
    let name = if archive.index_for_name("word/document.xml").is_some() {
        "word/document.xml".to_string()
    } else {
        // Some producers name the main part differently (word/document2.xml).
        archive
            .file_names()
            .flatten()
            .find(|n| n.starts_with("word/document") && n.ends_with(".xml") && !n.contains("_rels"))
            .map(|n| n.to_string())
            .ok_or(DocxError::NoDocumentXml)?
    };
    read_part(archive, &name)
}

/// UTF-8 (the norm) or UTF-16 with a BOM.
pub(crate) fn decode_xml(raw: &[u8]) -> String {
    if let Some(rest) = raw.strip_prefix(&[0xff, 0xfe]) {
        encoding_rs::UTF_16LE
            .decode_without_bom_handling(rest)
            .0
            .into_owned()
    } else if let Some(rest) = raw.strip_prefix(&[0xfe, 0xff]) {
        encoding_rs::UTF_16BE
            .decode_without_bom_handling(rest)
            .0
            .into_owned()
    } else {
        String::from_utf8_lossy(raw.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(raw)).into_owned()
    }
}

/// What a table cell holds, in order (shared with the Word binary reader).
pub(crate) enum Item {
    Para(String),
    Blocks(Vec<Block>),
}

pub(crate) enum VMerge {
    None,
    Restart,
    Continue,
}

pub(crate) struct CellOut {
    pub(crate) items: Vec<Item>,
    pub(crate) span: u32,
    pub(crate) vmerge: VMerge,
    /// Old-style horizontal merge continuation (`w:hMerge` without restart).
    pub(crate) hmerge_continue: bool,
    /// Grid column, from 0.
    pub(crate) col: u32,
}

/// A value cell merged down a column (`vMerge` restart) whose continuations repeat it.
pub(crate) struct Merge {
    col: u32,
    cell: Cell,
}

enum Frame {
    Table {
        index: u32,
        rows: u32,
        blocks: Vec<Block>,
        /// Value cells merged down from an earlier row, still open.
        merges: Vec<Merge>,
    },
    Row {
        cells: Vec<CellOut>,
        col: u32,
    },
    Cell(CellOut),
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2e80..=0x9fff | 0xf900..=0xfaff | 0xff00..=0xffef | 0x20000..=0x2fa1f)
}

/// Joins a cell's paragraphs: no separator between CJK text, a space otherwise.
fn join_paras(paras: &[String]) -> String {
    let mut out = String::new();
    for p in paras {
        let p = p.trim();
        if p.is_empty() {
            continue;
        }
        if let (Some(a), Some(b)) = (out.chars().last(), p.chars().next()) {
            if !is_cjk(a) && !is_cjk(b) {
                out.push(' ');
            }
        }
        out.push_str(p);
    }
    out
}

fn val_attr(e: &BytesStart<'_>) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == "val")
        .map(|a| a.value.into_owned())
}

/// Parser state over the event stream.
#[derive(Default)]
struct State {
    doc: Document,
    stack: Vec<Frame>,
    tables: u32,
    paragraphs: u32,
    para: Option<String>,
    para_depth: usize,
    run_depth: usize,
    in_text: bool,
    skip_depth: usize,
}

impl State {
    fn start(&mut self, e: &BytesStart<'_>, empty: bool) {
        let name = e.name();
        let local = name.local_name();
        let prefix = name.prefix().map(|p| p.as_ref().to_string());
        if self.skip_depth > 0 {
            if !empty {
                self.skip_depth += 1;
            }
            return;
        }
        // Skipped subtrees: the fallback copy of alternate content, tracked deletions and the
        // old place of moved text.
        let skipped = match prefix.as_deref() {
            Some("mc") => local.as_ref() == "Fallback",
            _ => matches!(local.as_ref(), "del" | "moveFrom"),
        };
        if skipped {
            if !empty {
                self.skip_depth = 1;
            }
            return;
        }
        match local.as_ref() {
            "tbl" if !empty && self.stack.len() < MAX_NESTING * 3 => {
                self.tables += 1;
                self.stack.push(Frame::Table {
                    index: self.tables,
                    rows: 0,
                    blocks: Vec::new(),
                    merges: Vec::new(),
                });
            }
            "tr" if !empty => {
                if matches!(self.stack.last(), Some(Frame::Table { .. })) {
                    self.stack.push(Frame::Row {
                        cells: Vec::new(),
                        col: 0,
                    });
                }
            }
            "gridBefore" => {
                if let Some(Frame::Row { col, .. }) = self.stack.last_mut() {
                    *col += val_attr(e)
                        .and_then(|v| v.parse::<u32>().ok())
                        .unwrap_or(0)
                        .min(1000);
                }
            }
            "tc" if !empty => {
                if let Some(Frame::Row { col, .. }) = self.stack.last() {
                    let col = *col;
                    self.stack.push(Frame::Cell(CellOut {
                        items: Vec::new(),
                        span: 1,
                        vmerge: VMerge::None,
                        hmerge_continue: false,
                        col,
                    }));
                }
            }
            "gridSpan" => {
                if let Some(Frame::Cell(c)) = self.stack.last_mut() {
                    c.span = val_attr(e)
                        .and_then(|v| v.parse::<u32>().ok())
                        .unwrap_or(1)
                        .clamp(1, 1000);
                }
            }
            // Word 2003 XML spells the two merges in lower case.
            "vMerge" | "vmerge" => {
                if let Some(Frame::Cell(c)) = self.stack.last_mut() {
                    c.vmerge = match val_attr(e).as_deref() {
                        Some("restart") => VMerge::Restart,
                        _ => VMerge::Continue,
                    };
                }
            }
            "hMerge" | "hmerge" => {
                if let Some(Frame::Cell(c)) = self.stack.last_mut() {
                    c.hmerge_continue = val_attr(e).as_deref() != Some("restart");
                }
            }
            "p" if !empty => {
                if self.para_depth == 0 {
                    self.para = Some(String::new());
                }
                self.para_depth += 1;
            }
            "r" if !empty => self.run_depth += 1,
            "t" if !empty => self.in_text = true,
            "tab" | "br" | "cr" if self.run_depth > 0 => self.push_text(" "),
            _ => {}
        }
    }

    fn end(&mut self, local: &str) {
        if self.skip_depth > 0 {
            self.skip_depth -= 1;
            return;
        }
        match local {
            "t" => self.in_text = false,
            "r" => self.run_depth = self.run_depth.saturating_sub(1),
            "p" if self.para_depth > 0 => {
                self.para_depth -= 1;
                if self.para_depth == 0 {
                    let text = self.para.take().unwrap_or_default();
                    self.end_paragraph(text);
                }
            }
            "tc" => {
                if let Some(Frame::Cell(_)) = self.stack.last() {
                    let Some(Frame::Cell(cell)) = self.stack.pop() else {
                        return;
                    };
                    if let Some(Frame::Row { cells, col }) = self.stack.last_mut() {
                        *col = col.saturating_add(cell.span);
                        cells.push(cell);
                    }
                }
            }
            "tr" => {
                if let Some(Frame::Row { .. }) = self.stack.last() {
                    let Some(Frame::Row { cells, .. }) = self.stack.pop() else {
                        return;
                    };
                    if let Some(Frame::Table {
                        index,
                        rows,
                        blocks,
                        merges,
                    }) = self.stack.last_mut()
                    {
                        *rows += 1;
                        emit_row(*index, *rows, cells, blocks, merges);
                    }
                }
            }
            "tbl" => {
                if let Some(Frame::Table { .. }) = self.stack.last() {
                    let Some(Frame::Table { blocks, .. }) = self.stack.pop() else {
                        return;
                    };
                    match self.stack.last_mut() {
                        Some(Frame::Cell(c)) => c.items.push(Item::Blocks(blocks)),
                        Some(_) => {}
                        None => self.doc.blocks.extend(blocks),
                    }
                }
            }
            _ => {}
        }
    }

    fn push_text(&mut self, s: &str) {
        if let Some(p) = self.para.as_mut() {
            if p.len() < (16 << 20) {
                p.push_str(s);
            }
        }
    }

    fn end_paragraph(&mut self, text: String) {
        self.paragraphs += 1;
        match self.stack.last_mut() {
            Some(Frame::Cell(c)) => c.items.push(Item::Para(text)),
            Some(_) => {}
            None => self.doc.push_line(
                text.trim(),
                Loc::Line {
                    line: self.paragraphs,
                },
            ),
        }
    }
}

/// One table row → a `Row` of its logical cells, or, when a cell holds a nested table, the
/// row's content in order (paragraphs as lines, nested rows as rows). A `vMerge` continuation
/// of a value cell repeats that cell, with its location ([`Block::Row`]); other continuations
/// are omitted like a rowspan. Shared with the Word binary reader ([`crate::doc`]).
pub(crate) fn emit_row(
    table: u32,
    row: u32,
    cells: Vec<CellOut>,
    out: &mut Vec<Block>,
    merges: &mut Vec<Merge>,
) {
    let nested = cells
        .iter()
        .any(|c| c.items.iter().any(|i| matches!(i, Item::Blocks(_))));
    if nested {
        for cell in cells {
            let loc = Loc::Table {
                table,
                row,
                col: cell.col + 1,
            };
            for item in cell.items {
                match item {
                    Item::Para(p) => {
                        let p = p.trim();
                        if !p.is_empty() {
                            out.push(Block::Line {
                                text: p.to_string(),
                                loc,
                            });
                        }
                    }
                    Item::Blocks(b) => out.extend(b),
                }
            }
        }
        return;
    }
    let texts: Vec<(CellOut, String)> = cells
        .into_iter()
        .map(|mut c| {
            let paras: Vec<String> = std::mem::take(&mut c.items)
                .into_iter()
                .filter_map(|i| match i {
                    Item::Para(p) => Some(p),
                    Item::Blocks(_) => None,
                })
                .collect();
            (c, join_paras(&paras))
        })
        .collect();
    let number_in_row = || {
        texts
            .iter()
            .any(|(c, t)| !matches!(c.vmerge, VMerge::Continue) && crate::grid::is_number(t))
    };
    let mut cells: Vec<Cell> = Vec::with_capacity(texts.len());
    let mut opened = Vec::new();
    for (c, text) in &texts {
        if matches!(c.vmerge, VMerge::Continue) {
            if let Some(m) = merges.iter().find(|m| m.col == c.col) {
                cells.push(m.cell.clone());
            }
            continue;
        }
        merges.retain(|m| m.col != c.col);
        if c.hmerge_continue {
            continue;
        }
        let cell = Cell {
            text: text.clone(),
            loc: Loc::Table {
                table,
                row,
                col: c.col + 1,
            },
        };
        if matches!(c.vmerge, VMerge::Restart) && crate::grid::repeats_down(text, number_in_row) {
            opened.push(Merge {
                col: c.col,
                cell: cell.clone(),
            });
        }
        cells.push(cell);
    }
    merges.extend(opened);
    if cells.iter().any(|c| !c.text.is_empty()) {
        out.push(Block::Row { cells });
    }
}

/// Parses the XML of a DOCX main document part.
pub(crate) fn parse_document_xml(xml: &str) -> Result<Document, DocxError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    // Word writes well-formed XML: a mismatched or missing end tag means the part was cut or
    // edited, and is named as malformed rather than read as a document without tables.
    reader.config_mut().check_end_names = true;
    let mut st = State::default();
    let mut open: Vec<String> = Vec::new();
    loop {
        let event = reader.read_event().map_err(|e| DocxError::Xml {
            position: reader.error_position(),
            message: e.to_string(),
        })?;
        match event {
            Event::Start(e) => {
                open.push(e.name().0.to_string());
                st.start(&e, false);
            }
            Event::Empty(e) => st.start(&e, true),
            Event::End(e) => {
                open.pop();
                st.end(e.name().local_name().as_ref());
            }
            Event::Eof if !open.is_empty() => {
                let name = open.last().cloned();
                return Err(DocxError::Xml {
                    position: reader.buffer_position(),
                    message: format!(
                        "the part ends inside <{}> ({} element(s) left open)",
                        name.unwrap_or_default(),
                        open.len()
                    ),
                });
            }
            Event::Text(t) if st.in_text && st.skip_depth == 0 => st.push_text(&t.xml10_content()),
            Event::CData(t) if st.in_text && st.skip_depth == 0 => {
                st.push_text(&t.xml10_content());
            }
            Event::GeneralRef(r) if st.in_text && st.skip_depth == 0 => {
                let s = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => match &*r {
                        "amp" => "&".into(),
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        _ => String::new(),
                    },
                };
                st.push_text(&s);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    // Unclosed tables (a truncated part): keep what was read.
    while let Some(frame) = st.stack.pop() {
        if let Frame::Table { blocks, .. } = frame {
            st.doc.blocks.extend(blocks);
        }
    }
    crate::rows::tidy_rows(&mut st.doc.blocks);
    Ok(st.doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_or_mismatched_document_part_is_malformed_not_empty() {
        let cut = "<w:document><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>12</w:t>";
        let err = parse_document_xml(cut).expect_err("cut");
        assert!(
            err.to_string()
                .contains("ends inside <w:r> (7 element(s) left open)"),
            "{err}"
        );
        let mismatched = "<w:document><w:body><w:p></w:tbl></w:body></w:document>";
        let err = parse_document_xml(mismatched).expect_err("mismatched");
        assert!(err.to_string().contains("malformed"), "{err}");
    }

    fn rows(doc: &Document) -> Vec<String> {
        doc.outline()
    }

    #[test]
    fn merged_cells_become_logical_cells() {
        let xml = r#"<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>标题 &amp; 说明</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>三、本年度</w:t></w:r></w:p><w:p><w:r><w:t>办理结果</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>5</w:t></w:r></w:p></w:tc></w:tr>
            <w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:r><w:t>6</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
            </w:body></w:document>"#;
        let doc = parse_document_xml(xml).unwrap();
        assert_eq!(
            rows(&doc),
            vec!["LINE 标题 & 说明", "三、本年度办理结果 | 5", "6"]
        );
        let Block::Row { cells } = &doc.blocks[2] else {
            panic!()
        };
        assert_eq!(
            cells[0].loc,
            Loc::Table {
                table: 1,
                row: 2,
                col: 3
            }
        );
    }

    /// A `vMerge` continuation of a value cell repeats the value, with the location of the
    /// cell that restarts the merge; a continued label is omitted.
    #[test]
    fn vertically_merged_values_repeat_with_their_location() {
        let tc = |merge: &str, text: &str| {
            let pr = match merge {
                "" => String::new(),
                m => format!("<w:tcPr><w:vMerge w:val=\"{m}\"/></w:tcPr>"),
            };
            format!("<w:tc>{pr}<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>")
        };
        let xml = format!(
            "<w:document xmlns:w=\"w\"><w:body><w:tbl><w:tr>{}{}{}{}</w:tr><w:tr>{}{}{}{}</w:tr>\
             <w:tr>{}{}{}{}</w:tr></w:tbl></w:body></w:document>",
            tc("restart", "（六）其他处理"),
            tc("", "1.甲"),
            tc("restart", "12"),
            tc("", "5"),
            tc("continue", ""),
            tc("", "2.乙"),
            tc("continue", ""),
            tc("", "6"),
            tc("continue", ""),
            tc("", "3.其他"),
            tc("", "7"),
            tc("", "8"),
        );
        let doc = parse_document_xml(&xml).unwrap();
        assert_eq!(
            rows(&doc),
            vec![
                "（六）其他处理 | 1.甲 | 12 | 5",
                "2.乙 | 12 | 6",
                "3.其他 | 7 | 8"
            ]
        );
        let Block::Row { cells } = &doc.blocks[1] else {
            panic!()
        };
        let origin = Loc::Table {
            table: 1,
            row: 1,
            col: 3,
        };
        assert_eq!(cells[1].loc, origin);
    }

    #[test]
    fn nested_table_rows_are_emitted_in_order() {
        let xml = r#"<w:document xmlns:w="w"><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>前言</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>规章</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
            <w:p><w:r><w:t>后记</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>"#;
        let doc = parse_document_xml(xml).unwrap();
        assert_eq!(rows(&doc), vec!["LINE 前言", "规章 | 1", "LINE 后记"]);
    }

    #[test]
    fn word_2003_xml_reads_like_a_docx_body() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?><?mso-application progid="Word.Document"?>
            <w:wordDocument xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml" xmlns:o="urn:schemas-microsoft-com:office:office">
            <o:DocumentProperties><o:Title>某县2020年报告</o:Title></o:DocumentProperties><w:body><wx:sect xmlns:wx="wx">
            <w:p><w:r><w:t>三、收到和处理政府信息公开申请情况</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:tcPr><w:vmerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>三、本年度办理结果</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>（一）予以公开</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>4</w:t></w:r></w:p></w:tc></w:tr>
            <w:tr><w:tc><w:tcPr><w:vmerge/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:r><w:t>（二）部分公开</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc></w:tr></w:tbl>
            </wx:sect></w:body></w:wordDocument>"#;
        let doc = read_wordml(xml.as_bytes()).unwrap();
        assert_eq!(
            rows(&doc),
            vec![
                "LINE 三、收到和处理政府信息公开申请情况",
                "三、本年度办理结果 | （一）予以公开 | 4",
                "（二）部分公开 | "
            ]
        );
        assert_eq!(doc.title.as_deref(), Some("某县2020年报告"));
        // A cut or malformed body is named, as for a DOCX (issue 17), never read as far as it goes.
        assert!(read_wordml(b"<w:wordDocument><w:body><w:p>").is_err());
        assert!(read_wordml(b"<w:wordDocument></w:x></y>").is_err());
    }

    #[test]
    fn tracked_deletions_are_not_text() {
        let xml = r#"<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>保留</w:t></w:r><w:del><w:r><w:delText>删</w:delText><w:t>删</w:t></w:r></w:del><w:ins><w:r><w:t>插入</w:t></w:r></w:ins></w:p></w:body></w:document>"#;
        assert_eq!(
            rows(&parse_document_xml(xml).unwrap()),
            vec!["LINE 保留插入"]
        );
    }

    #[test]
    fn fallback_content_is_not_duplicated_and_tab_stops_are_not_text() {
        let xml = r#"<w:document xmlns:w="w" xmlns:mc="mc"><w:body><w:p><w:pPr><w:tabs><w:tab w:val="left"/></w:tabs></w:pPr>
            <mc:AlternateContent><mc:Choice><w:r><w:t>甲</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>甲</w:t></w:r></mc:Fallback></mc:AlternateContent>
            <w:r><w:tab/><w:t>乙</w:t></w:r></w:p></w:body></w:document>"#;
        assert_eq!(rows(&parse_document_xml(xml).unwrap()), vec!["LINE 甲 乙"]);
    }
}
