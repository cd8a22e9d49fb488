//! Printed values of one row whose cell separators were lost → the reading the template's
//! arithmetic allows. When a text layer runs neighbouring numbers together ("2750" for 27 | 50)
//! or splits one number in two, every way of splitting or joining the printed digits into the
//! template's number of cells is tried, and the readings that satisfy the row's identities
//! (T3-3: total = the six applicant columns; T4-1: each group's total = its outcomes) are kept.
//! A reading is taken only when it is the unique one; several consistent readings are never
//! chosen between. Pure.

/// Most splits or joins tried in one row: beyond that the search is not worth its ambiguity.
const MAX_EDITS: usize = 3;

/// One printed value: its digits and the token it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Piece {
    pub digits: String,
    pub token: usize,
}

/// The outcome of a reconstruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reading {
    /// Exactly one reading is consistent: the values with the token each came from.
    Unique(Vec<(i64, usize)>),
    /// No reading is consistent.
    None,
    /// Several readings are consistent: the count.
    Ambiguous(usize),
}

/// The printed pieces of a value cell: digit runs split at white space ("27 50" → 27, 50).
/// `None` when the cell holds anything but digits, spaces and thousands separators.
pub(crate) fn pieces(text: &str, token: usize) -> Option<Vec<Piece>> {
    let norm = crate::label::nfkc(text);
    let mut out = Vec::new();
    for part in norm.split_whitespace() {
        let digits: String = part.chars().filter(|c| *c != ',').collect();
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 15 {
            return None;
        }
        out.push(Piece { digits, token });
    }
    (!out.is_empty()).then_some(out)
}

/// Find the readings of `pieces` as `n` values that satisfy `consistent`.
pub(crate) fn reconstruct(
    pieces: &[Piece],
    n: usize,
    consistent: impl Fn(&[i64]) -> bool,
) -> Reading {
    let mut found: Vec<Vec<(i64, usize)>> = Vec::new();
    let mut push = |r: Vec<(i64, usize)>| {
        let values: Vec<i64> = r.iter().map(|(v, _)| *v).collect();
        if consistent(&values)
            && !found
                .iter()
                .any(|f| f.iter().map(|(v, _)| *v).eq(values.iter().copied()))
        {
            found.push(r);
        }
    };
    if pieces.len() < n && n - pieces.len() <= MAX_EDITS {
        splits(pieces, n - pieces.len(), &mut Vec::new(), &mut push);
    } else if pieces.len() > n && pieces.len() - n <= MAX_EDITS {
        joins(pieces, pieces.len() - n, &mut Vec::new(), &mut push);
    } else if pieces.len() == n {
        if let Some(r) = as_values(pieces) {
            push(r);
        }
    }
    match found.len() {
        0 => Reading::None,
        1 => Reading::Unique(found.remove(0)),
        k => Reading::Ambiguous(k),
    }
}

fn value(digits: &str) -> Option<i64> {
    // "05" is not how a count is printed: a part may start with 0 only if it is "0".
    if digits.is_empty() || (digits.len() > 1 && digits.starts_with('0')) {
        return None;
    }
    digits.parse().ok()
}

fn as_values(pieces: &[Piece]) -> Option<Vec<(i64, usize)>> {
    pieces
        .iter()
        .map(|p| value(&p.digits).map(|v| (v, p.token)))
        .collect()
}

/// Every way to cut the remaining pieces `extra` more times.
fn splits(
    rest: &[Piece],
    extra: usize,
    acc: &mut Vec<(i64, usize)>,
    push: &mut impl FnMut(Vec<(i64, usize)>),
) {
    let Some((first, tail)) = rest.split_first() else {
        if extra == 0 {
            push(acc.clone());
        }
        return;
    };
    let len = first.digits.len();
    for cuts in 0..=extra.min(len.saturating_sub(1)) {
        for parts in cut_into(&first.digits, cuts + 1) {
            let Some(values) = parts.iter().map(|p| value(p)).collect::<Option<Vec<i64>>>() else {
                continue;
            };
            let before = acc.len();
            acc.extend(values.into_iter().map(|v| (v, first.token)));
            splits(tail, extra - cuts, acc, push);
            acc.truncate(before);
        }
    }
}

/// All ways to cut `s` into `k` non-empty parts.
fn cut_into(s: &str, k: usize) -> Vec<Vec<&str>> {
    if k == 1 {
        return vec![vec![s]];
    }
    let mut out = Vec::new();
    for i in 1..s.len() {
        for mut rest in cut_into(&s[i..], k - 1) {
            rest.insert(0, &s[..i]);
            out.push(rest);
        }
    }
    out
}

/// Every way to join `extra` pairs of neighbouring pieces.
fn joins(
    rest: &[Piece],
    extra: usize,
    acc: &mut Vec<(i64, usize)>,
    push: &mut impl FnMut(Vec<(i64, usize)>),
) {
    if extra == 0 {
        if let Some(values) = as_values(rest) {
            let mut all = acc.clone();
            all.extend(values);
            push(all);
        }
        return;
    }
    let Some((first, tail)) = rest.split_first() else {
        return;
    };
    if let Some(v) = value(&first.digits) {
        acc.push((v, first.token));
        joins(tail, extra, acc, push);
        acc.pop();
    }
    if let Some((second, tail2)) = tail.split_first() {
        let joined = Piece {
            digits: format!("{}{}", first.digits, second.digits),
            token: first.token,
        };
        let mut next = vec![joined];
        next.extend_from_slice(tail2);
        joins(&next, extra - 1, acc, push);
    }
}

/// T3-3 for one table 三 row of 7 values.
pub(crate) fn t3_row_consistent(v: &[i64]) -> bool {
    v.len() == 7 && v[..6].iter().sum::<i64>() == v[6]
}

/// T4-1 for the 15 values of table 四.
pub(crate) fn t4_consistent(v: &[i64]) -> bool {
    v.len() == 15 && v.chunks(5).all(|g| g[..4].iter().sum::<i64>() == g[4])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ps(texts: &[&str]) -> Vec<Piece> {
        texts
            .iter()
            .enumerate()
            .flat_map(|(i, t)| pieces(t, i).expect("digits"))
            .collect()
    }

    fn values(r: &Reading) -> Vec<i64> {
        match r {
            Reading::Unique(v) => v.iter().map(|(x, _)| *x).collect(),
            other => panic!("not unique: {other:?}"),
        }
    }

    #[test]
    fn two_numbers_run_together_are_split_when_unique() {
        // 27 | 50 printed as "2750": 27 + 0 + 0 + 0 + 50 + 0 = 77.
        let r = reconstruct(
            &ps(&["2750", "0", "0", "0", "0", "77"]),
            7,
            t3_row_consistent,
        );
        assert_eq!(values(&r), vec![27, 50, 0, 0, 0, 0, 77]);
    }

    #[test]
    fn a_space_inside_a_cell_separates_two_values() {
        let r = reconstruct(
            &ps(&["27 50", "0", "0", "0", "0", "77"]),
            7,
            t3_row_consistent,
        );
        assert_eq!(values(&r), vec![27, 50, 0, 0, 0, 0, 77]);
    }

    #[test]
    fn several_consistent_readings_are_never_chosen_between() {
        // "111" with total 12: both 1 | 11 and 11 | 1 add up.
        let r = reconstruct(
            &ps(&["111", "0", "0", "0", "0", "12"]),
            7,
            t3_row_consistent,
        );
        assert!(matches!(r, Reading::Ambiguous(2)), "{r:?}");
    }

    #[test]
    fn a_number_split_in_two_is_joined() {
        let r = reconstruct(
            &ps(&["12", "3", "0", "0", "0", "0", "0", "123"]),
            7,
            t3_row_consistent,
        );
        assert_eq!(values(&r), vec![123, 0, 0, 0, 0, 0, 123]);
    }

    #[test]
    fn no_consistent_reading_is_none() {
        assert_eq!(
            reconstruct(&ps(&["99", "0", "0", "0", "0", "5"]), 7, t3_row_consistent),
            Reading::None
        );
    }
}
