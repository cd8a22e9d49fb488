//! The HTML report in headless Chromium (each test SKIPS with a message when
//! `/usr/bin/chromium` is absent): the index, a city page and a report page load without a
//! request or a console error, their links resolve to files of the report, screenshots of the
//! index, a city page and a standalone chart are of the expected size and not blank, and a
//! city page prints on A4.

use std::io::Read;
use std::path::Path;

use nianbao_tables::htmlreport::{self, Options};
use scraper::Html;
use serde_json::Value;

use crate::report::{count, demo_harvest, demo_output, sel};
use crate::util::{describe, read_json, run};

/// The charts of one year: one per metric, and one per metric that has a value per 100,000.
fn charts_per_year() -> usize {
    let metrics = nianbao_tables::aggregate::metrics::MetricSet::builtin();
    metrics.len() + metrics.metrics().iter().filter(|m| m.per_100k()).count()
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

/// Width, height and the number of distinct byte values of a PNG's pixel data (a blank page
/// has a handful; a rendered one, with text and charts, most of the 256).
fn png_facts(png: &[u8]) -> (u32, u32, usize) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let be = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    let (width, height) = (be(16), be(20));
    let mut idat = Vec::new();
    let mut pos = 8;
    while pos + 8 <= png.len() {
        let len = be(pos) as usize;
        let end = (pos + 8 + len).min(png.len());
        if &png[pos + 4..pos + 8] == b"IDAT" {
            idat.extend_from_slice(&png[pos + 8..end]);
        }
        pos += 12 + len;
    }
    let mut pixels = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut pixels)
        .expect("inflate the PNG");
    let distinct: std::collections::BTreeSet<u8> = pixels.into_iter().collect();
    (width, height, distinct.len())
}

/// A screenshot of `page` (an HTML page or an SVG file) at 1280 × `height`, checked to be of
/// that size and not blank; `None` when Chromium is absent.
fn screenshot(page: &Path, shot: &Path, height: u32) -> Option<()> {
    let profile = tempfile::tempdir().expect("profile");
    let mut cmd = chromium(profile.path())?;
    let out = run(cmd
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("--window-size=1280,{height}"))
        .arg("--hide-scrollbars")
        .arg(format!("file://{}", page.display())));
    assert!(out.status.success(), "{}", describe(&out));
    let png = std::fs::read(shot).expect("screenshot");
    let (w, h, distinct) = png_facts(&png);
    assert_eq!((w, h), (1280, height), "{}", page.display());
    assert!(
        distinct > 64,
        "{}: a blank screenshot ({distinct} byte values)",
        page.display()
    );
    Some(())
}

/// Every relative link of a page Chromium loaded points at a file that exists (fragments
/// aside); returns how many were checked.
fn assert_links_resolve(page: &Path, dom: &Html) -> usize {
    let dir = page.parent().expect("a folder");
    let mut checked = 0;
    for a in dom.select(&sel("a[href]")) {
        let href = a.value().attr("href").unwrap_or_default();
        if href.starts_with("http://") || href.starts_with("https://") || href.starts_with('#') {
            continue;
        }
        let path = href.split('#').next().unwrap_or_default();
        assert!(
            dir.join(path).is_file(),
            "{}: {href} does not resolve",
            page.display()
        );
        checked += 1;
    }
    checked
}

#[test]
fn chromium_renders_the_index_and_a_city_page_without_errors_or_requests() {
    let out = demo_harvest();
    let index = out.path().join("report.html");
    let city = out.path().join("report/city-450800.html");
    let Some(seen) = browse(&index) else {
        return;
    };
    assert!(seen.console.is_empty(), "{:#?}", seen.console);
    assert!(seen.page_requests.is_empty(), "{:?}", seen.page_requests);
    let dom = &seen.dom;
    assert_eq!(
        count(dom, "figure.fig svg"),
        2,
        "two charts of the latest year"
    );
    assert_eq!(count(dom, "table.heat tbody tr"), 14);
    assert_eq!(count(dom, ".banner.synthetic"), 1);
    assert!(assert_links_resolve(&index, dom) > 14 + 14);

    let seen = browse(&city).expect("chromium");
    assert!(seen.console.is_empty(), "{:#?}", seen.console);
    assert!(seen.page_requests.is_empty(), "{:?}", seen.page_requests);
    let dom = &seen.dom;
    assert_eq!(count(dom, "figure.fig svg.trend"), charts_per_year());
    assert_eq!(count(dom, "ul.reports li"), 18, "贵港市 has 18 reports");
    assert!(assert_links_resolve(&city, dom) > 18 + charts_per_year());
    let report = dom
        .select(&sel("ul.reports li a"))
        .next()
        .and_then(|a| a.value().attr("href"))
        .expect("a report page");
    let report = city.with_file_name(report);
    let seen = browse(&report).expect("chromium");
    assert!(seen.console.is_empty() && seen.page_requests.is_empty());
    assert_eq!(count(&seen.dom, "table.t3"), 1);
    assert_links_resolve(&report, &seen.dom);

    let shots = tempfile::tempdir().expect("shots");
    screenshot(&index, &shots.path().join("index.png"), 2000).expect("chromium");
    screenshot(&city, &shots.path().join("city.png"), 2400).expect("chromium");
    // A chart saved on its own renders too (its styles travel with it).
    let svg = out
        .path()
        .join("report/svg/trend-450800-disclosure_rate.svg");
    screenshot(&svg, &shots.path().join("chart.png"), 400).expect("chromium");
}

#[test]
fn a_city_page_prints_on_a4() {
    let (dir, t) = demo_output();
    let page = dir.path().join("report.html");
    htmlreport::write(&t, &Options::default(), &page).expect("report");
    let city = dir.path().join("report/city-450200.html");
    let profile = tempfile::tempdir().expect("profile");
    let Some(mut cmd) = chromium(profile.path()) else {
        return;
    };
    let pdf = dir.path().join("city.pdf");
    let out = run(cmd
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", city.display())));
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
    // The metrics table, 13 trend charts two to a row, and the reports: several pages.
    assert!(boxes.len() >= 3, "{} pages", boxes.len());
}
