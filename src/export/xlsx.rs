//! Comparison (a sheet per year), trends and findings → one XLSX workbook: frozen header row,
//! Chinese column labels, percentages formatted as such, numbers stored as numbers, text that
//! looks like a formula stored with Excel's quote prefix (shown as text, never evaluated).
//! The document date is fixed so an unchanged archive gives an identical workbook.

use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

/// A cell of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum XCell {
    Empty,
    Text(String),
    Number(f64),
    /// A fraction shown as a percentage.
    Percent(f64),
}

/// One sheet: name, header labels, rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<XCell>>,
}

fn looks_like_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

fn write_sheet(ws: &mut Worksheet, sheet: &Sheet) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    let quoted = Format::new().set_quote_prefix();
    ws.set_name(&sheet.name)?;
    for (c, h) in sheet.header.iter().enumerate() {
        let col = u16::try_from(c).unwrap_or(u16::MAX);
        ws.write_string_with_format(0, col, h, &bold)?;
        ws.set_column_width(col, 14)?;
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, cell) in row.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            match cell {
                XCell::Empty => {}
                XCell::Text(s) if looks_like_formula(s) => {
                    ws.write_string_with_format(r, c, s, &quoted)?;
                }
                XCell::Text(s) => {
                    ws.write_string(r, c, s)?;
                }
                XCell::Number(v) => {
                    ws.write_number(r, c, *v)?;
                }
                XCell::Percent(v) => {
                    ws.write_number_with_format(r, c, *v, &percent)?;
                }
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Write the workbook to `path`.
pub fn write_workbook(path: &Path, sheets: &[Sheet]) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1)?;
    let props = DocProperties::new()
        .set_creation_datetime(&fixed)
        .set_title("nianbao comparison tables");
    wb.set_properties(&props);
    for sheet in sheets {
        write_sheet(wb.add_worksheet(), sheet)?;
    }
    wb.save(path)
}
