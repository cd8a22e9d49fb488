//! Spreadsheet reader: XLSX, XLS, WPS ET and ODS fixtures read into rows of cells located by
//! sheet, row and column; merged ranges in their first slot only; formats told by their bytes;
//! no panic on damaged input.

use nianbao_model::document::{Block, Cell, Document, Loc};
use nianbao_parser::sheet::{read_sheet, SheetError};
use nianbao_parser::sniff::{sniff, Format};
use proptest::prelude::*;

use crate::ofd::rezip_mutated;
use crate::util::root;

const FIXTURES: [(&str, Format); 4] = [
    ("sheet-xlsx-2021.xlsx", Format::Xlsx),
    ("sheet-xls-2019.xls", Format::Xls),
    ("sheet-et-2021.et", Format::Xls),
    ("sheet-ods-2019.ods", Format::Ods),
];

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(root().join("tests/fixtures/parse").join(name)).expect("fixture")
}

fn row_with<'d>(doc: &'d Document, label: &str) -> &'d [Cell] {
    doc.blocks
        .iter()
        .find_map(|b| match b {
            Block::Row { cells } if cells.iter().any(|c| c.text == label) => Some(&cells[..]),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no row {label}"))
}

#[test]
fn formats_are_told_by_their_bytes() {
    for (name, format) in FIXTURES {
        assert_eq!(sniff(&fixture(name)), format, "{name}");
    }
    // A workbook under a misleading name is still read as what its bytes are.
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, fixture("sheet-xlsx-2021.xlsx")).expect("write");
    let report = nianbao_parser::parse_path(&path).expect("parses");
    assert_eq!(report.year, Some(2021));
}

#[test]
fn merged_cells_keep_their_value_in_the_first_slot_only() {
    for (name, _) in FIXTURES {
        let doc = read_sheet(&fixture(name)).expect(name);
        // 三、本年度办理结果 spans the label column down the result rows: it opens the
        // （一）予以公开 row and is absent from the next one, whose label starts in column 2.
        let granted = row_with(&doc, "（一）予以公开");
        assert_eq!(granted[0].text, "三、本年度办理结果", "{name}");
        let partly = row_with(
            &doc,
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        );
        assert!(
            matches!(
                partly[0].loc,
                Loc::Table {
                    table: 1,
                    col: 2,
                    ..
                }
            ),
            "{name}: {:?}",
            partly[0].loc
        );
        // 一、本年新收… spans three columns: its first value is in grid column 4, and the row
        // has exactly the seven value cells of the table's width.
        let new = row_with(&doc, "一、本年新收政府信息公开申请数量");
        assert_eq!(new.len(), 8, "{name}: {new:?}");
        assert!(matches!(new[1].loc, Loc::Table { col: 4, .. }), "{name}");
    }
}

#[test]
fn blank_cells_stay_blank_and_keep_their_column() {
    use nianbao_fixtures::docs::{Block as L, GridCell, Layout};
    let cell = |t: &str, cs: usize| GridCell {
        text: t.into(),
        colspan: cs,
        rowspan: 1,
        header: false,
    };
    let layout = Layout {
        title: "某县2023年政府信息公开工作年度报告".into(),
        blocks: vec![
            L::Heading("三、收到和处理政府信息公开申请情况".into()),
            L::Table(vec![
                vec![
                    cell("（一）予以公开", 2),
                    cell("4", 1),
                    cell("", 1),
                    cell("0", 1),
                ],
                vec![
                    cell("（七）总计", 2),
                    cell("", 1),
                    cell("1", 1),
                    cell("", 1),
                ],
            ]),
        ],
    };
    let bytes = nianbao_fixtures::xlsx::render_xlsx(&layout, "表三").expect("xlsx");
    let doc = read_sheet(&bytes).expect("reads");
    let total = row_with(&doc, "（七）总计");
    let texts: Vec<&str> = total.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["（七）总计", "", "1", ""]);
    assert_eq!(
        total[3].loc,
        Loc::Table {
            table: 1,
            row: 4,
            col: 5
        }
    );
    // A one-cell row is a line of text: the title and the heading keep their one cell.
    let Some(Block::Row { cells }) = doc.blocks.first() else {
        panic!("title row")
    };
    assert_eq!(cells.len(), 1);
    assert_eq!(
        doc.title.as_deref(),
        Some("某县2023年政府信息公开工作年度报告")
    );
}

/// Two cells, A1 and IV65536, in a 6 KB XLS or ODS: calamine would build a dense grid of
/// 16 million slots (a gigabyte); the reader refuses it first.
#[test]
fn a_tiny_workbook_spanning_a_huge_grid_is_refused() {
    for (name, format) in [
        ("far-apart-cells.xls", Format::Xls),
        ("far-apart-cells.ods", Format::Ods),
    ] {
        let bytes =
            std::fs::read(root().join("tests/fixtures/hostile").join(name)).expect("fixture");
        assert_eq!(sniff(&bytes), format);
        assert!(
            matches!(read_sheet(&bytes), Err(SheetError::TooLarge)),
            "{name}"
        );
    }
}

#[test]
fn non_spreadsheets_are_named() {
    assert!(matches!(
        read_sheet(b"%PDF-1.4"),
        Err(SheetError::NotSpreadsheet(Format::Pdf))
    ));
    assert!(matches!(
        read_sheet(&crate::fixtures::ole_doc()),
        Err(SheetError::NotSpreadsheet(Format::Ole))
    ));
}

fn xorshift(rng: &mut u64) -> u64 {
    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    *rng
}

#[test]
fn damaged_workbooks_never_panic() {
    let mut rng = 0x5eed_0f5e_ee75_0001u64;
    for (name, format) in FIXTURES {
        let bytes = fixture(name);
        for cut in (0..bytes.len()).step_by(397) {
            let _ = read_sheet(&bytes[..cut]);
        }
        for _ in 0..60 {
            let mut damaged = bytes.clone();
            for _ in 0..8 {
                let r = xorshift(&mut rng);
                let i = (r % damaged.len() as u64) as usize;
                damaged[i] = (r >> 40) as u8;
            }
            let _ = nianbao_parser::parse_bytes(&damaged, name, None);
        }
        if format == Format::Xls {
            // Damage to the compound file's header (sector size, FAT, directory, mini-stream
            // locations), which the size guard reads before calamine.
            for _ in 0..200 {
                let mut damaged = bytes.clone();
                for _ in 0..2 {
                    let r = xorshift(&mut rng);
                    damaged[(r % 512) as usize] = (r >> 40) as u8;
                }
                let _ = read_sheet(&damaged);
            }
        } else {
            for _ in 0..40 {
                let damaged = rezip_mutated(&bytes, |_, data| {
                    for _ in 0..10 {
                        let r = xorshift(&mut rng);
                        if data.is_empty() {
                            break;
                        }
                        let i = (r % data.len() as u64) as usize;
                        data[i] = b"<>/\"=: -.0123456789AZ"[(r >> 33) as usize % 21];
                    }
                });
                let _ = nianbao_parser::parse_bytes(&damaged, name, None);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let mut ole = nianbao_parser::sniff::OLE_MAGIC.to_vec();
        ole.extend_from_slice(&bytes);
        ole.resize(ole.len().max(600), 0);
        ole[512..528].copy_from_slice(&[b'W', 0, b'o', 0, b'r', 0, b'k', 0, b'b', 0, b'o', 0, b'o', 0, b'k', 0]);
        ole[528..530].copy_from_slice(&[0, 0]);
        let _ = read_sheet(&ole);
        let mut zipped = b"PK\x03\x04".to_vec();
        zipped.extend_from_slice(&bytes);
        zipped.extend_from_slice(b"xl/workbook.xml");
        let _ = read_sheet(&zipped);
    }
}

/// A hidden worksheet (helper figures a portal left in the file) is not what the report shows:
/// it is skipped, and the visible sheets keep their numbers.
#[test]
fn hidden_sheets_are_skipped_and_sheets_keep_their_numbers() {
    use std::io::Write;
    let ns = "http://schemas.openxmlformats.org/";
    let sheet = |total: &str| {
        format!(
            r#"<worksheet xmlns="{ns}spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>（七）总计</t></is></c><c r="B1"><v>{total}</v></c></row></sheetData></worksheet>"#
        )
    };
    let parts = [
        (
            "[Content_Types].xml".to_string(),
            format!(
                r#"<Types xmlns="{ns}package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#
            ),
        ),
        (
            "_rels/.rels".to_string(),
            format!(
                r#"<Relationships xmlns="{ns}package/2006/relationships"><Relationship Id="rId1" Type="{ns}officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/workbook.xml".to_string(),
            format!(
                r#"<workbook xmlns="{ns}spreadsheetml/2006/main" xmlns:r="{ns}officeDocument/2006/relationships"><sheets><sheet name="辅助" sheetId="1" state="hidden" r:id="rId1"/><sheet name="表三" sheetId="2" r:id="rId2"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels".to_string(),
            format!(
                r#"<Relationships xmlns="{ns}package/2006/relationships"><Relationship Id="rId1" Type="{ns}officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{ns}officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/></Relationships>"#
            ),
        ),
        ("xl/worksheets/sheet1.xml".to_string(), sheet("999")),
        ("xl/worksheets/sheet2.xml".to_string(), sheet("7")),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in parts {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("start");
        zip.write_all(text.as_bytes()).expect("write");
    }
    let bytes = zip.finish().expect("zip").into_inner();
    let doc = read_sheet(&bytes).expect("reads");
    assert_eq!(doc.blocks.len(), 1, "{:?}", doc.blocks);
    let total = row_with(&doc, "（七）总计");
    assert_eq!(total[1].text, "7");
    assert_eq!(
        total[1].loc,
        Loc::Table {
            table: 2,
            row: 1,
            col: 2
        }
    );
}
