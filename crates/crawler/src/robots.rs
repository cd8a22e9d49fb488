//! robots.txt text → [`Robots`] rules for one user agent (RFC 9309: groups by user agent,
//! longest matching rule wins, `allow` wins ties, `*` and `$` wildcards). No network.

/// The rules that apply to one crawler.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Robots {
    rules: Vec<(bool, String)>,
    /// `Crawl-delay` of the chosen group, in seconds.
    pub crawl_delay: Option<f64>,
    /// Why robots.txt could not be read (a 5xx answer or no answer), when it could not.
    unreachable: Option<String>,
}

impl Robots {
    /// Everything allowed (no robots.txt, or a 4xx answer).
    pub fn allow_all() -> Robots {
        Robots::default()
    }

    /// Everything disallowed.
    pub fn disallow_all() -> Robots {
        Robots {
            rules: vec![(false, "/".into())],
            crawl_delay: None,
            unreachable: None,
        }
    }

    /// robots.txt could not be read (`cause`: a 5xx answer or a network error): everything is
    /// disallowed, as RFC 9309 §2.3.1.4 asks, but only for this run; the crawler leaves the
    /// host's URLs pending instead of refusing them for good.
    pub fn unreachable(cause: String) -> Robots {
        Robots {
            unreachable: Some(cause),
            ..Robots::disallow_all()
        }
    }

    /// Why robots.txt could not be read, when it was not ([`Robots::unreachable`]).
    pub fn unreachable_cause(&self) -> Option<&str> {
        self.unreachable.as_deref()
    }

    /// Parses `text` and keeps the group for `agent` (the product token, e.g. `nianbao`), or
    /// the `*` group when no group names it.
    pub fn parse(text: &str, agent: &str) -> Robots {
        let agent = agent.to_ascii_lowercase();
        let mut specific: Option<Robots> = None;
        let mut star: Option<Robots> = None;
        let mut group_agents: Vec<String> = Vec::new();
        let mut in_rules = false;
        let mut current = Robots::default();
        let flush = |agents: &[String],
                     cur: &Robots,
                     specific: &mut Option<Robots>,
                     star: &mut Option<Robots>| {
            for a in agents {
                if a == "*" {
                    star.get_or_insert_with(Robots::default).merge(cur);
                } else if agent.contains(a.as_str()) {
                    specific.get_or_insert_with(Robots::default).merge(cur);
                }
            }
        };
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
            match key.as_str() {
                "user-agent" => {
                    if in_rules {
                        flush(&group_agents, &current, &mut specific, &mut star);
                        group_agents.clear();
                        current = Robots::default();
                        in_rules = false;
                    }
                    group_agents.push(value.to_ascii_lowercase());
                }
                "allow" | "disallow" => {
                    in_rules = true;
                    if !value.is_empty() {
                        current.rules.push((key == "allow", value.to_string()));
                    }
                }
                "crawl-delay" => {
                    in_rules = true;
                    current.crawl_delay = value.parse().ok();
                }
                _ => {}
            }
        }
        flush(&group_agents, &current, &mut specific, &mut star);
        specific.or(star).unwrap_or_default()
    }

    fn merge(&mut self, other: &Robots) {
        self.rules.extend(other.rules.iter().cloned());
        if other.crawl_delay.is_some() {
            self.crawl_delay = other.crawl_delay;
        }
    }

    /// True when `path_and_query` (e.g. `/a/b.html?x=1`) may be fetched.
    pub fn allowed(&self, path_and_query: &str) -> bool {
        if path_and_query == "/robots.txt" {
            return true;
        }
        let mut best: Option<(usize, bool)> = None;
        for (allow, pattern) in &self.rules {
            if pattern_matches(pattern, path_and_query) {
                let len = pattern.len();
                let better = match best {
                    None => true,
                    Some((l, a)) => len > l || (len == l && *allow && !a),
                };
                if better {
                    best = Some((len, *allow));
                }
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// Matches a robots pattern with `*` (any run) and a trailing `$` (end anchor) against a path.
fn pattern_matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut pos = 0;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            if !path.starts_with(part) {
                return false;
            }
            pos = part.len();
            continue;
        }
        let is_last = i == parts.len() - 1;
        if is_last && anchored {
            return path.len() >= pos + part.len() && path.ends_with(part);
        }
        match path[pos..].find(part) {
            Some(at) => pos += at + part.len(),
            None => return false,
        }
    }
    !anchored || pos == path.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_match_wins_and_allow_wins_ties() {
        let r = Robots::parse(
            "User-agent: *\nDisallow: /private/\nAllow: /private/open/\n",
            "nianbao",
        );
        assert!(!r.allowed("/private/x.html"));
        assert!(r.allowed("/private/open/x.html"));
        assert!(r.allowed("/public/x.html"));
    }

    #[test]
    fn a_group_naming_the_crawler_replaces_the_star_group() {
        let text = "User-agent: *\nDisallow: /\n\nUser-agent: nianbao\nDisallow: /tmp/\n";
        let r = Robots::parse(text, "nianbao");
        assert!(r.allowed("/zwgk/index.html"));
        assert!(!r.allowed("/tmp/a"));
    }

    #[test]
    fn wildcards_and_end_anchors() {
        let r = Robots::parse(
            "User-agent: *\nDisallow: /*.pdf$\nCrawl-delay: 2\n",
            "nianbao",
        );
        assert!(!r.allowed("/a/b.pdf"));
        assert!(r.allowed("/a/b.pdf?x=1"));
        assert_eq!(r.crawl_delay, Some(2.0));
    }

    #[test]
    fn disallow_all_still_allows_robots_txt_itself() {
        let r = Robots::disallow_all();
        assert!(!r.allowed("/"));
        assert!(r.allowed("/robots.txt"));
        assert_eq!(r.unreachable_cause(), None);
    }

    #[test]
    fn an_unreachable_robots_txt_disallows_everything_and_says_why() {
        let r = Robots::unreachable("http-503".into());
        assert!(!r.allowed("/zfxxgk/index.html"));
        assert_eq!(r.unreachable_cause(), Some("http-503"));
    }
}
