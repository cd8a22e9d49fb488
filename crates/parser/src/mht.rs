//! MIME HTML (`.mht`, and Word's "single file web page" often served with a `.doc` name) →
//! the bytes and charset of its HTML part, for the HTML reader. Parses the top header for the
//! multipart boundary, finds the first `text/html` part and undoes its transfer encoding
//! (quoted-printable, base64 or none). Pure; no panics on any input.

/// The HTML part of a MIME HTML file: its decoded bytes and its declared charset.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct HtmlPart {
    pub(crate) bytes: Vec<u8>,
    pub(crate) charset: Option<String>,
}

/// Why a MIME HTML file gave no HTML.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum MhtError {
    /// The top header names no multipart boundary.
    #[error("the MIME HTML file names no multipart boundary")]
    NoBoundary,
    /// No part is `text/html`.
    #[error("the MIME HTML file has no text/html part")]
    NoHtml,
    /// The HTML part's base64 body is damaged.
    #[error("the HTML part of the MIME HTML file is not valid base64")]
    Base64,
}

/// True when `bytes` start with a MIME header of a multipart/related message.
pub(crate) fn looks_like_mht(bytes: &[u8]) -> bool {
    let head: Vec<u8> = bytes[..bytes.len().min(2048)]
        .iter()
        .map(u8::to_ascii_lowercase)
        .collect();
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    // The blank line that ends the header is looked for after the leading white space, which
    // may itself hold blank lines.
    let rest = &head[start..];
    let header_end = find(rest, b"\n\r\n")
        .or_else(|| find(rest, b"\n\n"))
        .unwrap_or(rest.len());
    let header = &rest[..header_end];
    let first_is_header = [
        "mime-version:",
        "content-type:",
        "from:",
        "subject:",
        "date:",
    ]
    .iter()
    .any(|h| header.starts_with(h.as_bytes()));
    first_is_header
        && find(header, b"mime-version:").is_some()
        && find(header, b"multipart/related").is_some()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// Headers (unfolded, names lower-cased) and the body after the blank line.
fn split_headers(part: &[u8]) -> (Vec<(String, String)>, &[u8]) {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut rest = part;
    // A part starts right after the boundary line's line end.
    loop {
        let (line, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return (headers, next);
        }
        let text = String::from_utf8_lossy(line);
        if line[0] == b' ' || line[0] == b'\t' {
            if let Some((_, v)) = headers.last_mut() {
                v.push(' ');
                v.push_str(text.trim());
            }
        } else if let Some((name, value)) = text.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
        if next.is_empty() {
            return (headers, next);
        }
        rest = next;
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// A parameter (`boundary`, `charset`) of a header value, unquoted.
fn param(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

/// The first `text/html` part of a MIME HTML file.
pub(crate) fn html_part(bytes: &[u8]) -> Result<HtmlPart, MhtError> {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    let (top, body) = split_headers(&bytes[start..]);
    let boundary = header(&top, "content-type")
        .and_then(|v| param(v, "boundary"))
        .filter(|b| !b.is_empty())
        .ok_or(MhtError::NoBoundary)?;
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(i) = find(rest, delimiter.as_bytes()) {
        let after = &rest[i + delimiter.len()..];
        if after.starts_with(b"--") {
            break;
        }
        let after = match memchr::memchr(b'\n', after) {
            Some(j) => &after[j + 1..],
            None => &after[after.len()..],
        };
        let end = find(after, delimiter.as_bytes()).unwrap_or(after.len());
        parts.push(&after[..end]);
        rest = &after[end..];
    }
    for part in parts {
        let (headers, body) = split_headers(part);
        let kind = header(&headers, "content-type").unwrap_or("text/plain");
        if !kind.to_ascii_lowercase().starts_with("text/html") {
            continue;
        }
        let charset = param(kind, "charset");
        let encoding = header(&headers, "content-transfer-encoding")
            .unwrap_or("7bit")
            .to_ascii_lowercase();
        let bytes = match encoding.trim() {
            "quoted-printable" => quoted_printable(body),
            "base64" => base64(body).ok_or(MhtError::Base64)?,
            _ => body.to_vec(),
        };
        return Ok(HtmlPart { bytes, charset });
    }
    Err(MhtError::NoHtml)
}

/// Quoted-printable: `=XX` is a byte, `=` at a line end joins the lines; anything else stays.
fn quoted_printable(body: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i] != b'=' {
            out.push(body[i]);
            i += 1;
            continue;
        }
        match (body.get(i + 1).copied(), body.get(i + 2).copied()) {
            (Some(b'\r'), Some(b'\n')) => i += 3,
            (Some(b'\n'), _) => i += 2,
            (Some(a), Some(b)) => match (hex(a), hex(b)) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                }
                _ => {
                    out.push(b'=');
                    i += 1;
                }
            },
            _ => {
                out.push(b'=');
                i += 1;
            }
        }
    }
    out
}

/// Base64 with line breaks and padding; `None` on any other character.
fn base64(body: &[u8]) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    };
    let mut out = Vec::with_capacity(body.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in body {
        if c.is_ascii_whitespace() {
            continue;
        }
        if c == b'=' {
            break;
        }
        acc = (acc << 6) | value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_before_the_first_text_are_no_header() {
        // Found by tests/parse.rs's layout proptest: leading blank lines ended the "header"
        // before it began.
        assert!(!looks_like_mht(b"\n\n0"));
        assert!(!looks_like_mht(b"\r\n\r\n\r\n"));
        assert!(looks_like_mht(
            b"\n\nMIME-Version: 1.0\nContent-Type: multipart/related; boundary=x\n\n--x"
        ));
    }

    const MHT: &[u8] = b"MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\tboundary=\"----=_NextPart_01D5\"\r\n\r\nThis document is a Single File Web Page.\r\n\r\n------=_NextPart_01D5\r\nContent-Location: file:///C:/a.htm\r\nContent-Transfer-Encoding: quoted-printable\r\nContent-Type: text/html; charset=\"gb2312\"\r\n\r\n<html><td>=D2=BB</td><td>1=\r\n2</td><p class=3DMsoNormal>a=3Db</p></html>\r\n------=_NextPart_01D5\r\nContent-Location: file:///C:/image001.png\r\nContent-Transfer-Encoding: base64\r\nContent-Type: image/png\r\n\r\niVBORw0KGgo=\r\n------=_NextPart_01D5--\r\n";

    #[test]
    fn the_html_part_is_unwrapped_with_its_charset() {
        assert!(looks_like_mht(MHT));
        let part = html_part(MHT).unwrap();
        assert_eq!(part.charset.as_deref(), Some("gb2312"));
        assert_eq!(
            part.bytes,
            b"<html><td>\xD2\xBB</td><td>12</td><p class=MsoNormal>a=b</p></html>\r\n"
        );
    }

    #[test]
    fn base64_parts_and_damage() {
        let b64 = b"MIME-Version: 1.0\nContent-Type: multipart/related; boundary=XX\n\n--XX\nContent-Type: text/html\nContent-Transfer-Encoding: base64\n\nPGh0bWw+\nPC9odG1sPg==\n--XX--\n";
        assert_eq!(html_part(b64).unwrap().bytes, b"<html></html>");
        assert!(!looks_like_mht(
            b"<html>MIME-Version: 1.0 multipart/related"
        ));
        assert_eq!(
            html_part(b"MIME-Version: 1.0\n\n"),
            Err(MhtError::NoBoundary)
        );
        assert_eq!(
            html_part(b"MIME-Version: 1.0\nContent-Type: multipart/related; boundary=XX\n\n--XX\nContent-Type: image/png\n\nabc"),
            Err(MhtError::NoHtml)
        );
        for cut in 0..MHT.len() {
            let _ = html_part(&MHT[..cut]);
            let _ = looks_like_mht(&MHT[..cut]);
        }
    }
}
