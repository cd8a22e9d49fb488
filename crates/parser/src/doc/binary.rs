//! The Word 97–2003 binary structures ([MS-DOC]) the reader needs, each read with bounds checks:
//! the FIB, the CLX piece table, the paragraph and character property runs (PlcBtePapx /
//! PlcBteChpx → FKPs → PAPX/CHPX) and the few sprms that matter for text and tables. Pure
//! functions of the streams' bytes; no panics on any input.

use super::DocError;

/// `wIdent` of a Word binary FIB.
const WORD_IDENT: u16 = 0xA5EC;
/// `wIdent` of a Word 6.0/95 FIB.
const WORD6_IDENT: u16 = 0xA5DC;
/// The first `nFib` of Word 97 (earlier ones are Word 6.0/95).
const NFIB_WORD97: u16 = 0x00C1;
/// Size of an FKP page.
const PAGE: usize = 512;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn i16_at(b: &[u8], at: usize) -> Option<i16> {
    u16_at(b, at).map(|v| v as i16)
}

fn corrupt(what: &'static str) -> DocError {
    DocError::Corrupt(what)
}

/// What the reader takes from the File Information Block.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fib {
    /// `fWhichTblStm`: the table stream is `1Table` (else `0Table`).
    pub(crate) table1: bool,
    /// Characters of the main document (`ccpText`).
    pub(crate) ccp_text: u32,
    /// `fcClx`/`lcbClx` in the table stream.
    pub(crate) clx: (u32, u32),
    /// `fcPlcfBteChpx`/`lcbPlcfBteChpx`.
    pub(crate) bte_chpx: (u32, u32),
    /// `fcPlcfBtePapx`/`lcbPlcfBtePapx`.
    pub(crate) bte_papx: (u32, u32),
}

/// Reads the FIB at the start of the `WordDocument` stream.
pub(crate) fn fib(wd: &[u8]) -> Result<Fib, DocError> {
    let ident = u16_at(wd, 0).ok_or(corrupt("the FIB is truncated"))?;
    let nfib = u16_at(wd, 2).ok_or(corrupt("the FIB is truncated"))?;
    // Word 6.0/95 files say 0xA5DC; a Word 97 identifier with an old nFib is one too.
    if ident == WORD6_IDENT || (ident == WORD_IDENT && nfib < NFIB_WORD97) {
        return Err(DocError::Word95 { nfib });
    }
    if ident != WORD_IDENT {
        return Err(corrupt(
            "the WordDocument stream does not start with a Word FIB",
        ));
    }
    let flags = u16_at(wd, 0x0A).ok_or(corrupt("the FIB is truncated"))?;
    // fEncrypted (bit 8) covers both RC4/CryptoAPI encryption and XOR obfuscation.
    if flags & 0x0100 != 0 {
        return Err(DocError::Encrypted);
    }
    let csw = usize::from(u16_at(wd, 32).ok_or(corrupt("the FIB is truncated"))?);
    let lw_at = 34 + csw * 2;
    let cslw = usize::from(u16_at(wd, lw_at).ok_or(corrupt("the FIB is truncated"))?);
    let ccp_text = if cslw > 3 {
        u32_at(wd, lw_at + 2 + 3 * 4).ok_or(corrupt("the FIB is truncated"))?
    } else {
        return Err(corrupt("the FIB has no character counts"));
    };
    let fc_at = lw_at + 2 + cslw * 4;
    let pairs = usize::from(u16_at(wd, fc_at).ok_or(corrupt("the FIB is truncated"))?);
    let pair = |i: usize| -> Result<(u32, u32), DocError> {
        if i >= pairs {
            return Err(corrupt("the FIB has too few offsets"));
        }
        let at = fc_at + 2 + i * 8;
        match (u32_at(wd, at), u32_at(wd, at + 4)) {
            (Some(fc), Some(lcb)) => Ok((fc, lcb)),
            _ => Err(corrupt("the FIB is truncated")),
        }
    };
    Ok(Fib {
        table1: flags & 0x0200 != 0,
        ccp_text,
        bte_chpx: pair(12)?,
        bte_papx: pair(13)?,
        clx: pair(33)?,
    })
}

/// A bounded slice of a stream at `(fc, lcb)`.
pub(crate) fn slice(stream: &[u8], (fc, lcb): (u32, u32)) -> Option<&[u8]> {
    let start = usize::try_from(fc).ok()?;
    let end = start.checked_add(usize::try_from(lcb).ok()?)?;
    stream.get(start..end)
}

/// One piece of the piece table: characters `[cp, cp_end)` stored from byte `fc` of the
/// WordDocument stream, as 8-bit CP1252 (`compressed`) or UTF-16LE.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Piece {
    pub(crate) cp: u32,
    pub(crate) cp_end: u32,
    pub(crate) fc: u32,
    pub(crate) compressed: bool,
    pub(crate) prm: u16,
}

impl Piece {
    /// Byte offset in the WordDocument stream of character `cp` of this piece.
    pub(crate) fn fc_of(&self, cp: u32) -> u64 {
        let i = u64::from(cp - self.cp);
        if self.compressed {
            u64::from(self.fc) + i
        } else {
            u64::from(self.fc) + 2 * i
        }
    }
}

/// The CLX: the grpprls of its Prc entries and the piece table.
pub(crate) struct Clx<'a> {
    pub(crate) prcs: Vec<&'a [u8]>,
    pub(crate) pieces: Vec<Piece>,
}

/// Reads the CLX (`Prc*` then one `Pcdt`).
pub(crate) fn clx<'a>(table: &'a [u8], fib: &Fib) -> Result<Clx<'a>, DocError> {
    let b = slice(table, fib.clx).ok_or(DocError::NoPieceTable)?;
    let mut prcs = Vec::new();
    let mut at = 0usize;
    while b.get(at) == Some(&0x01) {
        let cb = usize::try_from(i16_at(b, at + 1).ok_or(DocError::NoPieceTable)?)
            .map_err(|_| DocError::NoPieceTable)?;
        let grpprl = b.get(at + 3..at + 3 + cb).ok_or(DocError::NoPieceTable)?;
        prcs.push(grpprl);
        at += 3 + cb;
    }
    if b.get(at) != Some(&0x02) {
        return Err(DocError::NoPieceTable);
    }
    let lcb = u32_at(b, at + 1).ok_or(DocError::NoPieceTable)? as usize;
    let plc = b.get(at + 5..).ok_or(DocError::NoPieceTable)?;
    let plc = plc
        .get(..lcb.min(plc.len()))
        .ok_or(DocError::NoPieceTable)?;
    // (n + 1) CPs of 4 bytes, n PCDs of 8 bytes.
    if plc.len() < 4 || (plc.len() - 4) % 12 != 0 {
        return Err(corrupt("the piece table has a wrong size"));
    }
    let n = (plc.len() - 4) / 12;
    let mut pieces = Vec::with_capacity(n);
    for i in 0..n {
        let (Some(cp), Some(cp_end)) = (u32_at(plc, i * 4), u32_at(plc, i * 4 + 4)) else {
            return Err(corrupt("the piece table is truncated"));
        };
        let pcd = (n + 1) * 4 + i * 8;
        let (Some(raw_fc), Some(prm)) = (u32_at(plc, pcd + 2), u16_at(plc, pcd + 6)) else {
            return Err(corrupt("the piece table is truncated"));
        };
        if cp_end < cp {
            return Err(corrupt("the piece table's positions go backwards"));
        }
        let compressed = raw_fc & 0x4000_0000 != 0;
        let fc = raw_fc & 0x3FFF_FFFF;
        pieces.push(Piece {
            cp,
            cp_end,
            fc: if compressed { fc / 2 } else { fc },
            compressed,
            prm,
        });
    }
    Ok(Clx { prcs, pieces })
}

/// One property run: bytes `[fc, fc_end)` of the WordDocument stream share `grpprl`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Run<'a> {
    pub(crate) fc: u32,
    pub(crate) fc_end: u32,
    pub(crate) grpprl: &'a [u8],
}

/// Which kind of FKP a PlcBte points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FkpKind {
    Papx,
    Chpx,
}

/// Every property run of a PlcBtePapx or PlcBteChpx, sorted by `fc`.
pub(crate) fn runs<'a>(
    wd: &'a [u8],
    table: &[u8],
    bte: (u32, u32),
    kind: FkpKind,
) -> Result<Vec<Run<'a>>, DocError> {
    let Some(plc) = slice(table, bte) else {
        return Err(corrupt(
            "the property index (PlcBte) lies outside the table stream",
        ));
    };
    if plc.len() < 4 || (plc.len() - 4) % 8 != 0 {
        return Ok(Vec::new());
    }
    let n = (plc.len() - 4) / 8;
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for i in 0..n {
        let Some(pn) = u32_at(plc, (n + 1) * 4 + i * 4) else {
            break;
        };
        let pn = (pn & 0x003F_FFFF) as usize;
        if !seen.insert(pn) {
            continue;
        }
        let Some(page) = pn
            .checked_mul(PAGE)
            .and_then(|at| wd.get(at..at.checked_add(PAGE)?))
        else {
            return Err(corrupt(
                "a property page (FKP) lies outside the WordDocument stream",
            ));
        };
        fkp(page, kind, &mut out);
    }
    out.sort_by_key(|r| r.fc);
    Ok(out)
}

/// The runs of one FKP page.
fn fkp<'a>(page: &'a [u8], kind: FkpKind, out: &mut Vec<Run<'a>>) {
    let crun = usize::from(page[PAGE - 1]);
    let entry = match kind {
        FkpKind::Papx => 13,
        FkpKind::Chpx => 1,
    };
    if (crun + 1) * 4 + crun * entry > PAGE - 1 {
        return;
    }
    for i in 0..crun {
        let (Some(fc), Some(fc_end)) = (u32_at(page, i * 4), u32_at(page, i * 4 + 4)) else {
            return;
        };
        let offset = usize::from(page[(crun + 1) * 4 + i * entry]) * 2;
        let grpprl: &[u8] = if offset == 0 {
            &[]
        } else {
            match kind {
                FkpKind::Papx => papx_in_fkp(page, offset),
                FkpKind::Chpx => {
                    let cb = usize::from(page.get(offset).copied().unwrap_or(0));
                    page.get(offset + 1..offset + 1 + cb).unwrap_or(&[])
                }
            }
        };
        if fc_end > fc {
            out.push(Run { fc, fc_end, grpprl });
        }
    }
}

/// A PapxInFkp's grpprl (its `istd` skipped).
fn papx_in_fkp(page: &[u8], offset: usize) -> &[u8] {
    let Some(&cb) = page.get(offset) else {
        return &[];
    };
    let (start, len) = if cb != 0 {
        (offset + 1, usize::from(cb) * 2 - 1)
    } else {
        let cb2 = usize::from(page.get(offset + 1).copied().unwrap_or(0));
        (offset + 2, cb2 * 2)
    };
    // Skip the 2-byte style index.
    page.get(start + 2..start + len).unwrap_or(&[])
}

/// The run holding byte `fc`, if any.
pub(crate) fn run_at<'a, 'r>(runs: &'r [Run<'a>], fc: u64) -> Option<&'r Run<'a>> {
    let i = runs.partition_point(|r| u64::from(r.fc) <= fc);
    let r = runs.get(i.checked_sub(1)?)?;
    (fc < u64::from(r.fc_end)).then_some(r)
}

/// One single property modifier: its code and operand.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sprm<'a> {
    pub(crate) code: u16,
    pub(crate) operand: &'a [u8],
}

/// sprmTDefTable: the row's cell boundaries and cells.
pub(crate) const TDEF_TABLE: u16 = 0xD608;
/// sprmPChgTabs, whose operand length has its own rule.
const PCHG_TABS: u16 = 0xC615;

/// Iterates the sprms of a grpprl; stops at the first one that does not fit.
pub(crate) fn sprms(grpprl: &[u8]) -> impl Iterator<Item = Sprm<'_>> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let code = u16_at(grpprl, at)?;
        let body = at + 2;
        let (start, len) = match code >> 13 {
            0 | 1 => (body, 1),
            2 | 4 | 5 => (body, 2),
            3 => (body, 4),
            7 => (body, 3),
            _ => match code {
                TDEF_TABLE => {
                    let cb = usize::from(u16_at(grpprl, body)?);
                    (body + 2, cb.saturating_sub(1))
                }
                PCHG_TABS => {
                    let cb = usize::from(*grpprl.get(body)?);
                    if cb == 255 {
                        let del = usize::from(*grpprl.get(body + 1)?);
                        let add_at = body + 2 + del * 4;
                        let add = usize::from(*grpprl.get(add_at)?);
                        (body, add_at + 1 + add * 3 - body)
                    } else {
                        (body + 1, cb)
                    }
                }
                _ => (body + 1, usize::from(*grpprl.get(body)?)),
            },
        };
        let operand = grpprl.get(start..start.checked_add(len)?)?;
        at = start + len;
        Some(Sprm { code, operand })
    })
}

/// The paragraph properties the reader needs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pap {
    pub(crate) in_table: bool,
    pub(crate) ttp: bool,
    pub(crate) itap: Option<i32>,
    pub(crate) inner_cell: bool,
    pub(crate) inner_ttp: bool,
    /// Cell right edges (`rgdxaCenter`, in twips) from sprmTDefTable; `len - 1` cells.
    pub(crate) centers: Vec<i16>,
    /// `vertMerge` of each cell (0 none, 1 continuation, 3 first) and horizontal merge.
    pub(crate) cells: Vec<TcMerge>,
    /// The PAPX is in the Data stream (sprmPHugePapx): its offset there.
    pub(crate) huge: Option<u32>,
}

/// How one cell of a row merges with its neighbours.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TcMerge {
    pub(crate) vert: u8,
    pub(crate) horz: u8,
}

impl Pap {
    /// Table depth: `sprmPItap`, else 1 in a table, else 0.
    pub(crate) fn depth(&self) -> i32 {
        match self.itap {
            Some(d) => d.max(0),
            None => i32::from(self.in_table),
        }
    }

    /// Applies the paragraph and table sprms of a grpprl.
    pub(crate) fn apply(&mut self, grpprl: &[u8]) {
        for s in sprms(grpprl) {
            let byte = s.operand.first().copied().unwrap_or(0);
            match s.code {
                0x2416 => self.in_table = byte != 0,
                0x2417 => self.ttp = byte != 0,
                0x244B => self.inner_cell = byte != 0,
                0x244C => self.inner_ttp = byte != 0,
                0x6649 => self.itap = u32_at(s.operand, 0).map(|v| v as i32),
                0x664A => {
                    if let Some(d) = u32_at(s.operand, 0) {
                        self.itap = Some(self.depth().saturating_add(d as i32));
                    }
                }
                0x6646 => self.huge = u32_at(s.operand, 0),
                TDEF_TABLE => self.def_table(s.operand),
                // sprmTVertMerge: itc, vertMerge.
                0xD62B => {
                    if let (Some(&itc), Some(&v)) = (s.operand.first(), s.operand.get(1)) {
                        if let Some(c) = self.cells.get_mut(usize::from(itc)) {
                            c.vert = v & 3;
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// sprmTDefTable: itcMac, rgdxaCenter[itcMac + 1], rgTc80[≤ itcMac].
    fn def_table(&mut self, op: &[u8]) {
        let Some(&itc_mac) = op.first() else {
            return;
        };
        let n = usize::from(itc_mac);
        self.centers = (0..=n).map_while(|i| i16_at(op, 1 + i * 2)).collect();
        if self.centers.len() != n + 1 {
            self.centers.clear();
        }
        let tc_at = 1 + (n + 1) * 2;
        self.cells = (0..n)
            .map(|i| {
                let grf = u16_at(op, tc_at + i * 20).unwrap_or(0);
                TcMerge {
                    horz: (grf & 3) as u8,
                    vert: ((grf >> 5) & 3) as u8,
                }
            })
            .collect();
    }
}

/// A Prm of a piece → the grpprl it applies: a Prc of the CLX (`fComplex`), or the single
/// sprm a Prm0 names. Only the two Prm0 sprms that change table structure are mapped.
pub(crate) fn prm_sprms(prm: u16, prcs: &[&[u8]]) -> Vec<u8> {
    if prm & 1 != 0 {
        return prcs
            .get(usize::from(prm >> 1))
            .map(|g| g.to_vec())
            .unwrap_or_default();
    }
    let isprm = (prm >> 1) & 0x7F;
    let val = (prm >> 8) as u8;
    let code: u16 = match isprm {
        0x18 => 0x2416,
        0x19 => 0x2417,
        // A character sprm such as sprmCFRMarkDel (0x10 in Word 6 numbering is unrelated).
        _ => return Vec::new(),
    };
    let mut g = code.to_le_bytes().to_vec();
    g.push(val);
    g
}

/// The character properties that decide whether text is printed, as a grpprl sets them:
/// deleted revision text (sprmCFRMarkDel) and hidden text (sprmCFVanish) are not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Printed {
    pub(crate) deleted: Option<bool>,
    pub(crate) hidden: Option<bool>,
}

impl Printed {
    /// Reads the two properties from a CHPX or a piece's grpprl.
    pub(crate) fn of(grpprl: &[u8]) -> Printed {
        let mut out = Printed::default();
        for s in sprms(grpprl) {
            let v = s.operand.first().copied().unwrap_or(0);
            match s.code {
                0x0800 => out.deleted = Some(v & 1 != 0),
                // A ToggleOperand: 0x01 on, 0x81 the opposite of the style (which is shown).
                0x083C => out.hidden = Some(v == 0x01 || v == 0x81),
                _ => {}
            }
        }
        out
    }

    /// `over` (a piece's modifiers) applied on top of `self` (the character run's).
    pub(crate) fn then(self, over: Printed) -> Printed {
        Printed {
            deleted: over.deleted.or(self.deleted),
            hidden: over.hidden.or(self.hidden),
        }
    }

    /// Whether the text is not printed.
    pub(crate) fn suppressed(self) -> bool {
        self.deleted == Some(true) || self.hidden == Some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sprm_lengths_follow_spra() {
        // sprmPFInTable (1 byte), sprmPItap (4 bytes), a variable one (cb 2), sprmPFTtp.
        let g = [
            0x16, 0x24, 1, 0x49, 0x66, 2, 0, 0, 0, 0x00, 0xC6, 2, 9, 9, 0x17, 0x24, 1,
        ];
        let mut pap = Pap::default();
        pap.apply(&g);
        assert!(pap.in_table && pap.ttp);
        assert_eq!(pap.depth(), 2);
        assert_eq!(sprms(&g).count(), 4);
        // A truncated grpprl stops without panicking.
        assert_eq!(sprms(&g[..4]).count(), 1);
    }

    #[test]
    fn def_table_reads_centres_and_merges() {
        let mut op = vec![2u8];
        for x in [0i16, 100, 300] {
            op.extend_from_slice(&x.to_le_bytes());
        }
        let mut tc = [0u8; 20];
        tc[0] = 3 << 5;
        op.extend_from_slice(&tc);
        tc[0] = 1 << 5;
        op.extend_from_slice(&tc);
        let mut g = TDEF_TABLE.to_le_bytes().to_vec();
        g.extend_from_slice(&(op.len() as u16 + 1).to_le_bytes());
        g.extend_from_slice(&op);
        let mut pap = Pap::default();
        pap.apply(&g);
        assert_eq!(pap.centers, [0, 100, 300]);
        assert_eq!(pap.cells[0].vert, 3);
        assert_eq!(pap.cells[1].vert, 1);
    }

    #[test]
    fn deleted_and_hidden_text_is_not_printed() {
        assert!(Printed::of(&[0x00, 0x08, 1]).suppressed());
        assert!(Printed::of(&[0x3C, 0x08, 0x81]).suppressed());
        assert!(!Printed::of(&[0x3C, 0x08, 0x80]).suppressed());
        let run = Printed::of(&[0x3C, 0x08, 1]);
        assert!(!run.then(Printed::of(&[0x3C, 0x08, 0])).suppressed());
        assert!(!Printed::of(&[]).suppressed());
    }

    #[test]
    fn fib_rejects_word95_and_encryption() {
        let mut wd = vec![0u8; 64];
        wd[0..2].copy_from_slice(&WORD_IDENT.to_le_bytes());
        wd[2..4].copy_from_slice(&0x65u16.to_le_bytes());
        assert!(matches!(fib(&wd), Err(DocError::Word95 { nfib: 0x65 })));
        wd[2..4].copy_from_slice(&0xC1u16.to_le_bytes());
        wd[0x0A] = 0;
        wd[0x0B] = 1;
        assert!(matches!(fib(&wd), Err(DocError::Encrypted)));
        assert!(fib(&[]).is_err());
    }
}
