//! Metrics as data and comparisons at every level, through the command line (issue 14, points
//! 2, 4, 5 and 8): `--metrics FILE` adds a metric without recompiling and a bad file is a usage
//! error naming the file, the metric and the token; `report --metrics` computes more metrics
//! from an output folder's cells; the demo's city governments, departments and city totals;
//! the README's snippets give 84 city-government rows, not 87; `nianbao dictionary` is the
//! committed data dictionary; `--help` cites files that exist.

use std::path::{Path, PathBuf};

use crate::util::{bin, describe, root, run};

const EXTRA: &str = r#"
[[metric]]
id = "granted_share"
zh = "予以公开占新收"
en = "Granted share of new applications"
formula = "table3.granted.total / table3.new_received.total"
unit = "rate"
higher_is_better = true
definition_zh = "予以公开占本年新收申请的比例。"
definition_en = "Granted in full, as a share of new applications."
"#;

fn harvest(out: &Path, extra: &[&str]) -> std::process::Output {
    run(bin()
        .current_dir(root())
        .args(["harvest", "--replay"])
        .arg(root().join("data/demo"))
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .args(extra))
}

fn csv(path: &Path) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut r = csv::Reader::from_reader(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes));
    let header = r.headers().expect("header").clone();
    (header, r.records().map(|x| x.expect("row")).collect())
}

fn col(h: &csv::StringRecord, name: &str) -> usize {
    h.iter()
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn a_bad_metric_file_is_a_usage_error_naming_the_file_metric_and_token() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let cases = [
        (
            EXTRA.replace("granted.total /", "granted.totl /"),
            "unknown key `table3.granted.totl`",
        ),
        (EXTRA.replace(" / ", " % "), "unexpected `%`"),
        (
            EXTRA.replace("(", "").replace(" / ", " / ("),
            "ends too early",
        ),
    ];
    for (text, token) in cases {
        let file = write(tmp.path(), "bad.toml", &text);
        for sub in ["harvest", "aggregate"] {
            let o = match sub {
                "harvest" => harvest(&out, &["--metrics", file.to_str().expect("utf-8")]),
                _ => run(bin()
                    .args(["aggregate", "--archive"])
                    .arg(root().join("data/demo"))
                    .arg("--out")
                    .arg(&out)
                    .arg("--metrics")
                    .arg(&file)),
            };
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{sub}: {}", describe(&o));
            assert!(
                stderr.contains("bad.toml")
                    && stderr.contains("granted_share")
                    && stderr.contains(token),
                "{sub}: {stderr}"
            );
            assert!(!out.exists(), "{sub}: nothing is written");
        }
    }
    let missing = tmp.path().join("none.toml");
    let o = harvest(&out, &["--metrics", missing.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("none.toml"));
}

/// The demo through `harvest --metrics`: the added metric is a column of every comparison,
/// its values are its formula's, the output folder records the metrics, and `report
/// --metrics` computes one more from the folder's cells without changing its tables.
#[test]
fn a_metric_file_adds_columns_without_recompiling() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let file = write(tmp.path(), "extra.toml", EXTRA);
    let o = harvest(&out, &["--metrics", file.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{}", describe(&o));
    let (h, rows) = csv(&out.join("comparison_2022.csv"));
    let (city, share) = (col(&h, "city"), col(&h, "granted_share"));
    col(&h, "granted_share_rank");
    let (ch, cells) = csv(&out.join("cells.csv"));
    let cell = |c: &str, row: &str| -> f64 {
        let r = cells
            .iter()
            .find(|r| {
                &r[col(&ch, "city")] == c
                    && &r[col(&ch, "year")] == "2022"
                    && &r[col(&ch, "level")] == "市政府本级"
                    && &r[col(&ch, "table")] == "table3"
                    && &r[col(&ch, "row")] == row
                    && &r[col(&ch, "column")] == "total"
            })
            .expect("cell");
        r[col(&ch, "value")].parse().expect("a count")
    };
    let liuzhou = rows.iter().find(|r| &r[city] == "柳州市").expect("柳州市");
    let want = cell("柳州市", "granted") / cell("柳州市", "new_received");
    // CSV shows a rate with 4 decimals (README "CSV for spreadsheets"); Parquet has it whole.
    assert_eq!(
        liuzhou[share],
        nianbao_tables::export::shown::rounded_text(want, 4)
    );
    for name in ["comparison_city_totals.csv", "comparison_departments.csv"] {
        let (h, _) = csv(&out.join(name));
        col(&h, "granted_share");
    }
    let stored = std::fs::read_to_string(out.join("metrics.toml")).expect("metrics.toml");
    assert!(stored.contains("granted_share") && stored.contains("backlog_rate"));
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(html.contains("予以公开占新收"));

    let more = write(
        tmp.path(),
        "more.toml",
        &EXTRA
            .replace("granted_share", "partial_share")
            .replace("予以公开占新收", "部分公开占新收")
            .replace("table3.granted.total", "table3.partially_granted.total"),
    );
    let before = std::fs::read(out.join("comparison.parquet")).expect("parquet");
    let page = tmp.path().join("more.html");
    let o = run(bin()
        .args(["report", "--from"])
        .arg(&out)
        .arg("-o")
        .arg(&page)
        .arg("--metrics")
        .arg(&more));
    assert!(o.status.success(), "{}", describe(&o));
    let html = std::fs::read_to_string(&page).expect("page");
    assert!(html.contains("部分公开占新收") && html.contains("予以公开占新收"));
    let after = std::fs::read(out.join("comparison.parquet")).expect("parquet");
    assert!(
        before == after,
        "report does not change the folder's tables"
    );
}

/// The demo's comparisons at every level: 14 city governments × 6 years (all found); the
/// departments of three kinds in every city in 2022 and 2023 (and 柳州's 教育局 of 2023); two
/// counties per city in both years; and a city total per city and year that sums every body
/// of the city — 南宁 2023 its government, three departments and two counties; 梧州 2023
/// includes a department published only as a scan, so its totals are null.
#[test]
fn the_demo_is_compared_at_every_level() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let o = harvest(&out, &[]);
    assert!(o.status.success(), "{}", describe(&o));
    let mut cities = 0;
    for year in 2019..=2024 {
        let (h, rows) = csv(&out.join(format!("comparison_{year}.csv")));
        assert_eq!(rows.len(), 14, "{year}");
        assert!(rows.iter().all(|r| &r[col(&h, "status")] == "found"));
        cities += rows.len();
    }
    assert_eq!(cities, 84);
    let (h, rows) = csv(&out.join("comparison_departments.csv"));
    let count = |kind: &str| {
        rows.iter()
            .filter(|r| &r[col(&h, "department")] == kind)
            .count()
    };
    assert_eq!(
        (
            count("公安局"),
            count("自然资源局"),
            count("财政局"),
            count("教育局")
        ),
        (28, 28, 28, 1)
    );
    assert_eq!(rows.len(), 85);
    let (_, rows) = csv(&out.join("comparison_counties.csv"));
    assert_eq!(rows.len(), 56, "two counties per city, 2022 and 2023");
    // 南宁 2023's total is the sum of 一、本年新收 总计 over every report of 南宁 2023.
    let (hc, cells) = csv(&out.join("cells.csv"));
    let nanning_sum: i64 = cells
        .iter()
        .filter(|r| {
            &r[col(&hc, "city")] == "南宁市"
                && &r[col(&hc, "year")] == "2023"
                && &r[col(&hc, "table")] == "table3"
                && &r[col(&hc, "row")] == "new_received"
                && &r[col(&hc, "column")] == "total"
        })
        .map(|r| r[col(&hc, "value")].parse::<i64>().expect("printed"))
        .sum();
    let (h, rows) = csv(&out.join("comparison_city_totals.csv"));
    assert_eq!(rows.len(), 84);
    let total = |city: &str, year: &str| {
        rows.iter()
            .find(|r| &r[col(&h, "city")] == city && &r[col(&h, "year")] == year)
            .expect("a total")
    };
    let nanning = total("南宁市", "2023");
    assert_eq!(&nanning[col(&h, "bodies")], "6");
    assert_eq!(nanning[col(&h, "applications")], nanning_sum.to_string());
    let wuzhou = total("梧州市", "2023");
    assert_eq!(
        &wuzhou[col(&h, "applications")],
        "",
        "a scan's blank is no 0"
    );
    let (h, rows) = csv(&out.join("trends_city_totals.csv"));
    assert_eq!(rows.len(), 84 * 10);
    let guigang = rows
        .iter()
        .find(|r| &r[col(&h, "city")] == "贵港市" && &r[col(&h, "year")] == "2021")
        .expect("贵港 2021");
    assert_eq!(&guigang[col(&h, "data_origin")], "published");
}

/// `cells` filtered as the README filters it: one city-government row per city and year (84),
/// where all levels together give 227 (every report with a table 三: the departments and
/// counties too); the
/// Python snippets of the README are run by tools/readme_snippets.py when its packages exist.
#[test]
fn the_readme_filters_give_84_city_government_rows() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let o = harvest(&out, &[]);
    assert!(o.status.success(), "{}", describe(&o));
    let (h, rows) = csv(&out.join("cells.csv"));
    let new_received = |r: &&csv::StringRecord| {
        &r[col(&h, "table")] == "table3"
            && &r[col(&h, "row")] == "new_received"
            && &r[col(&h, "column")] == "total"
    };
    let all = rows.iter().filter(new_received).count();
    let city = rows
        .iter()
        .filter(new_received)
        .filter(|r| &r[col(&h, "level")] == "市政府本级")
        .count();
    assert_eq!((city, all), (84, 227));
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    assert!(
        readme.contains("level = '市政府本级'")
            && readme.contains("pl.col(\"level\") == \"市政府本级\"")
    );

    let python = std::env::var("NIANBAO_PYARROW_PYTHON").unwrap_or_else(|_| "python3".into());
    let Ok(o) = std::process::Command::new(&python)
        .arg(root().join("tools/readme_snippets.py"))
        .arg(root().join("README.md"))
        .arg(&out)
        .output()
    else {
        eprintln!("SKIPPED the README snippets: {python} not found");
        return;
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    eprintln!("{text}");
    assert!(o.status.success(), "{text}");
}

#[test]
fn the_dictionary_command_prints_the_committed_dictionary() {
    let o = run(bin().arg("dictionary"));
    assert!(o.status.success(), "{}", describe(&o));
    let committed =
        std::fs::read(root().join("docs/data-dictionary.md")).expect("docs/data-dictionary.md");
    assert!(o.stdout == committed, "docs/data-dictionary.md is stale");
    let tmp = tempfile::tempdir().expect("tmp");
    let file = write(tmp.path(), "extra.toml", EXTRA);
    let o = run(bin().arg("dictionary").arg("--metrics").arg(&file));
    assert!(String::from_utf8_lossy(&o.stdout).contains("`granted_share`"));
}

/// Every file path a `--help` text names (config/…, docs/…, a top-level .md) exists in the
/// repository.
#[test]
fn help_texts_cite_files_that_exist() {
    let re =
        regex::Regex::new(r"\b(?:(?:config|docs|tools|bench|tests|crates)/[\w./-]*\w|[A-Z]+\.md)")
            .expect("regex");
    let mut cited = 0;
    for sub in [
        "",
        "harvest",
        "aggregate",
        "crawl",
        "parse",
        "report",
        "dictionary",
    ] {
        let mut cmd = bin();
        if !sub.is_empty() {
            cmd.arg(sub);
        }
        let o = run(cmd.arg("--help"));
        let text = String::from_utf8_lossy(&o.stdout);
        for m in re.find_iter(&text) {
            let path = m.as_str();
            assert!(
                root().join(path).exists(),
                "`{sub} --help` cites {path}, which is missing"
            );
            cited += 1;
        }
    }
    assert!(cited >= 5, "only {cited} files cited");
}
