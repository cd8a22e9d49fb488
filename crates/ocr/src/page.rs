//! Document bytes (an image-only PDF or OFD) → one grey page image per page, in page order.
//!
//! A scan prints each page as an embedded image; the largest image placed on a page is taken
//! as that page's scan (a stamp or a logo beside it is smaller). PDF: the page's image
//! XObjects (its own and those of form XObjects it draws), decoded from `DCTDecode` (JPEG) or
//! from raw samples (`FlateDecode` or none) in DeviceGray / DeviceRGB / DeviceCMYK / ICCBased
//! with 8 or 1 bits per component. OFD: the page's `ImageObject`s, each naming a
//! `MultiMedia` resource file (PNG or JPEG) in the zip. Other encodings (CCITT fax, JBIG2,
//! JPEG 2000) are named in the error with their page, never guessed.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use image::GrayImage;
use lopdf::{Dictionary, Object, ObjectId, Stream};

use nianbao_parser::ofd::resolve;

use crate::OcrError;

/// The most pixels a page image may have (a 600-dpi A3 scan has about 70 million): a larger
/// one is refused rather than decoded, whatever its header claims.
const MAX_PIXELS: u64 = 120_000_000;
/// The most bytes read from one part of an OFD package.
const MAX_PART_BYTES: u64 = 256 * 1024 * 1024;
/// How deep form XObjects are followed when looking for a page's images.
const MAX_FORM_DEPTH: usize = 4;

/// The page images of a PDF or OFD (told apart by their first bytes), one per page, in
/// order. Every page must carry an image: a page without one is an error naming it.
pub fn page_images(bytes: &[u8]) -> Result<Vec<GrayImage>, OcrError> {
    if bytes.starts_with(b"%PDF") || find_pdf_header(bytes) {
        pdf_page_images(bytes)
    } else if bytes.starts_with(b"PK\x03\x04") {
        ofd_page_images(bytes)
    } else {
        Err(document_error("neither a PDF nor an OFD"))
    }
}

/// Some PDFs carry junk before `%PDF` (the standard allows 1024 bytes of it).
/// The page images of a document, or a lone page image (PNG or JPEG) as its one page: what the
/// examples take on their command line. On neither, the document's error.
pub fn page_images_or_image(bytes: &[u8]) -> Result<Vec<GrayImage>, OcrError> {
    page_images(bytes).or_else(|e| {
        image::load_from_memory(bytes)
            .map(|i| vec![i.to_luma8()])
            .map_err(|_| e)
    })
}

fn find_pdf_header(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(1024)]
        .windows(4)
        .any(|w| w == b"%PDF")
}

fn document_error(reason: impl Into<String>) -> OcrError {
    OcrError::Page {
        page: 0,
        reason: reason.into(),
    }
}

fn page_error(page: usize, reason: impl Into<String>) -> OcrError {
    OcrError::Page {
        page,
        reason: reason.into(),
    }
}

/// The page images of a PDF: the largest image each page draws.
pub fn pdf_page_images(bytes: &[u8]) -> Result<Vec<GrayImage>, OcrError> {
    // lopdf is hardened against hostile input, but a panic there must not take the caller
    // down (the parser's PDF reader does the same).
    std::panic::catch_unwind(|| read_pdf_pages(bytes))
        .unwrap_or_else(|_| Err(document_error("the PDF library failed on this file")))
}

fn read_pdf_pages(bytes: &[u8]) -> Result<Vec<GrayImage>, OcrError> {
    let doc = lopdf::Document::load_mem(bytes)
        .map_err(|e| document_error(format!("not a readable PDF: {e}")))?;
    if doc.is_encrypted() {
        return Err(document_error("the PDF is encrypted"));
    }
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(document_error("the PDF has no pages"));
    }
    pages
        .iter()
        .map(|(&number, &id)| {
            let page = number as usize;
            let stream = largest_page_image(&doc, id)
                .ok_or_else(|| page_error(page, "the page carries no image"))?;
            decode_pdf_image(&doc, stream).map_err(|reason| page_error(page, reason))
        })
        .collect()
}

/// The largest image XObject (by its pixel count) that the page's resources offer.
fn largest_page_image(doc: &lopdf::Document, page: ObjectId) -> Option<&Stream> {
    let (direct, ids) = doc.get_page_resources(page).ok()?;
    let mut found = Vec::new();
    let dicts = direct
        .into_iter()
        .chain(ids.iter().filter_map(|id| doc.get_dictionary(*id).ok()));
    for resources in dicts {
        collect_images(doc, resources, 0, &mut found);
    }
    found.into_iter().max_by_key(|s| pixel_count(s))
}

/// Images of a resource dictionary, and of the form XObjects it holds (to a bounded depth).
fn collect_images<'a>(
    doc: &'a lopdf::Document,
    resources: &'a Dictionary,
    depth: usize,
    out: &mut Vec<&'a Stream>,
) {
    let Some(xobjects) = resources
        .get_deref(b"XObject", doc)
        .ok()
        .and_then(|o| o.as_dict().ok())
    else {
        return;
    };
    for (_, value) in xobjects.iter() {
        let Ok(stream) = doc.dereference(value).and_then(|(_, o)| o.as_stream()) else {
            continue;
        };
        match stream.dict.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Image") => out.push(stream),
            Ok(b"Form") if depth < MAX_FORM_DEPTH => {
                if let Some(inner) = stream
                    .dict
                    .get_deref(b"Resources", doc)
                    .ok()
                    .and_then(|o| o.as_dict().ok())
                {
                    collect_images(doc, inner, depth + 1, out);
                }
            }
            _ => {}
        }
    }
}

fn dimension(stream: &Stream, key: &[u8]) -> u32 {
    stream
        .dict
        .get(key)
        .and_then(Object::as_i64)
        .ok()
        .and_then(|v| u32::try_from(v).ok())
        .unwrap_or(0)
}

fn pixel_count(stream: &Stream) -> u64 {
    u64::from(dimension(stream, b"Width")) * u64::from(dimension(stream, b"Height"))
}

/// One image XObject → grey pixels; the error says what could not be decoded.
fn decode_pdf_image(doc: &lopdf::Document, stream: &Stream) -> Result<GrayImage, String> {
    let (width, height) = (dimension(stream, b"Width"), dimension(stream, b"Height"));
    if width == 0 || height == 0 {
        return Err("its image has no width or height".into());
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(format!(
            "its image of {width}×{height} pixels is larger than {MAX_PIXELS} pixels"
        ));
    }
    let filters: Vec<String> = stream
        .filters()
        .map(|f| {
            f.iter()
                .map(|n| String::from_utf8_lossy(n).into_owned())
                .collect()
        })
        .unwrap_or_default();
    match filters.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["DCTDecode"] | ["DCT"] => decode_jpeg(&stream.content),
        [] | ["FlateDecode"] | ["Fl"] => {
            let samples = stream
                .decompressed_content_with_limit(raw_limit(width, height))
                .map_err(|e| format!("its image data cannot be inflated: {e}"))?;
            raw_to_gray(doc, stream, &samples, width, height)
        }
        _ => Err(format!(
            "its image is encoded as {} (only DCTDecode and FlateDecode images are read)",
            filters.join("+")
        )),
    }
}

/// The most bytes a raw image of this size can need (4 components of 8 bits, no padding
/// beyond a byte per row).
fn raw_limit(width: u32, height: u32) -> usize {
    usize::try_from((u64::from(width) * 4 + 1) * u64::from(height)).unwrap_or(usize::MAX)
}

/// A JPEG's own size rules where the image dictionary disagrees: all later geometry is in the
/// decoded image's pixels.
fn decode_jpeg(bytes: &[u8]) -> Result<GrayImage, String> {
    let image = image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg)
        .map_err(|e| format!("its JPEG image cannot be decoded: {e}"))?;
    Ok(image.to_luma8())
}

/// Colour components per pixel of an image's colour space, followed through ICCBased (`N`).
fn components(doc: &lopdf::Document, stream: &Stream) -> Result<u32, String> {
    if matches!(
        stream.dict.get(b"ImageMask").and_then(Object::as_bool),
        Ok(true)
    ) {
        return Ok(1);
    }
    let space = stream
        .dict
        .get_deref(b"ColorSpace", doc)
        .map_err(|_| "its image has no colour space".to_string())?;
    let name = match space {
        Object::Name(n) => n.clone(),
        Object::Array(a) => match a.first() {
            Some(Object::Name(n)) if n == b"ICCBased" => {
                let n = a
                    .get(1)
                    .and_then(|o| doc.dereference(o).ok())
                    .and_then(|(_, o)| o.as_stream().ok())
                    .and_then(|s| s.dict.get(b"N").and_then(Object::as_i64).ok());
                return match n {
                    Some(1) => Ok(1),
                    Some(3) => Ok(3),
                    Some(4) => Ok(4),
                    _ => Err("its image has an ICC colour space without a usable N".into()),
                };
            }
            Some(Object::Name(n)) => n.clone(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    match &name[..] {
        b"DeviceGray" | b"G" | b"CalGray" => Ok(1),
        b"DeviceRGB" | b"RGB" | b"CalRGB" => Ok(3),
        b"DeviceCMYK" | b"CMYK" => Ok(4),
        other => Err(format!(
            "its image's colour space {} is not read (DeviceGray, DeviceRGB, DeviceCMYK, ICCBased)",
            String::from_utf8_lossy(other)
        )),
    }
}

/// Raw samples (rows padded to whole bytes) → grey, by the image's colour space and bit depth.
fn raw_to_gray(
    doc: &lopdf::Document,
    stream: &Stream,
    samples: &[u8],
    width: u32,
    height: u32,
) -> Result<GrayImage, String> {
    let n = components(doc, stream)?;
    let mask = matches!(
        stream.dict.get(b"ImageMask").and_then(Object::as_bool),
        Ok(true)
    );
    let bits = if mask {
        1
    } else {
        stream
            .dict
            .get(b"BitsPerComponent")
            .and_then(Object::as_i64)
            .unwrap_or(8)
    };
    // `/Decode [1 0]` inverts the samples (common on 1-bit scans); a stencil mask paints
    // where the sample is 0 unless inverted.
    let inverted = stream
        .dict
        .get(b"Decode")
        .and_then(Object::as_array)
        .ok()
        .and_then(|a| a.first())
        .and_then(|o| o.as_float().ok())
        .is_some_and(|first| first > 0.5);
    let (w, h) = (width as usize, height as usize);
    let row_bytes = match bits {
        8 => w * n as usize,
        1 if n == 1 => w.div_ceil(8),
        other => {
            return Err(format!(
                "its image has {other} bits per component with {n} components (8, or 1 for grey, are read)"
            ))
        }
    };
    if samples.len() < row_bytes * h {
        return Err(format!(
            "its image data is {} bytes, {} are needed for {width}×{height}",
            samples.len(),
            row_bytes * h
        ));
    }
    let mut out = GrayImage::new(width, height);
    for (y, row) in samples.chunks(row_bytes).take(h).enumerate() {
        for x in 0..w {
            let v = match (bits, n) {
                (1, _) => {
                    let bit = (row[x / 8] >> (7 - x % 8)) & 1;
                    if bit == 1 {
                        255
                    } else {
                        0
                    }
                }
                (_, 1) => row[x],
                (_, 3) => luma(row[3 * x], row[3 * x + 1], row[3 * x + 2]),
                _ => {
                    let k = u16::from(row[4 * x + 3]);
                    let c = |v: u8| (255 - u16::from(v).min(255)) * (255 - k) / 255;
                    let [r, g, b] = [row[4 * x], row[4 * x + 1], row[4 * x + 2]].map(c);
                    luma(r as u8, g as u8, b as u8)
                }
            };
            let v = if inverted { 255 - v } else { v };
            out.put_pixel(x as u32, y as u32, image::Luma([v]));
        }
    }
    Ok(out)
}

/// ITU-R BT.601 luma, in integers.
fn luma(r: u8, g: u8, b: u8) -> u8 {
    let v = (299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) / 1000;
    v.min(255) as u8
}

/// The page images of an OFD: for each page, the `MultiMedia` file of its largest
/// `ImageObject` (by its boundary's area).
pub fn ofd_page_images(bytes: &[u8]) -> Result<Vec<GrayImage>, OcrError> {
    std::panic::catch_unwind(|| read_ofd_pages(bytes))
        .unwrap_or_else(|_| Err(document_error("the OFD could not be read")))
}

/// The zip package of an OFD with case- and separator-tolerant lookup of its parts.
struct Package<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
}

impl Package<'_> {
    fn find(&self, path: &str) -> Option<String> {
        let want = path
            .replace('\\', "/")
            .trim_start_matches('/')
            .to_lowercase();
        self.zip
            .file_names()
            .flatten()
            .find(|n| n.replace('\\', "/").trim_start_matches('/').to_lowercase() == want)
            .map(|n| n.to_string())
    }

    fn bytes(&mut self, path: &str) -> Result<Vec<u8>, String> {
        let name = self
            .find(path)
            .ok_or_else(|| format!("the OFD has no part {path}"))?;
        let file = self
            .zip
            .by_name(&name)
            .map_err(|e| format!("the OFD part {path} cannot be read: {e}"))?;
        let mut raw = Vec::new();
        file.take(MAX_PART_BYTES + 1)
            .read_to_end(&mut raw)
            .map_err(|e| format!("the OFD part {path} cannot be read: {e}"))?;
        if raw.len() as u64 > MAX_PART_BYTES {
            return Err(format!(
                "the OFD part {path} is larger than {MAX_PART_BYTES} bytes"
            ));
        }
        Ok(raw)
    }

    fn text(&mut self, path: &str) -> Result<String, String> {
        self.bytes(path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// One XML element seen by [`elements`]: its local name, attributes and text.
struct Element {
    name: String,
    attrs: HashMap<String, String>,
    text: String,
}

/// Every element of an XML document with its attributes and direct text (enough for the
/// few OFD parts read here, which are small).
fn elements(xml: &str) -> Vec<Element> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = false;
    let mut out: Vec<Element> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                out.push(element_of(&e));
                open.push(out.len() - 1);
            }
            Ok(Event::Empty(e)) => out.push(element_of(&e)),
            Ok(Event::Text(t)) => {
                if let Some(&i) = open.last() {
                    out[i].text.push_str(&t.xml10_content());
                }
            }
            Ok(Event::End(_)) => {
                open.pop();
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    out
}

fn element_of(e: &quick_xml::events::BytesStart<'_>) -> Element {
    let attrs = e
        .attributes()
        .flatten()
        .map(|a| (a.key.local_name().as_ref().to_string(), a.value.to_string()))
        .collect();
    Element {
        name: e.local_name().as_ref().to_string(),
        attrs,
        text: String::new(),
    }
}

fn first_text(els: &[Element], name: &str) -> Option<String> {
    els.iter()
        .find(|e| e.name == name && !e.text.trim().is_empty())
        .map(|e| e.text.trim().to_string())
}

fn read_ofd_pages(bytes: &[u8]) -> Result<Vec<GrayImage>, OcrError> {
    let zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| document_error(format!("not a readable OFD (zip): {e}")))?;
    let mut pkg = Package { zip };
    let entry = elements(&pkg.text("OFD.xml").map_err(document_error)?);
    let root =
        first_text(&entry, "DocRoot").ok_or_else(|| document_error("OFD.xml names no DocRoot"))?;
    let root = resolve("", &root);
    let doc_dir = parent(&root).to_string();
    let document = elements(&pkg.text(&root).map_err(document_error)?);
    let media = multimedia(&mut pkg, &document, &doc_dir);
    let pages: Vec<String> = document
        .iter()
        .filter(|e| e.name == "Page")
        .filter_map(|e| e.attrs.get("BaseLoc"))
        .map(|loc| resolve(&doc_dir, loc))
        .collect();
    if pages.is_empty() {
        return Err(document_error("the OFD lists no pages"));
    }
    pages
        .iter()
        .enumerate()
        .map(|(i, loc)| ofd_page_image(&mut pkg, loc, &media).map_err(|r| page_error(i + 1, r)))
        .collect()
}

/// `MultiMedia` ID → its file's path in the package, from the document's resource parts
/// (`PublicRes`, `DocumentRes`; each `Res` has a `BaseLoc` folder for its files).
fn multimedia(
    pkg: &mut Package<'_>,
    document: &[Element],
    doc_dir: &str,
) -> HashMap<String, String> {
    let mut media = HashMap::new();
    let res_parts: Vec<String> = document
        .iter()
        .filter(|e| e.name == "PublicRes" || e.name == "DocumentRes")
        .map(|e| resolve(doc_dir, e.text.trim()))
        .collect();
    for part in res_parts {
        let Ok(xml) = pkg.text(&part) else { continue };
        let els = elements(&xml);
        let base = els
            .iter()
            .find(|e| e.name == "Res")
            .and_then(|e| e.attrs.get("BaseLoc"))
            .map_or_else(|| parent(&part).to_string(), |b| resolve(parent(&part), b));
        let mut current: Option<String> = None;
        for e in &els {
            match e.name.as_str() {
                "MultiMedia" => current = e.attrs.get("ID").cloned(),
                "MediaFile" => {
                    if let Some(id) = current.take() {
                        media.insert(id, resolve(&base, e.text.trim()));
                    }
                }
                _ => {}
            }
        }
    }
    media
}

fn ofd_page_image(
    pkg: &mut Package<'_>,
    loc: &str,
    media: &HashMap<String, String>,
) -> Result<GrayImage, String> {
    let content = elements(&pkg.text(loc)?);
    let area = |e: &Element| {
        let b: Vec<f64> = e
            .attrs
            .get("Boundary")
            .map(|s| {
                s.split_whitespace()
                    .filter_map(|v| v.parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        if b.len() == 4 {
            b[2] * b[3]
        } else {
            0.0
        }
    };
    let image = content
        .iter()
        .filter(|e| e.name == "ImageObject")
        .max_by(|a, b| area(a).total_cmp(&area(b)))
        .ok_or("the page carries no image")?;
    let id = image
        .attrs
        .get("ResourceID")
        .ok_or("its ImageObject has no ResourceID")?;
    let file = media
        .get(id)
        .ok_or_else(|| format!("its image resource {id} is not declared"))?;
    let bytes = pkg.bytes(file)?;
    let decoded = image::load_from_memory(&bytes)
        .map_err(|e| format!("its image {file} cannot be decoded: {e}"))?;
    if u64::from(decoded.width()) * u64::from(decoded.height()) > MAX_PIXELS {
        return Err(format!(
            "its image {file} is larger than {MAX_PIXELS} pixels"
        ));
    }
    Ok(decoded.to_luma8())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    /// A PDF whose pages each draw the given image XObjects (dictionary, data).
    fn pdf_with(pages: Vec<Vec<(Dictionary, Vec<u8>)>>) -> Vec<u8> {
        let mut doc = lopdf::Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let mut kids = Vec::new();
        for images in pages {
            let mut xobjects = Dictionary::new();
            for (i, (dict, data)) in images.into_iter().enumerate() {
                let id = doc.add_object(Stream::new(dict, data));
                xobjects.set(format!("Im{i}"), id);
            }
            let content = doc.add_object(Stream::new(
                dictionary! {},
                b"q 595 0 0 842 0 0 cm /Im0 Do Q".to_vec(),
            ));
            let page = doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content,
                "Resources" => dictionary! { "XObject" => xobjects },
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            });
            kids.push(Object::from(page));
        }
        let count = kids.len() as i64;
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).expect("save");
        out
    }

    fn gray_dict(w: i64, h: i64) -> Dictionary {
        dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => w, "Height" => h,
        "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8 }
    }

    #[test]
    fn raw_gray_and_rgb_images_decode_to_their_pixels() {
        let gray = (gray_dict(3, 2), vec![0, 100, 255, 10, 20, 30]);
        let mut rgb_dict = gray_dict(2, 1);
        rgb_dict.set("ColorSpace", "DeviceRGB");
        let rgb = (rgb_dict, vec![255, 255, 255, 255, 0, 0]);
        let pages = page_images(&pdf_with(vec![vec![gray], vec![rgb]])).expect("pages");
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[0].as_raw(), &vec![0, 100, 255, 10, 20, 30]);
        assert_eq!(pages[1].as_raw(), &vec![255, 76]);
    }

    #[test]
    fn one_bit_images_unpack_and_honour_decode() {
        let mut d = gray_dict(10, 1);
        d.set("BitsPerComponent", 1);
        let plain = (d.clone(), vec![0b1010_0000, 0b1100_0000]);
        d.set("Decode", vec![1.into(), 0.into()]);
        let inverted = (d, vec![0b1010_0000, 0b1100_0000]);
        let pages = page_images(&pdf_with(vec![vec![plain], vec![inverted]])).expect("pages");
        assert_eq!(
            pages[0].as_raw(),
            &vec![255, 0, 255, 0, 0, 0, 0, 0, 255, 255]
        );
        assert_eq!(
            pages[1].as_raw(),
            &vec![0, 255, 0, 255, 255, 255, 255, 255, 0, 0]
        );
    }

    #[test]
    fn the_largest_image_of_a_page_is_its_scan() {
        let stamp = (gray_dict(2, 2), vec![7; 4]);
        let scan = (gray_dict(4, 3), vec![200; 12]);
        let pages = page_images(&pdf_with(vec![vec![stamp, scan]])).expect("pages");
        assert_eq!(pages[0].dimensions(), (4, 3));
    }

    #[test]
    fn jpeg_images_decode() {
        let mut img = GrayImage::new(16, 8);
        for (x, _, p) in img.enumerate_pixels_mut() {
            p.0[0] = if x < 8 { 0 } else { 255 };
        }
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
            .encode_image(&img)
            .expect("jpeg");
        let mut d = gray_dict(16, 8);
        d.set("Filter", "DCTDecode");
        let pages = page_images(&pdf_with(vec![vec![(d, jpeg)]])).expect("pages");
        assert_eq!(pages[0].dimensions(), (16, 8));
        assert!(pages[0].get_pixel(2, 4).0[0] < 40 && pages[0].get_pixel(13, 4).0[0] > 215);
    }

    #[test]
    fn errors_name_the_page_and_the_encoding() {
        let good = (gray_dict(1, 1), vec![0]);
        let mut fax = gray_dict(8, 8);
        fax.set("Filter", "CCITTFaxDecode");
        let bad = (fax, vec![0; 8]);
        let err = page_images(&pdf_with(vec![vec![good], vec![bad]])).expect_err("fax");
        let msg = err.to_string();
        assert!(
            msg.starts_with("page 2:") && msg.contains("CCITTFaxDecode"),
            "{msg}"
        );
        let empty = pdf_with(vec![vec![]]);
        let msg = page_images(&empty).expect_err("no image").to_string();
        assert_eq!(msg, "page 1: the page carries no image");
        let short = (gray_dict(4, 4), vec![0; 5]);
        let msg = page_images(&pdf_with(vec![vec![short]]))
            .expect_err("short")
            .to_string();
        assert!(msg.contains("5 bytes, 16 are needed"), "{msg}");
        assert!(page_images(b"hello").is_err());
    }
}

/// Scans written by the fixtures' writers (as the demo's scan is) read back: the pages in
/// order, their pixels within JPEG's error, the grid drawn on them found again.
#[cfg(test)]
mod round_trip {
    use super::*;
    use crate::grid::{deskew, find_grids};
    use crate::synthetic::{blank_page, cell, draw_table, place, Frame, SOLID};

    fn jpeg(img: &GrayImage) -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
            .encode_image(img)
            .expect("jpeg");
        out
    }

    fn pages() -> Vec<GrayImage> {
        let mut first = blank_page(827, 1170);
        let rows = vec![vec![cell(1, 2, 1)], vec![cell(2, 1, 1), cell(3, 1, 1)]];
        let (cells, _) = place(&rows);
        let frame = Frame {
            x: 100,
            y: 200,
            col_w: vec![300, 300],
            row_h: vec![60, 60],
            unit: 4,
        };
        draw_table(&mut first, &cells, &frame, SOLID);
        let second = blank_page(827, 1170);
        vec![first, second]
    }

    fn assert_same(read: &[GrayImage], drawn: &[GrayImage]) {
        assert_eq!(read.len(), drawn.len());
        for (r, d) in read.iter().zip(drawn) {
            assert_eq!(r.dimensions(), d.dimensions());
            let worst = r
                .as_raw()
                .iter()
                .zip(d.as_raw())
                .map(|(a, b)| a.abs_diff(*b))
                .max();
            assert!(worst.is_some_and(|w| w < 96), "{worst:?}");
        }
        let grids = find_grids(&deskew(&read[0]), 1);
        assert_eq!(grids.len(), 1);
        assert_eq!((grids[0].rows.len(), grids[0].cols.len()), (2, 2));
    }

    #[test]
    fn an_image_only_pdf_gives_back_its_pages() {
        let drawn = pages();
        let jpegs: Vec<Vec<u8>> = drawn.iter().map(jpeg).collect();
        let pdf = nianbao_fixtures::docs::render_scan_images(&jpegs, "扫描件").expect("pdf");
        // The parser names it a scan (no text layer): the OCR is what can read it.
        let parsed = nianbao_parser::pdf::read_pdf(&pdf);
        assert!(
            matches!(
                parsed,
                Err(nianbao_parser::pdf::PdfError::ImageOnly { pages: 2, .. })
            ),
            "{parsed:?}"
        );
        assert_same(&pdf_page_images(&pdf).expect("pages"), &drawn);
        assert_same(&page_images(&pdf).expect("pages"), &drawn);
    }

    #[test]
    fn an_image_only_ofd_gives_back_its_pages() {
        let drawn = pages();
        let jpegs: Vec<Vec<u8>> = drawn.iter().map(jpeg).collect();
        let ofd = nianbao_fixtures::ofd::render_ofd_scan_images(&jpegs, "扫描件").expect("ofd");
        assert_same(&page_images(&ofd).expect("pages"), &drawn);
        // The fixtures' placeholder scan: one 1×1 PNG on every page.
        let placeholder = nianbao_fixtures::ofd::render_ofd_scan(2, "扫描件").expect("ofd");
        let read = page_images(&placeholder).expect("pages");
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].dimensions(), (1, 1));
    }
}
