//! Rows → CSV for spreadsheets: UTF-8 with a BOM (so Excel shows Chinese), or GBK for old
//! Excel versions; text cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
//! tab, CR) are neutralised with a leading `'`; numbers stay numbers. Deterministic bytes.

use std::io::Write;

use encoding_rs::GBK;

/// One CSV field.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
}

impl Field {
    pub fn text(s: impl Into<String>) -> Field {
        Field::Text(s.into())
    }

    pub fn opt_text(s: Option<impl Into<String>>) -> Field {
        s.map_or(Field::Null, |s| Field::Text(s.into()))
    }

    pub fn opt_float(v: Option<f64>) -> Field {
        v.map_or(Field::Null, Field::Float)
    }
}

/// The character set of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CsvEncoding {
    /// UTF-8 with a byte-order mark: Excel 2016+ and every other reader.
    #[default]
    Utf8Bom,
    /// GBK without a BOM, for old Excel versions on Chinese Windows. Characters outside GBK
    /// are written as `&#NNNN;` (encoding_rs's rule).
    Gbk,
}

/// Characters that make a spreadsheet treat a text cell as a formula (OWASP CSV injection).
fn needs_neutralising(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

fn text_field(s: &str) -> String {
    let s = if needs_neutralising(s) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Shortest text that reads back as the same f64 (Rust's `Display`).
fn float_field(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

fn field(f: &Field) -> String {
    match f {
        Field::Null => String::new(),
        Field::Int(i) => i.to_string(),
        Field::Float(v) => float_field(*v),
        Field::Text(s) => text_field(s),
    }
}

/// One CSV line (CRLF-terminated, as RFC 4180 and Excel expect).
fn line(fields: impl Iterator<Item = String>) -> String {
    let mut out = fields.collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

/// The whole CSV document as text.
pub fn to_csv_text(header: &[&str], rows: &[Vec<Field>]) -> String {
    let mut out = line(header.iter().map(|h| text_field(h)));
    for row in rows {
        out.push_str(&line(row.iter().map(field)));
    }
    out
}

/// A CSV file written row by row, so large tables never sit in memory as text.
pub struct CsvSink<W: Write> {
    w: W,
    enc: CsvEncoding,
}

impl<W: Write> CsvSink<W> {
    /// Start a file: the BOM (UTF-8) and the header line.
    pub fn new(mut w: W, enc: CsvEncoding, header: &[&str]) -> std::io::Result<CsvSink<W>> {
        if enc == CsvEncoding::Utf8Bom {
            w.write_all(b"\xEF\xBB\xBF")?;
        }
        let mut sink = CsvSink { w, enc };
        sink.put(&line(header.iter().map(|h| text_field(h))))?;
        Ok(sink)
    }

    pub fn row(&mut self, fields: &[Field]) -> std::io::Result<()> {
        let mut text = String::with_capacity(256);
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            match f {
                Field::Null => {}
                Field::Int(v) => {
                    use std::fmt::Write as _;
                    let _ = write!(text, "{v}");
                }
                other => text.push_str(&field(other)),
            }
        }
        text.push_str("\r\n");
        self.put(&text)
    }

    fn put(&mut self, text: &str) -> std::io::Result<()> {
        match self.enc {
            CsvEncoding::Utf8Bom => self.w.write_all(text.as_bytes()),
            CsvEncoding::Gbk => self.w.write_all(&GBK.encode(text).0),
        }
    }

    pub fn finish(mut self) -> std::io::Result<W> {
        self.w.flush()?;
        Ok(self.w)
    }
}

/// Write a whole CSV document in the chosen encoding.
pub fn write_csv(
    w: &mut impl Write,
    header: &[&str],
    rows: &[Vec<Field>],
    enc: CsvEncoding,
) -> std::io::Result<()> {
    let mut sink = CsvSink::new(w, enc, header)?;
    for row in rows {
        sink.row(row)?;
    }
    sink.finish().map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_numbers_are_not() {
        let rows = vec![vec![
            Field::text("=HYPERLINK(\"x\")"),
            Field::Int(-3),
            Field::text("-1"),
            Field::Float(0.25),
        ]];
        let text = to_csv_text(&["a", "b", "c", "d"], &rows);
        assert_eq!(
            text,
            "a,b,c,d\r\n\"'=HYPERLINK(\"\"x\"\")\",-3,'-1,0.25\r\n"
        );
    }

    #[test]
    fn utf8_has_a_bom_and_gbk_encodes_chinese() {
        let rows = vec![vec![Field::text("贵港市"), Field::Null]];
        let mut utf8 = Vec::new();
        write_csv(&mut utf8, &["城市", "值"], &rows, CsvEncoding::Utf8Bom).expect("write");
        assert!(utf8.starts_with(b"\xEF\xBB\xBF"));
        let mut gbk = Vec::new();
        write_csv(&mut gbk, &["城市", "值"], &rows, CsvEncoding::Gbk).expect("write");
        assert_eq!(GBK.decode(&gbk).0, "城市,值\r\n贵港市,\r\n");
    }
}
