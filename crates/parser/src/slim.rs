//! Markup → the same markup without the attributes the reader never uses, so the HTML parser
//! has less to tokenize (`class`, `style`, `align`, `lang`… are up to a third of a portal
//! page). Only start tags are rewritten, to their name plus their `colspan`/`rowspan`; the
//! rest is copied byte for byte. The scan follows the tokenizer of the HTML standard where a
//! tag ends, so the parser sees the same tags, text and comments. Where an attribute can steer
//! tree construction the tag is left alone: `<input>` (`type=hidden` in tables), formatting
//! elements (the "Noah's Ark" clause compares attributes), `<font>`. `<a>` is slimmed: a new
//! `<a>` first ends the open one, so two never meet in that clause. Text-only elements
//! (`<script>`, `<style>`, `<title>`, `<textarea>`…) are copied through their end tag, and the
//! rest of the page is copied as it is after anything the scan does not model (foreign
//! content, `<template>`, `<plaintext>`, a NUL byte, a tag cut off by the end of the page).

use std::borrow::Cow;
use std::ops::Range;

/// Elements whose content the tokenizer reads as text (RCDATA, RAWTEXT, script data).
const RAW_TEXT: [&str; 9] = [
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
];
/// After one of these, the rest of the page is copied unchanged.
const STOP: [&str; 4] = ["svg", "math", "template", "plaintext"];
/// Start tags whose attributes can change the tree: copied unchanged.
const KEEP_TAG: [&str; 14] = [
    "input", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt",
    "u",
];
/// The attributes the reader uses.
const KEEP_ATTR: [&str; 2] = ["colspan", "rowspan"];

pub(super) fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

fn is_one_of(name: &[u8], set: &[&str]) -> bool {
    set.iter().any(|s| name.eq_ignore_ascii_case(s.as_bytes()))
}

pub(super) fn find_byte(b: &[u8], from: usize, byte: u8) -> Option<usize> {
    memchr::memchr(byte, b.get(from..)?).map(|i| from + i)
}

fn find_seq(b: &[u8], from: usize, seq: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(seq.len())
        .position(|w| w == seq)
        .map(|i| from + i)
}

/// An attribute the reader uses, as scanned: its whole source (`colspan = "2"`), its name and
/// its value without quotes (byte ranges of the page).
pub(super) struct Attr {
    pub source: Range<usize>,
    pub name: Range<usize>,
    pub value: Range<usize>,
}

/// A tag whose name starts at `i` (after `<` or `</`): its name, the byte after its `>`, and
/// (in `kept`) each `colspan`/`rowspan` attribute. `None` when the page ends inside the tag.
pub(super) fn scan_tag(
    b: &[u8],
    mut i: usize,
    kept: &mut Vec<Attr>,
) -> Option<(Range<usize>, usize)> {
    let start = i;
    while i < b.len() && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    let name = start..i;
    loop {
        // Before an attribute name; `/` not followed by `>` is skipped like white space.
        while i < b.len() && (is_space(b[i]) || (b[i] == b'/' && b.get(i + 1) != Some(&b'>'))) {
            i += 1;
        }
        match b.get(i)? {
            b'>' => return Some((name, i + 1)),
            b'/' => return Some((name, i + 2)),
            _ => {}
        }
        let attr_start = i;
        i += 1; // the first character may be `=`
        while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let name_end = i;
        let mut attr_end = i;
        let mut value = i..i;
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        if *b.get(i)? == b'=' {
            i += 1;
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            value = match *b.get(i)? {
                q @ (b'"' | b'\'') => {
                    let close = find_byte(b, i + 1, q)?;
                    let quoted = i + 1..close;
                    i = close + 1;
                    quoted
                }
                b'>' => i..i,
                _ => {
                    let from = i;
                    while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                        i += 1;
                    }
                    b.get(i)?;
                    from..i
                }
            };
            attr_end = i;
        }
        if is_one_of(&b[attr_start..name_end], &KEEP_ATTR) {
            kept.push(Attr {
                source: attr_start..attr_end,
                name: attr_start..name_end,
                value,
            });
        }
    }
}

/// The end tag that closes a text-only element whose content starts at `from`: from its `<`
/// to the byte after its `>`. In RCDATA and RAWTEXT (`<title>`, `<style>`…) only that end tag
/// leaves the text state; script data also has escapes, so a script is given up (`None`)
/// where `<!--` is followed by a `<script` tag, which would make `</script>` text. `None` also
/// when the element never ends.
pub(super) fn raw_text_end(b: &[u8], from: usize, name: &[u8]) -> Option<Range<usize>> {
    let script = name.eq_ignore_ascii_case(b"script");
    let mut escaped = false;
    let mut i = from;
    loop {
        let lt = find_byte(b, i, b'<')?;
        let rest = &b[lt + 1..];
        if rest.first() == Some(&b'/') {
            let after = rest.get(1..1 + name.len())?;
            let next = rest.get(1 + name.len()).copied();
            if after.eq_ignore_ascii_case(name)
                && next.is_some_and(|c| is_space(c) || c == b'/' || c == b'>')
            {
                let (_, end) = scan_tag(b, lt + 2, &mut Vec::new())?;
                return Some(lt..end);
            }
        }
        if script {
            escaped |= rest.starts_with(b"!--");
            let opens_script = rest.len() > 6
                && rest[..6].eq_ignore_ascii_case(b"script")
                && (is_space(rest[6]) || rest[6] == b'/' || rest[6] == b'>');
            if escaped && opens_script {
                return None;
            }
        }
        i = lt + 1;
    }
}

/// The byte after a comment whose `<!--` ends just before `from`.
pub(super) fn comment_end(b: &[u8], from: usize) -> Option<usize> {
    let rest = &b[from..];
    if rest.starts_with(b">") {
        return Some(from + 1);
    }
    if rest.starts_with(b"->") {
        return Some(from + 2);
    }
    let close = find_seq(b, from, b"-->").map(|i| i + 3);
    let bang = find_seq(b, from, b"--!>").map(|i| i + 4);
    match (close, bang) {
        (Some(c), Some(g)) => Some(c.min(g)),
        (c, g) => c.or(g),
    }
}

/// `text` without the attributes of its start tags other than `colspan` and `rowspan`
/// (see the module documentation for what is left alone).
pub(crate) fn slim(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    if b.contains(&0) {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    let mut kept = Vec::new();
    while let Some(lt) = find_byte(b, i, b'<') {
        let next = b.get(lt + 1).copied();
        let resume = match next {
            Some(c) if c.is_ascii_alphabetic() => {
                kept.clear();
                let Some((name, end)) = scan_tag(b, lt + 1, &mut kept) else {
                    break;
                };
                let tag = &b[name.clone()];
                if is_one_of(tag, &STOP) {
                    break;
                }
                if is_one_of(tag, &RAW_TEXT) {
                    match raw_text_end(b, end, tag) {
                        Some(e) => e.end,
                        None => break,
                    }
                } else if is_one_of(tag, &KEEP_TAG) || end == name.end + 1 {
                    end
                } else {
                    if out.is_empty() {
                        out.reserve(b.len());
                    }
                    // Every cut is next to an ASCII delimiter, so on a character boundary.
                    out.push_str(&text[copied..lt]);
                    out.push('<');
                    out.push_str(&text[name.clone()]);
                    for attr in &kept {
                        out.push(' ');
                        out.push_str(&text[attr.source.clone()]);
                    }
                    out.push('>');
                    copied = end;
                    end
                }
            }
            Some(b'/') => match b.get(lt + 2) {
                Some(c) if c.is_ascii_alphabetic() => match scan_tag(b, lt + 2, &mut kept) {
                    Some((_, end)) => end,
                    None => break,
                },
                Some(b'>') => lt + 3,
                _ => match find_byte(b, lt + 2, b'>') {
                    Some(e) => e + 1,
                    None => break,
                },
            },
            Some(b'!') if b[lt..].starts_with(b"<!--") => match comment_end(b, lt + 4) {
                Some(e) => e,
                None => break,
            },
            Some(b'!' | b'?') => match find_byte(b, lt + 2, b'>') {
                Some(e) => e + 1,
                None => break,
            },
            _ => lt + 1,
        };
        i = resume;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::slim;

    #[test]
    fn drops_attributes_but_spans() {
        assert_eq!(
            slim("<td class=\"x\" colspan=2 style='a>b'>1</td><p align=center>t"),
            "<td colspan=2>1</td><p>t"
        );
        assert_eq!(slim("<TD ROWSPAN = \"3\" x>"), "<TD ROWSPAN = \"3\">");
    }

    #[test]
    fn leaves_text_comments_and_steering_tags() {
        for page in [
            "<script>var s = '<td class=x>';</script>",
            "<!-- <p class=x> --><b class=x>x</b>",
            "<input type=hidden><b class=x>",
            "<svg><p class=x></svg>",
            "a < b <p class=x",
        ] {
            assert_eq!(slim(page), page);
        }
        assert_eq!(
            slim("<title>a<p class=x></title><p class=y>"),
            "<title>a<p class=x></title><p>"
        );
    }
}
