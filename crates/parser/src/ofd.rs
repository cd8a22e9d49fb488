//! OFD bytes (GB/T 33190: a zip of XML parts) → [`Document`]: `OFD.xml` names the document,
//! its `Document.xml` lists the pages, and each page's `Content.xml` places text
//! (`TextObject` with `TextCode` runs: X, Y, DeltaX, DeltaY in millimetres, y downward) and
//! paths (`PathObject`, the table rulings). Text and paths are turned into the PDF reader's
//! glyphs and ruling segments (points, y upward), so the one layout engine rebuilds lines,
//! ruled and unruled tables, and tables running over page breaks. Pure; an OFD with images
//! but no text is named as needing OCR, never guessed.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};

use nianbao_model::document::Document;

use crate::pdf::{layout_pages, path_segs, Glyph, PageInk, Seg};
use crate::sniff::{sniff, Format};

/// Largest decompressed XML part read.
const XML_LIMIT: u64 = 64 << 20;
/// Pages beyond this are not read (a report has a handful).
const MAX_PAGES: usize = 2_000;
/// Glyphs kept over the whole document.
const MAX_GLYPHS: usize = 4_000_000;
/// Rulings kept per page.
const MAX_SEGS_PER_PAGE: usize = 200_000;
/// Path points read per path.
const MAX_PATH_POINTS: usize = 100_000;
/// Points per millimetre.
const PT_PER_MM: f64 = 72.0 / 25.4;
/// A4, the page box when neither the page nor the document gives one.
const A4: [f64; 4] = [0.0, 0.0, 210.0, 297.0];

/// Why an OFD could not be read into a [`Document`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OfdError {
    /// The bytes are no zip archive holding `OFD.xml`; holds what they were sniffed as.
    #[error("not an OFD: the bytes look like a {0}")]
    NotOfd(Format),
    /// The zip archive or one of its parts could not be opened or decompressed.
    #[error("the OFD archive is unreadable: {0}")]
    Zip(String),
    /// A part the document needs is missing: `OFD.xml`'s `DocRoot` or the document it names.
    #[error("the OFD has no {0}")]
    MissingPart(String),
    /// An XML part decompresses to more than 64 MiB.
    #[error("{0} in the OFD is larger than {XML_LIMIT} bytes")]
    TooLarge(String),
    /// The document lists no pages.
    #[error("the OFD has no pages")]
    NoPages,
    /// No text was found on the pages, but images were: a scan, which needs OCR.
    #[error("the OFD has no text ({pages} pages, {images} images): a scan, which needs OCR")]
    ImageOnly {
        /// Pages listed by the document.
        pages: usize,
        /// Images placed on the pages read.
        images: usize,
    },
    /// No text and no images were found on the pages.
    #[error("the OFD has no text and no images ({pages} pages)")]
    NoText {
        /// Pages listed by the document.
        pages: usize,
    },
    /// More than half of the characters are private-use code points: the producer wrote glyph
    /// codes of an embedded font instead of text, which cannot be read without the font.
    #[error("the OFD's text is not Unicode: {unmapped} of {glyphs} characters are glyph codes of an embedded font")]
    NoUnicode {
        /// Characters placed on the pages read.
        glyphs: usize,
        /// Those of them in a private-use area.
        unmapped: usize,
    },
    /// The reader panicked (caught); a bug in nianbao or a dependency, not in the file.
    #[error("internal error while reading the OFD (a bug: please report the file)")]
    Internal,
}

/// Reads an OFD into blocks: one `Row` per printed table row, one `Line` per line of text,
/// located as `page P row R col C`.
pub fn read_ofd(bytes: &[u8]) -> Result<Document, OfdError> {
    match sniff(bytes) {
        Format::Ofd => {}
        other => return Err(OfdError::NotOfd(other)),
    }
    std::panic::catch_unwind(|| read(bytes)).unwrap_or(Err(OfdError::Internal))
}

/// The zip archive and its entry names.
struct Package<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    names: Vec<String>,
}

impl Package<'_> {
    /// The part `loc` names, relative to the folder `dir`; some producers write locations
    /// relative to the package root instead, which is tried second.
    fn read_loc(&mut self, dir: &str, loc: &str) -> Result<String, OfdError> {
        let first = resolve(dir, loc);
        if self.find(&first).is_none() {
            let root = resolve("", loc);
            if self.find(&root).is_some() {
                return self.read(&root);
            }
        }
        self.read(&first)
    }

    /// The entry for `path`: exact, else ignoring case and `\` separators.
    fn find(&self, path: &str) -> Option<String> {
        if self.names.iter().any(|n| n == path) {
            return Some(path.to_string());
        }
        let want = path.replace('\\', "/").to_lowercase();
        self.names
            .iter()
            .find(|n| n.replace('\\', "/").trim_start_matches('/').to_lowercase() == want)
            .cloned()
    }

    fn read(&mut self, path: &str) -> Result<String, OfdError> {
        let name = self
            .find(path)
            .ok_or_else(|| OfdError::MissingPart(path.to_string()))?;
        let file = self
            .zip
            .by_name(&name)
            .map_err(|e| OfdError::Zip(e.to_string()))?;
        let mut raw = Vec::new();
        file.take(XML_LIMIT + 1)
            .read_to_end(&mut raw)
            .map_err(|e| OfdError::Zip(e.to_string()))?;
        if raw.len() as u64 > XML_LIMIT {
            return Err(OfdError::TooLarge(path.to_string()));
        }
        Ok(crate::docx::decode_xml(&raw))
    }
}

/// `loc` (a `BaseLoc` or `DocRoot`) resolved against the folder `dir`: absolute when it starts
/// with `/`; `.` and `..` segments folded. Public for the OCR's OFD page images.
pub fn resolve(dir: &str, loc: &str) -> String {
    let loc = loc.trim().replace('\\', "/");
    let joined = if loc.starts_with('/') {
        loc
    } else {
        format!("{dir}/{loc}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for p in joined.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Numbers of a whitespace- or comma-separated list; anything unreadable is skipped.
fn numbers(s: &str) -> Vec<f64> {
    s.split(|c: char| c.is_whitespace() || c == ',')
        .filter_map(|t| t.parse::<f64>().ok())
        .filter(|v| v.is_finite())
        .collect()
}

/// A `DeltaX`/`DeltaY` list: numbers, with `g N d` standing for N times d.
fn deltas(s: &str, cap: usize) -> Vec<f64> {
    let mut out = Vec::new();
    let mut it = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty());
    while let Some(t) = it.next() {
        if out.len() >= cap {
            break;
        }
        if t == "g" {
            let n = it.next().and_then(|n| n.parse::<usize>().ok()).unwrap_or(0);
            let d = it.next().and_then(|d| d.parse::<f64>().ok()).unwrap_or(0.0);
            let n = n.min(cap - out.len());
            if d.is_finite() {
                out.extend(std::iter::repeat_n(d, n));
            }
        } else if let Ok(d) = t.parse::<f64>() {
            if d.is_finite() {
                out.push(d);
            }
        }
    }
    out
}

/// An attribute by local name, unescaped where possible.
fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| {
            let raw = a.value.to_string();
            quick_xml::escape::unescape(&raw).map_or(raw.clone(), |t| t.into_owned())
        })
}

/// A page box `x y w h` with a positive size.
fn page_box(s: &str) -> Option<[f64; 4]> {
    match numbers(s)[..] {
        [x, y, w, h] if w > 1.0 && h > 1.0 && w < 1e5 && h < 1e5 => Some([x, y, w, h]),
        _ => None,
    }
}

/// What the entry file and the document file say.
#[derive(Debug, Default)]
struct Parts {
    doc_root: Option<String>,
    title: Option<String>,
    page_box: Option<[f64; 4]>,
    pages: Vec<String>,
    templates: HashMap<String, String>,
}

/// Reads `OFD.xml` or `Document.xml` into `parts`: the first `DocRoot` and `Title`, the
/// document's `PhysicalBox`, its pages and template pages.
fn scan_parts(xml: &str, parts: &mut Parts) {
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = false;
    let mut open: Option<&'static str> = None;
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                open = match e.local_name().as_ref() {
                    "DocRoot" if parts.doc_root.is_none() => Some("DocRoot"),
                    "Title" if parts.title.is_none() => Some("Title"),
                    "PhysicalBox" if parts.page_box.is_none() => Some("PhysicalBox"),
                    _ => None,
                };
                text.clear();
            }
            Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                "Page" => {
                    if let Some(loc) = attr(&e, "BaseLoc") {
                        parts.pages.push(loc);
                    }
                }
                "TemplatePage" => {
                    if let (Some(id), Some(loc)) = (attr(&e, "ID"), attr(&e, "BaseLoc")) {
                        parts.templates.insert(id, loc);
                    }
                }
                _ => {}
            },
            Ok(Event::Text(t)) if open.is_some() => text.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) if open.is_some() => text.push_str(&entity(&r)),
            Ok(Event::End(_)) => {
                let t = text.trim().to_string();
                match open.take() {
                    Some("DocRoot") if !t.is_empty() => parts.doc_root = Some(t),
                    Some("Title") if !t.is_empty() => parts.title = Some(t),
                    Some("PhysicalBox") => parts.page_box = page_box(&t),
                    _ => {}
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
}

/// The text of an entity or character reference.
fn entity(r: &quick_xml::events::BytesRef<'_>) -> String {
    match r.resolve_char_ref() {
        Ok(Some(c)) => c.to_string(),
        _ => match &**r {
            "amp" => "&".into(),
            "lt" => "<".into(),
            "gt" => ">".into(),
            "quot" => "\"".into(),
            "apos" => "'".into(),
            _ => String::new(),
        },
    }
}

fn read(bytes: &[u8]) -> Result<Document, OfdError> {
    let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| OfdError::Zip(e.to_string()))?;
    let names = zip.file_names().flatten().map(|n| n.to_string()).collect();
    let mut pkg = Package { zip, names };
    let mut parts = Parts::default();
    scan_parts(&pkg.read("OFD.xml")?, &mut parts);
    let root = parts
        .doc_root
        .take()
        .ok_or_else(|| OfdError::MissingPart("DocRoot in OFD.xml".into()))?;
    let doc_path = resolve("", &root);
    let doc_dir = parent(&doc_path).to_string();
    scan_parts(&pkg.read(&doc_path)?, &mut parts);
    if parts.pages.is_empty() {
        return Err(OfdError::NoPages);
    }
    let mut budget = MAX_GLYPHS;
    let (mut glyphs, mut images, mut unmapped) = (0usize, 0usize, 0usize);
    let mut template_xml: HashMap<String, Option<String>> = HashMap::new();
    let mut inks = Vec::new();
    for (number, loc) in (1u32..).zip(parts.pages.iter().take(MAX_PAGES)) {
        // A page that cannot be read prints nothing; the others are still read.
        let xml = pkg.read_loc(&doc_dir, loc).unwrap_or_default();
        let page = scan_page(&xml);
        let frame = page.page_box.or(parts.page_box).unwrap_or(A4);
        let mut ink = Ink::new(frame, budget);
        ink.page.number = number;
        for id in &page.templates {
            let Some(tpl) = parts.templates.get(id) else {
                continue;
            };
            let tpl_xml = template_xml
                .entry(id.clone())
                .or_insert_with(|| pkg.read_loc(&doc_dir, tpl).ok());
            if let Some(t) = tpl_xml {
                ink.draw(t);
            }
        }
        ink.draw(&xml);
        budget = ink.budget;
        glyphs += ink.page.glyphs.len();
        unmapped += ink.page.glyphs.iter().filter(|g| private_use(g.c)).count();
        images += ink.images;
        inks.push(ink.page);
    }
    if glyphs == 0 {
        let pages = parts.pages.len();
        return Err(if images > 0 {
            OfdError::ImageOnly { pages, images }
        } else {
            OfdError::NoText { pages }
        });
    }
    if unmapped * 2 > glyphs {
        return Err(OfdError::NoUnicode { glyphs, unmapped });
    }
    Ok(Document {
        title: parts.title,
        blocks: layout_pages(inks),
    })
}

/// A code point of a private-use area (or U+FFFD): no character a report prints.
fn private_use(c: char) -> bool {
    matches!(c as u32, 0xE000..=0xF8FF | 0xF0000..=0x10FFFF | 0xFFFD)
}

/// A page's own box and the templates it draws.
#[derive(Debug, Default)]
struct PageHead {
    page_box: Option<[f64; 4]>,
    templates: Vec<String>,
}

fn scan_page(xml: &str) -> PageHead {
    let mut head = PageHead::default();
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = false;
    let (mut in_box, mut text) = (false, String::new());
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                "PhysicalBox" if head.page_box.is_none() => {
                    in_box = true;
                    text.clear();
                }
                // The content holds no page box or template reference.
                "Content" => break,
                _ => {}
            },
            Ok(Event::Empty(e)) if e.local_name().as_ref() == "Template" => {
                if let Some(id) = attr(&e, "TemplateID") {
                    head.templates.push(id);
                }
            }
            Ok(Event::Text(t)) if in_box => text.push_str(&t.xml10_content()),
            Ok(Event::End(_)) if in_box => {
                in_box = false;
                head.page_box = page_box(&text);
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    head
}

/// An object's placement: its boundary's origin (mm) and its CTM.
#[derive(Debug, Clone, Copy)]
struct Place {
    x: f64,
    y: f64,
    ctm: [f64; 6],
}

impl Place {
    fn of(e: &BytesStart<'_>) -> Place {
        let b = attr(e, "Boundary").map(|s| numbers(&s)).unwrap_or_default();
        let ctm = match attr(e, "CTM").map(|s| numbers(&s)).as_deref() {
            Some(&[a, b, c, d, e, f]) => [a, b, c, d, e, f],
            _ => [1.0, 0.0, 0.0, 1.0, 0.0, 0.0],
        };
        Place {
            x: b.first().copied().unwrap_or(0.0),
            y: b.get(1).copied().unwrap_or(0.0),
            ctm,
        }
    }

    /// Object space → page space (mm, y down).
    fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let m = &self.ctm;
        (
            self.x + m[0] * x + m[2] * y + m[4],
            self.y + m[1] * x + m[3] * y + m[5],
        )
    }

    /// How much the CTM scales a vertical length (a font size).
    fn scale(&self) -> f64 {
        let s = (self.ctm[2] * self.ctm[2] + self.ctm[3] * self.ctm[3]).sqrt();
        if s.is_finite() && s > 0.0 {
            s
        } else {
            1.0
        }
    }
}

/// A text run being read: its object's placement and size, where the pen is.
#[derive(Debug, Clone)]
struct TextRun {
    place: Place,
    size: f64,
    pen: (f64, f64),
    code: Option<Code>,
}

#[derive(Debug, Clone)]
struct Code {
    start: (f64, f64),
    dx: Vec<f64>,
    dy: Vec<f64>,
    text: String,
}

/// A path being read.
#[derive(Debug, Clone)]
struct PathRun {
    place: Place,
    stroke: bool,
    fill: bool,
    data: String,
    in_data: bool,
}

/// What one page draws, in PDF space, with the document's glyph budget.
struct Ink {
    frame: [f64; 4],
    page: PageInk,
    budget: usize,
    images: usize,
}

impl Ink {
    fn new(frame: [f64; 4], budget: usize) -> Ink {
        Ink {
            frame,
            page: PageInk {
                number: 0,
                height: frame[3] * PT_PER_MM,
                ..PageInk::default()
            },
            budget,
            images: 0,
        }
    }

    /// Page space (mm, y down) → PDF space (points, y up).
    fn pt(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (
            (x - self.frame[0]) * PT_PER_MM,
            (self.frame[1] + self.frame[3] - y) * PT_PER_MM,
        )
    }

    /// Draws the objects of a page or template content.
    fn draw(&mut self, xml: &str) {
        let mut reader = quick_xml::Reader::from_str(xml);
        reader.config_mut().check_end_names = false;
        let mut text: Option<TextRun> = None;
        let mut path: Option<PathRun> = None;
        loop {
            let event = match reader.read_event() {
                Ok(Event::Eof) | Err(_) => break,
                Ok(ev) => ev,
            };
            match event {
                Event::Start(e)
                    if matches!(e.local_name().as_ref(), "TextObject" | "PathObject")
                        && hidden(&e) =>
                {
                    // An invisible object prints nothing: skip its content.
                    let _ = reader.read_to_end(e.name());
                }
                Event::Start(e) => match e.local_name().as_ref() {
                    "TextObject" => text = Some(text_run(&e)),
                    "TextCode" => {
                        if let Some(run) = text.as_mut() {
                            run.code = Some(code(&e, run));
                        }
                    }
                    "PathObject" => path = Some(path_run(&e)),
                    "AbbreviatedData" => {
                        if let Some(p) = path.as_mut() {
                            p.in_data = true;
                        }
                    }
                    "ImageObject" => self.images += 1,
                    _ => {}
                },
                Event::Empty(e) => match e.local_name().as_ref() {
                    "ImageObject" => self.images += 1,
                    "TextCode" => {
                        // A run without text moves the pen only.
                        if let Some(run) = text.as_mut() {
                            run.pen = code(&e, run).start;
                        }
                    }
                    _ => {}
                },
                Event::Text(t) => push_text(&mut text, &mut path, &t.xml10_content()),
                Event::CData(t) => push_text(&mut text, &mut path, &t.xml10_content()),
                Event::GeneralRef(r) => push_text(&mut text, &mut path, &entity(&r)),
                Event::End(e) => match e.local_name().as_ref() {
                    "TextCode" => {
                        if let Some(run) = text.as_mut() {
                            if let Some(c) = run.code.take() {
                                run.pen = self.show(&run.place, run.size, &c);
                            }
                        }
                    }
                    "TextObject" => text = None,
                    "AbbreviatedData" => {
                        if let Some(p) = path.as_mut() {
                            p.in_data = false;
                        }
                    }
                    "PathObject" => {
                        if let Some(p) = path.take() {
                            self.paint(&p);
                        }
                    }
                    _ => {}
                },
                _ => {}
            }
        }
    }

    /// Places the characters of a run; returns the pen after its last character.
    fn show(&mut self, place: &Place, size: f64, code: &Code) -> (f64, f64) {
        let (mut x, mut y) = code.start;
        let size_pt = size * place.scale() * PT_PER_MM;
        for (i, c) in code.text.chars().enumerate() {
            let natural = if c.is_ascii() { size * 0.5 } else { size };
            let advance = code.dx.get(i).copied().unwrap_or(natural);
            if !c.is_whitespace() && c != '\0' && self.budget > 0 {
                // The advance is the glyph's width unless the text is letter-spaced.
                let w = if advance > 0.0 && advance <= 1.1 * size {
                    advance
                } else {
                    natural
                };
                let corners = [
                    self.pt(place.apply(x, y - 0.8 * size)),
                    self.pt(place.apply(x + w, y + 0.1 * size)),
                ];
                let (x0, x1) = (
                    corners[0].0.min(corners[1].0),
                    corners[0].0.max(corners[1].0),
                );
                let (y0, y1) = (
                    corners[0].1.min(corners[1].1),
                    corners[0].1.max(corners[1].1),
                );
                if [x0, x1, y0, y1, size_pt].iter().all(|v| v.is_finite()) {
                    self.budget -= 1;
                    self.page.glyphs.push(Glyph {
                        c,
                        x0,
                        x1,
                        y0,
                        y1,
                        size: size_pt,
                    });
                }
            }
            x += advance;
            if let Some(d) = code.dy.get(i) {
                y += d;
            }
        }
        (x, y)
    }

    /// Turns a path into rulings.
    fn paint(&mut self, p: &PathRun) {
        let subpaths: Vec<Vec<(f64, f64)>> = path_points(&p.data)
            .into_iter()
            .map(|sub| {
                sub.into_iter()
                    .map(|(x, y)| self.pt(p.place.apply(x, y)))
                    .collect()
            })
            .collect();
        let segs = &mut self.page.segs;
        let mut push = |horizontal: bool, pos: f64, lo: f64, hi: f64| {
            if hi - lo >= 1.0
                && [pos, lo, hi].iter().all(|v| v.is_finite())
                && segs.len() < MAX_SEGS_PER_PAGE
            {
                segs.push(Seg {
                    horizontal,
                    pos,
                    lo,
                    hi,
                });
            }
        };
        if p.stroke {
            path_segs(&subpaths, false, &mut push);
        }
        if p.fill {
            path_segs(&subpaths, true, &mut push);
        }
    }
}

/// `Visible="false"`.
fn hidden(e: &BytesStart<'_>) -> bool {
    attr(e, "Visible").is_some_and(|v| v.trim() == "false")
}

fn text_run(e: &BytesStart<'_>) -> TextRun {
    let size = attr(e, "Size")
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0 && *s < 1000.0)
        .unwrap_or(3.5);
    TextRun {
        place: Place::of(e),
        size,
        pen: (0.0, size),
        code: None,
    }
}

fn code(e: &BytesStart<'_>, run: &TextRun) -> Code {
    let num = |name: &str| {
        attr(e, name)
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|v| v.is_finite())
    };
    let list = |name: &str| {
        attr(e, name)
            .map(|s| deltas(&s, 100_000))
            .unwrap_or_default()
    };
    Code {
        start: (num("X").unwrap_or(run.pen.0), num("Y").unwrap_or(run.pen.1)),
        dx: list("DeltaX"),
        dy: list("DeltaY"),
        text: String::new(),
    }
}

fn path_run(e: &BytesStart<'_>) -> PathRun {
    let flag = |name: &str, default: bool| {
        attr(e, name).map_or(default, |v| match v.trim() {
            "true" | "1" => true,
            "false" | "0" => false,
            _ => default,
        })
    };
    PathRun {
        place: Place::of(e),
        stroke: flag("Stroke", true),
        fill: flag("Fill", false),
        data: String::new(),
        in_data: false,
    }
}

fn push_text(text: &mut Option<TextRun>, path: &mut Option<PathRun>, s: &str) {
    if let Some(c) = text.as_mut().and_then(|r| r.code.as_mut()) {
        if c.text.len() < 1 << 20 {
            c.text.push_str(s);
        }
    } else if let Some(p) = path.as_mut().filter(|p| p.in_data) {
        if p.data.len() < 1 << 22 {
            p.data.push_str(s);
        }
    }
}

/// `AbbreviatedData` → subpaths of object-space points: `M`/`S` move, `L` line, `Q` and `B`
/// curves (their end points), `A` arcs (the end point), `C` (or `Z`) closes the subpath.
fn path_points(data: &str) -> Vec<Vec<(f64, f64)>> {
    let mut subs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    let mut points = 0usize;
    let mut tokens = data
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .peekable();
    let mut cmd = "M";
    let mut args: Vec<f64> = Vec::new();
    let arity = |c: &str| match c {
        "M" | "S" | "L" => 2,
        "Q" => 4,
        "B" => 6,
        "A" => 7,
        _ => 0,
    };
    while let Some(t) = tokens.next() {
        if points >= MAX_PATH_POINTS {
            break;
        }
        if let Ok(v) = t.parse::<f64>() {
            args.push(if v.is_finite() { v } else { 0.0 });
        } else {
            cmd = match t {
                "M" | "S" | "L" | "Q" | "B" | "A" => t,
                "C" | "Z" | "z" => {
                    if let Some(&first) = cur.first() {
                        cur.push(first);
                    }
                    "L"
                }
                _ => "",
            };
            args.clear();
            if tokens.peek().is_none() {
                break;
            }
            continue;
        }
        let n = arity(cmd);
        if n == 0 || args.len() < n {
            continue;
        }
        let (x, y) = (args[n - 2], args[n - 1]);
        args.clear();
        if matches!(cmd, "M" | "S") {
            if cur.len() > 1 {
                subs.push(std::mem::take(&mut cur));
            }
            cur.clear();
            // Repeated coordinates after a move are lines.
            cur.push((x, y));
            cmd = "L";
        } else {
            cur.push((x, y));
        }
        points += 1;
    }
    if cur.len() > 1 {
        subs.push(cur);
    }
    subs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal OFD: the entry, a document listing one page at `page_loc`, and that page.
    fn package(page_loc: &str, page_path: &str, text: &str) -> Vec<u8> {
        let page = format!(
            r#"<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer><ofd:TextObject ID="1" Boundary="20 20 150 5" Size="4"><ofd:TextCode X="0" Y="4" DeltaX="g 20 4">{text}</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>"#
        );
        let document = format!(
            r#"<ofd:Document><ofd:Pages><ofd:Page ID="1" BaseLoc="{page_loc}"/></ofd:Pages></ofd:Document>"#
        );
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        for (name, text) in [
            ("OFD.xml", "<ofd:OFD><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"),
            ("Doc_0/Document.xml", document.as_str()),
            (page_path, page.as_str()),
        ] {
            zip.start_file(name, opts).expect("start");
            std::io::Write::write_all(&mut zip, text.as_bytes()).expect("write");
        }
        zip.finish().expect("zip").into_inner()
    }

    #[test]
    fn glyph_codes_instead_of_text_are_named() {
        let bytes = package(
            "Pages/Page_0/Content.xml",
            "Doc_0/Pages/Page_0/Content.xml",
            "&#xE001;&#xE002;&#xE003;1",
        );
        assert!(matches!(
            read_ofd(&bytes),
            Err(OfdError::NoUnicode {
                glyphs: 4,
                unmapped: 3
            })
        ));
    }

    #[test]
    fn page_locations_relative_to_the_package_root_are_found() {
        let bytes = package(
            "Doc_0/Pages/Page_0/Content.xml",
            "Doc_0/Pages/Page_0/Content.xml",
            "政府信息公开工作年度报告",
        );
        let doc = read_ofd(&bytes).expect("reads");
        assert!(matches!(
            &doc.blocks[..],
            [nianbao_model::document::Block::Line { text, .. }] if text == "政府信息公开工作年度报告"
        ));
    }

    #[test]
    fn delta_lists_expand_g_runs() {
        assert_eq!(deltas("1 g 3 2.5 4", 100), [1.0, 2.5, 2.5, 2.5, 4.0]);
        assert_eq!(deltas("g 99999999 1", 5).len(), 5);
        assert_eq!(deltas("x g", 5), Vec::<f64>::new());
    }

    #[test]
    fn paths_resolve_against_their_folder() {
        assert_eq!(
            resolve("Doc_0", "Pages/Page_0/Content.xml"),
            "Doc_0/Pages/Page_0/Content.xml"
        );
        assert_eq!(resolve("Doc_0", "/Doc_0/Res.xml"), "Doc_0/Res.xml");
        assert_eq!(resolve("Doc_0/Pages", "../Tpls/T.xml"), "Doc_0/Tpls/T.xml");
        assert_eq!(resolve("", "../../x"), "x");
    }

    #[test]
    fn abbreviated_data_gives_subpaths() {
        assert_eq!(
            path_points("M 0 0 L 10 0 L 10 5 C"),
            vec![vec![(0.0, 0.0), (10.0, 0.0), (10.0, 5.0), (0.0, 0.0)]]
        );
        assert_eq!(
            path_points("M 0 0 L 1 0 M 2 2 L 2 9"),
            vec![vec![(0.0, 0.0), (1.0, 0.0)], vec![(2.0, 2.0), (2.0, 9.0)]]
        );
        assert!(path_points("L L 1 M x B 1 2").is_empty());
    }

    #[test]
    fn text_codes_become_glyphs_in_points_with_y_up() {
        let xml = r#"<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer>
            <ofd:TextObject ID="1" Boundary="10 20 50 5" Font="1" Size="4">
              <ofd:TextCode X="0" Y="4" DeltaX="4 2">一2 </ofd:TextCode>
              <ofd:TextCode DeltaX="2">34</ofd:TextCode>
            </ofd:TextObject>
            <ofd:TextObject ID="2" Boundary="0 0 5 5" Size="4" Visible="false"><ofd:TextCode X="0" Y="4">藏</ofd:TextCode></ofd:TextObject>
            <ofd:PathObject ID="3" Boundary="10 30 100 1"><ofd:AbbreviatedData>M 0 0 L 100 0</ofd:AbbreviatedData></ofd:PathObject>
          </ofd:Layer></ofd:Content></ofd:Page>"#;
        let mut ink = Ink::new(A4, 100);
        ink.draw(xml);
        let chars: String = ink.page.glyphs.iter().map(|g| g.c).collect();
        assert_eq!(chars, "一234");
        let g = &ink.page.glyphs[0];
        assert!((g.x0 - 10.0 * PT_PER_MM).abs() < 1e-9);
        // Baseline at y = 24 mm from the top: the glyph sits below 297 - 24 mm.
        assert!(g.y0 < (297.0 - 24.0) * PT_PER_MM && g.y1 > (297.0 - 24.0) * PT_PER_MM);
        // The second run continues where the first ended (pen after "一2 " = 4 + 2 + 2 mm).
        let g3 = &ink.page.glyphs[2];
        assert!((g3.x0 - 18.0 * PT_PER_MM).abs() < 1e-9, "{g3:?}");
        assert_eq!(ink.page.segs.len(), 1);
        assert!(ink.page.segs[0].horizontal);
        assert!((ink.page.segs[0].pos - (297.0 - 30.0) * PT_PER_MM).abs() < 1e-9);
    }
}
