//! The `cmap` table of an embedded TrueType/OpenType font program, read backwards: glyph id →
//! character. The fallback for CID fonts that carry no ToUnicode CMap. Formats 4 and 12 of the
//! Unicode subtables; anything malformed yields an empty map.

use std::collections::HashMap;

/// At most this many characters are read from one subtable.
const MAX_CHARS: usize = 0x3_0000;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
        *b.get(at + 2)?,
        *b.get(at + 3)?,
    ]))
}

/// Glyph id → the character its Unicode `cmap` subtable maps to it (the lowest code wins).
pub(crate) fn glyph_chars(font: &[u8]) -> HashMap<u16, char> {
    let mut out = HashMap::new();
    let Some(cmap) = find_table(font, b"cmap") else {
        return out;
    };
    let Some(count) = u16_at(cmap, 2) else {
        return out;
    };
    // (preference, subtable offset): full-repertoire tables first, then BMP ones.
    let mut best: Option<(u8, usize)> = None;
    for i in 0..usize::from(count) {
        let rec = 4 + 8 * i;
        let (Some(platform), Some(encoding), Some(offset)) = (
            u16_at(cmap, rec),
            u16_at(cmap, rec + 2),
            u32_at(cmap, rec + 4),
        ) else {
            break;
        };
        let rank = match (platform, encoding) {
            (3, 10) | (0, 4) | (0, 6) => 0,
            (3, 1) | (0, 3) | (0, 1) | (0, 0) => 1,
            _ => continue,
        };
        if best.is_none_or(|(r, _)| rank < r) {
            best = Some((rank, offset as usize));
        }
    }
    let Some((_, offset)) = best else { return out };
    let Some(sub) = cmap.get(offset..) else {
        return out;
    };
    let mut put = |code: u32, gid: u32| {
        if gid != 0 && gid <= 0xffff {
            if let Some(c) = char::from_u32(code) {
                out.entry(gid as u16)
                    .and_modify(|old: &mut char| *old = (*old).min(c))
                    .or_insert(c);
            }
        }
    };
    match u16_at(sub, 0) {
        Some(4) => format4(sub, &mut put),
        Some(12) => format12(sub, &mut put),
        _ => {}
    }
    out
}

fn find_table<'a>(font: &'a [u8], tag: &[u8; 4]) -> Option<&'a [u8]> {
    let tables = u16_at(font, 4)?;
    for i in 0..usize::from(tables) {
        let rec = 12 + 16 * i;
        if font.get(rec..rec + 4)? == tag {
            let offset = u32_at(font, rec + 8)? as usize;
            let length = u32_at(font, rec + 12)? as usize;
            return font.get(offset..offset.checked_add(length)?.min(font.len()));
        }
    }
    None
}

fn format4(sub: &[u8], put: &mut impl FnMut(u32, u32)) {
    let Some(seg_x2) = u16_at(sub, 6).map(usize::from) else {
        return;
    };
    let (ends, starts, deltas, ranges) = (14, 16 + seg_x2, 16 + 2 * seg_x2, 16 + 3 * seg_x2);
    let mut emitted = 0;
    for s in (0..seg_x2).step_by(2) {
        let (Some(end), Some(start), Some(delta), Some(range)) = (
            u16_at(sub, ends + s),
            u16_at(sub, starts + s),
            u16_at(sub, deltas + s),
            u16_at(sub, ranges + s),
        ) else {
            return;
        };
        for code in start..=end {
            if code == 0xffff || emitted >= MAX_CHARS {
                break;
            }
            emitted += 1;
            let gid = if range == 0 {
                code.wrapping_add(delta)
            } else {
                let at = ranges + s + usize::from(range) + 2 * usize::from(code - start);
                match u16_at(sub, at) {
                    Some(0) | None => continue,
                    Some(g) => g.wrapping_add(delta),
                }
            };
            put(u32::from(code), u32::from(gid));
        }
    }
}

fn format12(sub: &[u8], put: &mut impl FnMut(u32, u32)) {
    let Some(groups) = u32_at(sub, 12) else {
        return;
    };
    let mut emitted = 0usize;
    for g in 0..groups as usize {
        let at = 16 + 12 * g;
        let (Some(start), Some(end), Some(gid)) =
            (u32_at(sub, at), u32_at(sub, at + 4), u32_at(sub, at + 8))
        else {
            return;
        };
        for (k, code) in (start..=end.min(start.saturating_add(0xffff))).enumerate() {
            if emitted >= MAX_CHARS {
                return;
            }
            emitted += 1;
            put(code, gid.saturating_add(k as u32));
        }
    }
}

/// A minimal font program holding only a format-12 `cmap` that maps `chars[i]` to glyph
/// `i + 1`. For tests, here and in the fixture generator.
#[cfg(test)]
pub(crate) fn test_font(chars: &str) -> Vec<u8> {
    let mut sub = Vec::new();
    let n = chars.chars().count() as u32;
    sub.extend_from_slice(&12u16.to_be_bytes());
    sub.extend_from_slice(&0u16.to_be_bytes());
    sub.extend_from_slice(&(16 + 12 * n).to_be_bytes());
    sub.extend_from_slice(&0u32.to_be_bytes());
    sub.extend_from_slice(&n.to_be_bytes());
    for (i, c) in chars.chars().enumerate() {
        for v in [c as u32, c as u32, i as u32 + 1] {
            sub.extend_from_slice(&v.to_be_bytes());
        }
    }
    let mut cmap = vec![0, 0, 0, 1, 0, 3, 0, 10, 0, 0, 0, 12];
    cmap.extend_from_slice(&sub);
    let mut font = vec![0, 1, 0, 0, 0, 1, 0, 16, 0, 0, 0, 0];
    font.extend_from_slice(b"cmap");
    font.extend_from_slice(&0u32.to_be_bytes());
    font.extend_from_slice(&28u32.to_be_bytes());
    font.extend_from_slice(&(cmap.len() as u32).to_be_bytes());
    font.extend_from_slice(&cmap);
    font
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_format12_backwards() {
        let map = glyph_chars(&test_font("本年度"));
        assert_eq!(map.get(&1), Some(&'本'));
        assert_eq!(map.get(&3), Some(&'度'));
        assert_eq!(map.len(), 3);
    }

    #[test]
    fn reads_format4_backwards() {
        // One segment 0x41..=0x43 with delta -0x40 (A→1, B→2, C→3), then the 0xFFFF segment.
        let mut sub = vec![0, 4, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0];
        for v in [0x43u16, 0xffff, 0, 0x41, 0xffff, 0xffc0u16, 1, 0, 0] {
            sub.extend_from_slice(&v.to_be_bytes());
        }
        let mut cmap = vec![0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12];
        cmap.extend_from_slice(&sub);
        let mut font = vec![0, 1, 0, 0, 0, 1, 0, 16, 0, 0, 0, 0];
        font.extend_from_slice(b"cmap");
        font.extend_from_slice(&0u32.to_be_bytes());
        font.extend_from_slice(&28u32.to_be_bytes());
        font.extend_from_slice(&(cmap.len() as u32).to_be_bytes());
        font.extend_from_slice(&cmap);
        let map = glyph_chars(&font);
        assert_eq!(map.get(&1), Some(&'A'));
        assert_eq!(map.get(&3), Some(&'C'));
    }

    #[test]
    fn garbage_gives_nothing() {
        assert!(glyph_chars(b"").is_empty());
        assert!(glyph_chars(&[0xff; 64]).is_empty());
    }
}
