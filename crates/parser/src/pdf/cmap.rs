//! CMap programs (ToUnicode and embedded encoding CMaps) → lookup tables: code space ranges
//! (how many bytes each code takes), code → Unicode text, and code → CID. Tolerant: unknown
//! tokens are skipped, sizes are capped; no I/O.

use std::collections::HashMap;

/// At most this many entries are expanded from one `bfrange`/`cidrange` line.
const MAX_RANGE: u32 = 0x1_0000;

/// A parsed CMap; every table may be empty.
#[derive(Debug, Default, Clone)]
pub(crate) struct CMap {
    /// (low, high, byte length) code space ranges.
    pub codespace: Vec<(u32, u32, u8)>,
    pub unicode: HashMap<u32, String>,
    pub cid: HashMap<u32, u32>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Hex(Vec<u8>),
    Int(i64),
    Open,
    Close,
    Word(String),
}

fn tokenize(src: &[u8]) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < src.len() {
        let b = src[i];
        match b {
            b'%' => {
                while i < src.len() && src[i] != b'\n' && src[i] != b'\r' {
                    i += 1;
                }
            }
            b'<' if src.get(i + 1) == Some(&b'<') => i += 2,
            b'>' if src.get(i + 1) == Some(&b'>') => i += 2,
            b'<' => {
                let mut digits = Vec::new();
                i += 1;
                while i < src.len() && src[i] != b'>' {
                    if src[i].is_ascii_hexdigit() {
                        digits.push(src[i]);
                    }
                    i += 1;
                }
                i += 1;
                out.push(Tok::Hex(hex_bytes(&digits)));
            }
            b'[' => {
                out.push(Tok::Open);
                i += 1;
            }
            b']' => {
                out.push(Tok::Close);
                i += 1;
            }
            b'(' => {
                // Literal strings occur in headers only (/Registry (Adobe)); skip them.
                let mut depth = 0usize;
                while i < src.len() {
                    match src[i] {
                        b'\\' => i += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                i += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            _ if b.is_ascii_whitespace() => i += 1,
            _ => {
                let start = i;
                while i < src.len()
                    && !src[i].is_ascii_whitespace()
                    && !b"<>[]()%/".contains(&src[i])
                {
                    i += 1;
                }
                if i == start {
                    i += 1; // a lone '/' or ')' and the like
                    continue;
                }
                let word = String::from_utf8_lossy(&src[start..i]).into_owned();
                match word.parse::<i64>() {
                    Ok(n) => out.push(Tok::Int(n)),
                    Err(_) => out.push(Tok::Word(word)),
                }
            }
        }
    }
    out
}

fn hex_bytes(digits: &[u8]) -> Vec<u8> {
    let val = |d: u8| match d {
        b'0'..=b'9' => d - b'0',
        b'a'..=b'f' => d - b'a' + 10,
        _ => d.wrapping_sub(b'A').wrapping_add(10) & 0x0f,
    };
    digits
        .chunks(2)
        .map(|c| (val(c[0]) << 4) | c.get(1).map_or(0, |&d| val(d)))
        .collect()
}

fn code_of(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .take(4)
        .fold(0u32, |acc, &b| (acc << 8) | u32::from(b))
}

/// UTF-16BE bytes → text (lossy).
pub(crate) fn utf16be(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks(2)
        .map(|c| (u16::from(c[0]) << 8) | u16::from(*c.get(1).unwrap_or(&0)))
        .collect();
    char::decode_utf16(units)
        .map(|r| r.unwrap_or('\u{FFFD}'))
        .collect()
}

/// Adds `offset` to the last UTF-16 unit of `base` (the bfrange rule).
fn utf16_plus(base: &[u8], offset: u32) -> String {
    let mut bytes = base.to_vec();
    if bytes.len() >= 2 {
        let n = bytes.len();
        let last = (u32::from(bytes[n - 2]) << 8 | u32::from(bytes[n - 1])).wrapping_add(offset);
        bytes[n - 2] = (last >> 8) as u8;
        bytes[n - 1] = last as u8;
    } else if let Some(b) = bytes.last_mut() {
        *b = b.wrapping_add(offset as u8);
    }
    utf16be(&bytes)
}

impl CMap {
    pub(crate) fn parse(src: &[u8]) -> CMap {
        let toks = tokenize(src);
        let mut map = CMap::default();
        let mut i = 0;
        while i < toks.len() {
            let Tok::Word(w) = &toks[i] else {
                i += 1;
                continue;
            };
            i += 1;
            match w.as_str() {
                "begincodespacerange" => {
                    while let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi))) =
                        (toks.get(i), toks.get(i + 1))
                    {
                        let len = lo.len().clamp(1, 4) as u8;
                        map.codespace.push((code_of(lo), code_of(hi), len));
                        i += 2;
                    }
                }
                "beginbfchar" => {
                    while let (Some(Tok::Hex(src)), Some(dst)) = (toks.get(i), toks.get(i + 1)) {
                        match dst {
                            Tok::Hex(d) => {
                                map.unicode.insert(code_of(src), utf16be(d));
                            }
                            Tok::Word(name) => {
                                if let Some(c) =
                                    super::glyphs::glyph_name_char(name.trim_start_matches('/'))
                                {
                                    map.unicode.insert(code_of(src), c.to_string());
                                }
                            }
                            _ => break,
                        }
                        i += 2;
                    }
                }
                "beginbfrange" => {
                    while let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi))) =
                        (toks.get(i), toks.get(i + 1))
                    {
                        let (lo, hi) = (code_of(lo), code_of(hi));
                        i += 2;
                        match toks.get(i) {
                            Some(Tok::Hex(base)) => {
                                for (k, code) in (lo..=hi).take(MAX_RANGE as usize).enumerate() {
                                    map.unicode.insert(code, utf16_plus(base, k as u32));
                                }
                                i += 1;
                            }
                            Some(Tok::Open) => {
                                i += 1;
                                let mut code = lo;
                                while let Some(Tok::Hex(d)) = toks.get(i) {
                                    if code <= hi {
                                        map.unicode.insert(code, utf16be(d));
                                    }
                                    code = code.wrapping_add(1);
                                    i += 1;
                                }
                                if toks.get(i) == Some(&Tok::Close) {
                                    i += 1;
                                }
                            }
                            _ => break,
                        }
                    }
                }
                "begincidchar" => {
                    while let (Some(Tok::Hex(src)), Some(Tok::Int(cid))) =
                        (toks.get(i), toks.get(i + 1))
                    {
                        map.cid
                            .insert(code_of(src), (*cid).clamp(0, i64::from(u32::MAX)) as u32);
                        i += 2;
                    }
                }
                "begincidrange" => {
                    while let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi)), Some(Tok::Int(cid))) =
                        (toks.get(i), toks.get(i + 1), toks.get(i + 2))
                    {
                        let cid = (*cid).clamp(0, i64::from(u32::MAX)) as u32;
                        for (k, code) in (code_of(lo)..=code_of(hi))
                            .take(MAX_RANGE as usize)
                            .enumerate()
                        {
                            map.cid.insert(code, cid.saturating_add(k as u32));
                        }
                        i += 3;
                    }
                }
                _ => {}
            }
        }
        map
    }

    /// Length in bytes of the code starting `bytes`, from the code space ranges.
    pub(crate) fn code_len(&self, bytes: &[u8]) -> Option<usize> {
        for len in 1..=4usize {
            if bytes.len() < len {
                break;
            }
            let code = code_of(&bytes[..len]);
            if self
                .codespace
                .iter()
                .any(|&(lo, hi, l)| l as usize == len && lo <= code && code <= hi)
            {
                return Some(len);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bfchar_bfrange_and_codespace() {
        let src = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
            1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
            2 beginbfchar <0003> <0020> <04BC> <672C> endbfchar\n\
            2 beginbfrange <0010> <0012> <0030> <0020> <0021> [<4E00> <4E8C>] endbfrange\n\
            1 begincidrange <8140> <8142> 100 endcidrange endcmap";
        let m = CMap::parse(src);
        assert_eq!(m.codespace, vec![(0, 0xffff, 2)]);
        assert_eq!(m.unicode[&0x04bc], "本");
        assert_eq!(m.unicode[&0x0011], "1");
        assert_eq!(m.unicode[&0x0021], "二");
        assert_eq!(m.cid[&0x8142], 102);
        assert_eq!(m.code_len(&[0x04, 0xbc]), Some(2));
    }
}
