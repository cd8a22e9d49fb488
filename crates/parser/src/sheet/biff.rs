//! A guard for BIFF workbooks (`.xls`, `.et`): the cell extent of each worksheet, read from the
//! OLE container's `Workbook` (or `Book`) stream before calamine builds its dense per-sheet
//! grids, so that a tiny file with two cells far apart (A1 and IV65536: 16 million slots) is
//! refused instead of taking a gigabyte. A minimal, bounded reader of the compound file: header,
//! FAT, directory, mini-stream; every index is checked. Pure.

/// A compound file's end-of-chain and free sector markers start here.
const MAX_REGULAR_SECTOR: u32 = 0xFFFF_FFFA;
/// Sector chains longer than this are cut (a loop or a hostile chain).
const MAX_CHAIN: usize = 1 << 20;

fn u16_at(b: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(i..i + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?))
}

/// The compound file: its bytes, sector size and FAT.
struct Cfb<'a> {
    bytes: &'a [u8],
    shift: u32,
    fat: Vec<u32>,
}

impl<'a> Cfb<'a> {
    fn open(bytes: &'a [u8]) -> Option<Cfb<'a>> {
        let shift = u32::from(u16_at(bytes, 30)?);
        if !(7..=16).contains(&shift) {
            return None;
        }
        let mut cfb = Cfb {
            bytes,
            shift,
            fat: Vec::new(),
        };
        // FAT sector numbers: 109 in the header, then the DIFAT chain.
        let mut fat_sectors: Vec<u32> = (0..109)
            .filter_map(|k| u32_at(bytes, 76 + 4 * k))
            .filter(|&s| s <= MAX_REGULAR_SECTOR)
            .collect();
        let mut difat = u32_at(bytes, 68)?;
        let per = (1usize << shift) / 4;
        for _ in 0..MAX_CHAIN {
            if difat > MAX_REGULAR_SECTOR {
                break;
            }
            let sector = cfb.sector(difat)?;
            for k in 0..per - 1 {
                if let Some(s) = u32_at(sector, 4 * k).filter(|&s| s <= MAX_REGULAR_SECTOR) {
                    fat_sectors.push(s);
                }
            }
            difat = u32_at(sector, 4 * (per - 1))?;
            if fat_sectors.len() > MAX_CHAIN / per {
                break;
            }
        }
        let mut fat = Vec::new();
        for s in fat_sectors {
            let Some(sector) = cfb.sector(s) else {
                continue;
            };
            fat.extend(sector.chunks_exact(4).filter_map(|c| u32_at(c, 0)));
        }
        cfb.fat = fat;
        Some(cfb)
    }

    fn sector(&self, n: u32) -> Option<&'a [u8]> {
        let size = 1usize << self.shift;
        let start = (n as usize).checked_add(1)?.checked_mul(size)?;
        self.bytes.get(start..start.checked_add(size)?)
    }

    /// The bytes of the regular-sector chain from `start`, at most `len` and never more than
    /// the file holds (a chain that loops is cut there).
    fn chain(&self, start: u32, len: usize) -> Vec<u8> {
        let len = len.min(self.bytes.len());
        let mut out = Vec::new();
        let mut s = start;
        for _ in 0..MAX_CHAIN {
            if s > MAX_REGULAR_SECTOR || out.len() >= len {
                break;
            }
            let Some(sector) = self.sector(s) else { break };
            out.extend_from_slice(sector);
            s = self.fat.get(s as usize).copied().unwrap_or(u32::MAX);
        }
        out.truncate(len);
        out
    }
}

/// The `Workbook` (or `Book`) stream of a compound file, when it can be found.
fn workbook_stream(bytes: &[u8]) -> Option<Vec<u8>> {
    let cfb = Cfb::open(bytes)?;
    let dir = cfb.chain(u32_at(bytes, 48)?, usize::MAX);
    let entries: Vec<&[u8]> = dir.chunks_exact(128).collect();
    let name = |e: &[u8]| {
        let n = usize::from(u16_at(e, 64).unwrap_or(0)).min(64);
        let units: Vec<u16> = e[..n]
            .chunks_exact(2)
            .filter_map(|c| u16_at(c, 0))
            .take_while(|&u| u != 0)
            .collect();
        String::from_utf16_lossy(&units)
    };
    let root = entries.first()?;
    let stream = entries
        .iter()
        .find(|e| e[66] == 2 && matches!(name(e).as_str(), "Workbook" | "Book"))?;
    let start = u32_at(stream, 116)?;
    // No stream is larger than the file that holds it.
    let size = usize::try_from(u32_at(stream, 120)?).ok()?.min(bytes.len());
    let cutoff = usize::try_from(u32_at(bytes, 56)?).unwrap_or(4096);
    if size >= cutoff {
        return Some(cfb.chain(start, size));
    }
    // A small stream lives in 64-byte mini sectors inside the root entry's stream.
    let mini_stream = cfb.chain(u32_at(root, 116)?, usize::MAX);
    let mini_fat: Vec<u32> = cfb
        .chain(u32_at(bytes, 60)?, usize::MAX)
        .chunks_exact(4)
        .filter_map(|c| u32_at(c, 0))
        .collect();
    let mut out = Vec::new();
    let mut s = start;
    for _ in 0..MAX_CHAIN {
        if s > MAX_REGULAR_SECTOR || out.len() >= size {
            break;
        }
        let at = (s as usize).checked_mul(64)?;
        out.extend_from_slice(mini_stream.get(at..at + 64)?);
        s = mini_fat.get(s as usize).copied().unwrap_or(u32::MAX);
    }
    out.truncate(size);
    Some(out)
}

/// The slots calamine would allocate for the worksheets of a BIFF workbook: for each
/// substream (BOF … EOF) the area spanned by its cell records. `None` when the container or
/// stream cannot be read (calamine will then fail on its own).
pub(super) fn grid_slots(bytes: &[u8]) -> Option<u64> {
    let wb = workbook_stream(bytes)?;
    let mut total = 0u64;
    let mut extent: Option<(u16, u16, u16, u16)> = None;
    let mut close = |extent: &mut Option<(u16, u16, u16, u16)>| {
        if let Some((r0, r1, c0, c1)) = extent.take() {
            let area = (u64::from(r1 - r0) + 1) * (u64::from(c1 - c0) + 1);
            total = total.saturating_add(area);
        }
    };
    let mut i = 0usize;
    while let (Some(kind), Some(len)) = (u16_at(&wb, i), u16_at(&wb, i + 2)) {
        let body = i + 4;
        match kind {
            // BOF and EOF delimit a substream.
            0x0809 | 0x000A => close(&mut extent),
            // Cell records: NUMBER, LABELSST, RK, MULRK, BLANK, MULBLANK, FORMULA, LABEL,
            // BOOLERR, RSTRING; row then first column.
            0x0203 | 0x00FD | 0x027E | 0x00BD | 0x0201 | 0x00BE | 0x0006 | 0x0204 | 0x0205
            | 0x00D6 => {
                if let (Some(r), Some(c)) = (u16_at(&wb, body), u16_at(&wb, body + 2)) {
                    // MULRK/MULBLANK end with their last column.
                    let last = if matches!(kind, 0x00BD | 0x00BE) {
                        u16_at(&wb, body + usize::from(len) - 2).unwrap_or(c).max(c)
                    } else {
                        c
                    };
                    let e = extent.get_or_insert((r, r, c, last));
                    *e = (e.0.min(r), e.1.max(r), e.2.min(c), e.3.max(last));
                }
            }
            _ => {}
        }
        i = body + usize::from(len);
    }
    close(&mut extent);
    Some(total)
}
