//! Decoded HTML → a light tree ([`Tree`]) for pages whose markup is orderly, or `None` where
//! the HTML standard's tree builder would do something this reader does not model; the caller
//! then hands the page to html5ever. The tree is the one html5ever builds, as far as the report
//! reader can tell: the same text in the same elements, the same table structure (implied
//! `<tbody>`/`<tr>`, end tags left out), the same `colspan`/`rowspan`, the same `<title>`.
//! Hidden elements (`<script>`, `<style>`…) and elements without text (`<img>`, `<meta>`…)
//! are left out of it.
//!
//! Why: html5ever is most of the cost of reading a portal page, and most pages need little of
//! its error recovery. This reader scans the page once, borrows the text from it, and keeps
//! the rules of the standard for what orderly pages do (end tags left out where the standard
//! allows, `<p>` closed by a block, whitespace between table rows). It gives up, returning
//! `None`, on anything that moves content or rebuilds elements: text or elements directly
//! inside a table outside its cells (foster parenting), misnested formatting elements (the
//! adoption agency), end tags that close elements other than the ones the standard closes
//! quietly, `<select>`, `<textarea>`, foreign content, character references outside a short
//! list, NUL bytes. A differential test (in `parse::html`) checks it against html5ever on
//! every fixture, the demo archive and generated tag soup.

use std::borrow::Cow;

use super::slim::{comment_end, find_byte, is_space, raw_text_end, scan_tag, Attr};

const NONE: u32 = u32::MAX;

/// A node of the light tree.
#[derive(Debug)]
pub(crate) enum Kind<'a> {
    Root,
    Element {
        /// Lower-cased, as html5ever names elements.
        name: Cow<'a, str>,
        colspan: Option<&'a str>,
        rowspan: Option<&'a str>,
    },
    Text(Cow<'a, str>),
}

#[derive(Debug)]
struct Node<'a> {
    kind: Kind<'a>,
    first_child: u32,
    last_child: u32,
    next_sibling: u32,
}

/// The light tree of a page; node 0 is the root.
#[derive(Debug)]
pub(crate) struct Tree<'a> {
    nodes: Vec<Node<'a>>,
}

/// A node of a [`Tree`], to walk it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NodeRef<'t, 'a> {
    tree: &'t Tree<'a>,
    id: u32,
}

impl<'a> Tree<'a> {
    pub(crate) fn root(&self) -> NodeRef<'_, 'a> {
        NodeRef { tree: self, id: 0 }
    }

    fn new() -> Self {
        Tree {
            nodes: vec![Node {
                kind: Kind::Root,
                first_child: NONE,
                last_child: NONE,
                next_sibling: NONE,
            }],
        }
    }

    fn append(&mut self, parent: u32, kind: Kind<'a>) -> u32 {
        let id = self.nodes.len() as u32;
        self.nodes.push(Node {
            kind,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
        });
        let p = &mut self.nodes[parent as usize];
        let prev = std::mem::replace(&mut p.last_child, id);
        if prev == NONE {
            p.first_child = id;
        } else {
            self.nodes[prev as usize].next_sibling = id;
        }
        id
    }

    fn name(&self, id: u32) -> &str {
        match &self.nodes[id as usize].kind {
            Kind::Element { name, .. } => name,
            _ => "",
        }
    }
}

impl<'t, 'a> NodeRef<'t, 'a> {
    pub(crate) fn kind(self) -> &'t Kind<'a> {
        &self.tree.nodes[self.id as usize].kind
    }

    pub(crate) fn children(self) -> impl Iterator<Item = NodeRef<'t, 'a>> {
        let tree = self.tree;
        let first = tree.nodes[self.id as usize].first_child;
        std::iter::successors((first != NONE).then_some(first), move |&id| {
            let next = tree.nodes[id as usize].next_sibling;
            (next != NONE).then_some(next)
        })
        .map(move |id| NodeRef { tree, id })
    }
}

/// The reader gives up on the page (the caller only needs to know that it did).
type Bail = ();

/// Read `text` into a light tree, or `None` when the page needs html5ever.
pub(crate) fn build(text: &str) -> Option<Tree<'_>> {
    if text.as_bytes().contains(&0) {
        return None;
    }
    // html5ever drops a byte order mark at the start of the input.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut b = Builder::new(text);
    b.run().ok()?;
    Some(b.tree)
}

/// Block elements: a start tag of one closes an open `<p>`, its end tag closes it "in scope"
/// after the implied end tags (html5ever 0.40's lists, less `<p>` and the headings).
#[rustfmt::skip]
const BLOCKS: [&str; 26] = [
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div",
    "dl", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "main", "menu",
    "nav", "ol", "search", "section", "summary", "ul", "pre", "listing",
];
/// Elements the standard closes quietly before an end tag ("generate implied end tags"),
/// restricted to the ones this reader lets be open.
const IMPLIED_END: [&str; 4] = ["p", "li", "dd", "dt"];
const HEADINGS: [&str; 6] = ["h1", "h2", "h3", "h4", "h5", "h6"];
/// Void elements without text, left out of the tree (`<br>` and `<hr>` are kept: they break
/// lines).
const VOID_SILENT: [&str; 14] = [
    "meta", "link", "base", "basefont", "bgsound", "img", "input", "wbr", "area", "embed",
    "source", "track", "param", "keygen",
];
/// Raw-text elements the reader never shows: skipped with their content.
const HIDDEN_RAW: [&str; 4] = ["script", "style", "iframe", "noscript"];
/// Start tags in the body this reader does not model.
const GIVE_UP: [&str; 22] = [
    "frameset",
    "frame",
    "template",
    "plaintext",
    "svg",
    "math",
    "textarea",
    "xmp",
    "noembed",
    "noframes",
    "image",
    "select",
    "option",
    "optgroup",
    "rb",
    "rp",
    "rt",
    "rtc",
    "applet",
    "marquee",
    "object",
    "title",
];
/// Where "in button scope" stops looking for an open `<p>`.
const BUTTON_SCOPE: [&str; 10] = [
    "applet", "caption", "html", "table", "td", "th", "marquee", "object", "template", "button",
];
const TABLE_PARTS: [&str; 7] = ["table", "tbody", "thead", "tfoot", "tr", "td", "th"];

/// Elements after which `<li>`/`<dd>` stop looking for an open item to close: the special
/// elements less `address`, `div` and `p`, limited to the ones this reader lets be open.
fn stops_item_search(name: &str) -> bool {
    (is_in(name, &BLOCKS) && !matches!(name, "address" | "div"))
        || is_in(name, &TABLE_PARTS)
        || matches!(name, "body" | "button" | "form")
}

fn is_in(name: &str, set: &[&str]) -> bool {
    set.contains(&name)
}

fn is_ascii_ws(s: &str) -> bool {
    s.bytes().all(is_space)
}

struct Builder<'a> {
    src: &'a str,
    tree: Tree<'a>,
    /// Open elements below `<body>` (node ids); empty before the body starts.
    stack: Vec<u32>,
    body: u32,
    head: u32,
    /// html5ever's form element pointer: set by `<form>`, which is ignored while it is set.
    form_open: bool,
    /// After `<colgroup>` in a table, until its end (the columns carry no text).
    in_colgroup: bool,
    quirks: Quirks,
    /// How many `<p>` are open: most start tags look for one, and a page nested thousands
    /// deep must not make each look walk the whole stack.
    open_p: usize,
    kept: Vec<Attr>,
}

/// The document's mode as html5ever sets it from the doctype; it decides whether `<table>`
/// closes an open `<p>` (it does not in quirks mode).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Quirks {
    /// Nothing but white space and comments so far: a doctype may still come.
    Unset,
    /// No-quirks or limited-quirks: `<table>` closes `<p>`.
    No,
    /// No doctype before the content: quirks mode.
    Yes,
    /// A doctype this reader does not classify.
    Unknown,
}

/// The mode a doctype (the text between `<!DOCTYPE` and `>`) sets, where it is one of the
/// common ones: `<!DOCTYPE html>` and the XHTML 1.0/1.1 doctypes (no-quirks or limited-quirks).
fn doctype_mode(doctype: &str) -> Quirks {
    let ws = |c: char| matches!(c, '\t' | '\n' | '\x0C' | '\r' | ' ');
    let d = doctype.trim_matches(ws);
    let Some(after_name) = d
        .get(..4)
        .filter(|n| n.eq_ignore_ascii_case("html"))
        .map(|_| &d[4..])
    else {
        return Quirks::Unknown;
    };
    if after_name.is_empty() {
        return Quirks::No;
    }
    let rest = after_name.trim_start_matches(ws);
    let spaced = rest.len() < after_name.len();
    if !spaced
        || !rest
            .get(..6)
            .is_some_and(|k| k.eq_ignore_ascii_case("public"))
    {
        return Quirks::Unknown;
    }
    let Some((public, after)) = quoted(rest[6..].trim_start_matches(ws)) else {
        return Quirks::Unknown;
    };
    let public = public.to_ascii_lowercase();
    let xhtml = [
        "-//w3c//dtd xhtml 1.0 transitional//",
        "-//w3c//dtd xhtml 1.0 frameset//",
        "-//w3c//dtd xhtml 1.0 strict//",
        "-//w3c//dtd xhtml 1.1//",
    ];
    let after = after.trim_start_matches(ws);
    let system_ok = after.is_empty()
        || quoted(after).is_some_and(|(system, tail)| {
            tail.trim_start_matches(ws).is_empty() && system.starts_with("http://www.w3.org/")
        });
    if xhtml.iter().any(|x| public.starts_with(x)) && system_ok {
        Quirks::No
    } else {
        Quirks::Unknown
    }
}

/// A quoted string at the start of `s` and what follows it.
fn quoted(s: &str) -> Option<(&str, &str)> {
    let q = s.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let end = s[1..].find(q)? + 1;
    Some((&s[1..end], &s[end + 1..]))
}

/// One tag as scanned.
struct Tag<'a> {
    name: Cow<'a, str>,
    colspan: Option<&'a str>,
    rowspan: Option<&'a str>,
    /// The byte after the tag's `>`.
    end: usize,
}

impl<'a> Builder<'a> {
    fn new(src: &'a str) -> Self {
        Builder {
            src,
            tree: Tree::new(),
            stack: Vec::new(),
            body: NONE,
            head: NONE,
            form_open: false,
            in_colgroup: false,
            quirks: Quirks::Unset,
            open_p: 0,
            kept: Vec::new(),
        }
    }

    fn run(&mut self) -> Result<(), Bail> {
        let b = self.src.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let lt = find_byte(b, i, b'<').unwrap_or(b.len());
            if lt > i {
                self.text(&self.src[i..lt])?;
            }
            if lt >= b.len() {
                break;
            }
            i = self.markup(lt)?;
        }
        Ok(())
    }

    /// The markup at `lt` (a `<`): returns where reading goes on.
    fn markup(&mut self, lt: usize) -> Result<usize, Bail> {
        let b = self.src.as_bytes();
        match b.get(lt + 1).copied() {
            Some(c) if c.is_ascii_alphabetic() => {
                self.content_seen();
                let tag = self.tag(lt + 1)?;
                self.start(tag)
            }
            Some(b'/') => match b.get(lt + 2).copied() {
                Some(c) if c.is_ascii_alphabetic() => {
                    self.content_seen();
                    let tag = self.tag(lt + 2)?;
                    self.end(&tag.name)?;
                    Ok(tag.end)
                }
                Some(b'>') => Ok(lt + 3),
                Some(_) => bogus_comment_end(b, lt + 2),
                None => Err(()),
            },
            Some(b'!') if b[lt..].starts_with(b"<!--") => comment_end(b, lt + 4).ok_or(()),
            Some(b'!')
                if b.get(lt + 2..lt + 9)
                    .is_some_and(|d| d.eq_ignore_ascii_case(b"doctype")) =>
            {
                let end = bogus_comment_end(b, lt + 2)?;
                if self.quirks == Quirks::Unset {
                    self.quirks = doctype_mode(&self.src[lt + 9..end - 1]);
                }
                Ok(end)
            }
            Some(b'!' | b'?') => bogus_comment_end(b, lt + 2),
            _ => {
                self.text("<")?;
                Ok(lt + 1)
            }
        }
    }

    fn tag(&mut self, at: usize) -> Result<Tag<'a>, Bail> {
        self.kept.clear();
        let (name, end) = scan_tag(self.src.as_bytes(), at, &mut self.kept).ok_or(())?;
        let raw = &self.src[name];
        let name = if raw.bytes().any(|c| c.is_ascii_uppercase()) {
            Cow::Owned(raw.to_ascii_lowercase())
        } else {
            Cow::Borrowed(raw)
        };
        let (mut colspan, mut rowspan) = (None, None);
        for attr in &self.kept {
            let value = &self.src[attr.value.clone()];
            // html5ever keeps the first of repeated attributes; it decodes references in values.
            if value.contains('&') {
                return Err(());
            }
            let slot = if self.src[attr.name.clone()].eq_ignore_ascii_case("colspan") {
                &mut colspan
            } else {
                &mut rowspan
            };
            slot.get_or_insert(value);
        }
        Ok(Tag {
            name,
            colspan,
            rowspan,
            end,
        })
    }

    fn top(&self) -> u32 {
        self.stack.last().copied().unwrap_or(self.body)
    }

    fn top_name(&self) -> &str {
        self.stack.last().map_or("body", |&id| self.tree.name(id))
    }

    fn in_table_context(&self) -> bool {
        matches!(
            self.top_name(),
            "table" | "tbody" | "thead" | "tfoot" | "tr"
        )
    }

    fn ensure_body(&mut self) {
        if self.body == NONE {
            self.body = self.tree.append(0, element("body"));
        }
    }

    fn push(&mut self, name: Cow<'a, str>, colspan: Option<&'a str>, rowspan: Option<&'a str>) {
        let id = self.tree.append(
            self.top(),
            Kind::Element {
                name,
                colspan,
                rowspan,
            },
        );
        self.stack.push(id);
        self.open_p += usize::from(self.tree.name(id) == "p");
    }

    /// Close the open elements above the first `len`.
    fn pop_to(&mut self, len: usize) {
        for &id in &self.stack[len.min(self.stack.len())..] {
            self.open_p -= usize::from(self.tree.name(id) == "p");
        }
        self.stack.truncate(len);
    }

    fn push_named(&mut self, name: &'static str) {
        self.push(Cow::Borrowed(name), None, None);
    }

    /// An element opened and closed at once (`<br>`, `<hr>`, the `<p>` of a stray `</p>`).
    fn append_empty(&mut self, name: &'static str) {
        self.tree.append(self.top(), element(name));
    }

    /// Content before any doctype puts the document in quirks mode.
    fn content_seen(&mut self) {
        if self.quirks == Quirks::Unset {
            self.quirks = Quirks::Yes;
        }
    }

    fn text(&mut self, raw: &'a str) -> Result<(), Bail> {
        let blank = is_ascii_ws(raw);
        if !blank {
            self.content_seen();
        }
        if self.body == NONE {
            if blank {
                return Ok(());
            }
            self.ensure_body();
        }
        if self.in_colgroup {
            if blank {
                return Ok(());
            }
            self.in_colgroup = false;
        }
        if self.in_table_context() {
            // Whitespace between rows stays in the table; any other text is moved before it.
            return if blank { Ok(()) } else { Err(()) };
        }
        let text = decode_references(raw)?;
        self.tree.append(self.top(), Kind::Text(text));
        Ok(())
    }

    fn start(&mut self, tag: Tag<'a>) -> Result<usize, Bail> {
        let end = tag.end;
        if self.body == NONE {
            match &*tag.name {
                "html" | "head" => return Ok(end),
                "meta" | "link" | "base" | "basefont" | "bgsound" => return Ok(end),
                "title" => return self.head_title(end),
                "script" | "style" | "noscript" | "noframes" => {
                    return skip_raw_text(self.src, end, &tag.name);
                }
                "template" | "frameset" => return Err(()),
                "body" => {
                    self.ensure_body();
                    return Ok(end);
                }
                _ => self.ensure_body(),
            }
        }
        if self.in_colgroup {
            if tag.name == "col" {
                return Ok(end);
            }
            self.in_colgroup = false;
        }
        let name = &*tag.name;
        if is_in(name, &HIDDEN_RAW) {
            return skip_raw_text(self.src, end, name);
        }
        if is_in(name, &TABLE_PARTS[1..]) && !self.in_table_context() {
            // In a cell, a row or cell tag first closes the cell; elsewhere html5ever ignores it.
            self.close_cell()?;
        }
        if self.in_table_context() {
            self.table_start(tag)?;
            return Ok(end);
        }
        match name {
            "html" | "body" | "head" => {}
            "br" => self.append_empty("br"),
            "hr" => {
                self.close_p()?;
                self.append_empty("hr");
            }
            _ if is_in(name, &VOID_SILENT) => {}
            _ if is_in(name, &GIVE_UP) => return Err(()),
            "caption" | "col" | "colgroup" => return Err(()),
            "form" => {
                if !self.form_open {
                    self.close_p()?;
                    self.form_open = true;
                    self.push(tag.name, None, None);
                }
            }
            "li" => {
                self.close_item(&["li"])?;
                self.close_p()?;
                self.push(tag.name, None, None);
            }
            "dd" | "dt" => {
                self.close_item(&["dd", "dt"])?;
                self.close_p()?;
                self.push(tag.name, None, None);
            }
            _ if is_in(name, &HEADINGS) => {
                self.close_p()?;
                if is_in(self.top_name(), &HEADINGS) {
                    return Err(());
                }
                self.push(tag.name, None, None);
            }
            "table" => {
                match self.quirks {
                    Quirks::No => self.close_p()?,
                    Quirks::Yes => {}
                    Quirks::Unset | Quirks::Unknown => {
                        if self.p_in_button_scope() {
                            return Err(());
                        }
                    }
                }
                self.push(tag.name, None, None);
            }
            _ if is_in(name, &BLOCKS) || name == "p" => {
                self.close_p()?;
                self.push(tag.name, tag.colspan, tag.rowspan);
            }
            "a" | "nobr" | "button" => {
                if self.open_since_cell(name) {
                    return Err(());
                }
                self.push(tag.name, None, None);
            }
            _ => self.push(tag.name, tag.colspan, tag.rowspan),
        }
        Ok(end)
    }

    /// A start tag while the current node is a table, row group or row.
    fn table_start(&mut self, tag: Tag<'a>) -> Result<(), Bail> {
        match &*tag.name {
            "tr" => {
                self.clear_to(&["table", "tbody", "thead", "tfoot"]);
                if self.top_name() == "table" {
                    self.push_named("tbody");
                }
                self.push(tag.name, None, None);
            }
            "td" | "th" => {
                self.clear_to(&["table", "tbody", "thead", "tfoot", "tr"]);
                if self.top_name() == "table" {
                    self.push_named("tbody");
                }
                if self.top_name() != "tr" {
                    self.push_named("tr");
                }
                self.push(tag.name, tag.colspan, tag.rowspan);
            }
            "tbody" | "thead" | "tfoot" => {
                self.clear_to(&["table"]);
                self.push(tag.name, None, None);
            }
            "col" if self.top_name() == "table" => {}
            "colgroup" if self.top_name() == "table" => self.in_colgroup = true,
            _ => return Err(()),
        }
        Ok(())
    }

    /// Pop until the current node is one of `names` (row groups and rows only: the caller
    /// is in table context).
    fn clear_to(&mut self, names: &[&str]) {
        while !is_in(self.top_name(), names) && !self.stack.is_empty() {
            self.pop_to(self.stack.len().saturating_sub(1));
        }
    }

    fn head_title(&mut self, end: usize) -> Result<usize, Bail> {
        let close = raw_text_end(self.src.as_bytes(), end, b"title").ok_or(())?;
        let content = &self.src[end..close.start];
        if self.head == NONE {
            self.head = self.tree.append(0, element("head"));
        }
        let title = self.tree.append(self.head, element("title"));
        let text = decode_references(content)?;
        if !text.is_empty() {
            self.tree.append(title, Kind::Text(text));
        }
        Ok(close.end)
    }

    /// html5ever's "close a p element in button scope", where the `<p>` is the current node.
    fn close_p(&mut self) -> Result<(), Bail> {
        match self.p_depth() {
            Some(0) => {
                self.pop_to(self.stack.len().saturating_sub(1));
                Ok(())
            }
            Some(_) => Err(()),
            None => Ok(()),
        }
    }

    fn p_in_button_scope(&self) -> bool {
        self.p_depth().is_some()
    }

    /// How far below the current node an open `<p>` is, within button scope.
    fn p_depth(&self) -> Option<usize> {
        if self.open_p == 0 {
            return None;
        }
        for (depth, &id) in self.stack.iter().rev().enumerate() {
            let name = self.tree.name(id);
            if name == "p" {
                return Some(depth);
            }
            if is_in(name, &BUTTON_SCOPE) {
                break;
            }
        }
        None
    }

    /// `<li>`, `<dd>`, `<dt>` close an open item of their kind, across `<p>`, `<div>` and
    /// `<address>` only.
    fn close_item(&mut self, items: &[&str]) -> Result<(), Bail> {
        let mut crossed_other = false;
        for (depth, &id) in self.stack.iter().rev().enumerate() {
            let name = self.tree.name(id);
            if is_in(name, items) {
                if crossed_other {
                    return Err(());
                }
                self.pop_to(self.stack.len() - depth - 1);
                return Ok(());
            }
            if stops_item_search(name) {
                return Ok(());
            }
            crossed_other |= !matches!(name, "p" | "div" | "address");
        }
        Ok(())
    }

    /// Whether `name` is open since the innermost cell (or anywhere, outside tables).
    fn open_since_cell(&self, name: &str) -> bool {
        self.stack
            .iter()
            .rev()
            .map(|&id| self.tree.name(id))
            .take_while(|n| !matches!(*n, "td" | "th"))
            .any(|n| n == name)
    }

    /// Close the innermost cell when it is open above the innermost table; give up when there
    /// is no cell to close (html5ever would ignore the tag).
    fn close_cell(&mut self) -> Result<(), Bail> {
        for (depth, &id) in self.stack.iter().rev().enumerate() {
            match self.tree.name(id) {
                "td" | "th" => {
                    self.pop_to(self.stack.len() - depth - 1);
                    return Ok(());
                }
                "table" => return Err(()),
                _ => {}
            }
        }
        Err(())
    }

    fn end(&mut self, name: &str) -> Result<(), Bail> {
        if self.body == NONE {
            match name {
                "body" | "html" => self.ensure_body(),
                "br" => {
                    self.ensure_body();
                    self.append_empty("br");
                }
                _ => {}
            }
            return Ok(());
        }
        if self.in_colgroup {
            match name {
                "colgroup" => {
                    self.in_colgroup = false;
                    return Ok(());
                }
                "col" => return Ok(()),
                _ => self.in_colgroup = false,
            }
        }
        if is_in(name, &TABLE_PARTS) {
            return self.end_table_part(name);
        }
        if self.in_table_context() {
            return if matches!(name, "body" | "html") {
                Ok(())
            } else {
                Err(())
            };
        }
        match name {
            "body" | "html" => Ok(()),
            "br" => {
                self.append_empty("br");
                Ok(())
            }
            "p" => {
                if self.top_name() == "p" {
                    self.pop_to(self.stack.len().saturating_sub(1));
                } else if self.open_p > 0 {
                    return Err(());
                } else {
                    self.append_empty("p");
                }
                Ok(())
            }
            "form" => {
                self.form_open = false;
                self.end_exact(name)
            }
            _ if is_in(name, &HEADINGS) => self.end_scoped(|n| is_in(n, &HEADINGS)),
            _ if is_in(name, &BLOCKS) || matches!(name, "button" | "li" | "dd" | "dt") => {
                self.end_scoped(|n| n == name)
            }
            _ => self.end_exact(name),
        }
    }

    fn is_open(&self, name: &str) -> bool {
        self.stack.iter().any(|&id| self.tree.name(id) == name)
    }

    /// An end tag that closes its element only when it is the current node (formatting
    /// elements, ordinary elements): otherwise html5ever either ignores it or rebuilds
    /// elements, and this reader gives up unless the element is not open at all.
    fn end_exact(&mut self, name: &str) -> Result<(), Bail> {
        if self.top_name() == name && !self.stack.is_empty() {
            self.pop_to(self.stack.len().saturating_sub(1));
            Ok(())
        } else if self.is_open(name) {
            Err(())
        } else {
            Ok(())
        }
    }

    /// An end tag closing its element across implied end tags (`</div>` over an open `<p>`).
    fn end_scoped(&mut self, matches: impl Fn(&str) -> bool) -> Result<(), Bail> {
        for (depth, &id) in self.stack.iter().rev().enumerate() {
            let n = self.tree.name(id);
            if matches(n) {
                self.pop_to(self.stack.len() - depth - 1);
                return Ok(());
            }
            if !is_in(n, &IMPLIED_END) {
                break;
            }
        }
        if self.stack.iter().any(|&id| matches(self.tree.name(id))) {
            Err(())
        } else {
            Ok(())
        }
    }

    /// `</td>`…`</table>`: closes its element and whatever is open in it, within the innermost
    /// table; gives up when the element is not open there.
    fn end_table_part(&mut self, name: &str) -> Result<(), Bail> {
        for (depth, &id) in self.stack.iter().rev().enumerate() {
            let n = self.tree.name(id);
            if n == name {
                self.pop_to(self.stack.len() - depth - 1);
                return Ok(());
            }
            if n == "table" {
                return Err(());
            }
        }
        // No table open at all: html5ever ignores the tag.
        Ok(())
    }
}

fn element(name: &'static str) -> Kind<'static> {
    Kind::Element {
        name: Cow::Borrowed(name),
        colspan: None,
        rowspan: None,
    }
}

/// Where reading goes on after a text-only element whose content starts at `from`.
fn skip_raw_text(src: &str, from: usize, name: &str) -> Result<usize, Bail> {
    raw_text_end(src.as_bytes(), from, name.as_bytes())
        .map(|r| r.end)
        .ok_or(())
}

fn bogus_comment_end(b: &[u8], from: usize) -> Result<usize, Bail> {
    find_byte(b, from, b'>').map(|e| e + 1).ok_or(())
}

/// Named character references this reader decodes (with their `;`); any other gives up.
const NAMED: [(&str, char); 28] = [
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{a0}'),
    ("ensp", '\u{2002}'),
    ("emsp", '\u{2003}'),
    ("thinsp", '\u{2009}'),
    ("ldquo", '\u{201c}'),
    ("rdquo", '\u{201d}'),
    ("lsquo", '\u{2018}'),
    ("rsquo", '\u{2019}'),
    ("middot", '\u{b7}'),
    ("hellip", '\u{2026}'),
    ("mdash", '\u{2014}'),
    ("ndash", '\u{2013}'),
    ("times", '\u{d7}'),
    ("divide", '\u{f7}'),
    ("deg", '\u{b0}'),
    ("plusmn", '\u{b1}'),
    ("copy", '\u{a9}'),
    ("reg", '\u{ae}'),
    ("yen", '\u{a5}'),
    ("bull", '\u{2022}'),
    ("permil", '\u{2030}'),
    ("laquo", '\u{ab}'),
    ("raquo", '\u{bb}'),
];

/// Text with its character references decoded, as html5ever decodes them in text.
fn decode_references(raw: &str) -> Result<Cow<'_, str>, Bail> {
    if !raw.contains('&') {
        return Ok(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let (ch, used) = reference(after)?;
        out.push(ch.unwrap_or('&'));
        rest = &after[used..];
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

/// The reference after a `&`: the character and the bytes it used, or `None` for a `&` that
/// starts none (followed by a space, say).
fn reference(after: &str) -> Result<(Option<char>, usize), Bail> {
    let b = after.as_bytes();
    match b.first() {
        Some(b'#') => {
            let (hex, digits_at) = match b.get(1) {
                Some(b'x' | b'X') => (true, 2),
                _ => (false, 1),
            };
            let len = b[digits_at..]
                .iter()
                .take_while(|c| {
                    if hex {
                        c.is_ascii_hexdigit()
                    } else {
                        c.is_ascii_digit()
                    }
                })
                .count();
            if len == 0 || len > 7 || b.get(digits_at + len) != Some(&b';') {
                return Err(());
            }
            let digits = &after[digits_at..digits_at + len];
            let n = u32::from_str_radix(digits, if hex { 16 } else { 10 }).map_err(|_| ())?;
            let plain = matches!(n, 0x09 | 0x0A | 0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0x10FFFF);
            let c = char::from_u32(n).filter(|_| plain).ok_or(())?;
            Ok((Some(c), digits_at + len + 1))
        }
        Some(c) if c.is_ascii_alphanumeric() => {
            let len = b.iter().take_while(|c| c.is_ascii_alphanumeric()).count();
            if b.get(len) != Some(&b';') {
                return Err(());
            }
            let name = &after[..len];
            let c = NAMED
                .iter()
                .find(|(n, _)| *n == name)
                .map(|&(_, c)| c)
                .ok_or(())?;
            Ok((Some(c), len + 1))
        }
        _ => Ok((None, 0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepts(page: &str) -> bool {
        build(page).is_some()
    }

    #[test]
    fn gives_up_on_what_it_does_not_model() {
        for page in [
            "<table><tr><td>1</td></tr>stray</table>",
            "<p><b>x</p>y",
            "<table><tr><td>1<select><option>a</select></td></tr></table>",
            "a &copy2019 b",
            "<svg><p></svg>",
            "<div><span>x</div>",
            "x\0y",
        ] {
            assert!(!accepts(page), "{page}");
        }
    }

    #[test]
    fn reads_orderly_pages() {
        for page in [
            "<!DOCTYPE html><html><head><title>t</title><script>if (a<b) {}</script></head>\
             <body><p>a<p>b<div>c</div><table><tr><td>1<td>2</table></body></html>",
            "<ul><li>a<li>b</ul><p>x &amp; y &#20320;&nbsp;</p>",
            "<table><colgroup><col><col></colgroup><tbody><tr><th rowspan=2>a</th></tr></tbody></table>",
        ] {
            assert!(accepts(page), "{page}");
        }
    }

    #[test]
    fn doctypes_that_set_the_mode() {
        assert_eq!(doctype_mode(" html"), Quirks::No);
        assert_eq!(doctype_mode("HTML "), Quirks::No);
        assert_eq!(
            doctype_mode(
                " html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \
                 \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\""
            ),
            Quirks::No
        );
        // HTML 4.01 Transitional without a system identifier is quirks mode; a quote left
        // open forces quirks; neither is classified, so `<table>` in `<p>` gives up.
        assert_eq!(
            doctype_mode(" HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\""),
            Quirks::Unknown
        );
        assert_eq!(
            doctype_mode(" html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN"),
            Quirks::Unknown
        );
        assert_eq!(doctype_mode(""), Quirks::Unknown);
    }

    #[test]
    fn a_table_in_a_paragraph_follows_the_mode() {
        // No doctype: quirks mode, the table stays in the paragraph.
        assert!(accepts("<p>a<table><tr><td>1</table><b>x</b><div>"));
        // Unclassified doctype: the reader cannot tell, so it gives up.
        assert!(!accepts(
            "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\"><p>a<table>"
        ));
        assert!(accepts("<!DOCTYPE html><p>a<table><tr><td>1</table>"));
    }

    #[test]
    fn references() {
        assert_eq!(decode_references("a&lt;b &amp c").ok(), None);
        assert_eq!(
            decode_references("a&lt;b & c&#x4E00;").ok().as_deref(),
            Some("a<b & c一")
        );
    }
}
