//! Units of the `cells` values. Counts are integers. Money is converted to 万元 exactly, by
//! decimal arithmetic on the digits as printed (never by a float multiplication), and held as
//! an integer number of 分 (0.01 元 = 10⁻⁶ 万元), so a sum is exact; a money value whose unit
//! was not printed is never guessed: its unit is [`CellUnit::Unknown`] and only its printed
//! text is kept.

use nianbao_model::report::Num;

use super::CellDef;

/// 分 per 万元.
pub const FEN_PER_WAN: i64 = 1_000_000;

/// The unit of a value of `cells` (its `unit` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CellUnit {
    /// A count (件, 项, 个, 人次 …): an integer, in `value`.
    #[default]
    Count,
    /// Money, converted to 万元 (`amount_10k_yuan`; exactly, in 分, `amount_fen`).
    TenThousandYuan,
    /// Money printed without a unit (2019 采购总金额 with neither 元 nor 万元): not converted,
    /// no amount; the text is in `printed`.
    Unknown,
}

impl CellUnit {
    /// The text of the `unit` column: `count`, `万元` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            CellUnit::Count => "count",
            CellUnit::TenThousandYuan => "万元",
            CellUnit::Unknown => "unknown",
        }
    }

    /// The unit named by [`CellUnit::as_str`].
    pub fn parse(s: &str) -> Option<CellUnit> {
        [
            CellUnit::Count,
            CellUnit::TenThousandYuan,
            CellUnit::Unknown,
        ]
        .into_iter()
        .find(|u| u.as_str() == s)
    }
}

/// How a money cell of the template is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MoneyColumn {
    /// The header says 万元 (2021 本年收费金额(单位:万元)); the parser already converted a value
    /// printed in 元 or 亿元 to 万元.
    TenThousandYuan,
    /// No unit in the header (2019 采购总金额): the parser kept the value as printed; the unit
    /// is the one printed in the cell, if any.
    AsPrinted,
}

/// The money column a template cell is, or `None` for a count.
pub(crate) fn money_column(def: &CellDef) -> Option<MoneyColumn> {
    match (def.table, def.row, def.column) {
        ("table2", "fees", "amount_10k_yuan") => Some(MoneyColumn::TenThousandYuan),
        ("table2", "procurement", "amount") => Some(MoneyColumn::AsPrinted),
        _ => None,
    }
}

/// The power of ten that takes a printed money unit to 万元 (`元` → -4), from the end of the
/// printed text; `None` when no money unit is printed.
fn printed_unit_exp(printed: &str) -> Option<i32> {
    let t: String = printed.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.trim_end_matches([')', '）']);
    if t.ends_with("亿元") {
        Some(4)
    } else if t.ends_with("万元") {
        Some(0)
    } else if t.ends_with('元') {
        Some(-4)
    } else {
        None
    }
}

/// A decimal: `mantissa × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Dec {
    mantissa: i128,
    scale: i32,
}

impl Dec {
    /// `self × 10^exp` as a whole number, or `None` when that is not whole or out of range.
    fn shifted_whole(self, exp: i32) -> Option<i64> {
        let e = exp - self.scale;
        let v = if e >= 0 {
            self.mantissa
                .checked_mul(10i128.checked_pow(e.unsigned_abs())?)?
        } else {
            let d = 10i128.checked_pow(e.unsigned_abs())?;
            if self.mantissa % d != 0 {
                return None;
            }
            self.mantissa / d
        };
        i64::try_from(v).ok()
    }
}

/// The digits of a number as text: ASCII or full-width digits, `.`/`．`, thousands separators
/// `,`/`，`, a leading sign, white space; anything after the number (a unit) is ignored.
/// `None` when no digit is found or the text holds something else before the unit.
fn parse_dec(text: &str) -> Option<Dec> {
    let mut mantissa: i128 = 0;
    let mut scale = 0i32;
    let (mut negative, mut point, mut digits, mut started) = (false, false, 0, false);
    for c in text.chars() {
        let c = match c {
            '０'..='９' => char::from_u32(u32::from(c) - 0xFF10 + u32::from('0'))?,
            '．' => '.',
            '，' => ',',
            '＋' => '+',
            '－' => '-',
            c => c,
        };
        match c {
            '0'..='9' => {
                mantissa = mantissa
                    .checked_mul(10)?
                    .checked_add(i128::from(c as u8 - b'0'))?;
                digits += 1;
                started = true;
                if point {
                    scale += 1;
                }
            }
            '.' if started && !point => point = true,
            ',' if started && !point => {}
            '+' | '-' if !started => negative = c == '-',
            c if c.is_whitespace() => {}
            _ if started => break,
            _ => return None,
        }
    }
    if digits == 0 || digits > 30 {
        return None;
    }
    Some(Dec {
        mantissa: if negative { -mantissa } else { mantissa },
        scale,
    })
}

/// The decimal digits of a parsed value (a [`Num::Dec`] through its shortest round-trip text,
/// which is the printed decimal for up to 15 significant digits).
fn num_dec(v: Num) -> Option<Dec> {
    match v {
        Num::Int(i) => Some(Dec {
            mantissa: i128::from(i),
            scale: 0,
        }),
        Num::Dec(d) => parse_dec(&d.to_string()),
    }
}

/// A money cell in 分 and its unit, and a note for a finding when the conversion is worth
/// recording or was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Money {
    /// The amount in 分; `None` when blank, of unknown unit, or not a whole number of 分.
    pub fen: Option<i64>,
    /// [`CellUnit::TenThousandYuan`] or [`CellUnit::Unknown`].
    pub unit: CellUnit,
    /// What was done, for a `T-UNIT` finding, in English and in Chinese; `None` when the value
    /// was printed in 万元.
    pub note: Option<(String, String)>,
}

/// Convert a money cell (`value` as the parser read it, `printed` the text as published) to
/// 分, exactly.
pub(crate) fn money(column: MoneyColumn, value: Option<Num>, printed: Option<&str>) -> Money {
    let printed_exp = printed.and_then(printed_unit_exp);
    // The power of ten from the unit `value` is in to 万元.
    let value_exp = match column {
        MoneyColumn::TenThousandYuan => Some(0),
        MoneyColumn::AsPrinted => printed_exp,
    };
    let Some(v) = value else {
        // A blank has nothing to convert.
        return Money {
            fen: None,
            unit: CellUnit::TenThousandYuan,
            note: None,
        };
    };
    let Some(value_exp) = value_exp else {
        return Money {
            fen: None,
            unit: CellUnit::Unknown,
            note: Some({
                let shown = printed.map_or_else(|| v.to_string(), str::to_string);
                (
                    format!(
                        "'{shown}' is printed without a unit (元 or 万元): not converted, no amount; see printed"
                    ),
                    format!("「{shown}」未印单位（元或万元）：不换算，无金额；原文见 printed"),
                )
            }),
        };
    };
    // The printed digits are exact; the parsed value is the check that they are the same
    // number (a Num::Dec past 15 digits has lost some).
    let from_value = num_dec(v).and_then(|d| d.shifted_whole(value_exp + 6));
    let from_printed = printed
        .and_then(parse_dec)
        .and_then(|d| d.shifted_whole(printed_exp.unwrap_or(value_exp) + 6));
    let close = |a: i64| {
        let wan = a as f64 / FEN_PER_WAN as f64;
        let v = v.as_f64() * 10f64.powi(value_exp);
        (wan - v).abs() <= 1e-9 * v.abs().max(1.0)
    };
    let fen = match from_printed {
        Some(p) if close(p) => Some(p),
        _ => from_value,
    };
    let shown = printed.map_or_else(|| v.to_string(), str::to_string);
    let note = match (fen, printed_exp) {
        (None, _) => Some((
            format!("'{shown}' is not a whole number of 分 (or too large): no amount; see printed"),
            format!("「{shown}」不是整数的分（或过大）：无金额；原文见 printed"),
        )),
        (Some(_), Some(e)) if e != 0 => {
            let unit = if e > 0 { "亿元" } else { "元" };
            Some((
                format!("'{shown}' printed in {unit}, converted to 万元 exactly"),
                format!("「{shown}」以{unit}印出，已精确换算为万元"),
            ))
        }
        _ => None,
    };
    Money {
        fen,
        unit: CellUnit::TenThousandYuan,
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(column: MoneyColumn, v: Num, printed: &str) -> Money {
        money(column, Some(v), Some(printed))
    }

    #[test]
    fn yuan_and_wan_become_the_same_fen() {
        let a = m(MoneyColumn::AsPrinted, Num::Int(1234), "1,234元");
        assert_eq!(a.fen, Some(123_400));
        assert_eq!(a.unit, CellUnit::TenThousandYuan);
        assert!(a.note.expect("note").0.contains("converted"));
        let b = m(MoneyColumn::AsPrinted, Num::Dec(0.1234), "0.1234万元");
        assert_eq!(b.fen, Some(123_400));
        assert_eq!(b.note, None);
        let c = m(MoneyColumn::AsPrinted, Num::Dec(1.5), "1.5亿元");
        assert_eq!(c.fen, Some(15_000 * FEN_PER_WAN));
        let d = m(
            MoneyColumn::AsPrinted,
            Num::Dec(1234.56),
            "１２３４．５６元",
        );
        assert_eq!(d.fen, Some(123_456));
    }

    #[test]
    fn no_unit_is_never_guessed() {
        let a = m(MoneyColumn::AsPrinted, Num::Int(1234), "1234");
        assert_eq!((a.fen, a.unit), (None, CellUnit::Unknown));
        assert!(a.note.is_some());
        let blank = money(MoneyColumn::AsPrinted, None, None);
        assert_eq!(blank.fen, None);
    }

    #[test]
    fn fees_are_already_wan() {
        let a = m(MoneyColumn::TenThousandYuan, Num::Dec(3.5), "3.5");
        assert_eq!((a.fen, a.note), (Some(3_500_000), None));
        // Printed in 元, converted by the parser: the printed digits give the same 分.
        let b = m(MoneyColumn::TenThousandYuan, Num::Dec(3.5), "35000元");
        assert_eq!(b.fen, Some(3_500_000));
        assert!(b.note.is_some());
        // 0.1 + 0.2 is not 0.3 in floats; in 分 it is.
        let x = m(MoneyColumn::TenThousandYuan, Num::Dec(0.1), "0.1").fen;
        let y = m(MoneyColumn::TenThousandYuan, Num::Dec(0.2), "0.2").fen;
        assert_eq!(x.zip(y).map(|(x, y)| x + y), Some(300_000));
    }

    #[test]
    fn below_a_fen_is_refused() {
        let a = m(MoneyColumn::AsPrinted, Num::Dec(0.001), "0.001元");
        assert_eq!(a.fen, None);
        assert!(a.note.expect("note").0.contains("分"));
    }
}
