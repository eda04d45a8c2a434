//! The staged removal of a member account's root keys, as a policy: from
//! the live facts (root keys listed in an Audit session, whether the
//! quarantine SCP is attached) and the member's journal, its stage, what is
//! allowed next, and what to say about it.
//!
//! ```text
//!   keys ──quarantine──▶ quarantined (observing) ──window passed──▶ ready ──delete──▶ deleted ──▶ verified ──▶ released
//!     ▲                        │
//!     └────────release─────────┘  (backout: something broke)
//! ```
//!
//! Pure: the clock and the journal records are passed in. Like the
//! single-account policy, the window is the one journaled with the
//! quarantine; a shorter one needs `--force`, which is journaled.

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};

use crate::domain::policy::{journaled_window, window_end};
use crate::domain::record::{Act, Outcome, Phase, Record};
use crate::domain::window;
use crate::domain::{LastUsed, RootKey};

/// The quarantine the journal says is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quarantine {
    /// When it began (the attachment's outcome, or its first sighting).
    pub since: DateTime<Utc>,
    /// The window journaled with it.
    pub window: TimeDelta,
}

impl Quarantine {
    pub fn ends(&self) -> DateTime<Utc> {
        window_end(self.since, self.window)
    }
}

/// The quarantine in force according to the journal (records in file
/// order): the last applied `Quarantine` or `QuarantineSeen`, unless an
/// applied `Release` or `QuarantineGone` came after it.
pub fn journaled_quarantine(records: &[Record], configured: TimeDelta) -> Option<Quarantine> {
    let mut current = None;
    for r in records {
        if !r.applied() {
            continue;
        }
        match (r.action, r.phase) {
            (Act::Quarantine | Act::QuarantineSeen, Phase::Outcome | Phase::Reconciled)
            | (Act::QuarantineSeen, Phase::Observed) => {
                current = Some(Quarantine {
                    since: r.time,
                    window: journaled_window(r, configured),
                });
            }
            // A quarantine found already attached keeps the window running.
            (Act::Quarantine, Phase::Observed) if current.is_none() => {
                current = Some(Quarantine {
                    since: r.time,
                    window: journaled_window(r, configured),
                });
            }
            (Act::Release | Act::QuarantineGone, _) => current = None,
            _ => {}
        }
    }
    current
}

/// Was the window of the quarantine in force overridden by a forced
/// delete already? (Only for wording; the override itself is per request.)
pub fn forced_before(records: &[Record]) -> bool {
    records.iter().any(|r| r.forced)
}

/// What rootkeys must journal before deciding, when the live state and the
/// journal disagree: a quarantine attached elsewhere (its window starts
/// now), or one detached elsewhere (the next quarantine starts afresh).
pub fn sighting(
    journaled: Option<Quarantine>,
    attached: bool,
    configured: TimeDelta,
) -> Option<(Act, Option<i64>, &'static str)> {
    match (journaled, attached) {
        (None, true) => Some((
            Act::QuarantineSeen,
            Some(configured.num_seconds()),
            "the quarantine SCP is attached but no quarantine is journaled (attached outside \
             rootkeys): the observation window starts now",
        )),
        (Some(_), false) => Some((
            Act::QuarantineGone,
            None,
            "the journal says quarantined but the SCP is not attached (detached outside \
             rootkeys): a new quarantine starts a new window",
        )),
        _ => None,
    }
}

/// Where a member account is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgStage {
    /// The management account: SCPs never apply to it and `AssumeRoot`
    /// cannot target it; its root keys stay with single-account mode.
    Management,
    /// Not readable now (suspended, or its Audit session failed).
    Unknown,
    /// No root access key, no quarantine: compliant.
    Compliant,
    /// Root access keys, not quarantined.
    KeysPresent,
    /// Quarantined; the window is running.
    Quarantined {
        since: DateTime<Utc>,
        ends: DateTime<Utc>,
    },
    /// Quarantined; the window has passed.
    Ready {
        since: DateTime<Utc>,
        ends: DateTime<Utc>,
    },
    /// No root access key any more, the quarantine still attached: detach it.
    Deleted,
}

impl OrgStage {
    /// The JSON name (`stage` of `org status --json`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Management => "management",
            Self::Unknown => "unknown",
            Self::Compliant => "compliant",
            Self::KeysPresent => "keys_present",
            Self::Quarantined { .. } => "quarantined",
            Self::Ready { .. } => "ready_to_delete",
            Self::Deleted => "deleted",
        }
    }

    /// For people: `quarantined (3 d 2 h left)`.
    pub fn describe(self, now: DateTime<Utc>) -> String {
        match self {
            Self::Management => "management account".to_owned(),
            Self::Unknown => "unknown".to_owned(),
            Self::Compliant => "compliant".to_owned(),
            Self::KeysPresent => "keys present".to_owned(),
            Self::Quarantined { ends, .. } => {
                format!("quarantined ({} left)", window::human(ends - now))
            }
            Self::Ready { .. } => "ready to delete".to_owned(),
            Self::Deleted => "deleted, quarantine attached".to_owned(),
        }
    }

    pub fn quarantined_since(self) -> Option<DateTime<Utc>> {
        match self {
            Self::Quarantined { since, .. } | Self::Ready { since, .. } => Some(since),
            _ => None,
        }
    }

    pub fn window_ends(self) -> Option<DateTime<Utc>> {
        match self {
            Self::Quarantined { ends, .. } | Self::Ready { ends, .. } => Some(ends),
            _ => None,
        }
    }
}

/// What is known about one account when deciding.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub management: bool,
    /// Root's keys as an Audit session listed them; `None`: not readable.
    pub keys: Option<&'a [RootKey]>,
    /// The quarantine SCP is attached to the account.
    pub attached: bool,
    /// The quarantine in force, from the journal (after any sighting was
    /// journaled).
    pub quarantine: Option<Quarantine>,
}

/// The stage of an account.
pub fn stage(facts: Facts<'_>, now: DateTime<Utc>) -> OrgStage {
    if facts.management {
        return OrgStage::Management;
    }
    let Some(keys) = facts.keys else {
        return OrgStage::Unknown;
    };
    match (keys.is_empty(), facts.attached, facts.quarantine) {
        (true, false, _) => OrgStage::Compliant,
        (true, true, _) => OrgStage::Deleted,
        (false, false, _) => OrgStage::KeysPresent,
        (false, true, q) => {
            // Attached with no journaled quarantine cannot reach here once
            // the sighting is journaled; until then the window starts now.
            let q = q.unwrap_or(Quarantine {
                since: now,
                window: TimeDelta::MAX,
            });
            let ends = q.ends();
            if now >= ends {
                OrgStage::Ready {
                    since: q.since,
                    ends,
                }
            } else {
                OrgStage::Quarantined {
                    since: q.since,
                    ends,
                }
            }
        }
    }
}

/// A write organization mode can make to one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgRequest {
    Quarantine,
    Release,
    /// Delete every root key, verify in a fresh Audit session, detach the
    /// quarantine. `force`: before the window has passed (journaled).
    Delete {
        force: bool,
    },
}

impl OrgRequest {
    pub fn verb(self) -> &'static str {
        match self {
            Self::Quarantine => "quarantine",
            Self::Release => "release",
            Self::Delete { .. } => "delete",
        }
    }
}

/// Why a request is not carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgRefusal {
    Management,
    /// Not readable (suspended, or its Audit session failed): the reason.
    Unknown(String),
    /// Quarantine of an account without root keys.
    NoKeys,
    /// Delete of an account that is not quarantined.
    NotQuarantined,
    /// Delete while the window is running.
    Observing {
        ends: DateTime<Utc>,
        left: TimeDelta,
    },
}

impl OrgRefusal {
    /// The reason and what to do, for one account.
    pub fn explain(&self, account_id: &str) -> String {
        match self {
            Self::Management => "the management account cannot be quarantined, released or \
                 cleaned here: service control policies never apply to it and AssumeRoot cannot \
                 target it; remove its root keys with single-account mode (`rootkeys` as its root \
                 user)"
                .to_owned(),
            Self::Unknown(why) => format!("its root keys could not be read: {why}"),
            Self::NoKeys => "it has no root access key: nothing to quarantine".to_owned(),
            Self::NotQuarantined => format!(
                "its root keys are not quarantined: quarantine first and observe \
                 (`rootkeys org quarantine {account_id}`)"
            ),
            Self::Observing { ends, left } => format!(
                "the observation window ends {} ({} left); wait, or override with --force \
                 (journaled)",
                crate::render::time::text(ends),
                window::human(*left)
            ),
        }
    }
}

/// What to do with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgDecision {
    /// Go ahead. `forced`: a delete before the window passed.
    Go {
        forced: bool,
    },
    /// Already so: journaled as observed, no AWS call.
    AlreadyDone(&'static str),
    Refused(OrgRefusal),
}

/// Decide a request for an account at `stage`.
pub fn decide(request: OrgRequest, stage: OrgStage, now: DateTime<Utc>) -> OrgDecision {
    use OrgDecision::{AlreadyDone, Go, Refused};
    match (request, stage) {
        (_, OrgStage::Management) => Refused(OrgRefusal::Management),
        (_, OrgStage::Unknown) => Refused(OrgRefusal::Unknown(
            "no Audit session could read them".to_owned(),
        )),
        (OrgRequest::Quarantine, OrgStage::Compliant) => Refused(OrgRefusal::NoKeys),
        (
            OrgRequest::Quarantine,
            OrgStage::Quarantined { .. } | OrgStage::Ready { .. } | OrgStage::Deleted,
        ) => AlreadyDone("already quarantined"),
        (OrgRequest::Release, OrgStage::Compliant | OrgStage::KeysPresent) => {
            AlreadyDone("not quarantined")
        }
        (OrgRequest::Quarantine, OrgStage::KeysPresent)
        | (
            OrgRequest::Release,
            OrgStage::Quarantined { .. } | OrgStage::Ready { .. } | OrgStage::Deleted,
        ) => Go { forced: false },
        (OrgRequest::Delete { .. }, OrgStage::Compliant) => AlreadyDone("no root access key left"),
        (OrgRequest::Delete { .. }, OrgStage::KeysPresent) => Refused(OrgRefusal::NotQuarantined),
        (OrgRequest::Delete { force }, OrgStage::Quarantined { ends, .. }) => {
            if force {
                Go { forced: true }
            } else {
                Refused(OrgRefusal::Observing {
                    ends,
                    left: ends - now,
                })
            }
        }
        (OrgRequest::Delete { .. }, OrgStage::Ready { .. } | OrgStage::Deleted) => {
            Go { forced: false }
        }
    }
}

/// Keys used after the quarantine began: a consumer that was just denied.
/// AWS gives last use to the second, so a use in the very second the
/// quarantine began counts as after it (the side that suggests a release).
pub fn used_since(keys: &[RootKey], since: DateTime<Utc>) -> Vec<(&str, &LastUsed)> {
    let since = since.trunc_subsecs(0);
    keys.iter()
        .filter_map(|k| {
            let used = k.last_used.as_ref()?;
            (used.date >= since).then(|| (k.access_key_id.as_deref().unwrap_or("(unknown)"), used))
        })
        .collect()
}

/// The next step for an account, as a command line where there is one.
pub fn next_action(account_id: &str, stage: OrgStage, used_since_quarantine: bool) -> String {
    match stage {
        OrgStage::Management => {
            "remove its root keys in single-account mode (`rootkeys` as its root user)".to_owned()
        }
        OrgStage::Unknown => "read it again: rootkeys org status".to_owned(),
        OrgStage::Compliant => "none".to_owned(),
        OrgStage::KeysPresent => format!("rootkeys org quarantine {account_id}"),
        OrgStage::Quarantined { ends, .. } if used_since_quarantine => format!(
            "a key was used after the quarantine began: a consumer just failed; release \
             (rootkeys org release {account_id}), move it to a role, then quarantine again \
             (window ends {})",
            crate::render::time::text(&ends)
        ),
        OrgStage::Quarantined { ends, .. } => format!(
            "observe until {}; if something broke: rootkeys org release {account_id}",
            crate::render::time::text(&ends)
        ),
        OrgStage::Ready { .. } if used_since_quarantine => format!(
            "a key was used after the quarantine began: release (rootkeys org release \
             {account_id}) and move the consumer before deleting"
        ),
        OrgStage::Ready { .. } => format!("rootkeys org delete {account_id}"),
        OrgStage::Deleted => format!("rootkeys org release {account_id}"),
    }
}

/// The result recorded for a write's AWS error: unknown when the request
/// may have been applied.
pub fn outcome_of_error(err: &crate::account::AccountError) -> Outcome {
    if err.outcome_unknown() {
        Outcome::Unknown { code: err.code() }
    } else {
        Outcome::Error { code: err.code() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::KeyStatus;
    use chrono::TimeZone;

    fn t(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
            .single()
            .expect("date")
            + TimeDelta::hours(h)
    }

    fn rec(time: DateTime<Utc>, action: Act, phase: Phase, result: Option<Outcome>) -> Record {
        Record {
            time,
            account: "111111111111".into(),
            caller: "arn:aws:iam::123456789012:user/admin".into(),
            key: String::new(),
            action,
            phase,
            op: "op".into(),
            result,
            forced: false,
            window_secs: Some(7 * 86_400),
            note: None,
            version: "test".into(),
        }
    }

    fn key(id: &str, used: Option<DateTime<Utc>>) -> RootKey {
        RootKey {
            access_key_id: Some(id.into()),
            slot: None,
            status: KeyStatus::Active,
            created: None,
            last_used: used.map(|date| LastUsed {
                date,
                service: Some("s3".into()),
                region: None,
            }),
            signs_this_session: false,
        }
    }

    const WEEK: TimeDelta = TimeDelta::days(7);

    #[test]
    fn the_journaled_quarantine_follows_applied_records_in_file_order() {
        let ok = Some(Outcome::Ok);
        let records = vec![
            rec(t(0), Act::Quarantine, Phase::Intent, None),
            rec(t(0), Act::Quarantine, Phase::Outcome, ok.clone()),
        ];
        let q = journaled_quarantine(&records, WEEK).expect("quarantined");
        assert_eq!((q.since, q.ends()), (t(0), t(7 * 24)));

        let mut released = records.clone();
        released.push(rec(t(5), Act::Release, Phase::Outcome, ok.clone()));
        assert_eq!(journaled_quarantine(&released, WEEK), None);

        let mut again = released.clone();
        again.push(rec(t(9), Act::Quarantine, Phase::Outcome, ok.clone()));
        assert_eq!(
            journaled_quarantine(&again, WEEK).map(|q| q.since),
            Some(t(9))
        );

        let mut failed = released;
        failed.push(rec(
            t(9),
            Act::Quarantine,
            Phase::Outcome,
            Some(Outcome::Error {
                code: "AccessDenied".into(),
            }),
        ));
        assert_eq!(journaled_quarantine(&failed, WEEK), None, "a failed attach");

        let mut observed = records;
        observed.push(rec(t(30), Act::Quarantine, Phase::Observed, None));
        assert_eq!(
            journaled_quarantine(&observed, WEEK).map(|q| q.since),
            Some(t(0)),
            "found already attached does not restart the window"
        );
    }

    #[test]
    fn the_journaled_window_is_enforced_not_the_configured_one() {
        let mut r = rec(t(0), Act::Quarantine, Phase::Outcome, Some(Outcome::Ok));
        r.window_secs = Some(14 * 86_400);
        let q = journaled_quarantine(&[r], TimeDelta::days(1)).expect("quarantined");
        assert_eq!(q.ends(), t(14 * 24));
    }

    #[test]
    fn stages_follow_keys_attachment_and_window() {
        let keys = [key("AKIA1", None)];
        let q = Some(Quarantine {
            since: t(0),
            window: WEEK,
        });
        let f = |keys: Option<&'static [RootKey]>, attached, quarantine| Facts {
            management: false,
            keys,
            attached,
            quarantine,
        };
        let keys: &'static [RootKey] = Box::leak(Box::new(keys));
        assert_eq!(stage(f(Some(&[]), false, None), t(1)), OrgStage::Compliant);
        assert_eq!(
            stage(f(Some(keys), false, None), t(1)),
            OrgStage::KeysPresent
        );
        assert!(matches!(
            stage(f(Some(keys), true, q), t(1)),
            OrgStage::Quarantined { .. }
        ));
        assert!(matches!(
            stage(f(Some(keys), true, q), t(7 * 24)),
            OrgStage::Ready { .. }
        ));
        assert_eq!(stage(f(Some(&[]), true, q), t(1)), OrgStage::Deleted);
        assert_eq!(stage(f(None, true, q), t(1)), OrgStage::Unknown);
        let mut management = f(Some(keys), false, None);
        management.management = true;
        assert_eq!(stage(management, t(1)), OrgStage::Management);
    }

    #[test]
    fn decisions_enforce_the_staged_order() {
        let observing = OrgStage::Quarantined {
            since: t(0),
            ends: t(7 * 24),
        };
        let ready = OrgStage::Ready {
            since: t(0),
            ends: t(7 * 24),
        };
        let now = t(24);
        assert_eq!(
            decide(OrgRequest::Quarantine, OrgStage::Management, now),
            OrgDecision::Refused(OrgRefusal::Management)
        );
        assert_eq!(
            decide(OrgRequest::Quarantine, OrgStage::KeysPresent, now),
            OrgDecision::Go { forced: false }
        );
        assert_eq!(
            decide(OrgRequest::Quarantine, observing, now),
            OrgDecision::AlreadyDone("already quarantined")
        );
        assert_eq!(
            decide(
                OrgRequest::Delete { force: false },
                OrgStage::KeysPresent,
                now
            ),
            OrgDecision::Refused(OrgRefusal::NotQuarantined)
        );
        assert_eq!(
            decide(
                OrgRequest::Delete { force: true },
                OrgStage::KeysPresent,
                now
            ),
            OrgDecision::Refused(OrgRefusal::NotQuarantined),
            "--force shortens a window; it never skips the quarantine"
        );
        assert_eq!(
            decide(OrgRequest::Delete { force: false }, observing, now),
            OrgDecision::Refused(OrgRefusal::Observing {
                ends: t(7 * 24),
                left: TimeDelta::days(6)
            })
        );
        assert_eq!(
            decide(OrgRequest::Delete { force: true }, observing, now),
            OrgDecision::Go { forced: true }
        );
        assert_eq!(
            decide(OrgRequest::Delete { force: false }, ready, now),
            OrgDecision::Go { forced: false }
        );
        assert_eq!(
            decide(OrgRequest::Release, observing, now),
            OrgDecision::Go { forced: false }
        );
        assert_eq!(
            decide(OrgRequest::Release, OrgStage::KeysPresent, now),
            OrgDecision::AlreadyDone("not quarantined")
        );
        assert!(matches!(
            decide(OrgRequest::Release, OrgStage::Management, now),
            OrgDecision::Refused(OrgRefusal::Management)
        ));
    }

    #[test]
    fn sightings_journal_disagreements() {
        let q = Some(Quarantine {
            since: t(0),
            window: WEEK,
        });
        assert_eq!(
            sighting(None, true, WEEK).map(|s| s.0),
            Some(Act::QuarantineSeen)
        );
        assert_eq!(
            sighting(q, false, WEEK).map(|s| s.0),
            Some(Act::QuarantineGone)
        );
        assert_eq!(sighting(q, true, WEEK), None);
        assert_eq!(sighting(None, false, WEEK), None);
    }

    #[test]
    fn a_use_after_the_quarantine_began_is_a_consumer_that_just_failed() {
        let keys = [key("AKIA1", Some(t(-5))), key("AKIA2", Some(t(3)))];
        let used = used_since(&keys, t(0));
        assert_eq!(used.len(), 1);
        assert_eq!(used[0].0, "AKIA2");
        // Last use is to the second: the quarantine's own second counts.
        let half = t(0) + TimeDelta::milliseconds(500);
        assert_eq!(used_since(&[key("AKIA3", Some(t(0)))], half).len(), 1);
        assert!(used_since(&[key("AKIA4", Some(t(0) - TimeDelta::seconds(1)))], half).is_empty());
        let observing = OrgStage::Quarantined {
            since: t(0),
            ends: t(7 * 24),
        };
        assert!(
            next_action("111111111111", observing, true)
                .contains("rootkeys org release 111111111111")
        );
        assert!(next_action("111111111111", observing, true).contains("just failed"));
    }
}
