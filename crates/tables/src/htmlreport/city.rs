//! `reports`, `cells` and `findings` → the per-city pages of the report: the findings heat
//! table (city × year, coloured by the worst severity, each cell linking to the findings on the
//! city's page), one page per city (its metrics and ranks over the years, its trends against the
//! other cities, its whole-city totals, its reports and findings by year) and one page per
//! report (tables 二, 三 and 四 as printed, its source and its findings). Pure.

use std::collections::HashMap;
use std::fmt::Write;

use super::compare::{city_table, city_trends, origin_badge};
use super::html::{anchor, esc, link, plain};
use super::reports::Index;
use super::site::{census_note, city_page, Loc, Site, PUBLISHED};
use super::Page;
use crate::aggregate::{CellOcr, CellRow, ComparisonRow, ReportRow};
use nianbao_model::report::{Finding, Severity};
use nianbao_model::template::{
    table2_items, Template, T3_COLUMNS, T3_ROWS, T4_GROUPS, T4_OUTCOMES,
};

fn findings_id(adcode: &str, year: Option<i32>) -> String {
    let y = year.map_or("none".to_string(), |y| y.to_string());
    anchor(&["findings", adcode, &y])
}

const SEVERITY_WORDS: [(&str, &str); 3] =
    [("error", "错误"), ("warning", "警告"), ("info", "提示")];

/// The heat table: a row per city, a column per year; each cell counts the findings of the
/// city's reports of that year and links to them on the city's page.
pub(super) fn heat_table(site: &Site, loc: Loc) -> String {
    let ix = &site.ix;
    let years = ix.years();
    let mut s = String::from(
        "<section id=\"heat\"><h2>问题热力表</h2><p class=\"lead\">每格为该市该年度所有报告\
         （含部门报告）的检查结果，颜色取最严重的级别：<span class=\"sev error\">错误</span> \
         <span class=\"sev warning\">警告</span> <span class=\"sev info\">提示</span> \
         <span class=\"sev ok\">无问题</span>。点击格子查看问题明细。</p>\
         <div class=\"scroll\"><table class=\"heat\"><caption>各市各年度检查结果</caption>\
         <thead><tr><th scope=\"col\">城市</th>",
    );
    for y in &years {
        let _ = write!(s, "<th scope=\"col\">{y}</th>");
    }
    s.push_str("</tr></thead><tbody>");
    for (adcode, city) in ix.cities() {
        let page = site.href(loc, &city_page(adcode));
        let _ = write!(
            s,
            "<tr><th scope=\"row\"><a href=\"{page}\">{}</a></th>",
            esc(city)
        );
        for y in &years {
            s.push_str(&heat_cell(ix, adcode, *y, &page));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div></section>");
    s
}

fn heat_cell(ix: &Index, adcode: &str, year: i32, page: &str) -> String {
    let reports = ix.reports_of(adcode, Some(year));
    if reports.is_empty() {
        return "<td class=\"heat none\">无报告</td>".to_string();
    }
    let counts = ix.severity_counts(&reports);
    let worst = counts
        .iter()
        .position(|&c| c > 0)
        .map_or("ok", |k| SEVERITY_WORDS[k].0);
    let text: Vec<String> = counts
        .iter()
        .zip(SEVERITY_WORDS)
        .filter(|(c, _)| **c > 0)
        .map(|(c, (_, word))| format!("{word} {c}"))
        .collect();
    let text = if text.is_empty() {
        "无问题".to_string()
    } else {
        text.join("<br>")
    };
    format!(
        "<td class=\"heat {worst}\" data-errors=\"{}\" data-warnings=\"{}\" data-infos=\"{}\">\
         <a href=\"{page}#{}\">{text}</a></td>",
        counts[0],
        counts[1],
        counts[2],
        findings_id(adcode, Some(year)),
    )
}

/// A city's page: its metrics and ranks over the years, its trends against the other cities,
/// its whole-city totals, then by year its reports (linking to their pages) and findings.
pub(super) fn page(site: &Site, adcode: &str) -> String {
    let ix = &site.ix;
    let city = ix.city_name(adcode);
    let tables = ix.tables;
    let rows: Vec<&ComparisonRow> = tables
        .comparison
        .iter()
        .filter(|r| r.adcode == adcode)
        .collect();
    let population = rows.iter().find_map(|r| r.population);
    let mut s = format!(
        "<section class=\"city\" id=\"{}\"><h2>{} <small>{} · 常住人口 {}</small></h2>\
         <p class=\"lead\">{}</p><p class=\"years\">本页：<a href=\"#metrics\">历年指标</a> \
         <a href=\"#trends\">趋势对比</a> <a href=\"#totals\">全市合计</a> <a href=\"#reports\">年报与检查结果</a></p>\
         <h3 id=\"metrics\">市政府本级 历年指标与排名</h3>",
        anchor(&["city", adcode]),
        esc(city),
        esc(adcode),
        population.map_or("—".to_string(), |p| p.to_string()),
        esc(&census_note(site.options.population_source.as_deref())),
    );
    s.push_str(&city_table(&rows, &tables.metrics));
    let _ = write!(
        s,
        "<h3 id=\"trends\">趋势：{0}与其他城市</h3><p class=\"lead\">蓝线为{0}（市政府本级），\
         虚线为其他城市的中位数，灰色带为其他城市的最小–最大范围；每张图的纵轴按该图的数据取值。</p>{1}",
        esc(city),
        city_trends(site, adcode)
    );
    let totals: Vec<&ComparisonRow> = tables
        .city_totals
        .rows
        .iter()
        .filter(|r| r.adcode == adcode)
        .collect();
    if !totals.is_empty() {
        let _ = write!(
            s,
            "<h3 id=\"totals\">全市合计（全市各机关之和）</h3>{}",
            city_table(&totals, &tables.metrics)
        );
    }
    s.push_str("<h3 id=\"reports\">年报与检查结果</h3>");
    let mut years: Vec<Option<i32>> = ix
        .reports_of_city(adcode)
        .iter()
        .map(|&i| ix.report(i).year)
        .collect();
    years.dedup();
    for year in years {
        let reports = ix.reports_of(adcode, year);
        s.push_str(&report_list(ix, year, &reports));
        s.push_str(&findings_block(ix, adcode, year, &reports));
    }
    s.push_str("</section>");
    site.page(Loc::Folder, &format!("{city} 年报与对比"), &s)
}

/// The reports of a city-year, each linking to its page, with its level, data origin and
/// findings.
fn report_list(ix: &Index, year: Option<i32>, reports: &[usize]) -> String {
    let year_text = year.map_or("年份不明".to_string(), |y| format!("{y}年度"));
    let mut s = format!("<h4>{year_text}</h4><ul class=\"reports\">");
    for &i in reports {
        let r = ix.report(i);
        let [e, w, n] = ix.severity_counts(&[i]);
        let _ = write!(
            s,
            "<li><a href=\"{}\">{}</a> {} {} <small>错误 {e} · 警告 {w} · 提示 {n}</small></li>",
            ix.pages[i],
            esc(r.body.as_deref().unwrap_or(&r.meta.city)),
            kind_badge(r),
            origin_badge(&r.meta.data_origin),
        );
    }
    s.push_str("</ul>");
    s
}

/// A page per report of the city: the report's tables, source and findings.
pub(super) fn report_pages(site: &Site, adcode: &str) -> Vec<Page> {
    let ix = &site.ix;
    let city = ix.city_name(adcode);
    ix.reports_of_city(adcode)
        .into_iter()
        .map(|i| {
            let r = ix.report(i);
            let year = r
                .year
                .map_or("年份不明".to_string(), |y| format!("{y}年度"));
            let body = r.body.as_deref().unwrap_or(&r.meta.city);
            let mut s = format!(
                "<p class=\"crumbs\"><a href=\"{}\">{}</a> › {year} › {}</p>",
                city_page(adcode),
                esc(city),
                esc(body)
            );
            s.push_str(&report_article(ix, i));
            s.push_str(&findings_block(ix, adcode, r.year, &[i]));
            let title = format!("{year} {body}");
            site.folder_page(&ix.pages[i], site.page(Loc::Folder, &title, &s))
        })
        .collect()
}

fn kind_badge(r: &ReportRow) -> &'static str {
    if r.meta.is_city_government() {
        "<span class=\"badge gov\">市政府本级</span>"
    } else {
        "<span class=\"badge dept\">部门/其他</span>"
    }
}

fn report_article(ix: &Index, i: usize) -> String {
    let r = ix.report(i);
    let year = r
        .year
        .map_or("年份不明".to_string(), |y| format!("{y}年度"));
    let body = r.body.as_deref().unwrap_or(&r.meta.city);
    let kind = kind_badge(r);
    let chosen = if r.in_comparison {
        "<span class=\"badge cmp\">用于对比</span>"
    } else {
        ""
    };
    let mut s = format!(
        "<article class=\"report{}\" id=\"report-{i}\" data-origin=\"{}\"><h3>{year} · {} {kind} {} {chosen}</h3>",
        if r.meta.data_origin == PUBLISHED {
            " published"
        } else {
            ""
        },
        esc(&r.meta.data_origin),
        esc(body),
        origin_badge(&r.meta.data_origin),
    );
    s.push_str(&source_list(r));
    let cells = &ix.cells[i];
    let marks = Marks {
        findings: marked_cells(&ix.findings[i]),
        ocr: cells
            .iter()
            .filter_map(|((t, row, col), c)| Some((format!("{t}.{row}.{col}"), c.ocr(r)?)))
            .collect(),
    };
    let template = r.template.as_deref().and_then(Template::parse);
    s.push_str(&table2(cells, template, &marks));
    s.push_str(&table3(cells, template, &marks));
    s.push_str(&table4(cells, &marks));
    s.push_str("</article>");
    s
}

fn source_list(r: &ReportRow) -> String {
    let template = match r.template.as_deref() {
        Some("2019") => "2019 版（国办公开办函〔2019〕60号）",
        Some("2021") => "2021 版（国办公开办函〔2021〕30号）",
        _ => "未识别",
    };
    let rows = [
        ("来源网址", link(&r.meta.url, &r.meta.url)),
        ("抓取时间", esc(&r.meta.fetch_time)),
        ("SHA-256", format!("<code>{}</code>", esc(&r.meta.sha256))),
        (
            "WARC 记录",
            format!("<code>{}</code>", esc(&r.meta.warc_record_id)),
        ),
        ("模板", template.to_string()),
        ("读到的表", esc(&r.tables_read)),
        ("编码", esc(r.encoding.as_deref().unwrap_or("—"))),
        ("读取方式", ocr_summary(r)),
    ];
    let mut s = String::from("<dl class=\"source\">");
    let empty = ["<code></code>", "", "—"];
    for (k, v) in rows.iter().filter(|(_, v)| !empty.contains(&v.as_str())) {
        let _ = write!(s, "<dt>{k}</dt><dd>{v}</dd>");
    }
    s.push_str("</dl>");
    s
}

/// For a scan read by OCR: how many values, and how many the identities corrected; empty for
/// a report read from text.
fn ocr_summary(r: &ReportRow) -> String {
    if r.ocr.is_empty() {
        return String::new();
    }
    let corrected = r.ocr.iter().filter(|(_, o)| o.corrected).count();
    format!(
        "扫描件，OCR 识读：{} 个数值，{corrected} 个经勾稽关系更正（标 *）；各格的页码、位置和置信度见单元格提示",
        r.ocr.len()
    )
}

/// Schema paths named by findings → the worst severity and the rules, for marking cells.
fn marked_cells(findings: &[&Finding]) -> HashMap<String, (Severity, Vec<String>)> {
    let mut out: HashMap<String, (Severity, Vec<String>)> = HashMap::new();
    for f in findings {
        for c in &f.cells {
            let e = out.entry(c.clone()).or_insert((Severity::Info, Vec::new()));
            e.0 = e.0.max(f.severity);
            e.1.push(f.rule.clone());
        }
    }
    out
}

type Cells<'a> = HashMap<(&'static str, &'static str, &'static str), &'a CellRow>;
/// What marks a value cell: the findings that name it and, for a scan, how OCR read it.
struct Marks {
    /// Schema path → the worst severity and the rules of the findings naming it.
    findings: HashMap<String, (Severity, Vec<String>)>,
    /// Schema path → the OCR provenance of the value.
    ocr: HashMap<String, CellOcr>,
}

/// One value cell: the value as printed (— when blank), marked when a finding names it.
fn value_cell(
    cells: &Cells,
    marks: &Marks,
    key: (&'static str, &'static str, &'static str),
) -> String {
    let cell = cells.get(&key);
    let path = format!("{}.{}.{}", key.0, key.1, key.2);
    let mut class = String::from("num");
    let mut title = Vec::new();
    if let Some(src) = cell.and_then(|c| c.source_cell()) {
        title.push(format!("印于 {src}"));
    }
    if let Some(o) = marks.ocr.get(&path) {
        class.push_str(if o.corrected {
            " ocr corrected"
        } else {
            " ocr"
        });
        title.push(ocr_title(o));
    }
    if let Some((sev, rules)) = marks.findings.get(&path) {
        let _ = write!(class, " mark {}", sev.as_str());
        title.push(format!("{}：{}", sev.as_str(), rules.join(", ")));
    }
    let unknown_unit = cell.is_some_and(|c| c.unit() == crate::aggregate::CellUnit::Unknown);
    let text = match cell.and_then(|c| c.value()) {
        Some(v) => plain(v),
        None if unknown_unit => {
            // Money printed without a unit: no amount is made up; `cells.printed` has the text.
            title.push("未印单位（元或万元），不换算；原文见 cells.printed".to_string());
            class.push_str(" blank");
            "单位不明".to_string()
        }
        None => {
            class.push_str(" blank");
            "—".to_string()
        }
    };
    format!(
        "<td class=\"{class}\" data-cell=\"{}\" title=\"{}\">{text}</td>",
        esc(&path),
        esc(&title.join("；"))
    )
}

/// A value cell's OCR provenance as its tooltip says it.
fn ocr_title(o: &CellOcr) -> String {
    let mut t = format!("OCR 识读，置信度 {:.4}", o.confidence);
    if let Some(b) = o.box_text() {
        let _ = write!(t, "，页面图像位置（左,上,宽,高 像素）{b}");
    }
    if o.corrected {
        t.push_str("；经勾稽关系从候选读数中选定，非最可能读数");
    }
    t
}

fn has_table(cells: &Cells, table: &str) -> bool {
    cells.keys().any(|(t, _, _)| *t == table)
}

fn missing(title: &str) -> String {
    format!("<p class=\"missing\">{title}：未读取到此表。</p>")
}

const T2_TITLE: &str = "二、主动公开政府信息情况";
const T3_TITLE: &str = "三、收到和处理政府信息公开申请情况";
const T4_TITLE: &str = "四、政府信息公开行政复议、行政诉讼情况";

/// Table 二 as printed: items grouped under the header of their measures.
fn table2(cells: &Cells, template: Option<Template>, marks: &Marks) -> String {
    let Some(template) = template.filter(|_| has_table(cells, "table2")) else {
        return missing(T2_TITLE);
    };
    let mut s = format!("<table class=\"cells t2\"><caption>{T2_TITLE}</caption><tbody>");
    let mut last: Option<Vec<&str>> = None;
    for item in table2_items(template) {
        let labels: Vec<&str> = item.measures.iter().map(|(_, l)| *l).collect();
        if last.as_ref() != Some(&labels) {
            s.push_str("<tr class=\"head\"><th scope=\"col\">信息内容</th>");
            for l in &labels {
                let _ = write!(s, "<th scope=\"col\">{}</th>", esc(l));
            }
            s.push_str("</tr>");
            last = Some(labels);
        }
        let _ = write!(
            s,
            "<tr><th scope=\"row\">{}</th>",
            esc(item.labels.first().copied().unwrap_or(item.key))
        );
        for (m, _) in item.measures {
            s.push_str(&value_cell(cells, marks, ("table2", item.key, *m)));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}

/// Printed numbering of table 三's rows: (heading of the group the row opens, prefix).
const T3_PRINTED: [(&str, &str); 26] = [
    ("", "一、"),
    ("", "二、"),
    ("三、本年度办理结果", "（一）"),
    ("", "（二）"),
    ("（三）不予公开", "1."),
    ("", "2."),
    ("", "3."),
    ("", "4."),
    ("", "5."),
    ("", "6."),
    ("", "7."),
    ("", "8."),
    ("（四）无法提供", "1."),
    ("", "2."),
    ("", "3."),
    ("（五）不予处理", "1."),
    ("", "2."),
    ("", "3."),
    ("", "4."),
    ("", "5."),
    ("（六）其他处理", "1."),
    ("", "2."),
    ("", "3."),
    ("", "（六）"),
    ("", "（七）"),
    ("", "四、"),
];

/// Table 三 as printed: 26 rows × 7 applicant columns under the two-level header.
fn table3(cells: &Cells, template: Option<Template>, marks: &Marks) -> String {
    if !has_table(cells, "table3") {
        return missing(T3_TITLE);
    }
    let mut s = format!(
        "<table class=\"cells t3\"><caption>{T3_TITLE}</caption><thead>\
         <tr><th rowspan=\"3\" scope=\"col\">项目</th><th colspan=\"7\" scope=\"colgroup\">申请人情况</th></tr>\
         <tr><th rowspan=\"2\" scope=\"col\">{}</th><th colspan=\"5\" scope=\"colgroup\">法人或其他组织</th>\
         <th rowspan=\"2\" scope=\"col\">{}</th></tr><tr>",
        T3_COLUMNS[0].1, T3_COLUMNS[6].1
    );
    for (_, l) in &T3_COLUMNS[1..6] {
        let _ = write!(s, "<th scope=\"col\">{l}</th>");
    }
    s.push_str("</tr></thead><tbody>");
    for (n, ((row, label), (group, prefix))) in T3_ROWS.iter().zip(T3_PRINTED).enumerate() {
        let derived =
            n == nianbao_model::template::t3::OTHER_HANDLING && template == Some(Template::V2021);
        let group = if group.is_empty() {
            String::new()
        } else {
            format!("<span class=\"grp\">{group}</span>")
        };
        let note = if derived {
            "<span class=\"note\">（2021版不单列，为上列三项之和）</span>"
        } else {
            ""
        };
        let _ = write!(
            s,
            "<tr><th scope=\"row\">{group}{prefix}{}{note}</th>",
            esc(label)
        );
        for (col, _) in &T3_COLUMNS {
            s.push_str(&value_cell(cells, marks, ("table3", *row, *col)));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}

/// Table 四 as printed: one row of 15 values under 行政复议 / 行政诉讼 (two kinds).
fn table4(cells: &Cells, marks: &Marks) -> String {
    if !has_table(cells, "table4") {
        return missing(T4_TITLE);
    }
    let mut s = format!(
        "<table class=\"cells t4\"><caption>{T4_TITLE}</caption><thead>\
         <tr><th colspan=\"5\" rowspan=\"2\" scope=\"colgroup\">{}</th>\
         <th colspan=\"10\" scope=\"colgroup\">行政诉讼</th></tr><tr>",
        T4_GROUPS[0].1
    );
    for (_, label) in &T4_GROUPS[1..] {
        let short = label.split('/').next_back().unwrap_or(label);
        let _ = write!(
            s,
            "<th colspan=\"5\" scope=\"colgroup\">{}</th>",
            esc(short)
        );
    }
    s.push_str("</tr><tr>");
    for _ in &T4_GROUPS {
        for (_, l) in &T4_OUTCOMES {
            let _ = write!(s, "<th scope=\"col\">{l}</th>");
        }
    }
    s.push_str("</tr></thead><tbody><tr>");
    for (g, _) in &T4_GROUPS {
        for (o, _) in &T4_OUTCOMES {
            s.push_str(&value_cell(cells, marks, ("table4", *g, *o)));
        }
    }
    s.push_str("</tr></tbody></table>");
    s
}

/// The findings of a city's reports of one year, with the anchor the heat table links to.
fn findings_block(ix: &Index, adcode: &str, year: Option<i32>, reports: &[usize]) -> String {
    let year_text = year.map_or("年份不明".to_string(), |y| format!("{y}年度"));
    let rows: Vec<(usize, &Finding)> = reports
        .iter()
        .flat_map(|&i| ix.findings[i].iter().map(move |f| (i, *f)))
        .collect();
    let mut s = format!(
        "<div class=\"findings\" id=\"{}\"><h4>{} {year_text} 检查结果（{} 条）</h4>",
        findings_id(adcode, year),
        esc(ix.city_name(adcode)),
        rows.len()
    );
    if rows.is_empty() {
        s.push_str("<p class=\"ok\">未发现问题。</p></div>");
        return s;
    }
    s.push_str(
        "<table class=\"findings-list\"><thead><tr><th scope=\"col\">级别</th>\
         <th scope=\"col\">规则</th><th scope=\"col\">说明</th><th scope=\"col\">单元格</th>\
         <th scope=\"col\">报告</th></tr></thead><tbody>",
    );
    for (i, f) in rows {
        let (class, word) = SEVERITY_WORDS[match f.severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        }];
        let r = ix.report(i);
        let _ = write!(
            s,
            "<tr class=\"{class}\"><td><span class=\"sev {class}\">{word}</span></td>\
             <td><code>{}</code></td><td>{}</td><td><code>{}</code></td>\
             <td><a href=\"{}#report-{i}\">{}</a></td></tr>",
            esc(&f.rule),
            esc(&f.message),
            esc(&f.cells.join(" ")),
            ix.pages[i],
            esc(r.body.as_deref().unwrap_or(&r.meta.city)),
        );
    }
    s.push_str("</tbody></table></div>");
    s
}
