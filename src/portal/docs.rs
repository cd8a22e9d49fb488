//! Report documents as portals publish them, written from scratch: PDFs with a text layer in CID
//! fonts that are named but not embedded (STSong-Light in UniGB-UCS2-H and GBK-EUC-H, as Word
//! and WPS exports do), Identity-H with ToUnicode, Helvetica; scans (an image per page, no text);
//! and DOCX archives (zip + WordprocessingML, merged cells as `gridSpan`/`vMerge`).
//!
//! Two levels: the primitives ([`Page`], [`pdf`], [`docx`] and the `w:` markup helpers), which
//! the tests use to build fixtures cell by cell, and [`Layout`] (headings, paragraphs and tables
//! as HTML-style grids of spanning cells) → [`render_pdf`] / [`render_docx`], which the demo
//! portal uses to publish a report as an attachment. Pure: bytes out, deterministic (no clock,
//! no random ids), so a recording is reproducible.

use std::io::Write;

use lopdf::{dictionary, Object, Stream};
use serde::Deserialize;

/// Why a document could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error("cannot write the PDF: {0}")]
    Pdf(#[from] lopdf::Error),
    #[error("cannot write the DOCX archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("cannot write the DOCX archive: {0}")]
    Io(#[from] std::io::Error),
}

// ---------------------------------------------------------------- DOCX primitives

/// Text as XML character data or a quoted attribute value.
fn xml_escape(s: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(s)
}

/// A DOCX archive around a `w:body` fragment, with `title` in its core properties.
pub fn docx(body: &str, title: &str) -> Result<Vec<u8>, DocError> {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let core = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{}</dc:title></cp:coreProperties>"#,
        xml_escape(title)
    );
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#.to_string(),
        ),
        ("word/document.xml", document),
        ("docProps/core.xml", core),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // A fixed timestamp: the archive's bytes must not depend on the clock.
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, text) in parts {
        zip.start_file(name, opts)?;
        zip.write_all(text.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

/// A paragraph (`text` is escaped).
pub fn p(text: &str) -> String {
    format!(
        "<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
        xml_escape(text)
    )
}

/// A table cell: `span` grid columns, `vmerge` "" (none), "restart" or "continue", and
/// paragraphs.
pub fn tc(span: u32, vmerge: &str, paras: &[&str]) -> String {
    let mut pr = String::new();
    if span > 1 {
        pr.push_str(&format!("<w:gridSpan w:val=\"{span}\"/>"));
    }
    match vmerge {
        "restart" => pr.push_str("<w:vMerge w:val=\"restart\"/>"),
        "continue" => pr.push_str("<w:vMerge/>"),
        _ => {}
    }
    let body: String = if paras.is_empty() {
        "<w:p/>".to_string()
    } else {
        paras.iter().map(|t| p(t)).collect()
    };
    format!("<w:tc><w:tcPr>{pr}</w:tcPr>{body}</w:tc>")
}

/// A table row of cells.
pub fn tr(cells: &[String]) -> String {
    format!("<w:tr>{}</w:tr>", cells.concat())
}

/// A table of rows.
pub fn tbl(rows: &[String]) -> String {
    format!("<w:tbl><w:tblGrid/>{}</w:tbl>", rows.concat())
}

// ---------------------------------------------------------------- PDF primitives

/// A font of the written PDFs and how to encode text for it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PdfFont {
    /// Type0, UniGB-UCS2-H (STSong-Light, not embedded).
    Ucs2,
    /// Type0, GBK-EUC-H.
    Gbk,
    /// Type0, Identity-H with a ToUnicode CMap (codes are indexes into [`IDENTITY_CHARS`]).
    Identity,
    /// Helvetica, WinAnsiEncoding.
    Helvetica,
    /// Type0, UniGB-UCS2-V: vertical writing, each glyph below the previous one.
    Ucs2Vertical,
    /// Type0, Identity-H without ToUnicode, with an embedded TrueType program whose `cmap`
    /// maps the characters of [`IDENTITY_CHARS`] to glyphs 1, 2, … (CIDToGIDMap Identity).
    IdentityTrueType,
    /// Type0, Identity-H without ToUnicode and without a font program: unreadable.
    IdentityBare,
}

impl PdfFont {
    fn name(self) -> &'static str {
        match self {
            PdfFont::Ucs2 => "F1",
            PdfFont::Gbk => "F2",
            PdfFont::Identity => "F3",
            PdfFont::Helvetica => "F4",
            PdfFont::Ucs2Vertical => "F5",
            PdfFont::IdentityTrueType => "F6",
            PdfFont::IdentityBare => "F7",
        }
    }

    /// `text` as a hex string in this font's encoding. A character the font cannot show
    /// becomes code 0 (`.notdef`) in the Identity fonts and `?` in the others.
    fn encode(self, text: &str) -> String {
        let bytes: Vec<u8> = match self {
            PdfFont::Ucs2 | PdfFont::Ucs2Vertical => {
                text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect()
            }
            PdfFont::Gbk => encoding_rs::GBK.encode(text).0.into_owned(),
            PdfFont::Identity | PdfFont::IdentityTrueType | PdfFont::IdentityBare => text
                .chars()
                .flat_map(|c| {
                    IDENTITY_CHARS
                        .chars()
                        .position(|k| k == c)
                        .and_then(|i| u16::try_from(i + 1).ok())
                        .unwrap_or(0)
                        .to_be_bytes()
                })
                .collect(),
            PdfFont::Helvetica => text
                .chars()
                .map(|c| u8::try_from(c).unwrap_or(b'?'))
                .collect(),
        };
        let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
        format!("<{hex}>")
    }

    /// Advance of `text` at `size` points: CID fonts are monospaced at 1 em (their `DW`),
    /// Helvetica uses its metrics (digits are 0.556 em).
    pub fn width(self, text: &str, size: f64) -> f64 {
        match self {
            PdfFont::Helvetica => text.chars().map(helvetica_width).sum::<f64>() * size,
            _ => text.chars().count() as f64 * size,
        }
    }
}

/// Helvetica advance widths (em) of the characters a value cell prints.
fn helvetica_width(c: char) -> f64 {
    match c {
        ',' | '.' | ' ' | '/' => 0.278,
        '-' => 0.333,
        '+' => 0.584,
        '%' => 0.889,
        _ => 0.556,
    }
}

/// The characters the Identity-H fonts can show (CID = index + 1).
pub const IDENTITY_CHARS: &str = "三、本年度办理结果四结转下继续";

/// Content-stream text for a page, with helpers that place text and rulings.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub content: String,
    /// Draw no rulings (a table laid out by spacing only).
    pub unruled: bool,
}

impl Page {
    /// Shows `text` at baseline (x, y).
    pub fn text(&mut self, font: PdfFont, size: f64, x: f64, y: f64, text: &str) {
        self.content.push_str(&format!(
            "BT /{} {size} Tf 1 0 0 1 {} {} Tm {} Tj ET\n",
            font.name(),
            num(x),
            num(y),
            font.encode(text)
        ));
    }

    /// Strokes the border of a rectangle (lower-left x, y, width, height).
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64) {
        if self.unruled {
            return;
        }
        self.content.push_str(&format!(
            "0.5 w {} {} {} {} re S\n",
            num(x),
            num(y),
            num(w),
            num(h)
        ));
    }

    /// A line drawn as a thin filled rectangle, as some producers do.
    pub fn hline_filled(&mut self, x0: f64, x1: f64, y: f64) {
        if self.unruled {
            return;
        }
        self.content.push_str(&format!(
            "{} {} {} 0.6 re f\n",
            num(x0),
            num(y - 0.3),
            num(x1 - x0)
        ));
    }
}

/// A coordinate as the content stream prints it: at most two decimals, no trailing zeros.
fn num(v: f64) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

fn to_unicode_cmap() -> Vec<u8> {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CMapName /Fixture-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let chars: Vec<char> = IDENTITY_CHARS.chars().collect();
    s.push_str(&format!("{} beginbfchar\n", chars.len()));
    for (i, c) in chars.iter().enumerate() {
        s.push_str(&format!("<{:04X}> <{:04X}>\n", i + 1, *c as u32));
    }
    s.push_str("endbfchar\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s.into_bytes()
}

/// A TrueType program holding only a format-12 `cmap` that maps `chars[i]` to glyph `i + 1`.
fn truetype_font(chars: &str) -> Vec<u8> {
    let n = u32::try_from(chars.chars().count()).unwrap_or(0);
    let mut cmap: Vec<u8> = vec![0, 0, 0, 1, 0, 3, 0, 10, 0, 0, 0, 12];
    for v in [12u16, 0] {
        cmap.extend_from_slice(&v.to_be_bytes());
    }
    for v in [16 + 12 * n, 0, n] {
        cmap.extend_from_slice(&v.to_be_bytes());
    }
    for (i, c) in (1u32..).zip(chars.chars()) {
        for v in [c as u32, c as u32, i] {
            cmap.extend_from_slice(&v.to_be_bytes());
        }
    }
    let mut font = vec![0, 1, 0, 0, 0, 1, 0, 16, 0, 0, 0, 0];
    font.extend_from_slice(b"cmap");
    let len = u32::try_from(cmap.len()).unwrap_or(0);
    for v in [0u32, 28, len] {
        font.extend_from_slice(&v.to_be_bytes());
    }
    font.extend_from_slice(&cmap);
    font
}

/// Writes a PDF of A4 pages with the [`PdfFont`]s; `image_only` paints an image instead of
/// each page's content (a scan). `title` goes into the document information.
pub fn pdf(pages: &[Page], image_only: bool, title: &str) -> Result<Vec<u8>, DocError> {
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let cid_font = |doc: &mut lopdf::Document, base: &str| {
        let descriptor = doc.add_object(dictionary! {
            "Type" => "FontDescriptor", "FontName" => Object::Name(base.as_bytes().to_vec()), "Flags" => 6,
            "FontBBox" => vec![0.into(), (-200).into(), 1000.into(), 900.into()], "ItalicAngle" => 0,
            "Ascent" => 880, "Descent" => -120, "CapHeight" => 700, "StemV" => 80,
        });
        doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "CIDFontType0", "BaseFont" => Object::Name(base.as_bytes().to_vec()),
            "CIDSystemInfo" => dictionary! { "Registry" => Object::string_literal("Adobe"), "Ordering" => Object::string_literal("GB1"), "Supplement" => 2 },
            "FontDescriptor" => descriptor, "DW" => 1000,
        })
    };
    let d1 = cid_font(&mut doc, "STSong-Light");
    let f1 = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "STSong-Light-UniGB-UCS2-H",
        "Encoding" => "UniGB-UCS2-H", "DescendantFonts" => vec![d1.into()],
    });
    let d2 = cid_font(&mut doc, "STSong-Light");
    let f2 = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "STSong-Light-GBK-EUC-H",
        "Encoding" => "GBK-EUC-H", "DescendantFonts" => vec![d2.into()],
    });
    let d3 = cid_font(&mut doc, "FixtureSong");
    let tu = doc.add_object(Stream::new(dictionary! {}, to_unicode_cmap()));
    let f3 = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "FixtureSong", "Encoding" => "Identity-H",
        "DescendantFonts" => vec![d3.into()], "ToUnicode" => tu,
    });
    let f4 = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let d5 = cid_font(&mut doc, "STSong-Light");
    let f5 = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "STSong-Light-UniGB-UCS2-V",
        "Encoding" => "UniGB-UCS2-V", "DescendantFonts" => vec![d5.into()],
    });
    let program = doc.add_object(Stream::new(dictionary! {}, truetype_font(IDENTITY_CHARS)));
    let descriptor = doc.add_object(dictionary! {
        "Type" => "FontDescriptor", "FontName" => "FixtureTT", "Flags" => 4,
        "FontBBox" => vec![0.into(), (-200).into(), 1000.into(), 900.into()], "ItalicAngle" => 0,
        "Ascent" => 880, "Descent" => -120, "CapHeight" => 700, "StemV" => 80, "FontFile2" => program,
    });
    let d6 = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "FixtureTT",
        "CIDSystemInfo" => dictionary! { "Registry" => Object::string_literal("Adobe"), "Ordering" => Object::string_literal("Identity"), "Supplement" => 0 },
        "FontDescriptor" => descriptor, "CIDToGIDMap" => "Identity",
    });
    let f6 = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "FixtureTT", "Encoding" => "Identity-H",
        "DescendantFonts" => vec![d6.into()],
    });
    let d7 = cid_font(&mut doc, "FixtureBare");
    let f7 = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "FixtureBare", "Encoding" => "Identity-H",
        "DescendantFonts" => vec![d7.into()],
    });
    let image = doc.add_object(Stream::new(
        dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 2, "Height" => 2, "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8 },
        vec![0, 255, 255, 0],
    ));
    let resources = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => f1, "F2" => f2, "F3" => f3, "F4" => f4, "F5" => f5, "F6" => f6, "F7" => f7 },
        "XObject" => dictionary! { "Im1" => image },
    });
    let mut kids = Vec::new();
    for page in pages {
        let content = if image_only {
            "q 595 0 0 842 0 0 cm /Im1 Do Q\n".to_string()
        } else {
            page.content.clone()
        };
        let mut stream = Stream::new(dictionary! {}, content.into_bytes());
        let _ = stream.compress();
        let content_id = doc.add_object(stream);
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        kids.push(Object::from(page_id));
    }
    let count = i64::try_from(kids.len()).unwrap_or(i64::MAX);
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let info = doc.add_object(dictionary! { "Title" => Object::String(utf16_text(title), lopdf::StringFormat::Hexadecimal) });
    doc.trailer.set("Info", info);
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
}

/// A PDF text string: ASCII as is, anything else as UTF-16BE with a byte-order mark.
fn utf16_text(s: &str) -> Vec<u8> {
    if s.is_ascii() {
        return s.as_bytes().to_vec();
    }
    let mut out = vec![0xFE, 0xFF];
    out.extend(s.encode_utf16().flat_map(|u| u.to_be_bytes()));
    out
}

// ---------------------------------------------------------------- Layout

/// A document to publish: a title, then headings, paragraphs and tables in reading order.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Layout {
    pub title: String,
    pub blocks: Vec<Block>,
}

/// One block of a [`Layout`].
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Block {
    /// A section heading (`二、主动公开政府信息情况`).
    Heading(String),
    /// Running text, wrapped to the page width.
    Para(String),
    /// A table as HTML writes it: each row lists the cells that start in it.
    Table(Vec<Vec<GridCell>>),
}

/// A table cell: its printed text, spans, and whether it is a header (centred).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct GridCell {
    #[serde(rename = "t")]
    pub text: String,
    #[serde(rename = "cs", default = "one")]
    pub colspan: usize,
    #[serde(rename = "rs", default = "one")]
    pub rowspan: usize,
    #[serde(rename = "h", default)]
    pub header: bool,
}

fn one() -> usize {
    1
}

/// A cell of a table placed on its grid.
#[derive(Debug, Clone)]
struct Placed<'a> {
    cell: &'a GridCell,
    row: usize,
    col: usize,
    rows: usize,
    cols: usize,
}

/// Largest span honoured (a hostile layout cannot make the grid huge).
const MAX_SPAN: usize = 64;

/// HTML table placement: each cell takes the first free column of its row, and its spans
/// reserve the slots below and to the right. Returns the cells and the grid width.
fn place(rows: &[Vec<GridCell>]) -> (Vec<Placed<'_>>, usize) {
    let mut taken: Vec<Vec<bool>> = Vec::new();
    let mut out = Vec::new();
    let mut width = 0;
    for (r, row) in rows.iter().enumerate() {
        let mut c = 0;
        for cell in row {
            let (rs, cs) = (
                cell.rowspan.clamp(1, MAX_SPAN),
                cell.colspan.clamp(1, MAX_SPAN),
            );
            while taken
                .get(r)
                .and_then(|t| t.get(c))
                .copied()
                .unwrap_or(false)
            {
                c += 1;
            }
            for rr in r..(r + rs).min(rows.len()) {
                if taken.len() <= rr {
                    taken.resize(rr + 1, Vec::new());
                }
                if taken[rr].len() < c + cs {
                    taken[rr].resize(c + cs, false);
                }
                for slot in &mut taken[rr][c..c + cs] {
                    *slot = true;
                }
            }
            out.push(Placed {
                cell,
                row: r,
                col: c,
                rows: rs.min(rows.len() - r),
                cols: cs,
            });
            c += cs;
            width = width.max(c);
        }
    }
    (out, width)
}

/// Page geometry of [`render_pdf`] (points, A4).
const LEFT: f64 = 50.0;
const RIGHT: f64 = 545.0;
const TOP: f64 = 790.0;
const BOTTOM: f64 = 60.0;
const TEXT_SIZE: f64 = 10.5;
const TEXT_LEAD: f64 = 17.0;
const CELL_SIZE: f64 = 7.5;
const CELL_LEAD: f64 = 9.5;
const CELL_PAD: f64 = 2.5;

/// The font a text is shown in: Helvetica for plain ASCII (figures), else STSong-Light.
fn font_for(text: &str) -> PdfFont {
    if text.is_ascii() {
        PdfFont::Helvetica
    } else {
        PdfFont::Ucs2
    }
}

/// `text` cut into lines no wider than `width` at `size` (CJK text breaks anywhere; a plain
/// ASCII figure is never broken).
fn wrap(text: &str, width: f64, size: f64) -> Vec<String> {
    let font = font_for(text);
    if font == PdfFont::Helvetica || font.width(text, size) <= width {
        return vec![text.to_string()];
    }
    let per_line = ((width / size).floor() as usize).max(1);
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(per_line).map(|c| c.iter().collect()).collect()
}

/// Writes pages top to bottom, starting a new page when one is full.
struct Writer {
    pages: Vec<Page>,
    page: Page,
    y: f64,
    unruled: bool,
}

impl Writer {
    fn new(unruled: bool) -> Writer {
        Writer {
            pages: Vec::new(),
            page: Page {
                unruled,
                ..Page::default()
            },
            y: TOP,
            unruled,
        }
    }

    fn new_page(&mut self) {
        let n = self.pages.len() + 1;
        let mut page = std::mem::replace(
            &mut self.page,
            Page {
                unruled: self.unruled,
                ..Page::default()
            },
        );
        let foot = format!("- {n} -");
        let w = PdfFont::Helvetica.width(&foot, 9.0);
        page.text(PdfFont::Helvetica, 9.0, (595.0 - w) / 2.0, 35.0, &foot);
        self.pages.push(page);
        self.y = TOP;
    }

    /// Makes room for `h` points, on a new page if needed.
    fn room(&mut self, h: f64) {
        if self.y - h < BOTTOM && self.y < TOP {
            self.new_page();
        }
    }

    fn lines(&mut self, text: &str, font: PdfFont, size: f64, lead: f64, centred: bool) {
        let indent = if centred { 0.0 } else { 2.0 * size };
        let first = wrap(text, RIGHT - LEFT - indent, size);
        let mut lines = first.into_iter();
        // Only the first line is indented; the rest use the full width.
        let Some(head) = lines.next() else {
            return;
        };
        let rest: String = lines.collect();
        let mut all = vec![(head, indent)];
        all.extend(
            wrap(&rest, RIGHT - LEFT, size)
                .into_iter()
                .filter(|l| !l.is_empty())
                .map(|l| (l, 0.0)),
        );
        for (line, indent) in all {
            self.room(lead);
            let x = if centred {
                (LEFT + RIGHT - font.width(&line, size)) / 2.0
            } else {
                LEFT + indent
            };
            self.page.text(font, size, x, self.y - size, &line);
            self.y -= lead;
        }
    }

    fn table(&mut self, rows: &[Vec<GridCell>]) {
        let (cells, width) = place(rows);
        if width == 0 {
            return;
        }
        let cols = column_widths(&cells, width);
        let xs: Vec<f64> = std::iter::once(LEFT)
            .chain(cols.iter().scan(LEFT, |x, w| {
                *x += w;
                Some(*x)
            }))
            .collect();
        let span_width = |c: &Placed| xs[c.col + c.cols] - xs[c.col] - 2.0 * CELL_PAD;
        let need = |c: &Placed| {
            wrap(&c.cell.text, span_width(c), CELL_SIZE).len() as f64 * CELL_LEAD + 2.0 * CELL_PAD
        };
        // Row heights: each row fits its one-row cells; a taller spanning cell grows its last row.
        let mut heights = vec![CELL_LEAD + 2.0 * CELL_PAD; rows.len()];
        for c in cells.iter().filter(|c| c.rows == 1) {
            heights[c.row] = heights[c.row].max(need(c));
        }
        for c in cells.iter().filter(|c| c.rows > 1) {
            let have: f64 = heights[c.row..c.row + c.rows].iter().sum();
            if have < need(c) {
                heights[c.row + c.rows - 1] += need(c) - have;
            }
        }
        // Top edge of every row, page by page; a cell is drawn in one box per page it spans.
        let mut tops: Vec<(usize, f64)> = Vec::with_capacity(rows.len());
        for (r, h) in heights.iter().enumerate() {
            let starts_here = cells.iter().filter(|c| c.row == r && c.rows > 1);
            let first_part = starts_here
                .map(|c| need(c).min(heights[r..r + c.rows].iter().sum()))
                .fold(*h, f64::max);
            if self.y - first_part < BOTTOM {
                self.new_page();
            }
            tops.push((self.pages.len(), self.y));
            self.y -= h;
        }
        let mut pages: Vec<Page> = Vec::new();
        for c in &cells {
            let mut r = c.row;
            let mut first = true;
            while r < c.row + c.rows {
                let (page, top) = tops[r];
                let mut end = r;
                while end + 1 < c.row + c.rows && tops[end + 1].0 == page {
                    end += 1;
                }
                let bottom = tops[end].1 - heights[end];
                let (x0, x1) = (xs[c.col], xs[c.col + c.cols]);
                let text = if first { c.cell.text.as_str() } else { "" };
                let target = if page == self.pages.len() {
                    &mut self.page
                } else {
                    if pages.len() <= page {
                        pages.resize(page + 1, Page::default());
                    }
                    &mut pages[page]
                };
                draw_cell(target, c.cell, text, (x0, bottom, x1, top), self.unruled);
                first = false;
                r = end + 1;
            }
        }
        // Earlier pages of this table were already closed: append what was drawn on them.
        for (i, extra) in pages.into_iter().enumerate() {
            if let Some(done) = self.pages.get_mut(i) {
                done.content.push_str(&extra.content);
            }
        }
        self.y -= 6.0;
    }

    fn finish(mut self) -> Vec<Page> {
        self.new_page();
        self.pages
    }
}

/// Column widths that fit the page: each column as wide as its widest one-column cell
/// (headers count half, since they wrap), at least 22 points, then scaled to the text width.
fn column_widths(cells: &[Placed], width: usize) -> Vec<f64> {
    let mut want = vec![22.0_f64; width];
    for c in cells.iter().filter(|c| c.cols == 1) {
        let w = font_for(&c.cell.text).width(&c.cell.text, CELL_SIZE) + 2.0 * CELL_PAD;
        let w = if c.cell.header { w / 2.0 } else { w };
        want[c.col] = want[c.col].max(w.min(150.0));
    }
    let total: f64 = want.iter().sum();
    want.iter().map(|w| w * (RIGHT - LEFT) / total).collect()
}

/// Rulings and text of one box of a cell (x0, y0 bottom, x1, y1 top); labels left-aligned,
/// headers and figures centred. A ruled table centres text vertically; an unruled one aligns it
/// to the top, so that a figure shares the baseline of the first line of its wrapped label (as
/// a table laid out with tabs and spaces prints it).
fn draw_cell(page: &mut Page, cell: &GridCell, text: &str, b: (f64, f64, f64, f64), unruled: bool) {
    let (x0, y0, x1, y1) = b;
    if !unruled {
        page.rect(x0, y0, x1 - x0, y1 - y0);
    }
    if text.is_empty() {
        return;
    }
    let lines = wrap(text, x1 - x0 - 2.0 * CELL_PAD, CELL_SIZE);
    let block = lines.len() as f64 * CELL_LEAD;
    let slack = if unruled {
        0.0
    } else {
        ((y1 - y0) - block).max(0.0) / 2.0
    };
    let mut y = y1 - slack - CELL_SIZE - 1.0;
    let centred = cell.header || text.is_ascii();
    for line in &lines {
        let font = font_for(line);
        let x = if centred {
            x0 + ((x1 - x0) - font.width(line, CELL_SIZE)) / 2.0
        } else {
            x0 + CELL_PAD
        };
        page.text(font, CELL_SIZE, x, y, line);
        y -= CELL_LEAD;
    }
}

/// How [`render_pdf`] draws tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rulings {
    /// Every cell boxed.
    Ruled,
    /// No lines at all: columns are told apart by spacing only.
    Unruled,
}

/// A [`Layout`] as a text-layer PDF: the title centred in STSong-Light, headings in GBK-EUC-H,
/// paragraphs wrapped, tables boxed (or not) with spanning cells and rows carried over page
/// breaks (a spanning cell cut by a break continues as an empty box), page numbers at the foot.
pub fn render_pdf(layout: &Layout, rulings: Rulings) -> Result<Vec<u8>, DocError> {
    let mut w = Writer::new(rulings == Rulings::Unruled);
    w.lines(&layout.title, PdfFont::Ucs2, 15.0, 26.0, true);
    for block in &layout.blocks {
        match block {
            Block::Heading(t) => w.lines(t, PdfFont::Gbk, TEXT_SIZE, TEXT_LEAD, false),
            Block::Para(t) => w.lines(t, PdfFont::Ucs2, TEXT_SIZE, TEXT_LEAD, false),
            Block::Table(rows) => w.table(rows),
        }
    }
    pdf(&w.finish(), false, &layout.title)
}

/// A scan of a report: `pages` pages that each paint an image and carry no text at all.
pub fn render_scan(pages: usize, title: &str) -> Result<Vec<u8>, DocError> {
    pdf(&vec![Page::default(); pages.max(1)], true, title)
}

/// A [`Layout`] as a DOCX: headings and paragraphs as `w:p`, tables with `gridSpan` for column
/// spans and `vMerge` restart/continue cells for row spans, as Word saves merged cells.
pub fn render_docx(layout: &Layout) -> Result<Vec<u8>, DocError> {
    let mut body = p(&layout.title);
    for block in &layout.blocks {
        match block {
            Block::Heading(t) | Block::Para(t) => body.push_str(&p(t)),
            Block::Table(rows) => body.push_str(&docx_table(rows)),
        }
    }
    docx(&body, &layout.title)
}

fn docx_table(rows: &[Vec<GridCell>]) -> String {
    let (cells, width) = place(rows);
    let mut out = Vec::new();
    for r in 0..rows.len() {
        let mut tcs = Vec::new();
        let mut c = 0;
        while c < width {
            let owner = cells
                .iter()
                .find(|p| p.col == c && p.row <= r && r < p.row + p.rows);
            match owner {
                Some(p) if p.row == r => {
                    let merge = if p.rows > 1 { "restart" } else { "" };
                    let span = u32::try_from(p.cols).unwrap_or(1);
                    let paras: Vec<&str> = if p.cell.text.is_empty() {
                        Vec::new()
                    } else {
                        vec![p.cell.text.as_str()]
                    };
                    tcs.push(tc(span, merge, &paras));
                    c += p.cols;
                }
                Some(p) => {
                    tcs.push(tc(u32::try_from(p.cols).unwrap_or(1), "continue", &[]));
                    c += p.cols;
                }
                None => {
                    // A short row: nothing more to write unless a cell further right covers it.
                    let covered_later = cells
                        .iter()
                        .any(|p| p.col > c && p.row <= r && r < p.row + p.rows);
                    if !covered_later {
                        break;
                    }
                    tcs.push(tc(1, "", &[]));
                    c += 1;
                }
            }
        }
        out.push(tr(&tcs));
    }
    tbl(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(t: &str, cs: usize, rs: usize) -> GridCell {
        GridCell {
            text: t.into(),
            colspan: cs,
            rowspan: rs,
            header: false,
        }
    }

    #[test]
    fn cells_are_placed_around_row_spans() {
        let rows = vec![
            vec![cell("a", 1, 2), cell("b", 2, 1)],
            vec![cell("c", 1, 1), cell("d", 1, 1)],
        ];
        let (placed, width) = place(&rows);
        assert_eq!(width, 3);
        let at: Vec<(usize, usize)> = placed.iter().map(|p| (p.row, p.col)).collect();
        assert_eq!(at, [(0, 0), (0, 1), (1, 1), (1, 2)]);
        let xml = docx_table(&rows);
        assert_eq!(xml.matches("<w:vMerge/>").count(), 1, "{xml}");
        assert_eq!(xml.matches("<w:gridSpan w:val=\"2\"/>").count(), 1);
    }

    #[test]
    fn long_labels_wrap_and_figures_do_not() {
        assert_eq!(wrap("一二三四五六", 3.0 * 7.5, 7.5), ["一二三", "四五六"]);
        assert_eq!(wrap("1,234,567", 5.0, 7.5), ["1,234,567"]);
    }

    #[test]
    fn rendering_is_deterministic() {
        let layout = Layout {
            title: "某市2023年政府信息公开工作年度报告".into(),
            blocks: vec![
                Block::Heading("三、收到和处理政府信息公开申请情况".into()),
                Block::Table(vec![vec![cell("一、本年新收", 1, 1), cell("12", 1, 1)]]),
            ],
        };
        let a = render_pdf(&layout, Rulings::Ruled).expect("pdf");
        assert_eq!(a, render_pdf(&layout, Rulings::Ruled).expect("pdf"));
        assert!(a.starts_with(b"%PDF-1.5"));
        let d = render_docx(&layout).expect("docx");
        assert_eq!(d, render_docx(&layout).expect("docx"));
        assert_eq!(
            crate::parse::sniff::sniff(&d),
            crate::parse::sniff::Format::Docx
        );
    }
}
