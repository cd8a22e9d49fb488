//! Values → SVG charts: a ranked horizontal bar chart (one bar per city) and a trend chart
//! (one city's values over the years against the median and the min–max band of the others, on
//! the chart's own scale). Every chart draws its [`Caption`] (metric, year, unit, level, source,
//! data status) inside the SVG, so a screenshot or the standalone file ([`standalone`]) says
//! what it shows; every SVG has `role="img"` and a `<title>`; the caller puts the same numbers
//! in a table. Pure.

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

/// What a chart says about itself, drawn at its top: a title line (metric, year, level) and
/// detail lines (unit, rank direction, data status; source).
#[derive(Debug, Clone)]
pub(super) struct Caption {
    pub title: String,
    pub details: Vec<String>,
}

const CAPTION_LINE: f64 = 14.0;
/// How many em a line of the caption may take in a 400-wide chart: the title at 13px, the
/// detail lines at 10px.
const TITLE_EM: f64 = 30.0;
const DETAIL_EM: f64 = 40.0;

/// The width of `c` in em: full-width (CJK) characters 1, others about half.
fn em(c: char) -> f64 {
    if u32::from(c) >= 0x2E80 {
        1.0
    } else {
        0.56
    }
}

/// `text` broken into lines of at most `max` em (between characters: Chinese has no spaces).
fn wrap(text: &str, max: f64) -> Vec<String> {
    let mut lines = vec![String::new()];
    let mut width = 0.0;
    for c in text.chars() {
        if width + em(c) > max && !lines.last().is_some_and(String::is_empty) {
            lines.push(String::new());
            width = 0.0;
        }
        width += em(c);
        if let Some(line) = lines.last_mut() {
            line.push(c);
        }
    }
    lines
}

impl Caption {
    /// A caption whose lines fit the chart's width: a long title or detail goes on over more
    /// lines rather than being cut at the chart's edge.
    pub(super) fn new(title: &str, details: &[String]) -> Caption {
        let mut lines = wrap(title, TITLE_EM);
        let title = lines.remove(0);
        // A title's continuation is drawn as a detail line: it keeps the chart's layout simple.
        let details = lines
            .into_iter()
            .chain(details.iter().flat_map(|d| wrap(d, DETAIL_EM)))
            .collect();
        Caption { title, details }
    }

    /// The height the caption takes at the top of a chart.
    fn height(&self) -> f64 {
        8.0 + CAPTION_LINE * (1 + self.details.len()) as f64
    }

    /// The caption's `<text>` elements.
    fn svg(&self) -> String {
        let mut s = format!(
            "<text class=\"ctitle\" x=\"4\" y=\"16\">{}</text>",
            esc(&self.title)
        );
        for (i, line) in self.details.iter().enumerate() {
            let _ = write!(
                s,
                "<text class=\"cdetail\" x=\"4\" y=\"{:.1}\">{}</text>",
                16.0 + CAPTION_LINE * (i + 1) as f64,
                esc(line)
            );
        }
        s
    }

    /// The whole caption as one line, for the SVG's `<title>`.
    fn one_line(&self) -> String {
        std::iter::once(self.title.as_str())
            .chain(self.details.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// The opening of a chart's SVG: its size, `role="img"`, the `<title>` and the caption.
fn open_svg(class: &str, width: f64, height: f64, caption: &Caption) -> String {
    format!(
        "<svg class=\"chart {class}\" role=\"img\" viewBox=\"0 0 {width} {height:.1}\" \
         width=\"{width}\" height=\"{height:.1}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title>{}</title>{}",
        esc(&caption.one_line()),
        caption.svg()
    )
}

/// The styles of the charts, shared by the pages and the standalone SVG files (plain colours,
/// no variables, so that a file opened alone looks as on the page).
pub(super) const CHART_STYLE: &str = "\
svg.chart text{font-size:11px;fill:#1d2733}\
svg.chart .ctitle{font-size:13px;font-weight:bold}\
svg.chart .cdetail{font-size:10px;fill:#5b6673}\
svg.chart .label{font-size:12px}\
svg.chart .rank,svg.chart .tick,svg.chart .last{fill:#5b6673}\
svg.chart .tick{font-size:10px}\
svg.chart .grid{stroke:#e3e8ee}\
svg.chart .axis{stroke:#b8c2cc}\
svg.chart .bar rect{fill:#1f5fa8}\
svg.chart .bar.published rect{fill:#b45309}\
svg.chart .bar.published .label{fill:#b45309;font-weight:bold}\
svg.chart .value.none{fill:#5b6673}\
svg.chart polyline.series{fill:none;stroke:#1f5fa8;stroke-width:2.2}\
svg.chart polyline.median{fill:none;stroke:#6b7785;stroke-width:1.4;stroke-dasharray:5 3}\
svg.chart polygon.band,svg.chart rect.band{fill:#c9d3de;fill-opacity:.55;stroke:none}\
svg.chart circle{fill:#1f5fa8}\
svg.chart .legend{font-size:10px;fill:#5b6673}";

/// A chart as a file of its own: the XML declaration, the chart styles and a white background
/// inserted after the opening tag.
pub(super) fn standalone(svg: &str) -> String {
    let cut = svg.find('>').map_or(0, |i| i + 1);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}<style>svg.chart{{font-family:\"Noto Sans CJK SC\",\
         \"Source Han Sans SC\",\"PingFang SC\",\"Microsoft YaHei\",sans-serif}}{CHART_STYLE}</style>\
         <rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>{}\n",
        &svg[..cut],
        &svg[cut..]
    )
}

const BAR_W: f64 = 400.0;
const LABEL_W: f64 = 86.0;
const VALUE_W: f64 = 52.0;
const ROW_H: f64 = 20.0;
const TOP: f64 = 6.0;
const AXIS_H: f64 = 22.0;

/// A horizontal bar chart of `bars` (already sorted) under `caption`, values shown with `fmt`,
/// axis ticks with `tick`.
pub(super) fn bar_chart(
    caption: &Caption,
    bars: &[Bar],
    fmt: &dyn Fn(f64) -> String,
    tick: &dyn Fn(f64) -> String,
) -> String {
    let n = bars.len().max(1) as f64;
    let top_y = caption.height() + TOP;
    let height = top_y + n * ROW_H + AXIS_H;
    let plot = BAR_W - LABEL_W - VALUE_W;
    let max = bars.iter().filter_map(|b| b.value).fold(0.0, f64::max);
    let top = nice_ceiling(max);
    let x = |v: f64| LABEL_W + (v.max(0.0) / top) * plot;
    let mut s = open_svg("bars", BAR_W, height, caption);
    for t in [0.0, 0.5, 1.0] {
        let gx = x(top * t);
        let _ = write!(
            s,
            "<line class=\"grid\" x1=\"{gx:.1}\" x2=\"{gx:.1}\" y1=\"{top_y:.1}\" y2=\"{:.1}\"/>\
             <text class=\"tick\" x=\"{gx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            height - AXIS_H,
            height - 6.0,
            esc(&tick(top * t))
        );
    }
    for (i, b) in bars.iter().enumerate() {
        let y = top_y + i as f64 * ROW_H;
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

/// One series over the years against the others: `values[i]`, and the median, least and
/// greatest value of the other series in `years[i]` (`None` where no value exists).
pub(super) struct Trend<'a> {
    pub years: &'a [i32],
    /// The series' name; empty for a chart of the band and median alone.
    pub name: &'a str,
    pub values: &'a [Option<f64>],
    pub median: &'a [Option<f64>],
    pub low: &'a [Option<f64>],
    pub high: &'a [Option<f64>],
    /// What the band and the median are of (e.g. `其他城市`).
    pub others: &'a str,
}

const TREND_W: f64 = 400.0;
const PLOT_H: f64 = 150.0;
const PAD_L: f64 = 56.0;
const PAD_R: f64 = 60.0;
const PAD_B: f64 = 40.0;

/// A round step at least `x` (1, 2, 2.5 or 5 times a power of ten), for axis ticks.
fn nice_step(x: f64) -> f64 {
    if !x.is_finite() || x <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|v| *v >= x * 0.999_999)
        .unwrap_or(10.0 * p)
}

/// The y axis of a trend chart: from a round value at most the least value to one at least the
/// greatest, four or five steps; the chart's own scale, so a series is never a flat line only
/// because another one is larger. Never below 0 when no value is.
pub(super) fn axis_range(values: impl Iterator<Item = f64>) -> (f64, f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if lo > hi {
        return (0.0, 1.0, 0.25);
    }
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        // One value: centred on an axis ±10% of it (±0.5 around 0).
        let half = if hi == 0.0 { 0.5 } else { hi.abs() * 0.1 };
        let bottom = if lo >= 0.0 {
            (lo - half).max(0.0)
        } else {
            lo - half
        };
        (bottom, hi + half)
    };
    let span = hi - lo;
    let step = nice_step(span / 4.0);
    let mut bottom = (lo / step).floor() * step;
    if lo >= 0.0 && bottom < 0.0 {
        bottom = 0.0;
    }
    let mut top = (hi / step).ceil() * step;
    if top <= bottom {
        top = bottom + step;
    }
    (bottom, top, step)
}

/// A trend chart under `caption`: the others' min–max band (grey), their median (dashed) and
/// the series (blue, a point per year with a value, its last value labelled).
pub(super) fn trend_chart(
    caption: &Caption,
    t: &Trend,
    fmt: &dyn Fn(f64) -> String,
    tick: &dyn Fn(f64) -> String,
) -> String {
    let plot_top = caption.height() + 10.0;
    let height = plot_top + PLOT_H + PAD_B;
    let all = [t.values, t.median, t.low, t.high];
    let (bottom, top, step) = axis_range(all.iter().flat_map(|v| v.iter().flatten().copied()));
    let span = (t.years.len().max(2) - 1) as f64;
    let x = |i: usize| PAD_L + 8.0 + i as f64 * (TREND_W - PAD_L - PAD_R - 16.0) / span;
    let y = |v: f64| plot_top + PLOT_H - (v - bottom) / (top - bottom) * PLOT_H;
    let mut s = open_svg("trend", TREND_W, height, caption);
    let ticks = ((top - bottom) / step).round() as usize;
    for k in 0..=ticks {
        let v = bottom + k as f64 * step;
        let _ = write!(
            s,
            "<line class=\"{}\" x1=\"{PAD_L}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>\
             <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            if k == 0 { "axis" } else { "grid" },
            TREND_W - PAD_R,
            y(v),
            y(v),
            PAD_L - 4.0,
            y(v) + 3.5,
            esc(&tick(v))
        );
    }
    for (i, year) in t.years.iter().enumerate() {
        let _ = write!(
            s,
            "<text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{year}</text>",
            x(i),
            plot_top + PLOT_H + 14.0
        );
    }
    s.push_str(&band(t.low, t.high, &x, &y));
    s.push_str(&polyline("median", t.median, &x, &y));
    s.push_str(&polyline("series", t.values, &x, &y));
    for (i, v) in t.values.iter().enumerate() {
        if let Some(v) = v {
            let _ = write!(
                s,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" data-year=\"{}\" data-value=\"{v}\"/>",
                x(i),
                y(*v),
                t.years[i]
            );
        }
    }
    if let Some((i, v)) = last_value(t.values) {
        let _ = write!(
            s,
            "<text class=\"last\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            x(i) + 6.0,
            y(v) + 4.0,
            esc(&fmt(v))
        );
    }
    s.push_str(&legend(t, height - 8.0));
    s.push_str("</svg>");
    s
}

/// The last year that has a value, and the value.
fn last_value(values: &[Option<f64>]) -> Option<(usize, f64)> {
    values
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, v)| Some((i, (*v)?)))
}

/// What the marks mean, on one line at `y`.
fn legend(t: &Trend, y: f64) -> String {
    let mut s = String::new();
    let mut x = 4.0;
    if !t.name.is_empty() {
        let _ = write!(
            s,
            "<line x1=\"{x}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#1f5fa8\" stroke-width=\"2.2\"/>\
             <text class=\"legend\" x=\"{:.1}\" y=\"{y:.1}\">{}</text>",
            x + 16.0,
            y - 3.5,
            y - 3.5,
            x + 20.0,
            esc(t.name)
        );
        x += 32.0 + 11.0 * t.name.chars().count() as f64;
    }
    let _ = write!(
        s,
        "<line x1=\"{x:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#6b7785\" stroke-width=\"1.4\" stroke-dasharray=\"5 3\"/>\
         <text class=\"legend\" x=\"{:.1}\" y=\"{y:.1}\">{}中位数</text>",
        x + 16.0,
        y - 3.5,
        y - 3.5,
        x + 20.0,
        esc(t.others)
    );
    x += 32.0 + 11.0 * (t.others.chars().count() + 3) as f64;
    let _ = write!(
        s,
        "<rect class=\"band\" x=\"{x:.1}\" y=\"{:.1}\" width=\"16\" height=\"8\"/>\
         <text class=\"legend\" x=\"{:.1}\" y=\"{y:.1}\">{}最小–最大</text>",
        y - 8.0,
        x + 20.0,
        esc(t.others)
    );
    s
}

/// The band between `low` and `high`: one polygon per run of years that have both.
fn band(
    low: &[Option<f64>],
    high: &[Option<f64>],
    x: &dyn Fn(usize) -> f64,
    y: &dyn Fn(f64) -> f64,
) -> String {
    let mut out = String::new();
    let mut run: Vec<(usize, f64, f64)> = Vec::new();
    let flush = |run: &mut Vec<(usize, f64, f64)>, out: &mut String| {
        if let [(i, lo, hi)] = run.as_slice() {
            // A single year: a short bar, so that the range is still seen.
            let _ = write!(
                out,
                "<rect class=\"band\" x=\"{:.1}\" y=\"{:.1}\" width=\"8\" height=\"{:.1}\"/>",
                x(*i) - 4.0,
                y(*hi),
                (y(*lo) - y(*hi)).max(1.0)
            );
        } else if run.len() > 1 {
            let upper = run
                .iter()
                .map(|(i, _, hi)| format!("{:.1},{:.1}", x(*i), y(*hi)));
            let lower = run
                .iter()
                .rev()
                .map(|(i, lo, _)| format!("{:.1},{:.1}", x(*i), y(*lo)));
            let points: Vec<String> = upper.chain(lower).collect();
            let _ = write!(
                out,
                "<polygon class=\"band\" points=\"{}\"/>",
                points.join(" ")
            );
        }
        run.clear();
    };
    for (i, (lo, hi)) in low.iter().zip(high).enumerate() {
        match (lo, hi) {
            (Some(lo), Some(hi)) => run.push((i, *lo, *hi)),
            _ => flush(&mut run, &mut out),
        }
    }
    flush(&mut run, &mut out);
    out
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

    fn caption() -> Caption {
        Caption {
            title: "t<".into(),
            details: vec!["单位：件".into()],
        }
    }

    #[test]
    fn a_chart_escapes_labels_and_carries_each_value_and_its_caption() {
        let fmt = |v: f64| v.to_string();
        let svg = bar_chart(
            &caption(),
            &[bar("<b>", Some(2.0)), bar("x", None)],
            &fmt,
            &fmt,
        );
        assert!(svg.contains("<title>t&lt; · 单位：件</title>") && svg.contains("&lt;b&gt;"));
        assert!(svg.contains("<text class=\"ctitle\" x=\"4\" y=\"16\">t&lt;</text>"));
        assert!(svg.contains("data-value=\"2\"") && svg.contains("无数据"));
        assert!(!svg.contains("<b>"));
    }

    #[test]
    fn long_caption_lines_are_wrapped_not_cut() {
        let c = Caption::new(&"指".repeat(40), &["a".repeat(100)]);
        assert_eq!(c.title.chars().count(), 30);
        assert_eq!(c.details[0].chars().count(), 10);
        assert_eq!(c.details.len(), 1 + 2, "{:?}", c.details);
        assert_eq!(c.details[1..].concat(), "a".repeat(100));
        assert_eq!(wrap("", 10.0), [""]);
    }

    #[test]
    fn a_standalone_chart_carries_its_styles_after_the_opening_tag() {
        let svg = bar_chart(
            &caption(),
            &[bar("a", Some(1.0))],
            &|v| v.to_string(),
            &|v| v.to_string(),
        );
        let file = standalone(&svg);
        assert!(file.starts_with("<?xml") && file.ends_with("</svg>\n"));
        let open = file.find("<svg").expect("svg");
        let style = file.find("<style>").expect("style");
        let title = file.find("<title>").expect("title");
        assert!(open < style && style < title);
    }

    #[test]
    fn a_trend_breaks_where_a_year_has_no_value_and_fits_its_own_scale() {
        let years = [2019, 2020, 2021, 2022];
        let none = [None; 4];
        let t = Trend {
            years: &years,
            name: "甲",
            values: &[Some(101.0), Some(102.0), None, Some(103.0)],
            median: &none,
            low: &[Some(100.0), Some(100.0), None, Some(100.0)],
            high: &[Some(110.0), Some(110.0), Some(110.0), Some(110.0)],
            others: "其他城市",
        };
        let svg = trend_chart(&caption(), &t, &|v| v.to_string(), &|v| v.to_string());
        assert_eq!(svg.matches("<polyline class=\"series\"").count(), 1);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert_eq!(svg.matches("<polygon class=\"band\"").count(), 1);
        assert_eq!(median(&[3.0, 1.0, 2.0, 10.0]), Some(2.5));
        // 100–110 on its own axis, not from 0.
        assert_eq!(
            axis_range([101.0, 110.0, 100.0].into_iter()),
            (100.0, 110.0, 2.5)
        );
        assert_eq!(axis_range([0.2, 0.9].into_iter()).0, 0.2);
        assert_eq!(axis_range(std::iter::empty()), (0.0, 1.0, 0.25));
        assert_eq!(axis_range([5.0].into_iter()).0, 4.5);
    }
}
