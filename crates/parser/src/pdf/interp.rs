//! Content streams → positioned glyphs and ruling segments of one page, in PDF user space
//! (y up). Follows the graphics state (q/Q/cm), the text state and form XObjects; counts images.
//! Every operator tolerates missing or wrong operands.

use std::collections::HashMap;
use std::rc::Rc;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::font::{CodeText, Font};
use super::lexer::{Lexer, Operand, Token};
use super::obj;

/// Limits that bound the work on hostile input.
const MAX_FORM_DEPTH: usize = 8;
const MAX_OPS_PER_PAGE: usize = 2_000_000;
/// Form XObjects drawn on one page (a form that draws itself is a bomb).
const MAX_FORMS_PER_PAGE: usize = 5_000;
const MAX_GLYPHS_PER_PAGE: usize = 400_000;
/// Operators interpreted in one document, over all pages (a report needs well under 1M).
const MAX_OPS_PER_DOC: usize = 10_000_000;
/// Glyphs kept in one document, over all pages.
const MAX_GLYPHS_PER_DOC: usize = 4_000_000;
const MAX_SEGS_PER_PAGE: usize = 200_000;
const MAX_STACK: usize = 64;
const CONTENT_LIMIT: usize = 64 << 20;

type Matrix = [f64; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `a × b` in PDF's row-vector convention (apply `a`, then `b`).
fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn apply(m: &Matrix, x: f64, y: f64) -> (f64, f64) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

/// Rulings of a painted path, as `(horizontal, pos, lo, hi)` (see [`Seg`]): stroked
/// horizontal and vertical edges, and filled thin boxes (lines drawn as rectangles); a filled
/// large box is a background, no ruling. Shared with the OFD reader.
pub(crate) fn path_segs(
    path: &[Vec<(f64, f64)>],
    fill: bool,
    mut seg: impl FnMut(bool, f64, f64, f64),
) {
    for sub in path {
        if sub.len() < 2 {
            continue;
        }
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for &(x, y) in sub {
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
        if fill && (y1 - y0) < 2.5 && (x1 - x0) > (y1 - y0) {
            seg(true, (y0 + y1) / 2.0, x0, x1);
            continue;
        }
        if fill && (x1 - x0) < 2.5 && (y1 - y0) > (x1 - x0) {
            seg(false, (x0 + x1) / 2.0, y0, y1);
            continue;
        }
        if fill {
            // A filled box is a background (paragraph or cell shading), not a ruling.
            continue;
        }
        for w in sub.windows(2) {
            let ((ax, ay), (bx, by)) = (w[0], w[1]);
            if (ay - by).abs() < 0.5 {
                seg(true, (ay + by) / 2.0, ax.min(bx), ax.max(bx));
            } else if (ax - bx).abs() < 0.5 {
                seg(false, (ax + bx) / 2.0, ay.min(by), ay.max(by));
            }
        }
    }
}

/// One shown character with its box in user space.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Glyph {
    pub c: char,
    pub x0: f64,
    pub x1: f64,
    pub y0: f64,
    pub y1: f64,
    /// Font size in user space.
    pub size: f64,
}

impl Glyph {
    pub(super) fn cx(&self) -> f64 {
        (self.x0 + self.x1) / 2.0
    }
    pub(super) fn cy(&self) -> f64 {
        (self.y0 + self.y1) / 2.0
    }
}

/// A horizontal (`pos` = y, `lo..hi` in x) or vertical (`pos` = x, `lo..hi` in y) ruling.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Seg {
    pub horizontal: bool,
    pub pos: f64,
    pub lo: f64,
    pub hi: f64,
}

/// What one page draws.
#[derive(Debug, Default)]
pub(crate) struct PageContent {
    pub glyphs: Vec<Glyph>,
    pub segs: Vec<Seg>,
    pub images: usize,
}

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    size: f64,
    char_space: f64,
    word_space: f64,
    hscale: f64,
    leading: f64,
    rise: f64,
}

impl Default for GState {
    fn default() -> Self {
        GState {
            ctm: IDENTITY,
            font: None,
            size: 0.0,
            char_space: 0.0,
            word_space: 0.0,
            hscale: 1.0,
            leading: 0.0,
            rise: 0.0,
        }
    }
}

/// State shared by the pages of one document: fonts keyed by object id (or address for
/// direct dictionaries), decoded forms, and the operator and glyph budgets.
#[derive(Default)]
pub(crate) struct FontCache {
    by_id: HashMap<ObjectId, Rc<Font>>,
    by_addr: HashMap<usize, Rc<Font>>,
    ops: usize,
    glyphs: usize,
    /// Decoded form XObject content, keyed by the stream's address.
    forms: HashMap<usize, Rc<Vec<u8>>>,
}

impl FontCache {
    /// The document's operator budget is spent: later pages are not interpreted.
    pub(crate) fn exhausted(&self) -> bool {
        self.ops > MAX_OPS_PER_DOC
    }
}

pub(crate) struct Interp<'d> {
    doc: &'d Document,
    fonts: &'d mut FontCache,
    gs: GState,
    stack: Vec<GState>,
    tm: Matrix,
    tlm: Matrix,
    /// Current path: subpaths of user-space points.
    path: Vec<Vec<(f64, f64)>>,
    ops: usize,
    forms_drawn: usize,
    pub out: PageContent,
}

fn num(o: &Operand<'_>) -> f64 {
    match o {
        Operand::Num(v) => *v,
        _ => 0.0,
    }
}

impl<'d> Interp<'d> {
    pub(crate) fn new(doc: &'d Document, fonts: &'d mut FontCache, base: Matrix) -> Self {
        Interp {
            doc,
            fonts,
            gs: GState {
                ctm: base,
                ..GState::default()
            },
            stack: Vec::new(),
            tm: IDENTITY,
            tlm: IDENTITY,
            path: Vec::new(),
            ops: 0,
            forms_drawn: 0,
            out: PageContent::default(),
        }
    }

    /// Runs one content stream with its resources.
    pub(crate) fn run(&mut self, content: &[u8], resources: Option<&'d Dictionary>, depth: usize) {
        let mut lx = Lexer::new(content);
        let mut operands: Vec<Operand<'_>> = Vec::new();
        while let Some(tok) = lx.next_token() {
            match tok {
                Token::Operand(o) => {
                    if operands.len() >= MAX_STACK {
                        operands.remove(0);
                    }
                    operands.push(o);
                }
                Token::Op(op) => {
                    self.ops += 1;
                    self.fonts.ops += 1;
                    if self.ops > MAX_OPS_PER_PAGE || self.fonts.ops > MAX_OPS_PER_DOC {
                        return;
                    }
                    self.op(op, &operands, resources, depth);
                    operands.clear();
                }
            }
        }
    }

    fn op(&mut self, op: &[u8], a: &[Operand<'_>], res: Option<&'d Dictionary>, depth: usize) {
        let n = |i: usize| {
            a.len()
                .checked_sub(i)
                .and_then(|k| a.get(k))
                .map_or(0.0, num)
        };
        match op {
            b"q" if self.stack.len() < 256 => self.stack.push(self.gs.clone()),
            b"Q" => {
                if let Some(g) = self.stack.pop() {
                    self.gs = g;
                }
            }
            b"cm" if a.len() >= 6 => {
                let m = [n(6), n(5), n(4), n(3), n(2), n(1)];
                self.gs.ctm = mul(&m, &self.gs.ctm);
            }
            b"BT" => {
                self.tm = IDENTITY;
                self.tlm = IDENTITY;
            }
            b"Tf" if a.len() >= 2 => {
                self.gs.size = n(1);
                if let Some(Operand::Name(name)) = a.get(a.len() - 2) {
                    self.gs.font = self.font(res, name);
                }
            }
            b"Tc" => self.gs.char_space = n(1),
            b"Tw" => self.gs.word_space = n(1),
            b"Tz" => self.gs.hscale = n(1) / 100.0,
            b"TL" => self.gs.leading = n(1),
            b"Ts" => self.gs.rise = n(1),
            b"Td" => self.move_line(n(2), n(1)),
            b"TD" => {
                self.gs.leading = -n(1);
                self.move_line(n(2), n(1));
            }
            b"Tm" if a.len() >= 6 => {
                self.tm = [n(6), n(5), n(4), n(3), n(2), n(1)];
                self.tlm = self.tm;
            }
            b"T*" => self.move_line(0.0, -self.gs.leading),
            b"Tj" => {
                if let Some(Operand::Str(s)) = a.last() {
                    self.show(s);
                }
            }
            b"'" => {
                self.move_line(0.0, -self.gs.leading);
                if let Some(Operand::Str(s)) = a.last() {
                    self.show(s);
                }
            }
            b"\"" => {
                self.gs.word_space = n(3);
                self.gs.char_space = n(2);
                self.move_line(0.0, -self.gs.leading);
                if let Some(Operand::Str(s)) = a.last() {
                    self.show(s);
                }
            }
            b"TJ" => {
                if let Some(Operand::Array(items)) = a.last() {
                    for item in items {
                        match item {
                            Operand::Str(s) => self.show(s),
                            Operand::Num(v) => self.adjust(*v),
                            _ => {}
                        }
                    }
                }
            }
            b"m" => {
                let p = apply(&self.gs.ctm, n(2), n(1));
                self.path.push(vec![p]);
            }
            b"l" => {
                let p = apply(&self.gs.ctm, n(2), n(1));
                match self.path.last_mut() {
                    Some(sub) if sub.len() < 4096 => sub.push(p),
                    Some(_) => {}
                    None => self.path.push(vec![p]),
                }
            }
            b"c" | b"v" | b"y" => {
                // Curves are not rulings: start a fresh subpath at the end point.
                let p = apply(&self.gs.ctm, n(2), n(1));
                self.path.push(vec![p]);
            }
            b"h" => {
                if let Some(sub) = self.path.last_mut() {
                    if let Some(&first) = sub.first() {
                        if sub.len() > 1 && sub.len() < 4096 {
                            sub.push(first);
                        }
                    }
                }
            }
            b"re" if a.len() >= 4 => {
                let (x, y, w, h) = (n(4), n(3), n(2), n(1));
                let m = &self.gs.ctm;
                let pts = vec![
                    apply(m, x, y),
                    apply(m, x + w, y),
                    apply(m, x + w, y + h),
                    apply(m, x, y + h),
                    apply(m, x, y),
                ];
                self.path.push(pts);
            }
            b"S" | b"s" => self.paint(false),
            b"f" | b"F" | b"f*" => self.paint(true),
            b"B" | b"B*" | b"b" | b"b*" => self.paint(false),
            b"n" => self.path.clear(),
            b"Do" => {
                if let Some(Operand::Name(name)) = a.last() {
                    self.xobject(res, name, depth);
                }
            }
            b"EI" => {
                self.out.images += 1;
            }
            _ => {}
        }
        if self.path.len() > 100_000 {
            self.path.clear();
        }
    }

    fn move_line(&mut self, tx: f64, ty: f64) {
        self.tlm = mul(&[1.0, 0.0, 0.0, 1.0, tx, ty], &self.tlm);
        self.tm = self.tlm;
    }

    fn adjust(&mut self, v: f64) {
        let vertical = self.gs.font.as_ref().is_some_and(|f| f.vertical);
        let d = -v / 1000.0 * self.gs.size;
        let t = if vertical {
            [1.0, 0.0, 0.0, 1.0, 0.0, d]
        } else {
            [1.0, 0.0, 0.0, 1.0, d * self.gs.hscale, 0.0]
        };
        self.tm = mul(&t, &self.tm);
    }

    fn show(&mut self, bytes: &[u8]) {
        let font = self.gs.font.clone().unwrap_or_default();
        let gs = &self.gs;
        let (size, hscale, cs, ws) = (gs.size, gs.hscale, gs.char_space, gs.word_space);
        let base = mul(&[size * hscale, 0.0, 0.0, size, 0.0, gs.rise], &IDENTITY);
        let ctm = gs.ctm;
        let mut tm = self.tm;
        let glyphs = &mut self.out.glyphs;
        let before = glyphs.len();
        let cap =
            MAX_GLYPHS_PER_PAGE.min(before + MAX_GLYPHS_PER_DOC.saturating_sub(self.fonts.glyphs));
        font.decode(bytes, |code| {
            let w = code.width * font.scale;
            let trm = mul(&mul(&base, &tm), &ctm);
            let (p0, p1) = if font.vertical {
                (apply(&trm, -0.5, -1.0), apply(&trm, 0.5, 0.0))
            } else {
                (apply(&trm, 0.0, -0.1), apply(&trm, w.max(0.05), 0.8))
            };
            let size_user = (trm[2] * trm[2] + trm[3] * trm[3]).sqrt();
            let mut push = |c: char, k: usize, count: usize| {
                if glyphs.len() >= cap || c.is_whitespace() || c == '\0' {
                    return;
                }
                let (x0, x1) = (p0.0.min(p1.0), p0.0.max(p1.0));
                let step = (x1 - x0) / count as f64;
                glyphs.push(Glyph {
                    c,
                    x0: x0 + step * k as f64,
                    x1: x0 + step * (k + 1) as f64,
                    y0: p0.1.min(p1.1),
                    y1: p0.1.max(p1.1),
                    size: size_user,
                });
            };
            match code.text {
                CodeText::Char(c) => push(c, 0, 1),
                CodeText::Str(s) => {
                    let count = s.chars().count().max(1);
                    for (k, c) in s.chars().enumerate() {
                        push(c, k, count);
                    }
                }
            }
            let extra = cs + if code.word_space { ws } else { 0.0 };
            let t = if font.vertical {
                [1.0, 0.0, 0.0, 1.0, 0.0, -size + extra]
            } else {
                [1.0, 0.0, 0.0, 1.0, (w * size + extra) * hscale, 0.0]
            };
            tm = mul(&t, &tm);
        });
        self.tm = tm;
        self.fonts.glyphs += self.out.glyphs.len() - before;
    }

    /// Turns the current path into rulings (see [`path_segs`]).
    fn paint(&mut self, fill: bool) {
        let path = std::mem::take(&mut self.path);
        path_segs(&path, fill, |h, pos, lo, hi| self.seg(h, pos, lo, hi));
    }

    fn seg(&mut self, horizontal: bool, pos: f64, lo: f64, hi: f64) {
        if hi - lo >= 1.0
            && pos.is_finite()
            && lo.is_finite()
            && hi.is_finite()
            && self.out.segs.len() < MAX_SEGS_PER_PAGE
        {
            self.out.segs.push(Seg {
                horizontal,
                pos,
                lo,
                hi,
            });
        }
    }

    fn font(&mut self, res: Option<&'d Dictionary>, name: &[u8]) -> Option<Rc<Font>> {
        let doc = self.doc;
        let fonts = obj::get_dict(doc, res?, b"Font")?;
        let entry = fonts.get(name).ok()?;
        if let Object::Reference(id) = entry {
            if let Some(f) = self.fonts.by_id.get(id) {
                return Some(f.clone());
            }
            let dict = obj::as_dict(doc, entry)?;
            let f = Rc::new(Font::load(doc, dict));
            self.fonts.by_id.insert(*id, f.clone());
            return Some(f);
        }
        let dict = obj::as_dict(doc, entry)?;
        let addr = dict as *const Dictionary as usize;
        Some(
            self.fonts
                .by_addr
                .entry(addr)
                .or_insert_with(|| Rc::new(Font::load(doc, dict)))
                .clone(),
        )
    }

    fn xobject(&mut self, res: Option<&'d Dictionary>, name: &[u8], depth: usize) {
        let doc = self.doc;
        let Some(xobjects) = res.and_then(|r| obj::get_dict(doc, r, b"XObject")) else {
            return;
        };
        let Some(Object::Stream(stream)) =
            xobjects.get(name).ok().and_then(|o| obj::resolve(doc, o))
        else {
            return;
        };
        match obj::get_name(doc, &stream.dict, b"Subtype") {
            Some(b"Image") => self.out.images += 1,
            Some(b"Form") if depth < MAX_FORM_DEPTH && self.forms_drawn < MAX_FORMS_PER_PAGE => {
                self.forms_drawn += 1;
                // Decoded once per document: a form may be drawn many times.
                let key = stream as *const lopdf::Stream as usize;
                let content = match self.fonts.forms.get(&key) {
                    Some(c) => c.clone(),
                    None => {
                        let c =
                            Rc::new(obj::stream_bytes(stream, CONTENT_LIMIT).unwrap_or_default());
                        self.fonts.forms.insert(key, c.clone());
                        c
                    }
                };
                let matrix = obj::get_array(doc, &stream.dict, b"Matrix")
                    .filter(|m| m.len() == 6)
                    .map(|m| {
                        let v: Vec<f64> =
                            m.iter().map(|o| obj::num(doc, o).unwrap_or(0.0)).collect();
                        [v[0], v[1], v[2], v[3], v[4], v[5]]
                    })
                    .unwrap_or(IDENTITY);
                let form_res = obj::get_dict(doc, &stream.dict, b"Resources").or(res);
                let saved = (self.gs.clone(), self.stack.len(), self.tm, self.tlm);
                self.gs.ctm = mul(&matrix, &self.gs.ctm);
                self.path.clear();
                self.run(&content, form_res, depth + 1);
                self.stack.truncate(saved.1);
                self.gs = saved.0;
                self.tm = saved.2;
                self.tlm = saved.3;
            }
            _ => {}
        }
    }
}
