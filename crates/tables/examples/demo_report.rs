//! The demo corpus (tools/demo/make_demo_reports.py output) → an output folder with every
//! table, `report.html` and its pages `report/`, as a harvest would leave it (docs/report.png
//! is made from `nianbao harvest --replay data/demo` instead, see the README):
//!
//! ```text
//! cargo run --example demo_report -- /tmp/nianbao-demo-out/manifest.json /tmp/demo-report
//! ```

use std::path::{Path, PathBuf};

use anyhow::Context;
use nianbao_tables::aggregate::{aggregate, output, City, Input, Level, SourceMeta};
use nianbao_tables::export::csv::CsvEncoding;
use nianbao_tables::htmlreport;

/// Where [`POPULATION`] comes from, cited as config/guangxi.toml's `[census]` gives it.
const CENSUS: &str =
    "广西壮族自治区第七次全国人口普查公报（第二号）（广西壮族自治区统计局，2021-05）";

/// Resident population of the 14 cities of 广西, 2020 census (第七次全国人口普查).
const POPULATION: [(&str, &str, u64); 14] = [
    ("南宁市", "450100", 8_741_584),
    ("柳州市", "450200", 4_157_934),
    ("桂林市", "450300", 4_931_137),
    ("梧州市", "450400", 2_820_977),
    ("北海市", "450500", 1_853_227),
    ("防城港市", "450600", 1_046_068),
    ("钦州市", "450700", 3_302_238),
    ("贵港市", "450800", 4_316_262),
    ("玉林市", "450900", 5_796_766),
    ("百色市", "451000", 3_571_505),
    ("贺州市", "451100", 2_007_858),
    ("河池市", "451200", 3_417_945),
    ("来宾市", "451300", 2_074_611),
    ("崇左市", "451400", 2_088_692),
];

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(manifest), Some(out)) = (args.get(1), args.get(2)) else {
        anyhow::bail!("usage: demo_report MANIFEST.json OUT_DIR");
    };
    let manifest = PathBuf::from(manifest);
    let out = PathBuf::from(out);
    let inputs = inputs(&manifest)?;
    let cities: Vec<City> = POPULATION
        .iter()
        .map(|(name, adcode, p)| City {
            name: name.to_string(),
            adcode: adcode.to_string(),
            population: Some(*p),
            population_source: None,
        })
        .collect();
    let tables = aggregate(inputs, &cities, &Default::default())?;
    output::write_all(&tables, &out, CsvEncoding::Utf8Bom)?;
    let path = out.join("report.html");
    let options = htmlreport::Options {
        population_source: Some(CENSUS.to_string()),
        ..htmlreport::Options::default()
    };
    htmlreport::write(&tables, &options, &path)?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

fn inputs(manifest: &Path) -> anyhow::Result<Vec<Input>> {
    let text = std::fs::read_to_string(manifest).context("manifest")?;
    let m: serde_json::Value = serde_json::from_str(&text)?;
    let dir = manifest.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for e in m["entries"].as_array().context("entries")? {
        let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
        let bytes = std::fs::read(dir.join(s("file"))).with_context(|| s("file"))?;
        let report = nianbao_parser::parse_bytes(&bytes, &s("file"), None)?;
        let meta = SourceMeta {
            city: s("city"),
            adcode: s("adcode"),
            report_id: format!("{}-{}", s("adcode"), s("path")),
            // The generator states each page's level, department and county (its manifest).
            level: Level::parse(&s("level")).unwrap_or(Level::Other),
            department: e["department"].as_str().map(str::to_string),
            county: e["county"].as_str().map(str::to_string),
            url: format!("https://{}{}", s("host"), s("path")),
            warc_record_id: String::new(),
            sha256: format!("{:016x}", fnv(&bytes)),
            fetch_time: String::new(),
            data_origin: s("data_origin"),
        };
        out.push(Input::new(meta, report));
    }
    Ok(out)
}

/// A stand-in digest (the demo has no WARC records to take a SHA-256 from).
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
