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

/// Every city with a TRS IRS search in `shared/research/guangxi-portals.md` §4.1 (the 2024
/// `code` and `dataTypeId` seen in a peer crawler), as the bundled config must carry it.
const RESEARCH_SEARCHES: [(&str, &str, &str); 13] = [
    ("柳州市", "18801b40549", "1"),
    ("桂林市", "1890b3f6df9", "1"),
    ("梧州市", "181aedaa700", "5669"),
    ("北海市", "184c818a7a8", "5604"),
    ("防城港市", "184136d2db9", "5603"),
    ("钦州市", "184379028a3", "5606"),
    ("贵港市", "181aedaa74b", "5723"),
    ("玉林市", "181aedaa796", "5642"),
    ("百色市", "181aedaa7e1", "5619"),
    ("贺州市", "181aedaa82e", "5607"),
    ("河池市", "181aedaa886", "5605"),
    ("来宾市", "181aedaa8d1", "5608"),
    ("崇左市", "181aedaa917", "54"),
];

#[test]
fn every_city_with_a_site_search_in_the_research_has_it_on_its_portal() {
    use nianbao_crawler::config::SearchKind;
    let c = bundled();
    for (name, code, data_type_id) in RESEARCH_SEARCHES {
        let city = c.cities.iter().find(|c| c.name == name).unwrap();
        let search = city
            .search
            .as_ref()
            .unwrap_or_else(|| panic!("{name} has no [city.search]"));
        assert_eq!(search.kind, SearchKind::TrsIrs, "{name}");
        assert_eq!(
            (search.code.as_str(), search.data_type_id.as_str()),
            (code, data_type_id),
            "{name}"
        );
        assert_eq!(
            search.query, "政府信息公开工作年度报告",
            "{name}: the default"
        );
        let portal = url::Url::parse(&city.portal).unwrap();
        let url = url::Url::parse(&search.url).unwrap();
        assert_eq!(
            url.origin(),
            portal.origin(),
            "{name}: on the portal itself"
        );
        assert_eq!(url.path(), "/irs/front/search", "{name}");
    }
    // 南宁's search is another platform (开普云), not spoken yet.
    let nanning = c.cities.iter().find(|c| c.name == "南宁市").unwrap();
    assert!(nanning.search.is_none());
    // Every city has a column or a search to start from.
    for city in &c.cities {
        assert!(
            !city.report_lists.is_empty() || city.search.is_some(),
            "{}",
            city.name
        );
    }
}
