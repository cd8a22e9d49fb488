//! One cell's text → a value: a number (integer or decimal, thousands separators, full-width
//! digits, sign, unit suffix), a null marker (blank, `-`, `—`, `/`, `无`), something numeric
//! that cannot be read, or `None` for a label. Never invents a 0.

use nianbao_model::report::Num;

/// A unit printed inside a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Yuan,
    TenThousandYuan,
    HundredMillionYuan,
    /// 万 after a count: ×10,000.
    TenThousand,
    /// 件, 个, 项, 条, 次, 人次: a count, no scaling.
    Count(&'static str),
}

impl Unit {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Unit::Yuan => "元",
            Unit::TenThousandYuan => "万元",
            Unit::HundredMillionYuan => "亿元",
            Unit::TenThousand => "万",
            Unit::Count(s) => s,
        }
    }

    fn is_money(self) -> bool {
        matches!(
            self,
            Unit::Yuan | Unit::TenThousandYuan | Unit::HundredMillionYuan
        )
    }

    /// Power of ten relative to 元 (money) or to 1 (counts).
    fn exponent(self) -> i32 {
        match self {
            Unit::Yuan | Unit::Count(_) => 0,
            Unit::TenThousandYuan | Unit::TenThousand => 4,
            Unit::HundredMillionYuan => 8,
        }
    }
}

/// Longest suffixes first.
const UNITS: [(&str, Unit); 10] = [
    ("亿元", Unit::HundredMillionYuan),
    ("万元", Unit::TenThousandYuan),
    ("人次", Unit::Count("人次")),
    ("元", Unit::Yuan),
    ("万", Unit::TenThousand),
    ("件", Unit::Count("件")),
    ("个", Unit::Count("个")),
    ("项", Unit::Count("项")),
    ("条", Unit::Count("条")),
    ("次", Unit::Count("次")),
];

/// A printed number kept as decimal digits, so unit conversion is exact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decimal {
    pub negative: bool,
    /// Digits without sign, separators or point.
    pub digits: String,
    /// How many of `digits` are after the decimal point.
    pub scale: usize,
}

impl Decimal {
    /// Multiply by 10^exp, exactly.
    pub(crate) fn shift(&self, exp: i32) -> Decimal {
        let mut d = self.clone();
        if exp >= 0 {
            let exp = exp as usize;
            if d.scale >= exp {
                d.scale -= exp;
            } else {
                d.digits.extend(std::iter::repeat_n('0', exp - d.scale));
                d.scale = 0;
            }
        } else {
            d.scale += exp.unsigned_abs() as usize;
        }
        d.normalized()
    }

    fn normalized(mut self) -> Decimal {
        while self.scale > 0 && self.digits.ends_with('0') {
            self.digits.pop();
            self.scale -= 1;
        }
        if self.digits.len() <= self.scale {
            let pad = self.scale + 1 - self.digits.len();
            self.digits.insert_str(0, &"0".repeat(pad));
        }
        let keep_from = self.digits.len() - self.scale - 1;
        let leading = self.digits[..keep_from]
            .chars()
            .take_while(|&c| c == '0')
            .count();
        self.digits.drain(..leading);
        self
    }

    /// The number as JSON will carry it: an integer when there is no fractional part.
    pub(crate) fn to_num(&self) -> Option<Num> {
        let d = self.clone().normalized();
        let sign = if d.negative { "-" } else { "" };
        if d.scale == 0 {
            return format!("{sign}{}", d.digits)
                .parse::<i64>()
                .ok()
                .map(Num::Int);
        }
        let (int, frac) = d.digits.split_at(d.digits.len() - d.scale);
        format!("{sign}{int}.{frac}")
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Num::Dec)
    }
}

/// What a cell holds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CellValue {
    /// Empty, or a null marker such as `-` or `无`.
    Null,
    Number {
        value: Decimal,
        unit: Option<Unit>,
    },
    /// Digits that do not form one number (two numbers run together, a percentage, …).
    Unreadable,
}

impl CellValue {
    pub(crate) fn is_null(&self) -> bool {
        matches!(self, CellValue::Null)
    }
}

const NULL_MARKERS: [&str; 8] = ["-", "--", "—", "——", "–", "/", "无", "\\"];

/// Classify a cell: `None` when it is a label (text), `Some` when it is a value slot.
pub(crate) fn classify(text: &str) -> Option<CellValue> {
    let spaced = crate::label::nfkc(text);
    let norm = crate::label::without_whitespace(&spaced);
    classify_normalized(&spaced, &norm)
}

/// [`classify`] of a cell already normalised: `spaced` is its NFKC form, `norm` the same
/// without white space ([`crate::label::compact`]). The tokenizer has both at hand.
pub(crate) fn classify_normalized(spaced: &str, norm: &str) -> Option<CellValue> {
    if digits_split_by_space(spaced.trim()) {
        // "27 50": two cells run together, or one number broken in two; never join them.
        return Some(CellValue::Unreadable);
    }
    if norm.is_empty() || NULL_MARKERS.contains(&norm) {
        return Some(CellValue::Null);
    }
    let (body, unit) = split_unit(norm);
    if let Some(value) = parse_decimal(body) {
        return Some(CellValue::Number { value, unit });
    }
    let has_digit = norm.chars().any(|c| c.is_ascii_digit());
    let has_han = norm.chars().any(is_han);
    if has_digit && !has_han {
        // A digit in the original text separated by spaces ("27 50") also lands here.
        return Some(CellValue::Unreadable);
    }
    None
}

/// Only digits, separators and signs, with a digit followed by white space and then a digit
/// (or more white space). The cheap whole-string test runs first: most cells are labels.
fn digits_split_by_space(s: &str) -> bool {
    let numeric =
        |c: char| c.is_ascii_digit() || c.is_whitespace() || matches!(c, ',' | '.' | '+' | '-');
    if !s.chars().all(numeric) {
        return false;
    }
    let next = s.chars().skip(1);
    let after_next = s.chars().skip(2);
    s.chars().zip(next).zip(after_next).any(|((a, b), c)| {
        a.is_ascii_digit() && b.is_whitespace() && (c.is_ascii_digit() || c.is_whitespace())
    })
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

fn split_unit(s: &str) -> (&str, Option<Unit>) {
    for (suffix, unit) in UNITS {
        if let Some(body) = s.strip_suffix(suffix) {
            if body.ends_with(|c: char| c.is_ascii_digit()) {
                return (body, Some(unit));
            }
        }
    }
    (s, None)
}

/// `+2`, `-1`, `1,200,631`, `34572.2`; thousands separators only in groups of three.
fn parse_decimal(s: &str) -> Option<Decimal> {
    let (negative, rest) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    if int.is_empty() || !int.chars().all(|c| c.is_ascii_digit() || c == ',') {
        return None;
    }
    if int.contains(',') {
        let groups: Vec<&str> = int.split(',').collect();
        let first_ok = (1..=3).contains(&groups[0].len());
        if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
            return None;
        }
    }
    let frac = match frac {
        Some(f) if f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()) => return None,
        Some(f) => f,
        None => "",
    };
    let digits: String = int
        .chars()
        .filter(|c| *c != ',')
        .chain(frac.chars())
        .collect();
    if digits.len() > 30 {
        return None;
    }
    Some(
        Decimal {
            negative,
            digits,
            scale: frac.len(),
        }
        .normalized(),
    )
}

/// The unit a column is reported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnUnit {
    /// A count: integers only; 件/个/… accepted, 万 scales.
    Count,
    /// A signed count (本年增/减).
    SignedCount,
    /// Money in 万元 (2021 收费金额).
    TenThousandYuan,
    /// Money with no unit in the header (2019 采购总金额): kept as printed, unit recorded.
    AsPrinted,
}

/// The outcome of fitting a cell into its column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Fitted {
    Value(Option<Num>),
    /// Converted or annotated: the value and a note for a finding.
    WithNote(Option<Num>, Note),
    /// Not a usable value for this column: null and the reason.
    Rejected(Note),
}

/// A note or reason for a finding, in English and Chinese (a predicate of the printed text:
/// `'27 50' is not a single number`, `「27 50」不是单个数字`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Note {
    pub en: String,
    pub zh: String,
}

fn note(en: impl Into<String>, zh: impl Into<String>) -> Note {
    Note {
        en: en.into(),
        zh: zh.into(),
    }
}

/// Fit a classified cell into a column of the given unit.
pub(crate) fn fit(cell: &CellValue, column: ColumnUnit) -> Fitted {
    let (value, unit) = match cell {
        CellValue::Null => return Fitted::Value(None),
        CellValue::Unreadable => {
            return Fitted::Rejected(note("not a single number", "不是单个数字"))
        }
        CellValue::Number { value, unit } => (value, *unit),
    };
    match column {
        ColumnUnit::Count | ColumnUnit::SignedCount => fit_count(value, unit),
        ColumnUnit::TenThousandYuan => match unit {
            None | Some(Unit::TenThousandYuan) => Fitted::Value(value.to_num()),
            Some(u) if u.is_money() => Fitted::WithNote(
                value.shift(u.exponent() - 4).to_num(),
                note(
                    format!("printed in {}, converted to 万元", u.label()),
                    format!("以{}印出，已换算为万元", u.label()),
                ),
            ),
            Some(u) => Fitted::Rejected(note(
                format!("unit {} in a 万元 column", u.label()),
                format!("在万元列中带有单位「{}」", u.label()),
            )),
        },
        ColumnUnit::AsPrinted => match unit {
            None => Fitted::Value(value.to_num()),
            Some(u) => Fitted::WithNote(
                value.to_num(),
                note(
                    format!("printed with unit {}, kept as printed", u.label()),
                    format!("印有单位「{}」，按所印保留", u.label()),
                ),
            ),
        },
    }
}

/// Negative counts are kept as printed; the validator reports them (T3-4).
fn fit_count(value: &Decimal, unit: Option<Unit>) -> Fitted {
    let (scaled, converted) = match unit {
        None => (value.clone(), None),
        Some(Unit::Count(_)) => (value.clone(), None),
        Some(Unit::TenThousand) => (
            value.shift(4),
            Some(note(
                "printed with 万, converted to a count",
                "印有“万”，已换算为件数",
            )),
        ),
        Some(u) => {
            return Fitted::Rejected(note(
                format!("unit {} in a count column", u.label()),
                format!("在件数列中带有单位「{}」", u.label()),
            ))
        }
    };
    match scaled.to_num() {
        Some(Num::Int(i)) => match converted {
            Some(n) => Fitted::WithNote(Some(Num::Int(i)), n),
            None => Fitted::Value(Some(Num::Int(i))),
        },
        Some(Num::Dec(_)) => {
            Fitted::Rejected(note("a fraction in a count column", "是件数列中的小数"))
        }
        None => Fitted::Rejected(note("number out of range", "超出数值范围")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(text: &str) -> Option<Num> {
        match classify(text) {
            Some(CellValue::Number { value, .. }) => value.to_num(),
            _ => None,
        }
    }

    #[test]
    fn numbers_as_printed() {
        assert_eq!(num("1200631"), Some(Num::Int(1200631)));
        assert_eq!(num("1,200,631"), Some(Num::Int(1200631)));
        assert_eq!(num("３４５"), Some(Num::Int(345)));
        assert_eq!(num("+2"), Some(Num::Int(2)));
        assert_eq!(num("-1"), Some(Num::Int(-1)));
        assert_eq!(num("34572.2"), Some(Num::Dec(34572.2)));
        assert_eq!(num(" 12 "), Some(Num::Int(12)));
        assert_eq!(num("0"), Some(Num::Int(0)));
    }

    #[test]
    fn null_markers_are_null_not_zero() {
        for t in ["", " ", "\u{a0}", "-", "—", "/", "无", "——", "－", "／"] {
            assert_eq!(classify(t), Some(CellValue::Null), "{t:?}");
        }
    }

    #[test]
    fn labels_and_unreadables() {
        assert_eq!(classify("规章"), None);
        assert_eq!(classify("1.属于国家秘密"), None);
        assert_eq!(classify("27 50"), Some(CellValue::Unreadable));
        assert_eq!(classify("33.9%"), Some(CellValue::Unreadable));
        assert_eq!(classify("1,20,0"), Some(CellValue::Unreadable));
    }

    #[test]
    fn units_convert_exactly() {
        let cell = classify("251000元").expect("a value");
        assert_eq!(
            fit(&cell, ColumnUnit::TenThousandYuan),
            Fitted::WithNote(
                Some(Num::Dec(25.1)),
                note("printed in 元, converted to 万元", "以元印出，已换算为万元")
            )
        );
        let cell = classify("3.5万元").expect("a value");
        assert_eq!(
            fit(&cell, ColumnUnit::TenThousandYuan),
            Fitted::Value(Some(Num::Dec(3.5)))
        );
        let cell = classify("1.2万").expect("a value");
        assert!(matches!(
            fit(&cell, ColumnUnit::Count),
            Fitted::WithNote(Some(Num::Int(12000)), _)
        ));
        let cell = classify("2.5").expect("a value");
        assert!(matches!(fit(&cell, ColumnUnit::Count), Fitted::Rejected(_)));
        let cell = classify("251000元").expect("a value");
        assert!(matches!(
            fit(&cell, ColumnUnit::AsPrinted),
            Fitted::WithNote(Some(Num::Int(251000)), _)
        ));
    }

    #[test]
    fn decimal_shift_is_exact() {
        let d = parse_decimal("0.05").expect("decimal");
        assert_eq!(d.shift(4).to_num(), Some(Num::Int(500)));
        assert_eq!(d.shift(-4).to_num(), Some(Num::Dec(0.000005)));
    }
}
