//! The bundled Guangxi config.

use std::collections::BTreeSet;
use std::path::Path;

use nianbao_crawler::config::Config;

fn bundled() -> Config {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/guangxi.toml");
    Config::load(&path).expect("config/guangxi.toml loads")
}

#[test]
fn bundled_config_has_the_14_guangxi_cities_with_unique_codes() {
    let c = bundled();
    assert_eq!(c.cities.len(), 14);
    let codes: BTreeSet<&str> = c.cities.iter().map(|c| c.adcode.as_str()).collect();
    assert_eq!(codes.len(), 14);
    assert!(c.cities.iter().all(|c| c.adcode.starts_with("45")));
    assert_eq!(c.crawl.per_host_concurrency, 1);
    assert!(
        c.crawl.delay_ms >= 1000,
        "live harvests must be slow by default"
    );
}

#[test]
fn bundled_populations_sum_to_the_published_guangxi_total() {
    let c = bundled();
    let sum: u64 = c
        .cities
        .iter()
        .map(|c| c.population_2020.expect("every city has a population"))
        .sum();
    assert_eq!(sum, 50_126_804);
    assert_eq!(c.census.expect("census source").total, 50_126_804);
}

#[test]
fn cities_are_selected_by_name_short_name_or_code() {
    let c = bundled();
    let picked = c
        .select_cities(&["南宁".into(), "450200".into(), "桂林市".into()])
        .unwrap();
    let names: Vec<&str> = picked.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["南宁市", "柳州市", "桂林市"]);
    assert!(c
        .select_cities(&["东京".into()])
        .unwrap_err()
        .contains("南宁市"));
}

#[test]
fn proxies_are_typed_and_checked_at_load_and_never_shown_with_credentials() {
    use nianbao_crawler::config::ProxySetting;
    let load = |crawl: &str| Config::from_toml(crawl, Path::new("p.toml"));
    let c = load(
        "[crawl]\nproxy = \"socks5h://u:pw@127.0.0.1:1080\"\nunreachable_after = 5\n\
         [[crawl.host]]\nhost = \"www.gxgg.gov.cn\"\nproxy = \"none\"\n",
    )
    .unwrap();
    assert!(matches!(c.crawl.proxy, Some(ProxySetting::Url(_))));
    assert_eq!(c.crawl.unreachable_after, 5);
    assert_eq!(
        c.crawl.proxy_override("WWW.gxgg.gov.cn"),
        Some(&ProxySetting::Direct)
    );
    let debug = format!("{c:?}");
    assert!(!debug.contains("pw@"), "{debug}");
    assert_eq!(load("[crawl]\n").unwrap().crawl.unreachable_after, 3);
    assert!(load("[crawl]\n").unwrap().crawl.proxy.is_none());

    let err = load("[crawl]\nproxy = \"ftp://me:secret@x:21\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("proxy") && !err.contains("secret"), "{err}");
    let err = load("[[crawl.host]]\nhost = \"a\"\nproxy = \"direct\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("proxy"), "{err}");
    let err = load("[crawl]\nunreachable_after = 0\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("crawl.unreachable_after"), "{err}");
}
