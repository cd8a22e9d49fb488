//! `fixture-portal`: serves generated city portals on loopback addresses for benchmarks and
//! demo archives, writes a matching crawler config, and runs until killed. With
//! `--stats-addr`, `GET /stats` on that (separate, uncounted) address returns the per-host
//! counters as JSON: the server-side truth a benchmark checks its crawlers against.

use std::net::{SocketAddr, SocketAddrV4};
use std::path::PathBuf;
use std::time::Duration;

use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use axum::Router;
use clap::Parser;
use nianbao::portal::{generate, DefaultContent, Portal, PortalOptions, ServeOptions};

/// Serve generated 政府信息公开 portals on 127.0.0.x (never on other addresses).
#[derive(Parser)]
struct Args {
    /// Number of city hosts (127.0.0.<first-ip> …).
    #[arg(long, default_value_t = 14)]
    cities: usize,
    /// Last octet of the first loopback address.
    #[arg(long, default_value_t = 2)]
    first_ip: u8,
    /// Explicit loopback addresses, one per city (overrides --first-ip), e.g. 127.0.0.2,127.0.0.9
    #[arg(long, value_delimiter = ',')]
    ips: Vec<std::net::Ipv4Addr>,
    /// Port on every address (0: a free port each).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Latency added to every response, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Add fault routes (503/Retry-After, 412, resets, bombs, redirect loops…).
    #[arg(long)]
    faults: bool,
    /// Items per list page.
    #[arg(long, default_value_t = 5)]
    page_size: usize,
    /// Report years, first and last.
    #[arg(long, default_value_t = 2014)]
    from_year: u16,
    #[arg(long, default_value_t = 2024)]
    to_year: u16,
    /// Write a crawler config for these sites here.
    #[arg(long)]
    config_out: Option<PathBuf>,
    /// Serve the demo generator's pages instead (a folder written by
    /// tools/demo/make_demo_reports.py: manifest.json + pages/), one host per city.
    #[arg(long)]
    demo: Option<PathBuf>,
    /// With --demo: write the attachments the portal would serve into the demo folder (the
    /// manifest's `file` paths) and exit.
    #[arg(long, requires = "demo")]
    write_attachments: bool,
    /// `[crawl]` per_host_concurrency in the written config.
    #[arg(long, default_value_t = 2)]
    per_host_concurrency: usize,
    /// Serve the counters as JSON at `http://ADDR/stats` (a loopback address and port, e.g.
    /// 127.0.0.1:0 for a free port; requests there are not counted).
    #[arg(long)]
    stats_addr: Option<SocketAddrV4>,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    if let (Some(dir), true) = (&args.demo, args.write_attachments) {
        let written =
            nianbao::portal::demo::write_attachments(dir).map_err(std::io::Error::other)?;
        for path in written {
            println!("{}", path.display());
        }
        return Ok(());
    }
    let opts = PortalOptions {
        cities: args.cities,
        years: args.from_year..=args.to_year,
        page_size: args.page_size,
        faults: args.faults,
        first_ip: args.first_ip,
        dead_list_on_last: args.faults,
    };
    let mut sites = match &args.demo {
        Some(dir) => nianbao::portal::demo::sites_from_manifest(dir, args.first_ip)
            .map_err(std::io::Error::other)?
            .into_iter()
            .map(|d| d.site)
            .collect(),
        None => generate::generate(&opts, &DefaultContent),
    };
    for (site, ip) in sites.iter_mut().zip(&args.ips) {
        site.ip = *ip;
    }
    let serve = ServeOptions {
        latency: Duration::from_millis(args.latency_ms),
        port: args.port,
    };
    let portal = Portal::start(sites, serve).await?;
    if let Some(path) = &args.config_out {
        let crawl = nianbao::portal::TEST_CRAWL_SETTINGS.replace(
            "per_host_concurrency = 2",
            &format!("per_host_concurrency = {}", args.per_host_concurrency),
        );
        std::fs::write(path, portal.config_toml(&crawl))?;
    }
    let pages: usize = portal.sites.iter().map(|s| s.site.resources.len()).sum();
    for s in &portal.sites {
        println!("{} {}", s.site.city, s.base);
    }
    if let Some(addr) = args.stats_addr {
        println!("stats: http://{}/stats", serve_stats(addr, &portal).await?);
    }
    println!("ready: {} hosts, {pages} resources", portal.sites.len());
    std::future::pending::<()>().await;
    Ok(())
}

/// Serves `GET /stats` (the portal's counters as JSON) on `addr`; returns the bound address.
async fn serve_stats(addr: SocketAddrV4, portal: &Portal) -> std::io::Result<SocketAddr> {
    if !addr.ip().is_loopback() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("--stats-addr must be a loopback address, not {}", addr.ip()),
        ));
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let sites = portal.sites.clone();
    let app = Router::new().route(
        "/stats",
        get(move || {
            let json = nianbao::portal::stats_json(&sites).to_string();
            async move { ([(CONTENT_TYPE, "application/json")], json) }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(bound)
}
