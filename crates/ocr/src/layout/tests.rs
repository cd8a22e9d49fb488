//! The layout on synthetic pages drawn like the fixtures' reports (tables 二, 三 and 四 of both
//! versions, table 三 split over two pages, rotated), read by a mock recognizer that decodes
//! each cell's bar code: label cells carry their label, value cells the cell's own index, so
//! that every located cell can be checked to be the cell the proof means.

use super::*;
use crate::grid::{deskew_and_find_grids, rotate};
use crate::synthetic::{blank_page, cell, draw_table, place, Cell, Frame, Mock, Placed, SOLID};
use nianbao_model::proof::t3_index;
use nianbao_model::template::{T3_COLUMNS, T4_GROUPS};

/// Value cells are coded `VALUE_BASE + table offset + index`.
const VALUE_BASE: u32 = 100;
const T2_OFFSET: u32 = 0;
const T3_OFFSET: u32 = 20;
const T4_OFFSET: u32 = 210;

/// The labels drawn, by code.
#[derive(Default)]
struct Dict(Vec<String>);

impl Dict {
    fn code(&mut self, label: &str) -> u32 {
        let code = match self.0.iter().position(|l| l == label) {
            Some(i) => i,
            None => {
                self.0.push(label.to_string());
                self.0.len() - 1
            }
        };
        assert!(code < VALUE_BASE as usize);
        code as u32
    }

    fn label(&mut self, label: &str, cs: usize, rs: usize) -> Cell {
        cell(self.code(label), cs, rs)
    }
}

fn values(offset: u32, indices: impl IntoIterator<Item = usize>) -> Vec<Cell> {
    indices
        .into_iter()
        .map(|i| cell(VALUE_BASE + offset + i as u32, 1, 1))
        .collect()
}

/// Table 三's rows as the fixtures lay it out (label columns 3, then 7 values).
fn t3_rows(d: &mut Dict, template: Template, wrong: Option<(usize, &str)>) -> Vec<Vec<Cell>> {
    let label = |d: &mut Dict, r: usize| {
        let text = match wrong {
            Some((w, text)) if w == r => text.to_string(),
            _ => T3_ROWS[r].1.to_string(),
        };
        d.code(&text)
    };
    let vals = |r: usize| values(T3_OFFSET, (0..7).map(move |c| t3_index(r, c)));
    let row = |head: Vec<Cell>, r: usize| head.into_iter().chain(vals(r)).collect::<Vec<_>>();
    let mut rows = vec![
        vec![
            d.label(
                "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                3,
                3,
            ),
            d.label("申请人情况", 7, 1),
        ],
        vec![
            d.label(T3_COLUMNS[0].1, 1, 2),
            d.label("法人或其他组织", 5, 1),
            d.label("总计", 1, 2),
        ],
        (1..6).map(|c| d.label(T3_COLUMNS[c].1, 1, 1)).collect(),
    ];
    rows.push(row(vec![cell(label(d, 0), 3, 1)], 0));
    rows.push(row(vec![cell(label(d, 1), 3, 1)], 1));
    let results = if template == Template::V2021 { 22 } else { 20 };
    rows.push(row(
        vec![
            d.label("三、本年度办理结果", 1, results),
            cell(label(d, 2), 2, 1),
        ],
        2,
    ));
    rows.push(row(vec![cell(label(d, 3), 2, 1)], 3));
    let groups: [(&str, std::ops::RangeInclusive<usize>); 3] = [
        ("（三）不予公开", 4..=11),
        ("（四）无法提供", 12..=14),
        ("（五）不予处理", 15..=19),
    ];
    for (name, range) in groups {
        let n = range.clone().count();
        for r in range.clone() {
            let mut head = Vec::new();
            if r == *range.start() {
                head.push(d.label(name, 1, n));
            }
            head.push(cell(label(d, r), 1, 1));
            rows.push(row(head, r));
        }
    }
    if template == Template::V2021 {
        for r in 20..=22 {
            let mut head = Vec::new();
            if r == 20 {
                head.push(d.label("（六）其他处理", 1, 3));
            }
            head.push(cell(label(d, r), 1, 1));
            rows.push(row(head, r));
        }
    } else {
        rows.push(row(vec![cell(label(d, 23), 2, 1)], 23));
    }
    rows.push(row(vec![cell(label(d, 24), 2, 1)], 24));
    rows.push(row(vec![cell(label(d, 25), 3, 1)], 25));
    rows
}

/// Table 四: groups, outcomes, one row of values.
fn t4_rows(d: &mut Dict) -> Vec<Vec<Cell>> {
    let mut rows = vec![vec![
        d.label(T4_GROUPS[0].1, 5, 1),
        d.label("行政诉讼", 10, 1),
    ]];
    let mut second: Vec<Cell> = T4_OUTCOMES.iter().map(|o| d.label(o.1, 1, 2)).collect();
    second.push(d.label("未经复议直接起诉", 5, 1));
    second.push(d.label("复议后起诉", 5, 1));
    rows.push(second);
    rows.push(
        (0..10)
            .map(|i| d.label(T4_OUTCOMES[i % 5].1, 1, 1))
            .collect(),
    );
    rows.push(values(T4_OFFSET, 0..15));
    rows
}

/// Table 二 of 2021: sections, headers, items with one value cell spanning three columns
/// where the item has one measure.
fn t2_rows_2021(d: &mut Dict) -> Vec<Vec<Cell>> {
    let t = Template::V2021;
    let mut rows = Vec::new();
    let section = |d: &mut Dict, rows: &mut Vec<Vec<Cell>>, name: &str, items: &[usize]| {
        rows.push(vec![d.label(name, 4, 1)]);
        let measures = table2_items(t)[items[0]].measures;
        let mut head = vec![d.label("信息内容", 1, 1)];
        if measures.len() == 3 {
            head.extend(measures.iter().map(|m| d.label(m.1, 1, 1)));
        } else {
            head.push(d.label(measures[0].1, 3, 1));
        }
        rows.push(head);
        for &i in items {
            let mut row = vec![d.label(table2_items(t)[i].labels[0], 1, 1)];
            let n = table2_items(t)[i].measures.len();
            for m in 0..n {
                let span = if n == 3 { 1 } else { 3 };
                row.push(cell(
                    VALUE_BASE + T2_OFFSET + t2_index(t, i, m) as u32,
                    span,
                    1,
                ));
            }
            rows.push(row);
        }
    };
    section(d, &mut rows, "第二十条第（一）项", &[0, 1]);
    section(d, &mut rows, "第二十条第（五）项", &[2]);
    section(d, &mut rows, "第二十条第（六）项", &[3, 4]);
    section(d, &mut rows, "第二十条第（八）项", &[5]);
    rows
}

const PAGE_W: u32 = 1654;
const PAGE_H: u32 = 2339;
const ROW_H: u32 = 44;

/// Draws `cells` (rows `from..to` of a placed table) at `y`; cells cut by `from` continue as
/// empty boxes, as the fixtures' PDF writer draws a table over a page break.
fn draw_rows(
    img: &mut GrayImage,
    cells: &[Placed],
    widths: &[u32],
    (from, to): (usize, usize),
    y: u32,
) -> u32 {
    let part: Vec<Placed> = cells
        .iter()
        .filter(|p| p.r < to && p.r + p.rs > from)
        .map(|p| {
            let r = p.r.max(from);
            Placed {
                r: r - from,
                rs: (p.r + p.rs).min(to) - r,
                code: if p.r < from { None } else { p.code },
                ..*p
            }
        })
        .collect();
    let frame = Frame {
        x: 80,
        y,
        col_w: widths.to_vec(),
        row_h: vec![ROW_H; to - from],
        // Codes as wide as the narrowest cells allow.
        unit: if widths.iter().all(|&w| w >= 140) {
            4
        } else {
            3
        },
    };
    draw_table(img, &part, &frame, SOLID);
    y + ROW_H * (to - from) as u32
}

const T3_WIDTHS: [u32; 10] = [140, 140, 150, 140, 140, 140, 140, 140, 140, 140];
const T4_WIDTHS: [u32; 15] = [100; 15];
const T2_WIDTHS: [u32; 4] = [300, 300, 300, 300];

/// Every located cell decodes to its own index: the layout put it where the proof reads it.
fn assert_cells_are_their_own(pages: &[Deskewed], table: &TableOnPage, offset: u32, count: usize) {
    let mock = Mock { labels: Vec::new() };
    assert_eq!(table.cells.len(), count, "{:?}", table.kind);
    for c in &table.cells {
        let page = &pages[c.bbox.page - 1].image;
        let read = mock.digits(&crop(page, c.bbox, 2), 1).expect("digits");
        assert_eq!(
            read[0].value,
            Some(i64::from(VALUE_BASE + offset) + c.index as i64),
            "{:?} cell {} at {:?}",
            c.table,
            c.index,
            c.bbox
        );
    }
}

/// A 2021 report: table 二 and the first rows of table 三 on page 1, the rest of 三 and
/// table 四 on page 2.
fn report_2021(d: &mut Dict, wrong: Option<(usize, &str)>) -> Vec<GrayImage> {
    let t2 = t2_rows_2021(d);
    report_2021_with(d, &t2, wrong)
}

/// [`report_2021`] with table 二's rows as given.
fn report_2021_with(
    d: &mut Dict,
    t2: &[Vec<Cell>],
    wrong: Option<(usize, &str)>,
) -> Vec<GrayImage> {
    let (t2, _) = place(t2);
    let (t3, _) = place(&t3_rows(d, Template::V2021, wrong));
    let (t4, _) = place(&t4_rows(d));
    let mut p1 = blank_page(PAGE_W, PAGE_H);
    let y = draw_rows(&mut p1, &t2, &T2_WIDTHS, (0, 14), 120);
    let break_at = 18;
    draw_rows(&mut p1, &t3, &T3_WIDTHS, (0, break_at), y + 120);
    let mut p2 = blank_page(PAGE_W, PAGE_H);
    let y = draw_rows(&mut p2, &t3, &T3_WIDTHS, (break_at, 3 + 25), 100);
    draw_rows(&mut p2, &t4, &T4_WIDTHS, (0, 4), y + 100);
    vec![p1, p2]
}

#[test]
fn a_2021_report_with_table_three_over_a_page_break_maps_every_cell() {
    let mut d = Dict::default();
    let (pages, grids) = deskew_and_find_grids(&report_2021(&mut d, None));
    assert_eq!(grids.len(), 4, "{grids:?}");
    let tables = map_tables(&pages, &grids, &Mock { labels: d.0 })
        .expect("mapped")
        .tables;
    let kinds: Vec<TableKind> = tables.iter().map(|t| t.kind).collect();
    assert_eq!(
        kinds,
        [TableKind::Table2, TableKind::Table3, TableKind::Table4]
    );
    assert!(tables.iter().all(|t| t.template == Template::V2021));
    assert_cells_are_their_own(&pages, &tables[0], T2_OFFSET, 10);
    // 25 printed rows of 7: （六）其他处理 itself is not printed in 2021.
    assert_cells_are_their_own(&pages, &tables[1], T3_OFFSET, 25 * 7);
    assert!(tables[1].cells.iter().any(|c| c.bbox.page == 1));
    assert!(tables[1].cells.iter().any(|c| c.bbox.page == 2));
    assert_cells_are_their_own(&pages, &tables[2], T4_OFFSET, 15);
}

#[test]
fn a_rotated_2019_table_three_maps_and_tells_its_version() {
    let mut d = Dict::default();
    let (t3, _) = place(&t3_rows(&mut d, Template::V2019, None));
    let mut page = blank_page(PAGE_W, PAGE_H);
    draw_rows(&mut page, &t3, &T3_WIDTHS, (0, 3 + 23), 200);
    let (pages, grids) = deskew_and_find_grids(&[rotate(&page, 1.5)]);
    assert!(
        (pages[0].skew_degrees + 1.5).abs() < 0.06,
        "{}",
        pages[0].skew_degrees
    );
    let tables = map_tables(&pages, &grids, &Mock { labels: d.0 })
        .expect("mapped")
        .tables;
    assert_eq!(tables.len(), 1);
    assert_eq!(tables[0].template, Template::V2019);
    // 23 printed rows of 7: the three （六） items are not printed in 2019.
    assert_cells_are_their_own(&pages, &tables[0], T3_OFFSET, 23 * 7);
}

#[test]
fn a_label_that_does_not_match_stops_the_reading_naming_the_cell() {
    let mut d = Dict::default();
    let (pages, grids) = deskew_and_find_grids(&report_2021(&mut d, Some((13, "重复申请"))));
    let err = map_tables(&pages, &grids, &Mock { labels: d.0 }).expect_err("mismatch");
    let msg = err.to_string();
    // Row 13 (三（四）2) is the 17th row of the grid on page 1 (3 header rows).
    assert!(
        msg.starts_with(
            "page 1, table 三, row 17, column 3 of its grid: the label reads \"重复申请\""
        ),
        "{msg}"
    );
    assert!(msg.contains("没有现成信息需要另行制作"), "{msg}");
}

#[test]
fn a_label_misread_by_a_character_or_two_maps_its_row() {
    // 三（一）予以公开 read as 子以公开, the OCR's confusion on a rough scan.
    let mut d = Dict::default();
    let (pages, grids) = deskew_and_find_grids(&report_2021(&mut d, Some((2, "（一）子以公开"))));
    let tables = map_tables(&pages, &grids, &Mock { labels: d.0 })
        .expect("mapped")
        .tables;
    assert_cells_are_their_own(&pages, &tables[1], T3_OFFSET, 25 * 7);
}

#[test]
fn a_confusion_that_is_not_clearly_the_expected_label_stops_the_reading() {
    // 结果纠持 is one edit from 结果维持 and one from 结果纠正: neither is clearly printed.
    assert!(!label_matches("结果纠持", "结果维持", &t4_labels()));
    assert!(label_matches("结果维特", "结果维持", &t4_labels()));
    // Two- and three-character labels take no confusion; four take one, not two.
    assert!(!label_matches("总汁", "总计", &t4_labels()));
    assert!(!label_matches("子已公开", "予以公开", &t3_labels()));
    assert!(label_matches("（一）子以公开", "予以公开", &t3_labels()));
    // Long labels take two.
    assert!(label_matches(
        "本机关不拿握相关政俯信息",
        "本机关不掌握相关政府信息",
        &t3_labels()
    ));
    // A label of another row is never a confusion of the expected one.
    assert!(!label_matches("重复申请", "予以公开", &t3_labels()));
}

#[test]
fn a_foreign_label_still_stops_the_reading() {
    let mut d = Dict::default();
    let (pages, grids) = deskew_and_find_grids(&report_2021(&mut d, Some((2, "办理情况"))));
    let err = map_tables(&pages, &grids, &Mock { labels: d.0 }).expect_err("mismatch");
    assert!(
        err.to_string().contains("the label reads \"办理情况\""),
        "{err}"
    );
}

#[test]
fn a_table_three_that_stops_at_a_page_break_is_incomplete() {
    let mut d = Dict::default();
    let (t3, _) = place(&t3_rows(&mut d, Template::V2021, None));
    let mut page = blank_page(PAGE_W, PAGE_H);
    draw_rows(&mut page, &t3, &T3_WIDTHS, (0, 10), 200);
    let (pages, grids) = deskew_and_find_grids(&[page]);
    let err = map_tables(&pages, &grids, &Mock { labels: d.0 }).expect_err("incomplete");
    assert!(
        err.to_string()
            .starts_with("table 三 ends on page 1 after the row \"危及“三安全一稳定”\"; the template goes on to \"保护第三方合法权益\""),
        "{err}"
    );
}

#[test]
fn a_wrong_outcome_over_table_four_stops_the_reading() {
    let mut d = Dict::default();
    let mut rows = t4_rows(&mut d);
    rows[2][7] = d.label("结果维持", 1, 1); // the 8th outcome of the second row: 尚未审结
    let (t4, _) = place(&rows);
    let mut page = blank_page(PAGE_W, PAGE_H);
    draw_rows(&mut page, &t4, &T4_WIDTHS, (0, 4), 300);
    let (pages, grids) = deskew_and_find_grids(&[page]);
    let err = map_tables(&pages, &grids, &Mock { labels: d.0 }).expect_err("mismatch");
    assert!(
        err.to_string()
            .starts_with("page 1, table 四, row 3, column 13 of its grid"),
        "{err}"
    );
}

#[test]
fn t2_indices_count_the_measures_in_order() {
    assert_eq!(t2_index(Template::V2021, 0, 2), 2);
    assert_eq!(t2_index(Template::V2021, 2, 0), 6);
    assert_eq!(t2_index(Template::V2021, 5, 0), 9);
    assert_eq!(t2_index(Template::V2019, 7, 1), 3 * 6 + 2 + 1);
}

/// The demo's committed scan (tools/demo/make_scan.sh): a real render of a report, where the
/// two-line header labels touch the rulings and add separators that only the header rows
/// have. Its value rows still give seven value cells each (10 on page 1 below the header's
/// last row, 15 on page 2), and table 四 its 15 cells.
#[test]
fn the_demo_scan_gives_table_three_rows_of_seven_and_table_four() {
    let jpegs: [&[u8]; 2] = [
        include_bytes!("../../../../tests/fixtures/scan/450400-2023-dept-sjj-p1.jpg"),
        include_bytes!("../../../../tests/fixtures/scan/450400-2023-dept-sjj-p2.jpg"),
    ];
    let pages: Vec<GrayImage> = jpegs
        .iter()
        .map(|j| image::load_from_memory(j).expect("jpeg").to_luma8())
        .collect();
    let (_, grids) = deskew_and_find_grids(&pages);
    let t3: Vec<&Grid> = grids
        .iter()
        .filter(|g| g.cols.len() > 7 && !is_table4(g))
        .collect();
    assert_eq!(t3.len(), 2, "{grids:?}");
    let value_rows = |g: &Grid| {
        let mut r = 0;
        let mut n = 0;
        while r < g.rows.len() {
            let Some((_, values)) = t3_row_cells(g, r) else {
                r += 1;
                continue;
            };
            n += 1;
            while r + 1 < g.rows.len() && !g.h_drawn(r + 1, &values) {
                r += 1;
            }
            r += 1;
        }
        n
    };
    // The header's last row has seven cells too (自然人 … 总计).
    assert_eq!(value_rows(t3[0]), 1 + 10);
    assert_eq!(value_rows(t3[1]), 15);
    assert_eq!(grids.iter().filter(|g| is_table4(g)).count(), 1);
}

#[test]
fn a_table_two_row_short_of_a_cell_leaves_table_two_out_and_keeps_three_and_four() {
    let mut d = Dict::default();
    let mut t2 = t2_rows_2021(&mut d);
    // 规章's row (after its section and header rows): a worn separator merges two of its
    // three value cells.
    let regulations = &mut t2[2];
    assert_eq!(regulations.len(), 4, "label and three values");
    regulations.truncate(2);
    regulations.push(cell(VALUE_BASE + T2_OFFSET + 1, 2, 1));
    let (pages, grids) = deskew_and_find_grids(&report_2021_with(&mut d, &t2, None));
    let mapped = map_tables(&pages, &grids, &Mock { labels: d.0 }).expect("mapped");
    let kinds: Vec<TableKind> = mapped.tables.iter().map(|t| t.kind).collect();
    assert_eq!(kinds, [TableKind::Table3, TableKind::Table4]);
    assert!(
        matches!(
            mapped.table2_unread,
            Some(LayoutError::Measures {
                found: 2,
                expected: 3,
                ..
            })
        ),
        "{:?}",
        mapped.table2_unread
    );
}

#[test]
fn a_table_two_alone_that_does_not_fit_stops_the_reading() {
    let mut d = Dict::default();
    let mut t2 = t2_rows_2021(&mut d);
    t2[2].truncate(2);
    t2[2].push(cell(VALUE_BASE + T2_OFFSET + 1, 2, 1));
    let (t2, _) = place(&t2);
    let mut page = blank_page(PAGE_W, PAGE_H);
    draw_rows(&mut page, &t2, &T2_WIDTHS, (0, 14), 120);
    let (pages, grids) = deskew_and_find_grids(&[page]);
    let err = map_tables(&pages, &grids, &Mock { labels: d.0 }).expect_err("no table fits");
    assert!(matches!(err, LayoutError::Measures { .. }), "{err}");
}
