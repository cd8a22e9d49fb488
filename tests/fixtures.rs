//! Self-made test inputs, built in code so that nothing binary needs checking in: a DOCX with
//! merged and nested cells (zip + XML strings), PDFs written with lopdf (a ruled table 三 over
//! two pages in UniGB-UCS2-H, GBK-EUC-H and Identity-H/ToUnicode fonts; a scan-only page), and
//! an OLE header.

use std::io::Write;

use lopdf::{dictionary, Object, Stream};

/// A few bytes of an OLE compound file (.doc/.wps): the header magic and padding.
pub fn ole_doc() -> Vec<u8> {
    let mut b = nianbao::parse::sniff::OLE_MAGIC.to_vec();
    b.resize(512, 0);
    b
}

// ---------------------------------------------------------------- DOCX

/// A DOCX archive around a `w:body` fragment.
pub fn docx(body: &str) -> Vec<u8> {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
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
        (
            "docProps/core.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>某县2024年政府信息公开工作年度报告 &amp; 附表</dc:title></cp:coreProperties>"#.to_string(),
        ),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in parts {
        zip.start_file(name, opts).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A paragraph.
pub fn p(text: &str) -> String {
    format!("<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>")
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

pub fn tr(cells: &[String]) -> String {
    format!("<w:tr>{}</w:tr>", cells.concat())
}

pub fn tbl(rows: &[String]) -> String {
    format!("<w:tbl><w:tblGrid/>{}</w:tbl>", rows.concat())
}

/// Seven value cells.
pub fn values(v: [&str; 7]) -> Vec<String> {
    v.iter()
        .map(|t| {
            tc(
                1,
                "",
                if t.is_empty() {
                    &[]
                } else {
                    std::slice::from_ref(t)
                },
            )
        })
        .collect()
}

/// A table 三 excerpt with the template's merges: 三、本年度办理结果 as a vMerge cell over its
/// rows, （三）不予公开 over its items, a label wrapped over two paragraphs, top-level rows
/// spanning the three label columns; table 四 nested inside a one-cell layout table.
pub fn docx_table3() -> Vec<u8> {
    let row = |label: Vec<String>, v: [&str; 7]| {
        let mut cells = label;
        cells.extend(values(v));
        tr(&cells)
    };
    let t3 = tbl(&[
        tr(&[
            tc(
                3,
                "",
                &["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"],
            ),
            tc(7, "", &["申请人情况"]),
        ]),
        row(
            vec![tc(3, "", &["一、本年新收政府信息公开申请数量"])],
            ["10", "1", "0", "0", "0", "0", "11"],
        ),
        row(
            vec![
                tc(1, "restart", &["三、本年度", "办理结果"]),
                tc(2, "", &["（一）予以公开"]),
            ],
            ["4", "0", "0", "0", "0", "0", "4"],
        ),
        row(
            vec![
                tc(1, "continue", &[]),
                tc(1, "restart", &["（三）不予公开"]),
                tc(1, "", &["1.属于国家秘密"]),
            ],
            ["1", "", "", "", "", "", "1"],
        ),
        row(
            vec![
                tc(1, "continue", &[]),
                tc(1, "continue", &[]),
                tc(1, "", &["2.其他法律行政法规", "禁止公开"]),
            ],
            ["0", "-", "—", "/", "无", "0", "0"],
        ),
        row(
            vec![tc(3, "", &["四、结转下年度继续办理"])],
            ["5", "1", "0", "0", "0", "0", "6"],
        ),
    ]);
    let t4_values: Vec<String> = (1..=15).map(|i| tc(1, "", &[&i.to_string()])).collect();
    let t4 = tbl(&[
        tr(&[tc(5, "", &["行政复议"]), tc(10, "", &["行政诉讼"])]),
        tr(&t4_values),
    ]);
    let layout = tbl(&[tr(&[format!(
        "<w:tc>{}{}{}</w:tc>",
        p("四、政府信息公开行政复议、行政诉讼情况"),
        t4,
        p("五、存在的主要问题及改进情况")
    )])]);
    docx(&format!(
        "{}{}{}",
        p("三、收到和处理政府信息公开申请情况"),
        t3,
        layout
    ))
}

// ---------------------------------------------------------------- PDF

/// A font of the fixture PDFs and how to encode text for it.
#[derive(Clone, Copy, PartialEq)]
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

    fn encode(self, text: &str) -> String {
        let bytes: Vec<u8> = match self {
            PdfFont::Ucs2 | PdfFont::Ucs2Vertical => {
                text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect()
            }
            PdfFont::Gbk => encoding_rs::GBK.encode(text).0.into_owned(),
            PdfFont::Identity | PdfFont::IdentityTrueType | PdfFont::IdentityBare => text
                .chars()
                .flat_map(|c| {
                    let i = IDENTITY_CHARS
                        .chars()
                        .position(|k| k == c)
                        .expect("char in IDENTITY_CHARS") as u16
                        + 1;
                    i.to_be_bytes()
                })
                .collect(),
            PdfFont::Helvetica => text.bytes().collect(),
        };
        let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
        format!("<{hex}>")
    }
}

/// The characters the Identity-H fixture font can show (CID = index + 1).
pub const IDENTITY_CHARS: &str = "三、本年度办理结果四结转下继续";

/// Content-stream text for a page, with helpers that place text and rulings.
#[derive(Default)]
pub struct Page {
    pub content: String,
    /// Draw no rulings (a table laid out by spacing only).
    pub unruled: bool,
}

impl Page {
    /// Shows `text` at baseline (x, y).
    pub fn text(&mut self, font: PdfFont, size: f64, x: f64, y: f64, text: &str) {
        self.content.push_str(&format!(
            "BT /{} {size} Tf 1 0 0 1 {x} {y} Tm {} Tj ET\n",
            font.name(),
            font.encode(text)
        ));
    }

    /// Strokes the border of a rectangle (lower-left x, y, width, height).
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64) {
        if self.unruled {
            return;
        }
        self.content
            .push_str(&format!("0.5 w {x} {y} {w} {h} re S\n"));
    }

    /// A line drawn as a thin filled rectangle, as some producers do.
    pub fn hline_filled(&mut self, x0: f64, x1: f64, y: f64) {
        if self.unruled {
            return;
        }
        self.content
            .push_str(&format!("{x0} {} {} 0.6 re f\n", y - 0.3, x1 - x0));
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

/// Writes a PDF of A4 pages with the fixture fonts; `image_only` adds an image XObject `/Im1`.
pub fn pdf(pages: &[Page], image_only: bool) -> Vec<u8> {
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
        let mut content = page.content.clone();
        if image_only {
            content = "q 595 0 0 842 0 0 cm /Im1 Do Q\n".to_string();
        }
        let mut stream = Stream::new(dictionary! {}, content.into_bytes());
        let _ = stream.compress();
        let content_id = doc.add_object(stream);
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        kids.push(Object::from(page_id));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let info = doc.add_object(dictionary! { "Title" => Object::string_literal("Fixture report") });
    doc.trailer.set("Info", info);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// Column edges of the fixture table 三: three label columns, then seven value columns.
pub const COLS: [f64; 11] = [
    50.0, 80.0, 150.0, 300.0, 335.0, 370.0, 405.0, 440.0, 475.0, 510.0, 545.0,
];
const ROW_H: f64 = 24.0;

/// Draws a logical cell spanning grid rows `r0..=r1` and columns `c0..=c1` of a table whose
/// top edge is `top`, and returns its box (x0, y0 bottom, x1, y1 top).
pub fn cell(
    page: &mut Page,
    top: f64,
    r0: usize,
    r1: usize,
    c0: usize,
    c1: usize,
) -> (f64, f64, f64, f64) {
    let (x0, x1) = (COLS[c0], COLS[c1 + 1]);
    let (y1, y0) = (top - r0 as f64 * ROW_H, top - (r1 + 1) as f64 * ROW_H);
    page.rect(x0, y0, x1 - x0, y1 - y0);
    (x0, y0, x1, y1)
}

/// Draws the seven value cells of grid row `r` (Helvetica; UCS-2 for `—` and `无`).
pub fn value_cells(page: &mut Page, top: f64, r: usize, v: [&str; 7]) {
    for (k, text) in v.iter().enumerate() {
        let (x0, y0, _, _) = cell(page, top, r, r, 3 + k, 3 + k);
        if !text.is_empty() {
            let font = if text.is_ascii() {
                PdfFont::Helvetica
            } else {
                PdfFont::Ucs2
            };
            page.text(font, 9.0, x0 + 8.0, y0 + 8.0, text);
        }
    }
}

/// A two-page report whose table 三 runs over the page break, with a running header on both
/// pages (its digits differ) and page numbers at the foot:
/// - page 1: title, heading, then rows 一 (spanning the label columns), 三、本年度办理结果
///   (stacked one character per line in a tall cell, Identity-H font) beside （一）予以公开,
///   （三）不予公开 over two items, a label wrapped over two lines (GBK-EUC-H font), a label
///   broken by a space; a page number "- 1 -" at the foot;
/// - page 2: the rest of the table with an empty continuation cell in column 1, then a
///   heading and a table 四 data row printed without rulings.
pub fn pdf_table3() -> Vec<u8> {
    pdf_table3_with(false)
}

/// [`pdf_table3`] without any ruling: cells are separated by spacing only.
pub fn pdf_table3_unruled() -> Vec<u8> {
    pdf_table3_with(true)
}

fn pdf_table3_with(unruled: bool) -> Vec<u8> {
    let mut p1 = Page {
        unruled,
        ..Page::default()
    };
    p1.text(
        PdfFont::Ucs2,
        8.0,
        400.0,
        815.0,
        "某县人民政府办公室 2025年1月",
    );
    p1.text(
        PdfFont::Ucs2,
        16.0,
        150.0,
        780.0,
        "政府信息公开工作年度报告",
    );
    p1.text(
        PdfFont::Ucs2,
        12.0,
        50.0,
        740.0,
        "三、收到和处理政府信息公开申请情况",
    );
    let top = 720.0;
    let (x0, y0, ..) = cell(&mut p1, top, 0, 0, 0, 2);
    p1.text(
        PdfFont::Ucs2,
        9.0,
        x0 + 2.0,
        y0 + 8.0,
        "一、本年新收政府信息公开申请数量",
    );
    value_cells(&mut p1, top, 0, ["10", "1", "0", "0", "0", "0", "11"]);
    // 三、本年度办理结果: rows 1..=4 of column 0, one character per line.
    let (x0, _, _, y1) = cell(&mut p1, top, 1, 4, 0, 0);
    for (i, c) in "三、本年度办理结果".chars().enumerate() {
        p1.text(
            PdfFont::Identity,
            9.0,
            x0 + 10.0,
            y1 - 12.0 - 9.5 * i as f64,
            &c.to_string(),
        );
    }
    let (x0, y0, ..) = cell(&mut p1, top, 1, 1, 1, 2);
    p1.text(PdfFont::Ucs2, 9.0, x0 + 2.0, y0 + 8.0, "（一）予以公开");
    value_cells(&mut p1, top, 1, ["4", "0", "0", "0", "0", "0", "4"]);
    let (x0, y0, ..) = cell(&mut p1, top, 2, 3, 1, 1);
    p1.text(PdfFont::Ucs2, 9.0, x0 + 2.0, y0 + 20.0, "（三）不予公开");
    let (x0, y0, ..) = cell(&mut p1, top, 2, 2, 2, 2);
    p1.text(PdfFont::Ucs2, 9.0, x0 + 2.0, y0 + 8.0, "1.属于国家秘密");
    value_cells(&mut p1, top, 2, ["1", "", "", "", "", "", "1"]);
    let (x0, y0, ..) = cell(&mut p1, top, 3, 3, 2, 2);
    p1.text(PdfFont::Gbk, 9.0, x0 + 2.0, y0 + 13.0, "2.其他法律行政法规");
    p1.text(PdfFont::Gbk, 9.0, x0 + 2.0, y0 + 3.0, "禁止公开");
    value_cells(&mut p1, top, 3, ["0", "-", "—", "/", "无", "0", "0"]);
    let (x0, y0, ..) = cell(&mut p1, top, 4, 4, 1, 2);
    p1.text(
        PdfFont::Ucs2,
        9.0,
        x0 + 2.0,
        y0 + 8.0,
        "4.无正当理由大量反复",
    );
    p1.text(
        PdfFont::Ucs2,
        9.0,
        x0 + 2.0 + 9.0 * 11.0 + 12.0,
        y0 + 8.0,
        "申请",
    );
    value_cells(&mut p1, top, 4, ["2", "0", "0", "0", "0", "0", "2"]);
    p1.text(PdfFont::Helvetica, 9.0, 285.0, 40.0, "- 1 -");

    let mut p2 = Page {
        unruled,
        ..Page::default()
    };
    p2.text(
        PdfFont::Ucs2,
        8.0,
        400.0,
        815.0,
        "某县人民政府办公室 2025年2月",
    );
    let top = 800.0;
    cell(&mut p2, top, 0, 1, 0, 0); // the rowspan of 三、本年度办理结果 continued, empty
    let (x0, y0, ..) = cell(&mut p2, top, 0, 0, 1, 2);
    p2.text(PdfFont::Ucs2, 9.0, x0 + 2.0, y0 + 8.0, "（六）其他处理");
    value_cells(&mut p2, top, 0, ["0", "0", "0", "0", "0", "0", "0"]);
    let (x0, y0, ..) = cell(&mut p2, top, 1, 1, 1, 2);
    p2.text(PdfFont::Ucs2, 9.0, x0 + 2.0, y0 + 8.0, "（七）总计");
    value_cells(&mut p2, top, 1, ["7", "0", "0", "0", "0", "0", "7"]);
    let (x0, y0, ..) = cell(&mut p2, top, 2, 2, 0, 2);
    p2.text(
        PdfFont::Identity,
        9.0,
        x0 + 2.0,
        y0 + 8.0,
        "四、结转下年度继续办理",
    );
    value_cells(&mut p2, top, 2, ["3", "1", "0", "0", "0", "0", "4"]);
    p2.hline_filled(COLS[0], COLS[10], top - 3.0 * ROW_H - 1.0); // a doubled bottom rule
    p2.text(
        PdfFont::Ucs2,
        12.0,
        50.0,
        680.0,
        "四、政府信息公开行政复议、行政诉讼情况",
    );
    for i in 0..15 {
        p2.text(
            PdfFont::Helvetica,
            9.0,
            60.0 + 32.0 * i as f64,
            650.0,
            &(i + 1).to_string(),
        );
    }
    p2.text(PdfFont::Helvetica, 9.0, 285.0, 40.0, "- 2 -");
    pdf(&[p1, p2], false)
}

/// A scan: one page that only paints an image.
pub fn pdf_scan() -> Vec<u8> {
    pdf(&[Page::default()], true)
}

/// One ruled table whose left cell spans two rows and holds a label written in a vertical
/// font (one `Tj` string, glyphs advancing downwards), beside two rows of values.
pub fn pdf_vertical_label() -> Vec<u8> {
    let mut p = Page::default();
    let top = 700.0;
    let (x0, _, _, y1) = cell(&mut p, top, 0, 3, 0, 0);
    p.text(
        PdfFont::Ucs2Vertical,
        9.0,
        x0 + 15.0,
        y1 - 4.0,
        "三、本年度办理结果",
    );
    for (r, label) in [
        (0, "（一）予以公开"),
        (1, "（二）部分公开"),
        (2, "（七）总计"),
        (3, "四、结转"),
    ] {
        let (x0, y0, ..) = cell(&mut p, top, r, r, 1, 2);
        p.text(PdfFont::Ucs2, 9.0, x0 + 2.0, y0 + 8.0, label);
        value_cells(&mut p, top, r, ["1", "2", "3", "4", "5", "6", "21"]);
    }
    pdf(&[p], false)
}

/// A table whose row （二） is cut by the page break: the first part of its label at the foot
/// of page 1 with blank value cells, the rest of the label and the values at the top of page 2.
pub fn pdf_split_row() -> Vec<u8> {
    let mut p1 = Page::default();
    let top = 160.0;
    let (x0, y0, ..) = cell(&mut p1, top, 0, 0, 0, 2);
    p1.text(PdfFont::Ucs2, 9.0, x0 + 2.0, y0 + 8.0, "（一）予以公开");
    value_cells(&mut p1, top, 0, ["4", "0", "0", "0", "0", "0", "4"]);
    let (x0, y0, ..) = cell(&mut p1, top, 1, 1, 0, 2);
    p1.text(
        PdfFont::Ucs2,
        9.0,
        x0 + 2.0,
        y0 + 8.0,
        "（二）部分公开（区分处理的，只计",
    );
    value_cells(&mut p1, top, 1, ["", "", "", "", "", "", ""]);
    p1.text(PdfFont::Helvetica, 9.0, 285.0, 40.0, "- 1 -");
    let mut p2 = Page::default();
    let top = 800.0;
    let (x0, y0, ..) = cell(&mut p2, top, 0, 0, 0, 2);
    p2.text(
        PdfFont::Ucs2,
        9.0,
        x0 + 2.0,
        y0 + 8.0,
        "这一情形，不计其他情形）",
    );
    value_cells(&mut p2, top, 0, ["2", "0", "0", "0", "0", "1", "3"]);
    let (x0, y0, ..) = cell(&mut p2, top, 1, 1, 0, 2);
    p2.text(PdfFont::Ucs2, 9.0, x0 + 2.0, y0 + 8.0, "（七）总计");
    value_cells(&mut p2, top, 1, ["6", "0", "0", "0", "0", "1", "7"]);
    pdf(&[p1, p2], false)
}

/// [`pdf_split_row`] encrypted with RC4-128 and the given user password (owner "owner").
pub fn pdf_encrypted(user_password: &str) -> Vec<u8> {
    let mut doc = lopdf::Document::load_mem(&pdf_split_row()).unwrap();
    let id = Object::string_literal(b"0123456789abcdef".to_vec());
    doc.trailer.set("ID", vec![id.clone(), id]);
    let version = lopdf::EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner",
        user_password,
        key_length: 128,
        permissions: lopdf::Permissions::PRINTABLE,
    };
    let state = lopdf::EncryptionState::try_from(version).unwrap();
    doc.encrypt(&state).unwrap();
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A landscape page stored portrait with `/Rotate 90`: the content is drawn through a matrix
/// that turns it, so that it reads upright only once the rotation is applied.
pub fn pdf_rotated() -> Vec<u8> {
    let mut page = Page::default();
    let top = 400.0;
    let (x0, y0, ..) = cell(&mut page, top, 0, 0, 0, 2);
    page.text(PdfFont::Ucs2, 9.0, x0 + 2.0, y0 + 8.0, "（七）总计");
    value_cells(&mut page, top, 0, ["6", "0", "0", "0", "0", "1", "7"]);
    let (x0, y0, ..) = cell(&mut page, top, 1, 1, 0, 2);
    page.text(
        PdfFont::Ucs2,
        9.0,
        x0 + 2.0,
        y0 + 8.0,
        "四、结转下年度继续办理",
    );
    value_cells(&mut page, top, 1, ["1", "0", "0", "0", "0", "0", "1"]);
    page.content = format!("q 0 1 -1 0 595 0 cm\n{}Q\n", page.content);
    let mut doc = lopdf::Document::load_mem(&pdf(&[page], false)).unwrap();
    let ids: Vec<lopdf::ObjectId> = doc.get_pages().into_values().collect();
    for id in ids {
        doc.get_dictionary_mut(id).unwrap().set("Rotate", 90);
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A TrueType program holding only a format-12 `cmap` that maps `chars[i]` to glyph `i + 1`.
fn truetype_font(chars: &str) -> Vec<u8> {
    let n = chars.chars().count() as u32;
    let mut cmap: Vec<u8> = vec![0, 0, 0, 1, 0, 3, 0, 10, 0, 0, 0, 12];
    for v in [12u16, 0] {
        cmap.extend_from_slice(&v.to_be_bytes());
    }
    for v in [16 + 12 * n, 0, n] {
        cmap.extend_from_slice(&v.to_be_bytes());
    }
    for (i, c) in chars.chars().enumerate() {
        for v in [c as u32, c as u32, i as u32 + 1] {
            cmap.extend_from_slice(&v.to_be_bytes());
        }
    }
    let mut font = vec![0, 1, 0, 0, 0, 1, 0, 16, 0, 0, 0, 0];
    font.extend_from_slice(b"cmap");
    for v in [0u32, 28, cmap.len() as u32] {
        font.extend_from_slice(&v.to_be_bytes());
    }
    font.extend_from_slice(&cmap);
    font
}

/// A one-line page in a CID font without ToUnicode.
pub fn pdf_without_tounicode(font: PdfFont) -> Vec<u8> {
    let mut page = Page::default();
    page.text(font, 12.0, 50.0, 700.0, "三、本年度办理结果");
    pdf(&[page], false)
}

/// A page drawing a form XObject that draws itself 50 times (a recursion bomb).
pub fn pdf_recursive_form() -> Vec<u8> {
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let resources_id = doc.new_object_id();
    let form_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let form_content = "BT /F1 9 Tf 10 10 Td (x) Tj ET\n".to_string() + &"/Fm1 Do\n".repeat(50);
    doc.objects.insert(
        form_id,
        Object::Stream(Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 100.into(), 100.into()], "Resources" => resources_id },
            form_content.into_bytes(),
        )),
    );
    doc.objects.insert(
        resources_id,
        Object::Dictionary(dictionary! { "Font" => dictionary! { "F1" => font }, "XObject" => dictionary! { "Fm1" => form_id } }),
    );
    let content = doc.add_object(Stream::new(dictionary! {}, b"/Fm1 Do".to_vec()));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content, "Resources" => resources_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}
