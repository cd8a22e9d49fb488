//! A report's narrative (its prose, from a text layer or read by OCR) → the table 二 figures it
//! states without doubt: `(cell path, value, sentence)` for phrases such as 制发规章 2 件,
//! 废止行政规范性文件 3 件, 现行有效规章 20 件, 行政处罚 44 件 or 行政事业性收费 24720.2 万元.
//!
//! Conservative by design: a phrase is taken only when it maps to ONE cell of the template's
//! table 二 (`table2_items`), its number is printed in digits and followed directly by the
//! cell's unit, and nothing around it qualifies the figure (a 上年/同比 comparison, an
//! 约/余/以上, a percentage, a 事项 count, words of tables 三/四). A cell stated twice with
//! different figures is not stated at all. Nothing here guesses a number: a miss is silence.
//! Pure string functions, no dependency on how the text was had.

use crate::report::Num;
use crate::template::Template;

/// A table 二 figure stated by the narrative.
#[derive(Debug, Clone, PartialEq)]
pub struct Stated {
    /// The cell's schema path, e.g. `table2.regulations.issued`.
    pub path: String,
    /// The figure as printed (an integer, or a decimal amount in 万元).
    pub value: Num,
    /// The sentence that states it, as given (trimmed).
    pub sentence: String,
}

/// The table 二 items a narrative can name; the longest keyword first where one contains
/// another.
const ITEMS: [(&str, Item); 7] = [
    ("行政事业性收费", Item::Fees),
    ("行政规范性文件", Item::Normative),
    ("规范性文件", Item::Normative),
    ("规章", Item::Regulations),
    ("行政许可", Item::Licensing),
    ("行政处罚", Item::Penalty),
    ("行政强制", Item::Coercion),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Regulations,
    Normative,
    Licensing,
    Penalty,
    Coercion,
    Fees,
}

impl Item {
    fn key(self) -> &'static str {
        match self {
            Item::Regulations => "regulations",
            Item::Normative => "normative_documents",
            Item::Licensing => "licensing",
            Item::Penalty => "penalty",
            Item::Coercion => "coercion",
            Item::Fees => "fees",
        }
    }

    /// Items counted as documents (件/份) with a verb that picks the measure.
    fn is_document(self) -> bool {
        matches!(self, Item::Regulations | Item::Normative)
    }
}

/// What the verb of a document statement says: which of the item's measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Issued,
    Repealed,
    InForce,
    NewlyMade,
    NewlyPublished,
}

/// Verbs by template: 2021's 本年制发/本年废止/现行有效 and 2019's 新制作/新公开. 2019's
/// 制发 could be 新制作 or 新公开 (the two differ), so it is no verb there.
fn verbs(template: Template) -> &'static [(&'static str, Verb)] {
    match template {
        Template::V2021 => &[
            ("现行有效", Verb::InForce),
            ("废止", Verb::Repealed),
            ("制发", Verb::Issued),
            ("印发", Verb::Issued),
            ("出台", Verb::Issued),
            ("制定", Verb::Issued),
        ],
        Template::V2019 => &[
            ("新制作", Verb::NewlyMade),
            ("新公开", Verb::NewlyPublished),
        ],
    }
}

fn measure_of(verb: Verb) -> &'static str {
    match verb {
        Verb::Issued => "issued",
        Verb::Repealed => "repealed",
        Verb::InForce => "in_force",
        Verb::NewlyMade => "newly_made",
        Verb::NewlyPublished => "newly_published",
    }
}

/// Words that carry no meaning for the figure: quantifiers, time of the whole year, the
/// body speaking of itself. A keyword may be surrounded by these and nothing else.
const FILLERS: [&str; 36] = [
    "本年度",
    "本年",
    "全年",
    "年内",
    "今年",
    "共计",
    "合计",
    "总计",
    "共",
    "计",
    "达到",
    "达",
    "为",
    "其中",
    "另有",
    "另",
    "此外",
    "同时",
    "并",
    "又",
    "各类",
    "的",
    "了",
    "件数",
    "数量",
    "数",
    "我市",
    "我县",
    "我区",
    "我局",
    "我委",
    "我办",
    "本机关",
    "本单位",
    "本部门",
    "已",
];

/// Words after a decisions item that still name its decisions (行政处罚决定 12 件).
const DECISION_SUFFIXES: [&str; 5] = ["决定书", "处理决定", "决定", "案件", "案"];
/// Words after 行政事业性收费 that still name its amount.
const FEE_SUFFIXES: [&str; 3] = ["收费金额", "金额", "收入"];

/// Anywhere before the figure in its segment, these make it another figure than the cell's:
/// a comparison with last year, a change, a share, a count of 事项 (not decisions), or words
/// of tables 三/四.
const NEGATIVE: [&str; 20] = [
    "上年",
    "去年",
    "上一年",
    "同比",
    "较",
    "比上",
    "增长",
    "增加",
    "减少",
    "下降",
    "占",
    "比例",
    "率",
    "事项",
    "行政复议",
    "行政诉讼",
    "申请",
    "平均",
    "季度",
    "月",
];

/// A figure right after these is not exact or not a count (约 3 件, 第 3 件).
const QUALIFIERS: [&str; 8] = ["约", "近", "超过", "逾", "第", "不足", "不到", "多达"];

/// Ends a sentence.
fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | '；' | ';' | '！' | '!' | '？' | '?' | '\n' | '\r')
}

/// Ends a segment within a sentence: the text before a figure is read from the last of these.
fn is_segment_break(c: char) -> bool {
    matches!(c, '，' | ',' | '、' | '：' | ':' | '（' | '(' | '）' | ')')
}

/// The table 二 figures `text` states for `template`'s table 二, in order of appearance.
pub fn table2_statements(text: &str, template: Template) -> Vec<Stated> {
    let mut out: Vec<Stated> = Vec::new();
    let mut doubtful: Vec<String> = Vec::new();
    for sentence in text.split(is_sentence_end) {
        for s in sentence_statements(sentence, template) {
            match out.iter().position(|o| o.path == s.path) {
                Some(i) if out[i].value != s.value => doubtful.push(s.path),
                Some(_) => {}
                None => out.push(s),
            }
        }
    }
    out.retain(|s| !doubtful.contains(&s.path));
    out
}

/// One figure found in a sentence: where its number starts and ends, its value and unit.
struct Figure {
    start: usize,
    end: usize,
    value: Num,
    unit: &'static str,
}

/// The statements of one sentence. The text before each figure (from the last segment break
/// or the previous figure) must end in an item and, for documents, a verb; a segment that is
/// only an item takes the previous figure's verb (制发规章 2 件、行政规范性文件 15 件), one
/// that is only a verb the item last named (规章方面，制发 2 件，废止 1 件).
fn sentence_statements(sentence: &str, template: Template) -> Vec<Stated> {
    let chars = normalize(sentence);
    let mut out = Vec::new();
    let mut last_verb: Option<Verb> = None;
    let mut last_item: Option<Item> = None;
    let mut from = 0;
    for fig in figures(&chars) {
        let before: String = chars[from..fig.start].iter().collect();
        let seg_start = chars[from..fig.start]
            .iter()
            .rposition(|&c| is_segment_break(c))
            .map_or(from, |i| from + i + 1);
        let context: String = chars[from..seg_start].iter().collect();
        // The item the text before this segment names, if exactly one.
        match items_in(&context).as_slice() {
            [one] => last_item = Some(*one),
            [] => {}
            _ => last_item = None,
        }
        let segment: String = chars[seg_start..fig.start].iter().collect();
        let stated = if NEGATIVE.iter().any(|w| before.contains(w)) {
            None
        } else {
            cell_of(&segment, template, fig.unit, last_item, last_verb)
        };
        match stated {
            Some((item, verb, measure)) => {
                last_item = Some(item);
                last_verb = verb;
                out.push(Stated {
                    path: format!("table2.{}.{measure}", item.key()),
                    value: fig.value,
                    sentence: sentence.trim().to_string(),
                });
            }
            None => {
                // A figure that is not understood ends what the sentence has said so far:
                // what follows cannot lean on it.
                last_verb = None;
                if !items_in(&segment).is_empty() {
                    last_item = None;
                }
            }
        }
        from = fig.end;
    }
    out
}

/// The cell a segment (the text right before a figure with `unit`) names: its item, verb and
/// measure key, or `None` when it is not one cell without doubt.
fn cell_of(
    segment: &str,
    template: Template,
    unit: &str,
    last_item: Option<Item>,
    last_verb: Option<Verb>,
) -> Option<(Item, Option<Verb>, &'static str)> {
    if QUALIFIERS.iter().any(|q| segment.ends_with(q)) {
        return None;
    }
    let core = Core::parse(segment, template)?;
    let item = match core.item {
        Some(item) => item,
        // Only a verb: the item last named, when the segment says nothing else.
        None if core.prefix_is_filler => last_item.filter(|i| i.is_document())?,
        None => return None,
    };
    if item.is_document() {
        if !matches!(unit, "件" | "份") {
            return None;
        }
        let verb = match core.verb {
            Some(v) => v,
            // Only an item: the verb of the figure before, when the segment says nothing else.
            None if core.prefix_is_filler => last_verb?,
            None => return None,
        };
        return Some((item, Some(verb), measure_of(verb)));
    }
    if core.verb.is_some() {
        return None;
    }
    match (item, template, unit) {
        (Item::Fees, Template::V2021, "万元") => Some((item, None, "amount_10k_yuan")),
        (Item::Fees, _, _) => None,
        // 2019 has 项目数量 beside 处理决定数量: a 项 there may be an item count.
        (_, Template::V2019, "件") | (_, Template::V2021, "件" | "项") => {
            Some((item, None, "decisions"))
        }
        _ => None,
    }
}

/// A segment read from its end: fillers, a keyword, fillers, maybe the other kind of keyword
/// (an item and its verb, in either order), and whatever came before (the prefix).
struct Core {
    item: Option<Item>,
    verb: Option<Verb>,
    /// The prefix is empty or fillers only: the segment says nothing but its keyword(s).
    prefix_is_filler: bool,
}

impl Core {
    fn parse(segment: &str, template: Template) -> Option<Core> {
        let mut rest = strip_fillers(segment);
        let mut item = None;
        let mut verb = None;
        // At most two keywords: an item and a verb.
        for _ in 0..2 {
            if item.is_none() {
                if let Some((it, r)) = item_at_end(rest) {
                    item = Some(it);
                    rest = strip_fillers(r);
                    continue;
                }
            }
            if verb.is_none() {
                if let Some((v, r)) = verb_at_end(rest, template) {
                    verb = Some(v);
                    rest = strip_fillers(r);
                    continue;
                }
            }
            break;
        }
        if item.is_none() && verb.is_none() {
            return None;
        }
        // A keyword left in the prefix is a second item or verb: doubt.
        if !items_in(rest).is_empty() || verbs(template).iter().any(|(w, _)| rest.contains(w)) {
            return None;
        }
        Some(Core {
            item,
            verb,
            prefix_is_filler: rest.is_empty(),
        })
    }
}

/// The item keyword `s` ends with (with a decisions or fee suffix after it), and the rest.
fn item_at_end(s: &str) -> Option<(Item, &str)> {
    for suffix in DECISION_SUFFIXES.iter().chain(&FEE_SUFFIXES).chain(&[""]) {
        let Some(head) = s.strip_suffix(suffix) else {
            continue;
        };
        for &(word, item) in &ITEMS {
            let Some(rest) = head.strip_suffix(word) else {
                continue;
            };
            let fits = suffix.is_empty()
                || match item {
                    Item::Fees => FEE_SUFFIXES.contains(suffix),
                    Item::Licensing | Item::Penalty | Item::Coercion => {
                        DECISION_SUFFIXES.contains(suffix)
                    }
                    _ => false,
                };
            // 行政规范性文件 ends with 规范性文件: the longer keyword was tried first.
            if fits {
                return Some((item, rest));
            }
        }
    }
    None
}

/// The verb `s` ends with, and the rest.
fn verb_at_end(s: &str, template: Template) -> Option<(Verb, &str)> {
    verbs(template)
        .iter()
        .find_map(|&(w, v)| s.strip_suffix(w).map(|r| (v, r)))
}

/// The distinct items named in `s` (规范性文件 inside 行政规范性文件 counted once; 规章制度 is
/// no 规章).
fn items_in(s: &str) -> Vec<Item> {
    let mut found = Vec::new();
    let mut t = s.replace("规章制度", "");
    for &(word, item) in &ITEMS {
        if t.contains(word) {
            t = t.replace(word, "");
            if !found.contains(&item) {
                found.push(item);
            }
        }
    }
    found
}

/// `s` without the fillers (and a year such as `2023年`) at its end.
fn strip_fillers(mut s: &str) -> &str {
    loop {
        if let Some(r) = FILLERS.iter().find_map(|f| s.strip_suffix(f)) {
            s = r;
            continue;
        }
        if let Some(r) = strip_year(s) {
            s = r;
            continue;
        }
        return s;
    }
}

/// `s` without a trailing `2023年` / `2023年度`.
fn strip_year(s: &str) -> Option<&str> {
    let head = s.strip_suffix("年度").or_else(|| s.strip_suffix('年'))?;
    let digits = head.chars().rev().take_while(char::is_ascii_digit).count();
    (digits == 4).then(|| &head[..head.len() - digits])
}

/// The sentence as chars: full-width digits and point made ASCII, 〇/○ as 0, OCR's letter
/// confusions (O/o for 0, l/I for 1) inside a run that has a digit, thousands separators
/// dropped, and spaces dropped — except between two digits, where a space separates two
/// numbers and is kept as a break (never two numbers joined into one).
fn normalize(sentence: &str) -> Vec<char> {
    let raw: Vec<char> = sentence
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '〇' | '○' => '0',
            '．' => '.',
            _ => c,
        })
        .collect();
    let raw = letters_as_digits(&raw);
    let mut out: Vec<char> = Vec::with_capacity(raw.len());
    for (i, &c) in raw.iter().enumerate() {
        let prev_digit = out.last().is_some_and(char::is_ascii_digit);
        if c.is_whitespace() {
            let next_digit = raw[i + 1..]
                .iter()
                .find(|c| !c.is_whitespace())
                .is_some_and(char::is_ascii_digit);
            if prev_digit && next_digit {
                out.push('，');
            }
            continue;
        }
        // 1,234: a comma between a digit and exactly three digits is a thousands separator.
        if c == ',' && prev_digit {
            let three = raw[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if three == 3 {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// O/o → 0 and l/I → 1 inside a run of digits and those letters that holds a real digit.
fn letters_as_digits(chars: &[char]) -> Vec<char> {
    let lookalike = |c: char| matches!(c, 'O' | 'o' | 'l' | 'I');
    let mut out = chars.to_vec();
    let mut i = 0;
    while i < chars.len() {
        if !(chars[i].is_ascii_digit() || lookalike(chars[i])) {
            i += 1;
            continue;
        }
        let end = (i..chars.len())
            .find(|&j| !(chars[j].is_ascii_digit() || lookalike(chars[j])))
            .unwrap_or(chars.len());
        // Latin words (a URL, "Office") are left alone: only a run between non-Latin text.
        let latin_next = |j: usize| chars.get(j).is_some_and(char::is_ascii_alphabetic);
        let latin_before = i > 0 && chars[i - 1].is_ascii_alphabetic();
        if chars[i..end].iter().any(char::is_ascii_digit) && !latin_before && !latin_next(end) {
            for c in &mut out[i..end] {
                *c = match *c {
                    'O' | 'o' => '0',
                    'l' | 'I' => '1',
                    other => other,
                };
            }
        }
        i = end;
    }
    out
}

/// Units a figure may carry, longest first.
const UNITS: [&str; 4] = ["万元", "件", "份", "项"];

/// The figures of a normalised sentence: digits (one decimal point at most) followed directly
/// by a unit, and not by a word that makes it another unit (件次, 项目).
fn figures(chars: &[char]) -> Vec<Figure> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1] == '.') {
            i += 1;
            continue;
        }
        let end = (i..chars.len())
            .find(|&j| !(chars[j].is_ascii_digit() || chars[j] == '.'))
            .unwrap_or(chars.len());
        let number: String = chars[i..end].iter().collect();
        let after: String = chars[end..chars.len().min(end + 3)].iter().collect();
        let unit = UNITS.iter().find(|u| after.starts_with(*u));
        if let (Some(unit), Some(value)) = (unit, Num::parse_plain(&number)) {
            let next = chars.get(end + unit.chars().count()).copied();
            let other_unit = matches!((*unit, next), ("件", Some('次')) | ("项", Some('目')));
            let money_ok = *unit == "万元" || matches!(value, Num::Int(_));
            if !other_unit && money_ok {
                out.push(Figure {
                    start: i,
                    end: end + unit.chars().count(),
                    value,
                    unit,
                });
            }
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests;
