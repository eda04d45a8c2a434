//! The pool-wide pause after throttling. When any request of the audit is
//! throttled, every request (in every member's task) waits until the pause
//! has passed before it is sent: the whole pool backs off, not the one call.
//! Each further throttle doubles the pause (up to [`MAX_PAUSE`]); a request
//! that goes through halves it again.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

/// The first pause after a throttle.
pub const FIRST_PAUSE: Duration = Duration::from_millis(200);
/// The longest pause.
pub const MAX_PAUSE: Duration = Duration::from_secs(10);
/// How often one request is tried while it is throttled (or lost) before
/// its account's row gets the error.
pub const ATTEMPTS: u32 = 6;

/// Shared by every task of one audit.
#[derive(Debug)]
pub struct Pace {
    start: Instant,
    first: Duration,
    max: Duration,
    /// Milliseconds after `start` until which nothing is sent.
    until_ms: AtomicU64,
    /// Throttles in a row (halved by each success).
    strikes: AtomicU32,
    /// Throttled answers seen, for the summary.
    throttles: AtomicU64,
}

impl Default for Pace {
    fn default() -> Self {
        Self::new()
    }
}

impl Pace {
    pub fn new() -> Self {
        Self::with_pauses(FIRST_PAUSE, MAX_PAUSE)
    }

    /// A pace whose first pause is `first`, growing to at most `max`.
    pub fn with_pauses(first: Duration, max: Duration) -> Self {
        Self {
            start: Instant::now(),
            first,
            max,
            until_ms: AtomicU64::new(0),
            strikes: AtomicU32::new(0),
            throttles: AtomicU64::new(0),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// How long a request sent now would still have to wait.
    pub fn remaining(&self) -> Duration {
        let until = self.until_ms.load(Ordering::Acquire);
        Duration::from_millis(until.saturating_sub(self.now_ms()))
    }

    /// Wait until the pool's pause (if any) has passed. A pause that grows
    /// meanwhile is waited for too.
    pub async fn ready(&self) {
        loop {
            let wait = self.remaining();
            if wait.is_zero() {
                return;
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// A request was throttled: pause the whole pool. The pause doubles with
    /// each throttle in a row, with a little spread so that the pool does not
    /// resume in one burst.
    pub fn throttled(&self) {
        self.throttles.fetch_add(1, Ordering::Relaxed);
        let strikes = self.strikes.fetch_add(1, Ordering::AcqRel).min(16);
        let base = self
            .first
            .saturating_mul(1 << strikes.min(10))
            .min(self.max);
        // Spread: up to a quarter more, from the clock's low bits.
        let spread = u64::try_from(base.as_millis() / 4).unwrap_or(0);
        let jitter = if spread == 0 {
            0
        } else {
            self.now_ms().wrapping_mul(2_654_435_761) % spread
        };
        let until = self.now_ms() + u64::try_from(base.as_millis()).unwrap_or(u64::MAX) + jitter;
        self.until_ms.fetch_max(until, Ordering::AcqRel);
    }

    /// A request went through: the next throttle starts from a shorter pause.
    pub fn succeeded(&self) {
        let _ = self
            .strikes
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |s| {
                (s > 0).then_some(s / 2)
            });
    }

    /// Throttled answers seen so far.
    pub fn throttles(&self) -> u64 {
        self.throttles.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_throttle_pauses_every_waiter_until_it_has_passed() {
        let pace = std::sync::Arc::new(Pace::new());
        assert!(pace.remaining().is_zero());
        pace.throttled();
        let first = pace.remaining();
        assert!(first >= FIRST_PAUSE, "{first:?}");
        // Two waiters (two members' tasks) are both held.
        let a = tokio::spawn({
            let pace = pace.clone();
            async move { pace.ready().await }
        });
        let b = tokio::spawn({
            let pace = pace.clone();
            async move { pace.ready().await }
        });
        tokio::time::sleep(FIRST_PAUSE / 2).await;
        assert!(
            !a.is_finished() && !b.is_finished(),
            "waiters go on before the pause ends"
        );
        tokio::time::sleep(first).await;
        assert!(a.await.is_ok() && b.await.is_ok());
        assert!(pace.remaining().is_zero());
    }

    #[tokio::test(start_paused = true)]
    async fn throttles_in_a_row_double_the_pause_and_successes_shorten_it() {
        let pace = Pace::new();
        pace.throttled();
        let one = pace.remaining();
        tokio::time::advance(one).await;
        pace.throttled();
        let two = pace.remaining();
        assert!(two >= FIRST_PAUSE * 2, "{one:?} then {two:?}");
        tokio::time::advance(two).await;
        for _ in 0..30 {
            pace.throttled();
        }
        assert!(pace.remaining() <= MAX_PAUSE + MAX_PAUSE / 4);
        tokio::time::advance(MAX_PAUSE * 2).await;
        for _ in 0..10 {
            pace.succeeded();
        }
        pace.throttled();
        assert!(pace.remaining() < FIRST_PAUSE * 2);
        assert_eq!(pace.throttles(), 33);
    }
}
