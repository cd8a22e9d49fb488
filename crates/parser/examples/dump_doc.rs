//! Prints the Document a PDF, DOCX, DOC/WPS, OFD or workbook reads into: `Row` blocks as `cell | cell | …`, lines as
//! text. Usage: `cargo run --example dump_doc -- FILE…`.

use nianbao_model::document::Block;
use nianbao_parser::sniff::{sniff, Format};

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: dump_doc FILE…");
        std::process::exit(2);
    }
    let mut failed = false;
    for path in paths {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                failed = true;
                continue;
            }
        };
        let doc = match sniff(&bytes) {
            Format::Docx => nianbao_parser::docx::read_docx(&bytes).map_err(|e| e.to_string()),
            Format::WordXml => nianbao_parser::docx::read_wordml(&bytes).map_err(|e| e.to_string()),
            Format::WordBinary | Format::Ole => {
                nianbao_parser::doc::read_doc(&bytes).map_err(|e| e.to_string())
            }
            Format::Ofd => nianbao_parser::ofd::read_ofd(&bytes).map_err(|e| e.to_string()),
            Format::Xls | Format::Xlsx | Format::Ods => {
                nianbao_parser::sheet::read_sheet(&bytes).map_err(|e| e.to_string())
            }
            _ => nianbao_parser::pdf::read_pdf(&bytes).map_err(|e| e.to_string()),
        };
        match doc {
            Ok(doc) => {
                println!("== {path} (title: {:?})", doc.title);
                for b in &doc.blocks {
                    match b {
                        Block::Line { text, loc } => println!("[{loc}] {text}"),
                        Block::Row { cells } => {
                            let texts: Vec<&str> = cells.iter().map(|c| c.text.as_str()).collect();
                            let loc = cells.first().map(|c| c.loc.to_string()).unwrap_or_default();
                            println!("[{loc}] ROW {}", texts.join(" | "));
                        }
                    }
                }
            }
            Err(e) => {
                eprintln!("{path}: {e}");
                failed = true;
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}
