//! DOCX reader: merged and nested cells of a self-made DOCX, legacy .doc detection, and no
//! panic on arbitrary or damaged input.

use nianbao_model::document::{Block, Loc};
use nianbao_parser::docx::{read_docx, DocxError};
use proptest::prelude::*;

use crate::fixtures;

#[test]
fn fixture_merged_cells_become_logical_cells() {
    let doc = read_docx(&fixtures::docx_table3()).expect("fixture reads");
    assert_eq!(
        doc.outline(),
        vec![
            "LINE 三、收到和处理政府信息公开申请情况",
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况",
            "一、本年新收政府信息公开申请数量 | 10 | 1 | 0 | 0 | 0 | 0 | 11",
            "三、本年度办理结果 | （一）予以公开 | 4 | 0 | 0 | 0 | 0 | 0 | 4",
            "（三）不予公开 | 1.属于国家秘密 | 1 |  |  |  |  |  | 1",
            "2.其他法律行政法规禁止公开 | 0 | - | — | / | 无 | 0 | 0",
            "四、结转下年度继续办理 | 5 | 1 | 0 | 0 | 0 | 0 | 6",
            "LINE 四、政府信息公开行政复议、行政诉讼情况",
            "行政复议 | 行政诉讼",
            "1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15",
            "LINE 五、存在的主要问题及改进情况",
        ]
    );
    assert_eq!(
        doc.title.as_deref(),
        Some("某县2024年政府信息公开工作年度报告 & 附表")
    );
    // Grid columns count spans: the first value cell of a top-level row is column 4.
    let Block::Row { cells } = &doc.blocks[2] else {
        panic!("row")
    };
    assert_eq!(
        cells[1].loc,
        Loc::Table {
            table: 1,
            row: 2,
            col: 4
        }
    );
    let Block::Row { cells } = &doc.blocks[5] else {
        panic!("row")
    };
    assert_eq!(
        cells[0].loc,
        Loc::Table {
            table: 1,
            row: 5,
            col: 3
        }
    );
}

#[test]
fn legacy_doc_is_named() {
    let err = read_docx(&fixtures::ole_doc()).unwrap_err();
    assert!(matches!(err, DocxError::LegacyWord), "{err}");
    assert!(err.to_string().contains(".doc/.wps"));
}

#[test]
fn zip_without_document_and_pdf_are_rejected() {
    assert!(matches!(read_docx(b"%PDF-1.4"), Err(DocxError::NotDocx(_))));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("word/styles.xml", zip::write::SimpleFileOptions::default())
        .unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    assert!(matches!(read_docx(&bytes), Err(DocxError::NoDocumentXml)));
    // A workbook is named as what its bytes are.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("xl/workbook.xml", zip::write::SimpleFileOptions::default())
        .unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    assert!(matches!(
        read_docx(&bytes),
        Err(DocxError::NotDocx(nianbao_parser::sniff::Format::Xlsx))
    ));
}

#[test]
fn fixture_truncated_and_mutated_never_panic() {
    let bytes = fixtures::docx_table3();
    for cut in (0..bytes.len()).step_by(13) {
        let _ = read_docx(&bytes[..cut]);
    }
    let mut rng = 0x1234_5678_9abc_def1u64;
    for _ in 0..300 {
        let mut damaged = bytes.clone();
        for _ in 0..4 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let i = (rng % damaged.len() as u64) as usize;
            damaged[i] = (rng >> 40) as u8;
        }
        let _ = read_docx(&damaged);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_docx(&bytes);
        let mut zipped = b"PK\x03\x04".to_vec();
        zipped.extend_from_slice(&bytes);
        let _ = read_docx(&zipped);
    }

    #[test]
    fn arbitrary_document_xml_never_panics(body in "(<w:(tbl|tr|tc|p|r|t|vMerge|gridSpan)( w:val=\"(restart|2|x)\")?/?>|</w:(tbl|tr|tc|p|r|t)>|[a-z0-9 &;<>]){0,64}") {
        let _ = read_docx(&fixtures::docx(&body));
    }
}
