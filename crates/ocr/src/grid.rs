//! A page image → its ruled tables as grids of cells. Pure functions of the pixels:
//!
//! 1. **Binarise.** Otsu's threshold splits paper from ink; the ruling lines are looked for
//!    with a second, lenient threshold just under the paper's grey (its level less three times
//!    its noise), so that faint light-grey lines still count while text needs no more than
//!    Otsu's.
//! 2. **Deskew.** The angle within ±3° whose row profile of ink is sharpest (the sum of its
//!    squared bin counts, the classic projection-profile search, on a subsample) is undone by
//!    rotating the page about its centre, bilinear, white where nothing comes in.
//! 3. **Ruling lines** by a morphological opening with long runs: a horizontal line is a run
//!    of ink at least 1/30 of the page wide (vertical: 1/60 of its height, a row is shorter
//!    than a column), gaps of up to 1/250 of the page bridged so that broken or faint dotted
//!    lines stay whole; runs on neighbouring pixel rows are one line.
//! 4. **Tables** are the connected sets of crossing lines; a line that meets fewer than two
//!    lines across it (a text stroke, an underline) is dropped. The distinct line positions
//!    give the finest rows and columns; which separators are really drawn in each row and
//!    column is kept, so that merged cells (a header spanning columns, a label spanning rows)
//!    can be told apart by the layout. A vertical separator is drawn across a row when its
//!    pieces reach both of the row's borders and cover a third of it, after the gaps a worn
//!    print leaves in a column's ruling (shorter than a row) are closed; a text stroke in line
//!    with a separator stops short of the border by the cell's padding and splits nothing.

use image::{GrayImage, Luma};

use crate::PixelBox;

/// One ruled table found on a page: the spans between its ruling lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// The page, from 1.
    pub page: usize,
    /// `[start, end)` pixel spans of the rows, top to bottom, on the deskewed image (inside
    /// the ruling lines).
    pub rows: Vec<(u32, u32)>,
    /// `[start, end)` pixel spans of the columns, left to right, on the deskewed image.
    pub cols: Vec<(u32, u32)>,
    /// The rotation that was undone to straighten the page, in degrees.
    pub skew_degrees: f32,
    /// `v_rules[r][k]`: whether the vertical separator `k` (0 = the left border, `cols.len()`
    /// = the right border) is drawn across row `r`. A missing one joins two cells of the row.
    pub v_rules: Vec<Vec<bool>>,
    /// `h_rules[k][c]`: whether the horizontal separator `k` (0 = the top border,
    /// `rows.len()` = the bottom border) is drawn across column `c`.
    pub h_rules: Vec<Vec<bool>>,
}

/// A page image straightened: the image and the rotation undone.
#[derive(Debug, Clone)]
pub struct Deskewed {
    /// The straightened page (white where the rotation brought in no pixels).
    pub image: GrayImage,
    /// The rotation undone, in degrees: positive when the scan's horizontal lines descend to
    /// the right (the page was turned clockwise).
    pub skew_degrees: f32,
}

/// The widest skew searched, in degrees either way.
const MAX_SKEW: f32 = 3.0;
/// The coarse and fine steps of the angle search, in degrees.
const COARSE_STEP: f32 = 0.1;
const FINE_STEP: f32 = 0.02;
/// Below this the page is left as it is (a rotation only blurs it).
const NEGLIGIBLE_SKEW: f32 = 0.03;

/// Paper and ink levels of a page: Otsu's threshold, the paper's typical grey and the
/// threshold for ruling lines.
#[derive(Debug, Clone, Copy)]
struct Levels {
    otsu: u8,
    line: u8,
}

fn histogram(img: &GrayImage) -> [u64; 256] {
    let mut h = [0u64; 256];
    for p in img.as_raw() {
        h[usize::from(*p)] += 1;
    }
    h
}

/// Otsu's threshold of a histogram: pixels `< t` are ink.
fn otsu(h: &[u64; 256]) -> u8 {
    let total: u64 = h.iter().sum();
    if total == 0 {
        return 128;
    }
    let sum_all: f64 = h
        .iter()
        .enumerate()
        .map(|(i, &n)| i as f64 * n as f64)
        .sum();
    let (mut w0, mut sum0, mut best, mut best_t) = (0f64, 0f64, -1f64, 128usize);
    for (t, &n) in h.iter().enumerate() {
        // Classes: [0, t] and (t, 255]; the threshold is t + 1 for `< threshold` tests.
        w0 += n as f64;
        sum0 += t as f64 * n as f64;
        let w1 = total as f64 - w0;
        if w0 == 0.0 || w1 == 0.0 {
            continue;
        }
        let (m0, m1) = (sum0 / w0, (sum_all - sum0) / w1);
        let between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if between > best {
            best = between;
            best_t = t + 1;
        }
    }
    u8::try_from(best_t.min(255)).unwrap_or(255)
}

fn levels(img: &GrayImage) -> Levels {
    let h = histogram(img);
    let otsu = otsu(&h);
    // The paper: the pixels above Otsu's threshold, their mean and spread.
    let (mut n, mut sum, mut sq) = (0f64, 0f64, 0f64);
    for (v, &c) in h.iter().enumerate().skip(usize::from(otsu)) {
        n += c as f64;
        sum += v as f64 * c as f64;
        sq += (v * v) as f64 * c as f64;
    }
    let (paper, sigma) = if n > 0.0 {
        let mean = sum / n;
        (mean, (sq / n - mean * mean).max(0.0).sqrt())
    } else {
        (255.0, 0.0)
    };
    // Three sigmas of paper noise, but at least 24 grey levels; never below Otsu's.
    let line = (paper - (3.0 * sigma).max(24.0)).max(f64::from(otsu));
    Levels {
        otsu,
        line: line.clamp(0.0, 255.0) as u8,
    }
}

/// The page straightened: the angle within ±3° whose horizontal ink profile is sharpest.
pub fn deskew(page: &GrayImage) -> Deskewed {
    let angle = skew_angle(page);
    if angle.abs() < NEGLIGIBLE_SKEW {
        return Deskewed {
            image: page.clone(),
            skew_degrees: 0.0,
        };
    }
    Deskewed {
        image: rotate(page, angle),
        skew_degrees: angle,
    }
}

/// The skew of the page's horizontal lines in degrees (positive: descending to the right).
fn skew_angle(page: &GrayImage) -> f32 {
    let (w, h) = page.dimensions();
    if w < 8 || h < 8 {
        return 0.0;
    }
    let threshold = levels(page).otsu;
    // Subsample to about 1200 pixels across: enough for 0.02° at the page's width.
    let step = (w / 1200).max(1);
    let mut points: Vec<(f32, f32)> = Vec::new();
    for y in (0..h).step_by(step as usize) {
        for x in (0..w).step_by(step as usize) {
            if page.get_pixel(x, y).0[0] < threshold {
                points.push(((x / step) as f32, (y / step) as f32));
            }
        }
    }
    if points.len() < 16 {
        return 0.0;
    }
    let rows = (h / step) as usize;
    let cx = (w / step) as f32 / 2.0;
    let sharpness = |deg: f32| profile_sharpness(&points, deg, cx, rows);
    let best_on = |from: f32, to: f32, by: f32, best: f32| {
        let mut best = (sharpness(best), best);
        let mut a = from;
        while a <= to + 1e-4 {
            let s = sharpness(a);
            if s > best.0 {
                best = (s, a);
            }
            a += by;
        }
        best.1
    };
    let coarse = best_on(-MAX_SKEW, MAX_SKEW, COARSE_STEP, 0.0);
    best_on(
        coarse - COARSE_STEP,
        coarse + COARSE_STEP,
        FINE_STEP,
        coarse,
    )
}

/// Σ count² of the ink's row profile along lines of slope `deg` (sharp when the rows of ink
/// are parallel to those lines).
fn profile_sharpness(points: &[(f32, f32)], deg: f32, cx: f32, rows: usize) -> f64 {
    let slope = deg.to_radians().tan();
    let margin = rows / 8 + 8;
    let mut bins = vec![0u32; rows + 2 * margin];
    for &(x, y) in points {
        let b = (y - (x - cx) * slope).round() as isize + margin as isize;
        if let Some(c) = usize::try_from(b).ok().and_then(|b| bins.get_mut(b)) {
            *c += 1;
        }
    }
    bins.iter().map(|&c| f64::from(c) * f64::from(c)).sum()
}

/// The page rotated so that lines descending by `deg` become level (bilinear; white outside).
pub(crate) fn rotate(page: &GrayImage, deg: f32) -> GrayImage {
    let (w, h) = page.dimensions();
    let (sin, cos) = deg.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let mut out = GrayImage::from_pixel(w, h, Luma([255]));
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = (x as f32 - cx, y as f32 - cy);
            let sx = cx + dx * cos - dy * sin;
            let sy = cy + dx * sin + dy * cos;
            out.put_pixel(x, y, Luma([bilinear(page, sx, sy)]));
        }
    }
    out
}

fn bilinear(img: &GrayImage, x: f32, y: f32) -> u8 {
    let (w, h) = img.dimensions();
    if x < 0.0 || y < 0.0 || x > (w - 1) as f32 || y > (h - 1) as f32 {
        return 255;
    }
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let p = |x, y| f32::from(img.get_pixel(x, y).0[0]);
    let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
    let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
    (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8
}

/// A ruling line: horizontal (`at` is its y, `from..=to` its x extent) or vertical (`at` is
/// its x, `from..=to` its y extent); `thick` pixels thick, joined from `pieces` pieces.
/// `reach` is how far past its ends it may meet a line across it: a broken line may stop one
/// gap short of the crossing.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Line {
    at: f32,
    from: u32,
    to: u32,
    thick: u32,
    pieces: u32,
    reach: f32,
}

/// The pieces a line must be joined from to reach past its ends: a dashed or worn line has
/// many; two strokes of a two-line label, one above the other, are two.
const DASHED_PIECES: u32 = 3;

/// The ink mask for ruling lines, as rows of booleans.
struct Mask {
    w: u32,
    h: u32,
    ink: Vec<bool>,
}

impl Mask {
    fn of(img: &GrayImage, threshold: u8) -> Mask {
        let (w, h) = img.dimensions();
        Mask {
            w,
            h,
            ink: img.as_raw().iter().map(|&v| v < threshold).collect(),
        }
    }

    fn at(&self, x: u32, y: u32) -> bool {
        self.ink[(y * self.w + x) as usize]
    }
}

/// Runs of ink along one pixel line (`len` pixels, `ink(i)`), gaps of up to `gap` bridged,
/// that are at least `min_len` long: `(first, last)` pixel of each.
fn long_runs(len: u32, gap: u32, min_len: u32, ink: impl Fn(u32) -> bool) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut run: Option<(u32, u32)> = None;
    for i in 0..len {
        if !ink(i) {
            continue;
        }
        run = match run {
            Some((s, e)) if i - e <= gap + 1 => Some((s, i)),
            Some((s, e)) => {
                if e - s + 1 >= min_len {
                    out.push((s, e));
                }
                Some((i, i))
            }
            None => Some((i, i)),
        };
    }
    if let Some((s, e)) = run {
        if e - s + 1 >= min_len {
            out.push((s, e));
        }
    }
    out
}

/// Runs on neighbouring pixel lines (`across` index) that overlap along the line are one line.
fn join_runs(runs_by_index: Vec<Vec<(u32, u32)>>) -> Vec<Line> {
    // (first index, last index, from, to) of the lines still open.
    let mut open: Vec<(u32, u32, u32, u32)> = Vec::new();
    let mut done: Vec<(u32, u32, u32, u32)> = Vec::new();
    for (i, runs) in runs_by_index.into_iter().enumerate() {
        let i = i as u32;
        let mut next_open = Vec::new();
        for (s, e) in runs {
            let joined = open
                .iter()
                .position(|&(_, last, from, to)| last + 1 >= i && s <= to && e >= from);
            match joined {
                Some(k) => {
                    let (first, _, from, to) = open.swap_remove(k);
                    next_open.push((first, i, from.min(s), to.max(e)));
                }
                None => next_open.push((i, i, s, e)),
            }
        }
        // Lines not continued on this pixel line are finished (a line may also have merged
        // several runs into one entry of `next_open`, which is fine).
        done.append(&mut open);
        open = merge_open(next_open);
    }
    done.extend(open);
    done.into_iter()
        .map(|(first, last, from, to)| Line {
            at: (first + last) as f32 / 2.0,
            from,
            to,
            thick: last - first + 1,
            pieces: 1,
            reach: 0.0,
        })
        .collect()
}

/// Open lines that came to overlap on the same pixel line are merged.
fn merge_open(mut lines: Vec<(u32, u32, u32, u32)>) -> Vec<(u32, u32, u32, u32)> {
    lines.sort_by_key(|l| l.2);
    let mut out: Vec<(u32, u32, u32, u32)> = Vec::new();
    for l in lines {
        match out.last_mut() {
            Some(p) if l.2 <= p.3 => {
                p.0 = p.0.min(l.0);
                p.1 = p.1.max(l.1);
                p.3 = p.3.max(l.3);
            }
            _ => out.push(l),
        }
    }
    out
}

/// Scale of the page's geometry: pixels per 1/1000 of its larger side (1.2 at 150 dpi A4,
/// 3.5 at 300 dpi).
fn per_mille(img: &GrayImage) -> f32 {
    img.width().max(img.height()) as f32 / 1000.0
}

/// The horizontal and vertical ruling lines of a straight page. Runs bridge gaps of a pixel
/// or so only (more would join a text stroke to the border next to it); pieces of a broken
/// or dotted line, each a few pixels long, are then joined along the line across gaps of up
/// to 0.4 % of the page, and only what is long enough after that is a line.
fn ruling_lines(img: &GrayImage) -> (Vec<Line>, Vec<Line>, Mask) {
    let mask = Mask::of(img, levels(img).line);
    let (w, h) = (mask.w, mask.h);
    let unit = per_mille(img);
    let gap = (unit * 0.5) as u32;
    let piece = (unit * 4.0).max(5.0) as u32;
    let bridge = (unit * 4.0).max(4.0) as u32;
    let min_h = (w / 30).max(12);
    let min_v = (h / 100).max(12);
    let h_runs = (0..h)
        .map(|y| long_runs(w, gap, piece, |x| mask.at(x, y)))
        .collect();
    let v_runs = (0..w)
        .map(|x| long_runs(h, gap, piece, |y| mask.at(x, y)))
        .collect();
    // A thick blob (a stamp, a filled cell) is not a line.
    let max_thick = (unit * 6.0).max(4.0) as u32;
    let lines = |runs, min_len: u32| -> Vec<Line> {
        join_pieces(join_runs(runs), bridge)
            .into_iter()
            .filter(|l| l.thick <= max_thick && l.to - l.from + 1 >= min_len)
            .collect()
    };
    (lines(h_runs, min_h), lines(v_runs, min_v), mask)
}

/// Pieces of one line (within 1.5 pixels of each other across it) whose gap along it is at
/// most `bridge` pixels are one line.
fn join_pieces(mut lines: Vec<Line>, bridge: u32) -> Vec<Line> {
    lines.sort_by(|a, b| a.at.total_cmp(&b.at).then(a.from.cmp(&b.from)));
    let mut out: Vec<Line> = Vec::new();
    for l in lines {
        // Look back over the lines at about the same position for one that this continues.
        let joined = out
            .iter_mut()
            .rev()
            .take_while(|o| l.at - o.at <= 1.5)
            .find(|o| l.from <= o.to + bridge + 1 && l.to + bridge + 1 >= o.from);
        match joined {
            Some(o) => {
                o.from = o.from.min(l.from);
                o.to = o.to.max(l.to);
                o.thick = o.thick.max(l.thick);
                o.pieces += l.pieces;
                if o.pieces >= DASHED_PIECES {
                    o.reach = bridge as f32;
                }
            }
            None => out.push(l),
        }
    }
    out
}

/// Whether a horizontal and a vertical line cross or touch (within `tol` pixels, and a
/// broken line's reach past its ends).
fn crosses(h: &Line, v: &Line, tol: f32) -> bool {
    v.at >= h.from as f32 - tol - h.reach
        && v.at <= h.to as f32 + tol + h.reach
        && h.at >= v.from as f32 - tol - v.reach
        && h.at <= v.to as f32 + tol + v.reach
}

/// Pages (in page order) deskewed, and every ruled table of each, page by page: what the
/// layout maps onto the template ([`Grid::page`] counts from 1).
pub fn deskew_and_find_grids(pages: &[GrayImage]) -> (Vec<Deskewed>, Vec<Grid>) {
    let deskewed: Vec<Deskewed> = pages.iter().map(deskew).collect();
    let grids = deskewed
        .iter()
        .enumerate()
        .flat_map(|(i, page)| find_grids(page, i + 1))
        .collect();
    (deskewed, grids)
}

/// Every ruled table on the page, top to bottom.
pub fn find_grids(page: &Deskewed, page_no: usize) -> Vec<Grid> {
    let (hs, vs, mask) = ruling_lines(&page.image);
    let unit = per_mille(&page.image);
    let tol = (unit * 2.0).max(2.0);
    let probe = (unit * 0.8).max(2.0) as u32;
    // Less than a cell's padding around its text (about 2 ‰ of the page).
    let end_slack = unit.max(2.0);
    let meets = |h: &Line, v: &Line| crosses(h, v, tol) && joined(&mask, h, v, probe);
    let (hs, vs) = lines_of_tables(hs, vs, meets);
    let mut grids: Vec<Grid> = tables(&hs, &vs, tol)
        .into_iter()
        .filter_map(|(hi, vi)| {
            let th: Vec<Line> = hi.iter().map(|&i| hs[i]).collect();
            let tv: Vec<Line> = vi.iter().map(|&i| vs[i]).collect();
            grid_of(&th, &tv, (tol, end_slack), page_no, page.skew_degrees)
        })
        .filter(|g| big_enough(g, &page.image) && framed(g))
        .collect();
    grids.sort_by_key(|g| g.rows.first().map_or(0, |r| r.0));
    grids
}

/// A table is at least a tenth of the page wide and a sixtieth high: smaller boxes are
/// glyphs (口, 四) whose strokes happen to cross.
fn big_enough(g: &Grid, page: &GrayImage) -> bool {
    let width = g.cols.last().map_or(0, |c| c.1) - g.cols.first().map_or(0, |c| c.0);
    let height = g.rows.last().map_or(0, |r| r.1) - g.rows.first().map_or(0, |r| r.0);
    width >= page.width() / 10 && height >= page.height() / 60
}

/// A table is closed by its frame: its top and bottom borders run across (nearly) every
/// column and its left and right borders down (nearly) every row. Strokes of a paragraph
/// that happen to cross make no such frame.
fn framed(g: &Grid) -> bool {
    let mostly = |drawn: &mut dyn Iterator<Item = bool>| {
        let (mut n, mut yes) = (0usize, 0usize);
        for d in drawn {
            n += 1;
            yes += usize::from(d);
        }
        n > 0 && yes * 5 >= n * 4
    };
    let edge = |i: usize| {
        g.h_rules
            .get(i)
            .is_some_and(|r| mostly(&mut r.iter().copied()))
    };
    let side = |k: usize| mostly(&mut g.v_rules.iter().map(|r| r.get(k).copied().unwrap_or(false)));
    edge(0) && edge(g.rows.len()) && side(0) && side(g.cols.len())
}

/// Lines that cross at least two lines across them (a cell border runs from one ruling to
/// the next; a text stroke, kept clear of the borders by the cell's padding, crosses none),
/// repeated until stable: dropping a stroke may leave another line with too few crossings.
fn lines_of_tables(
    mut hs: Vec<Line>,
    mut vs: Vec<Line>,
    meets: impl Fn(&Line, &Line) -> bool,
) -> (Vec<Line>, Vec<Line>) {
    loop {
        let before = (hs.len(), vs.len());
        let h2: Vec<Line> = hs
            .iter()
            .copied()
            .filter(|h| vs.iter().filter(|v| meets(h, v)).count() >= 2)
            .collect();
        let v2: Vec<Line> = vs
            .iter()
            .copied()
            .filter(|v| h2.iter().filter(|h| meets(h, v)).count() >= 2)
            .collect();
        hs = h2;
        vs = v2;
        if (hs.len(), vs.len()) == before {
            return (hs, vs);
        }
    }
}

/// Whether a horizontal and a vertical line that cross are joined there: ink of each runs up
/// to the other on at least one side (within `probe` pixels of its edge). Text inside a cell
/// keeps clear of the borders by the cell's padding, so a row of strokes that the gap
/// bridging strung together across a few cells does not meet the borders it crosses. Ink on
/// half the probe's length counts (a dashed line has gaps).
fn joined(mask: &Mask, h: &Line, v: &Line, probe: u32) -> bool {
    let band = |at: f32, thick: u32, len: u32| {
        let lo = (at - thick as f32 / 2.0 - 1.0).max(0.0) as u32;
        let hi = ((at + thick as f32 / 2.0 + 1.0) as u32).min(len.saturating_sub(1));
        (lo, hi)
    };
    let (hy0, hy1) = band(h.at, h.thick, mask.h);
    let (vx0, vx1) = band(v.at, v.thick, mask.w);
    // Share of the probe's steps along a line with ink in the line's band.
    let solid = |steps: &mut dyn Iterator<Item = u32>, ink_at: &dyn Fn(u32) -> bool| {
        let (mut n, mut inked) = (0u32, 0u32);
        for s in steps {
            n += 1;
            inked += u32::from(ink_at(s));
        }
        n > 0 && inked * 2 >= n
    };
    let h_ink = |x: u32| x < mask.w && (hy0..=hy1).any(|y| mask.at(x, y));
    let v_ink = |y: u32| y < mask.h && (vx0..=vx1).any(|x| mask.at(x, y));
    // A broken line may stop a gap short of the line it meets: it is probed further.
    let (hp, vp) = (probe + h.reach as u32, probe + v.reach as u32);
    let h_joined = solid(&mut (vx0.saturating_sub(hp)..vx0), &h_ink)
        || solid(&mut (vx1 + 1..=vx1 + hp), &h_ink);
    let v_joined = solid(&mut (hy0.saturating_sub(vp)..hy0), &v_ink)
        || solid(&mut (hy1 + 1..=hy1 + vp), &v_ink);
    h_joined && v_joined
}

/// The connected sets of crossing lines: (horizontal indices, vertical indices) of each.
fn tables(hs: &[Line], vs: &[Line], tol: f32) -> Vec<(Vec<usize>, Vec<usize>)> {
    let n = hs.len() + vs.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for (i, h) in hs.iter().enumerate() {
        for (j, v) in vs.iter().enumerate() {
            if crosses(h, v, tol) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, hs.len() + j));
                parent[a] = b;
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, (Vec<usize>, Vec<usize>)> =
        Default::default();
    for i in 0..n {
        let root = find(&mut parent, i);
        let g = groups.entry(root).or_default();
        if i < hs.len() {
            g.0.push(i);
        } else {
            g.1.push(i - hs.len());
        }
    }
    groups
        .into_values()
        .filter(|(h, v)| h.len() >= 2 && v.len() >= 2)
        .collect()
}

/// Positions of lines within `tol` of each other merged: (position, thickness).
fn distinct_positions(lines: &[Line], tol: f32) -> Vec<(f32, u32)> {
    let mut at: Vec<(f32, u32)> = lines.iter().map(|l| (l.at, l.thick)).collect();
    at.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f32, u32, u32)> = Vec::new(); // (sum, count, max thickness)
    let mut merged: Vec<(f32, u32)> = Vec::new();
    for (p, t) in at {
        match out.last_mut() {
            Some(last) if p - last.0 / last.1 as f32 <= tol => {
                last.0 += p;
                last.1 += 1;
                last.2 = last.2.max(t);
            }
            _ => out.push((p, 1, t)),
        }
    }
    for (sum, n, t) in out {
        merged.push((sum / n as f32, t));
    }
    merged
}

/// `[start, end)` spans between consecutive line positions, inside the lines' thickness.
fn spans(positions: &[(f32, u32)]) -> Vec<(u32, u32)> {
    positions
        .windows(2)
        .map(|p| {
            let start = (p[0].0 + p[0].1 as f32 / 2.0 + 1.0).round().max(0.0) as u32;
            let end = (p[1].0 - p[1].1 as f32 / 2.0).round().max(0.0) as u32;
            (start, end.max(start))
        })
        .collect()
}

/// Builds the grid of one table from its lines; `end_slack` is how far short of a row's
/// border a separator's line may stop and still be drawn across the row.
fn grid_of(
    hs: &[Line],
    vs: &[Line],
    (tol, end_slack): (f32, f32),
    page: usize,
    skew: f32,
) -> Option<Grid> {
    let ys = distinct_positions(hs, tol);
    let xs = distinct_positions(vs, tol);
    if ys.len() < 2 || xs.len() < 2 {
        return None;
    }
    let rows = spans(&ys);
    let cols = spans(&xs);
    // Each separator's pieces, worn gaps closed, then tested against every row.
    let column_lines: Vec<Vec<Line>> = xs
        .iter()
        .map(|&(x, _)| {
            let pieces = vs.iter().filter(|v| (v.at - x).abs() <= tol).copied();
            close_worn_gaps(pieces.collect(), &rows)
        })
        .collect();
    let v_rules = rows
        .iter()
        .map(|&row| {
            column_lines
                .iter()
                .map(|lines| drawn_across(&lines.iter().collect::<Vec<_>>(), row, end_slack))
                .collect()
        })
        .collect();
    // A separator is drawn across a column when one of its lines covers the middle of it.
    let h_rules = ys
        .iter()
        .map(|&(y, _)| {
            cols.iter()
                .map(|&(left, right)| {
                    let mid = (left + right) as f32 / 2.0;
                    hs.iter().any(|h| {
                        (h.at - y).abs() <= tol && h.from as f32 <= mid && h.to as f32 >= mid
                    })
                })
                .collect()
        })
        .collect();
    Some(Grid {
        page,
        rows,
        cols,
        skew_degrees: skew,
        v_rules,
        h_rules,
    })
}

/// The pieces of one separator (its lines at one position) with the gaps a faint or worn
/// print knocked out of it closed: two pieces, one of them longer than one and a half of
/// the table's typical rows (a column's ruling, not a text stroke), are one line when no
/// whole row lies between them (a text stroke joined so still stops short of its row's
/// border, see [`drawn_across`]). A separator really left out (a section heading across the table,
/// a label spanning columns) leaves out at least one whole row. Likewise the gap between a
/// long piece and the table's top or bottom border.
fn close_worn_gaps(mut pieces: Vec<Line>, rows: &[(u32, u32)]) -> Vec<Line> {
    let mut heights: Vec<u32> = rows.iter().map(|(a, b)| b - a).collect();
    heights.sort_unstable();
    let typical = heights.get(heights.len() / 2).copied().unwrap_or(0);
    let long = |l: &Line| (l.to - l.from) * 2 > typical * 3;
    pieces.sort_by_key(|l| l.from);
    let mut out: Vec<Line> = Vec::new();
    for piece in pieces {
        match out.last_mut() {
            Some(last)
                if (long(last) || long(&piece))
                    && !rows.iter().any(|&(a, b)| a >= last.to && b <= piece.from) =>
            {
                last.to = last.to.max(piece.to);
                last.thick = last.thick.max(piece.thick);
                last.pieces += piece.pieces;
            }
            _ => out.push(piece),
        }
    }
    // The table's top and bottom borders bound every column: a long piece worn short of
    // one by less than a row reaches it.
    let no_row_between = |from: u32, to: u32| !rows.iter().any(|&(a, b)| a >= from && b <= to);
    let (top, bottom) = (
        rows.first().map_or(0, |r| r.0),
        rows.last().map_or(0, |r| r.1),
    );
    if let Some(first) = out.first_mut() {
        if long(first) && first.from > top && no_row_between(top, first.from) {
            first.from = top;
        }
    }
    if let Some(last) = out.last_mut() {
        if long(last) && last.to < bottom && no_row_between(last.to, bottom) {
            last.to = bottom;
        }
    }
    out
}

/// Whether the separator whose lines are `lines` (the pieces at one position) is drawn across
/// the row (or column) spanning `[start, end)`: its lines reach both of the row's borders
/// (within `end_slack`, twice that for a broken line) and cover at least a third of the row
/// between them. A faint line worn into pieces further apart than the piece joining bridges
/// (a 300-dpi row is about 55 pixels; worn gaps run to 30) still counts; a text stroke in line with a separator below (the left stroke of 区 over a
/// column's ruling, joined to it across the border) does not, because the cell's padding
/// keeps it short of the row's top: a separator drawn there would split the label it belongs
/// to.
fn drawn_across(lines: &[&Line], (start, end): (u32, u32), end_slack: f32) -> bool {
    let (start, end) = (start as f32, end as f32);
    // A line that ends on the row's border touches the row (`start` is a pixel past it). A
    // broken line may stop a little further short, but not by its whole reach: a stroke joined
    // to a worn line below takes the line's reach, and the padding above it is not much more.
    let slack = |l: &Line| end_slack + l.reach.min(end_slack);
    let reaches_start = lines
        .iter()
        .any(|l| l.from as f32 - slack(l) <= start && l.to as f32 + 1.0 >= start);
    let reaches_end = lines
        .iter()
        .any(|l| l.to as f32 + slack(l) >= end && l.from as f32 <= end + 1.0);
    reaches_start && reaches_end && covered(lines, (start, end)) * 3.0 >= end - start
}

/// How many pixels of `[start, end)` the lines cover together (overlaps counted once).
fn covered(lines: &[&Line], (start, end): (f32, f32)) -> f32 {
    let mut spans: Vec<(f32, f32)> = lines
        .iter()
        .map(|l| ((l.from as f32).max(start), (l.to as f32 + 1.0).min(end)))
        .filter(|(a, b)| a < b)
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut total, mut reach) = (0.0, start);
    for (a, b) in spans {
        if b > reach {
            total += b - a.max(reach);
            reach = b;
        }
    }
    total
}

impl Grid {
    /// The box of the cell spanning rows `rows` and columns `cols` (inclusive ranges of
    /// indices), inside its ruling lines; `None` when an index is out of the grid.
    pub fn cell_box(&self, rows: (usize, usize), cols: (usize, usize)) -> Option<PixelBox> {
        let (top, _) = *self.rows.get(rows.0)?;
        let (_, bottom) = *self.rows.get(rows.1)?;
        let (left, _) = *self.cols.get(cols.0)?;
        let (_, right) = *self.cols.get(cols.1)?;
        Some(PixelBox {
            page: self.page,
            x: left,
            y: top,
            w: right.saturating_sub(left),
            h: bottom.saturating_sub(top),
        })
    }

    /// The columns of the cell of row `row` that holds column `col`: widened left and right
    /// to the nearest separators drawn across that row (a merged cell spans several columns).
    pub fn merged_cols(&self, row: usize, col: usize) -> (usize, usize) {
        let rule = self.v_rules.get(row);
        widen(col, self.cols.len(), |k| {
            rule.and_then(|r| r.get(k)).copied().unwrap_or(true)
        })
    }

    /// The last `n` cells of row `row` (merged columns counted once), left to right, as
    /// inclusive column ranges; `None` when the row has fewer cells. Text that touches the
    /// rulings can add a separator in a header row: counting the cells a row really has from
    /// the right keeps such columns out of the value columns below.
    pub fn cells_from_right(&self, row: usize, n: usize) -> Option<Vec<(usize, usize)>> {
        let mut out = Vec::with_capacity(n);
        let mut right = self.cols.len().checked_sub(1)?;
        for i in 0..n {
            let span = self.merged_cols(row, right);
            out.push(span);
            if i + 1 < n {
                right = span.0.checked_sub(1)?;
            }
        }
        out.reverse();
        Some(out)
    }

    /// Whether the horizontal separator `k` is drawn across most of the columns `cols`.
    pub fn h_drawn(&self, k: usize, cols: &[(usize, usize)]) -> bool {
        let Some(rule) = self.h_rules.get(k) else {
            return true;
        };
        let drawn = cols
            .iter()
            .filter(|&&(a, b)| (a..=b).any(|c| rule.get(c).copied().unwrap_or(false)))
            .count();
        drawn * 2 > cols.len()
    }

    /// The rows of the cell of column `col` that holds row `row`: widened up and down to the
    /// nearest separators drawn across that column.
    pub fn merged_rows(&self, row: usize, col: usize) -> (usize, usize) {
        widen(row, self.rows.len(), |k| {
            self.h_rules
                .get(k)
                .and_then(|r| r.get(col))
                .copied()
                .unwrap_or(true)
        })
    }
}

/// The span of `index` (of `len` rows or columns) widened both ways to the nearest separators
/// that are drawn (`drawn(k)`: separator `k` lies before index `k`).
fn widen(index: usize, len: usize, drawn: impl Fn(usize) -> bool) -> (usize, usize) {
    let mut first = index;
    while first > 0 && !drawn(first) {
        first -= 1;
    }
    let mut last = index;
    while last + 1 < len && !drawn(last + 1) {
        last += 1;
    }
    (first, last)
}

/// A crop of `page` at `bbox`, shrunk by `inset` pixels on every side (so that no ruling line
/// is left at the edge); the whole box when it is too small to shrink.
pub fn crop(page: &GrayImage, bbox: PixelBox, inset: u32) -> GrayImage {
    let (w, h) = page.dimensions();
    let (mut x, mut y, mut bw, mut bh) = (bbox.x, bbox.y, bbox.w, bbox.h);
    if bw > 4 * inset && bh > 4 * inset {
        x += inset;
        y += inset;
        bw -= 2 * inset;
        bh -= 2 * inset;
    }
    let x = x.min(w.saturating_sub(1));
    let y = y.min(h.saturating_sub(1));
    let bw = bw.min(w - x).max(1);
    let bh = bh.min(h - y).max(1);
    image::imageops::crop_imm(page, x, y, bw, bh).to_image()
}

#[cfg(test)]
pub(crate) mod tests;
