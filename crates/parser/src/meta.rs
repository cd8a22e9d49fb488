//! [`Document`] → metadata: the data year (统计期限 first, then the title) and the issuing body
//! as the report names itself. Tolerates characters dropped by text extraction
//! ("自202111日起"), spaces put between digits and 年 by converters and OCR ("2 0 2 4 年",
//! "2024 年"), and titles that put the year before the body ("2024年某某局政府信息公开…").
//! No I/O.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::Regex;

use nianbao_model::document::{Block, Document};

/// How many leading blocks are searched for metadata.
const HEAD_BLOCKS: usize = 80;

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| {
        Regex::new(pattern).unwrap_or_else(|e| panic!("bad built-in regex {pattern}: {e}"))
    })
}

fn period_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"(?:统计期限|统计时限|统计期间|统计时间|数据统计)[^0-9]{0,12}(20\d{2})",
    )
}

fn from_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"自\s*(20\d{2})\s*年?\s*0?1\s*月?\s*0?1\s*日?\s*(?:起|至)",
    )
}

fn title_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"([^\s,，。、:：;；“”《》()（）|<>_\-—]{0,40}?)\s*(20\d{2})\s*年度?\s*(?:政府)?信息公开(?:工作)?(?:年度)?(?:报告|年报)",
    )
}

/// A title with the year first: "2024年上海市某局政府信息公开工作年度报告".
fn year_first_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"(20\d{2})\s*年度?\s*([^\s,，。、:：;；“”《》()（）|<>_\-—]{2,40}?)\s*(?:政府)?信息公开(?:工作)?(?:年度)?(?:报告|年报)",
    )
}

/// Words that, right before "YYYY年…年度报告", show a text *about* reports (a notice asking
/// bodies to publish theirs: "关于做好2023年度政府信息公开工作年度报告…的通知"), not a report.
const ABOUT_REPORTS: [&str; 6] = ["做好", "开展", "编制", "报送", "印发", "关于"];

/// A report title or opening sentence found in a text: the body it names (if any), the year,
/// and whether the title stands alone (nothing printed before it on its line), as a title
/// block's second line does.
struct TitleMatch {
    name: Option<String>,
    year: i32,
    alone: bool,
}

/// Text glued to a title that no report prints in its own title block: markup, a spreadsheet
/// formula (`=HYPERLINK(…)2021年…`), a URL. A body's name is Chinese; ASCII letters and ASCII
/// punctuation other than a dot in it mean the text is a link or an injection, not a title.
fn foreign(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_ascii_alphabetic() || (c.is_ascii_punctuation() && c != '.'))
}

/// The body name and year of a report title or opening sentence, if the text names one.
fn report_title(text: &str) -> Option<(Option<String>, i32)> {
    title_match(text).map(|m| (m.name, m.year))
}

fn title_match(text: &str) -> Option<TitleMatch> {
    if !text.contains("20") {
        return None; // no year: skip the regex
    }
    let Some(caps) = title_re().captures(text) else {
        return year_first_title(text);
    };
    let year = caps[2].parse().ok()?;
    let group = caps.get(1)?;
    let raw = group.as_str().trim();
    if ABOUT_REPORTS.iter().any(|w| raw.ends_with(w)) {
        return None;
    }
    // What is printed right before the title on its line: a formula or markup there makes the
    // line a link or an injection, never the report's own title.
    let before = text[..group.start()].trim_end();
    if foreign(raw) || before.chars().last().is_some_and(glued_to_markup) {
        return None;
    }
    let mut name = raw;
    for p in PREFIXES {
        if let Some(pos) = name.rfind(p) {
            name = &name[pos + p.len()..];
        }
    }
    let name = name.trim_start_matches(['的', '对']);
    Some(TitleMatch {
        name: (name.chars().count() >= 2).then(|| name.to_string()),
        year,
        alone: before.is_empty() && raw.is_empty(),
    })
}

/// [`title_match`] for a title that names the year before the body
/// ("2024 年某某市科学技术局政府信息公开工作年度报告").
fn year_first_title(text: &str) -> Option<TitleMatch> {
    let caps = year_first_re().captures(text)?;
    let year = caps[1].parse().ok()?;
    let before = text[..caps.get(0)?.start()].trim_end();
    if ABOUT_REPORTS.iter().any(|w| before.ends_with(w)) {
        return None;
    }
    let name = caps[2].trim();
    if foreign(name) || before.chars().last().is_some_and(glued_to_markup) {
        return None;
    }
    // "2024年度政府信息公开…" has no body: what the pattern took for one is the template's words.
    // "本机关"/"我局" name no one: a sentence about the report, not its title.
    let plausible = name.chars().count() >= 2
        && !name.starts_with(['度', '政', '工', '本', '我', '全', '各', '该']);
    Some(TitleMatch {
        name: plausible.then(|| name.to_string()),
        year,
        alone: false,
    })
}

/// The last character of markup or a formula that a title printed right after it is glued to.
fn glued_to_markup(c: char) -> bool {
    matches!(c, ')' | '"' | '\'' | '>' | '=' | ']' | '}')
}

/// Leading words that are not part of a body's name.
const PREFIXES: [&str; 8] = [
    "现将",
    "现公布",
    "公布",
    "发布",
    "关于",
    "现予公布",
    "特此公布",
    "根据",
];

/// The texts metadata is read from: the first blocks' text (a line as it is, a row's cells
/// joined by spaces), with the spaces inside dates squeezed out ([`squeeze_dates`]).
fn head_texts(doc: &Document) -> Vec<Cow<'_, str>> {
    doc.blocks
        .iter()
        .take(HEAD_BLOCKS)
        .map(|block| match block {
            Block::Line { text, .. } => squeeze_dates(text),
            Block::Row { cells } => Cow::Owned(
                cells
                    .iter()
                    .map(|c| c.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        })
        .collect()
}

/// White space inside a date as converters and OCR print it ("2 0 2 4 年 1 2 月", "2024 年")
/// removed: a run of spaces goes when a digit is on one side and a digit or 年/月/日 on the
/// other. Text without such a run is borrowed as it is.
fn squeeze_dates(text: &str) -> Cow<'_, str> {
    let dateish = |c: char| c.is_ascii_digit() || matches!(c, '年' | '月' | '日');
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() && i > 0 {
            let end = (i..chars.len())
                .find(|&j| !chars[j].is_whitespace())
                .unwrap_or(chars.len());
            let (prev, next) = (chars[i - 1], chars.get(end).copied());
            let squeeze = next.is_some_and(|n| {
                (prev.is_ascii_digit() && dateish(n)) || (dateish(prev) && n.is_ascii_digit())
            });
            if squeeze {
                changed = true;
                i = end;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

/// The data year: the 统计期限 sentence wins, then "自2021年1月1日起", then a title.
pub(crate) fn year(doc: &Document) -> Option<i32> {
    let texts = head_texts(doc);
    let title = doc.title.as_deref().map(squeeze_dates);
    let title = title.as_deref();
    let all = || texts.iter().map(|t| t.as_ref()).chain(title);
    let find =
        |re: &Regex| all().find_map(|t| re.captures(t).and_then(|c| c[1].parse::<i32>().ok()));
    find(period_re()).or_else(|| find(from_re())).or_else(|| {
        title
            .into_iter()
            .chain(texts.iter().map(|t| t.as_ref()))
            .find_map(|t| report_title(t).map(|(_, y)| y))
    })
}

/// The issuing body: the name before "YYYY年政府信息公开工作年度报告" in the report's own
/// title block or opening lines, without leading verbs such as 现公布. Navigation links are
/// not a title block: a line with markup or a formula around the title is skipped, and so is
/// a title of another year than the report's data year (a sidebar link to another report).
pub(crate) fn body(doc: &Document) -> Option<String> {
    let texts = head_texts(doc);
    let data_year = year(doc);
    let from_texts = texts.iter().enumerate().find_map(|(i, t)| {
        let m = title_match(t)?;
        if data_year.is_some_and(|y| y != m.year) {
            return None;
        }
        match m.name {
            Some(name) => Some(name),
            // A title printed over two lines: "淮安市人民政府" / "2024年政府信息公开工作年度报告".
            None if m.alone => i.checked_sub(1).and_then(|p| plausible_name(&texts[p])),
            None => None,
        }
    });
    from_texts.or_else(|| {
        doc.title
            .as_deref()
            .and_then(|t| report_title(&squeeze_dates(t)))
            .and_then(|(name, _)| name)
    })
}

/// A short line without punctuation, such as a body's name printed above the title.
fn plausible_name(line: &str) -> Option<String> {
    let t = line.trim();
    let n = t.chars().count();
    let punct = t
        .chars()
        .any(|c| c.is_ascii_punctuation() || "，。、：；（）《》“”".contains(c));
    ((2..=30).contains(&n) && !punct).then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use nianbao_model::document::Loc;

    fn doc(lines: &[&str], title: Option<&str>) -> Document {
        let mut d = Document {
            title: title.map(str::to_string),
            blocks: vec![],
        };
        for (i, l) in lines.iter().enumerate() {
            d.push_line(*l, Loc::Line { line: i as u32 + 1 });
        }
        d
    }

    #[test]
    fn year_from_the_statistics_period() {
        let d = doc(&["现公布贵港市2021年政府信息公开工作年度报告。本报告所列数据的统计期限自2021年1月1日起至2021年12月31日止。"], None);
        assert_eq!(year(&d), Some(2021));
        assert_eq!(body(&d).as_deref(), Some("贵港市"));
    }

    #[test]
    fn year_with_dropped_characters() {
        let d = doc(
            &["本报告中所列数据统计期限自202411日起至1231日止。"],
            Some("某局2023年工作总结"),
        );
        assert_eq!(year(&d), Some(2024));
    }

    #[test]
    fn year_and_body_from_a_title() {
        let d = doc(
            &["正文"],
            Some("洪泽区人民政府2023年政府信息公开工作年度报告_淮安市洪泽区人民政府"),
        );
        assert_eq!(year(&d), Some(2023));
        assert_eq!(body(&d).as_deref(), Some("洪泽区人民政府"));
    }

    #[test]
    fn a_notice_about_reports_names_no_body_or_year() {
        let d = doc(
            &["关于做好2023年度政府信息公开工作年度报告编制发布工作的通知"],
            None,
        );
        assert_eq!((year(&d), body(&d)), (None, None));
    }

    #[test]
    fn a_title_over_two_lines() {
        let d = doc(
            &[
                "淮安市人民政府",
                "2024年政府信息公开工作年度报告",
                "本报告由……编制。",
            ],
            None,
        );
        assert_eq!(body(&d).as_deref(), Some("淮安市人民政府"));
    }

    #[test]
    fn a_sidebar_link_is_not_the_title_block() {
        // See: issue 17 (a formula in a sidebar link became the body).
        let d = doc(
            &[
                "财政局",
                "=HYPERLINK(\"http://x.example/\",\"点此\")2021年政府信息公开工作年度报告",
                "首页",
                "=HYPERLINK\"x\"2021年政府信息公开工作年度报告",
                "2020年政府信息公开工作年度报告",
                "贵港市人民政府",
                "2021年政府信息公开工作年度报告",
                "本报告所列数据的统计期限自2021年1月1日起至2021年12月31日止。",
            ],
            None,
        );
        assert_eq!(year(&d), Some(2021));
        assert_eq!(body(&d).as_deref(), Some("贵港市人民政府"));
    }

    #[test]
    fn spaced_years_and_a_year_first_title() {
        let d = doc(
            &["2024 年某某市科学技术局政府信息公开工作年度报告", "正文"],
            None,
        );
        assert_eq!(year(&d), Some(2024));
        assert_eq!(body(&d).as_deref(), Some("某某市科学技术局"));
        let d = doc(
            &["统计期限自 2 0 2 3 年 1 月 1 日起至 2 0 2 3 年 1 2 月 3 1 日止。"],
            Some("2022年度政府信息公开工作年度报告"),
        );
        assert_eq!(year(&d), Some(2023));
        assert_eq!(body(&d), None);
        assert_eq!(squeeze_dates("规章 1 2 件"), "规章 12 件");
        assert_eq!(squeeze_dates("第二十条 第(一)项"), "第二十条 第(一)项");
    }

    #[test]
    fn no_year_is_none() {
        assert_eq!(year(&doc(&["关于开展2024年防汛演练的通知"], None)), None);
    }
}
