//! The AWS IAM credential report, focused on the root account row: what rootkeys reads
//! from it ([`RootRow`], [`ReportKey`]) and the public API over it.
//!
//! - `parse`: the CSV parser ([`parse_root_row`]) and its errors ([`ReportError`]).
//! - `input`: the bounds on what is read ([`MAX_REPORT_BYTES`], [`MAX_RECORD_BYTES`]),
//!   the byte-bounded reader under the CSV parser and its line counting.
//! - `age`: a report's age, [`REPORT_MAX_AGE`] and [`Stale`].
//!
//! This module and its children hold plain data and parsing only: they must not import
//! `crate::tui`, `crate::commands`, `ratatui` or the AWS SDK.

mod age;
mod input;
mod parse;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::LastUsed;

pub use age::{REPORT_MAX_AGE, Stale};
pub use input::{MAX_RECORD_BYTES, MAX_REPORT_BYTES};
pub use parse::{ReportError, parse_root_row};

/// One of the two access key slots of the root account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportKey {
    /// 1 or 2.
    pub slot: u8,
    pub active: bool,
    pub last_rotated: Option<DateTime<Utc>>,
    /// `Some` only when the report gives a real date (not `N/A` or
    /// `no_information`); its service and region are `None` when the report
    /// says `N/A`.
    pub last_used: Option<LastUsed>,
}

impl ReportKey {
    /// Whether a key exists in this slot: it is active, or it is inactive but was created.
    pub fn present(&self) -> bool {
        self.active || self.last_rotated.is_some()
    }
}

/// The `<root_account>` row of a credential report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RootRow {
    pub arn: String,
    /// The 12-digit account id, when `arn` has the form `arn:PARTITION:iam::ACCOUNT:root`.
    pub account_id: Option<String>,
    pub created: Option<DateTime<Utc>>,
    pub mfa_active: Option<bool>,
    /// Always both slots, slot 1 then slot 2.
    pub keys: Vec<ReportKey>,
    /// When IAM generated the report (`GeneratedTime` of `GetCredentialReport`); `None`
    /// for a CSV file, which does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated: Option<DateTime<Utc>>,
}

impl RootRow {
    /// The key slots that hold a key, active or not.
    pub fn present_keys(&self) -> impl Iterator<Item = &ReportKey> {
        self.keys.iter().filter(|key| key.present())
    }

    /// CIS AWS Foundations: the root account has no access key at all.
    pub fn cis_compliant(&self) -> bool {
        self.present_keys().next().is_none()
    }

    /// Whether this report may be out of date at `now`, given the time of the last
    /// write rootkeys journaled for the account. `None` when it is fresh, or when its
    /// generation time is unknown.
    pub fn stale(&self, now: DateTime<Utc>, last_write: Option<DateTime<Utc>>) -> Option<Stale> {
        Stale::check(self.generated?, now, last_write)
    }
}
