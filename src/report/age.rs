//! A credential report's age: IAM hands out the same report until it is
//! [`REPORT_MAX_AGE`] old. [`Stale`] says when the facts of a report may be out of date.
//!
//! Must not import `crate::tui`, `crate::commands`, `ratatui` or the AWS SDK.

use chrono::{DateTime, TimeDelta, Utc};

/// IAM hands out the same credential report until it is this old; only then does
/// `GenerateCredentialReport` start a new one.
pub const REPORT_MAX_AGE: TimeDelta = TimeDelta::hours(4);

/// Why the facts of a credential report may be out of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stale {
    /// Older than [`REPORT_MAX_AGE`]: IAM should have generated a new one.
    Old {
        generated: DateTime<Utc>,
        age: TimeDelta,
    },
    /// Generated before the last write rootkeys journaled for the account: it does not
    /// show that write yet.
    BeforeWrite {
        generated: DateTime<Utc>,
        write: DateTime<Utc>,
    },
}

impl Stale {
    /// A report generated at `generated`, read at `now`; `last_write` is the time of the
    /// newest write rootkeys journaled as applied. Too old wins over before-a-write: its
    /// advice (run again) covers both.
    pub fn check(
        generated: DateTime<Utc>,
        now: DateTime<Utc>,
        last_write: Option<DateTime<Utc>>,
    ) -> Option<Self> {
        let age = now - generated;
        if age > REPORT_MAX_AGE {
            return Some(Self::Old { generated, age });
        }
        match last_write {
            Some(write) if write > generated => Some(Self::BeforeWrite { generated, write }),
            _ => None,
        }
    }

    /// A short, stable code for JSON.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Old { .. } => "older_than_4h",
            Self::BeforeWrite { .. } => "older_than_last_write",
        }
    }

    /// What is stale and why, in one sentence.
    pub fn reason(&self) -> String {
        match self {
            Self::Old { generated, age } => format!(
                "the credential report was generated {} ago ({}), more than {} h ago",
                crate::domain::window::human(*age),
                minute(*generated),
                REPORT_MAX_AGE.num_hours()
            ),
            Self::BeforeWrite { generated, write } => format!(
                "the credential report was generated at {}, before the last change rootkeys \
                 journaled for this account ({}): it does not show that change yet",
                minute(*generated),
                minute(*write)
            ),
        }
    }

    /// What to do about it.
    pub fn advice(&self) -> String {
        match self {
            Self::Old { .. } => format!(
                "wait a few minutes and run again: IAM generates a new report once the \
                 current one is {} h old",
                REPORT_MAX_AGE.num_hours()
            ),
            Self::BeforeWrite { generated, .. } => format!(
                "IAM hands out the same report until it is {} h old: run again after {} \
                 for a report that shows the change",
                REPORT_MAX_AGE.num_hours(),
                minute(*generated + REPORT_MAX_AGE + TimeDelta::minutes(1))
            ),
        }
    }
}

/// `2026-11-25 12:00 UTC`.
fn minute(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::RootRow;
    use chrono::TimeZone;

    fn at(year: i32, month: u32, day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(year, month, day, hour, 0, 0)
            .single()
            .expect("valid test date")
    }

    #[test]
    fn staleness() {
        let generated = at(2026, 11, 25, 8);
        let fresh = |now, write| Stale::check(generated, now, write);
        assert_eq!(fresh(generated, None), None);
        assert_eq!(
            fresh(generated + REPORT_MAX_AGE, None),
            None,
            "4 h is not stale"
        );
        let later = generated + REPORT_MAX_AGE + TimeDelta::minutes(1);
        assert_eq!(
            fresh(later, None),
            Some(Stale::Old {
                generated,
                age: REPORT_MAX_AGE + TimeDelta::minutes(1)
            })
        );
        // A write after the report: stale even when young; at or before: fresh.
        let now = generated + TimeDelta::hours(1);
        let write = generated + TimeDelta::minutes(30);
        let before = fresh(now, Some(write)).expect("stale");
        assert_eq!(before, Stale::BeforeWrite { generated, write });
        assert_eq!(fresh(now, Some(generated)), None);
        assert_eq!(fresh(now, Some(generated - TimeDelta::hours(1))), None);
        // Too old wins.
        assert!(matches!(fresh(later, Some(write)), Some(Stale::Old { .. })));

        assert_eq!(before.code(), "older_than_last_write");
        assert!(
            before.reason().contains("2026-11-25 08:00 UTC"),
            "{}",
            before.reason()
        );
        assert!(before.reason().contains("08:30 UTC"), "{}", before.reason());
        assert!(
            before
                .advice()
                .contains("run again after 2026-11-25 12:01 UTC"),
            "{}",
            before.advice()
        );
        let old = fresh(later, None).expect("stale");
        assert_eq!(old.code(), "older_than_4h");
        assert!(old.reason().contains("4 h 1 min ago"), "{}", old.reason());
        assert!(old.advice().contains("run again"), "{}", old.advice());

        // Through the row; a CSV row has no generation time (the parser's tests check
        // that it leaves `generated` empty), so no verdict on it.
        let mut row = RootRow {
            arn: "arn:aws:iam::123456789012:root".to_owned(),
            account_id: Some("123456789012".to_owned()),
            created: None,
            mfa_active: Some(true),
            keys: Vec::new(),
            generated: None,
        };
        assert_eq!(row.stale(later, Some(write)), None);
        row.generated = Some(generated);
        assert_eq!(row.stale(now, Some(write)), Some(before));
    }
}
