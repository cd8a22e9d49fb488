//! Self-made test inputs, built in code so that nothing binary needs checking in: a DOCX with
//! merged and nested cells, PDFs (a ruled table 三 over two pages in UniGB-UCS2-H, GBK-EUC-H
//! and Identity-H/ToUnicode fonts; a scan-only page; encrypted, rotated, recursive ones), and
//! an OLE header. The writers themselves (fonts, pages, zip + WordprocessingML) are the
//! library's [`nianbao_fixtures::docs`], which the demo portal also publishes attachments with;
//! this file only lays out the fixtures.

use lopdf::{dictionary, Object, Stream};
use nianbao_fixtures::docs;

/// A few bytes of an OLE compound file (.doc/.wps): the header magic and padding.
pub(crate) fn ole_doc() -> Vec<u8> {
    let mut b = nianbao_parser::sniff::OLE_MAGIC.to_vec();
    b.resize(512, 0);
    b
}

// ---------------------------------------------------------------- DOCX

pub(crate) use nianbao_fixtures::docs::{p, tbl, tc, tr};

/// A DOCX archive around a `w:body` fragment (the library's writer, with a fixture title).
pub(crate) fn docx(body: &str) -> Vec<u8> {
    docs::docx(body, "某县2024年政府信息公开工作年度报告 & 附表").expect("docx")
}

/// Seven value cells.
pub(crate) fn values(v: [&str; 7]) -> Vec<String> {
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
pub(crate) fn docx_table3() -> Vec<u8> {
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

// ---------------------------------------------------------------- PDF and OFD

pub(crate) use nianbao_fixtures::docs::{Page, PdfFont};

/// Writes a PDF of A4 pages with the library's fonts; `image_only` paints an image instead.
pub(crate) fn pdf(pages: &[Page], image_only: bool) -> Vec<u8> {
    docs::pdf(pages, image_only, "Fixture report").expect("pdf")
}

/// Column edges of the fixture table 三: three label columns, then seven value columns.
pub(crate) const COLS: [f64; 11] = [
    50.0, 80.0, 150.0, 300.0, 335.0, 370.0, 405.0, 440.0, 475.0, 510.0, 545.0,
];
const ROW_H: f64 = 24.0;

/// Draws a logical cell spanning grid rows `r0..=r1` and columns `c0..=c1` of a table whose
/// top edge is `top`, and returns its box (x0, y0 bottom, x1, y1 top).
pub(crate) fn cell(
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
pub(crate) fn value_cells(page: &mut Page, top: f64, r: usize, v: [&str; 7]) {
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
pub(crate) fn pdf_table3() -> Vec<u8> {
    pdf_table3_with(false)
}

/// [`pdf_table3`] without any ruling: cells are separated by spacing only.
pub(crate) fn pdf_table3_unruled() -> Vec<u8> {
    pdf_table3_with(true)
}

fn pdf_table3_with(unruled: bool) -> Vec<u8> {
    pdf(&table3_pages(unruled), false)
}

/// The pages of [`pdf_table3`] (ruled or not), for writing them in other formats.
pub(crate) fn table3_pages(unruled: bool) -> Vec<Page> {
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
    vec![p1, p2]
}

/// `pages` as an OFD (the library's writer, with the PDF fixtures' title).
pub(crate) fn ofd(pages: &[Page]) -> Vec<u8> {
    nianbao_fixtures::ofd::ofd(pages, false, "Fixture report").expect("ofd")
}

/// A scan: one page that only paints an image.
pub(crate) fn pdf_scan() -> Vec<u8> {
    pdf(&[Page::default()], true)
}

/// One ruled table whose left cell spans two rows and holds a label written in a vertical
/// font (one `Tj` string, glyphs advancing downwards), beside two rows of values.
pub(crate) fn pdf_vertical_label() -> Vec<u8> {
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
pub(crate) fn pdf_split_row() -> Vec<u8> {
    pdf(&split_row_pages(), false)
}

/// The pages of [`pdf_split_row`], for writing them in other formats.
pub(crate) fn split_row_pages() -> Vec<Page> {
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
    vec![p1, p2]
}

/// [`pdf_split_row`] encrypted with RC4-128 and the given user password (owner "owner").
pub(crate) fn pdf_encrypted(user_password: &str) -> Vec<u8> {
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
pub(crate) fn pdf_rotated() -> Vec<u8> {
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

/// A one-line page in a CID font without ToUnicode.
pub(crate) fn pdf_without_tounicode(font: PdfFont) -> Vec<u8> {
    let mut page = Page::default();
    page.text(font, 12.0, 50.0, 700.0, "三、本年度办理结果");
    pdf(&[page], false)
}

/// A page drawing a form XObject that draws itself 50 times (a recursion bomb).
pub(crate) fn pdf_recursive_form() -> Vec<u8> {
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
