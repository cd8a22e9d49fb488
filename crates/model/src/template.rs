//! The national template (国办公开办函〔2019〕60号 and 〔2021〕30号) as data: the keys of the
//! canonical schema, their printed labels, and the labels that tell the two versions apart.
//! Pure constants; see ../shared/spec/template.md §3 and schema.md.

use serde::{Deserialize, Serialize};

/// Which national format a report follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Template {
    /// 国办公开办函〔2019〕60号, used for 2019 and 2020 data.
    #[serde(rename = "2019")]
    V2019,
    /// 国办公开办函〔2021〕30号, used for 2021 data on.
    #[serde(rename = "2021")]
    V2021,
}

impl Template {
    /// The version as the JSON contract writes it: `2019` or `2021`.
    pub fn as_str(self) -> &'static str {
        match self {
            Template::V2019 => "2019",
            Template::V2021 => "2021",
        }
    }

    /// The inverse of [`Template::as_str`]; `None` for any other string.
    pub fn parse(s: &str) -> Option<Template> {
        match s {
            "2019" => Some(Template::V2019),
            "2021" => Some(Template::V2021),
            _ => None,
        }
    }
}

/// Table 三 value columns, in printed order: (schema key, label).
pub const T3_COLUMNS: [(&str, &str); 7] = [
    ("natural_person", "自然人"),
    ("commercial_enterprise", "商业企业"),
    ("research_institution", "科研机构"),
    ("public_interest_org", "社会公益组织"),
    ("legal_service_org", "法律服务机构"),
    ("other_org", "其他"),
    ("total", "总计"),
];
/// Index of the 总计 column in [`T3_COLUMNS`].
pub const T3_TOTAL_COL: usize = 6;

/// Table 三 rows in schema order: (schema key, printed label without numbering).
/// `other_handling` is printed in 2019 and derived in 2021.
pub const T3_ROWS: [(&str, &str); 26] = [
    ("new_received", "本年新收政府信息公开申请数量"),
    ("carried_over", "上年结转政府信息公开申请数量"),
    ("granted", "予以公开"),
    (
        "partially_granted",
        "部分公开(区分处理的,只计这一情形,不计其他情形)",
    ),
    ("denied_state_secret", "属于国家秘密"),
    ("denied_prohibited_by_law", "其他法律行政法规禁止公开"),
    ("denied_security_stability", "危及“三安全一稳定”"),
    ("denied_third_party_rights", "保护第三方合法权益"),
    ("denied_internal_affairs", "属于三类内部事务信息"),
    ("denied_process_information", "属于四类过程性信息"),
    ("denied_enforcement_case_file", "属于行政执法案卷"),
    ("denied_administrative_query", "属于行政查询事项"),
    ("unavailable_not_held", "本机关不掌握相关政府信息"),
    ("unavailable_needs_creation", "没有现成信息需要另行制作"),
    ("unavailable_unclear", "补正后申请内容仍不明确"),
    ("declined_petition_complaint", "信访举报投诉类申请"),
    ("declined_duplicate", "重复申请"),
    ("declined_publication", "要求提供公开出版物"),
    ("declined_excessive", "无正当理由大量反复申请"),
    (
        "declined_confirmation",
        "要求行政机关确认或重新出具已获取信息",
    ),
    (
        "other_overdue_correction",
        "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ),
    (
        "other_unpaid_fee",
        "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    ),
    ("other_other", "其他"),
    ("other_handling", "其他处理"),
    ("total_processed", "总计"),
    ("carried_forward", "结转下年度继续办理"),
];

/// Indices into [`T3_ROWS`] used by the rules and the mapper.
pub mod t3 {
    /// 一、本年新收政府信息公开申请数量 (`new_received`).
    pub const NEW_RECEIVED: usize = 0;
    /// 二、上年结转政府信息公开申请数量 (`carried_over`).
    pub const CARRIED_OVER: usize = 1;
    /// 三（一）予以公开 (`granted`).
    pub const GRANTED: usize = 2;
    /// 三（二）部分公开 (`partially_granted`).
    pub const PARTIALLY_GRANTED: usize = 3;
    /// The first leaf result row of 三、本年度办理结果, where T3-2's sum starts.
    pub const FIRST_RESULT: usize = 2;
    /// The last leaf result row summed by T3-2 before the （六） term.
    pub const LAST_PLAIN_RESULT: usize = 19;
    /// 三（四）1.本机关不掌握相关政府信息 (`unavailable_not_held`).
    pub const UNAVAILABLE_NOT_HELD: usize = 12;
    /// The three （六）其他处理 item rows, printed in 2021 only.
    pub const OTHER_ITEMS: [usize; 3] = [20, 21, 22];
    /// 三（六）其他处理: the printed row in 2019, the sum of [`OTHER_ITEMS`] in 2021.
    pub const OTHER_HANDLING: usize = 23;
    /// 三（七）总计 (`total_processed`).
    pub const TOTAL_PROCESSED: usize = 24;
    /// 四、结转下年度继续办理 (`carried_forward`).
    pub const CARRIED_FORWARD: usize = 25;
}

/// Table 四 groups (行政复议 and the two kinds of 行政诉讼), in printed order: (schema key, label).
pub const T4_GROUPS: [(&str, &str); 3] = [
    ("review", "行政复议"),
    ("litigation_direct", "行政诉讼/未经复议直接起诉"),
    ("litigation_after_review", "行政诉讼/复议后起诉"),
];
/// Table 四 outcomes of each group, in printed order: (schema key, label).
pub const T4_OUTCOMES: [(&str, &str); 5] = [
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
];

/// One item row of table 二: its key, accepted printed labels (first is canonical), and
/// measures as (schema key, column label).
#[derive(Debug)]
pub struct T2Item {
    /// The item's schema key, e.g. `regulations`.
    pub key: &'static str,
    /// Printed row labels that name the item; the first is the canonical one.
    pub labels: &'static [&'static str],
    /// The item's value columns in printed order: (schema key, column label).
    pub measures: &'static [(&'static str, &'static str)],
}

const T2_2021: [T2Item; 6] = [
    T2Item {
        key: "regulations",
        labels: &["规章"],
        measures: &[
            ("issued", "本年制发件数"),
            ("repealed", "本年废止件数"),
            ("in_force", "现行有效件数"),
        ],
    },
    T2Item {
        key: "normative_documents",
        labels: &["行政规范性文件", "规范性文件"],
        measures: &[
            ("issued", "本年制发件数"),
            ("repealed", "本年废止件数"),
            ("in_force", "现行有效件数"),
        ],
    },
    T2Item {
        key: "licensing",
        labels: &["行政许可"],
        measures: &[("decisions", "本年处理决定数量")],
    },
    T2Item {
        key: "penalty",
        labels: &["行政处罚"],
        measures: &[("decisions", "本年处理决定数量")],
    },
    T2Item {
        key: "coercion",
        labels: &["行政强制"],
        measures: &[("decisions", "本年处理决定数量")],
    },
    T2Item {
        key: "fees",
        labels: &["行政事业性收费"],
        measures: &[("amount_10k_yuan", "本年收费金额(单位:万元)")],
    },
];

const T2_2019: [T2Item; 8] = [
    T2Item {
        key: "regulations",
        labels: &["规章"],
        measures: &[
            ("newly_made", "本年新制作数量"),
            ("newly_published", "本年新公开数量"),
            ("total_published", "对外公开总数量"),
        ],
    },
    T2Item {
        key: "normative_documents",
        labels: &["规范性文件", "行政规范性文件"],
        measures: &[
            ("newly_made", "本年新制作数量"),
            ("newly_published", "本年新公开数量"),
            ("total_published", "对外公开总数量"),
        ],
    },
    T2Item {
        key: "licensing",
        labels: &["行政许可"],
        measures: &[
            ("prior_year_items", "上一年项目数量"),
            ("change", "本年增/减"),
            ("decisions", "处理决定数量"),
        ],
    },
    T2Item {
        key: "other_services",
        labels: &["其他对外管理服务事项"],
        measures: &[
            ("prior_year_items", "上一年项目数量"),
            ("change", "本年增/减"),
            ("decisions", "处理决定数量"),
        ],
    },
    T2Item {
        key: "penalty",
        labels: &["行政处罚"],
        measures: &[
            ("prior_year_items", "上一年项目数量"),
            ("change", "本年增/减"),
            ("decisions", "处理决定数量"),
        ],
    },
    T2Item {
        key: "coercion",
        labels: &["行政强制"],
        measures: &[
            ("prior_year_items", "上一年项目数量"),
            ("change", "本年增/减"),
            ("decisions", "处理决定数量"),
        ],
    },
    T2Item {
        key: "fees",
        labels: &["行政事业性收费"],
        measures: &[
            ("prior_year_items", "上一年项目数量"),
            ("change", "本年增/减"),
        ],
    },
    T2Item {
        key: "procurement",
        labels: &["政府集中采购"],
        measures: &[("items", "采购项目数量"), ("amount", "采购总金额")],
    },
];

/// The table 二 layout of a template version.
pub fn table2_items(template: Template) -> &'static [T2Item] {
    match template {
        Template::V2019 => &T2_2019,
        Template::V2021 => &T2_2021,
    }
}

/// Labels that identify the 2021 format wherever they appear (template.md §3.5).
pub const MARKERS_2021: [&str; 5] = [
    "本年制发件数",
    "本年废止件数",
    "现行有效件数",
    "本年收费金额",
    "逾期不补正",
];
/// Labels that identify the 2019 format.
pub const MARKERS_2019: [&str; 5] = [
    "本年新制作数量",
    "本年新公开数量",
    "上一年项目数量",
    "政府集中采购",
    "采购总金额",
];
