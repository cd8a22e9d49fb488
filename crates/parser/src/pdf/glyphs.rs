//! Glyph names (Adobe Glyph List conventions) → characters, for fonts and CMaps that name
//! their glyphs instead of mapping them to Unicode.

/// The character a glyph name stands for: `uniXXXX`, `uXXXX`, single letters and digits' names,
/// and the common punctuation names of the Adobe Glyph List.
pub(crate) fn glyph_name_char(name: &str) -> Option<char> {
    let hex = if let Some(h) = name.strip_prefix("uni") {
        h.get(..4)
    } else if name.len() >= 5 {
        name.strip_prefix('u')
    } else {
        None
    };
    let code = hex
        .filter(|h| (4..=6).contains(&h.len()))
        .and_then(|h| u32::from_str_radix(h, 16).ok());
    if let Some(c) = code.and_then(char::from_u32) {
        return Some(c);
    }
    let mut chars = name.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return Some(c);
    }
    const NAMES: [(&str, char); 40] = [
        ("space", ' '),
        ("exclam", '!'),
        ("quotedbl", '"'),
        ("numbersign", '#'),
        ("dollar", '$'),
        ("percent", '%'),
        ("ampersand", '&'),
        ("quotesingle", '\''),
        ("quoteright", '\''),
        ("parenleft", '('),
        ("parenright", ')'),
        ("asterisk", '*'),
        ("plus", '+'),
        ("comma", ','),
        ("hyphen", '-'),
        ("period", '.'),
        ("slash", '/'),
        ("zero", '0'),
        ("one", '1'),
        ("two", '2'),
        ("three", '3'),
        ("four", '4'),
        ("five", '5'),
        ("six", '6'),
        ("seven", '7'),
        ("eight", '8'),
        ("nine", '9'),
        ("colon", ':'),
        ("semicolon", ';'),
        ("less", '<'),
        ("equal", '='),
        ("greater", '>'),
        ("question", '?'),
        ("at", '@'),
        ("bracketleft", '['),
        ("bracketright", ']'),
        ("underscore", '_'),
        ("quoteleft", '\''),
        ("emdash", '—'),
        ("endash", '–'),
    ];
    NAMES.iter().find(|(n, _)| *n == name).map(|&(_, c)| c)
}
