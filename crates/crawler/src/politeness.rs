//! Per-host politeness: a hard in-flight cap (semaphore), a minimum spacing between request
//! starts, an AutoThrottle-style delay that follows the host's latency, and back-off windows
//! after errors or challenges. Input: request starts and observed latencies → permits and waits.

use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::{OnceCell, Semaphore, SemaphorePermit};
use tokio::time::Instant;

use super::robots::Robots;

/// Settings for one host's slot.
#[derive(Debug, Clone, Copy)]
pub struct SlotSettings {
    /// Hard cap on requests in flight to the host (0 counts as 1).
    pub concurrency: usize,
    /// Minimum spacing between request starts, and the initial delay (`delay_ms`).
    pub min_delay: Duration,
    /// Whether observed latencies adapt the delay (AutoThrottle).
    pub autothrottle: bool,
    /// Upper bound of the adaptive delay (`autothrottle_max_delay_ms`).
    pub max_delay: Duration,
    /// AutoThrottle's target delay is latency / this (`autothrottle_target_concurrency`).
    pub target_concurrency: f64,
}

#[derive(Debug)]
struct SlotState {
    next_start: Instant,
    delay: Duration,
    min_delay: Duration,
    blocked: u32,
}

/// One host's politeness state.
#[derive(Debug)]
pub struct HostSlot {
    settings: SlotSettings,
    permits: Semaphore,
    state: Mutex<SlotState>,
    /// robots.txt rules, fetched once.
    pub robots: OnceCell<Robots>,
    /// Set after a TLS failure when the http:// variant is used for this host.
    pub tls_failed: std::sync::atomic::AtomicBool,
}

impl HostSlot {
    /// A slot whose first request may start at once, with the delay at `min_delay`, no
    /// challenge counted and robots.txt not yet loaded.
    pub fn new(settings: SlotSettings) -> HostSlot {
        HostSlot {
            settings,
            permits: Semaphore::new(settings.concurrency.max(1)),
            state: Mutex::new(SlotState {
                next_start: Instant::now(),
                delay: settings.min_delay,
                min_delay: settings.min_delay,
                blocked: 0,
            }),
            robots: OnceCell::new(),
            tls_failed: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// The settings the slot was made with (a raised minimum delay is not reflected here).
    pub fn settings(&self) -> SlotSettings {
        self.settings
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SlotState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for an in-flight permit, then for this request's start time. Hold the permit
    /// until the response body has been read.
    pub async fn acquire(&self) -> SemaphorePermit<'_> {
        // The semaphore is never closed.
        let permit = self
            .permits
            .acquire()
            .await
            .expect("host semaphore is never closed");
        let start = {
            let mut st = self.lock();
            let now = Instant::now();
            let start = st.next_start.max(now);
            st.next_start = start + st.delay;
            start
        };
        if start > Instant::now() {
            tokio::time::sleep_until(start).await;
        }
        permit
    }

    /// AutoThrottle: the delay moves halfway towards `latency / target_concurrency`; a
    /// non-success response never lowers it; it stays within `[min_delay, max_delay]`.
    pub fn observe(&self, latency: Duration, success: bool) {
        if !self.settings.autothrottle {
            return;
        }
        let mut st = self.lock();
        let settings = SlotSettings {
            min_delay: st.min_delay,
            ..self.settings
        };
        st.delay = next_delay(st.delay, latency, success, &settings);
    }

    /// Raises the minimum spacing (robots.txt `Crawl-delay`); true when it changed.
    pub fn raise_min_delay(&self, d: Duration) -> bool {
        let mut st = self.lock();
        if d <= st.min_delay {
            return false;
        }
        st.min_delay = d;
        st.delay = st.delay.max(d);
        true
    }

    /// No request to this host starts before `until`.
    pub fn defer_until(&self, until: Instant) {
        let mut st = self.lock();
        st.next_start = st.next_start.max(until);
    }

    /// Counts a challenge (412/521) answer; returns the count so far.
    pub fn note_blocked(&self) -> u32 {
        let mut st = self.lock();
        st.blocked += 1;
        st.blocked
    }

    /// Challenge answers counted so far.
    pub fn blocked_count(&self) -> u32 {
        self.lock().blocked
    }

    /// The current spacing between request starts.
    pub fn current_delay(&self) -> Duration {
        self.lock().delay
    }
}

/// The AutoThrottle rule (Scrapy's): target = latency / N; next = mean(previous, target).
pub fn next_delay(
    previous: Duration,
    latency: Duration,
    success: bool,
    s: &SlotSettings,
) -> Duration {
    let target = latency.div_f64(s.target_concurrency);
    let mut next = (previous + target) / 2;
    if !success && next < previous {
        next = previous;
    }
    next.clamp(s.min_delay, s.max_delay.max(s.min_delay))
}

/// Exponential back-off with jitter: `base × 2^(attempt-1)` × [0.5, 1.5), capped at `max`.
pub fn backoff(attempt: u32, base: Duration, max: Duration) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    exp.min(max).mul_f64(0.5 + fastrand::f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> SlotSettings {
        SlotSettings {
            concurrency: 1,
            min_delay: Duration::from_millis(100),
            autothrottle: true,
            max_delay: Duration::from_secs(10),
            target_concurrency: 1.0,
        }
    }

    #[test]
    fn the_delay_rises_with_latency_and_errors_never_lower_it() {
        let s = settings();
        let d = next_delay(Duration::from_millis(100), Duration::from_secs(2), true, &s);
        assert_eq!(d, Duration::from_millis(1050));
        let slower = next_delay(d, Duration::from_secs(4), true, &s);
        assert!(slower > d);
        let after_error = next_delay(slower, Duration::from_millis(1), false, &s);
        assert_eq!(after_error, slower);
        let floor = next_delay(Duration::from_millis(100), Duration::ZERO, true, &s);
        assert_eq!(floor, s.min_delay);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let b = |a| backoff(a, Duration::from_millis(100), Duration::from_millis(1000));
        assert!(b(1) < Duration::from_millis(150));
        assert!(b(3) >= Duration::from_millis(200));
        assert!(b(10) < Duration::from_millis(1500));
    }

    #[tokio::test(start_paused = true)]
    async fn request_starts_are_spaced_by_the_delay() {
        let slot = HostSlot::new(SlotSettings {
            autothrottle: false,
            concurrency: 4,
            ..settings()
        });
        let t0 = Instant::now();
        let a = slot.acquire().await;
        let b = slot.acquire().await;
        let c = slot.acquire().await;
        assert_eq!(t0.elapsed(), Duration::from_millis(200));
        drop((a, b, c));
    }

    #[tokio::test(start_paused = true)]
    async fn the_in_flight_cap_holds() {
        let slot = HostSlot::new(SlotSettings {
            min_delay: Duration::ZERO,
            concurrency: 2,
            ..settings()
        });
        let _a = slot.acquire().await;
        let _b = slot.acquire().await;
        let third = tokio::time::timeout(Duration::from_secs(60), slot.acquire()).await;
        assert!(
            third.is_err(),
            "a third permit was granted while two were held"
        );
    }
}
