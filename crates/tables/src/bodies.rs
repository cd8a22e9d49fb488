//! A publishing body's name (发布机关, e.g. `贵港市港北区财政局`) and its city → its level of
//! government, its county and its normalised department kind, so that like bodies are compared
//! with like. The kinds come from a maintained table (`config/bodies.toml`, built in as the
//! default; users pass their own); the rules that read a name are documented there and below.
//! Also the stable `report_id` every table carries.

use serde::Deserialize;

/// The level of government a report's body belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Level {
    /// The city government itself (市人民政府 and its 办公室).
    #[default]
    CityGovernment,
    /// A department of the city government (市直部门).
    CityDepartment,
    /// A county, district or county-level city government (县区政府).
    CountyGovernment,
    /// A department of a county-level government, or a township under it (县区部门).
    CountyDepartment,
    /// Anything else: a body of another city, of the region, or a name that cannot be read.
    Other,
}

impl Level {
    /// Every level, in the order tables list them.
    pub const ALL: [Level; 5] = [
        Level::CityGovernment,
        Level::CityDepartment,
        Level::CountyGovernment,
        Level::CountyDepartment,
        Level::Other,
    ];

    /// The label the tables print (`level` column).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::CityGovernment => "市政府本级",
            Level::CityDepartment => "市直部门",
            Level::CountyGovernment => "县区政府",
            Level::CountyDepartment => "县区部门",
            Level::Other => "其他",
        }
    }

    /// An ASCII key for file names and English readers.
    pub fn key(self) -> &'static str {
        match self {
            Level::CityGovernment => "city_government",
            Level::CityDepartment => "city_department",
            Level::CountyGovernment => "county_government",
            Level::CountyDepartment => "county_department",
            Level::Other => "other",
        }
    }

    /// The level printed as `s` (its label or its key).
    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL
            .into_iter()
            .find(|l| l.as_str() == s || l.key() == s)
    }
}

/// One kind of department: the name the tables use and every name it is published under.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentKind {
    /// The kind's name in the tables, e.g. `自然资源局`.
    pub kind: String,
    /// Its English name.
    pub en: String,
    /// Current and former names, e.g. `国土资源局` for `自然资源局`.
    pub names: Vec<String>,
}

/// The table of department kinds (`config/bodies.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct BodyTable {
    /// The kinds, in the file's order.
    #[serde(default)]
    pub department: Vec<DepartmentKind>,
}

/// The built-in table of department kinds.
pub const DEFAULT_BODIES: &str = include_str!("../../../config/bodies.toml");

/// A body table that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BodyTableError {
    /// The text is not a valid table.
    #[error("not a valid body table: {0}")]
    Toml(String),
    /// A kind without names, or a name given to two kinds.
    #[error("department kind `{kind}`: {problem}")]
    Kind {
        /// The kind at fault.
        kind: String,
        /// What is wrong with it.
        problem: String,
    },
}

/// What a body's name says about it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Body {
    /// Its level of government.
    pub level: Level,
    /// For a department: its kind (from the table, or the name itself when no kind matches).
    pub department: Option<String>,
    /// For a county-level body: the county, district or county-level city, e.g. `港北区`.
    pub county: Option<String>,
}

/// The rest of a name that is a government itself, not one of its departments.
const GOVERNMENT: [&str; 7] = [
    "",
    "人民政府",
    "政府",
    "人民政府办公室",
    "人民政府办公厅",
    "政府办公室",
    "政府办",
];

impl BodyTable {
    /// Read a table from TOML text, checking that every kind has names and no name is given
    /// to two kinds.
    pub fn from_toml(text: &str) -> Result<BodyTable, BodyTableError> {
        let table: BodyTable =
            toml::from_str(text).map_err(|e| BodyTableError::Toml(e.message().to_string()))?;
        let mut seen = std::collections::HashMap::new();
        for k in &table.department {
            if k.names.is_empty() {
                return Err(BodyTableError::Kind {
                    kind: k.kind.clone(),
                    problem: "has no names".into(),
                });
            }
            for n in &k.names {
                if let Some(other) = seen.insert(n.as_str(), k.kind.as_str()) {
                    return Err(BodyTableError::Kind {
                        kind: k.kind.clone(),
                        problem: format!("name `{n}` is also a name of `{other}`"),
                    });
                }
            }
        }
        Ok(table)
    }

    /// The built-in table.
    pub fn builtin() -> BodyTable {
        // The built-in file is checked by a test; an error here is a build defect.
        BodyTable::from_toml(DEFAULT_BODIES).unwrap_or_default()
    }

    /// The kind whose name `rest` is exactly.
    fn exact(&self, rest: &str) -> Option<&str> {
        self.department
            .iter()
            .find(|k| k.names.iter().any(|n| n == rest))
            .map(|k| k.kind.as_str())
    }

    /// The kind with the longest name that `rest` ends with.
    fn suffix(&self, rest: &str) -> Option<&str> {
        self.department
            .iter()
            .flat_map(|k| k.names.iter().map(move |n| (n, k)))
            .filter(|(n, _)| rest.ends_with(n.as_str()))
            .max_by_key(|(n, _)| n.chars().count())
            .map(|(_, k)| k.kind.as_str())
    }

    /// A department's kind: the table's, or the name itself when no kind matches.
    fn kind_of(&self, rest: &str) -> String {
        self.suffix(rest).unwrap_or(rest).to_string()
    }

    /// Classify the body named `body`, whose report was harvested for `city` (e.g. `贵港市`);
    /// `other_cities` are the other cities of the config (a body of one of them is `Other`).
    /// `None` (no name printed or configured) is the city government, as the crawl's report
    /// columns are the city government's unless the config names a body.
    pub fn classify(&self, body: Option<&str>, city: &str, other_cities: &[&str]) -> Body {
        let Some(body) = body.map(str::trim).filter(|b| !b.is_empty()) else {
            return Body::default();
        };
        match strip_city(body, city) {
            Some(rest) => {
                if GOVERNMENT.contains(&rest) {
                    return Body::default();
                }
                if let Some(kind) = self.exact(rest) {
                    return department(Level::CityDepartment, kind.to_string(), None);
                }
                if let Some(b) = self.county_body(rest) {
                    return b;
                }
                department(Level::CityDepartment, self.kind_of(rest), None)
            }
            None => {
                if let Some(b) = self.county_body(body) {
                    let foreign = b
                        .county
                        .as_deref()
                        .is_some_and(|c| other_cities.iter().any(|o| same_city(c, o)));
                    return if foreign { other() } else { b };
                }
                match self.exact(body).or_else(|| self.suffix(body)) {
                    Some(kind) => department(Level::CityDepartment, kind.to_string(), None),
                    None => other(),
                }
            }
        }
    }

    /// `name` as a county-level body (`港北区财政局`, `桂平市人民政府`), if it starts with a
    /// county's name.
    fn county_body(&self, name: &str) -> Option<Body> {
        let (county, rest) = split_county(name)?;
        let county = Some(county.to_string());
        if GOVERNMENT.contains(&rest) {
            return Some(Body {
                level: Level::CountyGovernment,
                department: None,
                county,
            });
        }
        Some(department(
            Level::CountyDepartment,
            self.kind_of(rest),
            county,
        ))
    }
}

fn department(level: Level, kind: String, county: Option<String>) -> Body {
    Body {
        level,
        department: Some(kind),
        county,
    }
}

fn other() -> Body {
    Body {
        level: Level::Other,
        department: None,
        county: None,
    }
}

/// `a` and `b` name the same city (`柳州` and `柳州市`).
fn same_city(a: &str, b: &str) -> bool {
    a.trim_end_matches('市') == b.trim_end_matches('市')
}

/// What follows the city's name (`贵港市` or `贵港`) at the front of `body`, with a leading `市`
/// dropped (`贵港市财政局`, `贵港财政局` → `财政局`).
fn strip_city<'a>(body: &'a str, city: &str) -> Option<&'a str> {
    let short = city.trim_end_matches('市');
    if short.is_empty() {
        return None;
    }
    if let Some(rest) = body.strip_prefix(city).filter(|_| city.ends_with('市')) {
        return Some(rest);
    }
    let rest = body.strip_prefix(short)?;
    Some(rest.strip_prefix('市').unwrap_or(rest))
}

/// A county-level name at the front of `name` and what follows it (possibly nothing: `兴宁区`
/// alone is the county's government): the shortest prefix ending in 自治县, 县, 区 or 市 — at least two characters before 区 or 市 (so `城市管理局` is not the
/// county `城市`), one before 县 (横县, 藤县).
fn split_county(name: &str) -> Option<(&str, &str)> {
    let chars: Vec<(usize, char)> = name.char_indices().collect();
    for (n, &(i, c)) in chars.iter().enumerate().skip(1) {
        let min_before = match c {
            '县' => 1,
            '区' | '市' => 2,
            _ => continue,
        };
        if n < min_before {
            continue;
        }
        let end = i + c.len_utf8();
        let rest = &name[end..];
        // The region itself (广西壮族自治区) is no county.
        if name[..end].ends_with("自治区") {
            return None;
        }
        return Some((&name[..end], rest));
    }
    None
}

/// A stable identifier of a report: the city's code (or name), the year and a hash of the
/// report page's URL, e.g. `450800-2021-3f2a9c01d4`. The same page gives the same id in every
/// run; two reports of one body and year (a correction republished at another URL) get two.
pub fn report_id(adcode: &str, city: &str, year: Option<i32>, page_url: &str) -> String {
    let place = if adcode.is_empty() { city } else { adcode };
    let year = year.map_or_else(|| "unknown".to_string(), |y| y.to_string());
    format!("{place}-{year}-{:010x}", fnv1a(page_url.as_bytes()) >> 24)
}

/// FNV-1a, 64 bits: fixed by its definition, so ids do not change with the Rust version (the
/// standard library's hasher may).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(body: &str) -> (Level, Option<String>, Option<String>) {
        let b = BodyTable::builtin().classify(Some(body), "贵港市", &["柳州市", "南宁市"]);
        (b.level, b.department, b.county)
    }

    fn s(x: &str) -> Option<String> {
        Some(x.to_string())
    }

    #[test]
    fn the_builtin_table_loads() {
        let t = BodyTable::from_toml(DEFAULT_BODIES).expect("config/bodies.toml");
        assert!(t.department.len() >= 25);
    }

    #[test]
    fn city_government_names() {
        for name in [
            "贵港市",
            "贵港市人民政府",
            "贵港市人民政府办公室",
            "贵港市政府办",
        ] {
            assert_eq!(classify(name).0, Level::CityGovernment, "{name}");
        }
        let none = BodyTable::builtin().classify(None, "贵港市", &[]);
        assert_eq!(none.level, Level::CityGovernment);
    }

    #[test]
    fn city_departments_are_normalised_through_former_names() {
        assert_eq!(
            classify("贵港市财政局"),
            (Level::CityDepartment, s("财政局"), None)
        );
        assert_eq!(
            classify("贵港市国土资源局"),
            (Level::CityDepartment, s("自然资源局"), None)
        );
        assert_eq!(
            classify("贵港市城市管理局"),
            (Level::CityDepartment, s("城市管理局"), None)
        );
        assert_eq!(
            classify("贵港市市场监督管理局"),
            (Level::CityDepartment, s("市场监督管理局"), None)
        );
        // No kind matches: the name itself is the kind.
        assert_eq!(
            classify("贵港市乡村振兴局"),
            (Level::CityDepartment, s("乡村振兴局"), None)
        );
    }

    #[test]
    fn county_bodies() {
        assert_eq!(
            classify("港北区人民政府"),
            (Level::CountyGovernment, None, s("港北区"))
        );
        assert_eq!(
            classify("贵港市港北区人民政府"),
            (Level::CountyGovernment, None, s("港北区"))
        );
        // A title like 贵港市港北区2023年政府信息公开工作年度报告 names the county alone.
        assert_eq!(
            classify("贵港市港北区"),
            (Level::CountyGovernment, None, s("港北区"))
        );
        assert_eq!(
            classify("桂平市人民政府办公室"),
            (Level::CountyGovernment, None, s("桂平市"))
        );
        assert_eq!(
            classify("平南县教育局"),
            (Level::CountyDepartment, s("教育局"), s("平南县"))
        );
        assert_eq!(
            classify("港北区贵城街道办事处"),
            (Level::CountyDepartment, s("乡镇街道"), s("港北区"))
        );
        let b = BodyTable::builtin().classify(Some("藤县人民政府"), "梧州市", &[]);
        assert_eq!(b.county.as_deref(), Some("藤县"));
    }

    #[test]
    fn bodies_of_other_cities_are_other() {
        assert_eq!(classify("柳州市财政局").0, Level::Other);
        assert_eq!(classify("广西壮族自治区").0, Level::Other);
        assert_eq!(classify("广西壮族自治区人民政府").0, Level::Other);
    }

    #[test]
    fn a_name_given_to_two_kinds_is_refused() {
        let text = "[[department]]\nkind='a'\nen='a'\nnames=['x']\n\
                    [[department]]\nkind='b'\nen='b'\nnames=['x']\n";
        let err = BodyTable::from_toml(text).unwrap_err().to_string();
        assert!(err.contains("`x`") && err.contains("`a`"), "{err}");
    }

    #[test]
    fn levels_round_trip_through_their_labels() {
        for l in Level::ALL {
            assert_eq!(Level::parse(l.as_str()), Some(l));
            assert_eq!(Level::parse(l.key()), Some(l));
        }
    }

    #[test]
    fn report_ids_are_stable_and_readable() {
        let a = report_id("450800", "贵港市", Some(2021), "http://x/t1.shtml");
        assert_eq!(
            a,
            report_id("450800", "贵港市", Some(2021), "http://x/t1.shtml")
        );
        assert!(a.starts_with("450800-2021-"), "{a}");
        assert_eq!(a.len(), "450800-2021-".len() + 10);
        assert_ne!(
            a,
            report_id("450800", "贵港市", Some(2021), "http://x/t2.shtml")
        );
        assert!(report_id("", "某市", None, "u").starts_with("某市-unknown-"));
    }
}
