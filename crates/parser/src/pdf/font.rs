//! PDF fonts → per-code text and advance widths. Type0 (CID) fonts with Identity, UCS-2, UTF-16,
//! GBK/EUC-CN/Big5 or embedded CMaps; simple fonts with base encodings and Differences; a
//! ToUnicode CMap wins over everything. Unknown codes become U+FFFD; nothing here fails.

use std::collections::HashMap;

use encoding_rs::Encoding;
use lopdf::{Dictionary, Document, Object};

use super::cmap::CMap;
use super::glyphs::glyph_name_char;
use super::{obj, truetype};

/// Streams larger than this are not read as CMaps.
const CMAP_LIMIT: usize = 4 << 20;
/// Embedded font programs larger than this are not read.
const FONT_LIMIT: usize = 32 << 20;

/// How a Type0 font's bytes are cut into codes, and what the codes mean without ToUnicode.
#[derive(Debug, Clone)]
enum CidEncoding {
    /// Two-byte codes that are CIDs.
    Identity,
    /// Two-byte codes that are UCS-2 / UTF-16BE code units (UniGB-UCS2-H, UniGB-UTF16-H, …).
    Ucs2,
    /// A legacy multi-byte encoding (GBK-EUC-H, GB-EUC-H, B5pc-H, …): codes are its bytes.
    Legacy(&'static Encoding),
    /// An embedded CMap stream.
    Embedded(CMap),
}

#[derive(Debug, Clone)]
enum Kind {
    Simple {
        base: Box<[char; 256]>,
        widths: Box<[f64; 256]>,
    },
    Cid(Box<CidFont>),
}

#[derive(Debug, Clone)]
struct CidFont {
    encoding: CidEncoding,
    widths: HashMap<u32, f64>,
    /// Without ToUnicode: glyph id → character from the embedded TrueType `cmap`, and the
    /// CIDToGIDMap (identity when absent).
    glyph_chars: HashMap<u16, char>,
    cid_to_gid: Option<Vec<u16>>,
}

/// A font ready to decode shown strings.
#[derive(Debug, Clone)]
pub(crate) struct Font {
    kind: Kind,
    to_unicode: Option<CMap>,
    default_width: f64,
    /// Glyph space → text space (0.001, or a Type3 font's FontMatrix).
    pub scale: f64,
    /// Vertical writing mode (a CMap name ending in `-V`).
    pub vertical: bool,
}

/// The text of one code.
pub(crate) enum CodeText<'a> {
    Char(char),
    Str(&'a str),
}

/// One decoded code of a shown string.
pub(crate) struct Code<'a> {
    pub text: CodeText<'a>,
    /// Advance in glyph space units (usually 1/1000 em).
    pub width: f64,
    /// A single-byte code 32, to which word spacing applies.
    pub word_space: bool,
}

impl Default for Font {
    fn default() -> Self {
        Font {
            kind: Kind::Simple {
                base: Box::new(latin1_table(encoding_rs::WINDOWS_1252)),
                widths: Box::new([500.0; 256]),
            },
            to_unicode: None,
            default_width: 500.0,
            scale: 0.001,
            vertical: false,
        }
    }
}

fn latin1_table(enc: &'static Encoding) -> [char; 256] {
    let mut t = ['\u{FFFD}'; 256];
    for (b, slot) in t.iter_mut().enumerate() {
        let byte = [b as u8];
        let (s, _) = enc.decode_without_bom_handling(&byte);
        if let Some(c) = s.chars().next() {
            *slot = c;
        }
    }
    t
}

fn legacy_encoding(name: &[u8]) -> Option<&'static Encoding> {
    let name = std::str::from_utf8(name).ok()?;
    let stem = name.trim_end_matches("-H").trim_end_matches("-V");
    Some(match stem {
        "GBK-EUC" | "GBKp-EUC" | "GBK2K" | "GB-EUC" | "GBpc-EUC" | "GBT-EUC" | "GBTpc-EUC" => {
            encoding_rs::GBK
        }
        "B5pc" | "ETen-B5" | "HKscs-B5" | "ETenms-B5" | "CNS-EUC" => encoding_rs::BIG5,
        "90ms-RKSJ" | "90msp-RKSJ" | "83pv-RKSJ" | "90pv-RKSJ" => encoding_rs::SHIFT_JIS,
        "EUC" | "KSC-EUC" | "KSCms-UHC" | "KSCpc-EUC" | "KSCms-UHC-HW" => encoding_rs::EUC_KR,
        _ => return None,
    })
}

impl Font {
    /// Reads a font dictionary; missing parts fall back to defaults.
    pub(crate) fn load(doc: &Document, dict: &Dictionary) -> Font {
        let subtype = obj::get_name(doc, dict, b"Subtype").unwrap_or(b"");
        let to_unicode = obj::get_stream(doc, dict, b"ToUnicode")
            .and_then(|s| obj::stream_bytes(s, CMAP_LIMIT))
            .map(|b| CMap::parse(&b))
            .filter(|m| !m.unicode.is_empty());
        if subtype == b"Type0" {
            Self::load_type0(doc, dict, to_unicode)
        } else {
            Self::load_simple(doc, dict, subtype, to_unicode)
        }
    }

    fn load_type0(doc: &Document, dict: &Dictionary, to_unicode: Option<CMap>) -> Font {
        let (encoding, vertical) = match obj::get(doc, dict, b"Encoding") {
            Some(Object::Name(n)) => {
                let vertical = n.ends_with(b"-V");
                let enc = if n.starts_with(b"Identity") {
                    CidEncoding::Identity
                } else if n.starts_with(b"Uni")
                    && (n.windows(4).any(|w| w == b"UCS2") || n.windows(5).any(|w| w == b"UTF16"))
                {
                    CidEncoding::Ucs2
                } else if let Some(e) = legacy_encoding(n) {
                    CidEncoding::Legacy(e)
                } else {
                    CidEncoding::Identity
                };
                (enc, vertical)
            }
            Some(Object::Stream(s)) => {
                let vertical = obj::get_num(doc, &s.dict, b"WMode") == Some(1.0);
                let cmap = obj::stream_bytes(s, CMAP_LIMIT)
                    .map(|b| CMap::parse(&b))
                    .unwrap_or_default();
                if cmap.codespace.is_empty() {
                    (CidEncoding::Identity, vertical)
                } else {
                    (CidEncoding::Embedded(cmap), vertical)
                }
            }
            _ => (CidEncoding::Identity, false),
        };
        let descendant = obj::get_array(doc, dict, b"DescendantFonts")
            .and_then(|a| a.first())
            .and_then(|d| obj::as_dict(doc, d));
        let mut widths = HashMap::new();
        let mut default_width = 1000.0;
        let (mut glyph_chars, mut cid_to_gid) = (HashMap::new(), None);
        if let (None, Some(desc)) = (&to_unicode, descendant) {
            let program = obj::get_dict(doc, desc, b"FontDescriptor")
                .and_then(|fd| obj::get_stream(doc, fd, b"FontFile2"))
                .and_then(|s| obj::stream_bytes(s, FONT_LIMIT));
            if let Some(program) = program {
                glyph_chars = truetype::glyph_chars(&program);
                cid_to_gid = obj::get_stream(doc, desc, b"CIDToGIDMap")
                    .and_then(|s| obj::stream_bytes(s, CMAP_LIMIT))
                    .map(|b| {
                        b.chunks(2)
                            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                            .collect()
                    });
            }
        }
        if let Some(desc) = descendant {
            if let Some(dw) = obj::get_num(doc, desc, b"DW") {
                default_width = dw;
            }
            if let Some(w) = obj::get_array(doc, desc, b"W") {
                parse_cid_widths(doc, w, &mut widths);
            }
        }
        Font {
            kind: Kind::Cid(Box::new(CidFont {
                encoding,
                widths,
                glyph_chars,
                cid_to_gid,
            })),
            to_unicode,
            default_width,
            scale: 0.001,
            vertical,
        }
    }

    fn load_simple(
        doc: &Document,
        dict: &Dictionary,
        subtype: &[u8],
        to_unicode: Option<CMap>,
    ) -> Font {
        let mut base = latin1_table(encoding_rs::WINDOWS_1252);
        match obj::get(doc, dict, b"Encoding") {
            Some(Object::Name(n)) if n == b"MacRomanEncoding" => {
                base = latin1_table(encoding_rs::MACINTOSH);
            }
            Some(Object::Dictionary(enc)) => {
                if obj::get_name(doc, enc, b"BaseEncoding") == Some(b"MacRomanEncoding") {
                    base = latin1_table(encoding_rs::MACINTOSH);
                }
                if let Some(diffs) = obj::get_array(doc, enc, b"Differences") {
                    let mut code: i64 = 0;
                    for d in diffs {
                        match obj::resolve(doc, d) {
                            Some(Object::Integer(i)) => code = *i,
                            Some(Object::Name(name)) => {
                                if (0..256).contains(&code) {
                                    if let Some(c) =
                                        std::str::from_utf8(name).ok().and_then(glyph_name_char)
                                    {
                                        base[code as usize] = c;
                                    }
                                }
                                code += 1;
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
        let scale = if subtype == b"Type3" {
            obj::get_array(doc, dict, b"FontMatrix")
                .and_then(|m| m.first())
                .and_then(|v| obj::num(doc, v))
                .filter(|v| v.abs() > 1e-9 && v.abs() < 10.0)
                .unwrap_or(0.001)
        } else {
            0.001
        };
        let missing = obj::get_dict(doc, dict, b"FontDescriptor")
            .and_then(|fd| obj::get_num(doc, fd, b"MissingWidth"))
            .filter(|w| *w > 0.0)
            .unwrap_or(if scale == 0.001 { 500.0 } else { 0.5 / scale });
        let mut widths = [missing; 256];
        let first = obj::get_num(doc, dict, b"FirstChar")
            .unwrap_or(0.0)
            .clamp(0.0, 255.0) as usize;
        if let Some(ws) = obj::get_array(doc, dict, b"Widths") {
            for (k, w) in ws.iter().enumerate() {
                if let (Some(slot), Some(w)) = (widths.get_mut(first + k), obj::num(doc, w)) {
                    *slot = w;
                }
            }
        }
        Font {
            kind: Kind::Simple {
                base: Box::new(base),
                widths: Box::new(widths),
            },
            to_unicode,
            default_width: missing,
            scale,
            vertical: false,
        }
    }

    /// Calls `f` for each code of a shown string.
    pub(crate) fn decode(&self, bytes: &[u8], mut f: impl FnMut(Code<'_>)) {
        let mut i = 0;
        while i < bytes.len() {
            let len = self.code_len(&bytes[i..]).clamp(1, bytes.len() - i);
            let raw = &bytes[i..i + len];
            let code = raw.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
            i += len;
            let mapped = self.to_unicode.as_ref().and_then(|m| m.unicode.get(&code));
            let (text, width) = match &self.kind {
                Kind::Simple { base, widths } => {
                    let c = base[(code & 0xff) as usize];
                    (
                        mapped.map_or(CodeText::Char(c), |s| CodeText::Str(s)),
                        widths[(code & 0xff) as usize],
                    )
                }
                Kind::Cid(cid_font) => {
                    let CidFont {
                        encoding,
                        widths,
                        glyph_chars,
                        cid_to_gid,
                    } = &**cid_font;
                    let (mut fallback, cid) = match encoding {
                        CidEncoding::Identity => ('\u{FFFD}', Some(code)),
                        CidEncoding::Ucs2 => (char::from_u32(code).unwrap_or('\u{FFFD}'), None),
                        CidEncoding::Legacy(enc) => {
                            let (s, _) = enc.decode_without_bom_handling(raw);
                            (s.chars().next().unwrap_or('\u{FFFD}'), None)
                        }
                        CidEncoding::Embedded(cmap) => ('\u{FFFD}', cmap.cid.get(&code).copied()),
                    };
                    if let (None, Some(cid)) = (mapped, cid) {
                        let gid = match cid_to_gid {
                            Some(map) => map.get(cid as usize).copied(),
                            None => u16::try_from(cid).ok(),
                        };
                        if let Some(c) = gid.and_then(|g| glyph_chars.get(&g)) {
                            fallback = *c;
                        }
                    }
                    let text = mapped.map_or(CodeText::Char(fallback), |s| CodeText::Str(s));
                    let width = match cid.and_then(|c| widths.get(&c)) {
                        Some(w) => *w,
                        None if cid.is_none() && len == 1 => self.default_width / 2.0,
                        None if cid.is_none()
                            && matches!(text, CodeText::Char(c) if (c as u32) < 0x2e80) =>
                        {
                            self.default_width / 2.0
                        }
                        None => self.default_width,
                    };
                    (text, width)
                }
            };
            f(Code {
                text,
                width,
                word_space: len == 1 && code == 32,
            });
        }
    }

    fn code_len(&self, bytes: &[u8]) -> usize {
        match &self.kind {
            Kind::Simple { .. } => 1,
            Kind::Cid(cid_font) => match &cid_font.encoding {
                CidEncoding::Identity => 2,
                CidEncoding::Ucs2 => {
                    // A UTF-16 high surrogate takes the next unit with it.
                    if bytes.len() >= 4 && (0xd8..0xdc).contains(&bytes[0]) {
                        4
                    } else {
                        2
                    }
                }
                CidEncoding::Legacy(_) => {
                    if bytes[0] >= 0x81 && bytes[0] != 0xff {
                        2
                    } else {
                        1
                    }
                }
                CidEncoding::Embedded(cmap) => cmap.code_len(bytes).unwrap_or(1),
            },
        }
    }
}

fn parse_cid_widths(doc: &Document, w: &[Object], out: &mut HashMap<u32, f64>) {
    let mut i = 0;
    while i < w.len() && out.len() < 0x2_0000 {
        let Some(first) = obj::num(doc, &w[i]) else {
            break;
        };
        let first = first.clamp(0.0, f64::from(u32::MAX)) as u32;
        match w.get(i + 1).and_then(|o| obj::resolve(doc, o)) {
            Some(Object::Array(list)) => {
                for (k, v) in list.iter().enumerate() {
                    if let Some(v) = obj::num(doc, v) {
                        out.insert(first.saturating_add(k as u32), v);
                    }
                }
                i += 2;
            }
            Some(_) => {
                let (Some(last), Some(width)) = (
                    obj::num(doc, &w[i + 1]),
                    w.get(i + 2).and_then(|o| obj::num(doc, o)),
                ) else {
                    break;
                };
                let last = last.clamp(0.0, f64::from(u32::MAX)) as u32;
                for cid in first..=last.min(first.saturating_add(0xffff)) {
                    out.insert(cid, width);
                }
                i += 3;
            }
            None => break,
        }
    }
}
