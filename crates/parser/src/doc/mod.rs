//! Word 97–2003 `.doc` and WPS `.wps` bytes (an OLE compound file with a `WordDocument`
//! stream) → [`Document`]: the FIB, the CLX piece table (CP1252 and UTF-16LE pieces), then
//! paragraphs as lines and table rows as rows of logical cells, told apart by the paragraph
//! properties (sprmPFInTable, sprmPFTtp, sprmPItap, the inner-table marks), never by guessing.
//! Vertically merged continuation cells are omitted like a rowspan (as the DOCX reader does);
//! field codes, deleted revisions and hidden text are not text.
//! Encrypted files, Word 6/95 files and OLE files of other programs are named, not read.

mod binary;

use std::io::Read;

use binary::{FkpKind, Pap, Piece, Printed, Run};
use nianbao_model::document::{Block, Document, Loc};

use crate::docx::{emit_row, CellOut, Item, Merge, VMerge};

/// Largest stream read from the compound file.
const STREAM_LIMIT: u64 = 64 << 20;
/// Deepest table nesting followed.
const MAX_NESTING: usize = 64;

/// Why a Word/WPS binary file could not be read into a [`Document`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DocError {
    /// The bytes are not an OLE compound file, or its directory is damaged; holds the OLE
    /// library's message.
    #[error("not a readable OLE compound file: {0}")]
    Ole(String),
    /// An OLE compound file without a `WordDocument` stream: another program's document
    /// (named by its streams), not a Word/WPS text document.
    #[error(
        "an OLE compound file of {variant} (streams: {streams}), not a Word/WPS text document"
    )]
    NotWord {
        /// What the streams suggest the file is.
        variant: &'static str,
        /// The names of the streams at the top of the file.
        streams: String,
    },
    /// A Word 6.0/95 binary (`nFib` below 0x00C1), whose text layout differs; not read.
    #[error("a Word 6.0/95 binary document (nFib {nfib:#06x}): convert it to DOCX or PDF first")]
    Word95 {
        /// The `nFib` of the file.
        nfib: u16,
    },
    /// The document is encrypted or obfuscated (password-protected); its text cannot be read.
    #[error("the document is password-protected (encrypted); its text cannot be read")]
    Encrypted,
    /// The table stream the FIB names (`0Table` or `1Table`) is missing.
    #[error("the {0} stream named by the FIB is missing")]
    NoTableStream(&'static str),
    /// The CLX holds no piece table, so the text cannot be located exactly.
    #[error("the document has no readable piece table (CLX)")]
    NoPieceTable,
    /// A structure is damaged; says which.
    #[error("the Word binary structure is damaged: {0}")]
    Corrupt(&'static str),
    /// A stream is larger than 64 MiB.
    #[error("the {0} stream is larger than {STREAM_LIMIT} bytes")]
    TooLarge(&'static str),
    /// The reader panicked (caught); a bug in nianbao or a dependency, not in the file.
    #[error("internal error while reading the Word binary (a bug: please report the file)")]
    Internal,
}

/// Who wrote a Word binary file, judged from its streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Producer {
    /// Microsoft Word, LibreOffice or another producer of plain Word 97–2003 files.
    Word,
    /// WPS Office (Kingsoft): its own streams beside `WordDocument` (`WpsCustomData`) or its
    /// `KSOProductBuildVer` document property.
    Wps,
}

/// A Word binary document read: its blocks and who wrote it.
#[derive(Debug)]
pub struct DocRead {
    /// The layout-neutral document.
    pub document: Document,
    /// Who wrote the file.
    pub producer: Producer,
}

type Compound<'a> = cfb::CompoundFile<std::io::Cursor<&'a [u8]>>;

/// Reads a `.doc`/`.wps` into blocks: one `Row` per table row, one `Line` per paragraph.
pub fn read_doc(bytes: &[u8]) -> Result<Document, DocError> {
    read_doc_with_producer(bytes).map(|r| r.document)
}

/// [`read_doc`], also telling who wrote the file.
pub fn read_doc_with_producer(bytes: &[u8]) -> Result<DocRead, DocError> {
    std::panic::catch_unwind(|| {
        let mut ole = cfb::CompoundFile::open(std::io::Cursor::new(bytes))
            .map_err(|e| DocError::Ole(e.to_string()))?;
        let names: Vec<String> = ole
            .read_root_storage()
            .map(|e| e.name().to_string())
            .collect();
        if !ole.is_stream("/WordDocument") {
            return Err(DocError::NotWord {
                variant: variant(&names),
                streams: names.join(", "),
            });
        }
        let producer = if names
            .iter()
            .any(|n| n.starts_with("Wps") || n.starts_with("WPS") || n.starts_with("KSO"))
            || kso_property(&mut ole)
        {
            Producer::Wps
        } else {
            Producer::Word
        };
        let wd = stream(&mut ole, "WordDocument")?;
        let fib = binary::fib(&wd)?;
        let table_name = if fib.table1 { "1Table" } else { "0Table" };
        if !ole.is_stream(table_name) {
            return Err(DocError::NoTableStream(table_name));
        }
        let table = stream(&mut ole, table_name)?;
        let data = if ole.is_stream("Data") {
            stream(&mut ole, "Data")?
        } else {
            Vec::new()
        };
        let mut document = read_streams(&wd, &table, &data, &fib)?;
        document.title = title(&mut ole);
        Ok(DocRead { document, producer })
    })
    .unwrap_or(Err(DocError::Internal))
}

/// WPS Office names itself in a user-defined property, `KSOProductBuildVer`, of the
/// `\u{5}DocumentSummaryInformation` stream (as a codepage or UTF-16 string).
fn kso_property(ole: &mut Compound<'_>) -> bool {
    let name = "\u{5}DocumentSummaryInformation";
    let mut b = Vec::new();
    let read = ole
        .open_stream(name)
        .map(|s| s.take(64 << 10).read_to_end(&mut b));
    if !matches!(read, Ok(Ok(_))) {
        return false;
    }
    let key = "KSOProductBuildVer";
    let wide: Vec<u8> = key.encode_utf16().flat_map(u16::to_le_bytes).collect();
    memchr::memmem::find(&b, key.as_bytes()).is_some() || memchr::memmem::find(&b, &wide).is_some()
}

/// What an OLE file without a `WordDocument` stream is, from its streams.
fn variant(names: &[String]) -> &'static str {
    let has = |n: &str| names.iter().any(|s| s.eq_ignore_ascii_case(n));
    if has("Workbook") || has("Book") {
        "a spreadsheet (.xls/.et)"
    } else if has("CONTENTS") {
        "Microsoft Works or an old WPS version (a CONTENTS stream)"
    } else if has("MatOST") || has("MN0") {
        "Microsoft Works Word Processor 3/4"
    } else if has("PowerPoint Document") {
        "a presentation (.ppt/.dps)"
    } else if has("EncryptedPackage") {
        "an encrypted Office Open XML document"
    } else {
        "an unknown program"
    }
}

fn stream(ole: &mut Compound<'_>, name: &'static str) -> Result<Vec<u8>, DocError> {
    let s = ole
        .open_stream(name)
        .map_err(|e| DocError::Ole(e.to_string()))?;
    let mut out = Vec::new();
    s.take(STREAM_LIMIT + 1)
        .read_to_end(&mut out)
        .map_err(|e| DocError::Ole(e.to_string()))?;
    if out.len() as u64 > STREAM_LIMIT {
        return Err(DocError::TooLarge(name));
    }
    Ok(out)
}

/// One character of the main text with where it is stored.
struct Char {
    ch: u16,
    fc: u64,
    piece: usize,
}

/// The main document's characters, piece by piece. Each character is stored in at least one
/// byte of the stream, so more characters than bytes means pieces that overlap (damage).
fn characters(wd: &[u8], pieces: &[Piece], ccp_text: u32) -> Result<Vec<Char>, DocError> {
    let mut out = Vec::new();
    for (i, p) in pieces.iter().enumerate() {
        if p.cp >= ccp_text {
            break;
        }
        let end = p.cp_end.min(ccp_text);
        if out.len() + (end - p.cp) as usize > wd.len() {
            return Err(DocError::Corrupt("the pieces of the text overlap"));
        }
        for cp in p.cp..end {
            let fc = p.fc_of(cp);
            let Ok(at) = usize::try_from(fc) else {
                return Err(DocError::Corrupt(
                    "a piece lies outside the WordDocument stream",
                ));
            };
            let ch = if p.compressed {
                wd.get(at).map(|&b| cp1252(b))
            } else {
                wd.get(at..at + 2).map(|s| u16::from_le_bytes([s[0], s[1]]))
            };
            let Some(ch) = ch else {
                return Err(DocError::Corrupt(
                    "a piece lies outside the WordDocument stream",
                ));
            };
            out.push(Char { ch, fc, piece: i });
        }
    }
    Ok(out)
}

/// A byte of a compressed piece as UTF-16 (CP1252, as [MS-DOC] 2.4.1 maps 0x80–0x9F).
fn cp1252(b: u8) -> u16 {
    const HIGH: [u16; 32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ];
    match b {
        0x80..=0x9F => HIGH[usize::from(b - 0x80)],
        _ => u16::from(b),
    }
}

/// The document from the three streams.
fn read_streams(
    wd: &[u8],
    table: &[u8],
    data: &[u8],
    fib: &binary::Fib,
) -> Result<Document, DocError> {
    let clx = binary::clx(table, fib)?;
    let papx = binary::runs(wd, table, fib.bte_papx, FkpKind::Papx)?;
    let chpx = binary::runs(wd, table, fib.bte_chpx, FkpKind::Chpx)?;
    let chars = characters(wd, &clx.pieces, fib.ccp_text)?;
    let piece_sprms: Vec<Vec<u8>> = clx
        .pieces
        .iter()
        .map(|p| binary::prm_sprms(p.prm, &clx.prcs))
        .collect();
    let piece_printed: Vec<Printed> = piece_sprms.iter().map(|g| Printed::of(g)).collect();
    let mut st = State::default();
    let mut fields: Vec<bool> = Vec::new();
    let mut text: Vec<u16> = Vec::new();
    for c in &chars {
        let shown = !fields.iter().any(|code| *code);
        match c.ch {
            0x0D | 0x07 | 0x0C => {
                let pap = pap_at(&papx, data, c.fc, &piece_sprms[c.piece]);
                let para = String::from_utf16_lossy(&text);
                text.clear();
                st.paragraph(para, c.ch == 0x07, &pap);
            }
            0x13 => {
                if fields.len() < 1024 {
                    fields.push(true);
                }
            }
            0x14 => {
                if let Some(top) = fields.last_mut() {
                    *top = false;
                }
            }
            0x15 => {
                fields.pop();
            }
            _ if !shown || !printed(&chpx, c.fc, piece_printed[c.piece]) => {}
            0x09 | 0x0B | 0x0E => text.push(u16::from(b' ')),
            0x1E => text.push(u16::from(b'-')),
            // Picture, drawn-object, footnote and annotation anchors; optional hyphen.
            0x01..=0x08 | 0x1F => {}
            ch => text.push(ch),
        }
    }
    if !text.is_empty() {
        st.paragraph(String::from_utf16_lossy(&text), false, &Pap::default());
    }
    Ok(st.finish())
}

/// The paragraph properties of the paragraph whose mark is at byte `fc`.
fn pap_at(papx: &[Run<'_>], data: &[u8], fc: u64, piece: &[u8]) -> Pap {
    let mut pap = Pap::default();
    if let Some(run) = binary::run_at(papx, fc) {
        pap.apply(run.grpprl);
        if let Some(at) = pap.huge.take() {
            // sprmPHugePapx: the real grpprl is a PrcData (cbGrpprl, grpprl) in the Data stream.
            let at = at as usize;
            let cb = data
                .get(at..at + 2)
                .map_or(0, |s| usize::from(u16::from_le_bytes([s[0], s[1]])));
            if let Some(g) = data.get(at + 2..at + 2 + cb) {
                pap.apply(g);
            }
        }
    }
    pap.apply(piece);
    pap
}

/// Whether the character stored at `fc` is printed: not a deleted revision, not hidden.
fn printed(chpx: &[Run<'_>], fc: u64, piece: Printed) -> bool {
    let own = binary::run_at(chpx, fc).map_or_else(Default::default, |r| Printed::of(r.grpprl));
    !own.then(piece).suppressed()
}

/// A table being read at one nesting depth.
#[derive(Default)]
struct Table {
    index: u32,
    rows: u32,
    blocks: Vec<Block>,
    /// Finished cells of the current row and the paragraphs of the current cell.
    cells: Vec<Vec<Item>>,
    items: Vec<Item>,
    /// Every cell boundary seen in the table's rows (twips), for grid columns.
    pending: Vec<PendingRow>,
}

/// A row whose grid columns are resolved when its table ends.
struct PendingRow {
    row: u32,
    cells: Vec<Vec<Item>>,
    centers: Vec<i16>,
    merges: Vec<binary::TcMerge>,
}

#[derive(Default)]
struct State {
    doc: Document,
    tables: Vec<Table>,
    count: u32,
    paragraphs: u32,
}

impl State {
    /// One paragraph ending in a paragraph mark (`cell_mark`: `\x07`) with properties `pap`.
    fn paragraph(&mut self, text: String, cell_mark: bool, pap: &Pap) {
        self.paragraphs += 1;
        let depth = usize::try_from(pap.depth()).unwrap_or(0).min(MAX_NESTING);
        while self.tables.len() > depth {
            self.close_table();
        }
        if depth == 0 {
            self.doc.push_line(
                text.trim(),
                Loc::Line {
                    line: self.paragraphs,
                },
            );
            return;
        }
        while self.tables.len() < depth {
            self.count += 1;
            let index = self.count;
            self.tables.push(Table {
                index,
                ..Table::default()
            });
        }
        let (cell_end, row_end) = if depth == 1 {
            (cell_mark && !pap.ttp, cell_mark && pap.ttp)
        } else {
            (pap.inner_cell && !pap.inner_ttp, pap.inner_ttp)
        };
        let Some(t) = self.tables.last_mut() else {
            return;
        };
        if row_end {
            // The row-end mark carries no text of its own; its properties define the row.
            // Text before it outside a cell mark (not written by Word) is kept as one more cell.
            if !text.trim().is_empty() {
                t.items.push(Item::Para(text));
            }
            if !t.items.is_empty() {
                let items = std::mem::take(&mut t.items);
                t.cells.push(items);
            }
            let cells = std::mem::take(&mut t.cells);
            t.rows += 1;
            t.pending.push(PendingRow {
                row: t.rows,
                cells,
                centers: pap.centers.clone(),
                merges: pap.cells.clone(),
            });
            return;
        }
        t.items.push(Item::Para(text));
        if cell_end {
            let items = std::mem::take(&mut t.items);
            t.cells.push(items);
        }
    }

    /// Ends the innermost open table: resolves grid columns and hands its blocks on.
    fn close_table(&mut self) {
        let Some(mut t) = self.tables.pop() else {
            return;
        };
        // A row without its row-end mark (a truncated table): keep what was read.
        if !t.items.is_empty() {
            let items = std::mem::take(&mut t.items);
            t.cells.push(items);
        }
        if !t.cells.is_empty() {
            t.rows += 1;
            t.pending.push(PendingRow {
                row: t.rows,
                cells: std::mem::take(&mut t.cells),
                centers: Vec::new(),
                merges: Vec::new(),
            });
        }
        let mut grid: Vec<i16> = t
            .pending
            .iter()
            .flat_map(|r| r.centers.iter().copied())
            .collect();
        grid.sort_unstable();
        grid.dedup();
        // Value cells merged down a column repeat in the rows they cover, as in DOCX.
        let mut merges: Vec<Merge> = Vec::new();
        for row in std::mem::take(&mut t.pending) {
            let cells = row
                .cells
                .into_iter()
                .enumerate()
                .map(|(i, items)| {
                    let col = row
                        .centers
                        .get(i)
                        .and_then(|x| grid.binary_search(x).ok())
                        .unwrap_or(i);
                    let merge = row.merges.get(i).copied().unwrap_or_default();
                    CellOut {
                        items,
                        span: 1,
                        vmerge: match merge.vert {
                            1 => VMerge::Continue,
                            3 => VMerge::Restart,
                            _ => VMerge::None,
                        },
                        hmerge_continue: merge.horz >= 2,
                        col: u32::try_from(col).unwrap_or(u32::MAX - 1),
                    }
                })
                .collect();
            emit_row(t.index, row.row, cells, &mut t.blocks, &mut merges);
        }
        match self.tables.last_mut() {
            Some(outer) => outer.items.push(Item::Blocks(t.blocks)),
            None => self.doc.blocks.extend(t.blocks),
        }
    }

    fn finish(mut self) -> Document {
        while !self.tables.is_empty() {
            self.close_table();
        }
        crate::rows::tidy_rows(&mut self.doc.blocks);
        self.doc
    }
}

/// The title of the `\x05SummaryInformation` property set, when present and not empty.
fn title(ole: &mut Compound<'_>) -> Option<String> {
    let name = "\u{5}SummaryInformation";
    if !ole.is_stream(name) {
        return None;
    }
    let mut b = Vec::new();
    ole.open_stream(name)
        .ok()?
        .take(1 << 20)
        .read_to_end(&mut b)
        .ok()?;
    let u32_at = |at: usize| -> Option<u32> {
        b.get(at..at + 4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    };
    let section = u32_at(44)? as usize;
    let count = u32_at(section + 4)? as usize;
    let mut codepage = 1252u16;
    let mut title = None;
    for i in 0..count.min(256) {
        let id = u32_at(section + 8 + i * 8)?;
        let at = section + u32_at(section + 12 + i * 8)? as usize;
        let kind = u32_at(at)?;
        match (id, kind) {
            (1, 2) => {
                codepage = b
                    .get(at + 4..at + 6)
                    .map(|s| u16::from_le_bytes([s[0], s[1]]))?
            }
            (2, 0x1E) => {
                let n = u32_at(at + 4)? as usize;
                title = Some((false, b.get(at + 8..at + 8 + n)?.to_vec()));
            }
            (2, 0x1F) => {
                let n = u32_at(at + 4)? as usize;
                title = Some((true, b.get(at + 8..at + 8 + n * 2)?.to_vec()));
            }
            _ => {}
        }
    }
    let (wide, raw) = title?;
    let text = if wide || codepage == 1200 {
        encoding_rs::UTF_16LE.decode_without_bom_handling(&raw).0
    } else {
        let enc = match codepage {
            936 => encoding_rs::GBK,
            950 => encoding_rs::BIG5,
            65001 => encoding_rs::UTF_8,
            _ => encoding_rs::WINDOWS_1252,
        };
        enc.decode_without_bom_handling(&raw).0
    };
    let t = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    (!t.is_empty()).then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump(doc: &Document) -> Vec<String> {
        doc.outline()
    }

    fn put(b: &mut [u8], at: usize, v: &[u8]) {
        b[at..at + v.len()].copy_from_slice(v);
    }

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    /// A WordDocument and a 0Table stream by hand: a UTF-16 piece, a compressed (CP1252) piece
    /// stored before it in the file, a field (its code hidden, its result shown), PAPXs in both
    /// PapxInFkp forms, and a deleted revision (not text).
    fn streams() -> (Vec<u8>, Vec<u8>) {
        let mut wd = vec![0u8; 2048];
        put(&mut wd, 0, &0xA5ECu16.to_le_bytes());
        put(&mut wd, 2, &0x00C1u16.to_le_bytes());
        put(&mut wd, 32, &14u16.to_le_bytes());
        put(&mut wd, 62, &22u16.to_le_bytes());
        put(&mut wd, 152, &93u16.to_le_bytes());
        // Pieces: "标题\r甲\x07" (UTF-16 at 1200), "12\x07\x07" (CP1252 at 1100),
        // "后记\x13 PAGE \x141\x15\r" (UTF-16 at 1300).
        let p0 = utf16("标题\r甲\u{7}");
        let p2 = utf16("后记\u{13} PAGE \u{14}1\u{15}\r");
        put(&mut wd, 1200, &p0);
        put(&mut wd, 1100, b"12\x07\x07");
        put(&mut wd, 1300, &p2);
        let ccp = 5 + 4 + 13u32;
        put(&mut wd, 64 + 12, &ccp.to_le_bytes());
        // One PAPX FKP at page 3 (byte 1536).
        let mut page = [0u8; 512];
        let rgfc = [1100u32, 1103, 1104, 1200, 1206, 1210, 1400];
        let props = [1u8, 2, 0, 0, 1, 0];
        for (i, fc) in rgfc.iter().enumerate() {
            put(&mut page, i * 4, &fc.to_le_bytes());
        }
        for (i, p) in props.iter().enumerate() {
            page[rgfc.len() * 4 + i * 13] = match p {
                1 => 100,
                2 => 110,
                _ => 0,
            };
        }
        // In a table: cb 3 → 5 bytes (istd + sprmPFInTable).
        put(&mut page, 200, &[3, 0, 0, 0x16, 0x24, 1]);
        // Row end: cb 0, cb' 4 → 8 bytes (istd + sprmPFInTable + sprmPFTtp).
        put(&mut page, 220, &[0, 4, 0, 0, 0x16, 0x24, 1, 0x17, 0x24, 1]);
        page[511] = props.len() as u8;
        wd.resize(1536, 0);
        wd.extend_from_slice(&page);
        // One CHPX FKP at page 4 (byte 2048): "记" is a deleted revision (sprmCFRMarkDel).
        let mut page = [0u8; 512];
        for (i, fc) in [1300u32, 1302, 1304, 1326].iter().enumerate() {
            put(&mut page, i * 4, &fc.to_le_bytes());
        }
        page[16 + 1] = 150;
        put(&mut page, 300, &[3, 0x00, 0x08, 1]);
        page[511] = 3;
        wd.extend_from_slice(&page);

        let mut table = Vec::new();
        // The CLX at 0.
        let cps = [0u32, 5, 9, ccp];
        let fcs = [1200u32, (1100 * 2) | 0x4000_0000, 1300];
        let mut plc = Vec::new();
        for cp in cps {
            plc.extend_from_slice(&cp.to_le_bytes());
        }
        for fc in fcs {
            plc.extend_from_slice(&[0, 0]);
            plc.extend_from_slice(&fc.to_le_bytes());
            plc.extend_from_slice(&[0, 0]);
        }
        table.push(2);
        table.extend_from_slice(&(plc.len() as u32).to_le_bytes());
        table.extend_from_slice(&plc);
        let clx = (0u32, table.len() as u32);
        // PlcBtePapx: one FKP (page 3) for bytes 1100..1400.
        let bte_at = table.len() as u32;
        for v in [1100u32, 1400, 3] {
            table.extend_from_slice(&v.to_le_bytes());
        }
        let chpx_at = table.len() as u32;
        for v in [1300u32, 1326, 4] {
            table.extend_from_slice(&v.to_le_bytes());
        }
        let pair = |i: usize| 154 + i * 8;
        put(&mut wd, pair(12), &chpx_at.to_le_bytes());
        put(&mut wd, pair(12) + 4, &12u32.to_le_bytes());
        put(&mut wd, pair(33), &clx.0.to_le_bytes());
        put(&mut wd, pair(33) + 4, &clx.1.to_le_bytes());
        put(&mut wd, pair(13), &bte_at.to_le_bytes());
        put(&mut wd, pair(13) + 4, &12u32.to_le_bytes());
        (wd, table)
    }

    #[test]
    fn pieces_fields_and_table_marks_make_lines_and_rows() {
        let (wd, table) = streams();
        let fib = binary::fib(&wd).expect("fib");
        let doc = read_streams(&wd, &table, &[], &fib).expect("reads");
        assert_eq!(dump(&doc), ["LINE 标题", "甲 | 12", "LINE 后1"]);
        let Block::Row { cells } = &doc.blocks[1] else {
            panic!("a row")
        };
        assert_eq!(
            cells[1].loc,
            Loc::Table {
                table: 1,
                row: 1,
                col: 2
            }
        );
    }

    #[test]
    fn a_piece_prm_can_put_a_paragraph_in_a_table() {
        // Prm0 with isprm 0x18 (sprmPFInTable) = 1, then a Prc with sprmPFTtp.
        let prm = (1u16 << 8) | (0x18 << 1);
        assert_eq!(binary::prm_sprms(prm, &[]), [0x16, 0x24, 1]);
        let prc: &[u8] = &[0x17, 0x24, 1];
        assert_eq!(binary::prm_sprms(1, &[prc]), prc);
    }

    #[test]
    fn nested_table_rows_are_emitted_in_order() {
        let d1 = Pap {
            in_table: true,
            ..Pap::default()
        };
        let ttp = Pap {
            ttp: true,
            ..d1.clone()
        };
        let inner = Pap {
            in_table: true,
            itap: Some(2),
            inner_cell: true,
            ..Pap::default()
        };
        let inner_ttp = Pap {
            inner_ttp: true,
            ..inner.clone()
        };
        let mut st = State::default();
        st.paragraph("前言".into(), false, &d1);
        st.paragraph("规章".into(), false, &inner);
        st.paragraph("1".into(), false, &inner);
        st.paragraph(String::new(), false, &inner_ttp);
        st.paragraph("后记".into(), true, &d1);
        st.paragraph(String::new(), true, &ttp);
        st.paragraph("完".into(), false, &Pap::default());
        let doc = st.finish();
        assert_eq!(
            dump(&doc),
            ["LINE 前言", "规章 | 1", "LINE 后记", "LINE 完"]
        );
    }

    #[test]
    fn a_row_without_its_end_mark_is_kept() {
        let d1 = Pap {
            in_table: true,
            ..Pap::default()
        };
        let mut st = State::default();
        st.paragraph("规章".into(), true, &d1);
        st.paragraph("3".into(), true, &d1);
        assert_eq!(dump(&st.finish()), ["规章 | 3"]);
    }

    #[test]
    fn damaged_streams_give_errors_not_panics() {
        let (wd, table) = streams();
        let fib = binary::fib(&wd).expect("fib");
        for cut in 0..table.len() {
            let _ = read_streams(&wd, &table[..cut], &[], &fib);
        }
        for cut in (0..wd.len()).step_by(7) {
            if let Ok(f) = binary::fib(&wd[..cut]) {
                let _ = read_streams(&wd[..cut], &table, &[], &f);
            }
        }
    }
}
