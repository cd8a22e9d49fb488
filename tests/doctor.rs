//! `nianbao doctor` against the fixture portal on loopback: a city whose column works, one
//! with a dead list but a working site search, one that answers only through a proxy, and one
//! whose host accepts connections and never answers; its JSON, its text and its exit codes
//! (0 every city has a path, 4 only unreachable hosts are missing, 1 the config must change).

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use nianbao_fixtures::net::{refusing_addr, CountingProxy, SilentHost};
use nianbao_fixtures::search::{search_site, ColumnShape, ResultKey, SEARCH_PATH};
use nianbao_fixtures::{cluster_site, Portal, ServeOptions, TEST_CRAWL_SETTINGS};
use serde_json::Value;

use crate::crawl::harness::runtime;
use crate::util::{bin, describe, run};

/// The four cities' servers, kept running while a test runs the binary.
struct World {
    portal: Portal,
    proxy: CountingProxy,
    /// Where the proxied city is configured: nothing listens there.
    proxied: SocketAddr,
    silent: SilentHost,
    dir: tempfile::TempDir,
}

fn world() -> World {
    let sites = vec![
        cluster_site(Ipv4Addr::new(127, 0, 0, 110)),
        search_site(
            Ipv4Addr::new(127, 0, 0, 111),
            ColumnShape::Dead,
            ResultKey::ListAndBox,
            false,
        ),
        cluster_site(Ipv4Addr::new(127, 0, 0, 112)),
    ];
    let serve = ServeOptions {
        latency: Duration::ZERO,
        port: 0,
    };
    let portal = runtime().block_on(Portal::start(sites, serve)).unwrap();
    let proxied = refusing_addr(Ipv4Addr::new(127, 0, 0, 113)).unwrap();
    let routes = HashMap::from([(proxied.to_string(), portal.sites[2].addr)]);
    let proxy = runtime()
        .block_on(CountingProxy::start_routing(Ipv4Addr::LOCALHOST, routes))
        .unwrap();
    let silent = runtime()
        .block_on(SilentHost::start(Ipv4Addr::new(127, 0, 0, 114)))
        .unwrap();
    World {
        portal,
        proxy,
        proxied,
        silent,
        dir: tempfile::tempdir().unwrap(),
    }
}

impl World {
    /// The config of the four cities; `code` is the search code of 搜市.
    fn config(&self, code: &str) -> std::path::PathBuf {
        let [good, searched, _] = [0, 1, 2].map(|i| self.portal.sites[i].base.clone());
        let proxied = format!("http://{}", self.proxied);
        let silent = format!("http://{}", self.silent.addr);
        let city = |name: &str, adcode: &str, base: &str, list: &str| {
            format!(
                "\n[[city]]\nname = \"{name}\"\nadcode = \"{adcode}\"\nportal = \"{base}/\"\n\
                 report_lists = [\"{base}{list}\"]\n"
            )
        };
        let text = [
            format!("[crawl]\n{TEST_CRAWL_SETTINGS}\n"),
            format!(
                "[[crawl.host]]\nhost = \"{}\"\nproxy = \"{}\"\n",
                self.proxied.ip(),
                self.proxy.url(None)
            ),
            city("好市", "459801", &good, "/zfxxgk/zfxxgkndbg/"),
            city("搜市", "459802", &searched, "/zfxxgk/zfxxgkndbg/szf/"),
            format!(
                "[city.search]\nkind = \"trs-irs\"\nurl = \"{searched}{SEARCH_PATH}\"\n\
                 code = \"{code}\"\ndata_type_id = \"5723\"\n"
            ),
            city("代理市", "459803", &proxied, "/zfxxgk/zfxxgkndbg/"),
            city("静默市", "459804", &silent, "/zfxxgk/ndbg/"),
        ]
        .concat();
        let path = self.dir.path().join(format!("doctor-{code}.toml"));
        std::fs::write(&path, text).unwrap();
        path
    }
}

fn doctor(config: &Path, extra: &[&str]) -> Output {
    run(bin()
        .args(["doctor", "--timeout-ms", "500", "--config"])
        .arg(config)
        .args(extra))
}

fn city<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["cities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["city"] == name)
        .unwrap_or_else(|| panic!("no {name} in {json:#}"))
}

fn advice(c: &Value) -> String {
    c["advice"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn doctor_names_the_working_path_of_each_city_and_what_to_do_about_the_others() {
    let w = world();
    let out = doctor(&w.config("181aedaa74b"), &["--json"]);
    assert_eq!(
        out.status.code(),
        Some(4),
        "only the silent host is missing: {}",
        describe(&out)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON object");
    assert_eq!(json["ok"], false);

    let good = city(&json, "好市");
    assert_eq!(good["verdict"], "ok", "{good:#}");
    assert_eq!(
        good["paths"][0],
        format!("list {}/zfxxgk/zfxxgkndbg/", w.portal.sites[0].base)
    );
    assert_eq!(good["lists"][0]["status"], 200);
    assert_eq!(good["lists"][0]["sub_columns"], 3);
    assert_eq!(good["portal"]["status"], 200);
    let host = &good["hosts"][0];
    assert_eq!(
        (
            host["dns"].as_str(),
            host["tcp"].as_str(),
            host["robots"].as_str()
        ),
        (Some("address"), Some("ok"), Some("ok"))
    );
    assert!(
        host["proxy"].as_str().unwrap().starts_with("direct"),
        "{host}"
    );
    assert_eq!(advice(good), "");

    let searched = city(&json, "搜市");
    assert_eq!(searched["verdict"], "ok", "{searched:#}");
    assert_eq!(searched["paths"], serde_json::json!(["search"]));
    assert_eq!(searched["lists"][0]["status"], 404);
    let search = &searched["search"];
    assert_eq!(
        (
            search["status"].as_u64(),
            search["hits"].as_u64(),
            search["total"].as_u64()
        ),
        (Some(200), Some(10), Some(13))
    );
    assert!(search["reports"].as_u64().unwrap() >= 5, "{search}");
    for y in 2020..=2024 {
        assert!(
            search["years"].as_array().unwrap().contains(&y.into()),
            "{search}"
        );
    }
    assert!(
        advice(searched).contains("HTTP 404: the column moved"),
        "{}",
        advice(searched)
    );
    assert_eq!(w.portal.sites[1].counters.requests(SEARCH_PATH), 1);

    let proxied = city(&json, "代理市");
    assert_eq!(proxied["verdict"], "ok", "{proxied:#}");
    let host = &proxied["hosts"][0];
    assert_eq!(
        (host["dns"].as_str(), host["tcp"].as_str()),
        (Some("by the proxy"), Some("ok"))
    );
    assert!(
        host["proxy"].as_str().unwrap().contains("host override"),
        "{host}"
    );
    // Every request to it went through the proxy: robots.txt, the portal, the list.
    assert_eq!(w.proxy.forwarded(&w.proxied.to_string()), 3);
    assert_eq!(w.portal.sites[2].counters.total(), 3);

    let silent = city(&json, "静默市");
    assert_eq!(silent["verdict"], "unreachable", "{silent:#}");
    let host = &silent["hosts"][0];
    assert_eq!(
        (host["tcp"].as_str(), host["no_answer"].as_bool()),
        (Some("ok"), Some(true)),
        "{host}"
    );
    assert!(
        host["robots"].as_str().unwrap().starts_with("no answer"),
        "{host}"
    );
    assert_eq!(
        silent["lists"][0]["error"],
        "not tried: the host gave no answer"
    );
    assert!(advice(silent).contains("set a proxy"), "{}", advice(silent));
    // One connection for robots.txt, then nothing more was asked of it.
    assert_eq!(w.silent.accepted(), 2, "the TCP check and robots.txt");

    // The same as text: a block per city (sample output for docs/crawl.md: run with
    // `-- --nocapture`).
    let out = doctor(&w.config("181aedaa74b"), &[]);
    assert_eq!(out.status.code(), Some(4));
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    assert!(
        text.lines().any(|l| l.starts_with("静默市  UNREACHABLE")),
        "{text}"
    );
    assert!(
        text.ends_with("3 of 4 cities have a working path to their reports\n"),
        "{text}"
    );
}

#[test]
fn doctor_exits_0_when_every_city_has_a_path_and_1_when_the_config_must_change() {
    let w = world();
    let out = run(bin()
        .args(["doctor", "--config"])
        .arg(w.config("181aedaa74b"))
        .args(["--city", "好市", "--city", "搜市", "--city", "代理市"]));
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    // Sample output for docs/crawl.md: `cargo test doctor_exits -- --nocapture`.
    println!("{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("好市  OK (list http://127.0.0.110:"),
        "{text}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("搜市  OK (search)")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("  fix: http://127.0.0.111:") && l.contains("HTTP 404")),
        "{text}"
    );
    assert!(
        text.ends_with("3 of 3 cities have a working path to their reports\n"),
        "{text}"
    );

    // A stale search code and a dead list: no path, and the config must change.
    let out = doctor(&w.config("181aedaa700"), &["--city", "搜市"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("搜市  NO PATH"), "{text}");
    assert!(
        text.contains("answered nothing with code 181aedaa700"),
        "{text}"
    );
    assert!(out.stderr.is_empty() || !String::from_utf8_lossy(&out.stderr).contains("panicked"));

    let out = doctor(&w.config("181aedaa74b"), &["--city", "东京"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
}
