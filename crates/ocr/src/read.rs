//! The reading: a scanned document's bytes (or its page images) → a [`Report`] whose tables
//! hold only values that are proven — page images → deskew → grids → the template's tables
//! (label cells checked) → each value cell's top-k readings → [`prove`] per table 三 and 四
//! → values, or the table null with an `O-REFUSED` finding naming the suspect cells. Table 二
//! has no identities: a value needs a top reading of at least [`ReadOptions::table2_min_p`],
//! else that cell is null with an `O-UNPROVEN` finding; where the narrative before the first
//! table states the cell's figure ([`crate::narrative`]), the top reading must also equal it,
//! else the cell is null with an `O-NARRATIVE` finding naming both figures and the sentence.
//! Money (table 二's 万元 amount) is read with digits and one decimal point
//! ([`Recognizer::amount`]) under the same rule, or only where the narrative confirms it
//! ([`MoneyRule`]). Every value read carries its OCR provenance ([`OcrMark`]: page, box,
//! confidence, corrected or not, confirmed by the narrative or not) in `report.sources`.

use image::GrayImage;
use nianbao_model::document::Loc;
use nianbao_model::narrative::Stated;
use nianbao_model::proof::{
    prove, table3_identities, table3_of, table4_identities, table4_of, ProofOptions, Reading,
    Verdict,
};
use nianbao_model::report::{Finding, Num, OcrMark, Report, Severity, Source, Table2, Val};
use nianbao_model::rules::{cell_zh, cells_summary_zh};
use nianbao_model::template::{t3, table2_items, Template, T3_COLUMNS, T3_ROWS};
use nianbao_model::validate;

use crate::grid::{deskew_and_find_grids, Deskewed};
use crate::layout::{map_tables, LayoutError, TableOnPage};
use crate::narrative::narrative_statements;
use crate::{AmountReading, LocatedCell, OcrError, PixelBox, Recognizer, TableKind};

/// The thresholds of the reading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReadOptions {
    /// Readings kept per value cell.
    pub k: usize,
    /// The proof's thresholds for tables 三 and 四.
    pub proof: ProofOptions,
    /// The least probability of a table 二 value's top reading (nothing can prove it).
    pub table2_min_p: f32,
    /// When table 二's money amount may be taken.
    pub money: MoneyRule,
}

/// When table 二's money amount (万元, with decimals) is taken from its reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyRule {
    /// As a count is: a confident top reading, equal to the narrative's figure where the
    /// narrative states one.
    Confident,
    /// Only when the narrative states it and the confident top reading equals it.
    NarrativeOnly,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        let proof = ProofOptions::default();
        ReadOptions {
            k: 4,
            proof,
            // Table 二 has no identity to catch a misread: the bar of a value no identity
            // covers in the proof.
            table2_min_p: proof.min_unproven,
            // The benchmark's money amounts read by confidence alone gave no false accept
            // (BENCHMARKS.md, "OCR"): the narrative is not required.
            money: MoneyRule::Confident,
        }
    }
}

/// Read a scanned PDF or OFD: its page images, then [`read_pages`].
pub fn read_document(
    bytes: &[u8],
    reader: &dyn Recognizer,
    opts: &ReadOptions,
) -> Result<Report, OcrError> {
    let pages = crate::page::page_images(bytes)?;
    read_pages(&pages, reader, opts)
}

/// Read page images (in page order): deskew, find the grids, map them onto the template,
/// read and prove. A label that does not match (`O-LABEL`) or no table found (`O-GRID`) is a
/// report without tables and with that finding; only a failing recogniser is an error.
pub fn read_pages(
    pages: &[GrayImage],
    reader: &dyn Recognizer,
    opts: &ReadOptions,
) -> Result<Report, OcrError> {
    let (deskewed, grids) = deskew_and_find_grids(pages);
    match map_tables(&deskewed, &grids, reader) {
        Ok(mapped) if mapped.tables.is_empty() => Ok(stopped(
            "O-GRID",
            Severity::Warning,
            format!(
                "the scan was not read: no table of the template among its {} ruled table(s)",
                grids.len()
            ),
            format!("扫描件未读取：{} 个表格中没有模板的表格", grids.len()),
        )),
        Ok(mapped) => {
            let tables = mapped.tables;
            // The narrative is read only for table 二, the one table no identity proves.
            let narrative = match tables.iter().find(|t| t.kind == TableKind::Table2) {
                Some(t2) => narrative_statements(&deskewed, &grids, t2.template, reader)?,
                None => Vec::new(),
            };
            let mut report = read_tables(&deskewed, &tables, &narrative, reader, opts)?;
            if let Some(e) = mapped.table2_unread {
                report.push(table2_unread(&e));
            }
            Ok(report)
        }
        Err(LayoutError::Recognizer(e)) => Err(e),
        Err(e @ LayoutError::LabelMismatch { .. }) => Ok(stopped(
            "O-LABEL",
            Severity::Error,
            format!("the scan was not read: {e}"),
            format!("扫描件未读取：表格标签与模板不符（{e}）"),
        )),
        Err(e) => Ok(stopped(
            "O-GRID",
            Severity::Warning,
            format!("the scan was not read: {e}"),
            "扫描件未读取：未找到模板表格的表格线".to_string(),
        )),
    }
}

/// Why table 二 is null while the other tables were read: its grid did not fit.
fn table2_unread(e: &LayoutError) -> Finding {
    Finding::new(
        "O-GRID",
        Severity::Warning,
        format!("table 二 was not read (tables 三 and 四 were): {e}"),
        format!("表二未读取（表三、表四已读取）：其表格线与模板不符（{e}）"),
    )
}

/// A report without tables whose one finding says why the scan was not read.
fn stopped(rule: &str, severity: Severity, message: String, message_zh: String) -> Report {
    let mut report = Report::default();
    report.push(Finding::new(rule, severity, message, message_zh));
    report
}

/// Read and prove the located tables of deskewed `pages`; `narrative` is what the report's
/// narrative states of table 二 (checked against its readings).
pub fn read_tables(
    pages: &[Deskewed],
    tables: &[TableOnPage],
    narrative: &[Stated],
    reader: &dyn Recognizer,
    opts: &ReadOptions,
) -> Result<Report, OcrError> {
    let mut report = Report {
        template: tables
            .iter()
            .find(|t| t.kind == TableKind::Table3)
            .or(tables.first())
            .map(|t| t.template),
        ..Report::default()
    };
    for table in tables {
        if table.kind == TableKind::Table2 {
            let readings = read_table2_cells(pages, table, reader, opts.k)?;
            accept_table2(&mut report, table, &readings, narrative, opts);
            continue;
        }
        let readings = read_cells(pages, &table.cells, table_len(table), reader, opts.k)?;
        accept_proven(&mut report, table, &readings, opts);
    }
    report.push(Finding::new(
        "O-READ",
        Severity::Info,
        "read by OCR from page images: every value is proven by the template's identities or \
         read with high confidence; the others are null with a finding",
        "扫描件经 OCR 读取：每个数值或经勾稽关系验证，或识别置信度足够高；其余留空并列出",
    ));
    validate::check(&mut report);
    Ok(report)
}

/// The number of cells of a table's reading vector.
fn table_len(table: &TableOnPage) -> usize {
    match table.kind {
        TableKind::Table2 => table2_items(table.template)
            .iter()
            .map(|i| i.measures.len())
            .sum(),
        TableKind::Table3 => T3_ROWS.len() * T3_COLUMNS.len(),
        TableKind::Table4 => 15,
    }
}

/// Each cell's readings, by index; a cell the layout did not locate has none (blank).
fn read_cells(
    pages: &[Deskewed],
    cells: &[LocatedCell],
    len: usize,
    reader: &dyn Recognizer,
    k: usize,
) -> Result<Vec<Vec<Reading>>, OcrError> {
    let mut readings = unprinted(len);
    for cell in cells {
        let Some(slot) = readings.get_mut(cell.index) else {
            return Err(OcrError::Other(format!(
                "the layout gave cell {} of a table of {len} cells",
                cell.index
            )));
        };
        *slot = reader.digits(&crop(pages, cell.bbox)?, k)?;
    }
    Ok(readings)
}

/// `len` cells read as surely blank: a cell the layout does not locate is not printed in
/// this version of the template (2021's （六） row, the sum of its items), nothing to read.
fn unprinted(len: usize) -> Vec<Vec<Reading>> {
    vec![
        vec![Reading {
            value: None,
            p: 1.0
        }];
        len
    ]
}

/// Table 二's readings by index: a money cell's amounts, the other cells' counts.
fn read_table2_cells(
    pages: &[Deskewed],
    table: &TableOnPage,
    reader: &dyn Recognizer,
    k: usize,
) -> Result<Vec<Vec<AmountReading>>, OcrError> {
    let items = table2_items(table.template);
    let mut readings: Vec<Vec<AmountReading>> = unprinted(table_len(table))
        .into_iter()
        .map(|r| r.into_iter().map(Into::into).collect())
        .collect();
    for cell in &table.cells {
        let crop = crop(pages, cell.bbox)?;
        let read = if is_money(items, cell.index) {
            reader.amount(&crop, k)?
        } else {
            reader
                .digits(&crop, k)?
                .into_iter()
                .map(Into::into)
                .collect()
        };
        let Some(slot) = readings.get_mut(cell.index) else {
            return Err(OcrError::Other(format!(
                "the layout gave cell {} of a table 二 of {} cells",
                cell.index,
                readings.len()
            )));
        };
        *slot = read;
    }
    Ok(readings)
}

/// The pixels of `bbox` on its page.
fn crop(pages: &[Deskewed], bbox: PixelBox) -> Result<GrayImage, OcrError> {
    let page = bbox
        .page
        .checked_sub(1)
        .and_then(|i| pages.get(i))
        .ok_or_else(|| {
            OcrError::Other(format!("a cell on page {}, which is not there", bbox.page))
        })?;
    let (w, h) = page.image.dimensions();
    if bbox.x.saturating_add(bbox.w) > w || bbox.y.saturating_add(bbox.h) > h {
        return Err(OcrError::Other(format!(
            "a cell box {bbox:?} outside page {} ({w} × {h})",
            bbox.page
        )));
    }
    Ok(image::imageops::crop_imm(&page.image, bbox.x, bbox.y, bbox.w, bbox.h).to_image())
}

/// Table 三 or 四 through the proof: accepted values with their provenance, or the table null
/// with `O-REFUSED`.
fn accept_proven(
    report: &mut Report,
    table: &TableOnPage,
    readings: &[Vec<Reading>],
    opts: &ReadOptions,
) {
    let identities = match table.kind {
        TableKind::Table3 => table3_identities(table.template),
        _ => table4_identities(),
    };
    let paths = cell_paths(table.kind, table.template);
    match prove(readings, &identities, opts.proof) {
        Verdict::Accepted { values, changed } => {
            for cell in &table.cells {
                let Some(v) = values.get(cell.index).copied() else {
                    continue;
                };
                let p = readings[cell.index]
                    .iter()
                    .find(|r| r.value == v)
                    .map_or(0.0, |r| r.p);
                let corrected = changed.contains(&cell.index);
                let printed = printed_of(readings[cell.index].first().and_then(|r| r.value));
                let how = Taken {
                    confidence: p,
                    corrected,
                    narrative: false,
                };
                mark(report, &paths, (table.template, cell), printed, how);
            }
            if !changed.is_empty() {
                let cells: Vec<String> = changed.iter().map(|&i| paths[i].clone()).collect();
                report.push(
                    Finding::new(
                        "O-CORRECTED",
                        Severity::Info,
                        format!(
                            "{} OCR reading(s) broke the identities; the unique candidate that \
                             balances was taken: {}",
                            cells.len(),
                            cells.join(", ")
                        ),
                        format!(
                            "OCR 首选读数不满足勾稽关系，按唯一能平衡的候选读数更正：{}",
                            cells_summary_zh(&cells)
                        ),
                    )
                    .with_cells(cells),
                );
            }
            match table.kind {
                TableKind::Table3 => {
                    let mut t = table3_of(&values);
                    if table.template == Template::V2021 {
                        derive_other_handling(&mut t);
                    }
                    report.table3 = Some(t);
                }
                _ => report.table4 = Some(table4_of(&values)),
            }
        }
        Verdict::Refused { suspects, reason } => {
            let cells: Vec<String> = suspects
                .iter()
                .filter_map(|&i| paths.get(i).cloned())
                .collect();
            let name = table_zh(table.kind);
            report.push(
                Finding::new(
                    "O-REFUSED",
                    Severity::Warning,
                    format!(
                        "table {name} left null: the OCR readings are not proven ({reason}); \
                         suspect cells: {}",
                        cells.join(", ")
                    ),
                    format!(
                        "{name}留空：OCR 读数无法由勾稽关系唯一验证；可疑单元格：{}",
                        cells_summary_zh(&cells)
                    ),
                )
                .with_cells(cells),
            );
        }
    }
}

/// Table 二: each value needs a confident top reading, equal to the narrative's figure where
/// the narrative states the cell. An unsure cell is null with `O-UNPROVEN` (one finding for
/// all of them), a cell the narrative contradicts null with `O-NARRATIVE` (one finding each).
fn accept_table2(
    report: &mut Report,
    table: &TableOnPage,
    readings: &[Vec<AmountReading>],
    narrative: &[Stated],
    opts: &ReadOptions,
) {
    let paths = cell_paths(TableKind::Table2, table.template);
    let items = table2_items(table.template);
    let mut t2 = Table2::empty(table.template);
    let mut unsure = Vec::new();
    for cell in &table.cells {
        let path = &paths[cell.index];
        let stated = narrative.iter().find(|s| s.path == *path);
        let money = is_money(items, cell.index);
        match judge_table2(&readings[cell.index], stated, money, opts) {
            Judged::Take { value, p } => {
                if let Some((item, measure)) = t2_position(items, cell.index) {
                    t2.values[item][measure] = value;
                }
                let printed = printed_of(value);
                let how = Taken {
                    confidence: p,
                    corrected: false,
                    narrative: stated.is_some(),
                };
                mark(report, &paths, (table.template, cell), printed, how);
            }
            Judged::Unsure => unsure.push(path.clone()),
            Judged::Contradicted { read, stated } => {
                report.push(contradiction(path, read, stated));
            }
        }
    }
    if !unsure.is_empty() {
        report.push(
            Finding::new(
                "O-UNPROVEN",
                Severity::Warning,
                format!(
                    "{} value(s) of table 二 left null: no identity checks them and OCR read \
                     them with a probability under {} (or, for money, the narrative does not \
                     confirm it where that is required): {}",
                    unsure.len(),
                    opts.table2_min_p,
                    unsure.join(", ")
                ),
                format!(
                    "表二 {} 格留空：无勾稽关系可验证，OCR 置信度低于 {}（或金额未经正文印证）：{}",
                    unsure.len(),
                    opts.table2_min_p,
                    cells_summary_zh(&unsure)
                ),
            )
            .with_cells(unsure),
        );
    }
    report.table2 = Some(t2);
}

/// What becomes of one table 二 cell.
#[derive(Debug, PartialEq)]
enum Judged<'a> {
    /// The value is taken, read with probability `p`.
    Take { value: Option<Num>, p: f32 },
    /// Null: read with too little confidence (or money the narrative does not confirm).
    Unsure,
    /// Null: the narrative states another figure than the top reading.
    Contradicted {
        read: Option<Num>,
        stated: &'a Stated,
    },
}

/// The rule of a table 二 cell: the narrative, where it states the cell, must equal a
/// confident top reading; where it is silent, confidence alone decides (money only under
/// [`MoneyRule::Confident`]).
fn judge_table2<'a>(
    readings: &[AmountReading],
    stated: Option<&'a Stated>,
    money: bool,
    opts: &ReadOptions,
) -> Judged<'a> {
    // No reading at all (a mark that is no value): unsure.
    let Some(top) = readings.first().copied() else {
        return Judged::Unsure;
    };
    if let Some(stated) = stated {
        if top.value != Some(stated.value) {
            return Judged::Contradicted {
                read: top.value,
                stated,
            };
        }
    } else if money && opts.money == MoneyRule::NarrativeOnly {
        return Judged::Unsure;
    }
    if top.p < opts.table2_min_p {
        return Judged::Unsure;
    }
    Judged::Take {
        value: top.value,
        p: top.p,
    }
}

/// `O-NARRATIVE`: the cell at `path` read `read`, the narrative states `stated`.
fn contradiction(path: &str, read: Option<Num>, stated: &Stated) -> Finding {
    let read_text = read.map_or_else(|| "blank".to_string(), |v| v.to_string());
    let read_zh = read.map_or_else(|| "空白".to_string(), |v| v.to_string());
    Finding::new(
        "O-NARRATIVE",
        Severity::Warning,
        format!(
            "{path} left null: OCR read {read_text} but the narrative states {} (\"{}\")",
            stated.value, stated.sentence
        ),
        format!(
            "{}留空：OCR 读数为 {read_zh}，而正文所述为 {}（“{}”）",
            cell_zh(path),
            stated.value,
            stated.sentence
        ),
    )
    .with_cells(vec![path.to_string()])
}

/// Table 二's cell `index` holds money, printed with decimals: a `…_yuan` measure (2021's
/// 收费金额, 万元), or 2019's 采购总金额 (no unit printed).
fn is_money(items: &[nianbao_model::template::T2Item], index: usize) -> bool {
    t2_position(items, index).is_some_and(|(i, m)| {
        let measure = items[i].measures[m].0;
        measure.ends_with("_yuan") || (items[i].key == "procurement" && measure == "amount")
    })
}

/// `(item, measure)` of table 二's reading index.
fn t2_position(items: &[nianbao_model::template::T2Item], index: usize) -> Option<(usize, usize)> {
    let mut at = 0;
    for (i, item) in items.iter().enumerate() {
        if index < at + item.measures.len() {
            return Some((i, index - at));
        }
        at += item.measures.len();
    }
    None
}

/// How a value was taken: its reading's probability, whether the identities corrected the
/// most probable reading, whether the narrative confirmed it.
#[derive(Debug, Clone, Copy)]
struct Taken {
    confidence: f32,
    corrected: bool,
    narrative: bool,
}

/// What a most probable reading prints: its digits, or nothing for blank.
fn printed_of<V: ToString>(top: Option<V>) -> String {
    top.map_or(String::new(), |v| v.to_string())
}

/// Record where and how a value was read: `printed` is the most probable reading.
fn mark(
    report: &mut Report,
    paths: &[String],
    (template, cell): (Template, &LocatedCell),
    printed: String,
    how: Taken,
) {
    let Some(path) = paths.get(cell.index) else {
        return;
    };
    let (row, col) = row_col(cell.table, template, cell.index);
    let b = cell.bbox;
    report.sources.insert(
        path.clone(),
        Source {
            // The template's row and column on that page (1-based): the box is in `ocr`.
            loc: Loc::Page {
                page: b.page as u32,
                row: row as u32 + 1,
                col: col as u32 + 1,
            },
            printed,
            ocr: Some(OcrMark {
                page: b.page as u32,
                bbox: [b.x, b.y, b.w, b.h],
                confidence: how.confidence,
                corrected: how.corrected,
                narrative: how.narrative,
            }),
        },
    );
}

/// The template row and column of a reading index, from 0 (table 二: item and measure).
fn row_col(kind: TableKind, template: Template, index: usize) -> (usize, usize) {
    match kind {
        TableKind::Table3 => (index / 7, index % 7),
        TableKind::Table4 => (index / 5, index % 5),
        TableKind::Table2 => t2_position(table2_items(template), index).unwrap_or((index, 0)),
    }
}

/// Schema paths of a table's cells by reading index (the order of
/// [`Report::for_each_cell`], which is the proof's and the layout's order).
fn cell_paths(kind: TableKind, template: Template) -> Vec<String> {
    let mut full = Report::default();
    match kind {
        TableKind::Table2 => full.table2 = Some(Table2::empty(template)),
        TableKind::Table3 => full.table3 = Some([[None; 7]; 26]),
        TableKind::Table4 => full.table4 = Some([[None; 5]; 3]),
    }
    let mut paths = Vec::new();
    full.for_each_cell(|cell, _| paths.push(cell.path()));
    paths
}

/// A 2021 table 三's `other_handling` is the sum of the three （六） items, null as soon as one
/// is (as the parser derives it).
fn derive_other_handling(t: &mut [[Val; 7]; 26]) {
    let sums: [Val; 7] = std::array::from_fn(|c| {
        t3::OTHER_ITEMS
            .iter()
            .try_fold(0i64, |acc, &r| {
                t[r][c].and_then(|n| n.as_int()).map(|v| acc + v)
            })
            .map(Num::Int)
    });
    t[t3::OTHER_HANDLING] = sums;
}

fn table_zh(kind: TableKind) -> &'static str {
    match kind {
        TableKind::Table2 => "二",
        TableKind::Table3 => "三",
        TableKind::Table4 => "四",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use nianbao_model::proof::example::consistent;
    use nianbao_model::proof::t3_index;

    /// A recogniser that knows each cell by the index painted into its crop's first two pixels.
    struct Mock {
        readings: HashMap<usize, Vec<Reading>>,
        amounts: HashMap<usize, Vec<AmountReading>>,
    }

    impl Recognizer for Mock {
        fn text(&self, _crop: &GrayImage) -> Result<String, OcrError> {
            Ok(String::new())
        }
        fn digits(&self, crop: &GrayImage, k: usize) -> Result<Vec<Reading>, OcrError> {
            let index =
                crop.get_pixel(0, 0).0[0] as usize + 256 * crop.get_pixel(1, 0).0[0] as usize;
            let mut r = self.readings.get(&index).cloned().unwrap_or_default();
            r.truncate(k);
            Ok(r)
        }
        /// Amounts: the cell's own amount readings when given, else its counts.
        fn amount(&self, crop: &GrayImage, k: usize) -> Result<Vec<AmountReading>, OcrError> {
            let index =
                crop.get_pixel(0, 0).0[0] as usize + 256 * crop.get_pixel(1, 0).0[0] as usize;
            if let Some(a) = self.amounts.get(&index) {
                return Ok(a.iter().take(k).copied().collect());
            }
            Ok(self.digits(crop, k)?.into_iter().map(Into::into).collect())
        }
    }

    const CELL: u32 = 10;

    /// One page with `n` cells of 10 × 10 pixels, 7 to a row, each crop carrying its index.
    fn page_and_cells(
        kind: TableKind,
        n: usize,
        skip: &[usize],
    ) -> (Vec<Deskewed>, Vec<LocatedCell>) {
        let mut image =
            GrayImage::from_pixel(7 * CELL, (n as u32).div_ceil(7) * CELL, image::Luma([255]));
        let mut cells = Vec::new();
        for index in (0..n).filter(|i| !skip.contains(i)) {
            let (x, y) = ((index % 7) as u32 * CELL, (index / 7) as u32 * CELL);
            image.put_pixel(x, y, image::Luma([(index % 256) as u8]));
            image.put_pixel(x + 1, y, image::Luma([(index / 256) as u8]));
            cells.push(LocatedCell {
                table: kind,
                index,
                bbox: PixelBox {
                    page: 1,
                    x,
                    y,
                    w: CELL,
                    h: CELL,
                },
            });
        }
        (
            vec![Deskewed {
                image,
                skew_degrees: 0.0,
            }],
            cells,
        )
    }

    fn sure(values: &[Option<i64>]) -> HashMap<usize, Vec<Reading>> {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| (i, vec![Reading { value: v, p: 0.99 }]))
            .collect()
    }

    fn misread(
        readings: &mut HashMap<usize, Vec<Reading>>,
        cell: usize,
        top: Option<i64>,
        alt: Option<i64>,
    ) {
        readings.insert(
            cell,
            vec![
                Reading { value: top, p: 0.6 },
                Reading { value: alt, p: 0.4 },
            ],
        );
    }

    /// One table of `n` cells (`skip` not printed) read through the mock.
    fn read_one(
        kind: TableKind,
        template: Template,
        n: usize,
        skip: &[usize],
        readings: HashMap<usize, Vec<Reading>>,
    ) -> Report {
        let mock = Mock {
            readings,
            amounts: HashMap::new(),
        };
        read_with(
            kind,
            template,
            (n, skip),
            &mock,
            &[],
            &ReadOptions::default(),
        )
    }

    /// One table of `n` cells (`skip` not printed) read through `mock`, beside a narrative
    /// that states `narrative`.
    fn read_with(
        kind: TableKind,
        template: Template,
        (n, skip): (usize, &[usize]),
        mock: &Mock,
        narrative: &[Stated],
        opts: &ReadOptions,
    ) -> Report {
        let (pages, cells) = page_and_cells(kind, n, skip);
        let table = TableOnPage {
            kind,
            template,
            cells,
        };
        read_tables(&pages, &[table], narrative, mock, opts).expect("read")
    }

    /// Table 三 (2021; its （六） row is not printed) read through the mock.
    fn read3(readings: HashMap<usize, Vec<Reading>>) -> Report {
        read_one(
            TableKind::Table3,
            Template::V2021,
            26 * 7,
            &other_handling_row(),
            readings,
        )
    }

    fn other_handling_row() -> Vec<usize> {
        (0..7).map(|c| t3_index(t3::OTHER_HANDLING, c)).collect()
    }

    fn t3_values(report: &Report) -> Vec<Option<i64>> {
        let t = report.table3.expect("table 三 accepted");
        let mut v: Vec<Option<i64>> = t
            .iter()
            .flatten()
            .map(|n| n.and_then(Num::as_int))
            .collect();
        for i in other_handling_row() {
            v[i] = None; // derived, compared apart
        }
        v
    }

    fn rules(report: &Report) -> Vec<&str> {
        report.findings.iter().map(|f| f.rule.as_str()).collect()
    }

    #[test]
    fn blank_pages_are_no_reading() {
        let pages = vec![GrayImage::from_pixel(200, 300, image::Luma([255]))];
        let mock = Mock {
            readings: HashMap::new(),
            amounts: HashMap::new(),
        };
        let report = read_pages(&pages, &mock, &ReadOptions::default()).expect("read");
        assert_eq!(rules(&report), ["O-GRID"]);
        assert!(report.table3.is_none() && report.table2.is_none() && report.table4.is_none());
    }

    #[test]
    fn a_consistent_table_is_accepted_with_ocr_provenance_on_every_value() {
        let truth = consistent();
        let report = read3(sure(&truth));
        assert_eq!(t3_values(&report), truth);
        let t = report.table3.expect("table");
        assert_eq!(
            t[t3::OTHER_HANDLING][0],
            Some(Num::Int(0)),
            "2021: the sum of the items"
        );
        let src = &report.sources["table3.new_received.natural_person"];
        assert_eq!(src.printed, "10");
        let mark = src.ocr.expect("ocr provenance");
        assert_eq!(
            (mark.page, mark.bbox, mark.corrected),
            (1, [0, 0, 10, 10], false)
        );
        assert!((mark.confidence - 0.99).abs() < 1e-6);
        assert!(rules(&report).contains(&"O-READ"), "{:?}", rules(&report));
        assert!(!rules(&report).contains(&"O-REFUSED"));
        let json = report.to_json();
        assert_eq!(
            json["ocr"]["table3.new_received.natural_person"]["box"],
            serde_json::json!([0, 0, 10, 10])
        );
        assert_eq!(json["table3"]["new_received"]["natural_person"], 10);
    }

    #[test]
    fn one_misread_cell_is_corrected_and_said_so() {
        let truth = consistent();
        let mut r = sure(&truth);
        let cell = t3_index(t3::NEW_RECEIVED, 0);
        misread(&mut r, cell, Some(1), Some(10)); // "10 read as 1"
        let report = read3(r);
        assert_eq!(t3_values(&report), truth);
        let src = &report.sources["table3.new_received.natural_person"];
        assert_eq!(src.printed, "1", "printed keeps the most probable reading");
        let mark = src.ocr.expect("ocr");
        assert!(
            mark.corrected && (mark.confidence - 0.4).abs() < 1e-6,
            "{mark:?}"
        );
        let f = report
            .findings
            .iter()
            .find(|f| f.rule == "O-CORRECTED")
            .expect("O-CORRECTED");
        assert_eq!(
            f.cells,
            vec!["table3.new_received.natural_person".to_string()]
        );
    }

    #[test]
    fn two_misread_cells_are_corrected_when_one_pair_of_candidates_balances() {
        let truth = consistent();
        let mut r = sure(&truth);
        misread(&mut r, t3_index(t3::GRANTED, 0), Some(6), Some(5));
        misread(&mut r, t3_index(t3::CARRIED_OVER, 6), Some(7), Some(2));
        let report = read3(r);
        assert_eq!(t3_values(&report), truth);
        let f = report
            .findings
            .iter()
            .find(|f| f.rule == "O-CORRECTED")
            .expect("O-CORRECTED");
        assert_eq!(f.cells.len(), 2);
    }

    #[test]
    fn two_misreads_without_the_right_candidate_refuse_the_table_naming_suspects() {
        let truth = consistent();
        let mut r = sure(&truth);
        misread(&mut r, t3_index(t3::GRANTED, 0), Some(6), Some(8));
        misread(&mut r, t3_index(t3::GRANTED, 1), Some(4), Some(9));
        let report = read3(r);
        assert_eq!(
            report.table3, None,
            "never a wrong number: the table is null"
        );
        let f = report
            .findings
            .iter()
            .find(|f| f.rule == "O-REFUSED")
            .expect("O-REFUSED");
        assert!(
            f.cells
                .contains(&"table3.granted.natural_person".to_string()),
            "{:?}",
            f.cells
        );
        assert!(f.message_zh.contains("表三"), "{}", f.message_zh);
        assert!(report.sources.is_empty(), "no value, no provenance");
    }

    #[test]
    fn the_smallest_fix_wins_over_a_larger_one() {
        let truth = consistent();
        let mut r = sure(&truth);
        // One cell misread (3 for 2), and two totals that offer a fix of two changes (the row
        // total 2 → 3 and the column total 10 → 11): one change beats two.
        misread(
            &mut r,
            t3_index(t3::UNAVAILABLE_NOT_HELD, 0),
            Some(3),
            Some(2),
        );
        misread(&mut r, t3_index(t3::TOTAL_PROCESSED, 0), Some(10), Some(11));
        misread(
            &mut r,
            t3_index(t3::UNAVAILABLE_NOT_HELD, 6),
            Some(2),
            Some(3),
        );
        let report = read3(r);
        assert_eq!(t3_values(&report), truth);
    }

    #[test]
    fn a_tie_between_two_fixes_is_refused() {
        // Table 四's group total reads 5 over four outcomes of 1, and two outcomes each offer
        // 2: T4-1 is one equation, so either change balances it. Two minimal fixes: refused.
        let mut r = HashMap::new();
        for i in 0..15 {
            let v = if i % 5 == 4 { 4 } else { 1 };
            r.insert(
                i,
                vec![Reading {
                    value: Some(v),
                    p: 0.99,
                }],
            );
        }
        r.insert(
            4,
            vec![Reading {
                value: Some(5),
                p: 0.99,
            }],
        ); // 1+1+1+1 = 4, read 5
        misread(&mut r, 0, Some(1), Some(2));
        misread(&mut r, 1, Some(1), Some(2));
        let report = read_one(TableKind::Table4, Template::V2021, 15, &[], r);
        assert_eq!(report.table4, None);
        let f = report
            .findings
            .iter()
            .find(|f| f.rule == "O-REFUSED")
            .expect("O-REFUSED");
        assert!(f.message.contains("ambiguous"), "{}", f.message);
        assert_eq!(f.cells.len(), 5, "the group's five cells: {:?}", f.cells);
        assert!(
            f.cells.iter().all(|c| c.starts_with("table4.review.")),
            "{:?}",
            f.cells
        );
    }

    #[test]
    fn a_blank_cell_stays_null_never_zero() {
        let mut truth = consistent();
        // A blank read as blank: the identities over it are not checkable (never a 0 that
        // would make them hold or break).
        truth[t3_index(t3::CARRIED_FORWARD, 5)] = None;
        let mut r = sure(&truth);
        r.insert(
            t3_index(t3::CARRIED_FORWARD, 5),
            vec![Reading {
                value: None,
                p: 0.999,
            }],
        );
        let report = read3(r);
        let t = report
            .table3
            .expect("accepted: the blank is read with confidence");
        assert_eq!(t[t3::CARRIED_FORWARD][5], None, "blank is null, never 0");
    }

    #[test]
    fn an_unsure_table2_value_is_null_with_a_finding() {
        let template = Template::V2021;
        let n: usize = table2_items(template)
            .iter()
            .map(|i| i.measures.len())
            .sum();
        let mut r: HashMap<usize, Vec<Reading>> = (0..n)
            .map(|i| {
                (
                    i,
                    vec![Reading {
                        value: Some(i as i64),
                        p: 0.995,
                    }],
                )
            })
            .collect();
        r.insert(
            1,
            vec![
                Reading {
                    value: Some(7),
                    p: 0.7,
                },
                Reading {
                    value: Some(1),
                    p: 0.3,
                },
            ],
        );
        let report = read_one(TableKind::Table2, template, n, &[], r);
        let t2 = report.table2.expect("table 二");
        let flat: Vec<Val> = t2.values.iter().flatten().copied().collect();
        assert_eq!(flat[0], Some(Num::Int(0)));
        assert_eq!(flat[1], None, "unsure: null, not 7");
        assert_eq!(flat[2], Some(Num::Int(2)));
        let f = report
            .findings
            .iter()
            .find(|f| f.rule == "O-UNPROVEN")
            .expect("O-UNPROVEN");
        assert_eq!(f.cells, ["table2.regulations.repealed"], "the unsure count");
        assert_eq!(
            t2.get("fees", "amount_10k_yuan"),
            Some(Num::Int(9)),
            "a money cell read as an amount, confidently"
        );
    }

    /// 2021's table 二 (10 cells; 9 is the money amount) with every count read surely as its
    /// index, and the money cell's amount readings `money`.
    fn t2_mock(money: Vec<AmountReading>) -> Mock {
        let readings = (0..MONEY)
            .map(|i| {
                (
                    i,
                    vec![Reading {
                        value: Some(i as i64 + 1),
                        p: 0.995,
                    }],
                )
            })
            .collect();
        Mock {
            readings,
            amounts: HashMap::from([(MONEY, money)]),
        }
    }

    const MONEY: usize = 9;

    fn amount(v: Num, p: f32) -> AmountReading {
        AmountReading { value: Some(v), p }
    }

    fn says(path: &str, value: Num) -> Stated {
        Stated {
            path: path.to_string(),
            value,
            sentence: format!("全年……{value}件"),
        }
    }

    fn read_t2(mock: &Mock, narrative: &[Stated], opts: &ReadOptions) -> Report {
        read_with(
            TableKind::Table2,
            Template::V2021,
            (10, &[]),
            mock,
            narrative,
            opts,
        )
    }

    #[test]
    fn a_table2_value_the_narrative_confirms_is_accepted_and_said_so() {
        let mock = t2_mock(vec![amount(Num::Dec(24720.2), 0.99)]);
        let narrative = [
            says("table2.regulations.issued", Num::Int(1)),
            says("table2.fees.amount_10k_yuan", Num::Dec(24720.2)),
        ];
        let report = read_t2(&mock, &narrative, &ReadOptions::default());
        let t2 = report.table2.as_ref().expect("table 二");
        assert_eq!(t2.get("regulations", "issued"), Some(Num::Int(1)));
        assert_eq!(t2.get("fees", "amount_10k_yuan"), Some(Num::Dec(24720.2)));
        let mark = report.sources["table2.regulations.issued"]
            .ocr
            .expect("ocr");
        assert!(mark.narrative, "confirmed by the narrative: {mark:?}");
        let silent = report.sources["table2.regulations.repealed"]
            .ocr
            .expect("ocr");
        assert!(!silent.narrative, "the narrative is silent there");
        // Where it was printed: table 二's item and measure, not its reading index.
        assert_eq!(
            report.sources["table2.regulations.repealed"].loc,
            Loc::Page {
                page: 1,
                row: 1,
                col: 2
            }
        );
        assert_eq!(
            report.sources["table2.fees.amount_10k_yuan"].printed,
            "24720.2"
        );
        let json = report.to_json();
        assert_eq!(
            json["ocr"]["table2.regulations.issued"]["narrative"],
            serde_json::json!(true)
        );
        assert_eq!(json["table2"]["fees"]["amount_10k_yuan"], 24720.2);
        assert!(!rules(&report).contains(&"O-NARRATIVE"));
        assert!(!rules(&report).contains(&"O-UNPROVEN"));
    }

    #[test]
    fn a_table2_value_the_narrative_contradicts_is_null_with_a_finding() {
        let mock = t2_mock(vec![amount(Num::Dec(24720.2), 0.99)]);
        // Read 8 (index 7 + 1) with 0.995; the narrative says 81.
        let narrative = [
            says("table2.penalty.decisions", Num::Int(81)),
            says("table2.fees.amount_10k_yuan", Num::Dec(24729.2)),
        ];
        let report = read_t2(&mock, &narrative, &ReadOptions::default());
        let t2 = report.table2.as_ref().expect("table 二");
        assert_eq!(t2.get("penalty", "decisions"), None, "never 8 nor 81");
        assert_eq!(t2.get("fees", "amount_10k_yuan"), None);
        assert_eq!(
            t2.get("coercion", "decisions"),
            Some(Num::Int(9)),
            "silent: confidence"
        );
        let found: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.rule == "O-NARRATIVE")
            .collect();
        assert_eq!(found.len(), 2, "{:?}", report.findings);
        assert_eq!(found[0].cells, ["table2.penalty.decisions"]);
        assert!(
            found[0].message.contains("read 8") && found[0].message.contains("states 81"),
            "{}",
            found[0].message
        );
        assert!(
            found[0].message_zh.contains("81"),
            "{}",
            found[0].message_zh
        );
        assert!(
            found[0].message_zh.contains("行政处罚"),
            "{}",
            found[0].message_zh
        );
        assert!(!report.sources.contains_key("table2.penalty.decisions"));
    }

    #[test]
    fn an_unsure_reading_equal_to_the_narrative_is_still_null() {
        let mut mock = t2_mock(vec![amount(Num::Int(300), 0.99)]);
        mock.readings.insert(
            0,
            vec![
                Reading {
                    value: Some(1),
                    p: 0.8,
                },
                Reading {
                    value: Some(7),
                    p: 0.2,
                },
            ],
        );
        let narrative = [says("table2.regulations.issued", Num::Int(1))];
        let report = read_t2(&mock, &narrative, &ReadOptions::default());
        assert_eq!(
            report
                .table2
                .as_ref()
                .expect("t2")
                .get("regulations", "issued"),
            None
        );
        let f = report
            .findings
            .iter()
            .find(|f| f.rule == "O-UNPROVEN")
            .expect("O-UNPROVEN");
        assert_eq!(f.cells, ["table2.regulations.issued"]);
    }

    #[test]
    fn money_is_read_confidently_or_null() {
        // Sure: taken (the narrative silent, money by confidence under the default rule).
        let sure = read_t2(
            &t2_mock(vec![amount(Num::Dec(14913.51), 0.99)]),
            &[],
            &ReadOptions::default(),
        );
        assert_eq!(
            sure.table2
                .as_ref()
                .expect("t2")
                .get("fees", "amount_10k_yuan"),
            Some(Num::Dec(14913.51))
        );
        // Unsure, or no reading (a mark that is no amount): null with O-UNPROVEN.
        for money in [
            vec![
                amount(Num::Dec(14913.51), 0.6),
                amount(Num::Dec(14918.51), 0.4),
            ],
            vec![],
        ] {
            let report = read_t2(&t2_mock(money), &[], &ReadOptions::default());
            let t2 = report.table2.as_ref().expect("t2");
            assert_eq!(t2.get("fees", "amount_10k_yuan"), None);
            let f = report
                .findings
                .iter()
                .find(|f| f.rule == "O-UNPROVEN")
                .expect("O-UNPROVEN");
            assert_eq!(f.cells, ["table2.fees.amount_10k_yuan"]);
        }
        // Narrative-only: a sure reading the narrative does not state stays null.
        let opts = ReadOptions {
            money: MoneyRule::NarrativeOnly,
            ..ReadOptions::default()
        };
        let mock = t2_mock(vec![amount(Num::Dec(14913.51), 0.99)]);
        let report = read_t2(&mock, &[], &opts);
        assert_eq!(
            report
                .table2
                .as_ref()
                .expect("t2")
                .get("fees", "amount_10k_yuan"),
            None
        );
        let confirmed = [says("table2.fees.amount_10k_yuan", Num::Dec(14913.51))];
        let report = read_t2(&mock, &confirmed, &opts);
        assert_eq!(
            report
                .table2
                .as_ref()
                .expect("t2")
                .get("fees", "amount_10k_yuan"),
            Some(Num::Dec(14913.51))
        );
    }
}
