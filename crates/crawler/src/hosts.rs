//! Host name → what every request to that host shares: its politeness slot
//! ([`HostSlot`]: in-flight cap, spacing, robots.txt), its proxy route (resolved and logged
//! once) and its HTTP client (one per distinct route and TLS setting). Used by the crawl's
//! workers and by `doctor`; no request is sent here.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Client;
use url::Url;

use super::config::CrawlSettings;
use super::fetch::{build_client_via, error_chain, Transport, TransportError};
use super::politeness::{HostSlot, SlotSettings};
use super::proxy::{route_for, ProxyEnv, ProxyRoute};

/// What tells HTTP clients apart: the http:// proxy, the https:// proxy, TLS checks off.
type ClientKey = (Option<Url>, Option<Url>, bool);

/// The per-host state of a run.
pub(crate) struct Hosts {
    settings: CrawlSettings,
    /// The proxy environment variables, read once at start.
    proxy_env: ProxyEnv,
    /// The proxy route of every host seen this run (logged once per host).
    routes: Mutex<BTreeMap<String, ProxyRoute>>,
    /// One HTTP client per distinct (proxy route, TLS checks off) pair, built on first use.
    clients: Mutex<HashMap<ClientKey, Client>>,
    /// The client of each host, once resolved: one map lookup per request instead of a route
    /// lookup and a key comparison.
    by_host: Mutex<HashMap<String, Client>>,
    slots: Mutex<HashMap<String, Arc<HostSlot>>>,
}

impl Hosts {
    /// No host known yet; `direct` (a client without proxy and with TLS checks on), when
    /// given, is reused for every host that goes direct.
    pub(crate) fn new(
        settings: CrawlSettings,
        proxy_env: ProxyEnv,
        direct: Option<Client>,
    ) -> Hosts {
        let clients = direct
            .map(|c| HashMap::from([((None, None, false), c)]))
            .unwrap_or_default();
        Hosts {
            settings,
            proxy_env,
            routes: Mutex::new(BTreeMap::new()),
            clients: Mutex::new(clients),
            by_host: Mutex::new(HashMap::new()),
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// The politeness slot of `host` (made on first use from the host's settings).
    pub(crate) fn slot(&self, host: &str) -> Arc<HostSlot> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(slots.entry(host.to_string()).or_insert_with(|| {
            let s = &self.settings;
            Arc::new(HostSlot::new(SlotSettings {
                concurrency: s.concurrency_for(host),
                min_delay: s.delay_for(host),
                autothrottle: s.autothrottle,
                max_delay: Duration::from_millis(s.autothrottle_max_delay_ms),
                target_concurrency: s.autothrottle_target_concurrency,
            }))
        }))
    }

    /// The proxy route of `host`, resolved (and logged) the first time it is asked for.
    pub(crate) fn route(&self, host: &str) -> ProxyRoute {
        let mut routes = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = routes.get(host) {
            return r.clone();
        }
        let (route, warnings) = route_for(
            self.settings.proxy.as_ref(),
            self.settings.proxy_override(host),
            host,
            &self.proxy_env,
        );
        for w in warnings {
            tracing::warn!("{host}: {w}");
        }
        tracing::info!("{host}: proxy {}", route.describe());
        routes.insert(host.to_string(), route.clone());
        route
    }

    /// The proxy route of every host seen so far.
    pub(crate) fn routes(&self) -> BTreeMap<String, ProxyRoute> {
        self.routes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The client for `host`: its proxy route, and TLS checks off only for hosts whose
    /// `[[crawl.host]]` says so (warned at start).
    pub(crate) fn client_for(&self, host: &str) -> Result<Client, TransportError> {
        if let Some(c) = self
            .by_host
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(host)
        {
            return Ok(c.clone());
        }
        let insecure = self
            .settings
            .host_override(host)
            .is_some_and(|h| h.accept_invalid_certs);
        let route = self.route(host);
        let key = (route.http.clone(), route.https.clone(), insecure);
        let client = {
            let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
            match clients.get(&key) {
                Some(c) => c.clone(),
                None => {
                    let client =
                        build_client_via(&self.settings, insecure, &route).map_err(|e| {
                            TransportError {
                                kind: Transport::Other,
                                message: format!(
                                    "cannot build the HTTP client: {}",
                                    error_chain(&e)
                                ),
                            }
                        })?;
                    clients.insert(key, client.clone());
                    client
                }
            }
        };
        self.by_host
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(host.to_string(), client.clone());
        Ok(client)
    }
}
