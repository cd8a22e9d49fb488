//! Spreadsheet bytes (`.xls`, `.xlsx`, WPS `.et` in either container, `.ods`) → [`Document`]:
//! calamine reads the workbook; each worksheet is one table whose rows become `Row`s of cells
//! located as `table N row R col C` (N the sheet's number, R and C its row and column, from 1).
//! A merged range keeps its value in its first slot only and its covered slots are omitted, as
//! the HTML reader does with spans. Formulas are not evaluated: the result the file caches is
//! read as printed, and a formula without one is blank. Hidden sheets are skipped (they keep
//! their number). Pure; bounded work on hostile input: calamine builds a dense grid per XLS and
//! ODS worksheet, so the span of their cells is measured first (the `biff` module, `ods_scan`).

mod biff;

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, DataRef, Dimensions, Ods, Reader, Xls, Xlsx};
use nianbao_model::document::{Cell, Document, Loc};

use crate::sniff::{sniff, Format};

/// Non-empty cells read over the whole workbook (a report has a few hundred).
const MAX_CELLS: usize = 200_000;
/// Slots (cells, blank ones included) emitted over the whole workbook.
const MAX_SLOTS: usize = 2_000_000;
/// Merged ranges honoured per sheet.
const MAX_MERGES: usize = 4_000;
/// Worksheets read.
const MAX_SHEETS: usize = 256;
/// Grid slots calamine may allocate for the worksheets of a BIFF workbook (32 bytes each).
const MAX_GRID_SLOTS: u64 = 4_000_000;

/// Why a workbook could not be read into a [`Document`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SheetError {
    /// The bytes are no XLS, XLSX or ODS workbook; holds what they were sniffed as.
    #[error("not a spreadsheet: the bytes look like a {0}")]
    NotSpreadsheet(Format),
    /// The workbook is password protected.
    #[error("the workbook is password protected")]
    Encrypted,
    /// calamine could not read the workbook; holds its message.
    #[error("the workbook could not be read: {0}")]
    Malformed(String),
    /// The workbook is larger than a report could be: more than 200,000 cells with
    /// text, 2,000,000 slots to emit, worksheets spanning more than 4,000,000 grid
    /// slots (XLS, ODS), or parts unpacking to more than 256 MiB (XLSX, ODS).
    #[error("the workbook is too large to be a report (its cells span too many rows and columns, or its parts unpack to over 256 MiB)")]
    TooLarge,
    /// No worksheet holds a non-empty cell.
    #[error("the workbook has no cells with text or numbers")]
    NoCells,
    /// The reader panicked (caught); a bug in nianbao or a dependency, not in the file.
    #[error("internal error while reading the workbook (a bug: please report the file)")]
    Internal,
}

/// One worksheet: its non-empty cells by absolute (row, column), and its merged ranges.
#[derive(Debug, Default)]
struct Sheet {
    cells: BTreeMap<(u32, u32), String>,
    merges: Vec<Dimensions>,
}

/// Reads a workbook: every worksheet in order, one `Row` per sheet row that holds text.
pub fn read_sheet(bytes: &[u8]) -> Result<Document, SheetError> {
    let format = sniff(bytes);
    if !matches!(format, Format::Xls | Format::Xlsx | Format::Ods) {
        return Err(SheetError::NotSpreadsheet(format));
    }
    std::panic::catch_unwind(|| read(bytes, format)).unwrap_or(Err(SheetError::Internal))
}

/// Total declared uncompressed size of a zip workbook's parts (calamine reads a part whole).
const MAX_UNZIPPED: u64 = 256 << 20;

/// A zip workbook whose parts declare more than [`MAX_UNZIPPED`] bytes: no report is that
/// large, and calamine would inflate them whole.
fn zip_too_large(bytes: &[u8]) -> bool {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return false;
    };
    let mut total = 0u64;
    for i in 0..zip.len() {
        if let Ok(f) = zip.by_index_raw(i) {
            total = total.saturating_add(f.size());
        }
    }
    total > MAX_UNZIPPED
}

fn read(bytes: &[u8], format: Format) -> Result<Document, SheetError> {
    if matches!(format, Format::Xlsx | Format::Ods) && zip_too_large(bytes) {
        return Err(SheetError::TooLarge);
    }
    // calamine builds a dense grid per BIFF worksheet from its first to its last cell.
    if format == Format::Xls && biff::grid_slots(bytes).is_some_and(|n| n > MAX_GRID_SLOTS) {
        return Err(SheetError::TooLarge);
    }
    let ods = (format == Format::Ods).then(|| ods_scan(bytes));
    if ods.as_ref().is_some_and(|o| o.slots > MAX_GRID_SLOTS) {
        return Err(SheetError::TooLarge);
    }
    let mut budget = MAX_CELLS;
    let (title, sheets) = match format {
        Format::Xls => {
            let mut book: Xls<_> =
                calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| match e {
                    calamine::XlsError::Password => SheetError::Encrypted,
                    other => SheetError::Malformed(other.to_string()),
                })?;
            let title = book.workbook_properties().ok().and_then(|p| p.title);
            let mut sheets = dense_sheets(&mut book, &mut budget)?;
            for (sheet, (name, shown)) in sheets.iter_mut().zip(sheet_list(&book)) {
                if shown {
                    sheet.merges = book.merge_cells_by_sheet_name(&name).unwrap_or_default();
                }
            }
            (title, sheets)
        }
        Format::Xlsx => {
            let mut book: Xlsx<_> =
                calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| match e {
                    calamine::XlsxError::Password => SheetError::Encrypted,
                    other => SheetError::Malformed(other.to_string()),
                })?;
            let title = book.workbook_properties().ok().and_then(|p| p.title);
            let mut sheets = Vec::new();
            for (name, shown) in sheet_list(&book) {
                if !shown {
                    // A hidden sheet is not part of what the report shows; it keeps its number.
                    sheets.push(Sheet::default());
                    continue;
                }
                // Cells are streamed: a sheet's dimensions never size an allocation.
                let mut sheet = Sheet::default();
                if let Ok(mut cells) = book.worksheet_cells_reader(&name) {
                    while let Ok(Some(cell)) = cells.next_cell() {
                        let text = text_of_ref(cell.get_value());
                        if !text.trim().is_empty() {
                            budget = budget.checked_sub(1).ok_or(SheetError::TooLarge)?;
                            sheet.cells.insert(cell.get_position(), text);
                        }
                    }
                }
                sheet.merges = book.merge_cells_by_sheet_name(&name).unwrap_or_default();
                sheets.push(sheet);
            }
            (title, sheets)
        }
        _ => {
            let mut book: Ods<_> =
                calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| match e {
                    calamine::OdsError::Password => SheetError::Encrypted,
                    other => SheetError::Malformed(other.to_string()),
                })?;
            let title = book.workbook_properties().ok().and_then(|p| p.title);
            let mut sheets = dense_sheets(&mut book, &mut budget)?;
            // calamine does not expose ODS merges; the content's spans give them.
            for (sheet, merges) in sheets.iter_mut().zip(ods.unwrap_or_default().merges) {
                sheet.merges = merges;
            }
            (title, sheets)
        }
    };
    let doc = document(title, &sheets)?;
    if doc.blocks.is_empty() {
        return Err(SheetError::NoCells);
    }
    Ok(doc)
}

/// Every sheet of a workbook read as a dense range (XLS, ODS), in order. A hidden sheet, or one
/// that cannot be read, is an empty sheet that keeps its number, so the others' locations hold.
fn dense_sheets<RS, R: Reader<RS>>(
    book: &mut R,
    budget: &mut usize,
) -> Result<Vec<Sheet>, SheetError>
where
    RS: std::io::Read + std::io::Seek,
{
    let mut sheets = Vec::new();
    for (name, shown) in sheet_list(book) {
        let range = if shown {
            book.worksheet_range(&name).ok()
        } else {
            None
        };
        sheets.push(match range {
            Some(range) => dense_sheet(&range, budget)?,
            None => Sheet::default(),
        });
    }
    Ok(sheets)
}

/// The workbook's sheets in order (at most [`MAX_SHEETS`]): name, and whether it is a visible
/// worksheet (not hidden, not a chart or macro sheet).
fn sheet_list<RS, R: Reader<RS>>(book: &R) -> Vec<(String, bool)>
where
    RS: std::io::Read + std::io::Seek,
{
    book.sheets_metadata()
        .iter()
        .take(MAX_SHEETS)
        .map(|m| {
            let shown = m.visible == calamine::SheetVisible::Visible
                && m.typ == calamine::SheetType::WorkSheet;
            (m.name.clone(), shown)
        })
        .collect()
}

/// The non-empty cells of a range calamine built, at their absolute positions.
fn dense_sheet(range: &calamine::Range<Data>, budget: &mut usize) -> Result<Sheet, SheetError> {
    let mut sheet = Sheet::default();
    let Some((r0, c0)) = range.start() else {
        return Ok(sheet);
    };
    for (r, c, value) in range.used_cells() {
        let text = text_of(value);
        if text.trim().is_empty() {
            continue;
        }
        *budget = budget.checked_sub(1).ok_or(SheetError::TooLarge)?;
        let (Ok(r), Ok(c)) = (u32::try_from(r), u32::try_from(c)) else {
            continue;
        };
        sheet
            .cells
            .insert((r0.saturating_add(r), c0.saturating_add(c)), text);
    }
    Ok(sheet)
}

/// A cell's text as the sheet shows it without number formats: a string as is, a number in
/// its shortest exact decimal form (`12`, `34572.2`). A date or time is marked as such so that
/// it is never read as a count; an error value (`#DIV/0!`) is kept as printed.
fn text_of(value: &Data) -> String {
    match value {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => number(*f),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) => format!("日期 {d}"),
        Data::DateTimeIso(s) | Data::DurationIso(s) => format!("日期 {s}"),
        Data::Error(e) => e.to_string(),
    }
}

fn text_of_ref(value: &DataRef<'_>) -> String {
    match value {
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::String(s) => s.clone(),
        DataRef::Empty => String::new(),
        other => text_of(&Data::from(other.clone())),
    }
}

/// A float as Excel shows it under the General format for report figures: integers without a
/// fraction, other values in the shortest decimal that reads back to the same float.
fn number(f: f64) -> String {
    if f == 0.0 {
        "0".to_string()
    } else if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        format!("{f}")
    }
}

/// The sheets as rows of cells, each merged range present in its first slot only.
///
/// A worksheet often holds the whole report: the title, headings and prose (one cell per row)
/// between tables of different widths. As in HTML, where each table has its own width, a row
/// runs to the last column used by its table: the rows between two one-cell rows in the first
/// column or blank rows. A one-cell row is a line of text and keeps its one cell.
fn document(title: Option<String>, sheets: &[Sheet]) -> Result<Document, SheetError> {
    let mut doc = Document {
        title: title.filter(|t| !t.trim().is_empty()),
        blocks: Vec::new(),
    };
    let mut slots = MAX_SLOTS;
    for (n, sheet) in (1u32..).zip(sheets) {
        let Some(c0) = sheet.cells.keys().map(|k| k.1).min() else {
            continue;
        };
        let merges: Vec<&Dimensions> = sheet
            .merges
            .iter()
            .filter(|m| m.start.0 <= m.end.0 && m.start.1 <= m.end.1)
            .take(MAX_MERGES)
            .collect();
        // Per row: its non-empty columns, in order.
        let mut rows: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for &(r, c) in sheet.cells.keys() {
            rows.entry(r).or_default().push(c);
        }
        let line = |r: u32, cols: &[u32]| {
            cols == [c0]
                && !merges
                    .iter()
                    .any(|m| m.start.0 <= r && r <= m.end.0 && m.start.0 != m.end.0)
        };
        // The last column of each row's table: the widest row between two lines.
        let mut width: BTreeMap<u32, u32> = BTreeMap::new();
        let mut group: Vec<u32> = Vec::new();
        let mut last = c0;
        let close = |group: &mut Vec<u32>, last: u32, width: &mut BTreeMap<u32, u32>| {
            for r in group.drain(..) {
                width.insert(r, last);
            }
        };
        let mut previous: Option<u32> = None;
        for (&r, cols) in &rows {
            // A blank sheet row ends a table too.
            if previous.is_some_and(|p| r > p.saturating_add(1)) {
                close(&mut group, last, &mut width);
                last = c0;
            }
            previous = Some(r);
            if line(r, cols) {
                close(&mut group, last, &mut width);
                last = c0;
                width.insert(r, c0);
            } else {
                group.push(r);
                last = last.max(cols.last().copied().unwrap_or(c0));
            }
        }
        close(&mut group, last, &mut width);
        for &r in rows.keys() {
            let c1 = width.get(&r).copied().unwrap_or(c0);
            let active: Vec<&&Dimensions> = merges
                .iter()
                .filter(|m| m.start.0 <= r && r <= m.end.0)
                .collect();
            let covered = |c: u32| {
                active
                    .iter()
                    .any(|m| m.start.1 <= c && c <= m.end.1 && (r, c) != m.start)
            };
            let mut cells = Vec::new();
            for c in c0..=c1 {
                if covered(c) {
                    continue;
                }
                slots = slots.checked_sub(1).ok_or(SheetError::TooLarge)?;
                cells.push(Cell {
                    text: sheet.cells.get(&(r, c)).cloned().unwrap_or_default(),
                    loc: Loc::Table {
                        table: n,
                        row: r.saturating_add(1),
                        col: c.saturating_add(1),
                    },
                });
            }
            doc.push_row(cells);
        }
    }
    crate::rows::tidy_rows(&mut doc.blocks);
    Ok(doc)
}

/// The merged ranges of each table of an ODS file, from `table:number-columns-spanned` and
/// `table:number-rows-spanned` in `content.xml` (cell positions count repeated cells and
/// rows), and the grid its valued cells span. Best effort: an unreadable content gives none.
fn ods_scan(bytes: &[u8]) -> OdsScan {
    use quick_xml::events::Event;
    use std::io::Read;
    let mut scan = OdsScan::default();
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return scan;
    };
    let mut xml = String::new();
    {
        let Ok(file) = zip.by_name("content.xml") else {
            return scan;
        };
        if file.take(64 << 20).read_to_string(&mut xml).is_err() {
            return scan;
        }
    }
    let mut reader = quick_xml::Reader::from_str(&xml);
    let out = &mut scan.merges;
    let slots = &mut scan.slots;
    let mut extent: Option<(u32, u32, u32, u32)> = None;
    let close = |extent: &mut Option<(u32, u32, u32, u32)>, slots: &mut u64| {
        if let Some((r0, r1, c0, c1)) = extent.take() {
            let area = (u64::from(r1 - r0) + 1) * (u64::from(c1 - c0) + 1);
            *slots = slots.saturating_add(area);
        }
    };
    let (mut row, mut col, mut repeat) = (0u32, 0u32, 1u32);
    let attr = |e: &quick_xml::events::BytesStart<'_>, name: &str| -> Option<u32> {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .and_then(|a| a.value.trim().parse().ok())
    };
    loop {
        let (e, empty) = match reader.read_event() {
            Ok(Event::Start(e)) => (e, false),
            Ok(Event::Empty(e)) => (e, true),
            Ok(Event::End(e)) => {
                if e.name().as_ref() == "table:table-row" {
                    row = row.saturating_add(repeat);
                    repeat = 1;
                }
                continue;
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => continue,
        };
        match e.name().as_ref() {
            "table:table" => {
                close(&mut extent, slots);
                out.push(Vec::new());
                row = 0;
            }
            "table:table-row" => {
                col = 0;
                let n = attr(&e, "table:number-rows-repeated").unwrap_or(1);
                if empty {
                    row = row.saturating_add(n);
                } else {
                    // Counted at the row's end tag, after its cells.
                    repeat = n;
                }
            }
            "table:table-cell" | "table:covered-table-cell" => {
                let cs = attr(&e, "table:number-columns-spanned").unwrap_or(1);
                let rs = attr(&e, "table:number-rows-spanned").unwrap_or(1);
                if (cs > 1 || rs > 1) && e.name().as_ref() == "table:table-cell" {
                    if let Some(list) = out.last_mut() {
                        if list.len() < MAX_MERGES {
                            list.push(Dimensions {
                                start: (row, col),
                                end: (row.saturating_add(rs - 1), col.saturating_add(cs - 1)),
                            });
                        }
                    }
                }
                let n = attr(&e, "table:number-columns-repeated")
                    .unwrap_or(1)
                    .max(1);
                let valued = e
                    .attributes()
                    .flatten()
                    .any(|a| a.key.as_ref() == "office:value-type");
                if valued {
                    let (r1, c1) = (
                        row.saturating_add(repeat.max(1) - 1),
                        col.saturating_add(n - 1),
                    );
                    let x = extent.get_or_insert((row, r1, col, c1));
                    *x = (x.0.min(row), x.1.max(r1), x.2.min(col), x.3.max(c1));
                }
                col = col.saturating_add(n);
            }
            _ => {}
        }
    }
    close(&mut extent, slots);
    scan
}

/// What [`ods_scan`] finds in an ODS file's `content.xml`.
#[derive(Debug, Default)]
struct OdsScan {
    /// The merged ranges of each table.
    merges: Vec<Vec<Dimensions>>,
    /// Slots of the grids calamine builds: for each table, the area its valued cells span.
    slots: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_the_sheet_shows_them() {
        assert_eq!(number(12.0), "12");
        assert_eq!(number(34572.2), "34572.2");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(1200631.0), "1200631");
        assert_eq!(text_of(&Data::Empty), "");
    }

    #[test]
    fn merged_value_is_kept_in_its_first_slot_only() {
        let mut sheet = Sheet::default();
        for (pos, t) in [
            ((0, 0), "三、本年度办理结果"),
            ((0, 1), "（一）予以公开"),
            ((0, 2), "4"),
            ((1, 1), "（二）部分公开"),
            ((1, 2), "0"),
        ] {
            sheet.cells.insert(pos, t.to_string());
        }
        sheet.merges.push(Dimensions {
            start: (0, 0),
            end: (1, 0),
        });
        let doc = document(None, &[sheet]).expect("doc");
        let rows: Vec<Vec<(String, Loc)>> = doc
            .blocks
            .iter()
            .map(|b| match b {
                nianbao_model::document::Block::Row { cells } => {
                    cells.iter().map(|c| (c.text.clone(), c.loc)).collect()
                }
                nianbao_model::document::Block::Line { .. } => Vec::new(),
            })
            .collect();
        assert_eq!(rows[0].len(), 3);
        assert_eq!(
            rows[1].len(),
            2,
            "the merged label's covered slot is omitted"
        );
        assert_eq!(
            rows[1][0].1,
            Loc::Table {
                table: 1,
                row: 2,
                col: 2
            }
        );
    }

    #[test]
    fn biff_extent_counts_the_span_of_each_sheet() {
        let xls = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/parse/sheet-xls-2019.xls"
        ))
        .expect("fixture");
        let slots = biff::grid_slots(&xls).expect("a workbook stream");
        assert!((100..100_000).contains(&slots), "{slots}");
        assert_eq!(biff::grid_slots(b"\xD0\xCF\x11\xE0 short"), None);
    }

    #[test]
    fn each_table_runs_to_its_own_last_column() {
        let mut sheet = Sheet::default();
        // A narrow table, a blank row, then a wider one; then a heading and a narrow row.
        for (pos, t) in [
            ((0, 0), "（七）总计"),
            ((0, 1), "7"),
            ((2, 0), "行政复议"),
            ((2, 3), "总计"),
            ((3, 0), "1"),
            ((3, 3), "2"),
            ((4, 0), "五、存在的主要问题及改进情况"),
            ((5, 0), "规章"),
            ((5, 1), "3"),
        ] {
            sheet.cells.insert(pos, t.to_string());
        }
        let doc = document(None, &[sheet]).expect("doc");
        let widths: Vec<usize> = doc
            .blocks
            .iter()
            .map(|b| match b {
                nianbao_model::document::Block::Row { cells } => cells.len(),
                nianbao_model::document::Block::Line { .. } => 0,
            })
            .collect();
        // The header row's empty label-part cells are tidied away, as for every reader.
        assert_eq!(widths, [2, 2, 4, 1, 2]);
    }

    #[test]
    fn non_spreadsheets_are_named() {
        assert!(matches!(
            read_sheet(b"%PDF-1.4"),
            Err(SheetError::NotSpreadsheet(Format::Pdf))
        ));
        assert!(read_sheet(b"PK\x03\x04 xl/workbook.xml").is_err());
    }
}
