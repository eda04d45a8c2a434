//! Stages and the policy: from a key's live status and the journal, which
//! stage the key is in, and which action is allowed now (or why not).
//! Pure: `now` and the window are passed in.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::record::{Act, Record};
use super::window::human;
use super::{KeyStatus, RootKey};

/// Where a key stands in the staged process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    Active,
    /// Inactive; the observation window runs until `until`.
    Observing {
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    },
    /// Inactive and the window has passed.
    ReadyToDelete {
        since: DateTime<Utc>,
    },
    /// Gone from the account (deleted by rootkeys, as the journal says).
    Deleted {
        at: DateTime<Utc>,
    },
    /// Inactive, seen only through the credential report (auditor view):
    /// the journal cannot be tied to a slot.
    Inactive,
}

impl Stage {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Observing { .. } => "observing",
            Self::ReadyToDelete { .. } => "ready_to_delete",
            Self::Deleted { .. } => "deleted",
            Self::Inactive => "inactive",
        }
    }

    /// For people: `observing (4 d 3 h left)`.
    pub fn describe(&self, now: DateTime<Utc>) -> String {
        match self {
            Self::Active => "active".to_owned(),
            Self::Observing { until, .. } => {
                format!("observing ({} left)", human(*until - now))
            }
            Self::ReadyToDelete { .. } => "ready to delete".to_owned(),
            Self::Deleted { .. } => "deleted".to_owned(),
            Self::Inactive => "inactive".to_owned(),
        }
    }
}

/// The stage of a key, and whether rootkeys must record that it saw the key
/// inactive for the first time (which starts the window).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub stage: Stage,
    pub record_first_seen: bool,
}

/// Derive the stage of a live key from its status and the journal records
/// of its account.
pub fn assess(
    key: &RootKey,
    records: &[Record],
    now: DateTime<Utc>,
    window: TimeDelta,
) -> Assessment {
    let plain = |stage| Assessment {
        stage,
        record_first_seen: false,
    };
    if key.status == KeyStatus::Active {
        return plain(Stage::Active);
    }
    let Some(key_id) = key.access_key_id.as_deref() else {
        return plain(Stage::Inactive);
    };
    let last_change = records
        .iter()
        .filter(|r| r.key == key_id && r.applied())
        .filter(|r| {
            matches!(
                r.action,
                Act::Deactivate | Act::Reactivate | Act::FirstSeenInactive
            )
        })
        .max_by_key(|r| r.time);
    let window_from = |since: DateTime<Utc>| {
        let until = since + window;
        if now < until {
            Stage::Observing { since, until }
        } else {
            Stage::ReadyToDelete { since: until }
        }
    };
    match last_change {
        Some(r) if r.action != Act::Reactivate => plain(window_from(r.time)),
        // No record of the deactivation (done elsewhere, or after a
        // reactivation): the window starts now, unless the key's last use
        // is already older than the window.
        _ => match &key.last_used {
            Some(used) if now - used.date >= window => plain(Stage::ReadyToDelete {
                since: used.date + window,
            }),
            _ => Assessment {
                stage: Stage::Observing {
                    since: now,
                    until: now + window,
                },
                record_first_seen: true,
            },
        },
    }
}

/// Keys the journal says were deleted (with the time), and that are not live.
pub fn deleted_keys<'a>(records: &'a [Record], live: &[RootKey]) -> Vec<(&'a str, DateTime<Utc>)> {
    let mut out: Vec<(&str, DateTime<Utc>)> = Vec::new();
    for r in records {
        if r.action == Act::Delete
            && r.applied()
            && !live
                .iter()
                .any(|k| k.access_key_id.as_deref() == Some(r.key.as_str()))
            && !out.iter().any(|(k, _)| *k == r.key)
        {
            out.push((r.key.as_str(), r.time));
        }
    }
    out
}

/// A write the operator asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    Deactivate,
    Reactivate,
    Delete { force: bool },
}

impl Request {
    pub fn act(self) -> Act {
        match self {
            Self::Deactivate => Act::Deactivate,
            Self::Reactivate => Act::Reactivate,
            Self::Delete { .. } => Act::Delete,
        }
    }
}

/// Why a write is not allowed now. Each names the rule and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NotRoot { caller: String },
    UnknownKey { key: String },
    AlreadyActive,
    AlreadyInactive,
    AlreadyDeleted,
    ActiveKeyDelete,
    StillObserving { left: TimeDelta },
    KeyIdUnknown,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotRoot { caller } => write!(
                f,
                "not signed in as root: this session is {caller}. Only the root user can change root's keys; \
                 sign in with root credentials (e.g. `--profile` naming a root profile) and run again"
            ),
            Self::UnknownKey { key } => write!(
                f,
                "no root access key {key} in this account; `rootkeys status` lists the keys"
            ),
            Self::AlreadyActive => f.write_str("the key is already active"),
            Self::AlreadyInactive => f.write_str(
                "the key is already inactive; it is observing or ready to delete (see `rootkeys status`)",
            ),
            Self::AlreadyDeleted => f.write_str("the key has already been deleted"),
            Self::ActiveKeyDelete => f.write_str(
                "active keys are deactivated first: run `rootkeys deactivate KEY_ID`, \
                 observe for the window, then delete",
            ),
            Self::StillObserving { left } => write!(
                f,
                "still observing: {} left. Wait for the window to pass so anything still using the key \
                 shows itself (or override from the command line with `rootkeys delete --force`, which is journaled)",
                human(*left)
            ),
            Self::KeyIdUnknown => f.write_str(
                "the key ID is unknown in this view (credential report only); sign in as root",
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allowed { forced: bool },
    Refused(Refusal),
}

/// Which action is allowed now. `stage` is `None` when the key is unknown.
pub fn decide(
    request: Request,
    caller_is_root: bool,
    caller: &str,
    key: &str,
    stage: Option<&Stage>,
    now: DateTime<Utc>,
) -> Decision {
    use Decision::{Allowed, Refused};
    if !caller_is_root {
        return Refused(Refusal::NotRoot {
            caller: caller.to_owned(),
        });
    }
    let Some(stage) = stage else {
        return Refused(Refusal::UnknownKey {
            key: key.to_owned(),
        });
    };
    match (request, stage) {
        (_, Stage::Deleted { .. }) => Refused(Refusal::AlreadyDeleted),
        (_, Stage::Inactive) => Refused(Refusal::KeyIdUnknown),
        (Request::Deactivate, Stage::Active)
        | (Request::Delete { .. }, Stage::ReadyToDelete { .. }) => Allowed { forced: false },
        (Request::Deactivate, _) => Refused(Refusal::AlreadyInactive),
        (Request::Reactivate, Stage::Active) => Refused(Refusal::AlreadyActive),
        (Request::Reactivate, _) => Allowed { forced: false },
        (Request::Delete { .. }, Stage::Active) => Refused(Refusal::ActiveKeyDelete),
        (Request::Delete { force: true }, Stage::Observing { .. }) => Allowed { forced: true },
        (Request::Delete { force: false }, Stage::Observing { until, .. }) => {
            Refused(Refusal::StillObserving { left: *until - now })
        }
    }
}

/// The recommended next step for a key, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextStep {
    pub action: Option<Request>,
    pub why: String,
}

pub fn next_step(
    stage: &Stage,
    caller_is_root: bool,
    signs_session: bool,
    now: DateTime<Utc>,
) -> NextStep {
    let step = |action, why: &str| NextStep {
        action,
        why: why.to_owned(),
    };
    if !caller_is_root {
        return step(
            None,
            "read-only: sign in as root to deactivate or delete root's keys",
        );
    }
    match stage {
        Stage::Active if signs_session => step(
            Some(Request::Deactivate),
            "deactivate last: this key signs this session, so deactivating it ends rootkeys' access",
        ),
        Stage::Active => step(
            Some(Request::Deactivate),
            "deactivate first: anything still using the key breaks loudly but can be restored",
        ),
        Stage::Observing { until, .. } => NextStep {
            action: None,
            why: format!(
                "observe: {} left; reactivate if something broke",
                human(*until - now)
            ),
        },
        Stage::ReadyToDelete { .. } => step(
            Some(Request::Delete { force: false }),
            "delete: the window passed with the key inactive; deletion cannot be undone",
        ),
        Stage::Deleted { .. } => step(None, "done: verify that the account has no root keys"),
        Stage::Inactive => step(None, "sign in as root to continue"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::{Phase, Result as Res};
    use crate::domain::{KeyStatus, LastUsed};

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("test date")
            .with_timezone(&Utc)
    }

    fn key(status: KeyStatus, last_used: Option<&str>) -> RootKey {
        RootKey {
            access_key_id: Some("AKIAKEY1".to_owned()),
            slot: None,
            status,
            created: Some(t("2020-01-01T00:00:00Z")),
            last_used: last_used.map(|d| LastUsed {
                date: t(d),
                service: Some("s3".to_owned()),
                region: Some("eu-west-1".to_owned()),
            }),
            signs_this_session: false,
        }
    }

    fn rec(action: Act, phase: Phase, result: Option<Res>, time: &str) -> Record {
        Record {
            time: t(time),
            account: "123456789012".to_owned(),
            caller: "arn:aws:iam::123456789012:root".to_owned(),
            key: "AKIAKEY1".to_owned(),
            action,
            phase,
            op: "op".to_owned(),
            result,
            forced: false,
            note: None,
            version: "test".to_owned(),
        }
    }

    const NOW: &str = "2026-11-25T12:00:00Z";

    #[test]
    fn active_key_is_active() {
        let a = assess(
            &key(KeyStatus::Active, None),
            &[],
            t(NOW),
            TimeDelta::days(7),
        );
        assert_eq!(a.stage, Stage::Active);
        assert!(!a.record_first_seen);
    }

    #[test]
    fn deactivated_key_observes_then_is_ready() {
        let records = [
            rec(Act::Deactivate, Phase::Intent, None, "2026-11-20T12:00:00Z"),
            rec(
                Act::Deactivate,
                Phase::Outcome,
                Some(Res::Ok),
                "2026-11-20T12:00:01Z",
            ),
        ];
        let k = key(KeyStatus::Inactive, Some("2026-11-19T00:00:00Z"));
        let a = assess(&k, &records, t(NOW), TimeDelta::days(7));
        assert_eq!(
            a.stage,
            Stage::Observing {
                since: t("2026-11-20T12:00:01Z"),
                until: t("2026-11-27T12:00:01Z")
            }
        );
        let later = assess(&k, &records, t("2026-11-28T00:00:00Z"), TimeDelta::days(7));
        assert!(matches!(later.stage, Stage::ReadyToDelete { .. }));
    }

    #[test]
    fn failed_deactivation_does_not_start_the_window() {
        let records = [rec(
            Act::Deactivate,
            Phase::Outcome,
            Some(Res::Error {
                code: "Throttling".to_owned(),
            }),
            "2026-11-01T00:00:00Z",
        )];
        let k = key(KeyStatus::Inactive, Some("2026-11-24T00:00:00Z"));
        let a = assess(&k, &records, t(NOW), TimeDelta::days(7));
        assert!(a.record_first_seen, "window must start now");
        assert!(matches!(a.stage, Stage::Observing { since, .. } if since == t(NOW)));
    }

    #[test]
    fn inactive_without_record_starts_window_unless_unused_for_longer() {
        let recent = key(KeyStatus::Inactive, Some("2026-11-24T00:00:00Z"));
        let a = assess(&recent, &[], t(NOW), TimeDelta::days(7));
        assert!(a.record_first_seen);
        let never = key(KeyStatus::Inactive, None);
        assert!(assess(&never, &[], t(NOW), TimeDelta::days(7)).record_first_seen);
        let old = key(KeyStatus::Inactive, Some("2026-01-01T00:00:00Z"));
        let a = assess(&old, &[], t(NOW), TimeDelta::days(7));
        assert!(!a.record_first_seen);
        assert!(matches!(a.stage, Stage::ReadyToDelete { .. }));
    }

    #[test]
    fn reactivation_resets_the_window() {
        let records = [
            rec(
                Act::Deactivate,
                Phase::Outcome,
                Some(Res::Ok),
                "2026-11-01T00:00:00Z",
            ),
            rec(
                Act::Reactivate,
                Phase::Outcome,
                Some(Res::Ok),
                "2026-11-02T00:00:00Z",
            ),
        ];
        let k = key(KeyStatus::Inactive, Some("2026-11-24T00:00:00Z"));
        let a = assess(&k, &records, t(NOW), TimeDelta::days(7));
        assert!(a.record_first_seen);
    }

    #[test]
    fn reconciled_deactivation_counts() {
        let records = [rec(
            Act::Deactivate,
            Phase::Reconciled,
            Some(Res::Ok),
            "2026-11-10T00:00:00Z",
        )];
        let k = key(KeyStatus::Inactive, Some("2026-11-09T00:00:00Z"));
        let a = assess(&k, &records, t(NOW), TimeDelta::days(7));
        assert!(matches!(a.stage, Stage::ReadyToDelete { .. }));
    }

    #[test]
    fn non_root_cannot_write_anything() {
        for req in [
            Request::Deactivate,
            Request::Reactivate,
            Request::Delete { force: true },
        ] {
            let d = decide(
                req,
                false,
                "arn:aws:iam::1:user/bob",
                "K",
                Some(&Stage::Active),
                t(NOW),
            );
            assert!(
                matches!(d, Decision::Refused(Refusal::NotRoot { .. })),
                "{req:?}"
            );
        }
    }

    #[test]
    fn active_key_cannot_be_deleted_even_forced() {
        for force in [false, true] {
            let d = decide(
                Request::Delete { force },
                true,
                "root",
                "K",
                Some(&Stage::Active),
                t(NOW),
            );
            assert_eq!(d, Decision::Refused(Refusal::ActiveKeyDelete));
        }
    }

    #[test]
    fn observing_key_needs_force_and_says_time_left() {
        let stage = Stage::Observing {
            since: t("2026-11-22T09:00:00Z"),
            until: t("2026-11-29T15:00:00Z"),
        };
        let d = decide(
            Request::Delete { force: false },
            true,
            "root",
            "K",
            Some(&stage),
            t(NOW),
        );
        let Decision::Refused(r) = d else {
            panic!("must refuse")
        };
        assert!(r.to_string().contains("4 d 3 h left"), "{r}");
        let d = decide(
            Request::Delete { force: true },
            true,
            "root",
            "K",
            Some(&stage),
            t(NOW),
        );
        assert_eq!(d, Decision::Allowed { forced: true });
    }

    #[test]
    fn ready_key_can_be_deleted_and_unknown_key_is_refused() {
        let ready = Stage::ReadyToDelete { since: t(NOW) };
        assert_eq!(
            decide(
                Request::Delete { force: false },
                true,
                "root",
                "K",
                Some(&ready),
                t(NOW)
            ),
            Decision::Allowed { forced: false }
        );
        assert!(matches!(
            decide(Request::Deactivate, true, "root", "K", None, t(NOW)),
            Decision::Refused(Refusal::UnknownKey { .. })
        ));
    }

    #[test]
    fn deleted_keys_come_from_applied_deletes_only() {
        let mut ok = rec(
            Act::Delete,
            Phase::Outcome,
            Some(Res::Ok),
            "2026-11-20T00:00:00Z",
        );
        ok.key = "AKIAGONE".to_owned();
        let failed = rec(
            Act::Delete,
            Phase::Outcome,
            Some(Res::Error {
                code: "AccessDenied".to_owned(),
            }),
            "2026-11-20T00:00:00Z",
        );
        let records = [ok, failed];
        let gone = deleted_keys(&records, &[key(KeyStatus::Inactive, None)]);
        assert_eq!(gone, vec![("AKIAGONE", t("2026-11-20T00:00:00Z"))]);
    }
}
