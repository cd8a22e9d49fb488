//! The HTML comparison report: the Parquet outputs read back, the `report` command, the
//! report's pages and their content (charts with captions and SVG files, tables, links between
//! the pages, escaping, data origin, the census cited) and the size of every page of the demo
//! report. The pages in headless Chromium are in `report_chromium`.

use std::path::{Path, PathBuf};

use nianbao_tables::aggregate::metrics::MetricSet;
use nianbao_tables::aggregate::{
    aggregate, load, output, City, ComparisonRow, Input, Level, SourceMeta, Tables,
};
use nianbao_tables::export::csv::CsvEncoding;
use nianbao_tables::htmlreport::{self, Options};
use scraper::{Html, Selector};

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

pub(crate) fn demo_tables() -> Tables {
    let (inputs, cities) = demo_inputs();
    aggregate(inputs, &cities, &Default::default()).expect("aggregate")
}

/// The demo tables written as an output folder, as `aggregate`/`harvest` leave it.
pub(crate) fn demo_output() -> (tempfile::TempDir, Tables) {
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

pub(crate) fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("selector {s}: {e}"))
}

pub(crate) fn count(doc: &Html, s: &str) -> usize {
    doc.select(&sel(s)).count()
}

/// The population source the `report` command cites from the built-in config.
pub(crate) const CENSUS: &str =
    "广西壮族自治区第七次全国人口普查公报（第二号）（广西壮族自治区统计局，2021-05）";

/// The options the `report` command uses with the built-in config.
fn command_options() -> Options {
    Options {
        population_source: Some(CENSUS.into()),
        ..Options::default()
    }
}

/// The report's files by path.
fn pages(t: &Tables) -> std::collections::BTreeMap<String, String> {
    htmlreport::render(t, &Options::default())
        .into_iter()
        .map(|p| (p.path, p.body))
        .collect()
}

/// One page parsed.
fn doc(pages: &std::collections::BTreeMap<String, String>, path: &str) -> Html {
    Html::parse_document(pages.get(path).unwrap_or_else(|| panic!("no page {path}")))
}

/// Every HTML page's `<main>` in one document, for counts over the whole report.
fn all_pages(pages: &std::collections::BTreeMap<String, String>) -> Html {
    let mut html = String::from("<!DOCTYPE html><html><body>");
    for (path, body) in pages.iter().filter(|(p, _)| p.ends_with(".html")) {
        let main = body
            .split_once("<main>")
            .and_then(|(_, rest)| rest.split_once("</main>"))
            .map_or("", |(m, _)| m);
        html.push_str(&format!("<div data-page=\"{path}\">{main}</div>"));
    }
    Html::parse_document(&html)
}

/// `href` (relative to the page `from`) as a path of the report, without its fragment; `None`
/// for a fragment of the same page.
fn resolve(from: &str, href: &str) -> Option<String> {
    let path = href.split('#').next().unwrap_or_default();
    if path.is_empty() {
        return None;
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in path.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
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
fn the_report_command_writes_the_index_and_its_pages_into_the_output_folder() {
    let (dir, t) = demo_output();
    let out = run(bin().args(["report", "--from"]).arg(dir.path()));
    assert!(out.status.success(), "{}", describe(&out));
    let want = htmlreport::render(&t, &command_options());
    for page in &want {
        let got = std::fs::read_to_string(dir.path().join(&page.path))
            .unwrap_or_else(|e| panic!("{}: {e}", page.path));
        assert!(got == page.body, "{} differs", page.path);
    }
    let on_disk = walk(&dir.path().join("report"));
    assert_eq!(
        on_disk.len(),
        want.len() - 1 + 1,
        "the pages, the SVG files and the marker"
    );
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .expect("ls")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.contains(".tmp") || n.contains(".old"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// Every file under `dir`, recursively.
pub(crate) fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("ls").flatten() {
        if e.file_type().expect("type").is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
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
fn no_page_can_make_a_request_or_run_a_script() {
    let pages = pages(&demo_tables());
    let mut checked = 0;
    for (path, html) in pages.iter().filter(|(p, _)| p.ends_with(".html")) {
        let doc = Html::parse_document(html);
        let csp = doc
            .select(&sel("meta[http-equiv=Content-Security-Policy]"))
            .next()
            .and_then(|m| m.value().attr("content"))
            .unwrap_or_else(|| panic!("{path}: a CSP meta tag"));
        assert_eq!(
            csp,
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        );
        assert_eq!(count(&doc, "script"), 0, "{path}");
        for el in doc.select(&sel("*")) {
            for (name, _) in el.value().attrs() {
                assert!(!name.starts_with("on"), "{path}: an event handler {name}");
            }
        }
        for el in doc.select(&sel("[src], link[href]")) {
            let url = el
                .value()
                .attr("src")
                .or(el.value().attr("href"))
                .unwrap_or_default();
            assert!(
                url.starts_with("data:"),
                "{path}: a resource to fetch: {url}"
            );
        }
        assert!(
            !html.contains("url(") && !html.contains("@import"),
            "{path}"
        );
        checked += 1;
    }
    for (path, svg) in pages.iter().filter(|(p, _)| p.ends_with(".svg")) {
        assert!(!svg.contains("<script") && !svg.contains("href"), "{path}");
    }
    assert!(checked > 10, "{checked} pages");
}

#[test]
fn every_link_between_the_pages_resolves_to_a_page_of_the_report() {
    let pages = pages(&demo_tables());
    let mut relative = 0;
    for (path, html) in pages.iter().filter(|(p, _)| p.ends_with(".html")) {
        let doc = Html::parse_document(html);
        for a in doc.select(&sel("a[href]")) {
            let href = a.value().attr("href").unwrap_or_default();
            if href.starts_with("http://") || href.starts_with("https://") {
                continue;
            }
            assert!(!href.contains(':'), "{path}: {href}");
            let Some(target) = resolve(path, href) else {
                continue;
            };
            let page = pages
                .get(&target)
                .unwrap_or_else(|| panic!("{path}: {href} → {target} is not in the report"));
            if let Some((_, id)) = href.split_once('#') {
                assert!(
                    page.contains(&format!("id=\"{id}\"")),
                    "{path}: {href}: no #{id}"
                );
            }
            relative += 1;
        }
    }
    assert!(relative > 500, "{relative} links");
}

#[test]
fn every_chart_is_captioned_and_can_be_saved_as_svg() {
    let t = demo_tables();
    let pages = pages(&t);
    let all = all_pages(&pages);
    let figures: Vec<_> = all.select(&sel("figure.fig")).collect();
    // 4 years + 2 on the index; trends: 1 + 4 cities.
    assert_eq!(figures.len(), (4 + 1 + 4) * charts_per_year() + 2);
    for f in &figures {
        let title: String = f
            .select(&sel("svg > title"))
            .next()
            .expect("a title")
            .text()
            .collect();
        for part in ["单位：", "排名 1 = ", "数据：", "来源：", "市政府本级"] {
            assert!(title.contains(part), "{title}");
        }
        assert!(title.contains("年"), "{title}");
        let drawn: String = f
            .select(&sel("svg > text.ctitle"))
            .flat_map(|e| e.text())
            .collect();
        assert!(
            title.starts_with(&drawn),
            "the caption is drawn in the chart: {drawn}"
        );
        let link = f.select(&sel("a.save")).next().expect("a save link");
        let href = link.value().attr("href").expect("href");
        assert!(href.ends_with(".svg") && link.value().attr("download").is_some());
    }
    let svgs: Vec<&String> = pages
        .iter()
        .filter(|(p, _)| p.ends_with(".svg"))
        .map(|(_, b)| b)
        .collect();
    assert_eq!(svgs.len(), figures.len(), "a file per chart");
    for svg in svgs {
        assert!(svg.starts_with("<?xml") && svg.contains("<style>") && svg.contains("数据："));
    }
    // A chart of values per 100,000 cites the census.
    let per_100k = doc(&pages, "report/cities-2024.html");
    let title: String = per_100k
        .select(&sel(
            "figure[data-metric=applications_per_100k] svg > title",
        ))
        .next()
        .expect("the chart")
        .text()
        .collect();
    assert!(title.contains("常住人口"), "{title}");
    assert!(title.contains("合成演示数据"), "demo data says so: {title}");
}

#[test]
fn each_year_has_a_page_with_a_ranked_bar_chart_per_metric_and_its_table() {
    let t = demo_tables();
    let pages = pages(&t);
    let years: std::collections::BTreeSet<i32> = t.comparison.iter().map(|r| r.year).collect();
    assert_eq!(years.len(), 4);
    for year in &years {
        let doc = doc(&pages, &format!("report/cities-{year}.html"));
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
    let index = doc(&pages, "report.html");
    let first = index
        .select(&sel("#pages tbody tr td a"))
        .next()
        .and_then(|a| a.value().attr("href"))
        .expect("a year page");
    assert_eq!(
        first,
        format!("report/cities-{}.html", years.last().expect("a year"))
    );
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
    let pages = pages(&t);
    let mut checked = 0;
    let metrics = MetricSet::builtin();
    for (k, m) in metrics.metrics().iter().enumerate() {
        for row in &t.comparison {
            let doc = doc(&pages, &format!("report/cities-{}.html", row.year));
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
    let got = bars(
        &doc(&pages, "report/cities-2024.html"),
        2024,
        "applications",
    );
    let mut sorted = got.clone();
    sorted.sort_by(|a, b| b.1.partial_cmp(&a.1).expect("numbers"));
    assert_eq!(got, sorted, "bars are ranked, highest first");
}

#[test]
fn the_comparison_table_shows_formatted_values_and_ranks_per_100k_too() {
    let t = demo_tables();
    let pages = pages(&t);
    let doc = doc(&pages, "report/cities-2024.html");
    let row: &ComparisonRow = t
        .comparison
        .iter()
        .find(|r| r.city == "南宁市" && r.year == 2024)
        .expect("南宁市 2024");
    let text = |metric: &str| -> String {
        doc.select(&sel(&format!(
            "#comparison-2024 tr[data-adcode=\"450100\"] td[data-metric={metric}]"
        )))
        .next()
        .expect("cell")
        .text()
        .collect()
    };
    let want = format!(
        "{:.1}% ({})",
        row.values[1].expect("a rate") * 100.0,
        row.ranks[1].expect("a rank")
    );
    assert_eq!(text("disclosure_rate"), want);
    let want = format!(
        "{:.2} ({})",
        row.per_100k[0].expect("per 100k"),
        row.per_100k_ranks[0].expect("a rank")
    );
    assert_eq!(text("applications_per_100k"), want);
}

#[test]
fn every_report_has_a_page_printing_its_three_tables_with_chinese_labels() {
    let t = demo_tables();
    let pages = pages(&t);
    let reports: Vec<&String> = pages
        .keys()
        .filter(|p| p.starts_with("report/r-"))
        .collect();
    assert_eq!(reports.len(), t.reports.len(), "a page per report");
    let doc = all_pages(&pages);
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
    let page = doc
        .select(&sel(&format!("[data-page] #report-{i}")))
        .next()
        .expect("the report");
    let td = page
        .select(&sel("td[data-cell=\"table3.new_received.total\"]"))
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
fn the_heat_table_links_each_city_year_to_its_findings_on_the_city_page() {
    let t = demo_tables();
    let pages = pages(&t);
    let doc = doc(&pages, "report.html");
    let rows = count(&doc, "table.heat tbody tr");
    assert_eq!(rows, 4, "one row per city");
    let mut linked = 0;
    for a in doc.select(&sel("table.heat td a")) {
        let href = a.value().attr("href").expect("href");
        let (page, id) = href.split_once('#').expect("a page and an anchor");
        let target = Html::parse_document(&pages[page]);
        assert_eq!(
            count(&target, &format!("[id=\"{id}\"].findings")),
            1,
            "{href}"
        );
        linked += 1;
    }
    assert_eq!(linked, 16, "4 cities × 4 years");
    let td_class = doc.select(&sel("table.heat td.error")).any(|td| {
        td.inner_html()
            .contains("city-450200.html#findings-450200-2022")
    });
    assert!(td_class, "柳州市 2022 breaks T3-1: an error cell");
}

#[test]
fn a_city_page_compares_the_city_with_the_others_and_lists_its_reports() {
    let t = demo_tables();
    let pages = pages(&t);
    let doc = doc(&pages, "report/city-450200.html");
    // Ranks and per-100k ranks over the years.
    let rows = t.comparison.iter().filter(|r| r.adcode == "450200").count();
    assert_eq!(
        count(&doc, "#metrics + div table.city-metrics tbody tr"),
        rows
    );
    // A trend chart per view: the city, the others' median and their range.
    let charts: Vec<_> = doc
        .select(&sel("#trends ~ .charts figure.fig svg"))
        .collect();
    assert_eq!(charts.len(), charts_per_year());
    for svg in &charts {
        assert_eq!(svg.select(&sel("polyline.series")).count(), 1);
        assert_eq!(svg.select(&sel("polyline.median")).count(), 1);
        assert_eq!(svg.select(&sel("polygon.band")).count(), 1);
    }
    let reports = t
        .reports
        .iter()
        .filter(|r| r.meta.adcode == "450200")
        .count();
    assert_eq!(count(&doc, "ul.reports li a"), reports);
    let lead: String = doc
        .select(&sel("section.city > p.lead"))
        .flat_map(|e| e.text())
        .collect();
    assert!(lead.contains("常住人口"), "{lead}");
}

#[test]
fn the_population_source_is_cited() {
    let t = demo_tables();
    let with = htmlreport::render(&t, &command_options());
    let index = &with[0].body;
    assert!(index.contains(CENSUS), "the notes cite the census");
    let svg = with
        .iter()
        .find(|p| p.path.ends_with("applications_per_100k.svg"))
        .expect("a per-100k chart file");
    assert!(svg.body.contains("第七次全国人口普查"), "{}", svg.path);
    let without = &htmlreport::render(&t, &Options::default())[0].body;
    assert!(without.contains("城市配置未注明来源"));
}

#[test]
fn synthetic_data_gets_a_banner_and_published_rows_are_marked() {
    let t = demo_tables();
    let pages = pages(&t);
    let doc = doc(&pages, "report.html");
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
    for (path, html) in pages.iter().filter(|(p, _)| p.ends_with(".html")) {
        assert!(
            html.contains("banner synthetic"),
            "{path}: every page says so"
        );
    }
    let y2021 = self::doc(&pages, "report/cities-2021.html");
    assert_eq!(count(&y2021, "#comparison-2021 tr.published"), 1);
    assert_eq!(
        count(&y2021, "figure[data-year=\"2021\"] g.bar.published"),
        charts_per_year()
    );
    let y2024 = self::doc(&pages, "report/cities-2024.html");
    assert_eq!(count(&y2024, "#comparison-2024 tr.published"), 0);

    let mut real = t.clone();
    for r in &mut real.reports {
        r.meta.data_origin = "published".into();
    }
    let html = &htmlreport::render(&real, &Options::default())[0].body;
    assert!(!html.contains("banner synthetic"));
}

#[test]
fn text_from_the_data_is_escaped_and_only_http_or_relative_links_are_kept() {
    let mut t = demo_tables();
    let evil = "<img src=x onerror=alert(1)>\"'&";
    t.reports[0].meta.city = evil.into();
    t.reports[0].meta.url = "javascript:alert(1)".into();
    t.reports[1].meta.url = "https://x.gov.cn/a?b=1&c=\"><script>".into();
    t.comparison[0].city = evil.into();
    t.findings[0].finding.message = "</table><script>alert(1)</script>".into();
    let pages = pages(&t);
    let html: String = pages.values().cloned().collect();
    assert!(!html.contains("<img src=x") && !html.contains("<script"));
    assert!(!html.contains("href=\"javascript:"));
    assert!(html.contains("<span class=\"nolink\">javascript:alert(1)</span>"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;"));
    let doc = all_pages(&pages);
    for a in doc.select(&sel("a[href]")) {
        let href = a.value().attr("href").unwrap_or_default();
        assert!(
            !href.contains(':') || href.starts_with("http://") || href.starts_with("https://"),
            "{href}"
        );
    }
    assert!(doc
        .select(&sel("a[href]"))
        .any(|a| a.value().attr("href") == Some("https://x.gov.cn/a?b=1&c=\"><script>")));
}

/// The bundled demo (229 reports, 14 cities) harvested into a temporary output folder.
pub(crate) fn demo_harvest() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tmp");
    let o = run(bin()
        .current_dir(root())
        .args(["harvest", "--quiet", "--replay"])
        .arg(root().join("data/demo"))
        .arg("--out")
        .arg(tmp.path()));
    assert!(o.status.success(), "{}", describe(&o));
    tmp
}

/// The cap on every page of the report: a page must open quickly on a modest machine.
const PAGE_CAP: u64 = 300 * 1024;

#[test]
fn every_page_of_the_demo_report_is_under_the_cap() {
    let out = demo_harvest();
    let index = out.path().join("report.html");
    let mut pages = walk(&out.path().join("report"));
    pages.push(index);
    let html: Vec<&PathBuf> = pages
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    for p in &html {
        let size = std::fs::metadata(p).expect("size").len();
        assert!(size <= PAGE_CAP, "{}: {size} bytes", p.display());
    }
    let named = |prefix: &str| {
        html.iter()
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
            })
            .count()
    };
    assert_eq!(named("r-"), 229, "a page per report");
    assert_eq!(named("city-4"), 14, "a page per city");
    assert_eq!(named("cities-"), 6, "a page per year");
}
