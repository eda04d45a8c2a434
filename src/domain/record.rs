//! Journal records: what rootkeys did or saw, as data. Reading and writing
//! the file lives in `crate::journal`; the policy reads these.
//!
//! Imports serde and chrono only; the serde names are the journal's wire
//! format and never change.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a record is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Act {
    Deactivate,
    Reactivate,
    Delete,
    /// rootkeys saw the key inactive with no window of its own running
    /// (deactivated elsewhere, or again after a reactivation): the
    /// observation window starts here.
    FirstSeenInactive,
    /// rootkeys saw the key active after a journaled deactivation (it was
    /// reactivated elsewhere): the next inactive sighting starts a new window.
    SeenActive,
    /// The key was used after its window began (its last-used date is
    /// later): it was active in between, so the window starts again here.
    WindowRestarted,
    /// Organization mode opened an `AssumeRoot` session in this (member)
    /// account: `caller` opened it, `op` is STS's request ID, `note` names
    /// the task policy and the session's end. No key is involved (`key` is
    /// empty) and nothing was written; the credentials are never journaled.
    SessionOpened,
    /// Organization mode: the quarantine SCP attached to this member account
    /// (`key` empty; the window is journaled with it; `note` names the
    /// policy and AWS's request ID). The reversible step for a member's root
    /// keys, which centralized root access cannot deactivate.
    Quarantine,
    /// Organization mode: the quarantine SCP detached from this member
    /// account (the backout, or the last step after a verified delete).
    Release,
    /// Organization mode: rootkeys found the quarantine attached with no
    /// journaled quarantine of its own (attached elsewhere): the window
    /// starts here.
    QuarantineSeen,
    /// Organization mode: rootkeys found the quarantine gone although the
    /// journal says it is attached (detached elsewhere): a later quarantine
    /// starts a new window.
    QuarantineGone,
    /// Organization mode: a fresh Audit session listed no root access key
    /// in this member account after a delete.
    Verify,
    /// Organization mode: the prevention SCP (no root `iam:CreateAccessKey`)
    /// attached at the organization root; journaled in the caller's account.
    Prevent,
}

impl Act {
    /// An act only organization mode writes and settles (it is about an
    /// SCP, not a key).
    pub fn organization_only(self) -> bool {
        matches!(
            self,
            Self::Quarantine
                | Self::Release
                | Self::QuarantineSeen
                | Self::QuarantineGone
                | Self::Verify
                | Self::Prevent
        )
    }

    pub fn verb(self) -> &'static str {
        match self {
            Self::Deactivate => "deactivate",
            Self::Reactivate => "reactivate",
            Self::Delete => "delete",
            Self::FirstSeenInactive => "first seen inactive",
            Self::SeenActive => "seen active",
            Self::WindowRestarted => "window restarted",
            Self::SessionOpened => "session opened",
            Self::Quarantine => "quarantine",
            Self::Release => "release",
            Self::QuarantineSeen => "quarantine first seen",
            Self::QuarantineGone => "quarantine seen gone",
            Self::Verify => "verify",
            Self::Prevent => "prevent",
        }
    }
}

/// Where in its life a write is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Written and fsync'd before the AWS call.
    Intent,
    /// Written after the AWS call answered.
    Outcome,
    /// An intent with no outcome, settled later against live state.
    Reconciled,
    /// A fact rootkeys observed (no AWS write).
    Observed,
}

/// The result carried by an outcome or reconciliation record (the
/// `result` field of a journal line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The write took effect.
    Ok,
    /// AWS refused or failed; the code is AWS's error code or rootkeys' own
    /// short code for the failure (`AccountError::code`: `AccessDenied`,
    /// `Throttling`, `NoSuchEntity`, …).
    Error { code: String },
    /// Reconciliation found the write had not taken effect.
    NotApplied,
    /// The call failed in a way that leaves its effect unknown (the
    /// connection dropped after sending); settled later by reconciliation.
    Unknown { code: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub time: DateTime<Utc>,
    pub account: String,
    pub caller: String,
    pub key: String,
    pub action: Act,
    pub phase: Phase,
    /// Links an intent to its outcome or reconciliation.
    pub op: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Outcome>,
    /// The observation window was overridden for this delete.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub forced: bool,
    /// The observation window in force, in seconds, journaled with every
    /// record that starts one (a deactivation, a first inactive sighting, a
    /// restart). The enforced window is this one, whatever `--observe` says
    /// later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_secs: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub version: String,
}

/// When rootkeys last changed the account, as the journal says: the newest
/// outcome or reconciliation that took effect.
pub fn last_write<'a>(records: impl IntoIterator<Item = &'a Record>) -> Option<DateTime<Utc>> {
    records
        .into_iter()
        .filter(|r| matches!(r.phase, Phase::Outcome | Phase::Reconciled) && r.applied())
        .map(|r| r.time)
        .max()
}

impl Record {
    /// Does this record, once applied, start an observation window?
    pub fn starts_window(&self) -> bool {
        matches!(
            self.action,
            Act::Deactivate | Act::FirstSeenInactive | Act::WindowRestarted
        )
    }

    /// A write found already done (`deactivate` of an inactive key,
    /// `reactivate` of an active one): journaled as observed, no AWS call.
    /// A sighting of the state, not a change: it neither starts nor ends a
    /// window.
    pub fn found_already_done(&self) -> bool {
        self.phase == Phase::Observed
            && matches!(self.action, Act::Deactivate | Act::Reactivate | Act::Delete)
    }

    /// Did this record leave the key in the state its action aims at?
    pub fn applied(&self) -> bool {
        match self.phase {
            Phase::Observed => true,
            Phase::Outcome | Phase::Reconciled => matches!(self.result, Some(Outcome::Ok)),
            Phase::Intent => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Outcome;

    #[test]
    fn outcomes_keep_their_journal_names() {
        let json = |o: &Outcome| serde_json::to_string(o).expect("serialise");
        assert_eq!(json(&Outcome::Ok), r#""ok""#);
        assert_eq!(json(&Outcome::NotApplied), r#""not_applied""#);
        assert_eq!(
            json(&Outcome::Error {
                code: "AccessDenied".into()
            }),
            r#"{"error":{"code":"AccessDenied"}}"#
        );
        assert_eq!(
            json(&Outcome::Unknown {
                code: "NoAnswer".into()
            }),
            r#"{"unknown":{"code":"NoAnswer"}}"#
        );
    }
}
