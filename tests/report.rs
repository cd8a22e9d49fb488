//! The HTML comparison report: the Parquet outputs read back, the `report` command, the
//! report's content (charts, tables, escaping, data origin), and the page in headless Chromium
//! (skipped when `/usr/bin/chromium` is absent).

use std::path::{Path, PathBuf};

use nianbao_tables::aggregate::metrics::MetricSet;
use nianbao_tables::aggregate::{
    aggregate, load, output, City, ComparisonRow, Input, Level, SourceMeta, Tables,
};
use nianbao_tables::export::csv::CsvEncoding;
use nianbao_tables::htmlreport::{self, Options};
use scraper::{Html, Selector};
use serde_json::Value;

use crate::util::{bin, describe, read_json, root, run};

fn fixture_dir() -> PathBuf {
    root().join("tests/fixtures/report")
}

/// A stable stand-in for a digest (the fixtures need distinct values, not a real SHA-256).
fn digest(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The demo subset as harvested: each page parsed, with its manifest entry as the source.
fn demo_inputs() -> (Vec<Input>, Vec<City>) {
    let manifest = read_json(&fixture_dir().join("manifest.json"));
    let mut inputs = Vec::new();
    let mut cities = Vec::new();
    for e in manifest["entries"].as_array().expect("entries") {
        let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
        let bytes = std::fs::read(fixture_dir().join(s("file"))).expect("page");
        let report = nianbao_parser::parse_bytes(&bytes, &s("file"), None).expect("parse");
        let meta = SourceMeta {
            city: s("city"),
            adcode: s("adcode"),
            report_id: format!("{}-{}", s("adcode"), s("path")),
            level: if s("kind") == "city" {
                Level::CityGovernment
            } else {
                Level::CityDepartment
            },
            url: format!("https://{}{}", s("host"), s("path")),
            warc_record_id: format!("<urn:uuid:{}>", digest(s("file").as_bytes())),
            sha256: digest(&bytes),
            fetch_time: "2025-03-01T00:00:00Z".into(),
            data_origin: s("data_origin"),
            ..SourceMeta::default()
        };
        if !cities.iter().any(|c: &City| c.adcode == meta.adcode) {
            cities.push(City {
                name: meta.city.clone(),
                adcode: meta.adcode.clone(),
                population: manifest["populations"][&meta.adcode].as_u64(),
                population_source: None,
            });
        }
        inputs.push(Input::new(meta, report));
    }
    (inputs, cities)
}

fn demo_tables() -> Tables {
    let (inputs, cities) = demo_inputs();
    aggregate(inputs, &cities, &Default::default()).expect("aggregate")
}

/// The demo tables written as an output folder, as `aggregate`/`harvest` leave it.
fn demo_output() -> (tempfile::TempDir, Tables) {
    let tmp = tempfile::tempdir().expect("tmp");
    let tables = demo_tables();
    output::write_all(&tables, tmp.path(), CsvEncoding::Utf8Bom).expect("write outputs");
    (tmp, tables)
}

/// The charts of one year: one per metric, and one per metric that has a value per 100,000.
fn charts_per_year() -> usize {
    let metrics = MetricSet::builtin();
    metrics.len() + metrics.metrics().iter().filter(|m| m.per_100k()).count()
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("selector {s}: {e}"))
}

fn count(doc: &Html, s: &str) -> usize {
    doc.select(&sel(s)).count()
}

#[test]
fn the_parquet_outputs_read_back_as_the_same_tables() {
    let (dir, t) = demo_output();
    let back = load::read_tables(dir.path(), &MetricSet::builtin()).expect("read tables");
    assert!(!t.comparison.is_empty() && !t.findings.is_empty());
    assert_eq!(back.reports, t.reports);
    assert_eq!(back.cells, t.cells);
    assert_eq!(back.findings, t.findings);
    assert_eq!(back.comparison, t.comparison);
    assert_eq!(back.trends, t.trends);
}

#[test]
fn a_missing_output_folder_is_an_error_naming_the_file() {
    let tmp = tempfile::tempdir().expect("tmp");
    let err = load::read_tables(tmp.path(), &MetricSet::builtin()).expect_err("no parquet files");
    assert!(err.to_string().contains("reports.parquet"), "{err}");
}

#[test]
fn the_report_command_writes_report_html_into_the_output_folder() {
    let (dir, t) = demo_output();
    let out = run(bin().args(["report", "--from"]).arg(dir.path()));
    assert!(out.status.success(), "{}", describe(&out));
    let html = std::fs::read_to_string(dir.path().join("report.html")).expect("report.html");
    assert_eq!(html, htmlreport::render(&t, &Options::default()));
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .expect("ls")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn the_report_command_fails_on_a_folder_without_outputs() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = run(bin().args(["report", "--from"]).arg(tmp.path()));
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("reports.parquet"));
    assert!(!tmp.path().join("report.html").exists());
}

#[test]
fn the_page_can_make_no_request() {
    let html = htmlreport::render(&demo_tables(), &Options::default());
    let doc = Html::parse_document(&html);
    let csp = doc
        .select(&sel("meta[http-equiv=Content-Security-Policy]"))
        .next()
        .and_then(|m| m.value().attr("content"))
        .expect("a CSP meta tag");
    assert_eq!(
        csp,
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    );
    assert_eq!(count(&doc, "script"), 0);
    for el in doc.select(&sel("[src], link[href]")) {
        let url = el
            .value()
            .attr("src")
            .or(el.value().attr("href"))
            .unwrap_or_default();
        assert!(url.starts_with("data:"), "a resource to fetch: {url}");
    }
    assert!(!html.contains("url(") && !html.contains("@import"));
}

#[test]
fn each_year_has_a_ranked_bar_chart_per_metric_with_its_table() {
    let t = demo_tables();
    let doc = Html::parse_document(&htmlreport::render(&t, &Options::default()));
    let years: std::collections::BTreeSet<i32> = t.comparison.iter().map(|r| r.year).collect();
    assert_eq!(years.len(), 4);
    for year in &years {
        let figs = count(&doc, &format!("#year-{year} figure.fig"));
        assert_eq!(figs, charts_per_year(), "{year}");
        let svgs = count(
            &doc,
            &format!("#year-{year} figure.fig > svg[role=img] > title"),
        );
        assert_eq!(svgs, figs, "every chart has role=img and a title");
        let tables = count(&doc, &format!("#year-{year} figure.fig details table"));
        assert_eq!(tables, figs, "every chart has its numbers as a table");
    }
    let latest = doc
        .select(&sel("section.year"))
        .next()
        .and_then(|s| s.value().attr("id"))
        .expect("a year section");
    assert_eq!(latest, format!("year-{}", years.last().expect("a year")));
}

/// Values of the bars of one chart, by city.
fn bars(doc: &Html, year: i32, metric: &str) -> Vec<(String, Option<f64>)> {
    let s = format!("figure[data-year=\"{year}\"][data-metric=\"{metric}\"] g.bar");
    doc.select(&sel(&s))
        .map(|g| {
            let v = g.value();
            (
                v.attr("data-city").unwrap_or_default().to_string(),
                v.attr("data-value").and_then(|x| x.parse().ok()),
            )
        })
        .collect()
}

#[test]
fn chart_numbers_equal_the_comparison_table() {
    let t = demo_tables();
    let doc = Html::parse_document(&htmlreport::render(&t, &Options::default()));
    let mut checked = 0;
    let metrics = MetricSet::builtin();
    for (k, m) in metrics.metrics().iter().enumerate() {
        for row in &t.comparison {
            let want = |v: &[Option<f64>]| v[k];
            let got = bars(&doc, row.year, m.id());
            let bar = got.iter().find(|(c, _)| *c == row.city).expect("a bar");
            assert_eq!(
                bar.1,
                want(&row.values),
                "{} {} {}",
                row.city,
                row.year,
                m.id()
            );
            if m.per_100k() {
                let got = bars(&doc, row.year, &format!("{}_per_100k", m.id()));
                let bar = got.iter().find(|(c, _)| *c == row.city).expect("a bar");
                assert_eq!(bar.1, want(&row.per_100k));
            }
            checked += 1;
        }
    }
    assert_eq!(checked, metrics.len() * t.comparison.len());
    let got = bars(&doc, 2024, "applications");
    let mut sorted = got.clone();
    sorted.sort_by(|a, b| b.1.partial_cmp(&a.1).expect("numbers"));
    assert_eq!(got, sorted, "bars are ranked, highest first");
}

#[test]
fn the_comparison_table_shows_formatted_values_and_ranks() {
    let t = demo_tables();
    let doc = Html::parse_document(&htmlreport::render(&t, &Options::default()));
    let row: &ComparisonRow = t
        .comparison
        .iter()
        .find(|r| r.city == "南宁市" && r.year == 2024)
        .expect("南宁市 2024");
    let cell = doc
        .select(&sel(
            "#comparison-2024 tr[data-adcode=\"450100\"] td[data-metric=disclosure_rate]",
        ))
        .next()
        .expect("cell");
    let text: String = cell.text().collect();
    let want = format!(
        "{:.1}% ({})",
        row.values[1].expect("a rate") * 100.0,
        row.ranks[1].expect("a rank")
    );
    assert_eq!(text, want);
}

#[test]
fn every_report_prints_its_three_tables_with_chinese_labels() {
    let t = demo_tables();
    let doc = Html::parse_document(&htmlreport::render(&t, &Options::default()));
    assert_eq!(count(&doc, "article.report"), t.reports.len());
    let t3 = sel("table.t3");
    let tables: Vec<_> = doc.select(&t3).collect();
    assert_eq!(
        tables.len(),
        t.reports.len(),
        "every demo report has table 三"
    );
    for table in &tables {
        let rows: Vec<_> = table.select(&sel("tbody tr")).collect();
        assert_eq!(rows.len(), 26);
        assert!(rows.iter().all(|r| r.select(&sel("td")).count() == 7));
    }
    let first: String = tables[0].text().collect();
    for label in [
        "本年新收政府信息公开申请数量",
        "法人或其他组织",
        "商业企业",
        "结转下年度继续办理",
    ] {
        assert!(first.contains(label), "{label}");
    }
    let t4 = doc.select(&sel("table.t4 tbody td")).count();
    assert_eq!(t4, 15 * t.reports.len());
    assert_eq!(count(&doc, "table.t2"), t.reports.len());
    // The value of one cell equals the cells table.
    let i = t
        .reports
        .iter()
        .position(|r| {
            r.meta.city == "柳州市" && r.year == Some(2022) && r.meta.is_city_government()
        })
        .expect("柳州市 2022");
    let want = t
        .cells
        .iter()
        .find(|c| c.report() == i && c.def().row == "new_received" && c.def().column == "total")
        .and_then(|c| c.value())
        .expect("value");
    let td = doc
        .select(&sel(&format!(
            "#report-{i} td[data-cell=\"table3.new_received.total\"]"
        )))
        .next()
        .expect("the cell");
    assert_eq!(td.text().collect::<String>(), format!("{want}"));
    assert!(
        td.value()
            .attr("class")
            .unwrap_or_default()
            .contains("error"),
        "the broken total (T3-1) is marked"
    );
}

#[test]
fn the_heat_table_links_each_city_year_to_its_findings() {
    let t = demo_tables();
    let doc = Html::parse_document(&htmlreport::render(&t, &Options::default()));
    let rows = count(&doc, "table.heat tbody tr");
    assert_eq!(rows, 4, "one row per city");
    let mut linked = 0;
    for a in doc.select(&sel("table.heat td a")) {
        let href = a.value().attr("href").expect("href");
        let id = href.strip_prefix('#').expect("an anchor");
        assert_eq!(count(&doc, &format!("[id=\"{id}\"].findings")), 1, "{href}");
        linked += 1;
    }
    assert_eq!(linked, 16, "4 cities × 4 years");
    let cell = doc
        .select(&sel("table.heat td a[href=\"#findings-450200-2022\"]"))
        .next()
        .expect("柳州市 2022");
    let td_class = doc
        .select(&sel("table.heat td.error"))
        .any(|td| td.inner_html().contains("findings-450200-2022"));
    assert!(td_class, "柳州市 2022 breaks T3-1: an error cell");
    assert!(cell.text().collect::<String>().contains("错误"));
}

#[test]
fn synthetic_data_gets_a_banner_and_published_rows_are_marked() {
    let t = demo_tables();
    let doc = Html::parse_document(&htmlreport::render(&t, &Options::default()));
    let banner: String = doc
        .select(&sel(".banner.synthetic"))
        .next()
        .expect("a banner")
        .text()
        .collect();
    assert!(
        banner.contains("演示数据") && banner.contains("贵港市 2021年"),
        "{banner}"
    );
    assert_eq!(count(&doc, "#comparison-2021 tr.published"), 1);
    assert_eq!(count(&doc, "#comparison-2024 tr.published"), 0);
    assert_eq!(
        count(&doc, "figure[data-year=\"2021\"] g.bar.published"),
        charts_per_year()
    );

    let mut real = t.clone();
    for r in &mut real.reports {
        r.meta.data_origin = "published".into();
    }
    let html = htmlreport::render(&real, &Options::default());
    assert!(!html.contains("banner synthetic"));
}

#[test]
fn text_from_the_data_is_escaped_and_only_http_links_are_kept() {
    let mut t = demo_tables();
    let evil = "<img src=x onerror=alert(1)>\"'&";
    t.reports[0].meta.city = evil.into();
    t.reports[0].meta.url = "javascript:alert(1)".into();
    t.reports[1].meta.url = "https://x.gov.cn/a?b=1&c=\"><script>".into();
    t.comparison[0].city = evil.into();
    t.findings[0].finding.message = "</table><script>alert(1)</script>".into();
    let html = htmlreport::render(&t, &Options::default());
    assert!(!html.contains("<img src=x") && !html.contains("<script"));
    assert!(!html.contains("href=\"javascript:"));
    assert!(html.contains("<span class=\"nolink\">javascript:alert(1)</span>"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;"));
    let doc = Html::parse_document(&html);
    for a in doc.select(&sel("a[href]")) {
        let href = a.value().attr("href").unwrap_or_default();
        assert!(
            href.starts_with('#') || href.starts_with("http://") || href.starts_with("https://"),
            "{href}"
        );
    }
    assert!(doc
        .select(&sel("a[href]"))
        .any(|a| a.value().attr("href") == Some("https://x.gov.cn/a?b=1&c=\"><script>")));
}

/// Headless Chromium with no background networking (machines/rust.md) and a fresh profile, or
/// `None` (with a message saying the test is skipped) when it is not installed.
fn chromium(profile: &Path) -> Option<std::process::Command> {
    let exe = Path::new("/usr/bin/chromium");
    if !exe.exists() {
        eprintln!("SKIPPED: /usr/bin/chromium is absent (apt-get install chromium)");
        return None;
    }
    let mut cmd = std::process::Command::new(exe);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--no-first-run",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    Some(cmd)
}

/// What Chromium saw of one page: the DOM after loading, console lines, and the URLs the page
/// itself requested (the browser's own service requests carry no origin and are left out).
struct Browsed {
    dom: Html,
    console: Vec<String>,
    page_requests: Vec<String>,
}

fn browse(page: &Path) -> Option<Browsed> {
    let profile = tempfile::tempdir().expect("profile");
    let mut cmd = chromium(profile.path())?;
    let net_log = profile.path().join("netlog.json");
    let out = run(cmd
        .arg(format!("--log-net-log={}", net_log.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display())));
    assert!(out.status.success(), "{}", describe(&out));
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Refused to"))
        .map(str::to_string)
        .collect();
    Some(Browsed {
        dom: Html::parse_document(&String::from_utf8_lossy(&out.stdout)),
        console,
        page_requests: page_requests(&read_json(&net_log)),
    })
}

/// URLs of `URL_REQUEST_START_JOB` events whose initiator is an origin (a page's request).
fn page_requests(log: &Value) -> Vec<String> {
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].as_u64();
    let mut out: Vec<String> = log["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["type"].as_u64() == start_job)
        .filter(|e| e["params"]["initiator"].as_str() != Some("not an origin"))
        .filter_map(|e| e["params"]["url"].as_str().map(str::to_string))
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn chromium_notices_requests_and_console_errors_of_a_page() {
    // The control for the next test: a page without the CSP that logs an error and asks for
    // an image must be caught by both checks.
    let tmp = tempfile::tempdir().expect("tmp");
    let page = tmp.path().join("leaky.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><img src=\"http://127.0.0.1:9/probe.png\">\
         <script>console.error('probe')</script></body></html>",
    )
    .expect("page");
    let Some(seen) = browse(&page) else {
        return;
    };
    assert!(
        seen.page_requests.iter().any(|u| u.contains("probe.png")),
        "{:?}",
        seen.page_requests
    );
    assert!(
        seen.console.iter().any(|l| l.contains("probe")),
        "{:?}",
        seen.console
    );
}

#[test]
fn chromium_renders_the_report_without_errors_or_requests() {
    let (dir, t) = demo_output();
    let out = run(bin().args(["report", "--from"]).arg(dir.path()));
    assert!(out.status.success(), "{}", describe(&out));
    let page = dir.path().join("report.html");
    let Some(seen) = browse(&page) else {
        return;
    };
    assert!(seen.console.is_empty(), "{:#?}", seen.console);
    assert!(seen.page_requests.is_empty(), "{:?}", seen.page_requests);
    let dom = &seen.dom;
    assert_eq!(count(dom, "figure.fig svg"), 4 * charts_per_year());
    assert_eq!(count(dom, "figure.trend svg"), 4 * charts_per_year());
    assert_eq!(count(dom, "table.t3"), t.reports.len());
    assert_eq!(count(dom, "table.heat tbody tr"), 4);
    assert_eq!(count(dom, ".banner.synthetic"), 1);

    let profile = tempfile::tempdir().expect("profile");
    let Some(mut cmd) = chromium(profile.path()) else {
        return;
    };
    let shot = dir.path().join("shot.png");
    let out = run(cmd
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1280,2000")
        .arg("--hide-scrollbars")
        .arg(format!("file://{}", page.display())));
    assert!(out.status.success(), "{}", describe(&out));
    let png = std::fs::read(&shot).expect("screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let width = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    assert_eq!(width, 1280);
}

#[test]
fn the_report_prints_on_a4_with_sections_on_new_pages() {
    let (dir, t) = demo_output();
    let page = dir.path().join("report.html");
    htmlreport::write(&t, &Options::default(), &page).expect("report");
    let profile = tempfile::tempdir().expect("profile");
    let Some(mut cmd) = chromium(profile.path()) else {
        return;
    };
    let pdf = dir.path().join("report.pdf");
    let out = run(cmd
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display())));
    assert!(out.status.success(), "{}", describe(&out));
    let bytes = std::fs::read(&pdf).expect("pdf");
    let text = String::from_utf8_lossy(&bytes);
    let boxes: Vec<&str> = text
        .match_indices("/MediaBox [")
        .map(|(i, _)| {
            let rest = &text[i + 11..];
            &rest[..rest.find(']').unwrap_or(0)]
        })
        .collect();
    for b in &boxes {
        let dims: Vec<f64> = b
            .split_whitespace()
            .filter_map(|v| v.parse().ok())
            .collect();
        assert!(
            dims.len() == 4 && (dims[2] - 595.0).abs() < 1.0 && (dims[3] - 842.0).abs() < 1.0,
            "not A4 portrait: {b}"
        );
    }
    // The first year follows the overview; every other year, the trends, the heat table and
    // each of the 4 cities start a page.
    assert!(boxes.len() >= 1 + 3 + 2 + 4, "{} pages", boxes.len());
}
