//! The values the mapper does not simply read. Merged value cells: a cell merged over several
//! rows (repeated by the readers with one location) is 0 in each row when it prints 0, and is
//! never split otherwise — null in each with a finding. Derived values: a 2021 report's
//! `other_handling` is the sum of the three （六） items, null with a finding as soon as one of
//! them is null (a non-zero cell merged over exactly those items counts once, as printed).

use std::collections::HashMap;

use super::{Mapper, Slots3};
use crate::number::{fit, ColumnUnit, Fitted};
use crate::tokens::Token;
use nianbao_model::document::Loc;
use nianbao_model::report::{Num, Severity, Source, Table3, Val};
use nianbao_model::rules::{cell_zh, cells_summary_zh};
use nianbao_model::template::{t3, T3_COLUMNS, T3_ROWS};

/// Value cells merged over several rows: the readers repeat such a cell in every row it covers
/// with its own location ([`nianbao_model::document::Block::Row`]), so a table location shared
/// by the value slots of several rows is one merged cell. Location → the number of rows.
pub(super) fn merged_spans(tokens: &[Token<'_>]) -> HashMap<Loc, usize> {
    let mut rows: HashMap<Loc, (usize, usize)> = HashMap::new();
    for t in tokens {
        let (Some(row), Loc::Table { .. } | Loc::Page { .. }, Some(_)) = (t.row, t.loc, &t.value)
        else {
            continue;
        };
        let (last, count) = rows.entry(t.loc).or_insert((row, 0));
        if *count == 0 || *last != row {
            *last = row;
            *count += 1;
        }
    }
    rows.into_iter()
        .filter(|(_, (_, n))| *n > 1)
        .map(|(loc, (_, n))| (loc, n))
        .collect()
}

/// One merged value cell as the mapper used it: the template cells it covers.
#[derive(Debug)]
pub(super) struct MergedUse {
    loc: Loc,
    printed: String,
    /// How many printed rows the cell spans.
    rows: usize,
    /// It prints 0 (0 in each row it covers) rather than a value that cannot be split.
    zero: bool,
    /// Schema paths of the template cells it covers.
    paths: Vec<String>,
    /// The derived cell its value was summed into, when the template allows it.
    feeds: Option<String>,
}

impl Mapper<'_, '_, '_> {
    /// One slot of a value cell merged over `rows` printed rows: a printed 0 is 0 in each row,
    /// a blank is null; any other value is not split between the rows, so each is null (the
    /// finding names the merged cell, [`Mapper::merged_findings`]).
    pub(super) fn fit_merged(
        &mut self,
        token: usize,
        unit: ColumnUnit,
        path: String,
        rows: usize,
    ) -> Val {
        let t = &self.tokens[token];
        let Some(cell) = &t.value else { return None };
        let (printed, loc) = (t.text.to_string(), t.loc);
        self.report.sources.insert(
            path.clone(),
            Source {
                loc,
                printed: printed.clone(),
                ocr: None,
            },
        );
        if cell.is_null() {
            return None;
        }
        let value = match fit(cell, unit) {
            Fitted::Value(v) | Fitted::WithNote(v, _) => v,
            Fitted::Rejected(_) => None,
        };
        let zero = value.is_some_and(|n| n.as_f64() == 0.0);
        match self.merged.iter_mut().find(|m| m.loc == loc) {
            Some(m) => m.paths.push(path),
            None => self.merged.push(MergedUse {
                loc,
                printed,
                rows,
                zero,
                paths: vec![path],
                feeds: None,
            }),
        }
        value.filter(|_| zero)
    }

    /// A finding for each merged value cell: P-MERGED-ZERO (info) for a printed 0 read as 0 in
    /// each row, P-MERGED-CELL (warning) for a value left null in each row it spans.
    pub(super) fn merged_findings(&mut self) {
        for m in std::mem::take(&mut self.merged) {
            let covers = m.paths.join(", ");
            let covers_zh = m
                .paths
                .iter()
                .map(|p| cell_zh(p))
                .collect::<Vec<_>>()
                .join("、");
            let (rule, severity, message) = if m.zero {
                (
                    "P-MERGED-ZERO",
                    Severity::Info,
                    (
                        format!(
                            "'{}' at {} is one cell merged over {} rows: 0 in each ({covers})",
                            m.printed, m.loc, m.rows
                        ),
                        format!(
                            "位于 {} 的「{}」是跨 {} 行的合并单元格：每行计为 0（{covers_zh}）",
                            m.loc, m.printed, m.rows
                        ),
                    ),
                )
            } else {
                let (feeds, feeds_zh) =
                    m.feeds
                        .as_ref()
                        .map_or((String::new(), String::new()), |f| {
                            (
                                format!("; as the sum of those rows it still counts in {f}"),
                                format!("；作为这些行之和，它仍计入{}", cell_zh(f)),
                            )
                        });
                (
                    "P-MERGED-CELL",
                    Severity::Warning,
                    (
                        format!(
                            "'{}' at {} is one cell merged over {} rows ({covers}): a value spanning \
                             rows is not split between them, each is left null{feeds}",
                            m.printed, m.loc, m.rows
                        ),
                        format!(
                            "位于 {} 的「{}」是跨 {} 行的合并单元格（{covers_zh}）：跨行的数值不在各行间拆分，各行留空{feeds_zh}",
                            m.loc, m.printed, m.rows
                        ),
                    ),
                )
            };
            let mut cells = m.paths;
            cells.extend(m.feeds);
            self.finding(rule, severity, message, cells);
        }
    }

    /// A 2021 report's other_handling, per column: the sum of the three （六） items, null (with
    /// a P-DERIVED-NULL finding) as soon as one of them is null — never the sum of the items that
    /// were read. A non-zero cell merged over exactly those items (null in each,
    /// [`Mapper::fit_merged`]) is their sum as printed, and counts once.
    pub(super) fn derive_other_handling(&mut self, table: &mut Table3, read_from: &Slots3) {
        let mut null_in: Vec<(&str, &str)> = Vec::new();
        let mut operands: Vec<String> = Vec::new();
        for (c, (column, label)) in T3_COLUMNS.iter().enumerate() {
            let mut parts: Vec<Val> = Vec::new();
            let mut fed: Vec<Loc> = Vec::new();
            let mut missing: Vec<String> = Vec::new();
            for &i in &t3::OTHER_ITEMS {
                if let Some(v) = table[i][c] {
                    parts.push(Some(v));
                    continue;
                }
                match self.merged_over_items(read_from, i, c) {
                    Some((loc, _)) if fed.contains(&loc) => {}
                    Some((loc, v)) => {
                        fed.push(loc);
                        parts.push(Some(v));
                    }
                    None => missing.push(format!("table3.{}.{column}", T3_ROWS[i].0)),
                }
            }
            let sum = if missing.is_empty() {
                sum_all(&parts)
            } else {
                None
            };
            table[t3::OTHER_HANDLING][c] = sum;
            if sum.is_none() {
                null_in.push((column, label));
                operands.extend(missing);
            } else {
                let path = format!("table3.other_handling.{column}");
                for m in self.merged.iter_mut().filter(|m| fed.contains(&m.loc)) {
                    m.feeds = Some(path.clone());
                }
            }
        }
        if null_in.is_empty() {
            return;
        }
        let (null_ops, null_ops_zh) = if operands.is_empty() {
            (
                "their sum does not fit".to_string(),
                "其和超出范围".to_string(),
            )
        } else {
            (
                format!("null: {}", operands.join(", ")),
                format!("空白：{}", cells_summary_zh(&operands)),
            )
        };
        let mut cells: Vec<String> = null_in
            .iter()
            .map(|(k, _)| format!("table3.other_handling.{k}"))
            .collect();
        let labels: Vec<&str> = null_in.iter().map(|(_, l)| *l).collect();
        cells.extend(operands.iter().cloned());
        self.finding(
            "P-DERIVED-NULL",
            Severity::Info,
            (
                format!(
                    "table3.other_handling is the sum of the three （六） items and is left null in {}: \
                     an item it is summed from is {null_ops}",
                    labels.join(", ")
                ),
                format!(
                    "表三（六）其他处理是三个分项之和，在{}列留空：其分项{null_ops_zh}",
                    labels.join("、")
                ),
            ),
            cells,
        );
    }

    /// A non-zero value cell merged over （六） item rows of column `c` only, one of them `i`:
    /// its location and value (the sum of the rows it covers).
    fn merged_over_items(&self, read_from: &Slots3, i: usize, c: usize) -> Option<(Loc, Num)> {
        let token = read_from[i][c]?;
        let t = &self.tokens[token];
        let rows = *self.spans.get(&t.loc)?;
        let covered = t3::OTHER_ITEMS
            .iter()
            .filter(|&&j| read_from[j][c].is_some_and(|k| self.tokens[k].loc == t.loc))
            .count();
        if covered != rows {
            return None;
        }
        match fit(t.value.as_ref()?, ColumnUnit::Count) {
            Fitted::Value(Some(v)) => Some((t.loc, v)),
            _ => None,
        }
    }
}

/// The sum of values, all printed: `None` when one is null (or an integer sum overflows).
fn sum_all(vals: &[Val]) -> Val {
    let mut int: i64 = 0;
    let mut dec: f64 = 0.0;
    let mut is_dec = false;
    for v in vals {
        match (*v)? {
            Num::Int(i) => int = int.checked_add(i)?,
            Num::Dec(d) => {
                dec += d;
                is_dec = true;
            }
        }
    }
    Some(if is_dec {
        Num::Dec(dec + int as f64)
    } else {
        Num::Int(int)
    })
}
