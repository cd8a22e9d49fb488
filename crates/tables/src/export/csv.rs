//! Rows → CSV for spreadsheets: UTF-8 with a BOM (so Excel shows Chinese), or GBK for old
//! Excel versions; text cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
//! tab, CR) are neutralised with a leading `'`; numbers stay numbers, rates and per-100,000
//! values rounded for display ([`Field::Rounded`], see [`super::shown`]); the header in English
//! column names (the default, for scripts) or in the data dictionary's Chinese labels
//! ([`Labels::Zh`]). Deterministic bytes.

use std::borrow::Cow;
use std::io::Write;

use encoding_rs::GBK;

/// One CSV field.
#[derive(Debug, Clone, PartialEq)]
pub enum Field<'a> {
    /// An empty field: a null value.
    Null,
    /// An integer, as digits.
    Int(i64),
    /// A number in the shortest form that reads back the same (`3`, not `3.0`); NaN and
    /// infinities are written empty.
    Float(f64),
    /// Text: prefixed with `'` when a spreadsheet would run it as a formula, quoted when it holds
    /// a comma, quote or line break.
    Text(Cow<'a, str>),
    /// A number rounded to this many decimals, trailing zeros dropped (`0.4612`); NaN and
    /// infinities are written empty.
    Rounded(f64, u8),
}

impl<'a> Field<'a> {
    /// A text field.
    pub fn text(s: impl Into<Cow<'a, str>>) -> Field<'a> {
        Field::Text(s.into())
    }

    /// A text field, or [`Field::Null`] for `None`.
    pub fn opt_text(s: Option<impl Into<Cow<'a, str>>>) -> Field<'a> {
        s.map_or(Field::Null, |s| Field::Text(s.into()))
    }

    /// A number field, or [`Field::Null`] for `None`.
    pub fn opt_float(v: Option<f64>) -> Field<'a> {
        v.map_or(Field::Null, Field::Float)
    }

    /// A Boolean as the tables write it ([`bool_text`]), or [`Field::Null`] for `None`.
    pub fn opt_bool(b: Option<bool>) -> Field<'a> {
        b.map_or(Field::Null, |b| Field::text(bool_text(b)))
    }
}

/// A Boolean as CSV files and the workbook write it: `true` or `false`, as polars reads it back.
pub fn bool_text(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// The language of the CSV files' header line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Labels {
    /// The column names (`disclosure_rate`): stable, what scripts and the README's snippets
    /// read.
    #[default]
    En,
    /// The data dictionary's Chinese labels (`实质公开率`), for reading in a spreadsheet.
    Zh,
}

/// How the CSV files of a run are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CsvOptions {
    /// Their character set.
    pub encoding: CsvEncoding,
    /// Their header's language.
    pub labels: Labels,
}

impl From<CsvEncoding> for CsvOptions {
    fn from(encoding: CsvEncoding) -> CsvOptions {
        CsvOptions {
            encoding,
            labels: Labels::En,
        }
    }
}

/// The character set of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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

/// Append `s` in the file's character set.
fn put_text(out: &mut Vec<u8>, s: &str, enc: CsvEncoding) {
    match enc {
        CsvEncoding::Utf8Bom => out.extend_from_slice(s.as_bytes()),
        CsvEncoding::Gbk => out.extend_from_slice(&GBK.encode(s).0),
    }
}

/// A text field: neutralised against formulas, quoted when it holds a separator, quote or
/// line break.
fn put_text_field(out: &mut Vec<u8>, s: &str, enc: CsvEncoding) {
    let quoted = s.contains([',', '"', '\n', '\r']);
    if quoted {
        out.push(b'"');
    }
    if needs_neutralising(s) {
        out.push(b'\'');
    }
    if quoted {
        for (i, part) in s.split('"').enumerate() {
            if i > 0 {
                out.extend_from_slice(b"\"\"");
            }
            put_text(out, part, enc);
        }
        out.push(b'"');
    } else {
        put_text(out, s, enc);
    }
}

/// Shortest text that reads back as the same f64 (Rust's `Display`); whole numbers, the
/// common case, skip the float formatter.
fn put_float(out: &mut Vec<u8>, v: f64) {
    if !v.is_finite() {
        return;
    }
    if v.fract() == 0.0 && v.abs() < 1e15 && !(v == 0.0 && v.is_sign_negative()) {
        put_int(out, v as i64);
    } else {
        // Writing into a Vec cannot fail.
        let _ = write!(out, "{v}");
    }
}

fn put_int(out: &mut Vec<u8>, v: i64) {
    let _ = write!(out, "{v}");
}

fn put_field(out: &mut Vec<u8>, f: &Field, enc: CsvEncoding) {
    match f {
        Field::Null => {}
        Field::Int(i) => put_int(out, *i),
        Field::Float(v) => put_float(out, *v),
        Field::Text(s) => put_text_field(out, s, enc),
        Field::Rounded(v, decimals) => {
            if v.is_finite() {
                out.extend_from_slice(super::shown::rounded_text(*v, *decimals).as_bytes());
            }
        }
    }
}

/// One CSV line (CRLF-terminated, as RFC 4180 and Excel expect).
fn put_line<'f>(
    out: &mut Vec<u8>,
    fields: impl IntoIterator<Item = &'f Field<'f>>,
    enc: CsvEncoding,
) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        put_field(out, f, enc);
    }
    out.extend_from_slice(b"\r\n");
}

fn header_fields<'a>(header: &[&'a str]) -> Vec<Field<'a>> {
    header.iter().map(|h| Field::text(*h)).collect()
}

/// The whole CSV document as text (UTF-8, no BOM).
pub fn to_csv_text(header: &[&str], rows: &[Vec<Field>]) -> String {
    let mut out = Vec::new();
    put_line(&mut out, &header_fields(header), CsvEncoding::Utf8Bom);
    for row in rows {
        put_line(&mut out, row, CsvEncoding::Utf8Bom);
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Fields escaped and encoded once and written many times: the columns a table repeats on
/// every row of one report (city, source URL, …), or of one template cell (its labels).
#[derive(Debug, Clone, Default)]
pub struct Encoded(Vec<u8>);

/// A CSV file written row by row, so large tables never sit in memory as text. A row is built
/// in a reused buffer, from [`Field`]s or pre-[`Encoded`] runs of fields.
pub struct CsvSink<W: Write> {
    w: W,
    enc: CsvEncoding,
    line: Vec<u8>,
    fields_in_line: usize,
}

impl<W: Write> CsvSink<W> {
    /// Start a file: the BOM (UTF-8) and the header line.
    pub fn new(mut w: W, enc: CsvEncoding, header: &[&str]) -> std::io::Result<CsvSink<W>> {
        if enc == CsvEncoding::Utf8Bom {
            w.write_all(b"\xEF\xBB\xBF")?;
        }
        let mut sink = CsvSink {
            w,
            enc,
            line: Vec::with_capacity(512),
            fields_in_line: 0,
        };
        sink.row(&header_fields(header))?;
        Ok(sink)
    }

    /// Several fields, comma-separated, in this file's encoding.
    pub fn encode(&self, fields: &[Field]) -> Encoded {
        let mut out = Vec::new();
        put_line(&mut out, fields, self.enc);
        out.truncate(out.len() - 2);
        Encoded(out)
    }

    fn separate(&mut self) {
        if self.fields_in_line > 0 {
            self.line.push(b',');
        }
        self.fields_in_line += 1;
    }

    /// Append one field to the current row.
    pub fn field(&mut self, f: &Field) {
        self.separate();
        put_field(&mut self.line, f, self.enc);
    }

    /// Append pre-encoded fields to the current row.
    pub fn encoded(&mut self, e: &Encoded) {
        self.separate();
        self.line.extend_from_slice(&e.0);
    }

    /// End the current row and write it.
    pub fn end_row(&mut self) -> std::io::Result<()> {
        self.line.extend_from_slice(b"\r\n");
        let result = self.w.write_all(&self.line);
        self.line.clear();
        self.fields_in_line = 0;
        result
    }

    /// Write one whole row of fields.
    pub fn row(&mut self, fields: &[Field]) -> std::io::Result<()> {
        for f in fields {
            self.field(f);
        }
        self.end_row()
    }

    /// Flush the writer and hand it back; fails when the flush does.
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

    /// A writer that accepts `room` bytes, then fails as a full disk does.
    struct FullDisk {
        room: usize,
    }

    impl Write for FullDisk {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.room == 0 {
                return Err(std::io::Error::from_raw_os_error(28)); // ENOSPC
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_full_disk_is_an_error_not_a_panic() {
        let header = ["a", "b"];
        let result = (|| {
            let mut sink = CsvSink::new(FullDisk { room: 100 }, CsvEncoding::Utf8Bom, &header)?;
            for i in 0..1000 {
                sink.row(&[Field::Int(i), Field::text("文本")])?;
            }
            sink.finish().map(|_| ())
        })();
        let err = result.expect_err("the disk is full");
        assert_eq!(err.raw_os_error(), Some(28));
    }

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
    fn whole_floats_print_as_display_does() {
        for v in [
            0.0,
            -0.0,
            3.0,
            -3.0,
            0.25,
            1e15 - 1.0,
            1e15,
            1e20,
            -7.5e-7,
            123456.0,
        ] {
            let mut out = Vec::new();
            put_float(&mut out, v);
            assert_eq!(String::from_utf8(out).expect("utf8"), format!("{v}"), "{v}");
        }
    }

    #[test]
    fn encoded_runs_equal_fields_written_one_by_one() {
        let fields = [
            Field::text("南宁市"),
            Field::text("a,b"),
            Field::Null,
            Field::Int(7),
        ];
        let mut one = CsvSink::new(Vec::new(), CsvEncoding::Gbk, &["h"]).expect("sink");
        one.row(&fields).expect("row");
        let mut two = CsvSink::new(Vec::new(), CsvEncoding::Gbk, &["h"]).expect("sink");
        let run = two.encode(&fields[..3]);
        two.encoded(&run);
        two.field(&fields[3]);
        two.end_row().expect("row");
        assert_eq!(one.finish().expect("flush"), two.finish().expect("flush"));
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
