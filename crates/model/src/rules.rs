//! The catalogue of finding rule ids (every id a [`Finding`](crate::Finding) can carry, with
//! its name in Chinese and English) and the Chinese wording shared by findings: a cell's name
//! (`表三「予以公开」总计`) and a long cell list in a few words (`表三 总计列 22 格`).
//! Input: rule ids and schema paths; output: text. Pure data and string functions.

use crate::template::{
    table2_items, T2Item, Template, T3_COLUMNS, T3_ROWS, T4_GROUPS, T4_OUTCOMES,
};

/// One rule id a finding can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The id, e.g. `T3-1` or `P-TABLE-MISSING`.
    pub id: &'static str,
    /// What the rule checks or the finding reports, in Chinese.
    pub name_zh: &'static str,
    /// The same in English.
    pub name_en: &'static str,
}

const fn rule(id: &'static str, name_zh: &'static str, name_en: &'static str) -> Rule {
    Rule {
        id,
        name_zh,
        name_en,
    }
}

/// Every rule id the code emits: the consistency rules of template.md §4 (`T…`), the parse
/// and source findings (`P-…`) and the aggregation's unit conversions (`T-UNIT`). The README
/// lists each (a test holds it to this list, and this list to the ids in the code).
pub const RULES: &[Rule] = &[
    rule(
        "T3-1",
        "表三：一 本年新收 + 二 上年结转 = 三（七）总计 + 四 结转下年度（逐列）",
        "table 三: new + carried over = total processed + carried forward, per column",
    ),
    rule(
        "T3-2",
        "表三：（七）总计 = 各项办理结果之和（逐列）",
        "table 三: (七) total = the sum of the result items, per column",
    ),
    rule(
        "T3-3",
        "表三：总计列 = 六类申请人之和（逐行）",
        "table 三: the 总计 column = the six applicant columns, per row",
    ),
    rule("T3-4", "表三：数值不得为负", "table 三: no negative value"),
    rule(
        "T3-5",
        "跨年：本年 上年结转 = 上年 结转下年度继续办理（逐列）",
        "across years: carried over = last year's carried forward, per column",
    ),
    rule(
        "T4-1",
        "表四：各组 总计 = 维持 + 纠正 + 其他 + 尚未审结",
        "table 四: each group's total = its four outcomes",
    ),
    rule(
        "T2-a",
        "跨年（2021 格式）：上年现行有效 + 本年制发 − 本年废止 = 本年现行有效",
        "across years (2021 format): in force last year + issued − repealed = in force",
    ),
    rule(
        "T2-b",
        "跨年（2021 格式）：本年废止 ≤ 上年现行有效 + 本年制发",
        "across years (2021 format): repealed ≤ in force last year + issued",
    ),
    rule(
        "T2-c",
        "跨年（2019 格式）：上年 上一年项目数量 + 本年增/减 = 本年 上一年项目数量",
        "across years (2019 format): last year's items + change = this year's prior items",
    ),
    rule(
        "T2-d",
        "表二（2019 格式）：本年新公开数量 ≤ 对外公开总数量",
        "table 二 (2019 format): newly published ≤ total published",
    ),
    rule("P-TABLE-MISSING", "未找到表格", "a table was not found"),
    rule(
        "P-LABEL-NOT-FOUND",
        "未找到模板的某些行（留空）",
        "template rows not found (left null)",
    ),
    rule(
        "P-LABEL-FUZZY",
        "行标签按近似匹配读取",
        "a row label matched loosely",
    ),
    rule(
        "P-LABEL-BROKEN",
        "标签与数字错位，无法判断归属（留空）",
        "labels and numbers lost their rows (left null)",
    ),
    rule(
        "P-UNEXPECTED-ROW",
        "模板以外的行（其数值未采用）",
        "a row not in the template (its values unused)",
    ),
    rule(
        "P-VALUE-COUNT",
        "一行的数值个数与模板不符（留空）",
        "a row has another number of values than the template (left null)",
    ),
    rule(
        "P-VALUE",
        "数值无法读取（留空）",
        "a value that cannot be read (left null)",
    ),
    rule(
        "P-UNIT",
        "带单位的数值已换算",
        "a value printed with a unit was converted",
    ),
    rule(
        "P-MIXED-TEMPLATE",
        "混用两版模板的格式",
        "the two template versions mixed",
    ),
    rule(
        "P-TEMPLATE-INFERRED",
        "模板版本系推断",
        "the template version was inferred",
    ),
    rule(
        "P-TEMPLATE-UNKNOWN",
        "无法判断模板版本",
        "the template version cannot be decided",
    ),
    rule(
        "P-DERIVED-NULL",
        "由空格推算的值留空",
        "a derived value left null (an operand is null)",
    ),
    rule(
        "P-MERGED-CELL",
        "跨行合并的单元格不拆分（留空）",
        "a value merged over several rows is not split (left null)",
    ),
    rule(
        "P-MERGED-ZERO",
        "跨行合并的 0 计入每一行",
        "a 0 merged over several rows is 0 in each",
    ),
    rule(
        "P-RECONSTRUCTED",
        "数字连排的行按唯一能平衡的拆分读取",
        "a run-together row read as the only split that adds up",
    ),
    rule(
        "P-REALIGNED",
        "表三数值错行，按唯一能平衡的顺序读取",
        "table 三's values out of their rows, read by the only order that adds up",
    ),
    rule(
        "P-REALIGN-AMBIGUOUS",
        "表三数值错行，多种读法都能平衡，均未采用",
        "table 三's values out of their rows, several readings add up, none chosen",
    ),
    rule(
        "P-SCAN",
        "扫描件（只有图像，没有文字层），需要 OCR，未读取数值",
        "a scan (images without text) that needs OCR: no value read",
    ),
    rule(
        "O-READ",
        "扫描件经 OCR 读取：表中每个数值或经勾稽关系验证，或识别置信度足够高",
        "a scan read by OCR: every value proven by the identities or read with high confidence",
    ),
    rule(
        "O-CORRECTED",
        "OCR 首选读数不满足勾稽关系，按唯一能平衡的候选读数更正",
        "OCR's most probable reading broke an identity: the unique candidate that balances taken",
    ),
    rule(
        "O-REFUSED",
        "OCR 读数无法由勾稽关系唯一验证，该表留空（列出可疑单元格）",
        "OCR readings not proven uniquely by the identities: the table is left null (suspects named)",
    ),
    rule(
        "O-UNPROVEN",
        "OCR 读数无勾稽关系可验证且置信度不足，该格留空",
        "an OCR reading no identity checks, read with too little confidence: the cell is left null",
    ),
    rule(
        "O-NARRATIVE",
        "表二 OCR 读数与正文所述数字不符，该格留空",
        "a table 二 OCR reading differs from the figure the narrative states: the cell is left null",
    ),
    rule(
        "O-LABEL",
        "扫描件表格的标签与模板不符，停止读取",
        "a label of the scanned table does not match the template: the reading stopped",
    ),
    rule(
        "O-GRID",
        "扫描件中未找到模板表格的表格线（或仅表二的表格线不符：表二留空）",
        "no ruled table of the template's shape found on the scanned pages (or only table 二's: it is null)",
    ),
    rule(
        "O-MODELS",
        "未安装 OCR 模型（运行 tools/ocr-models.sh），扫描件未读取",
        "the OCR models are not installed (run tools/ocr-models.sh): the scan was not read",
    ),
    rule(
        "P-UNREADABLE",
        "存档记录无法读取或与摘要不符",
        "an archived record that cannot be read or does not match its digest",
    ),
    rule(
        "P-PARSE",
        "页面无法解析为年报",
        "a captured page that could not be parsed",
    ),
    rule(
        "C-CORRECTED",
        "数值经更正（--corrections），原印刷文本保留",
        "a value replaced by --corrections (the printed text kept)",
    ),
    rule(
        "P-ATTACHMENT",
        "附件无法读取",
        "an attachment could not be read",
    ),
    rule(
        "P-SOURCE",
        "表格取自附件",
        "a table was read from an attachment",
    ),
    rule(
        "P-SOURCE-DISAGREE",
        "页面与附件的数值不一致",
        "the page and its attachment print different values",
    ),
    rule(
        "P-REMOVED",
        "页面已从门户撤下，数值取自存档",
        "the page was removed from the portal; values from the archived capture",
    ),
    rule(
        "T-UNIT",
        "金额换算为万元（或单位不明、未换算）",
        "money converted to 万元 (or left without an amount: unit unknown)",
    ),
];

/// The catalogue entry of a rule id; `None` for an id not in [`RULES`].
pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// The Chinese name of a table key: `table3` → `表三`.
pub fn table_zh(table: &str) -> &str {
    match table {
        "table2" => "表二",
        "table3" => "表三",
        "table4" => "表四",
        other => other,
    }
}

/// A schema path split into its year prefix (`2020:` across years), table, row and column.
struct Path<'a> {
    year: Option<&'a str>,
    table: &'a str,
    row: Option<&'a str>,
    column: Option<&'a str>,
}

fn split(path: &str) -> Path<'_> {
    let (year, rest) = match path.split_once(':') {
        Some((y, rest)) => (Some(y), rest),
        None => (None, path),
    };
    let mut parts = rest.splitn(3, '.');
    Path {
        year,
        table: parts.next().unwrap_or(""),
        row: parts.next(),
        column: parts.next(),
    }
}

/// The table 二 items of either template version with the key `key` (2021's first).
fn table2_items_keyed(key: &str) -> impl Iterator<Item = &'static T2Item> + '_ {
    [Template::V2021, Template::V2019]
        .into_iter()
        .flat_map(table2_items)
        .filter(move |i| i.key == key)
}

/// The printed label of a row (table 二: an item) of `table`, or the key when unknown.
fn row_label<'a>(table: &str, row: &'a str) -> &'a str {
    let found = match table {
        "table2" => table2_items_keyed(row)
            .next()
            .and_then(|i| i.labels.first().copied()),
        "table3" => label_of(&T3_ROWS, row),
        "table4" => label_of(&T4_GROUPS, row),
        _ => None,
    };
    found.unwrap_or(row)
}

/// The printed label of a column (table 二: a measure) of `table`, or the key when unknown.
fn column_label<'a>(table: &str, row: &str, column: &'a str) -> &'a str {
    let found = match table {
        "table2" => table2_items_keyed(row)
            .flat_map(|i| i.measures.iter())
            .find(|(k, _)| *k == column)
            .map(|(_, l)| *l),
        "table3" => label_of(&T3_COLUMNS, column),
        "table4" => label_of(&T4_OUTCOMES, column),
        _ => None,
    };
    found.unwrap_or(column)
}

fn label_of(pairs: &[(&'static str, &'static str)], key: &str) -> Option<&'static str> {
    pairs.iter().find(|(k, _)| *k == key).map(|(_, l)| *l)
}

/// A cell, row or table in Chinese: `table3.granted.total` → `表三「予以公开」总计`,
/// `2020:table3.carried_forward.total` → `2020 年表三「结转下年度继续办理」总计`.
pub fn cell_zh(path: &str) -> String {
    let p = split(path);
    let mut s = p.year.map_or(String::new(), |y| format!("{y} 年"));
    s.push_str(table_zh(p.table));
    if let Some(row) = p.row {
        s.push_str(&format!("「{}」", row_label(p.table, row)));
        if let Some(column) = p.column {
            s.push_str(column_label(p.table, row, column));
        }
    }
    s
}

/// How many groups [`cells_summary_zh`] names before it says `等`.
const SUMMARY_GROUPS: usize = 4;

/// A finding's cells in a few words: cells grouped by table and column (table 二: by item),
/// e.g. `表三 总计列 22 格、科研机构列 20 格`; whole tables and rows are named as such. Up to
/// four groups are named, then `等 N 组` (N groups in all); the full list stays in the
/// finding's `cells`.
pub fn cells_summary_zh(cells: &[String]) -> String {
    // ((year and table, what within it), count) in first-seen order.
    let mut groups: Vec<((String, String), usize)> = Vec::new();
    for path in cells {
        let p = split(path);
        let year = p.year.map_or(String::new(), |y| format!("{y} 年"));
        let table = format!("{year}{}", table_zh(p.table));
        let within = match (p.row, p.column) {
            (Some(row), Some(_)) if p.table == "table2" => {
                format!("「{}」", row_label(p.table, row))
            }
            (Some(row), Some(column)) => format!("{}列", column_label(p.table, row, column)),
            (Some(row), None) => format!("「{}」行", row_label(p.table, row)),
            (None, _) => String::new(),
        };
        let key = (table, within);
        match groups.iter_mut().find(|(g, _)| *g == key) {
            Some((_, n)) => *n += 1,
            None => groups.push((key, 1)),
        }
    }
    let mut parts: Vec<String> = Vec::new();
    let mut last_table = None;
    for ((table, within), n) in groups.iter().take(SUMMARY_GROUPS) {
        let count = if within.is_empty() || within.ends_with('行') {
            String::new()
        } else if within.ends_with('」') {
            format!("{n} 格")
        } else {
            format!(" {n} 格")
        };
        let sep = if within.starts_with('「') { "" } else { " " };
        parts.push(if last_table == Some(table) {
            format!("{within}{count}")
        } else {
            format!(
                "{table}{}{within}{count}",
                if within.is_empty() { "" } else { sep }
            )
        });
        last_table = Some(table);
    }
    let mut text = parts.join("、");
    if groups.len() > SUMMARY_GROUPS {
        text.push_str(&format!("等 {} 组", groups.len()));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn rule_ids_are_unique_and_named_in_both_languages() {
        for (i, r) in RULES.iter().enumerate() {
            assert!(RULES[..i].iter().all(|o| o.id != r.id), "{} twice", r.id);
            assert!(r
                .name_zh
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
            assert!(
                r.name_en.starts_with(|c: char| c.is_ascii_alphabetic()),
                "{}",
                r.id
            );
        }
        assert_eq!(find("T3-1").map(|r| r.id), Some("T3-1"));
        assert!(find("T9-9").is_none());
    }

    #[test]
    fn cells_are_named_in_chinese() {
        assert_eq!(cell_zh("table3.granted.total"), "表三「予以公开」总计");
        assert_eq!(
            cell_zh("2020:table3.carried_forward.natural_person"),
            "2020 年表三「结转下年度继续办理」自然人"
        );
        assert_eq!(
            cell_zh("table2.fees.amount_10k_yuan"),
            "表二「行政事业性收费」本年收费金额(单位:万元)"
        );
        assert_eq!(cell_zh("table4.review.total"), "表四「行政复议」总计");
        assert_eq!(cell_zh("table3"), "表三");
    }

    #[test]
    fn a_long_cell_list_is_summarised_by_column() {
        let mut cells: Vec<String> = (0..22)
            .map(|r| format!("table3.{}.total", T3_ROWS[r].0))
            .collect();
        cells.extend(paths(&[
            "table3.granted.natural_person",
            "table3.denied_state_secret.natural_person",
        ]));
        assert_eq!(cells_summary_zh(&cells), "表三 总计列 22 格、自然人列 2 格");
        assert_eq!(
            cells_summary_zh(&paths(&[
                "2020:table2.licensing.change",
                "table4.review.total"
            ])),
            "2020 年表二「行政许可」1 格、表四 总计列 1 格"
        );
        assert_eq!(cells_summary_zh(&paths(&["table3"])), "表三");
        assert_eq!(
            cells_summary_zh(&paths(&["table3.granted"])),
            "表三「予以公开」行"
        );
        let many: Vec<String> = T3_COLUMNS
            .iter()
            .map(|(c, _)| format!("table3.granted.{c}"))
            .collect();
        assert!(
            cells_summary_zh(&many).ends_with("等 7 组"),
            "{}",
            cells_summary_zh(&many)
        );
    }
}
