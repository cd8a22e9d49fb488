//! Parse speed: report pages per second on one core (issue: ≥ 1,000/s for a ~40 KB page).
//! Inputs are the project's own fixtures; the 40 KB page is the GBK portal fixture padded with
//! a navigation block, as real portal pages are. Run: `cargo bench --bench parse`.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

// The same allocator as the `nianbao` binary, so the figure is the shipped one.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/parse")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The GBK portal page grown to about `target` bytes with an ASCII navigation list before
/// `</body>` (keeps the page undeclared GBK).
pub fn padded_portal_page(target: usize) -> Vec<u8> {
    let page = fixture("gbk-undeclared-2021.html");
    let at = page
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(page.len());
    let mut nav = b"<div class=\"footer-nav\"><ul>".to_vec();
    let mut i = 0;
    while page.len() + nav.len() < target {
        nav.extend(format!("<li><a href=\"/zwgk/column_{i}/index.shtml\" target=\"_blank\">column {i}</a></li>").as_bytes());
        i += 1;
    }
    nav.extend(b"</ul></div>");
    let mut out = page[..at].to_vec();
    out.extend(nav);
    out.extend(&page[at..]);
    out
}

fn bench_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    let inputs = [
        ("portal-gbk-40k", padded_portal_page(40 * 1024)),
        ("word-export-98k", fixture("word-export-2019.html")),
        ("pipe-text", fixture("pipe-lines-2021.txt")),
    ];
    for (name, bytes) in &inputs {
        group.throughput(Throughput::Elements(1));
        group.bench_function(*name, |b| {
            b.iter(|| {
                nianbao_parser::parse_bytes(black_box(bytes), "bench", None)
                    .map(|r| r.findings.len())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
