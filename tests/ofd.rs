//! OFD reader: the same pages read as OFD and as PDF give the same document (one layout
//! engine), tables over page breaks, image-only OFDs named, and no panic on damaged input.

use std::io::{Read, Write};

use nianbao_model::document::{Block, Document, Loc};
use nianbao_parser::ofd::{read_ofd, OfdError};
use nianbao_parser::pdf::read_pdf;
use proptest::prelude::*;

use crate::fixtures;
use crate::util::root;

fn dump(doc: &Document) -> Vec<String> {
    doc.blocks
        .iter()
        .map(|b| match b {
            Block::Row { cells } => cells
                .iter()
                .map(|c| format!("{} @{}", c.text, c.loc))
                .collect::<Vec<_>>()
                .join(" | "),
            Block::Line { text, loc } => format!("LINE {text} @{loc}"),
        })
        .collect()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(root().join("tests/fixtures/parse").join(name)).expect("fixture")
}

/// The differential check: what the PDF reader rebuilds from a PDF's pages, the OFD reader
/// rebuilds from the same pages written as OFD, cell for cell and location for location.
#[test]
fn same_pages_read_the_same_as_pdf_and_as_ofd() {
    for (what, pages) in [
        (
            "ruled table 三 over two pages",
            fixtures::table3_pages(false),
        ),
        ("unruled table 三", fixtures::table3_pages(true)),
        ("row cut by a page break", fixtures::split_row_pages()),
    ] {
        let from_pdf = read_pdf(&fixtures::pdf(&pages, false)).expect("pdf reads");
        let from_ofd = read_ofd(&fixtures::ofd(&pages)).expect("ofd reads");
        assert_eq!(dump(&from_ofd), dump(&from_pdf), "{what}");
        assert_eq!(from_ofd.title.as_deref(), Some("Fixture report"));
    }
}

#[test]
fn row_cut_by_a_page_break_is_rejoined() {
    let doc = read_ofd(&fixtures::ofd(&fixtures::split_row_pages())).expect("reads");
    let texts: Vec<String> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Row { cells } => Some(
                cells
                    .iter()
                    .map(|c| c.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" | "),
            ),
            Block::Line { .. } => None,
        })
        .collect();
    assert_eq!(
        texts,
        [
            "（一）予以公开 | 4 | 0 | 0 | 0 | 0 | 0 | 4",
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形） | 2 | 0 | 0 | 0 | 0 | 1 | 3",
            "（七）总计 | 6 | 0 | 0 | 0 | 0 | 1 | 7",
        ]
    );
}

#[test]
fn committed_fixture_locates_every_value_on_its_page() {
    let doc = read_ofd(&fixture("ofd-ruled-2022.ofd")).expect("reads");
    let row = |label: &str| {
        doc.blocks.iter().find_map(|b| match b {
            Block::Row { cells } if cells.iter().any(|c| c.text.contains(label)) => {
                Some(cells.clone())
            }
            _ => None,
        })
    };
    // 表三 starts on page 1 and continues on page 2.
    let first = row("（一）予以公开").expect("row");
    assert!(
        matches!(first[2].loc, Loc::Page { page: 1, .. }),
        "{first:?}"
    );
    let total = row("（七）总计").expect("row");
    assert_eq!(total[1].text, "305");
    assert!(
        matches!(
            total[1].loc,
            Loc::Page {
                page: 2,
                col: 4,
                ..
            }
        ),
        "{total:?}"
    );
    assert!(doc.blocks.iter().all(|b| match b {
        Block::Row { cells } => cells.iter().all(|c| matches!(c.loc, Loc::Page { .. })),
        Block::Line { loc, .. } => matches!(loc, Loc::Page { .. }),
    }));
    // Page numbers at the foot are dropped.
    assert!(!dump(&doc).iter().any(|l| l.starts_with("LINE - ")));
}

#[test]
fn image_only_ofd_is_named_as_needing_ocr() {
    let scan = nianbao_fixtures::ofd::render_ofd_scan(2, "扫描件").expect("ofd");
    let err = read_ofd(&scan).unwrap_err();
    assert!(
        matches!(
            err,
            OfdError::ImageOnly {
                pages: 2,
                images: 2
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("OCR"));
    let err = nianbao_parser::parse_bytes(&scan, "scan.ofd", None).unwrap_err();
    assert!(err.to_string().contains("OCR"), "{err}");
}

#[test]
fn non_ofd_input_is_named() {
    assert!(matches!(read_ofd(b"%PDF-1.4"), Err(OfdError::NotOfd(_))));
    assert!(matches!(
        read_ofd(&fixtures::ole_doc()),
        Err(OfdError::NotOfd(nianbao_parser::sniff::Format::Ole))
    ));
}

fn xorshift(rng: &mut u64) -> u64 {
    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    *rng
}

/// Every part of a zip archive, stored uncompressed after `mutate` changed its bytes, so that
/// damage reaches the XML (a deflated part with a flipped byte only fails its checksum).
pub(crate) fn rezip_mutated(bytes: &[u8], mut mutate: impl FnMut(&str, &mut Vec<u8>)) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).expect("entry");
        let name = file.name().map(|n| n.to_string()).expect("entry name");
        let mut data = Vec::new();
        file.read_to_end(&mut data).expect("read");
        mutate(&name, &mut data);
        out.start_file(name, opts).expect("start");
        out.write_all(&data).expect("write");
    }
    out.finish().expect("finish").into_inner()
}

#[test]
fn damaged_ofds_never_panic() {
    for name in ["ofd-ruled-2022.ofd", "ofd-unruled-2021.ofd"] {
        let bytes = fixture(name);
        for cut in (0..bytes.len()).step_by(211) {
            let _ = read_ofd(&bytes[..cut]);
        }
        let mut rng = 0x0fd0_5eed_1234_5678u64;
        for _ in 0..60 {
            let mut damaged = bytes.clone();
            for _ in 0..6 {
                let r = xorshift(&mut rng);
                let i = (r % damaged.len() as u64) as usize;
                damaged[i] = (r >> 40) as u8;
            }
            let _ = nianbao_parser::parse_bytes(&damaged, name, None);
        }
        // Damage inside the XML parts: bytes replaced by XML-significant characters.
        for _ in 0..60 {
            let damaged = rezip_mutated(&bytes, |_, data| {
                for _ in 0..12 {
                    let r = xorshift(&mut rng);
                    if data.is_empty() {
                        break;
                    }
                    let i = (r % data.len() as u64) as usize;
                    data[i] = b"<>/\"= -.0123456789gMLCZ"[(r >> 33) as usize % 23];
                }
            });
            let _ = nianbao_parser::parse_bytes(&damaged, name, None);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_page_content_never_panics(content in "[ -~一二三]{0,400}") {
        let bytes = rezip_mutated(&fixture("ofd-ruled-2022.ofd"), |name, data| {
            if name.ends_with("Page_0/Content.xml") {
                let xml = String::from_utf8_lossy(data).into_owned();
                let cut = xml.len() / 2;
                let cut = (0..=cut).rev().find(|&i| xml.is_char_boundary(i)).unwrap_or(0);
                *data = format!("{}{content}{}", &xml[..cut], &xml[cut..]).into_bytes();
            }
        });
        let _ = read_ofd(&bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut zipped = b"PK\x03\x04".to_vec();
        zipped.extend_from_slice(&bytes);
        zipped.extend_from_slice(b"OFD.xml");
        let _ = read_ofd(&zipped);
    }
}
