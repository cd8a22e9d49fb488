use super::*;

fn stated(text: &str, template: Template) -> Vec<(String, Num)> {
    table2_statements(text, template)
        .into_iter()
        .map(|s| (s.path, s.value))
        .collect()
}

fn one(path: &str, v: i64) -> Vec<(String, Num)> {
    vec![(path.to_string(), Num::Int(v))]
}

fn v21(text: &str) -> Vec<(String, Num)> {
    stated(text, Template::V2021)
}

#[test]
fn document_verbs_pick_the_measure() {
    assert_eq!(
        v21("2023年，本机关制发规章2件。"),
        one("table2.regulations.issued", 2)
    );
    assert_eq!(
        v21("全年印发行政规范性文件15件"),
        one("table2.normative_documents.issued", 15)
    );
    assert_eq!(
        v21("出台规范性文件共计 3 份；"),
        one("table2.normative_documents.issued", 3)
    );
    assert_eq!(v21("废止规章1件。"), one("table2.regulations.repealed", 1));
    assert_eq!(
        v21("截至年底，现行有效规章20件。"),
        one("table2.regulations.in_force", 20)
    );
    assert_eq!(
        v21("规范性文件现行有效360件"),
        one("table2.normative_documents.in_force", 360)
    );
}

#[test]
fn a_list_shares_its_verb_and_a_clause_its_item() {
    assert_eq!(
        v21("制发规章2件、行政规范性文件15件。"),
        vec![
            ("table2.regulations.issued".to_string(), Num::Int(2)),
            (
                "table2.normative_documents.issued".to_string(),
                Num::Int(15)
            ),
        ]
    );
    assert_eq!(
        v21("本年制发行政规范性文件52件，废止6件，现行有效360件。"),
        vec![
            (
                "table2.normative_documents.issued".to_string(),
                Num::Int(52)
            ),
            (
                "table2.normative_documents.repealed".to_string(),
                Num::Int(6)
            ),
            (
                "table2.normative_documents.in_force".to_string(),
                Num::Int(360)
            ),
        ]
    );
    assert_eq!(
        v21("规章方面，制发0件，废止1件。"),
        vec![
            ("table2.regulations.issued".to_string(), Num::Int(0)),
            ("table2.regulations.repealed".to_string(), Num::Int(1)),
        ]
    );
}

#[test]
fn decisions_and_fees() {
    assert_eq!(
        v21("作出行政许可决定179441件"),
        one("table2.licensing.decisions", 179441)
    );
    assert_eq!(
        v21("办理行政许可 1,024 项"),
        one("table2.licensing.decisions", 1024)
    );
    assert_eq!(
        v21("行政处罚案件44016件，行政强制1933件。"),
        vec![
            ("table2.penalty.decisions".to_string(), Num::Int(44016)),
            ("table2.coercion.decisions".to_string(), Num::Int(1933)),
        ]
    );
    assert_eq!(
        v21("收取行政事业性收费24720.2万元。"),
        vec![("table2.fees.amount_10k_yuan".to_string(), Num::Dec(24720.2))]
    );
    assert_eq!(
        v21("行政事业性收费金额为 300.00 万元"),
        one("table2.fees.amount_10k_yuan", 300)
    );
}

#[test]
fn full_width_digits_and_ocr_lookalikes_are_digits() {
    assert_eq!(v21("制发规章２件"), one("table2.regulations.issued", 2));
    assert_eq!(v21("行政处罚1O4件"), one("table2.penalty.decisions", 104));
    assert_eq!(v21("行政强制〇件"), one("table2.coercion.decisions", 0));
    assert_eq!(
        v21("行政事业性收费２４７２０．２万元"),
        vec![("table2.fees.amount_10k_yuan".to_string(), Num::Dec(24720.2))]
    );
}

#[test]
fn figures_that_are_not_the_cell_do_not_match() {
    for text in [
        "主动公开政府信息1000条。",
        "全年主动公开规章2件。",
        "上年制发规章2件。",
        "制发规范性文件数量较上年增长3件。",
        "行政处罚同比下降15%。",
        "行政处罚案件占比12%。",
        "收到政府信息公开申请377件，上年结转6件。",
        "被申请行政复议3件，被提起行政诉讼2件。",
        "因行政处罚被申请行政复议3件。",
        "梳理行政许可事项120项。",
        "行政处罚约300件。",
        "行政处罚1000余件。",
        "行政许可2.5件。",
        "行政事业性收费3000元。",
        "制定内部规章制度3件。",
        "审核规范性文件15件。",
        "规章和规范性文件共计17件。",
        "开展政府开放日活动5场。",
        "行政处罚 3 5件。",
        "行政处罚05件。",
        "组织行政许可培训3件次。",
        "12月印发规范性文件3件。",
        "全年受理行政许可申请5000件。",
        "行政许可办件5000件。",
        "实施行政强制措施537件。",
        "行政事业性收费项目12项。",
        "清理规范性文件100件，废止3件。",
    ] {
        assert_eq!(v21(text), vec![], "{text}");
    }
}

#[test]
fn a_verb_of_another_item_is_not_borrowed() {
    // 审核 is no verb of the cell: the list's verb is not carried over it.
    assert_eq!(
        v21("制发规章2件、审核规范性文件15件。"),
        one("table2.regulations.issued", 2)
    );
}

#[test]
fn a_cell_stated_twice_differently_is_not_stated() {
    assert_eq!(v21("制发规章2件。制发规章3件。"), vec![]);
    assert_eq!(
        v21("制发规章2件。全年制发规章2件。"),
        one("table2.regulations.issued", 2)
    );
}

#[test]
fn the_2019_template_has_its_own_measures() {
    assert_eq!(
        stated("新制作规章1件，新公开规章1件。", Template::V2019),
        vec![
            ("table2.regulations.newly_made".to_string(), Num::Int(1)),
            (
                "table2.regulations.newly_published".to_string(),
                Num::Int(1)
            ),
        ]
    );
    // 制发 could be either measure in 2019; 项 could be an item count; no fee amount.
    for text in ["制发规章2件。", "行政许可120项。", "行政事业性收费30万元。"]
    {
        assert_eq!(stated(text, Template::V2019), vec![], "{text}");
    }
    assert_eq!(
        stated("作出行政处罚决定12件。", Template::V2019),
        one("table2.penalty.decisions", 12)
    );
}

#[test]
fn the_sentence_is_kept() {
    let s = table2_statements(
        "（一）主动公开。全年制发规章2件，废止1件。其他。",
        Template::V2021,
    );
    assert_eq!(s.len(), 2);
    assert_eq!(s[1].sentence, "全年制发规章2件，废止1件");
}

#[test]
fn plain_numbers_parse_as_the_text_parser_does() {
    assert_eq!(Num::parse_plain("24720.2"), Some(Num::Dec(24720.2)));
    assert_eq!(Num::parse_plain("24720.0"), Some(Num::Int(24720)));
    assert_eq!(Num::parse_plain("0.5"), Some(Num::Dec(0.5)));
    assert_eq!(Num::parse_plain("0"), Some(Num::Int(0)));
    for bad in ["", ".", "1.", ".5", "05", "1.2.3", "1,0", "-1"] {
        assert_eq!(Num::parse_plain(bad), None, "{bad}");
    }
}
