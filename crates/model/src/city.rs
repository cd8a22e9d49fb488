//! The cities that are compared: name, administrative code and population. The crawler's config
//! carries these beside the portal settings; the tables read them without knowing the crawler.

/// A prefecture-level city (or any body compared as one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct City {
    /// The name as the config and the reports print it, e.g. `贵港市`.
    pub name: String,
    /// The six-digit administrative division code (行政区划代码), e.g. `450800`.
    pub adcode: String,
    /// Resident population, for per-100,000 figures; `None` when unknown.
    pub population: Option<u64>,
    /// Where `population` comes from, e.g. the 2020 census; `None` when unknown.
    pub population_source: Option<String>,
}
