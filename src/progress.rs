//! Crawl events (the crawler's `Progress` trait) → progress on stderr: one indicatif bar per host on a terminal, plain lines
//! otherwise, or nothing. Never writes to stdout.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use nianbao_crawler::progress::Progress;

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Bars,
    Lines,
    Quiet,
}

/// Cheap to clone; all clones report to the same place.
#[derive(Clone)]
pub(crate) struct Reporter {
    mode: Mode,
    multi: MultiProgress,
    bars: Arc<Mutex<HashMap<String, ProgressBar>>>,
}

impl fmt::Debug for Reporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reporter")
            .field("mode", &self.mode)
            .finish()
    }
}

impl Default for Reporter {
    fn default() -> Self {
        Reporter::new(Mode::Quiet)
    }
}

impl Reporter {
    pub(crate) fn new(mode: Mode) -> Reporter {
        Reporter {
            mode,
            multi: MultiProgress::new(),
            bars: Arc::default(),
        }
    }

    /// Bars when stderr is a terminal, plain lines otherwise.
    pub(crate) fn auto() -> Reporter {
        use std::io::IsTerminal;
        Reporter::new(if std::io::stderr().is_terminal() {
            Mode::Bars
        } else {
            Mode::Lines
        })
    }

    fn bar(&self, host: &str) -> ProgressBar {
        let mut bars = self.bars.lock().unwrap_or_else(|p| p.into_inner());
        bars.entry(host.to_string())
            .or_insert_with(|| {
                let bar = self.multi.add(ProgressBar::new(0));
                let style =
                    ProgressStyle::with_template("{prefix:>24} [{bar:30}] {pos}/{len} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar());
                bar.set_style(style.progress_chars("=> "));
                bar.set_prefix(host.to_string());
                bar
            })
            .clone()
    }
}

impl Progress for Reporter {
    /// A URL of `host` was handed to a fetch task.
    fn queued(&self, host: &str, n: u64) {
        if self.mode == Mode::Bars {
            self.bar(host).inc_length(n);
        }
    }

    /// A URL reached its final status.
    fn fetched(&self, host: &str, url: &str, status: &str, cause: Option<&str>) {
        match self.mode {
            Mode::Bars => {
                let bar = self.bar(host);
                bar.inc(1);
                if let Some(c) = cause {
                    bar.set_message(c.chars().take(40).collect::<String>());
                }
            }
            Mode::Lines => eprintln!(
                "{status:<8} {url}{}",
                cause.map(|c| format!("  ({c})")).unwrap_or_default()
            ),
            Mode::Quiet => {}
        }
    }

    fn finish(&self) {
        if self.mode == Mode::Bars {
            for bar in self.bars.lock().unwrap_or_else(|p| p.into_inner()).values() {
                bar.finish();
            }
        }
    }
}
