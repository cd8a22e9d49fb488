//! Crawl state → [`Summary`]: per city, list pages, report pages per year, attachments and
//! failures by cause. Read-only SQL over the state database; no network.

use std::collections::BTreeMap;

use super::config::CitySite;
use nianbao_archive::state::{search_outcome, status, OutcomeRow, SearchRecord, StateError, Store};

/// What a crawl harvested, per city.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// One entry per crawled city, in adcode order.
    pub cities: Vec<CitySummary>,
    /// HTTP requests sent in this run.
    pub requests: u64,
    /// Bytes of uncommitted or torn WARC data cut when the store was reopened.
    pub cut_bytes: u64,
    /// The proxy each host's requests went through this run (host → route as shown in logs:
    /// `direct (none)`, `http://***@proxy:3128 (config)`…; credentials masked).
    pub proxies: BTreeMap<String, String>,
    /// Hosts that gave no answer this run: their URLs wait for the next run.
    pub unreachable: Vec<UnreachableHost>,
}

/// A host found unreachable in this run.
#[derive(Debug, Clone, Default)]
pub struct UnreachableHost {
    /// The host.
    pub host: String,
    /// The last error (`connect: …` or `timeout: …`).
    pub cause: String,
    /// Its URLs left pending for the next run.
    pub waiting: usize,
}

/// What a crawl harvested for one city, counted over the whole archive (earlier runs too).
#[derive(Debug, Clone, Default)]
pub struct CitySummary {
    /// The city's name, as in the config.
    pub name: String,
    /// List pages fetched.
    pub list_pages: usize,
    /// Report pages (HTML) per report year (`None`: no year in the title).
    pub reports_by_year: BTreeMap<Option<u16>, usize>,
    /// Attachments fetched (those that turned out to be HTML are not counted).
    pub attachments: usize,
    /// Failed, blocked or skipped URLs by cause.
    pub failures: BTreeMap<String, usize>,
    /// URLs left pending for the next run, by cause (`robots.txt unreachable`: the host's
    /// robots.txt answered 5xx or not at all, so nothing was fetched from it in this run).
    pub waiting: BTreeMap<String, usize>,
    /// Report pages and attachments the portal no longer serves (404/410 on a later visit);
    /// their last good captures are kept and still read.
    pub removed: usize,
    /// The city's latest site search (`[city.search]`), when one ran.
    pub search: Option<SearchRecord>,
}

impl Summary {
    /// Report pages plus attachments harvested.
    pub fn harvested(&self) -> usize {
        self.cities
            .iter()
            .map(|c| c.reports_by_year.values().sum::<usize>() + c.attachments)
            .sum()
    }

    /// True when some URLs could not be tried because their host gave no answer: the
    /// harvest is incomplete, and the next run tries them again.
    pub fn incomplete(&self) -> bool {
        !self.unreachable.is_empty()
    }

    /// A plain-text table for the terminal.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for c in &self.cities {
            let years: Vec<String> = c
                .reports_by_year
                .iter()
                .map(|(y, n)| format!("{}:{n}", y.map_or("?".to_string(), |y| y.to_string())))
                .collect();
            let fails: Vec<String> = c.failures.iter().map(|(k, n)| format!("{k}:{n}")).collect();
            out.push_str(&format!(
                "{}  list pages {}  reports [{}]  attachments {}  failures [{}]",
                c.name,
                c.list_pages,
                years.join(" "),
                c.attachments,
                fails.join(" ")
            ));
            if c.removed > 0 {
                out.push_str(&format!(
                    "  removed from the portal {} (captures kept)",
                    c.removed
                ));
            }
            if let Some(search) = &c.search {
                out.push_str(&format!("  search: {}", describe_search(search)));
            }
            if !c.waiting.is_empty() {
                let waiting: Vec<String> =
                    c.waiting.iter().map(|(k, n)| format!("{k}:{n}")).collect();
                out.push_str(&format!(
                    "  waiting for the next run [{}]",
                    waiting.join(" ")
                ));
            }
            out.push('\n');
        }
        if self.cut_bytes > 0 {
            out.push_str(&format!(
                "cut {} bytes of uncommitted or torn WARC data left by an interrupted run\n",
                self.cut_bytes
            ));
        }
        let proxied: Vec<String> = self
            .proxies
            .iter()
            .filter(|(_, r)| !r.starts_with("direct"))
            .map(|(h, r)| format!("  {h}: {r}\n"))
            .collect();
        if proxied.is_empty() {
            out.push_str(&format!(
                "proxy: none ({} hosts, direct connections)\n",
                self.proxies.len()
            ));
        } else {
            out.push_str("proxy per host (others direct):\n");
            out.extend(proxied);
        }
        if !self.unreachable.is_empty() {
            out.push_str("unreachable hosts (no answer; their URLs wait for the next run):\n");
            for u in &self.unreachable {
                out.push_str(&format!(
                    "  {}: {} URLs pending; last error {}\n",
                    u.host, u.waiting, u.cause
                ));
            }
            out.push_str(
                "hint: these portals drop connections from outside mainland China; set a proxy \
                 ([crawl] proxy = \"http://…\" or \"socks5://…\", per host in [[crawl.host]], or \
                 HTTPS_PROXY/HTTP_PROXY) and run again: the harvest resumes where it stopped\n",
            );
        }
        out.push_str(&format!(
            "{} requests this run; {} harvested in total\n",
            self.requests,
            self.harvested()
        ));
        out
    }
}

/// Counts the outcome rows of each city, in adcode order.
pub(crate) fn summarize(store: &Store, cities: &[&CitySite]) -> Result<Summary, StateError> {
    let mut cities = cities.to_vec();
    cities.sort_by(|a, b| a.adcode.cmp(&b.adcode));
    let mut out = Summary::default();
    for city in cities {
        let mut cs = CitySummary {
            name: city.name.clone(),
            ..CitySummary::default()
        };
        for row in store.outcome_rows(&city.name)? {
            count_outcome(&mut cs, row);
        }
        cs.search = store.last_search(&city.name)?;
        out.cities.push(cs);
    }
    Ok(out)
}

/// A search as the summary shows it: what it found, or how it ended, with the code used (a
/// stale code is the usual cause of a search that answers nothing).
pub fn describe_search(s: &SearchRecord) -> String {
    let code = format!("code {}, dataTypeId {}", s.code, s.data_type_id);
    match s.outcome.as_str() {
        search_outcome::ANSWERED => format!(
            "{} results on {} pages, {} reports kept, {} new ({code})",
            s.hits, s.pages, s.kept, s.queued
        ),
        search_outcome::NOTHING => {
            format!("answered nothing ({code}; a stale code? see docs/crawl.md)")
        }
        other => format!(
            "{other}: {} ({code})",
            s.error.as_deref().unwrap_or("no reason recorded")
        ),
    }
}

/// Adds one URL's outcome to its city's counts.
fn count_outcome(cs: &mut CitySummary, row: OutcomeRow) {
    let OutcomeRow {
        kind,
        year,
        status: st,
        error,
        detected,
        removed,
    } = row;
    let cause = |error: Option<&str>| {
        error
            .unwrap_or(&st)
            .split(':')
            .next()
            .unwrap_or("")
            .trim()
            .to_string()
    };
    if st == status::DONE && removed && matches!(kind.as_str(), "report" | "attachment") {
        cs.removed += 1;
    }
    if st == status::PENDING {
        if let Some(e) = error.as_deref() {
            *cs.waiting.entry(cause(Some(e))).or_default() += 1;
        }
    } else if st == status::DONE {
        match kind.as_str() {
            "list"
                if !error
                    .as_deref()
                    .is_some_and(|e| e.starts_with("end of list")) =>
            {
                cs.list_pages += 1
            }
            "report" => *cs.reports_by_year.entry(year).or_default() += 1,
            "attachment" if detected.as_deref() != Some("html") => cs.attachments += 1,
            _ => {}
        }
    } else {
        *cs.failures.entry(cause(error.as_deref())).or_default() += 1;
    }
}
