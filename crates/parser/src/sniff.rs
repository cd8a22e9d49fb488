//! Magic bytes → the format of a saved report, so that each reader gets only its own input and
//! formats no reader handles are named instead of misread. Pure; looks at most at the zip index
//! and the OLE directory.

use std::fmt;

/// What a file is, judged from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `%PDF-` within the first KiB.
    Pdf,
    /// A zip archive holding `word/document.xml`.
    Docx,
    /// Another zip archive (xlsx, odt, a bundle of attachments).
    Zip,
    /// An OLE compound file (`D0 CF 11 E0`) holding a `WordDocument` stream: Word 97–2003
    /// `.doc` or WPS `.wps`.
    WordBinary,
    /// Another OLE compound file (`D0 CF 11 E0`): `.xls`, Works, an unreadable directory.
    Ole,
    /// Word 2003 XML (WordprocessingML, `<w:wordDocument>`), often served with a `.doc` name.
    WordXml,
    /// MIME HTML (`.mht`; Word's "single file web page", often served with a `.doc` name).
    Mht,
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
            Format::Ole => "OLE compound file (not a Word/WPS document)",
            Format::WordXml => "Word 2003 XML document",
            Format::Mht => "MIME HTML (single file web page)",
            Format::Rtf => "RTF document",
            Format::Other => "unknown format",
        })
    }
}

/// The signature of an OLE compound file; [`sniff`] checks its first four bytes.
pub const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Classifies `bytes` by their magic numbers.
pub fn sniff(bytes: &[u8]) -> Format {
    if bytes.starts_with(&OLE_MAGIC[..4]) {
        // The streams tell what an OLE file is: `WordDocument` for .doc/.wps.
        if ole_has_stream(bytes, "/WordDocument") {
            return Format::WordBinary;
        }
        return Format::Ole;
    }
    if bytes.starts_with(b"{\\rtf") {
        return Format::Rtf;
    }
    if bytes.starts_with(b"PK\x03\x04") {
        // The central directory lists every entry name; a raw search avoids parsing the archive.
        let docx = bytes.windows(17).any(|w| w == b"word/document.xml");
        return if docx { Format::Docx } else { Format::Zip };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_magic_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Format::Pdf);
        assert_eq!(sniff(b"\xef\xbb\xbf%PDF-1.4"), Format::Pdf);
        assert_eq!(sniff(&OLE_MAGIC), Format::Ole);
        assert_eq!(sniff(b"PK\x03\x04....word/document.xml"), Format::Docx);
        assert_eq!(sniff(b"PK\x03\x04....xl/workbook.xml"), Format::Zip);
        assert_eq!(sniff(b"{\\rtf1\\ansi"), Format::Rtf);
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><?mso-application progid=\"Word.Document\"?>"),
            Format::WordXml
        );
        assert_eq!(sniff(b"<html>"), Format::Other);
        assert_eq!(sniff(b""), Format::Other);
    }
}
