//! Comparison (a sheet per year), trends and findings → one XLSX workbook: frozen header row,
//! Chinese column labels, percentages formatted as such, numbers stored as numbers, text that
//! looks like a formula stored with Excel's quote prefix (shown as text, never evaluated).
//! The document date is fixed so an unchanged archive gives an identical workbook.

use std::cell::Cell;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::Once;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

/// A cell of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum XCell {
    /// Nothing written: a null value.
    Empty,
    /// Text; text that looks like a formula gets Excel's quote prefix and is never evaluated.
    Text(String),
    /// A number, stored as a number.
    Number(f64),
    /// A fraction shown as a percentage.
    Percent(f64),
}

/// One sheet: name, header labels, rows (produced while the sheet is written, so a sheet of
/// a million findings never sits in memory as cells).
pub struct Sheet<'a> {
    /// The sheet's tab name, e.g. `对比2023`, `趋势`, `问题`.
    pub name: String,
    /// The column labels, written bold in the frozen first row.
    pub header: Vec<String>,
    /// The data rows, one cell per header label; rows beyond Excel's limit are not written but
    /// counted in a last row.
    pub rows: Box<dyn Iterator<Item = Vec<XCell>> + 'a>,
}

/// Excel's last row (1,048,576 rows, the header included).
const MAX_ROWS: u32 = 1_048_576;

fn looks_like_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

fn write_row(ws: &mut Worksheet, r: u32, row: &[XCell], f: &Formats) -> Result<(), XlsxError> {
    for (c, cell) in row.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(u16::MAX);
        match cell {
            XCell::Empty => {}
            XCell::Text(s) if looks_like_formula(s) => {
                ws.write_string_with_format(r, c, s, &f.quoted)?;
            }
            XCell::Text(s) => {
                ws.write_string(r, c, s)?;
            }
            XCell::Number(v) => {
                ws.write_number(r, c, *v)?;
            }
            XCell::Percent(v) => {
                ws.write_number_with_format(r, c, *v, &f.percent)?;
            }
        }
    }
    Ok(())
}

struct Formats {
    bold: Format,
    percent: Format,
    quoted: Format,
}

/// Write a sheet row by row (in order, as constant-memory worksheets require). Rows beyond
/// Excel's limit are not written; the last row then says how many are left out and that the
/// CSV and Parquet files hold them all.
fn write_sheet(ws: &mut Worksheet, sheet: Sheet, max_rows: u32) -> Result<(), XlsxError> {
    let f = Formats {
        bold: Format::new().set_bold(),
        percent: Format::new().set_num_format("0.0%"),
        quoted: Format::new().set_quote_prefix(),
    };
    ws.set_name(&sheet.name)?;
    for c in 0..sheet.header.len() {
        ws.set_column_width(u16::try_from(c).unwrap_or(u16::MAX), 14)?;
    }
    ws.set_freeze_panes(1, 0)?;
    for (c, h) in sheet.header.iter().enumerate() {
        let col = u16::try_from(c).unwrap_or(u16::MAX);
        ws.write_string_with_format(0, col, h, &f.bold)?;
    }
    let mut rows = sheet.rows;
    for r in 1.. {
        let Some(row) = rows.next() else { break };
        if r == max_rows - 1 {
            let left_out = 1 + rows.count();
            let note = format!(
                "…… 另有 {left_out} 行未列出(超出 Excel 行数上限),完整数据见同名 CSV 与 Parquet 文件 / {left_out} more rows in the CSV and Parquet files"
            );
            ws.write_string(r, 0, note)?;
            break;
        }
        write_row(ws, r, &row, &f)?;
    }
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
    for sheet in sheets {
        write_sheet(wb.add_worksheet_with_constant_memory()?, sheet, max_rows)?;
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
