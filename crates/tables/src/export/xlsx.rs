//! Sheets (rows produced while they are written) → one XLSX workbook ready for a memo: bold
//! header row with an autofilter, panes frozen below the header and right of the label columns
//! (city, body), column widths fitted to what a reader sees (CJK and full-width characters
//! count double, the header included; long text capped and wrapped), numbers stored as numbers
//! with the format of their kind ([`Shown`]: `#,##0`, `0.0%`, 个百分点 …), text that looks like
//! a formula stored with Excel's quote prefix (shown as text, never evaluated). The document
//! date is fixed so an unchanged archive gives an identical workbook.

use std::cell::Cell;
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::Once;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use unicode_width::UnicodeWidthStr;

use super::shown::Shown;

/// A cell of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum XCell {
    /// Nothing written: a null value.
    Empty,
    /// Text; text that looks like a formula gets Excel's quote prefix and is never evaluated.
    Text(String),
    /// A number in Excel's General format.
    Number(f64),
    /// A number with the format of its kind (a rate as a percentage, a count with thousands
    /// separators, a change in 个百分点 …).
    Shown(f64, Shown),
}

/// One sheet: name, header labels, rows (produced while the sheet is written, so a sheet of
/// a million findings never sits in memory as cells).
pub struct Sheet<'a> {
    /// The sheet's tab name, e.g. `对比2023`, `趋势`, `问题`.
    pub name: String,
    /// The column labels, written bold in the frozen first row.
    pub header: Vec<String>,
    /// How many leading columns label a row (city, body …): they stay visible when the sheet
    /// scrolls right (the panes are frozen at the first value column).
    pub label_columns: u16,
    /// The data rows, one cell per header label; rows beyond Excel's limit are not written but
    /// counted in a last row.
    pub rows: Box<dyn Iterator<Item = Vec<XCell>> + 'a>,
}

/// Excel's last row (1,048,576 rows, the header included).
const MAX_ROWS: u32 = 1_048_576;

/// The widest a column gets, in character widths: longer text wraps inside the cell.
pub const MAX_COLUMN_WIDTH: f64 = 50.0;
/// The narrowest column, so that an empty column can still be found and widened.
const MIN_COLUMN_WIDTH: f64 = 6.0;
/// Room around a cell's text (Excel's cell padding), in character widths.
const PADDING: f64 = 2.0;
/// Room for the autofilter's drop-down button in the header.
const FILTER_BUTTON: f64 = 2.5;
/// Bold text is wider than regular text.
const BOLD: f64 = 1.1;

fn looks_like_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// The width of text in character widths of the default font: CJK and full-width characters
/// count two (unicode-width), others one; the widest line of a multi-line text.
fn text_width(s: &str) -> f64 {
    s.lines().map(UnicodeWidthStr::width).max().unwrap_or(0) as f64
}

/// The width a cell needs: the text a reader sees, with padding.
fn cell_width(cell: &XCell) -> f64 {
    let w = match cell {
        XCell::Empty => return 0.0,
        XCell::Text(s) => text_width(s),
        // General shows at most 11 characters (it rounds to fit).
        XCell::Number(v) => text_width(&format!("{v}")).min(11.0),
        XCell::Shown(v, shown) => text_width(&shown.display(*v)),
    };
    w + PADDING
}

/// The formats of one workbook, made once.
struct Formats {
    header: Format,
    text: Format,
    quoted: Format,
    numbers: HashMap<Shown, Format>,
}

impl Formats {
    fn new() -> Formats {
        // Text wraps inside its cell rather than being cut: a column capped at
        // MAX_COLUMN_WIDTH shows long text whole, on several lines.
        let text = Format::new()
            .set_text_wrap()
            .set_align(rust_xlsxwriter::FormatAlign::Top);
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(rust_xlsxwriter::FormatAlign::Top),
            quoted: text.clone().set_quote_prefix(),
            text,
            numbers: HashMap::new(),
        }
    }

    fn number(&mut self, shown: Shown) -> &Format {
        self.numbers.entry(shown).or_insert_with(|| {
            let f = Format::new().set_align(rust_xlsxwriter::FormatAlign::Top);
            match shown.excel_format() {
                Some(code) => f.set_num_format(code),
                None => f,
            }
        })
    }
}

fn write_row(ws: &mut Worksheet, r: u32, row: &[XCell], f: &mut Formats) -> Result<(), XlsxError> {
    for (c, cell) in row.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(u16::MAX);
        match cell {
            XCell::Empty => {}
            XCell::Text(s) if looks_like_formula(s) => {
                ws.write_string_with_format(r, c, s, &f.quoted)?;
            }
            XCell::Text(s) => {
                ws.write_string_with_format(r, c, s, &f.text)?;
            }
            XCell::Number(v) => {
                ws.write_number(r, c, *v)?;
            }
            XCell::Shown(v, shown) => {
                let value = shown.excel_value(*v);
                ws.write_number_with_format(r, c, value, f.number(*shown))?;
            }
        }
    }
    Ok(())
}

/// The widest cell of each column so far, in character widths.
struct Widths(Vec<f64>);

impl Widths {
    fn of_header(header: &[String]) -> Widths {
        Widths(
            header
                .iter()
                .map(|h| text_width(h) * BOLD + PADDING + FILTER_BUTTON)
                .collect(),
        )
    }

    fn add_row(&mut self, row: &[XCell]) {
        for (w, cell) in self.0.iter_mut().zip(row) {
            *w = w.max(cell_width(cell));
        }
    }

    /// Set each column's width: its widest cell, between the minimum and the cap.
    fn apply(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        for (c, w) in self.0.iter().enumerate() {
            let width = w.clamp(MIN_COLUMN_WIDTH, MAX_COLUMN_WIDTH).ceil();
            ws.set_column_width(u16::try_from(c).unwrap_or(u16::MAX), width)?;
        }
        Ok(())
    }
}

/// Write a sheet row by row (in order, as constant-memory worksheets require); the column
/// widths, the autofilter and the frozen panes are set afterwards (they are written when the
/// workbook is saved, so the widths can come from every row). Rows beyond Excel's limit are not
/// written; the last row then says how many are left out and that the CSV and Parquet files
/// hold them all.
fn write_sheet(
    ws: &mut Worksheet,
    sheet: Sheet,
    max_rows: u32,
    f: &mut Formats,
) -> Result<(), XlsxError> {
    ws.set_name(&sheet.name)?;
    for (c, h) in sheet.header.iter().enumerate() {
        let col = u16::try_from(c).unwrap_or(u16::MAX);
        ws.write_string_with_format(0, col, h, &f.header)?;
    }
    let mut widths = Widths::of_header(&sheet.header);
    let mut rows = sheet.rows;
    let mut last_row = 0;
    for r in 1.. {
        let Some(row) = rows.next() else { break };
        if r == max_rows - 1 {
            let left_out = 1 + rows.count();
            let note = format!(
                "…… 另有 {left_out} 行未列出(超出 Excel 行数上限),完整数据见同名 CSV 与 Parquet 文件 / {left_out} more rows in the CSV and Parquet files"
            );
            // Unformatted: the note runs on over the empty cells to its right.
            ws.write_string(r, 0, note)?;
            break;
        }
        widths.add_row(&row);
        write_row(ws, r, &row, f)?;
        last_row = r;
    }
    widths.apply(ws)?;
    if let Some(last_col) = sheet.header.len().checked_sub(1) {
        let last_col = u16::try_from(last_col).unwrap_or(u16::MAX);
        ws.autofilter(0, 0, last_row, last_col)?;
    }
    ws.set_freeze_panes(1, sheet.label_columns)?;
    Ok(())
}

/// Write the workbook to `path` (its worksheets spill to temporary files next to it, so the
/// largest sheet costs disk, not memory). rust_xlsxwriter panics when writing those temporary
/// files fails (a full disk); that panic is caught here and returned as an I/O error, so no
/// panic leaves this function.
pub fn write_workbook(path: &Path, sheets: Vec<Sheet>) -> Result<(), XlsxError> {
    guarded(|| write_workbook_limited(path, sheets, MAX_ROWS))
}

thread_local! {
    /// Set while [`guarded`] runs on this thread: the panic hook stays quiet.
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, turning a panic inside it into [`XlsxError::IoError`]. The process's panic hook is
/// wrapped once so that a panic caught here prints nothing (the error says what happened);
/// every other panic is reported as before.
fn guarded<T>(f: impl FnOnce() -> Result<T, XlsxError>) -> Result<T, XlsxError> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(Cell::get) {
                previous(info);
            }
        }));
    });
    GUARDED.with(|g| g.set(true));
    let result = std::panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(false));
    result.unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown failure".into());
        Err(XlsxError::IoError(std::io::Error::other(format!(
            "the workbook writer failed ({what}); is the disk full?"
        ))))
    })
}

fn write_workbook_limited(path: &Path, sheets: Vec<Sheet>, max_rows: u32) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    if let Some(dir) = path.parent() {
        wb.set_tempdir(dir)?;
    }
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1)?;
    let props = DocProperties::new()
        .set_creation_datetime(&fixed)
        .set_title("nianbao comparison tables");
    wb.set_properties(&props);
    let mut formats = Formats::new();
    for sheet in sheets {
        write_sheet(
            wb.add_worksheet_with_constant_memory()?,
            sheet,
            max_rows,
            &mut formats,
        )?;
    }
    wb.save(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Reader, Xlsx};

    #[test]
    fn rows_beyond_the_limit_are_counted_in_a_last_row() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.xlsx");
        let sheet = Sheet {
            name: "问题".into(),
            header: vec!["n".into(), "text".into()],
            label_columns: 1,
            rows: Box::new(
                (0..10).map(|i| vec![XCell::Number(f64::from(i)), XCell::Text("=1+1".into())]),
            ),
        };
        write_workbook_limited(&path, vec![sheet], 6).expect("write");
        let mut book: Xlsx<_> = calamine::open_workbook(&path).expect("open");
        let range = book.worksheet_range("问题").expect("sheet");
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(rows.len(), 6, "header, 4 rows, the note");
        assert_eq!(rows[1], ["0", "=1+1"], "formula-like text stays text");
        assert!(rows[5][0].contains("另有 6 行未列出"), "{:?}", rows[5]);
    }

    #[test]
    fn a_panic_inside_the_writer_is_an_error() {
        let err = guarded::<()>(|| panic!("Couldn't write to xml file")).expect_err("caught");
        let msg = err.to_string();
        assert!(msg.contains("Couldn't write to xml file"), "{msg}");
        assert!(guarded(|| Ok(3)).is_ok_and(|v| v == 3));
    }
}
