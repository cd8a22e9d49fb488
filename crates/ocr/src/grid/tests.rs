//! The grid on synthetic pages: ruled, faint and broken, rotated, several tables a page.

use super::*;
use crate::synthetic::{
    blank_page, cell, decode_code, draw_table, draw_text_band, place, Cell, Frame, LineStyle, SOLID,
};

/// A 1 + 4 row table of 4 columns: a header spanning all columns, then cells coded
/// `100 + 10·row + column`.
fn sample_rows() -> Vec<Vec<Cell>> {
    let mut rows = vec![vec![cell(7, 4, 1)]];
    for r in 1..5 {
        rows.push((0..4).map(|c| cell(100 + 10 * r + c, 1, 1)).collect());
    }
    rows
}

fn frame(x: u32, y: u32) -> Frame {
    Frame {
        x,
        y,
        col_w: vec![260, 180, 180, 200],
        row_h: vec![60, 50, 50, 70, 50],
        unit: 4,
    }
}

/// A page with a paragraph, the sample table, another paragraph.
fn page_with_table(style: LineStyle) -> GrayImage {
    let mut img = blank_page(1240, 1754);
    draw_text_band(&mut img, 100, 80, 1000, 4);
    let (cells, _) = place(&sample_rows());
    draw_table(&mut img, &cells, &frame(150, 400), style);
    draw_text_band(&mut img, 100, 800, 1000, 3);
    img
}

/// Every cell of the sample table found in `g` decodes to its code.
fn assert_sample_cells(page: &GrayImage, g: &Grid) {
    assert_eq!((g.rows.len(), g.cols.len()), (5, 4), "{g:?}");
    for r in 1..5 {
        for c in 0..4 {
            let b = g.cell_box((r, r), (c, c)).expect("cell");
            let code = decode_code(&crop(page, b, 3));
            assert_eq!(
                code,
                Some(100 + 10 * r as u32 + c as u32),
                "cell {r},{c} at {b:?}"
            );
        }
    }
    let header = g.cell_box((0, 0), g.merged_cols(0, 2)).expect("header");
    assert_eq!(decode_code(&crop(page, header, 3)), Some(7));
}

#[test]
fn a_ruled_table_gives_its_rows_columns_and_merged_header() {
    let page = deskew(&page_with_table(SOLID));
    assert_eq!(page.skew_degrees, 0.0);
    let grids = find_grids(&page, 1);
    assert_eq!(grids.len(), 1, "{grids:?}");
    let g = &grids[0];
    assert_eq!(g.page, 1);
    // Row and column spans lie between the drawn lines (2 pixels thick).
    assert!(g.rows[0].0 >= 401 && g.rows[0].0 <= 403, "{:?}", g.rows);
    assert!(g.rows[0].1 >= 457 && g.rows[0].1 <= 460, "{:?}", g.rows);
    assert!(g.cols[3].1 >= 966 && g.cols[3].1 <= 970, "{:?}", g.cols);
    // The header row has no inner separators; the other rows have all of them.
    assert_eq!(g.v_rules[0], vec![true, false, false, false, true]);
    assert!(g.v_rules[1..].iter().all(|r| r.iter().all(|&d| d)));
    assert_eq!(g.merged_cols(0, 2), (0, 3));
    assert_eq!(g.merged_cols(2, 2), (2, 2));
    assert_sample_cells(&page.image, g);
}

#[test]
fn faint_broken_lines_still_make_the_grid() {
    let faint = LineStyle {
        grey: 200,
        thick: 1,
        dash: Some((14, 6)),
    };
    let page = deskew(&page_with_table(faint));
    let grids = find_grids(&page, 3);
    assert_eq!(grids.len(), 1, "{grids:?}");
    assert_eq!(grids[0].page, 3);
    assert_sample_cells(&page.image, &grids[0]);
}

/// Paper over `w` × `h` pixels at (x, y): a gap worn out of the print.
fn wear(img: &mut GrayImage, (x, y): (u32, u32), (w, h): (u32, u32)) {
    for yy in y..y + h {
        for xx in x..x + w {
            img.put_pixel(xx, yy, Luma([255]));
        }
    }
}

#[test]
fn separators_worn_out_for_longer_than_a_joint_are_still_drawn() {
    // The sample table's lines: x 150, 410, 590, 770, 970; y 400, 460, 510, 560, 630, 680.
    let mut img = page_with_table(SOLID);
    // Gaps of 40 pixels, far past the 7 that join the pieces of a line on this page:
    wear(&mut img, (765, 545), (10, 40)); // across the border of rows 2 and 3
    wear(&mut img, (405, 650), (10, 28)); // the last row down to the bottom border
    wear(&mut img, (585, 575), (10, 40)); // inside the tall row 3
    let page = deskew(&img);
    let grids = find_grids(&page, 1);
    assert_eq!(grids.len(), 1, "{grids:?}");
    let g = &grids[0];
    for (r, rule) in g.v_rules.iter().enumerate().skip(1) {
        assert!(rule.iter().all(|&d| d), "row {r}: {rule:?}");
    }
    assert_sample_cells(&page.image, g);
}

#[test]
fn a_text_stroke_in_line_with_a_separator_below_does_not_split_its_row() {
    // Row 1's second cell spans columns 1 and 2; the left stroke of its text (区) stands
    // right over the separator of columns 1 and 2 below, a joint's width above the border.
    let mut rows = sample_rows();
    rows[1] = vec![cell(110, 1, 1), cell(111, 2, 1), cell(113, 1, 1)];
    let (cells, _) = place(&rows);
    let mut img = blank_page(1240, 1754);
    draw_table(&mut img, &cells, &frame(150, 400), SOLID);
    for y in 470..507 {
        for x in 589..592 {
            img.put_pixel(x, y, Luma([0]));
        }
    }
    let page = deskew(&img);
    let grids = find_grids(&page, 1);
    assert_eq!(grids.len(), 1, "{grids:?}");
    let g = &grids[0];
    assert_eq!(g.v_rules[1], vec![true, true, false, true, true]);
    assert_eq!(g.merged_cols(1, 2), (1, 2));
    assert!(g.v_rules[2].iter().all(|&d| d), "{:?}", g.v_rules[2]);
}

#[test]
fn rotated_pages_are_straightened_both_ways() {
    for deg in [2.0f32, -2.0, 0.7] {
        // Turning the straight page by −deg makes its lines descend by deg.
        let scan = rotate(&page_with_table(SOLID), -deg);
        let page = deskew(&scan);
        assert!(
            (page.skew_degrees - deg).abs() <= 0.06,
            "{deg}: found {}",
            page.skew_degrees
        );
        let grids = find_grids(&page, 1);
        assert_eq!(grids.len(), 1, "{deg}: {grids:?}");
        assert_eq!(grids[0].skew_degrees, page.skew_degrees);
        assert_sample_cells(&page.image, &grids[0]);
    }
}

#[test]
fn two_tables_on_a_page_are_two_grids_top_to_bottom() {
    let mut img = blank_page(1240, 1754);
    let (cells, _) = place(&sample_rows());
    draw_table(&mut img, &cells, &frame(150, 1100), SOLID);
    let small = vec![
        vec![cell(1, 1, 1), cell(2, 1, 1)],
        vec![cell(3, 1, 1), cell(4, 1, 1)],
    ];
    let (cells, _) = place(&small);
    let f = Frame {
        x: 150,
        y: 300,
        col_w: vec![300, 300],
        row_h: vec![60, 60],
        unit: 4,
    };
    draw_table(&mut img, &cells, &f, SOLID);
    draw_text_band(&mut img, 100, 600, 1000, 5);
    let page = deskew(&img);
    let grids = find_grids(&page, 1);
    assert_eq!(grids.len(), 2, "{grids:?}");
    assert_eq!((grids[0].rows.len(), grids[0].cols.len()), (2, 2));
    assert_sample_cells(&page.image, &grids[1]);
}

#[test]
fn a_page_of_text_has_no_grid() {
    let mut img = blank_page(1240, 1754);
    draw_text_band(&mut img, 100, 100, 1000, 20);
    assert!(find_grids(&deskew(&img), 1).is_empty());
}

#[test]
fn otsu_splits_two_levels_between_them() {
    let mut h = [0u64; 256];
    h[20] = 100;
    h[230] = 900;
    let t = otsu(&h);
    assert!(t > 20 && t <= 230, "{t}");
}
