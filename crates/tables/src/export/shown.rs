//! How a number is shown to a reader: a column's [`Shown`] (decided from the metric's declared
//! unit, never from a column name the metric does not own) → its number format in the workbook,
//! its rounding in the CSV files, and the text a reader sees (for fitting column widths).
//!
//! The stored value never changes: the workbook keeps the full value behind its format, and
//! the Parquet files keep full precision; only CSV values of rates and per-100,000 figures are
//! rounded (see [`Shown::csv_decimals`]), because a spreadsheet shows a CSV number as written.

/// What kind of number a column holds, which decides how it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shown {
    /// A year or an identifier-like number: digits only (`2023`).
    Year,
    /// A whole number: thousands separators (`12,345`); counts and population.
    Count,
    /// A fraction shown as a percentage with one decimal (`46.1%`).
    Rate,
    /// A value per 100,000 residents: two decimals with thousands separators (`21.99`).
    Per100k,
    /// A rank: digits only.
    Rank,
    /// A metric of unit `number`: two to four decimals (`1.25`, `0.3333`).
    Number,
    /// An amount in 万元: two to six decimals (six are whole 分).
    Money,
    /// A change of a rate in percentage points, the value ×100 (`+1.9 个百分点`).
    PointChange,
    /// A year-on-year change of a count as a fraction (`+12.5%`, 同比).
    YearOnYear,
}

impl Shown {
    /// The Excel number format of the column; `None` for Excel's General.
    pub fn excel_format(self) -> Option<&'static str> {
        Some(match self {
            Shown::Year | Shown::Rank => return None,
            Shown::Count => "#,##0",
            Shown::Rate => "0.0%",
            Shown::Per100k => "#,##0.00",
            Shown::Number => "#,##0.00##",
            Shown::Money => "#,##0.00####",
            // The value written is the change ×100 (see `excel_value`), so "0.0" reads points.
            Shown::PointChange => "+0.0\" 个百分点\";-0.0\" 个百分点\";0.0\" 个百分点\"",
            Shown::YearOnYear => "+0.0%;-0.0%;0.0%",
        })
    }

    /// The number stored in the workbook for `v`: the value itself, except a change in
    /// percentage points, stored as points (0.019 → 1.9) so that its format can say 个百分点.
    pub fn excel_value(self, v: f64) -> f64 {
        match self {
            Shown::PointChange => v * 100.0,
            _ => v,
        }
    }

    /// How many decimals a CSV value keeps: rates (fractions) 4, i.e. a percentage with two
    /// decimals (0.4612 = 46.12 %); per-100,000 values 2; every other number is written in
    /// full (counts are whole; amounts in 万元 are exact to the 分). `None`: in full.
    pub fn csv_decimals(self) -> Option<u8> {
        match self {
            Shown::Rate | Shown::PointChange => Some(4),
            Shown::Per100k => Some(2),
            _ => None,
        }
    }

    /// The text a spreadsheet shows for `v` under [`Shown::excel_format`] (used to fit the
    /// column's width; it matches the format up to rounding of the last digit).
    pub fn display(self, v: f64) -> String {
        match self {
            Shown::Year | Shown::Rank => format_general(v),
            Shown::Count => group_thousands(&format!("{v:.0}")),
            Shown::Rate => format!("{:.1}%", v * 100.0),
            Shown::Per100k => group_thousands(&format!("{v:.2}")),
            Shown::Number => group_thousands(&format!("{v:.4}")),
            Shown::Money => group_thousands(&format!("{v:.6}")),
            Shown::PointChange => format!("{:+.1} 个百分点", v * 100.0),
            Shown::YearOnYear => format!("{:+.1}%", v * 100.0),
        }
    }
}

/// Excel's General format, roughly: the shortest text of the number.
fn format_general(v: f64) -> String {
    format!("{v}")
}

/// `1234567.25` → `1,234,567.25` (the integer part grouped by three).
fn group_thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// `v` rounded to `decimals` decimals as CSV text, trailing zeros dropped (`0.4612`,
/// `21.5`, `3`); the rounding is of the binary value, half to even at an exact tie.
pub fn rounded_text(v: f64, decimals: u8) -> String {
    let s = format!("{v:.*}", usize::from(decimals));
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    // -0.00001 rounds to "-0": a spreadsheet should read 0.
    if s == "-0" {
        "0".to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displayed_texts() {
        assert_eq!(Shown::Count.display(1234567.0), "1,234,567");
        assert_eq!(Shown::Count.display(-1234.0), "-1,234");
        assert_eq!(Shown::Rate.display(0.46117523609653727), "46.1%");
        assert_eq!(Shown::Per100k.display(21.998301452), "22.00");
        assert_eq!(Shown::PointChange.display(0.0193), "+1.9 个百分点");
        assert_eq!(Shown::PointChange.display(-0.0193), "-1.9 个百分点");
        assert_eq!(Shown::YearOnYear.display(0.125), "+12.5%");
        assert!((Shown::PointChange.excel_value(0.0193) - 1.93).abs() < 1e-12);
    }

    #[test]
    fn csv_rounding() {
        assert_eq!(rounded_text(0.46117523609653727, 4), "0.4612");
        assert_eq!(rounded_text(21.998301452, 2), "22");
        assert_eq!(rounded_text(21.5, 2), "21.5");
        assert_eq!(rounded_text(0.25, 4), "0.25");
        assert_eq!(rounded_text(-0.00001, 4), "0");
        assert_eq!(rounded_text(-0.0193, 4), "-0.0193");
        assert_eq!(Shown::Rate.csv_decimals(), Some(4));
        assert_eq!(Shown::Per100k.csv_decimals(), Some(2));
        assert_eq!(Shown::Money.csv_decimals(), None);
    }
}
