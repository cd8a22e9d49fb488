//! `nianbao doctor`: config + `--city` → the checks of `nianbao_crawler::doctor` (DNS, TCP,
//! proxy, robots.txt, portal, report lists, site search) → one block per city on stdout, or one
//! JSON object with `--json`. Exit 0 when every city has a working path to its reports, 4 when
//! those without one lack it only because a host gave no answer (a proxy is the fix), else 1.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use super::crawl::select_cities;
use super::Exit;
use nianbao_crawler::doctor::{diagnose, DoctorOptions};

/// Check which cities of a config can be harvested, and say what to do about the others.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Args {
    /// The cities and crawl settings (default: the built-in 广西 config).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Only these cities (name, name without 市, or adcode); repeatable. Default: all.
    #[arg(long = "city", value_name = "NAME")]
    pub cities: Vec<String>,
    /// Print one JSON object (`ok`, and per city its verdict, hosts, portal, lists, search
    /// and advice) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Upper bound on each probe's connect and request timeout, in milliseconds (the
    /// config's own are kept when shorter): a host that never answers costs at most this.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    pub timeout_ms: u64,
}

/// Runs the checks on a fresh runtime and prints them.
pub(crate) fn run(args: &Args) -> anyhow::Result<Exit> {
    let config = super::load_config(args.config.as_deref())?;
    let cities = select_cities(&config, &args.cities)?;
    let opts = DoctorOptions {
        settings: config.crawl.clone(),
        cities,
        proxy_env: nianbao_crawler::ProxyEnv::from_process(),
        timeout: Duration::from_millis(args.timeout_ms.max(1)),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let report = runtime.block_on(diagnose(opts));
    let text = if args.json {
        let mut json = serde_json::to_string_pretty(&report).context("cannot write the JSON")?;
        json.push('\n');
        json
    } else {
        report.render()
    };
    use std::io::Write;
    std::io::stdout()
        .write_all(text.as_bytes())
        .context("cannot write to stdout")?;
    Ok(if report.ok {
        Exit::Ok
    } else if report.only_unreachable() {
        Exit::Incomplete
    } else {
        Exit::SomeFailed
    })
}
