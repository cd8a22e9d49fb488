//! Bytes → text, decided the way a browser decides: BOM → declared charset (HTTP header, then
//! `<meta>` anywhere in `<head>`) → chardetng with the `cn` hint → GBK. Decoding is done by
//! encoding_rs; the rule that decided is recorded. Never assumes UTF-8 silently.

use std::borrow::Cow;
use std::fmt;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, GBK, UTF_8};

/// Which step of the decision chose the encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// A byte order mark (UTF-8, UTF-16LE or UTF-16BE); the BOM is not part of the text.
    Bom,
    /// The `charset` of the HTTP Content-Type header, which decoded the bytes cleanly (or
    /// less badly than the detector's guess).
    HttpHeader,
    /// A `<meta>` charset declaration in the page, which decoded the bytes cleanly (or less
    /// badly than the detector's guess).
    Meta,
    /// No declaration: chardetng's guess (TLD hint `cn`), which decoded the bytes cleanly.
    Detector,
    /// The declared charset could not decode the bytes cleanly; the detector's guess could.
    DetectorOverDeclared,
    /// No declaration and no clean guess: UTF-8 for bytes that are all ASCII, else GBK
    /// (possibly with replacement characters).
    Default,
}

impl Rule {
    /// The rule's kebab-case name as shown in reports, e.g. `http-header`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Bom => "bom",
            Rule::HttpHeader => "http-header",
            Rule::Meta => "meta",
            Rule::Detector => "detector",
            Rule::DetectorOverDeclared => "detector-over-declared",
            Rule::Default => "default",
        }
    }
}

/// The decoded text and how it was decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The decoded text, without the BOM.
    pub text: String,
    /// The encoding the bytes were decoded with.
    pub encoding: &'static Encoding,
    /// The step of the decision that chose [`Decoded::encoding`].
    pub rule: Rule,
    /// True when bytes had to be replaced with U+FFFD.
    pub had_errors: bool,
}

impl fmt::Display for Decoded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.encoding.name(), self.rule.as_str())?;
        if self.had_errors {
            write!(f, " with replacement characters")?;
        }
        Ok(())
    }
}

/// Decode an HTML page. `http_charset` is the `charset` parameter of the HTTP Content-Type
/// header when the page was fetched (None for a file on disk).
pub fn decode_html(bytes: &[u8], http_charset: Option<&str>) -> Decoded {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return finish(&bytes[bom_len..], enc, Rule::Bom);
    }
    let declared = http_charset
        .and_then(|c| Encoding::for_label(c.trim().as_bytes()).map(|e| (e, Rule::HttpHeader)))
        .or_else(|| meta_charset(bytes).map(|e| (e, Rule::Meta)));
    decide(bytes, declared)
}

/// Decode a text file: BOM → chardetng (`cn`) → GBK. Text files carry no declaration.
pub fn decode_text(bytes: &[u8]) -> Decoded {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return finish(&bytes[bom_len..], enc, Rule::Bom);
    }
    decide(bytes, None)
}

fn decide(bytes: &[u8], declared: Option<(&'static Encoding, Rule)>) -> Decoded {
    if let Some((enc, rule)) = declared {
        // A declared charset is honoured when it decodes the bytes cleanly. A page that
        // declares gb2312 but uses GBK-only characters is fine: encoding_rs maps gb2312 to GBK.
        let first = finish(bytes, non_ascii_compatible_to_utf8(enc), rule);
        if !first.had_errors {
            return first;
        }
        let guess = detect(bytes);
        if guess != first.encoding {
            let second = finish(bytes, guess, Rule::DetectorOverDeclared);
            if !second.had_errors {
                return second;
            }
        }
        return first;
    }
    if bytes.is_ascii() {
        return finish(bytes, UTF_8, Rule::Default);
    }
    let guess = finish(bytes, detect(bytes), Rule::Detector);
    if !guess.had_errors {
        return guess;
    }
    finish(bytes, GBK, Rule::Default)
}

/// How many bytes of non-ASCII lines the detector sees: about 500 Chinese characters, plenty to
/// tell GBK from Big5, EUC-KR or Shift_JIS, and it keeps detection cheap on large pages.
const DETECT_SAMPLE: usize = 1024;

/// chardetng's guess (TLD hint `cn`). Valid UTF-8 with non-ASCII bytes is UTF-8, as chardetng
/// would say; otherwise the detector reads the lines that hold non-ASCII bytes (cut at line
/// ends, so no character is split), up to [`DETECT_SAMPLE`] bytes.
fn detect(bytes: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut det = EncodingDetector::new(Iso2022JpDetection::Deny);
    let mut fed = 0;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if line.is_ascii() {
            continue;
        }
        let room = DETECT_SAMPLE - fed;
        let part = if line.len() <= room {
            line
        } else {
            cut_at_ascii(line, room)
        };
        det.feed(part, false);
        fed += part.len();
        if fed >= DETECT_SAMPLE || part.len() < line.len() {
            break;
        }
    }
    det.feed(b"", true);
    det.guess(Some(b"cn"), Utf8Detection::Allow)
}

/// UTF-16 labels in a `<meta>` or header are never right for an ASCII-compatible document
/// (the HTML spec maps them to UTF-8), and `replacement` would lose the page.
fn non_ascii_compatible_to_utf8(enc: &'static Encoding) -> &'static Encoding {
    if enc.is_ascii_compatible() {
        enc
    } else {
        UTF_8
    }
}

/// The longest prefix of `line` no longer than `max` that ends just after an ASCII byte, so
/// that no multi-byte character is cut (the whole line if it has no such point).
fn cut_at_ascii(line: &[u8], max: usize) -> &[u8] {
    match line[..max.min(line.len())].iter().rposition(u8::is_ascii) {
        Some(i) => &line[..=i],
        None => line,
    }
}

fn finish(bytes: &[u8], enc: &'static Encoding, rule: Rule) -> Decoded {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    let text = match text {
        Cow::Borrowed(s) => s.to_owned(),
        Cow::Owned(s) => s,
    };
    Decoded {
        text,
        encoding: enc,
        rule,
        had_errors,
    }
}

/// The charset declared by a `<meta>` element anywhere before `</head>` (or in the first 64 KiB
/// when there is none). Tolerates malformed attributes such as `httpequiv="ContentType"`,
/// unquoted values and `charset` inside `content`.
pub fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let limit = bytes.len().min(64 * 1024);
    let head = &bytes[..limit];
    let end = find_ci(head, b"</head").unwrap_or(head.len());
    let head = &head[..end];
    let mut pos = 0;
    while let Some(at) = find_ci(&head[pos..], b"<meta") {
        let start = pos + at + 5;
        let tag_end = head[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(head.len(), |e| start + e);
        if let Some(enc) = charset_in_tag(&head[start..tag_end]) {
            return Some(enc);
        }
        pos = tag_end;
    }
    None
}

fn charset_in_tag(tag: &[u8]) -> Option<&'static Encoding> {
    let at = find_ci(tag, b"charset")?;
    let rest = &tag[at + 7..];
    let rest = trim_start(rest);
    let rest = rest.strip_prefix(b"=")?;
    let rest = trim_start(rest);
    let rest = rest
        .strip_prefix(b"\"")
        .or_else(|| rest.strip_prefix(b"'"))
        .unwrap_or(rest);
    let len = rest
        .iter()
        .position(|&b| matches!(b, b'"' | b'\'' | b';' | b'/' | b'>') || b.is_ascii_whitespace())
        .unwrap_or(rest.len());
    Encoding::for_label(&rest[..len]).map(non_ascii_compatible_to_utf8)
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(s: &str) -> Vec<u8> {
        GBK.encode(s).0.into_owned()
    }

    #[test]
    fn undeclared_gbk_page_is_detected_as_gbk() {
        let mut page = b"<html><head><title>x</title></head><body><p>".to_vec();
        page.extend(gbk(
            "贵港市2021年政府信息公开工作年度报告。本年新收政府信息公开申请数量",
        ));
        page.extend(b"</p></body></html>");
        let d = decode_html(&page, None);
        assert_eq!(d.encoding, GBK);
        assert_eq!(d.rule, Rule::Detector);
        assert!(d.text.contains("政府信息公开工作年度报告"));
    }

    #[test]
    fn malformed_http_equiv_meta_is_honoured() {
        let mut page =
            b"<html><head><meta httpequiv=\"ContentType\" content=\"text/html; charset=gbk\"></head><body>"
                .to_vec();
        page.extend(gbk("年度报告"));
        let d = decode_html(&page, None);
        assert_eq!((d.encoding, d.rule), (GBK, Rule::Meta));
    }

    #[test]
    fn gb2312_declaration_decodes_gbk_only_characters() {
        // 镕 is outside GB2312 but inside GBK.
        let mut page = b"<meta charset=gb2312><p>".to_vec();
        page.extend(gbk("朱镕基"));
        let d = decode_html(&page, None);
        assert!(d.text.contains("朱镕基"));
        assert!(!d.had_errors);
    }

    #[test]
    fn wrong_http_charset_falls_back_to_the_detector() {
        let mut page = b"<html><body>".to_vec();
        page.extend(gbk(
            "政府信息公开工作年度报告，收到和处理政府信息公开申请情况",
        ));
        let d = decode_html(&page, Some("utf-8"));
        assert_eq!((d.encoding, d.rule), (GBK, Rule::DetectorOverDeclared));
    }

    #[test]
    fn bom_wins_over_meta() {
        let mut page = vec![0xEF, 0xBB, 0xBF];
        page.extend("<meta charset=gbk>年报".as_bytes());
        let d = decode_html(&page, None);
        assert_eq!((d.encoding, d.rule), (UTF_8, Rule::Bom));
        assert!(d.text.ends_with("年报"));
    }

    #[test]
    fn meta_late_in_a_long_head_is_found() {
        let mut page = b"<html><head>".to_vec();
        page.extend(std::iter::repeat_n(b' ', 5000));
        page.extend(b"<META content='text/html; charset=GB2312' http-equiv=Content-Type></head>");
        assert_eq!(meta_charset(&page), Some(GBK));
    }
}
