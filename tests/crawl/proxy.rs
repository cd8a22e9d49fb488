//! Proxies: a `[[crawl.host]]` proxy carries every request of its host and of no other; the
//! proxy environment variables are honoured (with `NO_PROXY`) unless the config says `"none"`;
//! credentials reach the proxy but never the summary. The proxy is a local one that counts
//! what it forwards.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use nianbao_crawler::{ProxyEnv, Summary};
use nianbao_fixtures::net::CountingProxy;
use nianbao_fixtures::TEST_CRAWL_SETTINGS;
use nianbao_fixtures::{generate, DefaultContent, Portal, PortalOptions, ServeOptions};

use super::harness::{crawl_toml, path_of, runtime};

fn portal() -> Portal {
    let opts = PortalOptions {
        cities: 2,
        years: 2021..=2022,
        faults: false,
        dead_list_on_last: false,
        ..PortalOptions::default()
    };
    let sites = generate::generate(&opts, &DefaultContent);
    let serve = ServeOptions {
        latency: Duration::from_millis(1),
        port: 0,
    };
    runtime().block_on(Portal::start(sites, serve)).unwrap()
}

fn proxy() -> CountingProxy {
    runtime()
        .block_on(CountingProxy::start(std::net::Ipv4Addr::LOCALHOST))
        .unwrap()
}

/// Every city's wanted reports were harvested.
fn assert_complete(portal: &Portal, dir: &std::path::Path, summary: &Summary) {
    let archive = nianbao_archive::Archive::open(dir).unwrap();
    let entries = archive.entries().unwrap();
    for s in &portal.sites {
        let wanted: BTreeSet<String> = s
            .site
            .expected
            .iter()
            .filter(|e| e.city_level)
            .map(|e| e.path.clone())
            .collect();
        let found: BTreeSet<String> = entries
            .iter()
            .filter(|e| e.target.city == s.site.city)
            .map(|e| path_of(&e.target.url))
            .collect();
        assert_eq!(found, wanted, "{}", s.site.city);
    }
    assert!(!summary.incomplete(), "{}", summary.render());
}

fn host(portal: &Portal, i: usize) -> String {
    portal.sites[i].addr.ip().to_string()
}

#[test]
fn a_host_override_proxy_carries_every_request_of_its_host_and_no_other() {
    let portal = portal();
    let proxy = proxy();
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}\n[[crawl.host]]\nhost = \"{}\"\nproxy = \"{}\"\n",
        portal.config_toml(TEST_CRAWL_SETTINGS),
        host(&portal, 0),
        proxy.url(Some("alice:s3cret"))
    );
    let summary = crawl_toml(&text, dir.path(), |_| {});
    assert_complete(&portal, dir.path(), &summary);

    let through = portal.sites[0].counters.total();
    assert!(through > 3, "{through}");
    assert_eq!(
        proxy.targets(),
        HashMap::from([(portal.sites[0].addr.to_string(), through)]),
        "every request to the proxied host, and only those, went through the proxy"
    );
    assert!(portal.sites[1].counters.total() > 3);
    // The credentials reach the proxy (Basic alice:s3cret) …
    let auth = proxy.auth_headers();
    assert_eq!(auth.len() as u64, through);
    assert!(
        auth.iter().all(|a| a == "Basic YWxpY2U6czNjcmV0"),
        "{auth:?}"
    );
    // … and never the summary.
    let shown = &summary.proxies[&host(&portal, 0)];
    assert!(shown.contains("http://***@127.0.0.1:"), "{shown}");
    assert!(shown.contains("host override"), "{shown}");
    assert!(summary.proxies[&host(&portal, 1)].starts_with("direct"));
    let text = summary.render();
    assert!(
        !text.contains("s3cret") && !text.contains("alice"),
        "{text}"
    );
    assert!(text.contains(&host(&portal, 0)), "{text}");
}

#[test]
fn proxy_variables_are_honoured_with_no_proxy_unless_the_config_says_none() {
    let portal = portal();
    let proxy = proxy();
    let env = ProxyEnv::from_lookup(|k| match k {
        "http_proxy" => Some(proxy.url(Some("bob:hunter2"))),
        "NO_PROXY" => Some(format!("localhost,{}", host(&portal, 1))),
        _ => None,
    });

    let dir = tempfile::tempdir().unwrap();
    let text = portal.config_toml(TEST_CRAWL_SETTINGS);
    let summary = crawl_toml(&text, dir.path(), |o| o.proxy_env = env.clone());
    assert_complete(&portal, dir.path(), &summary);
    let through = portal.sites[0].counters.total();
    assert_eq!(
        proxy.targets(),
        HashMap::from([(portal.sites[0].addr.to_string(), through)]),
        "HTTP_PROXY for the first host, NO_PROXY for the second"
    );
    assert!(summary.proxies[&host(&portal, 0)].contains("(environment)"));
    assert!(summary.proxies[&host(&portal, 1)].contains("NO_PROXY"));
    assert!(!summary.render().contains("hunter2"));

    // `proxy = "none"`: the same environment, no request through the proxy.
    let before = proxy.total();
    let dir = tempfile::tempdir().unwrap();
    let text = portal.config_toml(&format!("{TEST_CRAWL_SETTINGS}\nproxy = \"none\""));
    let summary = crawl_toml(&text, dir.path(), |o| o.proxy_env = env.clone());
    assert_complete(&portal, dir.path(), &summary);
    assert_eq!(proxy.total(), before);
    assert!(
        summary.render().contains("proxy: none"),
        "{}",
        summary.render()
    );

    // A `[crawl] proxy` URL: every host through it, NO_PROXY ignored.
    let dir = tempfile::tempdir().unwrap();
    let (a0, a1) = (
        portal.sites[0].counters.total(),
        portal.sites[1].counters.total(),
    );
    let text = portal.config_toml(&format!(
        "{TEST_CRAWL_SETTINGS}\nproxy = \"{}\"",
        proxy.url(None)
    ));
    let summary = crawl_toml(&text, dir.path(), |o| o.proxy_env = env.clone());
    assert_complete(&portal, dir.path(), &summary);
    let t = proxy.targets();
    assert_eq!(
        t[&portal.sites[0].addr.to_string()],
        through + portal.sites[0].counters.total() - a0
    );
    assert_eq!(
        t[&portal.sites[1].addr.to_string()],
        portal.sites[1].counters.total() - a1
    );
}

#[test]
fn a_socks5_proxy_tunnels_its_host_with_the_credentials_given() {
    let portal = portal();
    let socks = runtime()
        .block_on(nianbao_fixtures::net::Socks5Proxy::start(
            std::net::Ipv4Addr::LOCALHOST,
        ))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}\n[[crawl.host]]\nhost = \"{}\"\nproxy = \"socks5://carol:pa55@{}\"\n",
        portal.config_toml(TEST_CRAWL_SETTINGS),
        host(&portal, 1),
        socks.addr
    );
    let summary = crawl_toml(&text, dir.path(), |_| {});
    assert_complete(&portal, dir.path(), &summary);
    let tunnels = socks.tunnels();
    let only: Vec<&String> = tunnels.keys().collect();
    assert_eq!(only, [&portal.sites[1].addr.to_string()], "{tunnels:?}");
    assert!(socks.credentials().iter().all(|c| c == "carol:pa55"));
    assert!(!socks.credentials().is_empty());
    assert!(summary.proxies[&host(&portal, 1)].starts_with("socks5://***@127.0.0.1:"));
    assert!(!summary.render().contains("pa55"));
}
