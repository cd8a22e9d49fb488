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
    Bom,
    HttpHeader,
    Meta,
    Detector,
    /// The declared charset could not decode the bytes cleanly; the detector's guess could.
    DetectorOverDeclared,
    Default,
}

impl Rule {
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
    pub text: String,
    pub encoding: &'static Encoding,
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
        let enc = non_ascii_compatible_to_utf8(enc);
        if decodes_cleanly(enc, bytes) {
            return finish(bytes, enc, rule);
        }
        let guess = detect(bytes);
        if guess != enc && decodes_cleanly(guess, bytes) {
            return finish(bytes, guess, Rule::DetectorOverDeclared);
        }
        return finish(bytes, enc, rule);
    }
    if bytes.is_ascii() {
        return finish(bytes, UTF_8, Rule::Default);
    }
    let guess = detect(bytes);
    if decodes_cleanly(guess, bytes) {
        return finish(bytes, guess, Rule::Detector);
    }
    finish(bytes, GBK, Rule::Default)
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

fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut det = EncodingDetector::new(Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    det.guess(Some(b"cn"), Utf8Detection::Allow)
}

fn decodes_cleanly(enc: &'static Encoding, bytes: &[u8]) -> bool {
    enc.decode_without_bom_handling_and_without_replacement(bytes)
        .is_some()
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
