//! Shared fixture: one runtime that keeps the portals serving, and crawls run once and read
//! by many tests.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use nianbao_archive::Archive;
use nianbao_crawler::config::Config;
use nianbao_crawler::{crawl, Options, Scope, Summary};
use nianbao_fixtures::{
    generate, DefaultContent, Portal, PortalOptions, ServeOptions, TEST_CRAWL_SETTINGS,
};
use tempfile::TempDir;
use tokio::runtime::Runtime;

/// The runtime every portal of this test binary is served on.
pub(crate) fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("test runtime")
    })
}

/// Starts a generated portal on loopback.
pub(super) fn start_portal(opts: PortalOptions, latency: Duration) -> Portal {
    let sites = generate::generate(&opts, &DefaultContent);
    runtime()
        .block_on(Portal::start(sites, ServeOptions { latency, port: 0 }))
        .expect("portal starts on 127.0.0.x")
}

/// A finished crawl of a portal.
pub(super) struct Harvest {
    pub portal: Portal,
    pub dir: TempDir,
    pub summary: Summary,
}

impl Harvest {
    pub(super) fn archive(&self) -> Archive {
        Archive::open(self.dir.path()).expect("archive opens")
    }

    /// (site index, path) of every report page and attachment in the archive.
    pub(super) fn found(&self) -> BTreeSet<(String, String)> {
        self.archive()
            .entries()
            .unwrap()
            .into_iter()
            .map(|e| (e.target.city.clone(), path_of(&e.target.url)))
            .collect()
    }

    pub(super) fn db(&self) -> rusqlite_free::Db {
        rusqlite_free::Db::open(self.dir.path())
    }
}

pub(super) fn path_of(url: &str) -> String {
    let u = url::Url::parse(url).unwrap();
    match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    }
}

/// Runs a crawl of `portal` in-process.
pub(super) fn crawl_portal(
    portal: &Portal,
    crawl_settings: &str,
    scope: Scope,
    dir: &Path,
) -> Summary {
    crawl_with(portal, crawl_settings, dir, |o| o.scope = scope)
}

/// Runs a crawl of `portal` in-process, with `adjust` applied to the options.
pub(super) fn crawl_with(
    portal: &Portal,
    crawl_settings: &str,
    dir: &Path,
    adjust: impl FnOnce(&mut Options),
) -> Summary {
    crawl_toml(&portal.config_toml(crawl_settings), dir, adjust)
}

/// Crawls with a whole config file's text (the fixture's cities plus any added by the test).
pub(super) fn crawl_toml(text: &str, dir: &Path, adjust: impl FnOnce(&mut Options)) -> Summary {
    let config =
        Config::from_toml(text, Path::new("fixture.toml")).expect("fixture config is valid");
    let mut opts = Options {
        settings: config.crawl.clone(),
        cities: config.cities.clone(),
        years: None,
        scope: Scope::City,
        out: dir.to_path_buf(),
        refresh: false,
        retry_failed: false,
        progress: nianbao_crawler::progress::silent(),
        proxy_env: nianbao_crawler::ProxyEnv::default(),
    };
    adjust(&mut opts);
    runtime().block_on(crawl(opts)).expect("crawl runs")
}

/// A crawl of the default fixture (3 cities with faults) of its own, on its own portal.
pub(super) fn harvest(scope: Scope) -> Harvest {
    let portal = start_portal(PortalOptions::default(), Duration::from_millis(5));
    let dir = tempfile::tempdir().unwrap();
    let summary = crawl_portal(&portal, TEST_CRAWL_SETTINGS, scope, dir.path());
    Harvest {
        portal,
        dir,
        summary,
    }
}

/// One crawl of the default fixture (3 cities with faults), `--scope city`.
pub(super) fn city_scope() -> &'static Harvest {
    static H: OnceLock<Harvest> = OnceLock::new();
    H.get_or_init(|| harvest(Scope::City))
}

/// One crawl of the default fixture, `--scope all`.
pub(super) fn all_scope() -> &'static Harvest {
    static H: OnceLock<Harvest> = OnceLock::new();
    H.get_or_init(|| harvest(Scope::All))
}

/// Read-only queries on the crawl state, for assertions.
pub(super) mod rusqlite_free {
    use std::path::Path;

    pub(crate) struct Db(rusqlite::Connection);

    impl Db {
        pub(crate) fn open(dir: &Path) -> Db {
            Db(rusqlite::Connection::open(dir.join("state.sqlite")).unwrap())
        }

        /// Rows of the `urls` table that match an SQL condition.
        pub(crate) fn count(&self, condition: &str) -> i64 {
            self.0
                .query_row(
                    &format!("SELECT COUNT(*) FROM urls WHERE {condition}"),
                    [],
                    |r| r.get(0),
                )
                .unwrap()
        }

        /// (status, error) of a URL whose path ends with `suffix`.
        pub(crate) fn status_of(&self, suffix: &str) -> (String, Option<String>) {
            self.0
                .query_row(
                    "SELECT status, error FROM urls WHERE url LIKE '%' || ?1",
                    [suffix],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap_or_else(|e| panic!("no URL ending with {suffix}: {e}"))
        }
    }
}
