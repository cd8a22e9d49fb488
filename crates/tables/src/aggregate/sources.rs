//! A report page and the attachments it links → one report: for each table the best complete
//! source is used (the page's own HTML table first, then each attachment in link order), and
//! two sources that both print a table but disagree on its values give a finding. Pure.

use nianbao_model::report::{Finding, Report, Severity};
use nianbao_model::rules::table_zh;
use nianbao_model::validate;

/// How completely a source printed one table: `None` when absent, else the number of parse
/// findings (label not found, wrong value count, unreadable values) that touch it.
fn problems(report: &Report, table: &str) -> Option<usize> {
    let present = match table {
        "table2" => report.table2.is_some(),
        "table3" => report.table3.is_some(),
        _ => report.table4.is_some(),
    };
    present.then(|| {
        report
            .findings
            .iter()
            .filter(|f| f.rule.starts_with("P-") && f.severity != Severity::Info)
            .filter(|f| f.cells.iter().any(|c| c.starts_with(table)))
            .count()
    })
}

fn same_table(a: &Report, b: &Report, table: &str) -> bool {
    match table {
        "table2" => a.table2 == b.table2,
        "table3" => a.table3 == b.table3,
        _ => a.table4 == b.table4,
    }
}

fn take_table(into: &mut Report, from: &Report, table: &str) {
    match table {
        "table2" => into.table2 = from.table2.clone(),
        "table3" => into.table3 = from.table3,
        _ => into.table4 = from.table4,
    }
    for (k, v) in from.sources.iter().filter(|(k, _)| k.starts_with(table)) {
        into.sources.insert(k.clone(), v.clone());
    }
}

/// For each of tables 二, 三 and 四, the attachment (an index into `attachments`) that
/// [`merge`] takes it from: the one with the fewest parse problems, if it has fewer than the
/// page; `None` when the page's own table is kept or nobody prints the table.
pub fn table_sources(page: &Report, attachments: &[(String, Report)]) -> [Option<usize>; 3] {
    TABLES.map(|table| {
        let mut best: (Option<usize>, Option<usize>) = (problems(page, table), None);
        for (i, (_, a)) in attachments.iter().enumerate() {
            if let Some(p) = problems(a, table) {
                if best.0.is_none_or(|b| p < b) {
                    best = (Some(p), Some(i));
                }
            }
        }
        best.1
    })
}

const TABLES: [&str; 3] = ["table2", "table3", "table4"];

/// Merge a page with its attachments (`(url, report)` in link order). The result keeps the
/// page's metadata where it has them and re-runs the consistency rules on the merged tables.
pub fn merge(page: Report, attachments: &[(String, Report)]) -> Report {
    merge_with_sources(page, attachments).0
}

/// [`merge`], also returning which attachment each of tables 二, 三 and 四 was taken from
/// ([`table_sources`]).
pub fn merge_with_sources(
    page: Report,
    attachments: &[(String, Report)],
) -> (Report, [Option<usize>; 3]) {
    if attachments.is_empty() {
        return (page, [None; 3]);
    }
    let chosen = table_sources(&page, attachments);
    let mut merged = page.clone();
    let mut notes = Vec::new();
    for (table, source) in TABLES.into_iter().zip(chosen) {
        for (url, a) in attachments {
            if problems(a, table).is_some()
                && problems(&page, table).is_some()
                && !same_table(&page, a, table)
            {
                notes.push(
                    Finding::new(
                        "P-SOURCE-DISAGREE",
                        Severity::Warning,
                        format!(
                            "{table}: the page and its attachment {url} print different values"
                        ),
                        format!("{}：页面与其附件 {url} 印出的数值不同", table_zh(table)),
                    )
                    .with_cells([table.to_string()]),
                );
            }
        }
        if let Some((url, a)) = source.and_then(|i| attachments.get(i)) {
            take_table(&mut merged, a, table);
            notes.push(
                Finding::new(
                    "P-SOURCE",
                    Severity::Info,
                    format!("{table} read from the attachment {url}"),
                    format!("{}取自附件 {url}", table_zh(table)),
                )
                .with_cells([table.to_string()]),
            );
        }
    }
    if merged.year.is_none() {
        merged.year = attachments.iter().find_map(|(_, a)| a.year);
    }
    if merged.body.is_none() {
        merged.body = attachments.iter().find_map(|(_, a)| a.body.clone());
    }
    if merged.template.is_none() {
        merged.template = attachments.iter().find_map(|(_, a)| a.template);
    }
    // Parse findings of tables that were replaced no longer describe the merged report; the
    // consistency rules are checked again on what was kept.
    let replaced: Vec<&str> = TABLES
        .into_iter()
        .zip(chosen)
        .filter_map(|(t, source)| source.map(|_| t))
        .collect();
    merged.findings.retain(|f| {
        !f.rule.starts_with('T')
            && !f
                .cells
                .iter()
                .any(|c| replaced.iter().any(|t| c.starts_with(t)))
    });
    merged.findings.extend(notes);
    validate::check(&mut merged);
    (merged, chosen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nianbao_parser::parse_bytes;

    const PAGE_WITHOUT_TABLES: &str =
        "<html><head><title>某市2022年政府信息公开工作年度报告</title></head><body>\
        <p>本报告所列数据的统计期限自2022年1月1日起至2022年12月31日止。</p>\
        <p>三、收到和处理政府信息公开申请情况</p><p>(见附件)</p></body></html>";

    const ATTACHMENT: &str = "三、收到和处理政府信息公开申请情况\n\
        一、本年新收政府信息公开申请数量 | 10 | 0 | 0 | 0 | 0 | 0 | 10 |\n\
        四、政府信息公开行政复议、行政诉讼情况\n\
        | 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n";

    #[test]
    fn tables_missing_from_the_page_come_from_the_attachment() {
        let page = parse_bytes(PAGE_WITHOUT_TABLES.as_bytes(), "page", None).expect("page");
        assert!(page.table3.is_none());
        let att = parse_bytes(ATTACHMENT.as_bytes(), "att", None).expect("attachment");
        let attachments = [("http://x/a.txt".to_string(), att)];
        assert_eq!(
            table_sources(&page, &attachments),
            [None, Some(0), Some(0)],
            "tables 三 and 四 come from the attachment, nobody prints 二"
        );
        let merged = merge(page, &attachments);
        assert_eq!(merged.to_json()["table3"]["new_received"]["total"], 10);
        assert_eq!(merged.year, Some(2022));
        assert!(merged
            .findings
            .iter()
            .any(|f| f.rule == "P-SOURCE" && f.message.contains("a.txt")));
        assert!(!merged
            .findings
            .iter()
            .any(|f| f.rule == "P-TABLE-MISSING" && f.cells == ["table3"]));
    }

    #[test]
    fn two_sources_that_disagree_give_a_finding() {
        let page = parse_bytes(ATTACHMENT.as_bytes(), "page", None).expect("page");
        let other = parse_bytes(
            ATTACHMENT
                .replace(
                    "| 10 | 0 | 0 | 0 | 0 | 0 | 10 |",
                    "| 11 | 0 | 0 | 0 | 0 | 0 | 11 |",
                )
                .as_bytes(),
            "att",
            None,
        )
        .expect("att");
        let merged = merge(page, &[("http://x/a.pdf".into(), other)]);
        assert!(merged
            .findings
            .iter()
            .any(|f| f.rule == "P-SOURCE-DISAGREE"));
        assert_eq!(
            merged.to_json()["table3"]["new_received"]["total"],
            10,
            "the page's own complete table is kept"
        );
    }
}
