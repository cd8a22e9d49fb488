//! Readings of table cells with their alternatives (an OCR engine's top-k per cell) and the
//! template's identities → values proven by the identities, or a refusal that names the suspect
//! cells. Nothing is read from images here: this is the step that decides which readings may
//! become numbers (issue "Scanned reports", the proof).
//!
//! Table 三 is a checksum grid: every row's 总计 is the sum of its six applicant columns (T3-3),
//! the （七）总计 row is the sum of the result rows in each column (T3-2), and 一+二 = （七）+四 in
//! each column (T3-1); table 四 has T4-1 per group. The proof:
//!
//! 1. Take every cell's most probable reading. If every identity that can be checked (all its
//!    cells printed) holds, the table is accepted as read.
//! 2. Otherwise look for the smallest set of cells (one, then two, up to
//!    [`ProofOptions::max_changes`]) whose other readings — each with probability at least
//!    [`ProofOptions::min_alternative`] — make every identity hold. Only cells of a broken
//!    identity are tried. Accept only when exactly one such assignment exists at the smallest
//!    size; two or more (an ambiguous fix) or none refuse the table.
//! 3. A printed value that no checkable identity covers (its row's 总计 is blank, say) is
//!    unproven: it is accepted only with a top reading of at least
//!    [`ProofOptions::min_unproven`], else the table is refused with that cell as suspect.
//!
//! A blank cell is its own reading (`None`), never 0. A refused table is `null` with a finding
//! naming the suspect cells; a wrong number is never accepted silently.

use crate::report::{Num, Table3, Table4};
use crate::template::{t3, Template, T3_TOTAL_COL};

/// One reading of a cell: a value (`None`: the cell is blank) and its probability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// The value read; `None` for a blank cell.
    pub value: Option<i64>,
    /// The reader's probability for it, 0–1.
    pub p: f32,
}

/// A linear identity over cells: the sum of `lhs` equals the sum of `rhs` (cell indices).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The template rule it comes from, e.g. `T3-3`.
    pub rule: &'static str,
    /// Cells summed on the left.
    pub lhs: Vec<usize>,
    /// Cells summed on the right.
    pub rhs: Vec<usize>,
}

/// Thresholds of the proof.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProofOptions {
    /// The most cells a proof may change from their top reading.
    pub max_changes: usize,
    /// The least probability of a reading that replaces the top one.
    pub min_alternative: f32,
    /// The least probability of a top reading that no checkable identity covers.
    pub min_unproven: f32,
}

impl Default for ProofOptions {
    fn default() -> ProofOptions {
        ProofOptions {
            max_changes: 2,
            min_alternative: 0.05,
            min_unproven: 0.98,
        }
    }
}

/// What the proof decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Every value is proven (or read with enough confidence where nothing can prove it).
    Accepted {
        /// The value of every cell, by index.
        values: Vec<Option<i64>>,
        /// Cells whose value is not their top reading, ascending.
        changed: Vec<usize>,
    },
    /// No unique proof: the table must be null.
    Refused {
        /// Cells of the broken identities, or unproven cells read with too little confidence.
        suspects: Vec<usize>,
        /// Why, in words.
        reason: String,
    },
}

/// `Some(holds)` when every cell of the identity is printed, `None` when it is not checkable.
fn holds(id: &Identity, values: &[Option<i64>]) -> Option<bool> {
    let sum = |cells: &[usize]| -> Option<i64> {
        cells.iter().try_fold(0i64, |acc, &c| {
            Some(acc + values.get(c).copied().flatten()?)
        })
    };
    Some(sum(&id.lhs)? == sum(&id.rhs)?)
}

fn cells_of(id: &Identity) -> impl Iterator<Item = usize> + '_ {
    id.lhs.iter().chain(&id.rhs).copied()
}

/// Decide the values of `readings` (each cell's readings, most probable first) under
/// `identities`.
pub fn prove(readings: &[Vec<Reading>], identities: &[Identity], opts: ProofOptions) -> Verdict {
    let top: Vec<Option<i64>> = readings
        .iter()
        .map(|r| r.first().and_then(|x| x.value))
        .collect();
    let broken: Vec<&Identity> = identities
        .iter()
        .filter(|id| holds(id, &top) == Some(false))
        .collect();
    let (values, changed) = if broken.is_empty() {
        (top, Vec::new())
    } else {
        match repair(readings, identities, &broken, &top, opts) {
            Ok(found) => found,
            Err(reason) => {
                let mut suspects: Vec<usize> = broken.iter().flat_map(|id| cells_of(id)).collect();
                suspects.sort_unstable();
                suspects.dedup();
                return Verdict::Refused { suspects, reason };
            }
        }
    };
    let unsure = unproven(readings, identities, &values, &changed, opts);
    if !unsure.is_empty() {
        return Verdict::Refused {
            suspects: unsure,
            reason: "printed values that no identity can check were read with too little \
                     confidence"
                .into(),
        };
    }
    Verdict::Accepted { values, changed }
}

/// The smallest unique set of changes that makes every identity hold.
fn repair(
    readings: &[Vec<Reading>],
    identities: &[Identity],
    broken: &[&Identity],
    top: &[Option<i64>],
    opts: ProofOptions,
) -> Result<(Vec<Option<i64>>, Vec<usize>), String> {
    let mut suspects: Vec<usize> = broken.iter().flat_map(|id| cells_of(id)).collect();
    suspects.sort_unstable();
    suspects.dedup();
    // (cell, alternative value) pairs to try.
    let options: Vec<(usize, Option<i64>)> = suspects
        .iter()
        .flat_map(|&c| {
            readings[c]
                .iter()
                .skip(1)
                .filter(move |r| {
                    r.p >= opts.min_alternative && Some(r.value) != top.get(c).copied()
                })
                .map(move |r| (c, r.value))
        })
        .collect();
    for size in 1..=opts.max_changes {
        let mut found: Vec<Vec<(usize, Option<i64>)>> = Vec::new();
        let mut pick = Vec::with_capacity(size);
        search(&options, 0, size, &mut pick, &mut |set| {
            let mut values = top.to_vec();
            for &(c, v) in set {
                values[c] = v;
            }
            let all_hold = identities
                .iter()
                .all(|id| holds(id, &values) != Some(false));
            let fixed = broken.iter().all(|id| holds(id, &values) == Some(true));
            if all_hold && fixed {
                found.push(set.to_vec());
            }
            found.len() < 2
        });
        match found.len() {
            0 => continue,
            1 => {
                let mut values = top.to_vec();
                let mut changed = Vec::new();
                for &(c, v) in &found[0] {
                    values[c] = v;
                    changed.push(c);
                }
                changed.sort_unstable();
                return Ok((values, changed));
            }
            _ => {
                return Err(format!(
                    "two or more sets of {size} change(s) make the identities hold: ambiguous"
                ))
            }
        }
    }
    Err(format!(
        "no set of up to {} change(s) among the cells' other readings makes the identities hold",
        opts.max_changes
    ))
}

/// A cell and one of its other readings.
type Change = (usize, Option<i64>);

/// Visit every set of `size` options with distinct cells (`visit` returns false to stop).
fn search(
    options: &[Change],
    from: usize,
    size: usize,
    pick: &mut Vec<Change>,
    visit: &mut dyn FnMut(&[Change]) -> bool,
) -> bool {
    if pick.len() == size {
        return visit(pick);
    }
    for i in from..options.len() {
        if pick.iter().any(|(c, _)| *c == options[i].0) {
            continue;
        }
        pick.push(options[i]);
        let go_on = search(options, i + 1, size, pick, visit);
        pick.pop();
        if !go_on {
            return false;
        }
    }
    true
}

/// Printed cells that no checkable, holding identity covers and whose top reading is below
/// [`ProofOptions::min_unproven`] (a changed cell is covered by construction).
fn unproven(
    readings: &[Vec<Reading>],
    identities: &[Identity],
    values: &[Option<i64>],
    changed: &[usize],
    opts: ProofOptions,
) -> Vec<usize> {
    let mut covered = vec![false; values.len()];
    for id in identities {
        if holds(id, values) == Some(true) {
            for c in cells_of(id) {
                if let Some(slot) = covered.get_mut(c) {
                    *slot = true;
                }
            }
        }
    }
    (0..values.len())
        .filter(|&c| !covered[c] && !changed.contains(&c))
        .filter(|&c| {
            let p = readings[c].first().map_or(0.0, |r| r.p);
            // A blank read with confidence stands; any value must clear the bar.
            p < opts.min_unproven && (values[c].is_some() || p < opts.min_alternative)
        })
        .collect()
}

/// Cell index of table 三's `(row, column)`: row-major over 26 × 7.
pub fn t3_index(row: usize, column: usize) -> usize {
    row * 7 + column
}

/// The identities of table 三 (T3-1, T3-2, T3-3) of `template`, over [`t3_index`] cells. In
/// 2021 the （六） items are summed by T3-2; in 2019 the （六） row is.
pub fn table3_identities(template: Template) -> Vec<Identity> {
    let mut out = Vec::new();
    for c in 0..7 {
        out.push(Identity {
            rule: "T3-1",
            lhs: vec![t3_index(t3::NEW_RECEIVED, c), t3_index(t3::CARRIED_OVER, c)],
            rhs: vec![
                t3_index(t3::TOTAL_PROCESSED, c),
                t3_index(t3::CARRIED_FORWARD, c),
            ],
        });
        let mut terms: Vec<usize> = (t3::FIRST_RESULT..=t3::LAST_PLAIN_RESULT)
            .map(|r| t3_index(r, c))
            .collect();
        match template {
            Template::V2021 => terms.extend(t3::OTHER_ITEMS.iter().map(|&r| t3_index(r, c))),
            Template::V2019 => terms.push(t3_index(t3::OTHER_HANDLING, c)),
        }
        out.push(Identity {
            rule: "T3-2",
            lhs: vec![t3_index(t3::TOTAL_PROCESSED, c)],
            rhs: terms,
        });
    }
    for r in 0..26 {
        let unused = match template {
            Template::V2021 => r == t3::OTHER_HANDLING,
            Template::V2019 => t3::OTHER_ITEMS.contains(&r),
        };
        if unused {
            continue;
        }
        out.push(Identity {
            rule: "T3-3",
            lhs: vec![t3_index(r, T3_TOTAL_COL)],
            rhs: (0..T3_TOTAL_COL).map(|c| t3_index(r, c)).collect(),
        });
    }
    out
}

/// The identities of table 四 (T4-1), over row-major 3 × 5 cells.
pub fn table4_identities() -> Vec<Identity> {
    (0..3)
        .map(|g| Identity {
            rule: "T4-1",
            lhs: vec![g * 5 + 4],
            rhs: (0..4).map(|o| g * 5 + o).collect(),
        })
        .collect()
}

/// Table 三 from proven values (row-major, [`t3_index`]).
pub fn table3_of(values: &[Option<i64>]) -> Table3 {
    let mut t: Table3 = [[None; 7]; 26];
    for (r, row) in t.iter_mut().enumerate() {
        for (c, cell) in row.iter_mut().enumerate() {
            *cell = values.get(t3_index(r, c)).copied().flatten().map(Num::Int);
        }
    }
    t
}

/// Table 四 from proven values (row-major 3 × 5).
pub fn table4_of(values: &[Option<i64>]) -> Table4 {
    let mut t: Table4 = [[None; 5]; 3];
    for (g, row) in t.iter_mut().enumerate() {
        for (o, cell) in row.iter_mut().enumerate() {
            *cell = values.get(g * 5 + o).copied().flatten().map(Num::Int);
        }
    }
    t
}

/// Sample readings for tests of the proof and of what feeds it.
pub mod example {
    use super::t3_index;
    use crate::template::t3;

    /// The values of a consistent 2021 table 三 by [`t3_index`]: every applicant column of
    /// every row printed (the （六） row too), every identity holding.
    pub fn consistent() -> Vec<Option<i64>> {
        let mut t = vec![None; 26 * 7];
        let mut set = |r: usize, parts: [i64; 6]| {
            for (c, v) in parts.iter().enumerate() {
                t[t3_index(r, c)] = Some(*v);
            }
            t[t3_index(r, 6)] = Some(parts.iter().sum());
        };
        set(t3::NEW_RECEIVED, [10, 1, 0, 0, 0, 1]);
        set(t3::CARRIED_OVER, [2, 0, 0, 0, 0, 0]);
        set(t3::GRANTED, [5, 1, 0, 0, 0, 0]);
        set(t3::PARTIALLY_GRANTED, [3, 0, 0, 0, 0, 1]);
        for r in 4..=t3::LAST_PLAIN_RESULT {
            set(r, [0; 6]);
        }
        for r in t3::OTHER_ITEMS {
            set(r, [0; 6]);
        }
        set(t3::UNAVAILABLE_NOT_HELD, [2, 0, 0, 0, 0, 0]);
        set(t3::TOTAL_PROCESSED, [10, 1, 0, 0, 0, 1]);
        set(t3::CARRIED_FORWARD, [2, 0, 0, 0, 0, 0]);
        t
    }
}

#[cfg(test)]
mod tests {
    use super::example::consistent;
    use super::*;

    fn sure(values: &[Option<i64>]) -> Vec<Vec<Reading>> {
        values
            .iter()
            .map(|&v| vec![Reading { value: v, p: 0.99 }])
            .collect()
    }

    fn misread(
        readings: &mut [Vec<Reading>],
        cell: usize,
        top: Option<i64>,
        truth: Option<i64>,
        p: f32,
    ) {
        readings[cell] = vec![
            Reading {
                value: top,
                p: 1.0 - p,
            },
            Reading { value: truth, p },
        ];
    }

    fn ids() -> Vec<Identity> {
        table3_identities(Template::V2021)
    }

    #[test]
    fn the_identities_hold_on_a_consistent_table() {
        let t = consistent();
        assert!(ids().iter().all(|id| holds(id, &t) == Some(true)));
        assert_eq!(
            prove(&sure(&t), &ids(), ProofOptions::default()),
            Verdict::Accepted {
                values: t,
                changed: vec![]
            }
        );
    }

    #[test]
    fn one_misread_digit_is_located_and_corrected_from_its_alternative() {
        let truth = consistent();
        let mut r = sure(&truth);
        // 10 read as 1: 一、本年新收, 自然人.
        let cell = t3_index(t3::NEW_RECEIVED, 0);
        misread(&mut r, cell, Some(1), Some(10), 0.3);
        match prove(&r, &ids(), ProofOptions::default()) {
            Verdict::Accepted { values, changed } => {
                assert_eq!(values, truth);
                assert_eq!(changed, vec![cell]);
            }
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn two_misreads_in_different_rows_and_columns_are_both_corrected() {
        let truth = consistent();
        let mut r = sure(&truth);
        let a = t3_index(t3::GRANTED, 0);
        let b = t3_index(t3::CARRIED_OVER, 0);
        misread(&mut r, a, Some(8), Some(5), 0.2);
        misread(&mut r, b, Some(7), Some(2), 0.2);
        match prove(&r, &ids(), ProofOptions::default()) {
            Verdict::Accepted { values, changed } => {
                assert_eq!(values, truth);
                assert_eq!(changed, vec![b, a]);
            }
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn an_ambiguous_fix_is_refused_naming_the_suspects() {
        // Table 四 group 1 total misread, and two outcome cells each have an alternative that
        // would also fix the sum: no unique proof.
        let truth: Vec<Option<i64>> = [3, 1, 0, 0, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]
            .iter()
            .map(|&v| Some(v))
            .collect();
        let mut r = sure(&truth);
        misread(&mut r, 0, Some(4), Some(3), 0.4); // upheld 3 read as 4 → sum 5 ≠ 4
        misread(&mut r, 1, Some(1), Some(0), 0.4); // corrected 1, alternative 0 → sum 4 as well
        match prove(&r, &table4_identities(), ProofOptions::default()) {
            Verdict::Refused { suspects, reason } => {
                assert!(reason.contains("ambiguous"), "{reason}");
                assert!(suspects.contains(&0) && suspects.contains(&4));
            }
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn a_misread_without_a_fitting_alternative_is_refused_never_guessed() {
        let truth = consistent();
        let mut r = sure(&truth);
        let cell = t3_index(t3::GRANTED, 1);
        misread(&mut r, cell, Some(7), Some(9), 0.3); // neither 7 nor 9 is the printed 1
        assert!(matches!(
            prove(&r, &ids(), ProofOptions::default()),
            Verdict::Refused { .. }
        ));
    }

    #[test]
    fn an_unproven_value_needs_a_confident_reading() {
        // Row （二） with a blank 总计: its six cells are checked only by T3-2's columns; blank
        // them there too by blanking the （七） row's cell of column 0, and read one value
        // unsurely.
        let mut truth = consistent();
        let total = t3_index(t3::PARTIALLY_GRANTED, 6);
        truth[total] = None;
        truth[t3_index(t3::TOTAL_PROCESSED, 0)] = None;
        truth[t3_index(t3::TOTAL_PROCESSED, 6)] = None;
        let mut r = sure(&truth);
        let cell = t3_index(t3::PARTIALLY_GRANTED, 0);
        r[cell] = vec![Reading {
            value: Some(3),
            p: 0.6,
        }];
        match prove(&r, &ids(), ProofOptions::default()) {
            Verdict::Refused { suspects, .. } => assert!(suspects.contains(&cell), "{suspects:?}"),
            v => panic!("{v:?}"),
        }
        r[cell] = vec![Reading {
            value: Some(3),
            p: 0.995,
        }];
        assert!(matches!(
            prove(&r, &ids(), ProofOptions::default()),
            Verdict::Accepted { .. }
        ));
    }

    proptest::proptest! {
        /// Any one misread cell whose alternatives include the printed value: the proof either
        /// restores the printed table exactly or refuses it — it never accepts a wrong number.
        #[test]
        fn a_single_misread_is_restored_or_refused_never_accepted_wrong(
            cell in 0usize..26 * 7,
            wrong in 0i64..1000,
            decoy in proptest::option::of(0i64..1000),
            p in 0.05f32..0.5,
        ) {
            let truth = consistent();
            proptest::prop_assume!(truth[cell].is_some() && truth[cell] != Some(wrong));
            let mut r = sure(&truth);
            r[cell] = vec![
                Reading { value: Some(wrong), p: 1.0 - p },
                Reading { value: truth[cell], p },
            ];
            if let Some(d) = decoy {
                r[cell].push(Reading { value: Some(d), p: p / 2.0 });
            }
            if let Verdict::Accepted { values, .. } = prove(&r, &ids(), ProofOptions::default()) {
                proptest::prop_assert_eq!(values, truth);
            }
        }
    }

    #[test]
    fn tables_are_rebuilt_from_proven_values() {
        let t = consistent();
        let t3 = table3_of(&t);
        assert_eq!(t3[t3::NEW_RECEIVED][6], Some(Num::Int(12)));
        assert_eq!(t3[t3::OTHER_HANDLING][0], None);
        let t4 = table4_of(&[Some(1); 15]);
        assert_eq!(t4[2][4], Some(Num::Int(1)));
    }
}
