//! `nianbao import` and `--corrections`: a report added by hand enters the tables as `manual`
//! with the body its importer named; a correction replaces one value, keeps its printed text,
//! says `corrected` in its row and explains itself in a `C-CORRECTED` finding; a correction that
//! names no report or cell stops the run before anything is written.

use std::path::Path;
use std::process::Output;

use crate::faults::demo_copy;
use crate::util::{bin, describe, root, run};

fn nianbao(args: &[&str], paths: &[&Path]) -> Output {
    let mut cmd = bin();
    cmd.current_dir(root()).args(args);
    for p in paths {
        cmd.arg(p);
    }
    run(&mut cmd)
}

fn rows(path: &Path) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(path).expect("csv");
    let h = r.headers().expect("header").clone();
    // The BOM sits on the first header name.
    let h = csv::StringRecord::from(
        h.iter()
            .map(|s| s.trim_start_matches('\u{feff}'))
            .collect::<Vec<_>>(),
    );
    (h, r.records().map(|x| x.expect("row")).collect())
}

fn col(h: &csv::StringRecord, name: &str) -> usize {
    h.iter()
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("column {name}"))
}

#[test]
fn an_imported_report_is_aggregated_as_manual_with_its_body() {
    let tmp = tempfile::tempdir().expect("tmp");
    let archive = demo_copy(tmp.path());
    let file = root().join("tests/fixtures/parse/gbk-undeclared-2021.html");
    let o = nianbao(
        &[
            "import",
            "--city",
            "梧州",
            "--year",
            "2022",
            "--body",
            "梧州市财政局",
            "--url",
            "http://example.gov.cn/czj/2022.html",
            "--archive",
        ],
        &[&archive, &file],
    );
    assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
    // The same URL twice is refused (exit 2); a wrong year is refused before writing.
    let again = nianbao(
        &[
            "import",
            "--city",
            "梧州",
            "--year",
            "2022",
            "--url",
            "http://example.gov.cn/czj/2022.html",
            "--archive",
        ],
        &[&archive, &file],
    );
    assert_eq!(again.status.code(), Some(2), "{}", describe(&again));
    let wrong = nianbao(
        &["import", "--city", "梧州", "--year", "2020", "--archive"],
        &[&archive, &file],
    );
    assert_eq!(wrong.status.code(), Some(2), "{}", describe(&wrong));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("is the report for 2022"));
    let not_report = root().join("tests/fixtures/parse/not-a-report.html");
    let o = nianbao(
        &["import", "--city", "梧州", "--year", "2022", "--archive"],
        &[&archive, &not_report],
    );
    assert_eq!(o.status.code(), Some(1), "{}", describe(&o));

    let out = tmp.path().join("out");
    let o = nianbao(
        &["harvest", "-q", "--replay"],
        &[&archive, Path::new("--out"), &out],
    );
    assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
    let (h, reports) = rows(&out.join("reports.csv"));
    let manual: Vec<_> = reports
        .iter()
        .filter(|r| &r[col(&h, "data_origin")] == "manual")
        .collect();
    assert_eq!(manual.len(), 1, "one manual report");
    let r = manual[0];
    assert_eq!(
        &r[col(&h, "source_url")],
        "http://example.gov.cn/czj/2022.html"
    );
    assert_eq!(&r[col(&h, "body")], "梧州市财政局");
    assert_eq!(&r[col(&h, "level")], "市直部门");
    assert_eq!(&r[col(&h, "department")], "财政局");
    assert_eq!(&r[col(&h, "year")], "2022");
    let (hc, cells) = rows(&out.join("cells.csv"));
    let id = &r[col(&h, "report_id")];
    let n = cells
        .iter()
        .filter(|c| &c[col(&hc, "report_id")] == id)
        .count();
    assert!(n > 100, "its cells are in the table: {n}");
}

#[test]
fn a_correction_replaces_one_value_and_keeps_the_printed_text() {
    let tmp = tempfile::tempdir().expect("tmp");
    let first = tmp.path().join("first");
    let o = nianbao(
        &["harvest", "-q", "--replay", "data/demo", "--out"],
        &[&first],
    );
    assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
    let (h, cells) = rows(&first.join("cells.csv"));
    let cell = cells
        .iter()
        .find(|c| {
            &c[col(&h, "city")] == "贵港市"
                && &c[col(&h, "year")] == "2021"
                && &c[col(&h, "table")] == "table3"
                && &c[col(&h, "row")] == "new_received"
                && &c[col(&h, "column")] == "total"
        })
        .expect("贵港市 2021 新收 总计");
    let id = cell[col(&h, "report_id")].to_string();
    let printed = cell[col(&h, "printed")].to_string();
    let file = tmp.path().join("corrections.csv");
    std::fs::write(
        &file,
        format!("report,cell,value,reason,who,date\n{id},table3.new_received.total,999,test of a correction,analyst,2026-12-06\n"),
    )
    .expect("write");
    let out = tmp.path().join("out");
    let o = nianbao(
        &["harvest", "-q", "--replay", "data/demo", "--corrections"],
        &[&file, Path::new("--out"), &out],
    );
    assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
    let (h, cells) = rows(&out.join("cells.csv"));
    let corrected: Vec<_> = cells
        .iter()
        .filter(|c| &c[col(&h, "data_origin")] == "corrected")
        .collect();
    assert_eq!(corrected.len(), 1, "exactly one value corrected");
    let c = corrected[0];
    assert_eq!(&c[col(&h, "report_id")], id.as_str());
    assert_eq!(&c[col(&h, "value")], "999");
    assert_eq!(
        &c[col(&h, "printed")],
        printed.as_str(),
        "the text as published stays"
    );
    let findings = std::fs::read_to_string(out.join("findings.csv")).expect("findings");
    assert!(
        findings.lines().any(|l| l.contains("C-CORRECTED")
            && l.contains(&format!("corrected from {printed} to 999"))),
        "{findings}"
    );

    // A correction naming an unknown report: exit 2, nothing written.
    std::fs::write(
        &file,
        "report,cell,value,reason,who,date\n450800-2021-0000000000,table3.new_received.total,1,x,y,z\n",
    )
    .expect("write");
    let none = tmp.path().join("none");
    let o = nianbao(
        &["harvest", "-q", "--replay", "data/demo", "--corrections"],
        &[&file, Path::new("--out"), &none],
    );
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("entry 1"),
        "{}",
        describe(&o)
    );
    assert!(!none.join("cells.csv").exists(), "nothing written");
}
