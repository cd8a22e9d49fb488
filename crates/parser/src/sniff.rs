//! Magic bytes → the format of a saved report, so that each reader gets only its own input and
//! formats no reader handles are named instead of misread; Word binaries, OFD and workbooks
//! are told apart by the streams of the OLE container or the names inside the zip, never by
//! the file's extension. Pure; looks at most at the zip index and the OLE directory.

use std::fmt;

/// What a file is, judged from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `%PDF-` within the first KiB.
    Pdf,
    /// A zip archive holding `word/document.xml`.
    Docx,
    /// Another zip archive (odt, a bundle of attachments).
    Zip,
    /// An OLE compound file (`D0 CF 11 E0`) holding a `WordDocument` stream: Word 97–2003
    /// `.doc` or WPS `.wps`.
    WordBinary,
    /// Another OLE compound file (`D0 CF 11 E0`): Works, a presentation, an unreadable
    /// directory.
    Ole,
    /// Word 2003 XML (WordprocessingML, `<w:wordDocument>`), often served with a `.doc` name.
    WordXml,
    /// MIME HTML (`.mht`; Word's "single file web page", often served with a `.doc` name).
    Mht,
    /// An OFD document (GB/T 33190): a zip archive holding `OFD.xml`.
    Ofd,
    /// An OOXML workbook (`.xlsx`, a newer WPS `.et`): a zip archive holding `xl/workbook.xml`.
    Xlsx,
    /// A BIFF workbook (`.xls`, an older WPS `.et`): an OLE compound file with a `Workbook`
    /// (BIFF8) or `Book` (BIFF5) stream.
    Xls,
    /// An OpenDocument spreadsheet (`.ods`): a zip archive whose `mimetype` says so.
    Ods,
    /// Rich Text Format (`{\rtf`), often served with a `.doc` name.
    Rtf,
    /// Anything else (HTML, plain text, images, garbage).
    Other,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Pdf => "PDF",
            Format::Docx => "DOCX",
            Format::Zip => "zip archive (not DOCX)",
            Format::WordBinary => "Word/WPS binary document (.doc/.wps)",
            Format::Ole => "OLE compound file (not a Word/WPS document or a workbook)",
            Format::WordXml => "Word 2003 XML document",
            Format::Mht => "MIME HTML (single file web page)",
            Format::Rtf => "RTF document",
            Format::Ofd => "OFD",
            Format::Xlsx => "XLSX workbook",
            Format::Xls => "XLS workbook",
            Format::Ods => "ODS spreadsheet",
            Format::Other => "unknown format",
        })
    }
}

/// The signature of an OLE compound file; [`sniff`] checks its first four bytes.
pub const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Classifies `bytes` by their magic numbers.
pub fn sniff(bytes: &[u8]) -> Format {
    if bytes.starts_with(&OLE_MAGIC[..4]) {
        // The streams tell what an OLE file is: `WordDocument` for .doc/.wps, `Workbook` or
        // `Book` for a workbook.
        if ole_has_stream(bytes, "/WordDocument") {
            return Format::WordBinary;
        }
        return ole_format(bytes);
    }
    if bytes.starts_with(b"{\\rtf") {
        return Format::Rtf;
    }
    if bytes.starts_with(b"PK\x03\x04") {
        // The central directory lists every entry name; a raw search avoids parsing the archive.
        let docx = bytes.windows(17).any(|w| w == b"word/document.xml");
        return if docx {
            Format::Docx
        } else {
            zip_format(bytes)
        };
    }
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Format::Pdf;
    }
    if crate::mht::looks_like_mht(bytes) {
        return Format::Mht;
    }
    // Word 2003 XML names its program in a processing instruction, or opens its root element,
    // before any content.
    let xml_head = &bytes[..bytes.len().min(4096)];
    if [&b"progid=\"Word.Document\""[..], b"<w:wordDocument"]
        .iter()
        .any(|m| memchr::memmem::find(xml_head, m).is_some())
    {
        return Format::WordXml;
    }
    Format::Other
}

/// True when `bytes` open as an OLE compound file holding the stream `path`.
fn ole_has_stream(bytes: &[u8], path: &str) -> bool {
    // A damaged directory may make the OLE library panic; that is "no such stream" here, and
    // the reader names the damage.
    std::panic::catch_unwind(|| {
        cfb::CompoundFile::open(std::io::Cursor::new(bytes)).is_ok_and(|c| c.is_stream(path))
    })
    .unwrap_or(false)
}

/// A zip archive that is no DOCX: OFD, a workbook, or another archive (entry names are stored
/// raw in the local headers and the central directory).
fn zip_format(bytes: &[u8]) -> Format {
    let has = |name: &[u8]| bytes.windows(name.len()).any(|w| w == name);
    if has(b"OFD.xml") {
        Format::Ofd
    } else if has(b"xl/workbook.xml") {
        Format::Xlsx
    } else if has(b"application/vnd.oasis.opendocument.spreadsheet") {
        Format::Ods
    } else {
        Format::Zip
    }
}

/// An OLE compound file: a workbook if its directory holds a `Workbook` or `Book` stream and
/// no `WordDocument` stream. Directory entries start on 128-byte boundaries with the name in
/// UTF-16LE, so only those offsets are compared.
fn ole_format(bytes: &[u8]) -> Format {
    let entry = |name: &str| {
        let mut want: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        want.extend_from_slice(&[0, 0]);
        bytes.chunks(128).any(|c| c.starts_with(&want))
    };
    if !entry("WordDocument") && (entry("Workbook") || entry("Book")) {
        Format::Xls
    } else {
        Format::Ole
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_magic_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Format::Pdf);
        assert_eq!(sniff(b"\xef\xbb\xbf%PDF-1.4"), Format::Pdf);
        assert_eq!(sniff(&OLE_MAGIC), Format::Ole);
        assert_eq!(sniff(b"PK\x03\x04....word/document.xml"), Format::Docx);
        assert_eq!(sniff(b"PK\x03\x04....xl/workbook.xml"), Format::Xlsx);
        assert_eq!(sniff(b"PK\x03\x04....OFD.xml"), Format::Ofd);
        assert_eq!(sniff(b"PK\x03\x04....word/x.xml"), Format::Zip);
        assert_eq!(sniff(b"{\\rtf1\\ansi"), Format::Rtf);
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><?mso-application progid=\"Word.Document\"?>"),
            Format::WordXml
        );
        assert_eq!(sniff(b"<html>"), Format::Other);
        assert_eq!(sniff(b""), Format::Other);
    }

    #[test]
    fn ole_workbook_is_told_from_word_by_its_stream_names() {
        let with = |name: &str| {
            let mut b = OLE_MAGIC.to_vec();
            b.resize(512, 0);
            b.extend(name.encode_utf16().flat_map(u16::to_le_bytes));
            b.resize(640, 0);
            b
        };
        assert_eq!(sniff(&with("Workbook")), Format::Xls);
        assert_eq!(sniff(&with("Book")), Format::Xls);
        assert_eq!(sniff(&with("WordDocument")), Format::Ole);
        assert_eq!(sniff(&with("Workbooks")), Format::Ole);
    }
}
