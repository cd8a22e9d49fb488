//! Table 三 from converter or OCR text whose labels and numbers lost their rows → one reading
//! per printed row, taken only when the template's arithmetic allows exactly one. A converter
//! may print a row's numbers before its label, after the next label, on later lines, with
//! blank lines between, break a label mid-word over several lines, strand one value after its
//! neighbours, or space the digits of a number. The labels in order name the printed rows; the
//! values in order, cut into 7 per row, are their cells. The readings tried, fewest edits
//! first: the values as printed; per row, the splits and joins of [`reconstruct`]; one value
//! moved. A reading must satisfy T3-3 on every row and T3-1 and T3-2 where they can be
//! checked, and a reading with any edit is taken only when every row those two need was found
//! (a row's own total alone is too weak a check); several consistent readings at the fewest
//! edits are never chosen between. Pure.

use super::label;
use super::number::CellValue;
use super::reconstruct::{pieces, reconstruct, t3_row_consistent, Piece, Reading};
use super::tokens::{Group, Token};
use nianbao_model::template::{t3, T3_ROWS};

/// Values per table 三 row.
const COLS: usize = 7;
/// Most distinct partial readings kept while cutting the values into rows.
const MAX_PATHS: usize = 64;
/// Most pieces a row may take beyond or short of its 7 cells (see [`reconstruct`]).
const MAX_ROW_EDITS: usize = 3;

/// A realigned table 三: the rows found and the values read for each.
#[derive(Debug)]
pub(crate) struct Realigned {
    /// `(template row, label group, its values)`, in printed order.
    pub rows: Vec<(usize, Group, RowValues)>,
    /// How the reading was found, for the finding: in English and in Chinese.
    pub how: (&'static str, &'static str),
}

/// A row's 7 values, each with the token it came from; `None` for a row whose place is sure
/// but whose pieces add up in several ways.
pub(crate) type RowValues = Option<Vec<(i64, usize)>>;

/// Why no reading was taken.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The region has no numbered labels, no matched row, or values that are not counts.
    NotApplicable,
    /// No reading satisfies the identities.
    NoReading,
    /// Several readings do (at the fewest edits).
    Ambiguous,
}

/// The printed rows of table 三 by their labels alone: each numbered label and the
/// fragments after it (wherever the numbers fell) form one label, matched to a template row by
/// `match_row(key, taken, after)`, in template order. `(template row, label group)`.
pub(crate) fn label_units(
    tokens: &[Token<'_>],
    region: std::ops::Range<usize>,
    match_row: impl Fn(&str, &[bool], Option<usize>) -> Option<usize>,
) -> Vec<(usize, Group)> {
    let Some(start) = region
        .clone()
        .find(|&i| tokens[i].is_label() && label::is_numbered(&tokens[i].compact))
    else {
        return Vec::new();
    };
    // Label units: a numbered label and the fragments that follow it.
    let mut units: Vec<Vec<usize>> = Vec::new();
    for (i, t) in tokens.iter().enumerate().take(region.end).skip(start) {
        if !t.is_label() {
            continue;
        }
        match units.last_mut() {
            Some(u) if !label::is_numbered(&t.compact) => u.push(i),
            _ => units.push(vec![i]),
        }
    }
    let mut taken = vec![false; T3_ROWS.len()];
    let mut last = None;
    let mut rows: Vec<(usize, Group)> = Vec::new();
    for u in units {
        // The whole unit's key: a fragment alone may name another row ("其他" of the header).
        let joined: String = u.iter().map(|&i| tokens[i].compact.as_str()).collect();
        let key = label::key_of_compact(&joined);
        let g = Group {
            labels: u,
            ..Group::default()
        };
        if let Some(r) = match_row(&key, &taken, last).filter(|&r| last.is_none_or(|l| r > l)) {
            taken[r] = true;
            // （六）其他处理 is printed before its items, which come before it in the template.
            last = Some(if r == t3::OTHER_HANDLING {
                t3::LAST_PLAIN_RESULT
            } else {
                r
            });
            rows.push((r, g));
        }
    }
    if t3::OTHER_ITEMS.iter().any(|&i| taken[i]) {
        rows.retain(|(r, _)| *r != t3::OTHER_HANDLING); // a heading over its items
    }
    rows
}

/// Read table 三 from `tokens[region]` by order. `match_row(key, taken, after)` names the
/// template row a label key prints (as the mapper matches labels).
pub(crate) fn realign_t3(
    tokens: &[Token<'_>],
    region: std::ops::Range<usize>,
    match_row: impl Fn(&str, &[bool], Option<usize>) -> Option<usize>,
) -> Result<Realigned, Failure> {
    let rows = label_units(tokens, region.clone(), match_row);
    if rows.is_empty() {
        return Err(Failure::NotApplicable);
    }
    // The values of the whole region, in order: the header holds none in a text layout.
    let mut all: Vec<Piece> = Vec::new();
    for i in region {
        match &tokens[i].value {
            None => {}
            Some(CellValue::Null) => return Err(Failure::NotApplicable),
            Some(_) => all.extend(pieces(tokens[i].text, i).ok_or(Failure::NotApplicable)?),
        }
    }
    let order: Vec<usize> = rows.iter().map(|(r, _)| *r).collect();
    let (how, read) = by_rows(&all, &order)
        .map(|r| {
            (
                ("cut into rows in printed order", "按印出的顺序切分成行"),
                r,
            )
        })
        .or_else(|f| match f {
            Failure::NoReading if all.len() == COLS * order.len() && fully_checkable(&order) => {
                one_moved(&all, &order).map(|r| {
                    (
                        ("one value moved back to its row", "把一个数值移回其所在行"),
                        r,
                    )
                })
            }
            f => Err(f),
        })?;
    Ok(Realigned {
        rows: rows
            .into_iter()
            .zip(read)
            .map(|((r, g), v)| (r, g, v))
            .collect(),
        how,
    })
}

/// A reading of the rows cut so far: each row's 7 values, or `None` for a row whose pieces
/// add up in several ways (it stays null, the others are still read).
type Rows = Vec<RowValues>;

/// The readings of `all` as rows `order`, each row taking 7 pieces give or take splits and
/// joins; the unique one with the fewest edits.
fn by_rows(all: &[Piece], order: &[usize]) -> Result<Rows, Failure> {
    // (offset into `all`, edits, rows) over the rows read so far.
    let mut paths: Vec<(usize, usize, Rows)> = vec![(0, 0, Vec::new())];
    for _ in order {
        let mut next = Vec::new();
        for (offset, edits, read) in &paths {
            let lo = COLS.saturating_sub(MAX_ROW_EDITS).max(1);
            for k in lo..=COLS + MAX_ROW_EDITS {
                let Some(slice) = all.get(*offset..offset + k) else {
                    break;
                };
                let row = match reconstruct(slice, COLS, t3_row_consistent) {
                    Reading::Unique(v) => Some(v),
                    // Its values stay unknown; where it ends is settled by the rows after it
                    // (several places that all add up are several readings).
                    Reading::Ambiguous(_) => None,
                    Reading::None => continue,
                };
                let mut r = read.clone();
                r.push(row);
                next.push((offset + k, edits + k.abs_diff(COLS), r));
            }
        }
        if next.len() > MAX_PATHS {
            return Err(Failure::Ambiguous);
        }
        paths = next;
    }
    // An edit is trusted only where the column totals can check it, not the row's alone.
    let checkable = fully_checkable(order);
    let done = paths
        .into_iter()
        .filter(|(o, e, r)| *o == all.len() && (*e == 0 || checkable) && table_consistent(r, order))
        .map(|(_, e, r)| (e, r));
    fewest_edits(done)
}

/// The unique reading among `readings` with the fewest edits; one with no row read is none.
fn fewest_edits(readings: impl Iterator<Item = (usize, Rows)>) -> Result<Rows, Failure> {
    let mut best: Vec<(usize, Rows)> = Vec::new();
    let values = |x: &Rows| -> Vec<Option<Vec<i64>>> {
        x.iter()
            .map(|r| r.as_ref().map(|v| v.iter().map(|(x, _)| *x).collect()))
            .collect()
    };
    for (e, r) in readings {
        match best.first().map(|(b, _)| *b) {
            Some(b) if e > b => continue,
            Some(b) if e < b => best.clear(),
            _ => {}
        }
        if !best.iter().any(|(_, x)| values(x) == values(&r)) {
            best.push((e, r));
        }
    }
    match best.len() {
        0 => Err(Failure::NoReading),
        1 if best[0].1.iter().any(Option::is_some) => Ok(best.remove(0).1),
        1 => Err(Failure::NoReading),
        _ => Err(Failure::Ambiguous),
    }
}

/// The readings of `all` (7 pieces per row) with one piece moved elsewhere.
fn one_moved(all: &[Piece], order: &[usize]) -> Result<Rows, Failure> {
    let values: Vec<(i64, usize)> = all
        .iter()
        .map(|p| {
            let ok = p.digits == "0" || !p.digits.starts_with('0');
            p.digits.parse().ok().filter(|_| ok).map(|v| (v, p.token))
        })
        .collect::<Option<_>>()
        .ok_or(Failure::NoReading)?;
    let mut found = Vec::new();
    for from in 0..values.len() {
        for to in 0..values.len() {
            if from == to {
                continue;
            }
            let mut r = values.clone();
            let v = r.remove(from);
            r.insert(to, v);
            let rows: Rows = r.chunks(COLS).map(|c| Some(c.to_vec())).collect();
            let rows_ok = r
                .chunks(COLS)
                .all(|c| t3_row_consistent(&c.iter().map(|(v, _)| *v).collect::<Vec<_>>()));
            if rows_ok && table_consistent(&rows, order) {
                found.push((1, rows));
            }
        }
    }
    fewest_edits(found.into_iter())
}

/// Every row T3-1 and T3-2 need was found: a reading's column totals check all of it.
fn fully_checkable(order: &[usize]) -> bool {
    let has = |r: &usize| order.contains(r);
    let sixth = t3::OTHER_ITEMS.iter().all(has) || has(&t3::OTHER_HANDLING);
    [
        t3::NEW_RECEIVED,
        t3::CARRIED_OVER,
        t3::TOTAL_PROCESSED,
        t3::CARRIED_FORWARD,
    ]
    .iter()
    .chain(&(t3::FIRST_RESULT..=t3::LAST_PLAIN_RESULT).collect::<Vec<_>>())
    .all(has)
        && sixth
}

/// T3-1 and T3-2 over the rows read, where every operand was printed.
fn table_consistent(read: &Rows, order: &[usize]) -> bool {
    let row = |r: usize| {
        order
            .iter()
            .position(|&o| o == r)
            .and_then(|k| read[k].as_deref())
    };
    let items = t3::OTHER_ITEMS.iter().any(|&i| order.contains(&i));
    let sixth: Vec<usize> = if items {
        t3::OTHER_ITEMS.to_vec()
    } else {
        vec![t3::OTHER_HANDLING]
    };
    let results: Vec<usize> = (t3::FIRST_RESULT..=t3::LAST_PLAIN_RESULT)
        .chain(sixth)
        .collect();
    (0..COLS).all(|c| {
        let v = |r: usize| row(r).map(|x| x[c].0);
        let total = v(t3::TOTAL_PROCESSED);
        let t31 = match (
            v(t3::NEW_RECEIVED),
            v(t3::CARRIED_OVER),
            total,
            v(t3::CARRIED_FORWARD),
        ) {
            (Some(a), Some(b), Some(p), Some(f)) => a + b == p + f,
            _ => true,
        };
        let terms: Option<Vec<i64>> = results.iter().map(|&r| v(r)).collect();
        let t32 = match (total, terms) {
            (Some(p), Some(t)) => p == t.iter().sum::<i64>(),
            _ => true,
        };
        t31 && t32
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ps(values: &[&str]) -> Vec<Piece> {
        values
            .iter()
            .enumerate()
            .map(|(i, d)| Piece {
                digits: (*d).to_string(),
                token: i,
            })
            .collect()
    }

    fn row(v: [i64; 6]) -> Vec<String> {
        let mut out: Vec<String> = v.iter().map(i64::to_string).collect();
        out.push(v.iter().sum::<i64>().to_string());
        out
    }

    fn values(r: &Rows) -> Vec<i64> {
        r.iter().flatten().flatten().map(|(v, _)| *v).collect()
    }

    #[test]
    fn values_in_order_are_cut_into_rows() {
        let mut printed = row([3, 1, 0, 0, 0, 0]);
        printed.extend(row([2, 0, 0, 0, 0, 1]));
        let p: Vec<&str> = printed.iter().map(String::as_str).collect();
        let r = by_rows(&ps(&p), &[2, 3]).expect("a reading");
        assert_eq!(values(&r), vec![3, 1, 0, 0, 0, 0, 4, 2, 0, 0, 0, 0, 1, 3]);
    }

    /// The rows of a whole 2021 table 三, and its values printed in order: every row 0 but
    /// `leaves` (printed as given, or as numbers), new_received and total_processed their sums.
    fn whole(leaves: &[(usize, [i64; 6], Option<&str>)]) -> (Vec<usize>, Vec<String>) {
        let order: Vec<usize> = (0..=22).chain([24, 25]).collect();
        let mut sums = [0i64; 6];
        for (_, v, _) in leaves {
            for c in 0..6 {
                sums[c] += v[c];
            }
        }
        let mut printed = Vec::new();
        for r in &order {
            let leaf = leaves.iter().find(|(l, _, _)| l == r);
            match (r, leaf) {
                (_, Some((_, _, Some(p)))) => printed.extend(p.split(' ').map(str::to_string)),
                (_, Some((_, v, None))) => printed.extend(row(*v)),
                (0 | 24, _) => printed.extend(row(sums)),
                _ => printed.extend(row([0; 6])),
            }
        }
        (order, printed)
    }

    #[test]
    fn spaced_digits_are_joined_when_only_one_join_adds_up() {
        // 12 printed "1 2": the row has 8 pieces.
        let (order, printed) = whole(&[(2, [12, 0, 0, 0, 0, 0], Some("1 2 0 0 0 0 0 12"))]);
        let p: Vec<&str> = printed.iter().map(String::as_str).collect();
        let r = by_rows(&ps(&p), &order).expect("reading");
        assert_eq!(r[2].as_ref().map(|v| v[0].0), Some(12));
        // The same row alone: a join is not trusted on the row's own total.
        let r = by_rows(&ps(&["1", "2", "0", "0", "0", "0", "0", "12"]), &[2]);
        assert_eq!(r, Err(Failure::NoReading));
    }

    #[test]
    fn a_stranded_value_is_moved_back_only_when_unique() {
        // Row 1's total (7) printed after row 2.
        let r = one_moved(
            &ps(&[
                "4", "3", "0", "0", "0", "0", "2", "0", "0", "0", "0", "0", "2", "7",
            ]),
            &[2, 3],
        )
        .expect("reading");
        assert_eq!(values(&r), vec![4, 3, 0, 0, 0, 0, 7, 2, 0, 0, 0, 0, 0, 2]);
        // Row 1 printed 1 | 1 | … | 2 and row 2 0 … | 0 with a stray 1: either row's first
        // cell could have lost it.
        let amb = one_moved(
            &ps(&[
                "1", "0", "0", "0", "0", "0", "2", "0", "0", "0", "0", "0", "1", "1",
            ]),
            &[2, 3],
        );
        assert!(amb.is_err(), "{amb:?}");
    }

    #[test]
    fn several_readings_are_never_chosen_between() {
        // "111" then a total of 12: 1|11 and 11|1 both add up.
        let r = by_rows(&ps(&["111", "0", "0", "0", "0", "12"]), &[2]);
        assert_eq!(r, Err(Failure::NoReading));
        // In a whole table, the row stays null and its neighbours are read.
        let (order, printed) = whole(&[
            (2, [1, 11, 0, 0, 0, 0], Some("1 1 1 0 0 0 0 12")),
            (3, [2, 0, 0, 0, 0, 1], None),
        ]);
        let p: Vec<&str> = printed.iter().map(String::as_str).collect();
        let r = by_rows(&ps(&p), &order).expect("a reading");
        assert!(r[2].is_none());
        assert_eq!(
            r[3].as_ref().map(|v| values(&vec![Some(v.clone())])),
            Some(vec![2, 0, 0, 0, 0, 1, 3])
        );
    }

    mod converter_layouts {
        //! Whole reports in a converter's layout, read through the text reader and the mapper:
        //! every value is the printed one or null, never another number.

        use nianbao_model::report::Num;
        use proptest::prelude::*;

        /// Table 三's value rows of the 2021 template as printed: (template row, heading
        /// printed before it, label).
        const ROWS: [(usize, &str, &str); 25] = [
            (0, "", "一、本年新收政府信息公开申请数量"),
            (1, "", "二、上年结转政府信息公开申请数量"),
            (2, "三、本年度办理结果", "(一)予以公开"),
            (3, "", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"),
            (4, "(三)不予公开", "1.属于国家秘密"),
            (5, "", "2.其他法律行政法规禁止公开"),
            (6, "", "3.危及“三安全一稳定”"),
            (7, "", "4.保护第三方合法权益"),
            (8, "", "5.属于三类内部事务信息"),
            (9, "", "6.属于四类过程性信息"),
            (10, "", "7.属于行政执法案卷"),
            (11, "", "8.属于行政查询事项"),
            (12, "(四)无法提供", "1.本机关不掌握相关政府信息"),
            (13, "", "2.没有现成信息需要另行制作"),
            (14, "", "3.补正后申请内容仍不明确"),
            (15, "(五)不予处理", "1.信访举报投诉类申请"),
            (16, "", "2.重复申请"),
            (17, "", "3.要求提供公开出版物"),
            (18, "", "4.无正当理由大量反复申请"),
            (19, "", "5.要求行政机关确认或重新出具已获取信息"),
            (
                20,
                "(六)其他处理",
                "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            ),
            (
                21,
                "",
                "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            ),
            (22, "", "3.其他"),
            (24, "", "(七)总计"),
            (25, "", "四、结转下年度继续办理"),
        ];

        /// A consistent table 三 (rows as in [`ROWS`]) from 20 result rows, carried-over and
        /// carried-forward figures.
        fn table(leaves: &[[i64; 6]], carried: [i64; 6], forward: [i64; 6]) -> Vec<[i64; 7]> {
            let with_total = |v: [i64; 6]| {
                let mut r = [0; 7];
                r[..6].copy_from_slice(&v);
                r[6] = v.iter().sum();
                r
            };
            let mut processed = [0; 6];
            for l in leaves {
                for c in 0..6 {
                    processed[c] += l[c];
                }
            }
            let mut new = [0; 6];
            let mut carried = carried;
            for c in 0..6 {
                carried[c] = carried[c].min(processed[c] + forward[c]);
                new[c] = processed[c] + forward[c] - carried[c];
            }
            let mut rows = vec![with_total(new), with_total(carried)];
            rows.extend(leaves.iter().map(|l| with_total(*l)));
            rows.push(with_total(processed));
            rows.push(with_total(forward));
            rows
        }

        /// Print `rows` as a converter would: `style[k]` % 4 puts row k's numbers after,
        /// before, inside or on the last line of its label, broken into `parts[k]` lines;
        /// `stranded` prints that row's total after the next row's numbers.
        fn print(rows: &[[i64; 7]], style: &[u8], parts: &[u8], stranded: Option<usize>) -> String {
            let mut out = vec![
                "某某市2023年政府信息公开工作年度报告".to_string(),
                "三、收到和处理政府信息公开申请情况".into(),
                "申请人情况".into(),
                "自然人".into(),
                "法人或其他组织".into(),
                "总计".into(),
                "商业企业".into(),
                "其他".into(),
            ];
            let mut pending: Option<String> = None;
            for (k, (_, heading, label)) in ROWS.iter().enumerate() {
                if !heading.is_empty() {
                    out.push((*heading).to_string());
                }
                // Broken anywhere after the numbering: a lone "3" would be a number.
                let chars: Vec<char> = label.chars().collect();
                let head = chars
                    .iter()
                    .position(|c| matches!(c, ')' | '.' | '、'))
                    .map_or(0, |p| p + 1);
                let n = usize::from(parts[k] % 3 + 1).min(chars.len() - head);
                let cut = |p: usize| {
                    if p == 0 {
                        0
                    } else {
                        head + p * (chars.len() - head) / n
                    }
                };
                let lines: Vec<String> = (0..n)
                    .map(|p| chars[cut(p)..cut(p + 1)].iter().collect())
                    .collect();
                let shown = if stranded == Some(k) { 6 } else { 7 };
                let nums: Vec<String> = rows[k][..shown].iter().map(i64::to_string).collect();
                let nums = nums.join(" ");
                let mut block = lines.clone();
                match style[k] % 4 {
                    0 => block.push(nums),
                    1 => block.insert(0, nums),
                    2 => block.insert(1, nums),
                    _ => {
                        let last = block.len() - 1;
                        block[last] = format!("{} {nums}", block[last]);
                    }
                }
                out.extend(block);
                out.extend(pending.take());
                if stranded == Some(k) {
                    pending = Some(rows[k][6].to_string());
                }
                if style[k] >= 4 {
                    out.push(String::new());
                }
            }
            out.extend(pending);
            out.push("四、政府信息公开行政复议、行政诉讼情况".into());
            out.push("行政复议".into());
            out.push("0 0 0 0 0 0 0 0 0 0 0 0 0 0 0".into());
            out.join("\n")
        }

        #[test]
        fn table_2_numbers_before_their_labels_are_left_null() {
            // Each row's numbers printed before its label: 规章 is 1 | 2 | 3, not 4 | 5 | 6.
            let text = "二、主动公开政府信息情况\n第二十条第(一)项\n信息内容\n本年制发件数\n\
                        本年废止件数\n现行有效件数\n1\n2\n3\n规章\n4\n5\n6\n行政规范性文件\n\
                        三、收到和处理政府信息公开申请情况\n";
            let report = crate::report_from_document(&crate::text::read_text(text));
            let json = report.to_json();
            assert!(json["table2"]["regulations"]["issued"].is_null(), "{json}");
            assert!(report.findings.iter().any(|f| f.rule == "P-LABEL-BROKEN"));
            // Numbers after their labels are read as before.
            let text = text.replace("1\n2\n3\n规章\n4\n5\n6\n行政规范性文件", "规章\n1\n2\n3");
            let report = crate::report_from_document(&crate::text::read_text(&text));
            assert_eq!(report.to_json()["table2"]["regulations"]["issued"], 1);
        }

        fn leaf() -> impl Strategy<Value = [i64; 6]> {
            let cell = prop_oneof![6 => Just(0i64), 3 => 1i64..10, 1 => 10i64..120];
            prop::array::uniform6(cell)
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

            #[test]
            fn a_converter_layout_gives_the_printed_values_or_null(
                leaves in prop::collection::vec(leaf(), 21),
                carried in prop::array::uniform6(0i64..4),
                forward in prop::array::uniform6(0i64..4),
                style in prop::collection::vec(0u8..8, 25),
                parts in prop::collection::vec(0u8..3, 25),
                stranded in prop::option::of(0usize..24),
            ) {
                let rows = table(&leaves, carried, forward);
                let text = print(&rows, &style, &parts, stranded);
                let report = crate::report_from_document(&crate::text::read_text(&text));
                // A table whose every row was left null is no table.
                let t3 = report.table3.unwrap_or([[None; 7]; 26]);
                let mut missing = 0;
                for (k, (r, _, _)) in ROWS.iter().enumerate() {
                    for c in 0..7 {
                        match t3[*r][c] {
                            Some(Num::Int(v)) => prop_assert_eq!(v, rows[k][c], "row {} col {}\n{}", r, c, text),
                            Some(other) => prop_assert!(false, "{other:?} at row {r}"),
                            None => missing += 1,
                        }
                    }
                }
                if stranded.is_none() {
                    prop_assert_eq!(missing, 0, "{}", text);
                }
            }
        }
    }
}
