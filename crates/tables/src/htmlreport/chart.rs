//! Values → inline SVG charts: a ranked horizontal bar chart (one bar per city) and a small
//! line chart (one city's values over the years against the median of all cities). Every SVG
//! has `role="img"` and a `<title>`; the caller puts the same numbers in a table. Pure.

use std::fmt::Write;

use super::html::esc;

/// One bar: a city's value, its rank, and whether the value is published data.
#[derive(Debug, Clone)]
pub(super) struct Bar {
    pub label: String,
    pub value: Option<f64>,
    pub rank: Option<u32>,
    pub published: bool,
}

/// Bars in rank order (the ranks the comparison stage computed, 1 first); bars without a rank
/// last; ties and the rest in their given order.
pub(super) fn sorted(mut bars: Vec<Bar>) -> Vec<Bar> {
    bars.sort_by_key(|b| b.rank.unwrap_or(u32::MAX));
    bars
}

/// A round number at least `max` (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten), for
/// axis ends.
pub(super) fn nice_ceiling(max: f64) -> f64 {
    if max.is_nan() || max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(max.log10().floor());
    [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|v| *v >= max * 0.999_999)
        .unwrap_or(10.0 * p)
}

const BAR_W: f64 = 400.0;
const LABEL_W: f64 = 86.0;
const VALUE_W: f64 = 52.0;
const ROW_H: f64 = 20.0;
const TOP: f64 = 6.0;
const AXIS_H: f64 = 22.0;

/// A horizontal bar chart of `bars` (already sorted), values shown with `fmt`, axis ticks
/// with `tick`.
pub(super) fn bar_chart(
    title: &str,
    bars: &[Bar],
    fmt: &dyn Fn(f64) -> String,
    tick: &dyn Fn(f64) -> String,
) -> String {
    let n = bars.len().max(1) as f64;
    let height = TOP + n * ROW_H + AXIS_H;
    let plot = BAR_W - LABEL_W - VALUE_W;
    let max = bars.iter().filter_map(|b| b.value).fold(0.0, f64::max);
    let top = nice_ceiling(max);
    let x = |v: f64| LABEL_W + (v.max(0.0) / top) * plot;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"chart bars\" role=\"img\" viewBox=\"0 0 {BAR_W} {height}\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        esc(title)
    );
    for t in [0.0, 0.5, 1.0] {
        let gx = x(top * t);
        let _ = write!(
            s,
            "<line class=\"grid\" x1=\"{gx:.1}\" x2=\"{gx:.1}\" y1=\"{TOP}\" y2=\"{:.1}\"/>\
             <text class=\"tick\" x=\"{gx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            height - AXIS_H,
            height - 6.0,
            esc(&tick(top * t))
        );
    }
    for (i, b) in bars.iter().enumerate() {
        let y = TOP + i as f64 * ROW_H;
        s.push_str(&bar_row(b, y, &x, fmt));
    }
    s.push_str("</svg>");
    s
}

fn bar_row(b: &Bar, y: f64, x: &dyn Fn(f64) -> f64, fmt: &dyn Fn(f64) -> String) -> String {
    let class = if b.published { "bar published" } else { "bar" };
    let rank = b.rank.map_or(String::new(), |r| r.to_string());
    let star = if b.published { "★ " } else { "" };
    let mut s = format!(
        "<g class=\"{class}\" data-city=\"{}\" data-value=\"{}\">\
         <text class=\"rank\" x=\"14\" y=\"{:.1}\" text-anchor=\"end\">{rank}</text>\
         <text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{star}{}</text>",
        esc(&b.label),
        b.value.map_or(String::new(), |v| v.to_string()),
        y + 14.0,
        LABEL_W - 6.0,
        y + 14.0,
        esc(&b.label),
    );
    match b.value {
        Some(v) => {
            let w = (x(v) - LABEL_W).max(0.5);
            let _ = write!(
                s,
                "<rect x=\"{LABEL_W}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" rx=\"2\"/>\
                 <text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                y + 3.0,
                ROW_H - 6.0,
                LABEL_W + w + 4.0,
                y + 14.0,
                esc(&fmt(v))
            );
        }
        None => {
            let _ = write!(
                s,
                "<text class=\"value none\" x=\"{:.1}\" y=\"{:.1}\">无数据</text>",
                LABEL_W + 4.0,
                y + 14.0
            );
        }
    }
    s.push_str("</g>");
    s
}

const LINE_W: f64 = 180.0;
const LINE_H: f64 = 112.0;
const PAD_L: f64 = 8.0;
const PAD_R: f64 = 12.0;
const PAD_T: f64 = 32.0;
const PAD_B: f64 = 16.0;

/// One city's values over `years` (`values[i]` is the value of `years[i]`) as a line, with the
/// median of all cities dashed behind it; the y axis runs from 0 to `top` for every city alike.
pub(super) fn line_chart(
    title: &str,
    city: &str,
    years: &[i32],
    values: &[Option<f64>],
    median: &[Option<f64>],
    top: f64,
    fmt: &dyn Fn(f64) -> String,
) -> String {
    let span = (years.len().max(2) - 1) as f64;
    let x = |i: usize| PAD_L + 4.0 + i as f64 * (LINE_W - PAD_L - PAD_R - 8.0) / span;
    let y = |v: f64| LINE_H - PAD_B - (v.max(0.0) / top) * (LINE_H - PAD_T - PAD_B);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"chart line\" role=\"img\" viewBox=\"0 0 {LINE_W} {LINE_H}\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>\
         <text class=\"city\" x=\"{PAD_L}\" y=\"14\">{}</text>\
         <line class=\"axis\" x1=\"{PAD_L}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>",
        esc(title),
        esc(city),
        LINE_W - PAD_R,
        y(0.0),
        y(0.0)
    );
    let _ = write!(
        s,
        "<line class=\"grid\" x1=\"{PAD_L}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>\
         <text class=\"tick\" x=\"{PAD_L}\" y=\"{:.1}\">{}</text>",
        LINE_W - PAD_R,
        y(top),
        y(top),
        y(top) - 2.0,
        esc(&fmt(top))
    );
    s.push_str(&polyline("median", median, &x, &y));
    s.push_str(&polyline("series", values, &x, &y));
    for (i, v) in values.iter().enumerate() {
        if let Some(v) = v {
            let _ = write!(
                s,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" data-year=\"{}\" data-value=\"{v}\"/>",
                x(i),
                y(*v),
                years[i]
            );
        }
    }
    if let (Some(first), Some(last)) = (years.first(), years.last()) {
        let _ = write!(
            s,
            "<text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\">{first}</text>\
             <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{last}</text>",
            PAD_L,
            LINE_H - 4.0,
            LINE_W - PAD_R,
            LINE_H - 4.0
        );
    }
    if let Some((i, v)) = values
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, v)| Some((i, (*v)?)))
    {
        let _ = write!(
            s,
            "<text class=\"last\" x=\"{:.1}\" y=\"14\" text-anchor=\"end\">{}年 {}</text>",
            LINE_W - PAD_R,
            years[i],
            esc(&fmt(v))
        );
    }
    s.push_str("</svg>");
    s
}

/// Line segments through the points that have values (a gap where a year has none).
fn polyline(
    class: &str,
    values: &[Option<f64>],
    x: &dyn Fn(usize) -> f64,
    y: &dyn Fn(f64) -> f64,
) -> String {
    let mut out = String::new();
    let mut run: Vec<String> = Vec::new();
    let flush = |run: &mut Vec<String>, out: &mut String| {
        if run.len() > 1 {
            let _ = write!(
                out,
                "<polyline class=\"{class}\" points=\"{}\"/>",
                run.join(" ")
            );
        }
        run.clear();
    };
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => run.push(format!("{:.1},{:.1}", x(i), y(*v))),
            None => flush(&mut run, &mut out),
        }
    }
    flush(&mut run, &mut out);
    out
}

/// The median of the values present, if any.
pub(super) fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: Option<f64>) -> Bar {
        Bar {
            label: label.into(),
            value,
            rank: None,
            published: false,
        }
    }

    #[test]
    fn bars_are_in_rank_order_and_missing_last() {
        let ranked = |label, value, rank| Bar {
            rank,
            ..bar(label, value)
        };
        let bars = sorted(vec![
            ranked("a", Some(1.0), Some(2)),
            ranked("b", None, None),
            ranked("c", Some(3.0), Some(1)),
            ranked("d", Some(1.0), Some(2)),
        ]);
        let order: Vec<&str> = bars.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(order, ["c", "a", "d", "b"]);
    }

    #[test]
    fn axis_ends_are_round() {
        assert_eq!(nice_ceiling(0.87), 1.0);
        assert_eq!(nice_ceiling(2310.0), 2500.0);
        assert_eq!(nice_ceiling(25.57), 30.0);
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(f64::NAN), 1.0);
    }

    #[test]
    fn a_chart_escapes_labels_and_carries_each_value() {
        let fmt = |v: f64| v.to_string();
        let svg = bar_chart("t<", &[bar("<b>", Some(2.0)), bar("x", None)], &fmt, &fmt);
        assert!(svg.contains("<title>t&lt;</title>") && svg.contains("&lt;b&gt;"));
        assert!(svg.contains("data-value=\"2\"") && svg.contains("无数据"));
        assert!(!svg.contains("<b>"));
    }

    #[test]
    fn a_line_breaks_where_a_year_has_no_value() {
        let svg = line_chart(
            "t",
            "c",
            &[2019, 2020, 2021, 2022],
            &[Some(1.0), Some(2.0), None, Some(3.0)],
            &[None; 4],
            4.0,
            &|v| v.to_string(),
        );
        assert_eq!(svg.matches("<polyline class=\"series\"").count(), 1);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert_eq!(median(&[3.0, 1.0, 2.0, 10.0]), Some(2.5));
    }
}
