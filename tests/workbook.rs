//! `nianbao.xlsx` ready for a memo: read back with calamine (values, sheets, 说明), its XML read
//! for what calamine does not report (column widths, frozen panes, autofilters, number formats),
//! and rendered headless by LibreOffice to PDF, whose text must show every header whole and no
//! `###` (skipped when `soffice` is absent; `.ci/run` installs it).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Reader, Xlsx};
use nianbao_tables::aggregate::Tables;
use unicode_width::UnicodeWidthStr;

use crate::aggregate::run;

/// Every text entry of a zip file (an XLSX), by name.
fn zip_texts(path: &Path) -> BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).expect("open")).expect("zip");
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("entry");
        let mut text = String::new();
        if f.read_to_string(&mut text).is_ok() {
            out.insert(f.name().expect("entry name").to_string(), text);
        }
    }
    out
}

/// The worksheets' XML by sheet name (rust_xlsxwriter numbers them in the order of
/// `workbook.xml`).
fn sheet_xml(entries: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let names = regex::Regex::new(r#"<sheet name="([^"]+)""#).expect("re");
    names
        .captures_iter(&entries["xl/workbook.xml"])
        .enumerate()
        .map(|(i, c)| {
            let xml = entries[&format!("xl/worksheets/sheet{}.xml", i + 1)].clone();
            (c[1].to_string(), xml)
        })
        .collect()
}

/// Column widths of a sheet (0-based column → width in characters).
fn column_widths(xml: &str) -> BTreeMap<usize, f64> {
    let col = regex::Regex::new(r#"<col min="(\d+)" max="(\d+)" width="([0-9.]+)""#).expect("re");
    let mut out = BTreeMap::new();
    for c in col.captures_iter(xml) {
        let (min, max): (usize, usize) = (c[1].parse().expect("n"), c[2].parse().expect("n"));
        for i in min..=max {
            out.insert(i - 1, c[3].parse().expect("width"));
        }
    }
    out
}

fn rows(wb: &mut Xlsx<std::io::BufReader<std::fs::File>>, sheet: &str) -> Vec<Vec<Data>> {
    let range = wb
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("{sheet}: {e}"));
    range.rows().map(|r| r.to_vec()).collect()
}

fn col(header: &[Data], label: &str) -> usize {
    header
        .iter()
        .position(|h| *h == label)
        .unwrap_or_else(|| panic!("no column {label} in {header:?}"))
}

fn float(d: &Data) -> Option<f64> {
    match d {
        Data::Float(f) => Some(*f),
        Data::Int(i) => Some(*i as f64),
        _ => None,
    }
}

fn written(tmp: &Path) -> (Tables, PathBuf) {
    let t = run(tmp);
    (t, tmp.join("nianbao.xlsx"))
}

#[test]
fn every_sheet_has_fitted_widths_frozen_labels_and_an_autofilter() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (_t, path) = written(tmp.path());
    let entries = zip_texts(&path);
    let sheets = sheet_xml(&entries);
    for name in [
        "市政府本级×年度",
        "市直部门×年度",
        "县区政府×年度",
        "全市合计×年度",
        "趋势",
        "问题",
        "覆盖",
        "报告",
        "原始单元格",
        "说明",
    ] {
        assert!(
            sheets.contains_key(name),
            "sheet {name}: {:?}",
            sheets.keys()
        );
    }
    let mut wb: Xlsx<_> = open_workbook(&path).expect("open");
    for (name, xml) in &sheets {
        assert!(
            xml.contains("<autoFilter ref=\"A1:"),
            "{name}: no autofilter"
        );
        assert!(
            xml.contains("ySplit=\"1\"") && xml.contains("state=\"frozen\""),
            "{name}: row 1 is not frozen"
        );
        // Every header fits its column (CJK characters count two), up to the cap where it
        // wraps instead.
        let widths = column_widths(xml);
        let header = &rows(&mut wb, name)[0];
        for (c, h) in header.iter().enumerate() {
            let need = (UnicodeWidthStr::width(h.to_string().as_str()) as f64)
                .min(nianbao_tables::export::xlsx::MAX_COLUMN_WIDTH - 4.0);
            let got = widths.get(&c).copied().unwrap_or(8.43);
            assert!(
                got >= need,
                "{name}: column {c} ({h}) is {got} wide, needs {need}"
            );
        }
    }
    // The comparison of a year freezes the city column; the wide sheet of departments freezes
    // the department kind and the city.
    let year_sheet = sheets
        .keys()
        .find(|n| n.starts_with("对比"))
        .expect("a year");
    assert!(sheets[year_sheet].contains("xSplit=\"1\""), "{year_sheet}");
    assert!(sheets["市直部门×年度"].contains("xSplit=\"2\""));
}

#[test]
fn the_wide_sheets_trends_and_notes_hold_the_tables_values() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (t, path) = written(tmp.path());
    let mut wb: Xlsx<_> = open_workbook(&path).expect("open");
    // 市政府本级×年度: the value of each city, metric and year as in the comparison.
    let wide = rows(&mut wb, "市政府本级×年度");
    let city = col(&wide[0], "城市");
    let mut checked = 0;
    for r in &t.comparison {
        for (k, m) in t.metrics.metrics().iter().enumerate() {
            let c = col(&wide[0], &format!("{} {}", m.zh(), r.year));
            let row = wide
                .iter()
                .find(|w| w[city].to_string() == r.city)
                .expect("a row per city");
            assert_eq!(
                float(&row[c]),
                r.values[k],
                "{} {} {}",
                r.city,
                m.id(),
                r.year
            );
            checked += usize::from(r.values[k].is_some());
        }
    }
    assert!(checked > 20, "only {checked} values");
    // 趋势: a rate's change in points (×100), a count's 同比 = change ÷ the year before; null
    // when the year before is.
    let trends = rows(&mut wb, "趋势");
    let h = &trends[0];
    let (metric, change, yoy) = (col(h, "指标"), col(h, "变化"), col(h, "同比"));
    let (year, city) = (col(h, "年度"), col(h, "城市"));
    for tr in &t.trends {
        let row = trends
            .iter()
            .find(|r| {
                r[metric].to_string() == tr.metric
                    && r[city].to_string() == tr.city
                    && float(&r[year]) == Some(f64::from(tr.year))
            })
            .expect("a trends row");
        let rate = t.metrics.get(&tr.metric).expect("metric").is_rate();
        match (tr.change, rate) {
            (None, _) => assert_eq!(float(&row[change]), None, "never invented"),
            (Some(c), true) => {
                let got = float(&row[change]).expect("a change");
                assert!((got - c * 100.0).abs() < 1e-9, "{got} points for {c}");
                assert_eq!(float(&row[yoy]), None, "a rate has no 同比");
            }
            (Some(c), false) => {
                let previous = tr.previous.expect("a change has a previous value");
                let want = (previous != 0.0).then(|| c / previous);
                assert_eq!(float(&row[yoy]), want, "{} {}", tr.city, tr.metric);
            }
        }
    }
    // 问题 carries the Chinese message beside the English one.
    let findings = rows(&mut wb, "问题");
    let zh = col(&findings[0], "说明（中文）");
    assert!(findings.len() > 1 && findings[1..].iter().all(|r| !r[zh].to_string().is_empty()));
    // 说明: the data status (these inputs are synthetic demo data), the census source, every
    // metric and every column of every table, from the data dictionary.
    let notes = rows(&mut wb, "说明");
    let text: Vec<String> = notes
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    assert!(text[1].contains("演示数据"), "{}", text[1]);
    assert!(text
        .iter()
        .any(|r| r.contains("第七次全国人口普查公报（测试）")));
    for key in [
        "disclosure_rate",
        "applications_per_100k",
        "message_zh",
        "amount_fen",
    ] {
        assert!(
            text.iter().any(|r| r.split('|').nth(1) == Some(key)),
            "{key}"
        );
    }
    // 报告 and 原始单元格: a row per report and per cell (under Excel's limit here).
    assert_eq!(rows(&mut wb, "报告").len(), t.reports.len() + 1);
    assert_eq!(rows(&mut wb, "原始单元格").len(), t.cells.len() + 1);
}

/// `soffice`, or `None` with a message saying the rendering test is skipped: when LibreOffice
/// is absent, or no font has Chinese glyphs (the rendering would not be a reader's).
fn soffice() -> Option<PathBuf> {
    let exe = ["/usr/bin/soffice", "/usr/local/bin/soffice"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    let Some(exe) = exe else {
        eprintln!(
            "SKIPPED: soffice (LibreOffice) is absent; apt-get install libreoffice-calc-nogui"
        );
        return None;
    };
    let cjk = std::process::Command::new("fc-list")
        .arg(":lang=zh")
        .output()
        .is_ok_and(|o| !o.stdout.is_empty());
    if !cjk {
        eprintln!("SKIPPED: no font with Chinese glyphs; apt-get install fonts-wqy-zenhei");
        return None;
    }
    Some(exe)
}

/// Render `xlsx` to PDF with LibreOffice (a private profile, so parallel runs do not share
/// one) and return the text of the PDF as the parser reads it: one string per line or cell.
fn rendered_text(soffice: &Path, xlsx: &Path) -> Vec<String> {
    let dir = xlsx.parent().expect("dir");
    let profile = dir.join("lo-profile");
    let out = std::process::Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir)
        .arg(xlsx)
        .output()
        .expect("run soffice");
    let pdf = xlsx.with_extension("pdf");
    assert!(pdf.exists(), "soffice wrote no PDF: {out:?}");
    let doc = nianbao_parser::pdf::read_pdf(&std::fs::read(&pdf).expect("pdf")).expect("read");
    let mut texts = Vec::new();
    for block in doc.blocks {
        match block {
            nianbao_model::document::Block::Line { text, .. } => texts.push(text),
            nianbao_model::document::Block::Row { cells } => {
                texts.extend(cells.into_iter().map(|c| c.text));
            }
        }
    }
    texts
}

/// What is cut in a rendering: `###` (a number wider than its column) and every expected
/// text that no line of the PDF holds whole (a header or value cut or wrapped).
fn cut(texts: &[String], expected: &[String]) -> Vec<String> {
    let squeezed: Vec<String> = texts.iter().map(|t| t.replace(' ', "")).collect();
    let mut out: Vec<String> = squeezed
        .iter()
        .filter(|t| t.contains("###"))
        .cloned()
        .collect();
    for e in expected {
        let e = e.replace(' ', "");
        if !squeezed.iter().any(|t| t.contains(&e)) {
            out.push(e);
        }
    }
    out
}

/// Keep only the named sheets of a workbook (LibreOffice renders every sheet; the raw cells
/// would take hundreds of pages), optionally narrowing every column of them to `narrow`.
fn only_sheets(from: &Path, to: &Path, keep: &[&str], narrow: Option<f64>) {
    let entries = zip_texts(from);
    let names: Vec<String> = regex::Regex::new(r#"<sheet name="([^"]+)""#)
        .expect("re")
        .captures_iter(&entries["xl/workbook.xml"])
        .map(|c| c[1].to_string())
        .collect();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(from).expect("open")).expect("zip");
    let mut w = zip::ZipWriter::new(std::fs::File::create(to).expect("create"));
    let width = regex::Regex::new(r#"width="[0-9.]+""#).expect("re");
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("entry");
        let name = f.name().expect("entry name").to_string();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).expect("read");
        if let Some(n) = name
            .strip_prefix("xl/worksheets/sheet")
            .and_then(|n| n.strip_suffix(".xml"))
            .and_then(|n| n.parse::<usize>().ok())
        {
            if let Some(narrow) = narrow.filter(|_| keep.contains(&names[n - 1].as_str())) {
                let xml = String::from_utf8(bytes).expect("utf8");
                bytes = width
                    .replace_all(&xml, format!("width=\"{narrow}\"").as_str())
                    .into_owned()
                    .into_bytes();
            }
        }
        // The other sheets are hidden, not removed (the workbook's parts stay consistent):
        // LibreOffice does not print a hidden sheet.
        if name == "xl/workbook.xml" {
            let mut xml = String::from_utf8(bytes).expect("utf8");
            for n in &names {
                if !keep.contains(&n.as_str()) {
                    xml = xml.replace(
                        &format!("<sheet name=\"{n}\""),
                        &format!("<sheet state=\"hidden\" name=\"{n}\""),
                    );
                }
            }
            bytes = xml.into_bytes();
        }
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("start");
        std::io::Write::write_all(&mut w, &bytes).expect("write");
    }
    w.finish().expect("finish");
}

/// The demo harvested into a fresh folder: its workbook has every level and six years, so
/// changes, 同比 and every number format occur.
fn demo() -> (tempfile::TempDir, PathBuf) {
    let (tmp, out) = crate::harvest::out_dir();
    crate::harvest::harvest(&out);
    (tmp, out)
}

#[test]
fn the_demo_workbook_shows_changes_in_points_and_year_on_year() {
    let (_tmp, out) = demo();
    let path = out.join("nianbao.xlsx");
    let styles = &zip_texts(&path)["xl/styles.xml"];
    for code in [
        "0.0%",
        "#,##0",
        "#,##0.00",
        "+0.0&quot; 个百分点&quot;;-0.0&quot; 个百分点&quot;",
        "+0.0%;-0.0%;0.0%",
    ] {
        assert!(
            styles.contains(&format!("formatCode=\"{code}")),
            "no format {code}"
        );
    }
    let mut wb: Xlsx<_> = open_workbook(&path).expect("open");
    let trends = rows(&mut wb, "趋势");
    let h = &trends[0];
    let (unit_of, now, before) = (col(h, "指标"), col(h, "本年"), col(h, "上年"));
    let (change, yoy) = (col(h, "变化"), col(h, "同比"));
    let metrics = nianbao_tables::aggregate::metrics::MetricSet::builtin();
    let (mut points, mut yoys, mut nulls) = (0, 0, 0);
    for r in &trends[1..] {
        let rate = metrics
            .get(&r[unit_of].to_string())
            .expect("metric")
            .is_rate();
        let (v, p) = (float(&r[now]), float(&r[before]));
        match (v, p) {
            (Some(v), Some(p)) if rate => {
                let got = float(&r[change]).expect("a change");
                assert!((got - (v - p) * 100.0).abs() < 1e-9, "{r:?}");
                assert_eq!(float(&r[yoy]), None, "a rate has no 同比: {r:?}");
                points += 1;
            }
            (Some(v), Some(p)) => {
                assert_eq!(float(&r[change]), Some(v - p), "{r:?}");
                let want = (p != 0.0).then(|| (v - p) / p);
                assert_eq!(float(&r[yoy]), want, "{r:?}");
                yoys += usize::from(want.is_some());
            }
            _ => {
                assert_eq!(float(&r[change]), None, "never invented: {r:?}");
                assert_eq!(float(&r[yoy]), None, "never invented: {r:?}");
                nulls += 1;
            }
        }
    }
    assert!(
        points > 50 && yoys > 50 && nulls > 10,
        "{points} {yoys} {nulls}"
    );
    // The demo's figures are synthetic: 说明 says so first, and each value sheet carries
    // data_origin.
    let notes = rows(&mut wb, "说明");
    assert!(
        notes[1][2].to_string().starts_with("演示数据"),
        "{:?}",
        notes[1]
    );
    let wide = rows(&mut wb, "市政府本级×年度");
    let origin = col(&wide[0], "数据来源");
    assert!(wide[1..]
        .iter()
        .all(|r| r[origin].to_string().contains("synthetic-demo")
            || r[origin].to_string().contains("published")));
}

#[test]
fn libreoffice_renders_the_workbook_with_nothing_cut() {
    let Some(soffice) = soffice() else { return };
    let (tmp, out) = demo();
    let path = out.join("nianbao.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&path).expect("open");
    let latest = wb
        .sheet_names()
        .iter()
        .filter_map(|n| n.strip_prefix("对比").and_then(|y| y.parse::<i32>().ok()))
        .max()
        .expect("a year");
    let year_name = format!("对比{latest}");
    let keep = [
        "市政府本级×年度",
        "县区政府×年度",
        &year_name,
        "趋势",
        "覆盖",
        "说明",
    ];
    let mut expected = Vec::new();
    for sheet in keep {
        let rows = rows(&mut wb, sheet);
        expected.extend(rows[0].iter().map(|h| h.to_string()));
    }
    // A sample of values as formatted: rates as percentages, counts and populations with
    // thousands separators, in the latest year.
    use nianbao_tables::export::shown::Shown;
    let wide = rows(&mut wb, "市政府本级×年度");
    for (label, shown) in [("实质公开率", Shown::Rate), ("本年新收申请", Shown::Count)] {
        let c = col(&wide[0], &format!("{label} {latest}"));
        expected.extend(
            wide[1..]
                .iter()
                .filter_map(|r| float(&r[c]))
                .map(|v| shown.display(v)),
        );
    }
    let year_sheet = rows(&mut wb, &year_name);
    let c = col(&year_sheet[0], "常住人口(2020)");
    expected.extend(
        year_sheet[1..]
            .iter()
            .filter_map(|r| float(&r[c]))
            .map(|v| Shown::Count.display(v)),
    );
    assert!(expected.iter().any(|e| e.ends_with('%')) && expected.iter().any(|e| e.contains(',')));
    let fitted = tmp.path().join("fitted.xlsx");
    only_sheets(&path, &fitted, &keep, None);
    let texts = rendered_text(&soffice, &fitted);
    let problems = cut(&texts, &expected);
    assert!(problems.is_empty(), "cut in the rendering: {problems:?}");
    // The check fails when the columns are too narrow: the same sheets at 4 characters.
    let narrow = tmp.path().join("narrow.xlsx");
    only_sheets(&path, &narrow, &keep, Some(4.0));
    let texts = rendered_text(&soffice, &narrow);
    let problems = cut(&texts, &expected);
    assert!(
        problems.len() > expected.len() / 2 && problems.iter().any(|p| p.contains("###")),
        "narrow columns must show as cut: {problems:?}"
    );
}
