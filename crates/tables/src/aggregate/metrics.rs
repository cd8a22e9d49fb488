//! Metric definitions as data: `config/metrics.toml` (built in) and any `--metrics FILE` →
//! a checked [`MetricSet`] (id, Chinese and English name, formula, unit, rank direction,
//! definition). Reads TOML text only; the polars stage (`stage`) computes the values.

use serde::{Deserialize, Serialize};

use super::formula::{CellKey, Formula, FormulaError};
use crate::export::shown::Shown;

/// The built-in metrics (`config/metrics.toml`).
pub const DEFAULT_METRICS: &str = include_str!("../../../../config/metrics.toml");

/// What a metric's value is, which decides its type, its columns and how it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MetricUnit {
    /// A whole number (Int64); also per 100,000 residents when the metric asks for it.
    #[serde(rename = "count")]
    Count,
    /// A fraction (0.25 = 25 %), Float64, shown as a percentage.
    #[serde(rename = "rate")]
    Rate,
    /// Any other number (Float64), e.g. a ratio.
    #[serde(rename = "number")]
    Number,
    /// An amount in 万元 (Float64).
    #[serde(rename = "10k_yuan")]
    TenThousandYuan,
}

impl MetricUnit {
    /// The unit as the metric files and the `unit` column of the trends tables write it.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricUnit::Count => "count",
            MetricUnit::Rate => "rate",
            MetricUnit::Number => "number",
            MetricUnit::TenThousandYuan => "10k_yuan",
        }
    }

    /// Its Chinese name (the data dictionary, the workbook's 说明 sheet).
    pub fn zh(self) -> &'static str {
        match self {
            MetricUnit::Count => "数量（整数）",
            MetricUnit::Rate => "比率（小数，0.25 = 25%）",
            MetricUnit::Number => "数值",
            MetricUnit::TenThousandYuan => "金额（万元）",
        }
    }

    /// How a value of this unit is shown (workbook format, CSV rounding).
    pub fn shown(self) -> Shown {
        match self {
            MetricUnit::Count => Shown::Count,
            MetricUnit::Rate => Shown::Rate,
            MetricUnit::Number => Shown::Number,
            MetricUnit::TenThousandYuan => Shown::Money,
        }
    }

    /// How a year-on-year change of this unit is shown in the workbook: a rate's change in
    /// percentage points (个百分点), any other's as 同比% (the change over the year before).
    pub fn change_shown(self) -> Shown {
        match self {
            MetricUnit::Rate => Shown::PointChange,
            _ => Shown::YearOnYear,
        }
    }
}

/// One metric as its file declares it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricDef {
    /// The column name, e.g. `disclosure_rate`.
    pub id: String,
    /// Its Chinese name, e.g. `实质公开率`.
    pub zh: String,
    /// Its English name, e.g. `Disclosure rate`.
    pub en: String,
    /// The formula over `table.row.column` keys (see [`Formula`]).
    pub formula: String,
    /// What the value is.
    pub unit: MetricUnit,
    /// The rank direction: rank 1 is the highest value (`true`) or the lowest (`false`).
    pub higher_is_better: bool,
    /// Also the value per 100,000 residents (`<id>_per_100k`); not for rates.
    #[serde(default)]
    pub per_100k: bool,
    /// What the number means, in Chinese.
    pub definition_zh: String,
    /// What the number means, in English.
    pub definition_en: String,
}

/// A metric, checked: its definition and its parsed formula.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// The definition as written.
    pub def: MetricDef,
    /// The parsed formula.
    pub formula: Formula,
}

impl Metric {
    /// The column name, e.g. `disclosure_rate`.
    pub fn id(&self) -> &str {
        &self.def.id
    }

    /// The Chinese name (workbook headers, the HTML report, `metric_label`).
    pub fn zh(&self) -> &str {
        &self.def.zh
    }

    /// A rate, shown as a percentage.
    pub fn is_rate(&self) -> bool {
        self.def.unit == MetricUnit::Rate
    }

    /// A whole number (Int64 columns).
    pub fn is_count(&self) -> bool {
        self.def.unit == MetricUnit::Count
    }

    /// Whether the metric also has a value per 100,000 residents.
    pub fn per_100k(&self) -> bool {
        self.def.per_100k
    }

    /// Every cell the metric reads (see [`Formula::operands`]).
    pub fn operands(&self) -> Vec<CellKey> {
        self.formula.operands()
    }
}

/// Why a metric file cannot be used. Each names the file and, where it applies, the metric.
#[derive(Debug, thiserror::Error)]
pub enum MetricError {
    /// The text is not TOML of the metric file's shape.
    #[error("{file}: not a valid metric file: {message}")]
    Toml {
        /// The file, as the user named it (`built-in config/metrics.toml` for the default).
        file: String,
        /// The TOML parser's message.
        message: String,
    },
    /// One metric is not usable.
    #[error("{file}: metric `{metric}`: {problem}")]
    Metric {
        /// The file.
        file: String,
        /// The metric's id.
        metric: String,
        /// What is wrong.
        problem: String,
    },
}

/// Column names of the comparison tables that a metric id must not take.
const RESERVED: [&str; 18] = [
    "year",
    "city",
    "adcode",
    "level",
    "status",
    "reason",
    "report_id",
    "body",
    "department",
    "county",
    "bodies",
    "population",
    "derived",
    "data_origin",
    "source_url",
    "metric",
    "metric_label",
    "unit",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MetricFile {
    #[serde(default)]
    metric: Vec<MetricDef>,
}

#[derive(Serialize)]
struct MetricFileOut<'a> {
    metric: Vec<&'a MetricDef>,
}

/// The metrics of a run, in column order: the built-in set, then the metrics a `--metrics`
/// file adds (one with a built-in id replaces it in its place).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetricSet {
    metrics: Vec<Metric>,
}

impl MetricSet {
    /// The built-in set (`config/metrics.toml`).
    pub fn builtin() -> MetricSet {
        static BUILTIN: std::sync::OnceLock<MetricSet> = std::sync::OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                MetricSet::from_toml(DEFAULT_METRICS, "built-in config/metrics.toml")
                    // A test parses the built-in file; this cannot fail in a tested build.
                    .expect("the built-in config/metrics.toml is valid")
            })
            .clone()
    }

    /// Read and check a metric file's text; `file` names it in errors.
    pub fn from_toml(text: &str, file: &str) -> Result<MetricSet, MetricError> {
        let parsed: MetricFile = toml::from_str(text).map_err(|e| MetricError::Toml {
            file: file.to_string(),
            message: e.to_string().trim().to_string(),
        })?;
        let mut set = MetricSet::default();
        for def in parsed.metric {
            let metric = check(def).map_err(|(metric, problem)| MetricError::Metric {
                file: file.to_string(),
                metric,
                problem,
            })?;
            if set.index_of(metric.id()).is_some() {
                return Err(MetricError::Metric {
                    file: file.to_string(),
                    metric: metric.def.id,
                    problem: "is declared twice in the file".into(),
                });
            }
            set.metrics.push(metric);
        }
        set.check_columns(file)?;
        Ok(set)
    }

    /// This set with `other` laid over it: a metric of `other` replaces the one of the same id
    /// in its place; the others are added at the end, in `other`'s order.
    pub fn overlay(mut self, other: MetricSet, file: &str) -> Result<MetricSet, MetricError> {
        for m in other.metrics {
            match self.index_of(m.id()) {
                Some(k) => self.metrics[k] = m,
                None => self.metrics.push(m),
            }
        }
        self.check_columns(file)?;
        Ok(self)
    }

    /// The metrics, in column order.
    pub fn metrics(&self) -> &[Metric] {
        &self.metrics
    }

    /// How many metrics there are.
    pub fn len(&self) -> usize {
        self.metrics.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.metrics.is_empty()
    }

    /// The position of the metric `id`.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.metrics.iter().position(|m| m.id() == id)
    }

    /// The metric `id`.
    pub fn get(&self, id: &str) -> Option<&Metric> {
        self.index_of(id).map(|k| &self.metrics[k])
    }

    /// The set as a metric file (what `metrics.toml` of an output folder holds: the metrics
    /// its tables were computed with).
    pub fn to_toml(&self) -> String {
        let file = MetricFileOut {
            metric: self.metrics.iter().map(|m| &m.def).collect(),
        };
        toml::to_string(&file).unwrap_or_default()
    }

    /// No two metrics may produce the same column (`x_rank` of one and `x` + `_rank` of
    /// another).
    fn check_columns(&self, file: &str) -> Result<(), MetricError> {
        let mut seen = std::collections::HashMap::new();
        for m in &self.metrics {
            for column in columns_of(m) {
                if let Some(other) = seen.insert(column.clone(), m.id().to_string()) {
                    return Err(MetricError::Metric {
                        file: file.to_string(),
                        metric: m.id().to_string(),
                        problem: format!("its column `{column}` is also a column of `{other}`"),
                    });
                }
            }
        }
        Ok(())
    }
}

/// The columns a metric gives a comparison table.
fn columns_of(m: &Metric) -> Vec<String> {
    let mut out = vec![m.id().to_string(), format!("{}_rank", m.id())];
    if m.per_100k() {
        out.push(format!("{}_per_100k", m.id()));
        out.push(format!("{}_per_100k_rank", m.id()));
    }
    out
}

/// Check one definition: its id, its formula (keys and syntax), its unit.
fn check(def: MetricDef) -> Result<Metric, (String, String)> {
    let id = def.id.clone();
    let fail = |problem: String| (id.clone(), problem);
    let valid_id = def.id.starts_with(|c: char| c.is_ascii_lowercase())
        && def
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid_id {
        return Err(fail(
            "an id is lowercase ASCII letters, digits and `_`, starting with a letter".into(),
        ));
    }
    if RESERVED.contains(&def.id.as_str()) {
        return Err(fail(format!(
            "`{}` is a column of the comparison tables already; choose another id",
            def.id
        )));
    }
    let formula =
        Formula::parse(&def.formula).map_err(|e: FormulaError| fail(format!("formula: {e}")))?;
    match def.unit {
        MetricUnit::Count => formula
            .check_count()
            .map_err(|e| fail(format!("formula: {e}")))?,
        MetricUnit::Rate if def.per_100k => {
            return Err(fail(
                "per_100k is for counts and amounts, not for a rate".into(),
            ))
        }
        _ => {}
    }
    Ok(Metric { def, formula })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"
[[metric]]
id = "granted_share"
zh = "予以公开占比"
en = "Granted share"
formula = "table3.granted.total / table3.new_received.total"
unit = "rate"
higher_is_better = true
definition_zh = "予以公开占新收申请的比例。"
definition_en = "Granted, as a share of new applications."
"#;

    #[test]
    fn the_builtin_set_is_the_ten_metrics_of_the_comparison() {
        let set = MetricSet::builtin();
        let ids: Vec<&str> = set.metrics().iter().map(Metric::id).collect();
        assert_eq!(
            ids,
            [
                "applications",
                "disclosure_rate",
                "full_disclosure_rate",
                "not_held_rate",
                "natural_person_share",
                "reviews",
                "lawsuits",
                "review_correction_rate",
                "dispute_rate",
                "backlog_rate"
            ]
        );
        let counts: Vec<&str> = set
            .metrics()
            .iter()
            .filter(|m| m.per_100k())
            .map(Metric::id)
            .collect();
        assert_eq!(counts, ["applications", "reviews", "lawsuits"]);
        let lower: Vec<&str> = set
            .metrics()
            .iter()
            .filter(|m| !m.def.higher_is_better)
            .map(Metric::id)
            .collect();
        assert_eq!(
            lower,
            [
                "not_held_rate",
                "review_correction_rate",
                "dispute_rate",
                "backlog_rate"
            ]
        );
    }

    #[test]
    fn a_file_adds_and_replaces_metrics() {
        let extra = MetricSet::from_toml(ONE, "extra.toml").expect("valid");
        let replaced = ONE.replace("granted_share", "applications");
        let replace = MetricSet::from_toml(&replaced, "r.toml").expect("valid");
        let set = MetricSet::builtin()
            .overlay(extra, "extra.toml")
            .and_then(|s| s.overlay(replace, "r.toml"))
            .expect("overlay");
        assert_eq!(set.len(), 11);
        assert_eq!(set.metrics()[10].id(), "granted_share");
        assert_eq!(set.metrics()[0].id(), "applications");
        assert!(set.metrics()[0].is_rate(), "replaced in its place");
        let back = MetricSet::from_toml(&set.to_toml(), "back").expect("round trip");
        assert_eq!(back, set);
    }

    fn problem(text: &str) -> String {
        MetricSet::from_toml(text, "m.toml")
            .expect_err("invalid")
            .to_string()
    }

    #[test]
    fn a_bad_file_names_the_file_the_metric_and_the_token() {
        let e = problem(&ONE.replace("granted.total /", "granted.totl /"));
        assert!(
            e.starts_with(
                "m.toml: metric `granted_share`: formula: unknown key `table3.granted.totl`"
            ),
            "{e}"
        );
        let e = problem(&ONE.replace(" / ", " % "));
        assert!(
            e.contains("metric `granted_share`") && e.contains("unexpected `%`"),
            "{e}"
        );
        let e = problem(&ONE.replace("unit = \"rate\"", "unit = \"percent\""));
        assert!(
            e.starts_with("m.toml: not a valid metric file") && e.contains("percent"),
            "{e}"
        );
        let e = problem(&ONE.replace("unit = \"rate\"", "unit = \"count\""));
        assert!(e.contains("count is a whole number: `/`"), "{e}");
        let e = problem(&ONE.replace("granted_share", "city"));
        assert!(e.contains("metric `city`") && e.contains("column"), "{e}");
        let e = problem(&ONE.replace("granted_share", "Granted"));
        assert!(e.contains("lowercase"), "{e}");
        let e = problem(&format!("{ONE}{ONE}"));
        assert!(e.contains("declared twice"), "{e}");
        let e = problem(&ONE.replace("\"rate\"", "\"rate\"\nper_100k = true"));
        assert!(e.contains("per_100k"), "{e}");
        let clash = ONE.replace("granted_share", "applications_rank");
        let set = MetricSet::from_toml(&clash, "c.toml").expect("valid alone");
        let e = MetricSet::builtin()
            .overlay(set, "c.toml")
            .expect_err("clash")
            .to_string();
        assert!(e.contains("`applications_rank`"), "{e}");
    }
}
