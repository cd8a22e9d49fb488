//! Text from the data → safe HTML: escaping, links only to http(s) addresses, anchor ids, and
//! the number formats of the report (counts, percentages, per 100,000). Pure.

use crate::aggregate::metrics::Metric;

/// HTML-escape text for element content and quoted attribute values.
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `url` when it is an absolute http or https address without spaces or control characters.
pub(super) fn safe_url(url: &str) -> Option<&str> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let scheme_ok = lower.starts_with("http://") || lower.starts_with("https://");
    let clean = !url.chars().any(|c| c.is_whitespace() || c.is_control());
    (scheme_ok && clean && url.len() > 8).then_some(url)
}

/// A link to `url` showing `text`; text only when `url` is not an http(s) address.
pub(super) fn link(url: &str, text: &str) -> String {
    match safe_url(url) {
        Some(u) => format!(
            "<a href=\"{}\" rel=\"noreferrer noopener\">{}</a>",
            esc(u),
            esc(text)
        ),
        None => format!("<span class=\"nolink\">{}</span>", esc(text)),
    }
}

/// An id (and file name) made only of `[A-Za-z0-9_-]` from `parts`, joined by `-` (other
/// characters become their hex code).
pub(super) fn anchor(parts: &[&str]) -> String {
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push('-');
        }
        for c in part.chars() {
            if c.is_ascii_alphanumeric() || c == '_' {
                out.push(c);
            } else {
                out.push_str(&format!("x{:x}", u32::from(c)));
            }
        }
    }
    out
}

/// A printed value: integers without decimals, amounts with at most two.
pub(super) fn plain(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A rate as a percentage with one decimal.
pub(super) fn percent(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// A value per 100,000 residents, with two decimals.
pub(super) fn per_100k(v: f64) -> String {
    format!("{v:.2}")
}

/// A metric's value as shown in charts and tables: percentages for rates, counts as printed.
pub(super) fn metric_value(m: &Metric, v: f64) -> String {
    if m.is_rate() {
        percent(v)
    } else {
        plain(v)
    }
}

/// `—` for a missing value, else `f(v)`.
pub(super) fn or_dash(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map_or_else(|| "—".to_string(), f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_data_is_escaped() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn only_http_and_https_addresses_become_links() {
        assert!(link("javascript:alert(1)", "x").starts_with("<span"));
        assert!(link("data:text/html,hi", "x").starts_with("<span"));
        assert!(link("http://a b", "x").starts_with("<span"));
        assert_eq!(
            link("https://x.gov.cn/?a=1&b=\"2\"", "t"),
            "<a href=\"https://x.gov.cn/?a=1&amp;b=&quot;2&quot;\" rel=\"noreferrer noopener\">t</a>"
        );
        assert!(link("HTTP://X.GOV.CN/", "x").starts_with("<a "));
    }

    #[test]
    fn anchors_keep_only_safe_characters() {
        assert_eq!(anchor(&["f", "450100", "2023"]), "f-450100-2023");
        assert_eq!(anchor(&["a\"b"]), "ax22b");
        assert_eq!(
            anchor(&["bar", "2024", "applications_per_100k"]),
            "bar-2024-applications_per_100k"
        );
    }

    #[test]
    fn numbers_print_like_the_reports() {
        assert_eq!(plain(1523.0), "1523");
        assert_eq!(plain(12.5), "12.5");
        assert_eq!(percent(0.8734), "87.3%");
        assert_eq!(per_100k(25.5678), "25.57");
    }
}
