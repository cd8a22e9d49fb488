//! The comparison stage on small hand-made reports: null propagation through every derived
//! value, the T3-3 derived totals, ranks and their direction, the city grid and its statuses,
//! the coverage join, city totals, custom metrics.

use polars::prelude::*;

use super::*;
use crate::aggregate::metrics::MetricSet;
use crate::aggregate::{aggregate, City, Input, Level, SourceMeta};
use nianbao_model::report::{Num, Report, Table2, Table3, Table4};
use nianbao_model::template::{t3, Template};

const TOTAL: usize = 6;

/// A report of `year` with every table 三 and 四 cell printed as `v`.
fn report(year: i32, v: i64) -> Report {
    Report {
        year: Some(year),
        table3: Some([[Some(Num::Int(v)); 7]; 26] as Table3),
        table4: Some([[Some(Num::Int(v)); 5]; 3] as Table4),
        ..Report::default()
    }
}

/// A body's report as harvested.
struct Body {
    city: &'static str,
    adcode: &'static str,
    level: Level,
    name: &'static str,
    department: Option<&'static str>,
    county: Option<&'static str>,
}

const GOV_A: Body = Body {
    city: "甲市",
    adcode: "450100",
    level: Level::CityGovernment,
    name: "甲市人民政府",
    department: None,
    county: None,
};

const GOV_B: Body = Body {
    city: "乙市",
    adcode: "450200",
    name: "乙市人民政府",
    ..GOV_A
};

fn input(body: &Body, report: Report) -> Input {
    let year = report.year.unwrap_or(0);
    let meta = SourceMeta {
        city: body.city.into(),
        adcode: body.adcode.into(),
        report_id: format!("{}-{year}-{}", body.adcode, body.name),
        level: body.level,
        department: body.department.map(String::from),
        county: body.county.map(String::from),
        url: format!("http://x/{}/{year}/{}", body.adcode, body.name),
        data_origin: "synthetic-demo".into(),
        ..SourceMeta::default()
    };
    let report = Report {
        body: Some(body.name.into()),
        ..report
    };
    Input::new(meta, report)
}

fn cities() -> Vec<City> {
    [("甲市", "450100", 1_000_000), ("乙市", "450200", 2_000_000)]
        .iter()
        .map(|(name, adcode, p)| City {
            name: (*name).into(),
            adcode: (*adcode).into(),
            population: Some(*p),
            population_source: None,
        })
        .collect()
}

fn run(inputs: Vec<Input>) -> Tables {
    aggregate(inputs, &cities(), &Options::default()).expect("the stage runs")
}

fn k(id: &str) -> usize {
    MetricSet::builtin().index_of(id).expect(id)
}

fn blank(r: &mut Report, key: &str) {
    let parts: Vec<&str> = key.split('.').collect();
    let col = |cols: &[(&str, &str)], name: &str| cols.iter().position(|(c, _)| *c == name);
    use nianbao_model::template::{T3_COLUMNS, T3_ROWS, T4_GROUPS, T4_OUTCOMES};
    match parts[..] {
        ["table3", row, column] => {
            let (Some(r3), Some(c3)) = (col(&T3_ROWS, row), col(&T3_COLUMNS, column)) else {
                panic!("{key}")
            };
            if let Some(t) = r.table3.as_mut() {
                t[r3][c3] = None;
            }
        }
        ["table4", group, outcome] => {
            let (Some(g), Some(o)) = (col(&T4_GROUPS, group), col(&T4_OUTCOMES, outcome)) else {
                panic!("{key}")
            };
            if let Some(t) = r.table4.as_mut() {
                t[g][o] = None;
            }
        }
        _ => panic!("{key}"),
    }
}

/// Every value derived downstream of a report — the metric, its value per 100,000 residents,
/// both ranks, and in the trends the value, the previous year's value and the change — is null
/// when an operand of the metric is null (and, for a 总计 of table 三, not derivable: one of its
/// applicant columns is blank too), for every operand of every metric, in either year.
#[test]
fn every_derived_value_is_null_when_an_operand_is() {
    let metrics = MetricSet::builtin();
    for (k, m) in metrics.metrics().iter().enumerate() {
        for op in m.operands() {
            for blank_year in [2020, 2021] {
                let mut reports = [report(2020, 4), report(2021, 5)];
                let r = &mut reports[usize::from(blank_year == 2021)];
                blank(r, &op.key);
                if let Some(parts) = op.t3_parts() {
                    blank(r, &parts[0].key);
                }
                let [a, b] = reports;
                let t = run(vec![input(&GOV_A, a), input(&GOV_A, b)]);
                let row = t
                    .comparison
                    .iter()
                    .find(|r| r.year == blank_year && r.city == "甲市")
                    .expect("a comparison row per city and year");
                let what = format!("{} with {} blank in {blank_year}", m.id(), op.key);
                assert_eq!(row.values[k], None, "{what}");
                assert_eq!(row.per_100k[k], None, "{what}");
                assert_eq!(row.ranks[k], None, "{what}");
                assert_eq!(row.per_100k_ranks[k], None, "{what}");
                assert!(!row.derived[k], "{what}");
                let trend = t
                    .trends
                    .iter()
                    .find(|r| r.year == 2021 && r.metric == m.id() && r.city == "甲市")
                    .expect("a trend row");
                assert_eq!(trend.change, None, "{what}");
                if blank_year == 2021 {
                    assert_eq!(trend.value, None, "{what}");
                } else {
                    assert_eq!(trend.previous, None, "{what}");
                }
            }
        }
    }
    // And with every operand printed, each derived value is there.
    let t = run(vec![
        input(&GOV_A, report(2020, 4)),
        input(&GOV_A, report(2021, 5)),
    ]);
    let mine = t
        .trends
        .iter()
        .filter(|r| r.year == 2021 && r.city == "甲市");
    assert!(mine.clone().all(|r| r.change.is_some()), "{:?}", t.trends);
    for r in t.comparison.iter().filter(|r| r.city == "甲市") {
        assert!(r.values.iter().all(Option::is_some), "{r:?}");
        assert!(r.ranks.iter().all(Option::is_some), "{r:?}");
    }
}

/// The metrics reproduce schema.md's formulas exactly (the same f64 operations in the same
/// order), counts as whole numbers, per 100,000 as value × 100,000 ÷ population.
#[test]
fn the_metrics_are_the_formulas_of_the_schema() {
    let mut r = report(2021, 3);
    let t3 = r.table3.as_mut().expect("table 三");
    let set = |t: &mut Table3, row: usize, col: usize, v: i64| t[row][col] = Some(Num::Int(v));
    set(t3, t3::NEW_RECEIVED, TOTAL, 977);
    set(t3, t3::NEW_RECEIVED, 0, 911);
    set(t3, t3::CARRIED_OVER, TOTAL, 31);
    set(t3, t3::GRANTED, TOTAL, 413);
    set(t3, t3::PARTIALLY_GRANTED, TOTAL, 97);
    set(t3, t3::UNAVAILABLE_NOT_HELD, TOTAL, 211);
    set(t3, t3::TOTAL_PROCESSED, TOTAL, 983);
    set(t3, t3::CARRIED_FORWARD, TOTAL, 25);
    let t4 = r.table4.as_mut().expect("table 四");
    t4[0] = [1, 2, 3, 4, 10].map(|v| Some(Num::Int(v)));
    t4[1][4] = Some(Num::Int(7));
    t4[2][4] = Some(Num::Int(5));
    let t = run(vec![input(&GOV_A, r)]);
    let row = &t.comparison[0];
    let v = |id: &str| row.values[k(id)].expect(id);
    assert_eq!(v("applications"), 977.0);
    assert_eq!(v("disclosure_rate"), (413.0 + 97.0) / 983.0);
    assert_eq!(v("full_disclosure_rate"), 413.0 / 983.0);
    assert_eq!(v("not_held_rate"), 211.0 / 983.0);
    assert_eq!(v("natural_person_share"), 911.0 / 977.0);
    assert_eq!(v("reviews"), 10.0);
    assert_eq!(v("lawsuits"), 12.0);
    assert_eq!(v("review_correction_rate"), 2.0 / 10.0);
    assert_eq!(v("dispute_rate"), (10.0 + 12.0) / 977.0);
    assert_eq!(v("backlog_rate"), 25.0 / (977.0 + 31.0));
    assert_eq!(
        row.per_100k[k("applications")],
        Some(977.0 * 100_000.0 / 1_000_000.0)
    );
    assert_eq!(row.per_100k[k("disclosure_rate")], None, "no per 100k rate");
}

/// A blank 总计 with its six applicant columns printed is derived by T3-3 for the metrics
/// (flagged), while `cells` keeps the printed blank; a printed total is used as printed even
/// when it disagrees with its columns; a blank total with a blank column stays null.
#[test]
fn a_blank_total_is_derived_by_t3_3_and_said_so() {
    let mut derived = report(2021, 2);
    let mut inconsistent = report(2021, 2);
    let mut underivable = report(2021, 2);
    if let Some(t) = derived.table3.as_mut() {
        t[t3::GRANTED][TOTAL] = None; // the six columns say 12
    }
    if let Some(t) = inconsistent.table3.as_mut() {
        t[t3::GRANTED][TOTAL] = Some(Num::Int(50)); // printed 50, its columns sum to 12
    }
    if let Some(t) = underivable.table3.as_mut() {
        t[t3::GRANTED][TOTAL] = None;
        t[t3::GRANTED][3] = None;
    }
    let t = run(vec![
        input(&GOV_A, derived),
        input(&GOV_B, inconsistent),
        input(
            &Body {
                city: "丙市",
                adcode: "450300",
                name: "丙市人民政府",
                ..GOV_A
            },
            underivable,
        ),
    ]);
    let row = |city: &str| t.comparison.iter().find(|r| r.city == city).expect("a row");
    let (full, disc) = (k("full_disclosure_rate"), k("disclosure_rate"));
    let a = row("甲市");
    assert_eq!(
        a.values[full],
        Some(12.0 / 2.0),
        "granted derived: 12 of 2 processed"
    );
    assert!(a.derived[full] && a.derived[disc]);
    assert!(!a.derived[k("applications")]);
    assert_eq!(
        crate::aggregate::frames::derived_text(a, &t.metrics).as_deref(),
        Some("disclosure_rate:T3-3 full_disclosure_rate:T3-3")
    );
    let b = row("乙市");
    assert_eq!(
        b.values[full],
        Some(50.0 / 2.0),
        "a printed total is used as printed"
    );
    assert!(!b.derived[full]);
    let c = row("丙市");
    assert_eq!(c.values[full], None);
    assert!(!c.derived[full]);
    // cells keeps the printed blank.
    let report_a = t
        .reports
        .iter()
        .position(|r| r.meta.city == "甲市")
        .expect("report");
    let cell = t
        .cells
        .iter()
        .find(|c| c.report() == report_a && c.def().row == "granted" && c.def().column == "total")
        .expect("the cell");
    assert_eq!(cell.value(), None);
    let trend = t
        .trends
        .iter()
        .find(|r| r.city == "甲市" && r.metric == "full_disclosure_rate")
        .expect("trend");
    assert!(trend.derived);
}

#[test]
fn ranks_follow_the_metric_s_direction_share_ties_and_skip_nulls() {
    let with = |applications: Option<i64>, backlog: i64| {
        let mut r = report(2021, 10);
        if let Some(t) = r.table3.as_mut() {
            t[t3::NEW_RECEIVED][TOTAL] = applications.map(Num::Int);
            t[t3::NEW_RECEIVED][0] = None; // not derivable
            t[t3::CARRIED_OVER][TOTAL] = Some(Num::Int(0));
            t[t3::CARRIED_FORWARD][TOTAL] = Some(Num::Int(backlog));
        }
        r
    };
    let body = |city: &'static str, adcode: &'static str| Body {
        city,
        adcode,
        name: city,
        ..GOV_A
    };
    let mut cities = cities();
    cities.extend(
        ["丙市", "丁市"]
            .iter()
            .zip(["450300", "450400"])
            .map(|(n, a)| City {
                name: (*n).into(),
                adcode: a.into(),
                population: Some(1_000_000),
                population_source: None,
            }),
    );
    let inputs = vec![
        input(&body("甲市", "450100"), with(Some(50), 5)),
        input(&body("乙市", "450200"), with(Some(90), 9)),
        input(&body("丙市", "450300"), with(Some(50), 1)),
        input(&body("丁市", "450400"), with(None, 2)),
    ];
    let t = aggregate(inputs, &cities, &Options::default()).expect("stage");
    let ranks =
        |id: &str| -> Vec<Option<u32>> { t.comparison.iter().map(|r| r.ranks[k(id)]).collect() };
    assert_eq!(ranks("applications"), [Some(2), Some(1), Some(2), None]);
    // backlog_rate: lower is better; 丁市 has no applications, so no rate.
    let backlog: Vec<Option<f64>> = t
        .comparison
        .iter()
        .map(|r| r.values[k("backlog_rate")])
        .collect();
    assert_eq!(backlog, [Some(0.1), Some(0.1), Some(0.02), None]);
    assert_eq!(ranks("backlog_rate"), [Some(2), Some(2), Some(1), None]);
}

/// Every configured city has a row each year: without a report it says `missing`, with a
/// city-government report that has no table 三 `no_table3`, and the coverage table's status
/// and reason where one is given.
#[test]
fn a_city_without_a_report_keeps_its_row_with_a_status() {
    let mut no_table3 = report(2021, 1);
    no_table3.table3 = None;
    let inputs = vec![input(&GOV_A, report(2021, 1)), input(&GOV_B, no_table3)];
    let t = run(inputs);
    let status: Vec<(&str, &str)> = t
        .comparison
        .iter()
        .map(|r| (r.city.as_str(), r.status.as_str()))
        .collect();
    assert_eq!(status, [("甲市", "found"), ("乙市", "no_table3")]);
    assert!(t.comparison[1].values.iter().all(Option::is_none));
    assert!(t.comparison[1].reason.is_some());
    assert_eq!(t.comparison[0].reason, None);

    let coverage = df!(
        "city" => ["乙市", "甲市"],
        "year" => [2021i64, 2021],
        "status" => ["failed", "found"],
        "reason" => [Some("HTTP 503 after 3 tries"), None],
    )
    .expect("frame");
    let options = Options {
        coverage: Some(coverage),
        ..Options::default()
    };
    let inputs = vec![input(&GOV_A, report(2021, 1))];
    let t = aggregate(inputs, &cities(), &options).expect("stage");
    let b = &t.comparison[1];
    assert_eq!(
        (b.status.as_str(), b.reason.as_deref()),
        ("failed", Some("HTTP 503 after 3 tries"))
    );
    assert_eq!(t.comparison[0].status, "found");
    assert!(t.reports[0].in_comparison);

    // A year the coverage table names, without any report, has a row for every city.
    let coverage = df!(
        "city" => ["甲市"],
        "year" => [2022i64],
        "status" => ["not_found"],
        "reason" => [Some("not on the portal")],
    )
    .expect("frame");
    let options = Options {
        coverage: Some(coverage),
        ..Options::default()
    };
    let t = aggregate(vec![input(&GOV_A, report(2021, 1))], &cities(), &options).expect("stage");
    let rows: Vec<(i32, &str, &str)> = t
        .comparison
        .iter()
        .map(|r| (r.year, r.city.as_str(), r.status.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            (2021, "甲市", "found"),
            (2021, "乙市", "missing"),
            (2022, "甲市", "not_found"),
            (2022, "乙市", "missing")
        ]
    );

    let bad = Options {
        coverage: Some(df!("city" => ["乙市"], "year" => ["2021"]).expect("frame")),
        ..Options::default()
    };
    let err = aggregate(vec![input(&GOV_A, report(2021, 1))], &cities(), &bad)
        .expect_err("a coverage frame of the wrong shape");
    assert!(err.to_string().contains("`year`"), "{err}");
}

/// City totals sum every body's operands (one report per body; level 其他 left out) and
/// compute rates from the sums; a body with a blank operand makes the total null.
#[test]
fn city_totals_sum_the_bodies_and_recompute_rates() {
    let dept = Body {
        level: Level::CityDepartment,
        name: "甲市财政局",
        department: Some("财政局"),
        ..GOV_A
    };
    let county = Body {
        level: Level::CountyGovernment,
        name: "甲市某县人民政府",
        county: Some("某县"),
        ..GOV_A
    };
    let other = Body {
        level: Level::Other,
        name: "某省某厅",
        ..GOV_A
    };
    let with = |granted: i64, processed: i64| {
        let mut r = report(2021, 1);
        if let Some(t) = r.table3.as_mut() {
            t[t3::GRANTED][TOTAL] = Some(Num::Int(granted));
            t[t3::TOTAL_PROCESSED][TOTAL] = Some(Num::Int(processed));
        }
        r
    };
    let inputs = vec![
        input(&GOV_A, with(90, 100)),
        input(&dept, with(1, 10)),
        input(&county, with(9, 90)),
        input(&other, with(1000, 1000)),
    ];
    let t = run(inputs);
    let total = t
        .city_totals
        .rows
        .iter()
        .find(|r| r.city == "甲市")
        .expect("甲市 total");
    assert_eq!(
        total.bodies,
        Some(3),
        "government, department, county; not 其他"
    );
    let full = k("full_disclosure_rate");
    assert_eq!(
        total.values[full],
        Some((90.0 + 1.0 + 9.0) / (100.0 + 10.0 + 90.0))
    );
    assert_ne!(
        total.values[full],
        Some((0.9 + 0.1 + 0.1) / 3.0),
        "never averaged"
    );
    assert_eq!(t.departments.rows.len(), 1);
    assert_eq!(t.departments.rows[0].department.as_deref(), Some("财政局"));
    assert_eq!(t.counties.rows.len(), 1);
    assert_eq!(t.counties.rows[0].county.as_deref(), Some("某县"));
    assert_eq!(t.counties.rows[0].population, None);

    let mut blank_dept = with(1, 10);
    blank(&mut blank_dept, "table3.granted.total");
    blank(&mut blank_dept, "table3.granted.natural_person");
    let t = run(vec![input(&GOV_A, with(90, 100)), input(&dept, blank_dept)]);
    let total = &t.city_totals.rows[0];
    assert_eq!(
        total.values[full], None,
        "a body's blank makes the total null"
    );
    assert!(total.values[k("applications")].is_some());
}

/// A custom metric from a file: money in 万元 from table 二, a division by 0 as null, a count
/// in whole numbers; and a replaced built-in keeps its place.
#[test]
fn custom_metrics_are_computed_from_their_formulas() {
    let extra = r#"
[[metric]]
id = "fees_per_application"
zh = "每件申请收费"
en = "Fees per application"
formula = "table2.fees.amount_10k_yuan ÷ table3.new_received.total"
unit = "10k_yuan"
higher_is_better = false
definition_zh = "收费金额与新收申请之比。"
definition_en = "Fees over new applications."

[[metric]]
id = "decisions"
zh = "处理决定"
en = "Decisions"
formula = "table2.licensing.decisions + 2 × table2.penalty.decisions"
unit = "count"
higher_is_better = true
per_100k = true
definition_zh = "许可与两倍处罚决定。"
definition_en = "Licensing plus twice penalty decisions."
"#;
    let metrics = MetricSet::builtin()
        .overlay(
            MetricSet::from_toml(extra, "extra").expect("valid"),
            "extra",
        )
        .expect("overlay");
    let mut r = report(2021, 4);
    let mut t2 = Table2::empty(Template::V2021);
    let item = |key: &str| {
        nianbao_model::template::table2_items(Template::V2021)
            .iter()
            .position(|i| i.key == key)
            .expect(key)
    };
    t2.values[item("fees")][0] = Some(Num::Dec(12.5));
    t2.values[item("licensing")][0] = Some(Num::Int(7));
    t2.values[item("penalty")][0] = Some(Num::Int(3));
    r.table2 = Some(t2);
    let mut zero = report(2021, 0);
    zero.table2 = r.table2.clone();
    let options = Options {
        metrics,
        coverage: None,
    };
    let t = aggregate(
        vec![input(&GOV_A, r), input(&GOV_B, zero)],
        &cities(),
        &options,
    )
    .expect("stage");
    let (fees, decisions) = (10, 11);
    assert_eq!(t.metrics.metrics()[fees].id(), "fees_per_application");
    assert_eq!(t.comparison[0].values[fees], Some(12.5 / 4.0));
    assert_eq!(t.comparison[1].values[fees], None, "÷ 0 is null");
    assert_eq!(t.comparison[0].values[decisions], Some(13.0));
    assert_eq!(
        t.comparison[1].per_100k[decisions],
        Some(13.0 * 100_000.0 / 2_000_000.0)
    );
    let frame =
        crate::aggregate::frames::comparison(&t.comparison, Scope::CityGovernments, &t.metrics)
            .expect("frame");
    assert_eq!(
        frame.column("decisions").expect("col").dtype(),
        &DataType::Int64
    );
    assert_eq!(
        frame.column("fees_per_application").expect("col").dtype(),
        &DataType::Float64
    );
}

/// Trends compare with the year before exactly: after a year without reports (no row), there
/// is no previous value.
#[test]
fn trends_compare_with_the_year_before() {
    let t = run(vec![
        input(&GOV_A, report(2019, 1)),
        input(&GOV_A, report(2020, 3)),
        input(&GOV_A, report(2022, 8)),
    ]);
    let apps: Vec<(i32, Option<f64>, Option<f64>)> = t
        .trends
        .iter()
        .filter(|r| r.city == "甲市" && r.metric == "applications")
        .map(|r| (r.year, r.previous, r.change))
        .collect();
    assert_eq!(
        apps,
        [
            (2019, None, None),
            (2020, Some(1.0), Some(2.0)),
            (2022, None, None)
        ]
    );
}

#[test]
fn two_runs_are_identical() {
    let inputs = || {
        vec![
            input(&GOV_A, report(2020, 4)),
            input(&GOV_B, report(2020, 9)),
            input(&GOV_A, report(2021, 5)),
        ]
    };
    let (a, b) = (run(inputs()), run(inputs()));
    assert_eq!(a.comparison, b.comparison);
    assert_eq!(a.trends, b.trends);
    assert_eq!(a.city_totals, b.city_totals);
    assert_eq!(a.comparison.len(), 4, "2 cities × 2 years");
}

/// An output folder read back (`nianbao report`) computes the same comparisons: the cities,
/// the statuses and reasons of the rows without a report, and the metrics come from the folder.
#[test]
fn the_comparisons_read_back_with_their_statuses_and_metrics() {
    use crate::aggregate::{load, output};
    use crate::export::csv::CsvEncoding;
    let coverage = df!(
        "city" => ["乙市"],
        "year" => [2021i64],
        "status" => ["failed"],
        "reason" => [Some("HTTP 503 after 3 tries")],
    )
    .expect("frame");
    let extra = MetricSet::from_toml(
        &crate::aggregate::metrics::DEFAULT_METRICS
            .replace("id = \"applications\"", "id = \"apps\""),
        "copy",
    )
    .expect("valid");
    let metrics = MetricSet::builtin()
        .overlay(extra, "copy")
        .expect("overlay");
    let options = Options {
        metrics,
        coverage: Some(coverage),
    };
    let inputs = vec![
        input(&GOV_A, report(2020, 3)),
        input(&GOV_A, report(2021, 4)),
    ];
    let t = aggregate(inputs, &cities(), &options).expect("stage");
    let tmp = tempfile::tempdir().expect("tmp");
    output::write_all(&t, tmp.path(), CsvEncoding::Utf8Bom).expect("write");
    let stored = load::stored_metrics(tmp.path()).expect("metrics.toml");
    assert_eq!(stored, t.metrics);
    let back = load::read_tables(tmp.path(), &stored).expect("read back");
    assert_eq!(back.comparison, t.comparison);
    assert_eq!(back.trends, t.trends);
    assert_eq!(back.city_totals, t.city_totals);
    let missing: Vec<(&str, &str)> = back
        .comparison
        .iter()
        .filter(|r| r.city == "乙市")
        .map(|r| (r.status.as_str(), r.reason.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        missing[1],
        ("failed", "HTTP 503 after 3 tries"),
        "{missing:?}"
    );
    assert_eq!(missing[0].0, "missing");
}
