//! Aggregation scaling: N generated reports → every output table, timed by stage.
//! `cargo run --release -p nianbao-bench -- N OUT_DIR [METRICS.toml]` (peak memory: run it under
//! `/usr/bin/time -v`, as bench/run.sh does). Reports are generated in memory (synthetic,
//! consistent figures) so the figure measures the aggregation stage, not parsing. With a metric
//! file (e.g. bench/metrics50.toml) its metrics are laid over the built-in ones; `stage_s` times
//! the polars comparison stage alone, run once more on the aggregated tables.

use std::time::Instant;

// The allocator of the `nianbao` binary, so the figure is the CLI's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use nianbao_model::document::Loc;
use nianbao_model::report::Source;
use nianbao_model::report::{Num, Report, Table2, Table3, Table4};
use nianbao_model::template::Template;
use nianbao_tables::aggregate::metrics::MetricSet;
use nianbao_tables::aggregate::{aggregate, output, City, Input, Level, Options, SourceMeta};
use nianbao_tables::export::csv::CsvEncoding;

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: i64) -> i64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % below.max(1) as u64) as i64
    }
}

const CITIES: [(&str, &str, u64); 14] = [
    ("南宁市", "450100", 8741584),
    ("柳州市", "450200", 4157934),
    ("桂林市", "450300", 4931137),
    ("梧州市", "450400", 2820977),
    ("北海市", "450500", 1853227),
    ("防城港市", "450600", 1046068),
    ("钦州市", "450700", 3302238),
    ("贵港市", "450800", 4316262),
    ("玉林市", "450900", 5796766),
    ("百色市", "451000", 3571505),
    ("贺州市", "451100", 2007858),
    ("河池市", "451200", 3417945),
    ("来宾市", "451300", 2074611),
    ("崇左市", "451400", 2088692),
];

fn report(rng: &mut Rng, year: i32, body: String) -> Report {
    let mut t3: Table3 = [[Some(Num::Int(0)); 7]; 26];
    for row in t3.iter_mut() {
        let total: i64 = (0..6)
            .map(|c| {
                let v = rng.next(if c == 0 { 50 } else { 3 });
                row[c] = Some(Num::Int(v));
                v
            })
            .sum();
        row[6] = Some(Num::Int(total));
    }
    let mut t4: Table4 = [[Some(Num::Int(0)); 5]; 3];
    for g in t4.iter_mut() {
        let total: i64 = (0..4)
            .map(|o| {
                let v = rng.next(4);
                g[o] = Some(Num::Int(v));
                v
            })
            .sum();
        g[4] = Some(Num::Int(total));
    }
    let template = if year >= 2021 {
        Template::V2021
    } else {
        Template::V2019
    };
    let mut t2 = Table2::empty(template);
    for item in t2.values.iter_mut() {
        for v in item.iter_mut() {
            *v = Some(Num::Int(rng.next(1000)));
        }
    }
    let mut report = Report {
        template: Some(template),
        year: Some(year),
        body: Some(body),
        table2: Some(t2),
        table3: Some(t3),
        table4: Some(t4),
        ..Report::default()
    };
    add_sources(&mut report);
    report
}

/// Where each value was printed, as the parser records it (`parse --sources`): the aggregation
/// must carry these to `cells.source_cell`, so the benchmark carries them too.
fn add_sources(r: &mut Report) {
    let mut sources = std::mem::take(&mut r.sources);
    r.for_each_cell(|cell, v| {
        let loc = Loc::Table {
            // Tables 二, 三 and 四 are the document's tables 1, 2 and 3.
            table: u32::from(cell.table.number()) - 1,
            row: cell.row as u32 + 1,
            col: cell.column as u32 + 1,
        };
        let printed = v.map(|n| n.as_f64().to_string()).unwrap_or_default();
        sources.insert(
            cell.path(),
            Source {
                loc,
                printed,
                ocr: None,
            },
        );
    });
    r.sources = sources;
}

/// Resident and peak memory so far, in MiB (Linux; zeros elsewhere).
fn memory_mib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let out = args.get(2).map_or_else(
        || std::env::temp_dir().join("nianbao-bench-aggregate"),
        Into::into,
    );
    let options = match args.get(3) {
        None => Options::default(),
        Some(path) => {
            let metrics = std::fs::read_to_string(path)
                .map_err(|e| e.to_string())
                .and_then(|text| MetricSet::from_toml(&text, path).map_err(|e| e.to_string()))
                .and_then(|m| {
                    MetricSet::builtin()
                        .overlay(m, path)
                        .map_err(|e| e.to_string())
                });
            match metrics {
                Ok(metrics) => Options {
                    metrics,
                    coverage: None,
                },
                Err(e) => {
                    eprintln!("bench_aggregate: {e}");
                    std::process::exit(2);
                }
            }
        }
    };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let start = Instant::now();
    let inputs: Vec<Input> = (0..n)
        .map(|i| {
            let (city, adcode, _) = CITIES[i % 14];
            let year = 2019 + ((i / 14) % 6) as i32;
            let body_no = i / (14 * 6);
            let body = if body_no == 0 {
                format!("{city}人民政府")
            } else {
                format!("{city}第{body_no}局")
            };
            let meta = SourceMeta {
                city: city.into(),
                adcode: adcode.into(),
                report_id: format!("{adcode}-{year}-{i}"),
                level: if body_no == 0 {
                    Level::CityGovernment
                } else {
                    Level::CityDepartment
                },
                url: format!("http://bench.invalid/{adcode}/{year}/t{i}.shtml"),
                warc_record_id: format!("<urn:uuid:00000000-0000-0000-0000-{i:012}>"),
                sha256: format!("{i:064x}"),
                fetch_time: "2025-02-01T00:00:00Z".into(),
                data_origin: "synthetic-demo".into(),
                ..SourceMeta::default()
            };
            Input::new(meta, report(&mut rng, year, body))
        })
        .collect();
    let generated = start.elapsed();
    eprintln!("generated: rss/peak MiB {:?}", memory_mib());
    let cities: Vec<City> = CITIES
        .iter()
        .map(|(n, a, p)| City {
            name: (*n).into(),
            adcode: (*a).into(),
            population: Some(*p),
            population_source: None,
        })
        .collect();
    let t = Instant::now();
    let mut tables = match aggregate(inputs, &cities, &options) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("bench_aggregate: {e}");
            std::process::exit(1);
        }
    };
    let aggregated = t.elapsed();
    eprintln!("aggregated: rss/peak MiB {:?}", memory_mib());
    let t = Instant::now();
    if let Err(e) = tables.compare(&cities, &options) {
        eprintln!("bench_aggregate: {e}");
        std::process::exit(1);
    }
    let staged = t.elapsed();
    let t = Instant::now();
    if let Err(e) = output::write_all(&tables, &out, CsvEncoding::Utf8Bom) {
        eprintln!("bench_aggregate: {e}");
        std::process::exit(1);
    }
    let written = t.elapsed();
    eprintln!("written: rss/peak MiB {:?}", memory_mib());
    println!(
        "reports={n} cells={} metrics={} generate_s={:.3} aggregate_s={:.3} stage_s={:.3} \
         write_s={:.3} total_s={:.3}",
        tables.cells.len(),
        tables.metrics.len(),
        generated.as_secs_f64(),
        aggregated.as_secs_f64(),
        staged.as_secs_f64(),
        written.as_secs_f64(),
        (aggregated + written).as_secs_f64()
    );
}
