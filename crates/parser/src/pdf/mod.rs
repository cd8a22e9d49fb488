//! PDF bytes → [`Document`]: text with positions from the content streams (lopdf parses the
//! file; fonts, CMaps and the page interpreter are ours), tables rebuilt from ruling lines or
//! else from spacing, stitched over page breaks; page numbers and running headers dropped.
//! Pure: no I/O, no OCR; image-only PDFs are reported, never guessed.

mod cmap;
mod font;
mod glyphs;
mod interp;
mod layout;
mod lexer;
mod lines;
mod loose;
mod obj;
mod stitch;
mod truetype;

use std::collections::{HashMap, HashSet};

use lopdf::Object;

use crate::sniff::{sniff, Format};
use nianbao_model::document::{Block, Document};

pub(crate) use interp::{path_segs, Glyph, Seg};
use interp::{FontCache, Interp};

/// Largest decompressed content stream read for one page.
const PAGE_CONTENT_LIMIT: usize = 64 << 20;
/// Pages beyond this are not read (a report has a handful).
const MAX_PAGES: usize = 2_000;

/// Why a PDF could not be read into a [`Document`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// No `%PDF-` in the first KiB; holds the format the bytes were sniffed as.
    #[error("not a PDF: the bytes look like a {0}")]
    NotPdf(Format),
    /// lopdf could not load the file; holds its message.
    #[error("the PDF could not be parsed: {0}")]
    Malformed(String),
    /// The PDF is encrypted (or uses an unsupported security handler) and was not decrypted.
    #[error("the PDF is encrypted and cannot be opened without a password")]
    Encrypted,
    /// The page tree lists no pages.
    #[error("the PDF has no pages")]
    NoPages,
    /// No text was found on the pages read, but images were: a scan, which needs OCR.
    #[error("the PDF has no text layer ({pages} pages, {images} images): a scan, which needs OCR")]
    ImageOnly {
        /// Number of pages in the PDF.
        pages: usize,
        /// Number of images drawn on the pages read.
        images: usize,
    },
    /// No text and no images were found on the pages read.
    #[error("the PDF has no text and no images ({pages} pages)")]
    NoText {
        /// Number of pages in the PDF.
        pages: usize,
    },
    /// More than half of the characters on the pages read have no Unicode mapping in their font.
    #[error(
        "the PDF's fonts have no Unicode mapping: {unmapped} of {glyphs} characters are unreadable"
    )]
    NoUnicode {
        /// Characters drawn on the pages read (text placed off the page is not counted).
        glyphs: usize,
        /// Those of them that could not be mapped to Unicode (read as U+FFFD).
        unmapped: usize,
    },
    /// The reader panicked (caught); a bug in nianbao or a dependency, not in the file.
    #[error("internal error while reading the PDF (a bug: please report the file)")]
    Internal,
}

/// Reads a PDF into blocks: one `Row` per printed table row, one `Line` per line of text.
pub fn read_pdf(bytes: &[u8]) -> Result<Document, PdfError> {
    read_pdf_with(bytes, &PdfOptions::default())
}

/// How [`read_pdf_with`] reads a PDF.
#[derive(Debug, Clone, Default)]
pub struct PdfOptions {
    /// Rebuild tables from spacing alone, as if the PDF drew no ruling lines (to check the
    /// fallback on ruled documents, or to read a table whose rulings mislead).
    pub ignore_rulings: bool,
}

/// [`read_pdf`] with options.
pub fn read_pdf_with(bytes: &[u8], options: &PdfOptions) -> Result<Document, PdfError> {
    match sniff(bytes) {
        Format::Pdf => {}
        other => return Err(PdfError::NotPdf(other)),
    }
    // lopdf is hardened against hostile input, but a panic there must not take the caller down.
    std::panic::catch_unwind(|| read(bytes, options)).unwrap_or(Err(PdfError::Internal))
}

fn read(bytes: &[u8], options: &PdfOptions) -> Result<Document, PdfError> {
    let pdf = lopdf::Document::load_mem(bytes).map_err(|e| match e {
        lopdf::Error::Decryption(_)
        | lopdf::Error::InvalidPassword
        | lopdf::Error::UnsupportedSecurityHandler(_) => PdfError::Encrypted,
        other => PdfError::Malformed(other.to_string()),
    })?;
    if pdf.is_encrypted() {
        return Err(PdfError::Encrypted);
    }
    let pages = pdf.get_pages();
    if pages.is_empty() {
        return Err(PdfError::NoPages);
    }
    let mut fonts = FontCache::default();
    let mut doc = Document {
        title: title(&pdf),
        blocks: Vec::new(),
    };
    let (mut glyph_count, mut unmapped, mut images) = (0usize, 0usize, 0usize);
    let mut inks: Vec<PageInk> = Vec::new();
    for (&number, &page_id) in pages.iter().take(MAX_PAGES) {
        if fonts.exhausted() {
            break;
        }
        let (base, (width, height)) = page_frame(&pdf, page_id);
        let content = page_content(&pdf, page_id);
        let resources = page_resources(&pdf, page_id);
        let mut it = Interp::new(&pdf, &mut fonts, base);
        it.run(&content, resources, 0);
        let mut out = it.out;
        // Text placed off the page is not printed (producers park hidden text there).
        out.glyphs.retain(|g| {
            let (x, y) = (g.cx(), g.cy());
            (-2.0..=width + 2.0).contains(&x) && (-2.0..=height + 2.0).contains(&y)
        });
        glyph_count += out.glyphs.len();
        unmapped += out.glyphs.iter().filter(|g| g.c == '\u{FFFD}').count();
        images += out.images;
        let segs = if options.ignore_rulings {
            Vec::new()
        } else {
            out.segs
        };
        inks.push(PageInk {
            number,
            height,
            glyphs: out.glyphs,
            segs,
        });
    }
    doc.blocks = layout_pages(inks);
    if glyph_count == 0 {
        return Err(if images > 0 {
            PdfError::ImageOnly {
                pages: pages.len(),
                images,
            }
        } else {
            PdfError::NoText { pages: pages.len() }
        });
    }
    if unmapped * 2 > glyph_count {
        return Err(PdfError::NoUnicode {
            glyphs: glyph_count,
            unmapped,
        });
    }
    Ok(doc)
}

/// What one page prints, for [`layout_pages`]: its glyphs and rulings in PDF user space
/// (points, origin at the bottom left, y up). The OFD reader fills it from its own pages.
#[derive(Debug, Default)]
pub(crate) struct PageInk {
    /// The page number, from 1.
    pub number: u32,
    /// The page height in points.
    pub height: f64,
    /// The characters shown on the page.
    pub glyphs: Vec<Glyph>,
    /// The rulings drawn on the page.
    pub segs: Vec<Seg>,
}

/// Pages of positioned text and rulings → blocks: each page laid out into lines and table rows
/// (ruled tables from their rulings, others from spacing), running headers and footers
/// dropped, tables stitched over page breaks, rows tidied.
pub(crate) fn layout_pages(pages: Vec<PageInk>) -> Vec<Block> {
    let layouts = pages
        .into_iter()
        .map(|p| layout::layout_page(p.number, p.height, p.glyphs, &p.segs))
        .collect();
    let mut blocks = join_pages(layouts);
    crate::rows::tidy_rows(&mut blocks);
    blocks
}

/// Joins the pages: running headers and footers (the same margin line on at least half of
/// the pages, two or more) are dropped, and a table that runs over a page break is stitched.
fn join_pages(mut layouts: Vec<layout::PageLayout>) -> Vec<Block> {
    let mut pages_with: HashMap<&str, usize> = HashMap::new();
    for l in &layouts {
        let keys: HashSet<&str> = l.margin_lines.iter().map(|(_, k)| k.as_str()).collect();
        for k in keys {
            *pages_with.entry(k).or_default() += 1;
        }
    }
    let n = layouts.len();
    let running = |k: &str| {
        k.chars().count() >= 2 && pages_with.get(k).is_some_and(|&c| c >= 2 && c * 2 >= n)
    };
    let drop: Vec<HashSet<usize>> = layouts
        .iter()
        .map(|l| {
            l.margin_lines
                .iter()
                .filter(|(_, k)| running(k))
                .map(|(i, _)| *i)
                .collect()
        })
        .collect();
    for i in 1..n {
        let (before, after) = layouts.split_at_mut(i);
        let (prev, next) = (&mut before[i - 1], &mut after[0]);
        if prev.bottom_guard.iter().all(|b| drop[i - 1].contains(b))
            && next.top_guard.iter().all(|b| drop[i].contains(b))
        {
            stitch::stitch(prev, next);
        }
    }
    let mut blocks = Vec::new();
    for (l, drop) in layouts.into_iter().zip(drop) {
        blocks.extend(
            l.blocks
                .into_iter()
                .enumerate()
                .filter(|(i, _)| !drop.contains(i))
                .map(|(_, b)| b),
        );
    }
    blocks
}

/// The matrix taking user space to an upright page with origin at the bottom left, and the
/// upright page's width and height.
fn page_frame(pdf: &lopdf::Document, page_id: lopdf::ObjectId) -> ([f64; 6], (f64, f64)) {
    let mut media = [0.0, 0.0, 595.0, 842.0];
    let mut rotate = 0i64;
    let mut node = pdf.get_dictionary(page_id).ok();
    let (mut have_box, mut have_rot) = (false, false);
    for _ in 0..32 {
        let Some(dict) = node else { break };
        if !have_box {
            for key in [&b"CropBox"[..], b"MediaBox"] {
                if let Some(arr) = obj::get_array(pdf, dict, key) {
                    let v: Vec<f64> = arr.iter().filter_map(|o| obj::num(pdf, o)).collect();
                    if v.len() == 4 && (v[2] - v[0]).abs() > 1.0 && (v[3] - v[1]).abs() > 1.0 {
                        media = [
                            v[0].min(v[2]),
                            v[1].min(v[3]),
                            v[0].max(v[2]),
                            v[1].max(v[3]),
                        ];
                        have_box = true;
                        break;
                    }
                }
            }
        }
        if !have_rot {
            if let Some(r) = obj::get_num(pdf, dict, b"Rotate") {
                rotate = (r as i64).rem_euclid(360);
                have_rot = true;
            }
        }
        node = dict.get(b"Parent").ok().and_then(|p| obj::as_dict(pdf, p));
    }
    let [x0, y0, x1, y1] = media;
    match rotate {
        90 => ([0.0, -1.0, 1.0, 0.0, -y0, x1], (y1 - y0, x1 - x0)),
        180 => ([-1.0, 0.0, 0.0, -1.0, x1, y1], (x1 - x0, y1 - y0)),
        270 => ([0.0, 1.0, -1.0, 0.0, y1, -x0], (y1 - y0, x1 - x0)),
        _ => ([1.0, 0.0, 0.0, 1.0, -x0, -y0], (x1 - x0, y1 - y0)),
    }
}

fn page_content(pdf: &lopdf::Document, page_id: lopdf::ObjectId) -> Vec<u8> {
    let mut out = Vec::new();
    for id in pdf.get_page_contents(page_id) {
        if let Ok(Object::Stream(s)) = pdf.get_object(id) {
            if let Some(bytes) = obj::stream_bytes(s, PAGE_CONTENT_LIMIT.saturating_sub(out.len()))
            {
                out.extend_from_slice(&bytes);
                out.push(b'\n');
            }
        }
    }
    out
}

fn page_resources(pdf: &lopdf::Document, page_id: lopdf::ObjectId) -> Option<&lopdf::Dictionary> {
    let mut node = pdf.get_dictionary(page_id).ok();
    for _ in 0..32 {
        let dict = node?;
        if let Some(res) = obj::get_dict(pdf, dict, b"Resources") {
            return Some(res);
        }
        node = dict.get(b"Parent").ok().and_then(|p| obj::as_dict(pdf, p));
    }
    None
}

/// The Info dictionary's /Title, decoded from UTF-16 (with BOM) or PDFDocEncoding.
fn title(pdf: &lopdf::Document) -> Option<String> {
    let info = obj::get_dict(pdf, &pdf.trailer, b"Info")?;
    let Some(Object::String(bytes, _)) = obj::get(pdf, info, b"Title") else {
        return None;
    };
    let text = if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        cmap::utf16be(rest)
    } else if let Some(rest) = bytes.strip_prefix(&[0xff, 0xfe]) {
        let swapped: Vec<u8> = rest
            .chunks(2)
            .flat_map(|c| [*c.get(1).unwrap_or(&0), c[0]])
            .collect();
        cmap::utf16be(&swapped)
    } else if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        bytes.iter().map(|&b| char::from(b)).collect()
    };
    let text = text.trim().to_string();
    (!text.is_empty()).then_some(text)
}
