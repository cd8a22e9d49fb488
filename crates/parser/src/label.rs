//! Label text → a comparable key, and how well a printed label matches a template label.
//! Normalization: NFKC, white space and punctuation removed, quotes unified, numbering
//! (一、 (一) （一） 1. 1、 ①) stripped, parenthetical notes dropped. Matching tolerates labels
//! cut short, notes appended, and glyphs dropped by the producer. [`key`] and [`score`] are public
//! for the OCR's layout (nianbao-ocr), which matches labels read off a scan the same way.

use unicode_normalization::UnicodeNormalization;

/// NFKC with white space removed: the form headings and markers are searched in.
pub(crate) fn compact(s: &str) -> String {
    without_whitespace(&nfkc(s))
}

/// `s` with every white-space character removed.
pub(crate) fn without_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    s.split(char::is_whitespace)
        .for_each(|part| out.push_str(part));
    out
}

/// NFKC, skipping the work for text that NFKC leaves alone (ASCII and the CJK Unified
/// Ideographs block, which is most of a report).
pub(crate) fn nfkc(s: &str) -> std::borrow::Cow<'_, str> {
    let stable = |c: char| {
        c.is_ascii()
            || ('\u{4E00}'..='\u{9FFF}').contains(&c)
            || matches!(c, '、' | '。' | '“' | '”')
    };
    if s.chars().all(stable) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.nfkc().collect())
    }
}

/// The matching key of a label: [`compact`], numbering and parenthetical notes stripped,
/// punctuation removed.
pub fn key(s: &str) -> String {
    key_of_compact(&compact(s))
}

/// [`key`] of a string already in [`compact`] form.
pub(crate) fn key_of_compact(c: &str) -> String {
    let c = strip_numbering(c);
    let mut out = String::with_capacity(c.len());
    let mut depth = 0u32;
    for ch in c.chars() {
        match ch {
            '(' | '[' | '【' | '〔' => depth += 1,
            ')' | ']' | '】' | '〕' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            _ if is_punct(ch) => {}
            _ => out.push(ch),
        }
    }
    out
}

fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            c,
            '、' | '。'
                | '“'
                | '”'
                | '‘'
                | '’'
                | '《'
                | '》'
                | '—'
                | '…'
                | '·'
                | '「'
                | '」'
                | '〈'
                | '〉'
                | '・'
        )
}

const CN_DIGITS: &str = "一二三四五六七八九十";

/// Remove leading numbering: `一、`, `(一)`, `1.`, `1、`, `①`, repeatedly (`三、(一)`).
pub(crate) fn strip_numbering(s: &str) -> &str {
    let mut rest = s;
    loop {
        let before = rest.len();
        rest = strip_one_number(rest);
        if rest.len() == before {
            return rest;
        }
    }
}

/// Whether a [`compact`] label opens with template numbering (`（一）`, `1.`, `一、`, `①`): the
/// start of a printed label rather than the rest of one broken over lines.
pub(crate) fn is_numbered(compact: &str) -> bool {
    // "(七" or "(" alone: the numbering itself broken over two lines.
    let unclosed = compact.strip_prefix('(').is_some_and(|rest| {
        rest.chars()
            .all(|c| CN_DIGITS.contains(c) || c.is_ascii_digit())
    });
    unclosed || strip_one_number(compact).len() < compact.len()
}

fn strip_one_number(s: &str) -> &str {
    if let Some(inner) = s.strip_prefix('(') {
        let n = inner
            .chars()
            .take_while(|c| CN_DIGITS.contains(*c) || c.is_ascii_digit())
            .count();
        if n > 0 {
            let after: &str = &inner[inner.char_indices().nth(n).map_or(inner.len(), |(i, _)| i)..];
            if let Some(rest) = after.strip_prefix(')') {
                return rest;
            }
        }
        return s;
    }
    if let Some(first) = s.chars().next() {
        if ('①'..='⑳').contains(&first) {
            return &s[first.len_utf8()..];
        }
    }
    let n = s
        .chars()
        .take_while(|c| CN_DIGITS.contains(*c) || c.is_ascii_digit())
        .count();
    if n == 0 || n > 3 {
        return s;
    }
    let after = &s[s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)..];
    for sep in ['、', '.', '．', ','] {
        if let Some(rest) = after.strip_prefix(sep) {
            // "1.2" is a number, not numbering.
            if !rest.starts_with(|c: char| c.is_ascii_digit()) {
                return rest;
            }
        }
    }
    s
}

/// How well a printed label key matches a template label key, 0.0 (not at all) to 1.0 (equal).
pub fn score(printed: &str, template: &str) -> f32 {
    if printed.is_empty() || template.is_empty() {
        return 0.0;
    }
    if printed == template {
        return 1.0;
    }
    let (p, t) = (printed.chars().count(), template.chars().count());
    if printed.starts_with(template) && t >= 4 {
        return 0.9; // a note appended without brackets
    }
    if template.starts_with(printed) && p >= 4 && p * 2 >= t {
        return 0.8; // cut short
    }
    if printed.contains(template) && t >= 4 {
        return 0.75;
    }
    if p.abs_diff(t) * 3 > t.max(p) || p < 4 {
        return 0.0;
    }
    let ratio = 2.0 * lcs(printed, template) as f32 / (p + t) as f32;
    if ratio >= 0.8 {
        ratio * 0.8
    } else {
        0.0
    }
}

/// Length of the longest common subsequence of characters.
fn lcs(a: &str, b: &str) -> usize {
    // Template labels are short: their DP rows fit on the stack, so a match costs no allocation.
    const ON_STACK: usize = 64;
    let mut b_chars = ['\0'; ON_STACK];
    let mut n = 0;
    for c in b.chars() {
        if n == ON_STACK {
            return lcs_on_heap(a, b);
        }
        b_chars[n] = c;
        n += 1;
    }
    let mut prev = [0usize; ON_STACK + 1];
    let mut cur = [0usize; ON_STACK + 1];
    lcs_rows(a, &b_chars[..n], &mut prev[..=n], &mut cur[..=n])
}

fn lcs_on_heap(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let (mut prev, mut cur) = (vec![0usize; b.len() + 1], vec![0usize; b.len() + 1]);
    lcs_rows(a, &b, &mut prev, &mut cur)
}

/// The dynamic programme of [`lcs`] over two rows of `b.len() + 1` cells, initially zero.
fn lcs_rows<'r>(a: &str, b: &[char], mut prev: &'r mut [usize], mut cur: &'r mut [usize]) -> usize {
    for ca in a.chars() {
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = if ca == *cb {
                prev[j] + 1
            } else {
                prev[j + 1].max(cur[j])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_variants_are_stripped() {
        assert_eq!(key("（一）予以公开"), "予以公开");
        assert_eq!(key("(三) 不予公开"), "不予公开");
        assert_eq!(
            key("一、本年新收政府信息公开申请数量"),
            "本年新收政府信息公开申请数量"
        );
        assert_eq!(key("3.危及“三安全一稳定”"), "危及三安全一稳定");
        assert_eq!(key("2、重复申请"), "重复申请");
        assert_eq!(
            key("(二)部分公开(区分处理的,只计这一情形,不计其他情形)"),
            "部分公开"
        );
        assert_eq!(
            key("规章（设区的市、自治州人民政府应提供相关数据）"),
            "规章"
        );
        assert_eq!(key("本年收费金额(单位:万元)"), "本年收费金额");
        assert_eq!(key("商业 企业"), "商业企业");
    }

    #[test]
    fn numbering_broken_over_lines_still_starts_a_label() {
        for c in ["(七)总计", "(七", "(", "1.", "3.其他", "四、结转"] {
            assert!(is_numbered(c), "{c}");
        }
        for c in ["七)", "总计", "其他", "(区分处理的", "2024年"] {
            assert!(!is_numbered(c), "{c}");
        }
    }

    #[test]
    fn matching_tolerates_cuts_notes_and_dropped_glyphs() {
        assert_eq!(score("规章", "规章"), 1.0);
        assert!(score("本机关不掌握相关", "本机关不掌握相关政府信息") >= 0.8);
        assert!(score("其他法律行政止公开", "其他法律行政法规禁止公开") > 0.6);
        assert!(score("无正当理由大量反复申请", "无正当理由大量反复申请") == 1.0);
        assert_eq!(score("其他", "其他法律行政法规禁止公开"), 0.0);
        assert_eq!(score("其他法律行政止公开", "其他"), 0.0);
        assert_eq!(score("予以公开", "不予公开"), 0.0);
    }

    #[test]
    fn long_labels_match_like_short_ones() {
        let long: String = "政府信息公开".repeat(12);
        assert_eq!(lcs(&long, &long), long.chars().count());
        assert_eq!(lcs("本机关不掌握相关", "本机关不掌握相关政府信息"), 8);
        assert_eq!(
            lcs_on_heap("其他法律行政止公开", "其他法律行政法规禁止公开"),
            9
        );
    }
}
