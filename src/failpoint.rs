//! Fault injection and a movable clock for tests. Both exist only in builds
//! with the `failpoints` feature (which the test suite enables); in a
//! release build every function here is a no-op or the real clock, and no
//! environment variable can crash or time-shift rootkeys.
//!
//! Imports nothing of the crate.

use chrono::{DateTime, Utc};

/// `ROOTKEYS_FAILPOINT=NAME` makes the process exit at that point, as a
/// crash would.
pub const ENV: &str = "ROOTKEYS_FAILPOINT";
/// `ROOTKEYS_TEST_CLOCK_OFFSET=8d` moves the clock of the real backend
/// forward (a `humantime` duration; a leading `-` moves it back).
pub const CLOCK_ENV: &str = "ROOTKEYS_TEST_CLOCK_OFFSET";
/// `ROOTKEYS_TEST_DEMO_NOW=2026-11-25T12:15:00Z` pins the demo's clock
/// (before any skip-ahead), so a recorded walk-through is the same on
/// every run.
pub const DEMO_NOW_ENV: &str = "ROOTKEYS_TEST_DEMO_NOW";
/// Exit status of an injected crash.
pub const EXIT: i32 = 86;

/// Every step of the write path, in order: a crash can be injected after
/// each of them.
pub const WRITE_PATH: &[&str] = &[
    "before-lock",
    "after-lock",
    "after-plan",
    "after-intent",
    "after-call",
    "after-outcome",
];

/// Whether this build honours failpoints.
pub const ENABLED: bool = cfg!(feature = "failpoints");

/// Crash here when `ROOTKEYS_FAILPOINT` names this point.
#[cfg(feature = "failpoints")]
pub fn hit(name: &str) {
    if requested(name) {
        eprintln!("rootkeys: injected crash at {name}");
        std::process::exit(EXIT);
    }
}

/// Crash here when `ROOTKEYS_FAILPOINT` names this point.
#[cfg(not(feature = "failpoints"))]
#[inline]
pub fn hit(_name: &str) {}

/// Does `ROOTKEYS_FAILPOINT` name this point (for failpoints that do
/// something other than exit, such as a panicking task)?
pub fn requested(name: &str) -> bool {
    ENABLED && std::env::var(ENV).is_ok_and(|v| v == name)
}

/// The instant `ROOTKEYS_TEST_DEMO_NOW` pins the demo's clock to, in
/// test builds.
pub fn demo_now() -> Option<DateTime<Utc>> {
    if !ENABLED {
        return None;
    }
    let text = std::env::var(DEMO_NOW_ENV).ok()?;
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The real clock, moved by `ROOTKEYS_TEST_CLOCK_OFFSET` in test builds.
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    if !ENABLED {
        return now;
    }
    let Ok(text) = std::env::var(CLOCK_ENV) else {
        return now;
    };
    let (sign, body) = match text.trim().strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.trim().trim_start_matches('+')),
    };
    humantime::parse_duration(body)
        .ok()
        .and_then(|d| chrono::TimeDelta::from_std(d).ok())
        .and_then(|d| now.checked_add_signed(d * sign))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_path_names_are_unique() {
        let mut names = WRITE_PATH.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), WRITE_PATH.len());
    }

    #[cfg(not(feature = "failpoints"))]
    #[test]
    fn without_the_feature_nothing_is_injected() {
        assert!(!requested("after-intent"));
        hit("after-intent");
        let before = Utc::now();
        assert!(now() >= before);
    }
}
