//! The simulation's time: where its clock comes from ([`SimClock`]) and
//! how long each simulated call takes ([`Latency`]).
//!
//! Must not import the SDK, `crate::account::aws`, the journal, or the
//! front ends (`tui`, `commands`).

use std::time::Duration;

use chrono::{DateTime, Utc};

/// Where the simulation's clock comes from.
#[derive(Debug, Clone, Copy)]
pub enum SimClock {
    /// The system clock (plus any skip-ahead).
    System,
    /// A fixed instant (plus any skip-ahead): stable tests and snapshots.
    Fixed(DateTime<Utc>),
}

/// Simulated round-trip times, so the progress of a call can be seen.
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    /// `GetCallerIdentity`, `GetAccountSummary`.
    pub fast: Duration,
    /// `ListAccessKeys` with last use, and the writes.
    pub slow: Duration,
    /// The first credential report of a run (it has to be generated).
    pub report_first: Duration,
    /// A credential report already generated in this run.
    pub report: Duration,
    /// One page of `CloudTrail` event history (100 % to 250 % of this).
    pub usage_page: Duration,
}

impl Latency {
    /// What `rootkeys demo` uses.
    pub const DEMO: Self = Self {
        fast: Duration::from_millis(150),
        slow: Duration::from_millis(400),
        report_first: Duration::from_millis(1800),
        report: Duration::from_millis(500),
        usage_page: Duration::from_millis(100),
    };
    /// No waiting (tests).
    pub const NONE: Self = Self {
        fast: Duration::ZERO,
        slow: Duration::ZERO,
        report_first: Duration::ZERO,
        report: Duration::ZERO,
        usage_page: Duration::ZERO,
    };
}

pub(super) fn base_now(clock: SimClock) -> DateTime<Utc> {
    match clock {
        SimClock::System => Utc::now(),
        SimClock::Fixed(t) => t,
    }
}

pub(super) async fn pause(d: Duration) {
    if !d.is_zero() {
        tokio::time::sleep(d).await;
    }
}
