//! [`Document`] → [`Report`] tables: finds tables 二, 三 and 四 by their headings (or, failing
//! that, by their first labels), decides the template version, matches each printed row to a
//! template row by its label, and assigns values to columns from the template's column order.
//! Every problem becomes a `P-…` finding; nothing is guessed. The one value the mapper derives
//! rather than reads, a 2021 report's `other_handling` (the sum of the three （六） items), is
//! null when any of its operands is; a value cell merged over several rows is 0 in each only
//! when it prints 0, and is never split otherwise.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

mod derived;

use derived::{merged_spans, MergedUse};

use super::label::{self, score};
use super::number::{fit, CellValue, ColumnUnit, Fitted};
use super::realign::{label_units, realign_t3, Failure};
use super::reconstruct::{pieces, reconstruct, t3_row_consistent, t4_consistent, Piece, Reading};
use super::tokens::{broken_label_key, groups, tokenize, Group, Token};
use nianbao_model::document::{Document, Loc};
use nianbao_model::report::{Finding, Num, Report, Severity, Source, Table2, Table3, Table4, Val};
use nianbao_model::rules::cell_zh;
use nianbao_model::template::{
    t3, table2_items, Template, MARKERS_2019, MARKERS_2021, T3_COLUMNS, T3_ROWS, T4_GROUPS,
    T4_OUTCOMES,
};

/// One value of a row: a printed cell, or a value read from run-together digits.
#[derive(Debug, Clone, Copy)]
enum Slot {
    Token(usize),
    Read { value: i64, token: usize },
}

/// An arithmetic identity a row's values must satisfy (for [`reconstruct`]).
type Identity = fn(&[i64]) -> bool;

/// The lowest label score accepted as a match.
const MIN_SCORE: f32 = 0.6;

/// Fill `report`'s template and tables from `doc`. `year` (already read) breaks template ties.
pub(crate) fn map_tables(doc: &Document, report: &mut Report) {
    let tokens = tokenize(doc);
    let regions = Regions::find(&tokens);
    let mut mapper = Mapper {
        tokens: &tokens,
        report,
        spans: merged_spans(&tokens),
        merged: Vec::new(),
    };

    let rows3 = match regions.t3.clone() {
        Some(r) => mapper.read_table3(r),
        None => {
            mapper.missing(
                "table3",
                "no table 三 (收到和处理政府信息公开申请情况) found",
                "未找到表三（收到和处理政府信息公开申请情况）",
            );
            vec![None; T3_ROWS.len()]
        }
    };
    let template = mapper.decide_template(&regions, &rows3);
    mapper.report.template = template;
    mapper.report.table3 = mapper.finish_table3(rows3, template);
    mapper.report.table2 = match (template, regions.t2.clone()) {
        (Some(t), Some(r)) => mapper.map_table2(r, t),
        (None, Some(_)) => {
            mapper.missing(
                "table2",
                "table 二 was found but its layout depends on the undecided template",
                "找到了表二，但其版式取决于无法判断的模板版本",
            );
            None
        }
        (_, None) => {
            mapper.missing(
                "table2",
                "no table 二 (主动公开政府信息情况) found",
                "未找到表二（主动公开政府信息情况）",
            );
            None
        }
    };
    mapper.report.table4 = match regions.t4.clone() {
        Some(r) => mapper.map_table4(r),
        None => {
            mapper.missing(
                "table4",
                "no table 四 (行政复议、行政诉讼情况) found",
                "未找到表四（政府信息公开行政复议、行政诉讼情况）",
            );
            None
        }
    };
    mapper.merged_findings();
}

/// Cells, rows or tables named in Chinese, joined: `表三「予以公开」、表三「部分公开…」`.
fn names_zh(paths: &[String]) -> String {
    paths
        .iter()
        .map(|p| cell_zh(p))
        .collect::<Vec<_>>()
        .join("、")
}

/// Token ranges of the three tables.
#[derive(Debug, Default)]
struct Regions {
    t2: Option<Range<usize>>,
    t3: Option<Range<usize>>,
    t4: Option<Range<usize>>,
}

impl Regions {
    fn find(tokens: &[Token<'_>]) -> Regions {
        let h2 = find_heading(tokens, 0, &["二"], &["主动公开"]);
        let from = h2.unwrap_or(0);
        let h3 = find_heading(tokens, from, &["三"], &["收到和处理", "依申请"]);
        let a2 = find_from(tokens, 0, |t| {
            t.is_label() && (t.key().starts_with("第二十条") || t.key() == "信息内容")
        });
        let start2 = h2.or(a2);
        let a3 = find_from(tokens, start2.unwrap_or(0), |t| {
            t.is_label()
                && (t.compact.contains("本列数据的勾稽关系")
                    || t.key() == "申请人情况"
                    || t.key().starts_with("本年新收政府信息公开申请"))
        });
        let start3 = h3.or(a3);
        let after3 = start3.or(start2).unwrap_or(0);
        let h4 = find_heading(tokens, after3, &["四"], &["行政复议"]);
        let a4 =
            start3.and_then(|s| find_from(tokens, s, |t| t.is_label() && t.key() == "行政复议"));
        let start4 = h4.or(a4);
        let h5 = find_heading(
            tokens,
            start4.or(start3).unwrap_or(0),
            &["五", "六"],
            &["问题", "其他需要报告"],
        );
        let end = tokens.len();
        let stop = |s: usize, nexts: &[Option<usize>]| {
            nexts
                .iter()
                .flatten()
                .copied()
                .filter(|&n| n > s)
                .min()
                .unwrap_or(h5.unwrap_or(end).max(s))
        };
        Regions {
            t2: start2.map(|s| s..stop(s, &[start3, start4, h5])),
            t3: start3.map(|s| s..stop(s, &[start4, h5])),
            t4: start4.map(|s| s..stop(s, &[h5])),
        }
    }
}

fn find_from(
    tokens: &[Token<'_>],
    from: usize,
    pred: impl Fn(&Token<'_>) -> bool,
) -> Option<usize> {
    tokens
        .iter()
        .enumerate()
        .skip(from)
        .find(|(_, t)| pred(t))
        .map(|(i, _)| i)
}

/// A section heading such as `三、收到和处理政府信息公开申请情况`: a short line (or a cell alone
/// in its row) numbered with one of `numbers` and containing one of `words`.
fn find_heading(
    tokens: &[Token<'_>],
    from: usize,
    numbers: &[&str],
    words: &[&str],
) -> Option<usize> {
    find_from(tokens, from, |t| {
        let c = &t.compact;
        t.row_len == 1
            && c.chars().count() <= 40
            && numbers
                .iter()
                .any(|n| c.starts_with(&format!("{n}、")) || c.starts_with(&format!("{n}.")))
            && words.iter().any(|w| c.contains(w))
    })
}

/// The template label keys of one table, computed once per process, with an index of the keys
/// that name exactly one row.
struct RowKeys {
    /// `keys[row]`: the keys of the row's printed forms.
    keys: Vec<Vec<String>>,
    /// Key → row, for keys that belong to one row only.
    unique: HashMap<String, usize>,
}

impl RowKeys {
    fn new(labels: impl Iterator<Item = Vec<String>>) -> RowKeys {
        let keys: Vec<Vec<String>> = labels.collect();
        let mut rows_of: HashMap<&str, Vec<usize>> = HashMap::new();
        for (row, ks) in keys.iter().enumerate() {
            for k in ks.iter().filter(|k| !k.is_empty()) {
                rows_of.entry(k).or_default().push(row);
            }
        }
        let unique = rows_of
            .into_iter()
            .filter(|(_, rows)| rows.len() == 1)
            .map(|(k, rows)| (k.to_string(), rows[0]))
            .collect();
        RowKeys { keys, unique }
    }

    /// The row a printed key names exactly, if it is one row's key. Only equal keys score 1.0
    /// ([`score`]), so such a row, when not taken, is the best match whatever the others score.
    fn exact(&self, printed: &str) -> Option<usize> {
        self.unique.get(printed).copied()
    }
}

fn t3_keys() -> &'static RowKeys {
    static KEYS: OnceLock<RowKeys> = OnceLock::new();
    KEYS.get_or_init(|| RowKeys::new(T3_ROWS.iter().map(|(_, l)| vec![label::key(l)])))
}

fn t2_keys(template: Template) -> &'static RowKeys {
    static V2019: OnceLock<RowKeys> = OnceLock::new();
    static V2021: OnceLock<RowKeys> = OnceLock::new();
    let cell = match template {
        Template::V2019 => &V2019,
        Template::V2021 => &V2021,
    };
    cell.get_or_init(|| {
        let items = table2_items(template).iter();
        RowKeys::new(items.map(|it| it.labels.iter().map(|l| label::key(l)).collect()))
    })
}

/// The template rows a printed table 三 supplied: `rows[i]` = the group of row i.
type Rows3 = Vec<Option<Group>>;

/// The token each table 三 cell was read from (`None`: not read, or read by reconstruction).
type Slots3 = [[Option<usize>; 7]; 26];

struct Mapper<'t, 'a, 'r> {
    tokens: &'t [Token<'a>],
    report: &'r mut Report,
    /// Merged value cells: location → rows spanned ([`merged_spans`]).
    spans: HashMap<Loc, usize>,
    /// The merged cells mapped so far, for their findings.
    merged: Vec<MergedUse>,
}

impl Mapper<'_, '_, '_> {
    fn missing(&mut self, table: &str, message: &str, message_zh: &str) {
        self.report.push(
            Finding::new("P-TABLE-MISSING", Severity::Warning, message, message_zh)
                .with_cells([table.to_string()]),
        );
    }

    /// A finding explained in English and Chinese (`message`).
    fn finding(
        &mut self,
        rule: &str,
        severity: Severity,
        (message, message_zh): (String, String),
        cells: Vec<String>,
    ) {
        self.report
            .push(Finding::new(rule, severity, message, message_zh).with_cells(cells));
    }

    fn label_text(&self, g: &Group) -> String {
        g.labels
            .iter()
            .map(|&i| self.tokens[i].text)
            .collect::<Vec<_>>()
            .join(" / ")
    }

    /// Candidate keys of a group's label, most specific first: a label broken over several
    /// lines joined back to its numbered start ([`broken_label_key`]), the last label, then the
    /// last two joined (a label wrapped over two lines or cells).
    fn candidates(&self, g: &Group) -> Vec<String> {
        let mut c: Vec<String> = broken_label_key(self.tokens, &g.labels)
            .into_iter()
            .collect();
        if let Some(&last) = g.labels.last() {
            c.push(self.tokens[last].key().to_string());
            if g.labels.len() >= 2 {
                let prev = g.labels[g.labels.len() - 2];
                c.push(format!(
                    "{}{}",
                    self.tokens[prev].key(),
                    self.tokens[last].key()
                ));
            }
        }
        c
    }

    /// The best unassigned template row for a group: the last label decides when it matches
    /// anything; the joined labels are tried only when it does not. Ties go to the first row
    /// after `after` (template order).
    fn best_row(
        &self,
        g: &Group,
        keys: &RowKeys,
        taken: &[bool],
        after: Option<usize>,
    ) -> Option<(usize, f32)> {
        Self::best_row_of(&self.candidates(g), keys, taken, after)
    }

    /// [`Self::best_row`] for given candidate keys, most specific first.
    fn best_row_of(
        candidates: &[String],
        keys: &RowKeys,
        taken: &[bool],
        after: Option<usize>,
    ) -> Option<(usize, f32)> {
        candidates.iter().find_map(|cand| {
            if let Some(i) = keys.exact(cand).filter(|&i| !taken[i]) {
                return Some((i, 1.0));
            }
            let mut best: Option<(usize, f32)> = None;
            for (i, ks) in keys.keys.iter().enumerate() {
                if taken[i] {
                    continue;
                }
                let s = ks.iter().map(|k| score(cand, k)).fold(0.0f32, f32::max);
                if s < MIN_SCORE {
                    continue;
                }
                let better = match best {
                    None => true,
                    Some((bi, bs)) => {
                        s > bs || (s == bs && after.is_some_and(|a| bi <= a && i > a))
                    }
                };
                if better {
                    best = Some((i, s));
                }
            }
            best
        })
    }

    fn match_table3(&mut self, region: Range<usize>) -> Rows3 {
        let keys = t3_keys();
        let mut rows: Rows3 = vec![None; T3_ROWS.len()];
        let mut taken = vec![false; T3_ROWS.len()];
        let mut last = None;
        for g in groups(self.tokens, region) {
            if g.values.is_empty() || g.labels.is_empty() {
                continue;
            }
            match self.best_row(&g, keys, &taken, last) {
                Some((i, s)) => {
                    if s < 0.9 {
                        let printed = self.label_text(&g);
                        self.finding(
                            "P-LABEL-FUZZY",
                            Severity::Info,
                            (
                                format!(
                                    "table 三 label '{printed}' read as '{}' (match {s:.2})",
                                    T3_ROWS[i].1
                                ),
                                format!(
                                    "表三行标签「{printed}」按「{}」读取（相似度 {s:.2}）",
                                    T3_ROWS[i].1
                                ),
                            ),
                            vec![format!("table3.{}", T3_ROWS[i].0)],
                        );
                    }
                    taken[i] = true;
                    last = Some(i);
                    rows[i] = Some(g);
                }
                None => self.unexpected_row("table3", &g),
            }
        }
        rows
    }

    /// Table 三's rows by their labels ([`Self::match_table3`]); when that leaves a row
    /// without its 7 values, a value without a row, or rows out of template order, the
    /// reading by order of [`realign_t3`] replaces it if the identities allow only one.
    fn read_table3(&mut self, region: Range<usize>) -> Rows3 {
        let mark = self.report.findings.len();
        let rows = self.match_table3(region.clone());
        if self.table3_is_whole(&rows, &region) {
            return rows;
        }
        let keys = t3_keys();
        let match_key = |key: &str, taken: &[bool], after: Option<usize>| {
            Self::best_row_of(&[key.to_string()], keys, taken, after).map(|(i, _)| i)
        };
        let read = realign_t3(self.tokens, region.clone(), match_key);
        let realigned = match read {
            Ok(r) => r,
            Err(why) => {
                if why == Failure::Ambiguous {
                    self.finding(
                        "P-REALIGN-AMBIGUOUS",
                        Severity::Warning,
                        (
                            "table 三's values do not sit in their rows, and several readings of \
                             them by order add up; none is chosen"
                                .into(),
                            "表三的数值不在各自的行中，按顺序有多种读法都能平衡，均未采用".into(),
                        ),
                        vec!["table3".into()],
                    );
                }
                // Only a layout without rows (numbers on lines of their own) can put a row's
                // numbers under another row's label; printed rows keep theirs.
                let rowless = self.tokens[region.clone()]
                    .iter()
                    .any(|t| t.row.is_none() && t.value.is_some());
                if !rowless {
                    return rows;
                }
                let units = label_units(self.tokens, region.clone(), match_key);
                return self.drop_unconfirmed(rows, &units, region);
            }
        };
        self.report.findings.truncate(mark);
        let mut out: Rows3 = vec![None; T3_ROWS.len()];
        let mut unread = Vec::new();
        for (r, mut g, values) in realigned.rows {
            match values {
                Some(values) => {
                    g.values = values.iter().map(|(_, t)| *t).collect();
                    g.read = Some(values);
                }
                None => {
                    g.read = Some(Vec::new()); // found, not read: null, the finding below
                    unread.push(format!("table3.{}", T3_ROWS[r].0));
                }
            }
            out[r] = Some(g);
        }
        self.finding(
            "P-REALIGNED",
            Severity::Warning,
            (
                format!(
                    "table 三's values do not sit in their rows (a converter's or OCR layout); \
                     read by order, {}: the only reading whose totals add up",
                    realigned.how.0
                ),
                format!(
                    "表三的数值不在各自的行中（转换器或 OCR 的版式）；按顺序读取，{}：这是唯一能使合计平衡的读法",
                    realigned.how.1
                ),
            ),
            vec!["table3".into()],
        );
        if !unread.is_empty() {
            self.finding(
                "P-VALUE-COUNT",
                Severity::Error,
                (
                    format!(
                        "{}: the row's printed digits add up in several ways; none is chosen, left null",
                        unread.join(", ")
                    ),
                    format!(
                        "{}：该行印出的数字有多种拆法都能平衡，均未采用，留空",
                        names_zh(&unread)
                    ),
                ),
                unread,
            );
        }
        out
    }

    /// The rows of a label-by-label reading that a converter's layout leaves in doubt, dropped
    /// with a finding. Rows are kept up to the first printed row that is not one whole label
    /// ([`label_units`]: a numbered start and the fragments after it) followed by a row's
    /// numbers (7, give or take the splits and joins its own reading may make): past a label
    /// without numbers, numbers without a label or two rows' numbers in one run, numbers may
    /// belong to the label before or after them, and a label-by-label reading cannot tell which.
    fn drop_unconfirmed(
        &mut self,
        mut rows: Rows3,
        units: &[(usize, Group)],
        region: Range<usize>,
    ) -> Rows3 {
        let mut trusted_until = region.end;
        for g in groups(self.tokens, region.clone()) {
            let matched: Vec<&(usize, Group)> = units
                .iter()
                .filter(|(_, u)| u.labels.iter().any(|t| g.labels.contains(t)))
                .collect();
            let pieces: usize = g
                .values
                .iter()
                .map(|&i| pieces(self.tokens[i].text, i).map_or(1, |p| p.len()))
                .sum();
            let whole = match matched.as_slice() {
                [] => g.values.is_empty(),
                // 7 give or take the splits and joins a row's own reading may make.
                [(_, u)] => (4..=10).contains(&pieces) && u.labels.last() == g.labels.last(),
                _ => false,
            };
            if !whole {
                trusted_until = g.labels.first().or(g.values.first()).copied().unwrap_or(0);
                break;
            }
        }
        let mut dropped = Vec::new();
        for (r, row) in rows.iter_mut().enumerate() {
            let Some(g) = row else { continue };
            let start = g
                .labels
                .iter()
                .rev()
                .find(|&&i| label::is_numbered(&self.tokens[i].compact));
            let confirmed = start
                .and_then(|s| units.iter().find(|(_, u)| u.labels.contains(s)))
                .is_some_and(|(u, _)| *u == r);
            if !confirmed || g.values.iter().any(|&v| v >= trusted_until) {
                dropped.push(format!("table3.{}", T3_ROWS[r].0));
                *row = None;
            }
        }
        if !dropped.is_empty() {
            self.finding(
                "P-LABEL-BROKEN",
                Severity::Warning,
                (
                    format!(
                        "table 三's labels and numbers lost their rows and no reading of the values by order \
                         adds up; which label each run of numbers belongs to cannot be told for {}; left null",
                        dropped.join(", ")
                    ),
                    format!(
                        "表三的标签与数字错位，按顺序的任何读法都不平衡；无法判断 {} 的数字归属，留空",
                        names_zh(&dropped)
                    ),
                ),
                dropped,
            );
        }
        rows
    }

    /// Every matched row of table 三 has its 7 values, in template order, and no numeric value
    /// of the region is left outside a row.
    fn table3_is_whole(&self, rows: &Rows3, region: &Range<usize>) -> bool {
        let mut used = std::collections::HashSet::new();
        let mut order: Vec<(usize, usize)> = Vec::new();
        for (r, g) in rows.iter().enumerate() {
            let Some(g) = g else { continue };
            let values: Vec<&CellValue> = g
                .values
                .iter()
                .filter_map(|&i| self.tokens[i].value.as_ref())
                .collect();
            let filled = values.iter().filter(|v| !v.is_null()).count();
            if values.len() < 7
                || filled > 7
                || values.iter().any(|v| matches!(v, CellValue::Unreadable))
            {
                return false;
            }
            used.extend(g.values.iter().copied());
            order.push((g.labels.first().copied().unwrap_or(0), r));
        }
        order.sort_unstable();
        let in_order = order.windows(2).all(|w| w[0].1 < w[1].1);
        let stray = region.clone().any(|i| {
            !used.contains(&i)
                && matches!(
                    self.tokens[i].value,
                    Some(CellValue::Number { .. } | CellValue::Unreadable)
                )
        });
        in_order && !stray
    }

    fn unexpected_row(&mut self, table: &str, g: &Group) {
        let has_number = g
            .values
            .iter()
            .any(|&i| matches!(self.tokens[i].value, Some(CellValue::Number { .. })));
        if !has_number {
            return;
        }
        let printed = self.label_text(g);
        let values: Vec<&str> = g.values.iter().map(|&i| self.tokens[i].text).collect();
        let loc = self.tokens[g.labels[0]].loc;
        self.finding(
            "P-UNEXPECTED-ROW",
            Severity::Warning,
            (
                format!("{table}: row '{printed}' at {loc} is not in the template; its values {values:?} were not used"),
                format!(
                    "{}：位于 {loc} 的行「{printed}」不在模板中，其数值 {} 未采用",
                    cell_zh(table),
                    values.join("、")
                ),
            ),
            vec![table.to_string()],
        );
    }

    fn decide_template(&mut self, regions: &Regions, rows3: &Rows3) -> Option<Template> {
        let count = |range: Range<usize>, markers: &[&str]| {
            self.tokens[range]
                .iter()
                .filter(|t| t.is_label() && markers.iter().any(|m| t.compact.contains(m)))
                .count()
        };
        let all = 0..self.tokens.len();
        let t2 = regions.t2.clone().unwrap_or(0..0);
        for range in [t2, all] {
            let (n21, n19) = (
                count(range.clone(), &MARKERS_2021),
                count(range, &MARKERS_2019),
            );
            if n21 > n19 {
                return Some(Template::V2021);
            }
            if n19 > n21 {
                return Some(Template::V2019);
            }
        }
        let items = t3::OTHER_ITEMS.iter().any(|&i| rows3[i].is_some());
        if rows3.iter().all(Option::is_none) {
            return None; // no table to read: the version is not a question
        }
        let inferred = if items {
            Some((
                Template::V2021,
                (
                    "table 三 prints the （六） items of the 2021 format",
                    "表三印有 2021 格式的（六）各分项",
                ),
            ))
        } else {
            match self.report.year {
                Some(y) if y >= 2021 => Some((
                    Template::V2021,
                    ("the data year is 2021 or later", "数据年度为 2021 年或以后"),
                )),
                Some(2019 | 2020) => Some((
                    Template::V2019,
                    (
                        "the data year is 2019 or 2020",
                        "数据年度为 2019 或 2020 年",
                    ),
                )),
                _ => None,
            }
        };
        match inferred {
            Some((t, why)) => {
                self.finding(
                    "P-TEMPLATE-INFERRED",
                    Severity::Info,
                    (
                        format!(
                            "no table 二 column labels name the format; template {} inferred because {}",
                            t.as_str(),
                            why.0
                        ),
                        format!(
                            "表二的列标签未表明格式；因{}，推断为 {} 格式",
                            why.1,
                            t.as_str()
                        ),
                    ),
                    vec![],
                );
                Some(t)
            }
            None => {
                let has_tables = rows3.iter().any(Option::is_some);
                let severity = if has_tables {
                    Severity::Warning
                } else {
                    Severity::Info
                };
                self.finding(
                    "P-TEMPLATE-UNKNOWN",
                    severity,
                    (
                        "the template version cannot be decided (no version markers, no data year)"
                            .into(),
                        "无法判断模板版本（既无版本标志，也无数据年度）".into(),
                    ),
                    vec![],
                );
                None
            }
        }
    }

    /// Values of a group fitted to `n` columns: surplus blank cells at either end are dropped;
    /// any other count is a finding and the row stays null.
    fn row_values(
        &mut self,
        g: &Group,
        n: usize,
        path: &str,
        identity: Option<Identity>,
    ) -> Option<Vec<Slot>> {
        if let Some(read) = &g.read {
            let slots = read
                .iter()
                .map(|&(value, token)| Slot::Read { value, token });
            return Some(slots.collect());
        }
        let mut v: &[usize] = &g.values;
        let blank = |i: &usize| {
            self.tokens[*i]
                .value
                .as_ref()
                .is_some_and(CellValue::is_null)
        };
        while v.len() > n && v.last().is_some_and(blank) {
            v = &v[..v.len() - 1];
        }
        while v.len() > n && v.first().is_some_and(blank) {
            v = &v[1..];
        }
        let unreadable = v
            .iter()
            .any(|&i| matches!(self.tokens[i].value, Some(CellValue::Unreadable)));
        if v.len() == n && !unreadable {
            return Some(v.iter().map(|&i| Slot::Token(i)).collect());
        }
        let printed = self.label_text(g);
        let values: Vec<&str> = v.iter().map(|&i| self.tokens[i].text).collect();
        let at = g
            .labels
            .first()
            .or(g.values.first())
            .map(|&i| self.tokens[i].loc.to_string())
            .unwrap_or_default();
        // A merged cell's value belongs to no single row: no reading may lean on it.
        let merged = v
            .iter()
            .any(|&i| self.spans.contains_key(&self.tokens[i].loc));
        let outcome = identity.filter(|_| !merged).map(|check| {
            let pieces: Option<Vec<Piece>> = v
                .iter()
                .map(|&i| pieces(self.tokens[i].text, i))
                .collect::<Option<Vec<_>>>()
                .map(|p| p.concat());
            pieces.map_or(Reading::None, |p| reconstruct(&p, n, check))
        });
        let (why, why_zh) = match outcome {
            Some(Reading::Unique(read)) => {
                let shown: Vec<i64> = read.iter().map(|(x, _)| *x).collect();
                self.finding(
                    "P-RECONSTRUCTED",
                    Severity::Warning,
                    (
                        format!(
                            "{path}: row '{printed}' at {at} printed {values:?} ({} cells for {n}); read as {shown:?}, \
                             the only reading whose totals add up",
                            v.len()
                        ),
                        format!(
                            "{}：位于 {at} 的行「{printed}」印为 {}（{} 格，模板为 {n} 格）；按 {} 读取，这是唯一能使合计平衡的读法",
                            cell_zh(path),
                            values.join("、"),
                            v.len(),
                            shown.iter().map(i64::to_string).collect::<Vec<_>>().join("、")
                        ),
                    ),
                    vec![path.to_string()],
                );
                return Some(
                    read.into_iter()
                        .map(|(value, token)| Slot::Read { value, token })
                        .collect(),
                );
            }
            Some(Reading::Ambiguous(k)) => (
                format!("; {k} readings add up, none is chosen"),
                format!("；有 {k} 种读法都能平衡，均未采用"),
            ),
            Some(Reading::None) => ("; no reading adds up".into(), "；没有能平衡的读法".into()),
            None => (String::new(), String::new()),
        };
        let (count, count_zh) = if v.len() == n {
            (
                format!("has a value that is not a number ({n} values as the template has)"),
                format!("有一个值不是数字（共 {n} 个值，与模板相同）"),
            )
        } else {
            (
                format!("has {} values, the template has {n}", v.len()),
                format!("有 {} 个值，模板为 {n} 个", v.len()),
            )
        };
        self.finding(
            "P-VALUE-COUNT",
            Severity::Error,
            (
                format!("{path}: row '{printed}' at {at} {count}: {values:?}{why}; left null"),
                format!(
                    "{}：位于 {at} 的行「{printed}」{count_zh}：{}{why_zh}；留空",
                    cell_zh(path),
                    values.join("、")
                ),
            ),
            vec![path.to_string()],
        );
        None
    }

    /// A slot's value in its cell.
    fn fit_slot(&mut self, slot: Slot, unit: ColumnUnit, path: String) -> Val {
        match slot {
            Slot::Token(t) => self.fit_value(t, unit, path),
            Slot::Read { value, token } => {
                let t = &self.tokens[token];
                self.report.sources.insert(
                    path,
                    Source {
                        loc: t.loc,
                        printed: t.text.to_string(),
                        ocr: None,
                    },
                );
                Some(Num::Int(value))
            }
        }
    }

    /// One value into its cell: converted where the unit says so, null with a finding otherwise.
    fn fit_value(&mut self, token: usize, unit: ColumnUnit, path: String) -> Val {
        let t = &self.tokens[token];
        if let Some(&rows) = self.spans.get(&t.loc) {
            return self.fit_merged(token, unit, path, rows);
        }
        let Some(cell) = &t.value else { return None };
        let (text, loc) = (t.text.to_string(), t.loc);
        let fitted = fit(cell, unit);
        self.report.sources.insert(
            path.clone(),
            Source {
                loc,
                printed: text.clone(),
                ocr: None,
            },
        );
        match fitted {
            Fitted::Value(v) => v,
            Fitted::WithNote(v, note) => {
                self.finding(
                    "P-UNIT",
                    Severity::Info,
                    (
                        format!("{path} at {loc}: '{text}' {}", note.en),
                        format!("{}（{loc}）：「{text}」{}", cell_zh(&path), note.zh),
                    ),
                    vec![path],
                );
                v
            }
            Fitted::Rejected(why) => {
                self.finding(
                    "P-VALUE",
                    Severity::Error,
                    (
                        format!("{path} at {loc}: '{text}' is {}; left null", why.en),
                        format!("{}（{loc}）：「{text}」{}，留空", cell_zh(&path), why.zh),
                    ),
                    vec![path],
                );
                None
            }
        }
    }

    fn finish_table3(&mut self, rows: Rows3, template: Option<Template>) -> Option<Table3> {
        if rows.iter().all(Option::is_none) {
            if self
                .report
                .findings
                .iter()
                .all(|f| f.rule != "P-TABLE-MISSING")
            {
                self.missing(
                    "table3",
                    "no row of table 三 was found",
                    "表三的各行均未找到",
                );
            }
            return None;
        }
        let mut table: Table3 = [[None; 7]; 26];
        // The token each cell was read from, for the merged cells of [`Mapper::other_handling`].
        let mut read_from: Slots3 = [[None; 7]; 26];
        for (r, g) in rows.iter().enumerate() {
            let Some(g) = g else { continue };
            let path = format!("table3.{}", T3_ROWS[r].0);
            let Some(values) = self.row_values(g, 7, &path, Some(t3_row_consistent)) else {
                continue;
            };
            for (c, tok) in values.into_iter().enumerate() {
                if let Slot::Token(t) = tok {
                    read_from[r][c] = Some(t);
                }
                table[r][c] = self.fit_slot(
                    tok,
                    ColumnUnit::Count,
                    format!("{path}.{}", T3_COLUMNS[c].0),
                );
            }
        }
        self.other_handling(&rows, &mut table, &read_from, template);
        let missing: Vec<usize> = (0..T3_ROWS.len())
            .filter(|&r| {
                rows[r].is_none() && !t3::OTHER_ITEMS.contains(&r) && r != t3::OTHER_HANDLING
            })
            .collect();
        if !missing.is_empty() {
            let labels: Vec<&str> = missing.iter().map(|&r| T3_ROWS[r].1).collect();
            let cells = missing
                .iter()
                .map(|&r| format!("table3.{}", T3_ROWS[r].0))
                .collect();
            self.finding(
                "P-LABEL-NOT-FOUND",
                Severity::Warning,
                (
                    format!("table 三 rows not found (left null): {}", labels.join("; ")),
                    format!("表三未找到以下行（留空）：{}", labels.join("；")),
                ),
                cells,
            );
        }
        Some(table)
    }

    /// （六）其他处理: printed as one row in 2019, as three items in 2021 (other_handling is then
    /// their sum, [`Mapper::derive_other_handling`]). A report printing the other version's form
    /// is read as printed, with a finding.
    fn other_handling(
        &mut self,
        rows: &Rows3,
        table: &mut Table3,
        read_from: &Slots3,
        template: Option<Template>,
    ) {
        let items_printed = t3::OTHER_ITEMS.iter().any(|&i| rows[i].is_some());
        let single_printed = rows[t3::OTHER_HANDLING].is_some();
        match (template, items_printed, single_printed) {
            (Some(Template::V2021), false, true) => self.finding(
                "P-MIXED-TEMPLATE",
                Severity::Warning,
                (
                    "table 三 prints （六）其他处理 as one row (2019 layout) in a 2021-format report; read as printed \
                     into other_handling, the three items are null"
                        .into(),
                    "2021 格式的报告中，表三把（六）其他处理印为一行（2019 版式）；按所印读入其他处理，三个分项留空"
                        .into(),
                ),
                vec!["table3.other_handling".into()],
            ),
            (Some(Template::V2019), true, _) => self.finding(
                "P-MIXED-TEMPLATE",
                Severity::Warning,
                (
                    "table 三 prints the three （六） items of the 2021 layout in a 2019-format report; read as printed".into(),
                    "2019 格式的报告中，表三印有 2021 版式的（六）三个分项；按所印读取".into(),
                ),
                t3::OTHER_ITEMS.iter().map(|&i| format!("table3.{}", T3_ROWS[i].0)).collect(),
            ),
            (_, false, false) => {
                let (which, which_zh) = if template == Some(Template::V2019) {
                    ("（六）其他处理", "（六）其他处理")
                } else {
                    ("（六）其他处理 items", "（六）其他处理的各分项")
                };
                self.finding(
                    "P-LABEL-NOT-FOUND",
                    Severity::Warning,
                    (
                        format!("table 三 row {which} not found (left null)"),
                        format!("表三未找到{which_zh}行（留空）"),
                    ),
                    vec!["table3.other_handling".into()],
                );
            }
            _ => {}
        }
        if items_printed && !single_printed {
            self.derive_other_handling(table, read_from);
        }
    }

    fn map_table2(&mut self, region: Range<usize>, template: Template) -> Option<Table2> {
        let items = table2_items(template);
        let keys = t2_keys(template);
        let mut table = Table2::empty(template);
        let mut found = vec![false; items.len()];
        // Numbers on lines of their own that no label claims: from there on, a layout without
        // rows may print each row's numbers before its label, and a row's label is followed by
        // the next row's numbers. Table 二 has no identity to tell, so those rows stay null.
        let mut doubt = false;
        let mut doubtful = Vec::new();
        for g in groups(self.tokens, region) {
            let rowless_numbers = g.values.iter().any(|&v| {
                let t = &self.tokens[v];
                t.row.is_none() && matches!(t.value, Some(CellValue::Number { .. }))
            });
            if g.values.is_empty() || g.labels.is_empty() {
                doubt |= rowless_numbers;
                continue;
            }
            let best = self.best_row(&g, keys, &found, None);
            let Some((i, _)) = best else {
                doubt |= rowless_numbers;
                self.unexpected_row("table2", &g);
                continue;
            };
            found[i] = true;
            let item = &items[i];
            let path = format!("table2.{}", item.key);
            if doubt && rowless_numbers {
                doubtful.push(path);
                continue;
            }
            // Table 二 rows have no identity to check a reconstruction against.
            let Some(values) = self.row_values(&g, item.measures.len(), &path, None) else {
                continue;
            };
            for (m, tok) in values.into_iter().enumerate() {
                let unit = table2_unit(template, item.key, item.measures[m].0);
                table.values[i][m] =
                    self.fit_slot(tok, unit, format!("{path}.{}", item.measures[m].0));
            }
        }
        if !found.iter().any(|&f| f) {
            self.missing(
                "table2",
                "no row of table 二 was found",
                "表二的各行均未找到",
            );
            return None;
        }
        if !doubtful.is_empty() {
            self.finding(
                "P-LABEL-BROKEN",
                Severity::Warning,
                (
                    format!(
                        "table 二 prints numbers that no label claims before {}: each row's numbers may come \
                         before its label, which cannot be told; left null",
                        doubtful.join(", ")
                    ),
                    format!(
                        "表二在 {} 之前印有不属于任何标签的数字：各行的数字可能印在标签之前，无法判断，留空",
                        names_zh(&doubtful)
                    ),
                ),
                doubtful,
            );
        }
        let missing: Vec<&str> = items
            .iter()
            .zip(&found)
            .filter(|(_, f)| !**f)
            .map(|(it, _)| it.labels[0])
            .collect();
        if !missing.is_empty() {
            let cells = items
                .iter()
                .zip(&found)
                .filter(|(_, f)| !**f)
                .map(|(it, _)| format!("table2.{}", it.key));
            self.finding(
                "P-LABEL-NOT-FOUND",
                Severity::Warning,
                (
                    format!(
                        "table 二 rows not found (left null): {}",
                        missing.join("; ")
                    ),
                    format!("表二未找到以下行（留空）：{}", missing.join("；")),
                ),
                cells.collect(),
            );
        }
        Some(table)
    }

    /// Table 四 is one row of 15 numbers under a three-row header: the group with exactly 15
    /// values (the fullest, if several), or else all values of the region if they are 15.
    fn map_table4(&mut self, region: Range<usize>) -> Option<Table4> {
        let all = groups(self.tokens, region.clone());
        let filled = |g: &Group| {
            g.values
                .iter()
                .filter(|&&i| matches!(self.tokens[i].value, Some(CellValue::Number { .. })))
                .count()
        };
        let candidate = all
            .iter()
            .filter(|g| g.values.len() == 15)
            .max_by_key(|g| (filled(g), std::cmp::Reverse(g.values.first().copied())));
        let values: Vec<Slot> = match candidate {
            Some(g) => g.values.iter().map(|&i| Slot::Token(i)).collect(),
            None => {
                // The fullest row if it looks like the data row, else every value of the region
                // (a layout without row boundaries); either may need reconstruction.
                let fullest = all
                    .iter()
                    .max_by_key(|g| filled(g))
                    .filter(|g| filled(g) >= 10);
                let group = match fullest {
                    Some(g) => g.clone(),
                    None => Group {
                        labels: Vec::new(),
                        values: all.iter().flat_map(|g| g.values.clone()).collect(),
                        ..Group::default()
                    },
                };
                self.row_values(&group, 15, "table4", Some(t4_consistent))?
            }
        };
        let mut table: Table4 = [[None; 5]; 3];
        for (k, tok) in values.into_iter().enumerate() {
            let (g, o) = (k / 5, k % 5);
            table[g][o] = self.fit_slot(
                tok,
                ColumnUnit::Count,
                format!("table4.{}.{}", T4_GROUPS[g].0, T4_OUTCOMES[o].0),
            );
        }
        Some(table)
    }
}

fn table2_unit(template: Template, item: &str, measure: &str) -> ColumnUnit {
    match (template, item, measure) {
        (Template::V2021, "fees", _) => ColumnUnit::TenThousandYuan,
        (Template::V2019, "procurement", "amount") => ColumnUnit::AsPrinted,
        (Template::V2019, _, "change") => ColumnUnit::SignedCount,
        _ => ColumnUnit::Count,
    }
}
