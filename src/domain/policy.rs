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

/// A fact the policy asks rootkeys to journal while assessing a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observation {
    /// Inactive with no window running: the window starts now.
    FirstSeenInactive,
    /// Active after a journaled window start: that window is over, and the
    /// next inactive sighting starts a new one.
    SeenActive,
    /// Used after the window began: the window starts again now.
    WindowRestarted {
        window_began: DateTime<Utc>,
        used: DateTime<Utc>,
    },
}

impl Observation {
    pub fn act(&self) -> Act {
        match self {
            Self::FirstSeenInactive => Act::FirstSeenInactive,
            Self::SeenActive => Act::SeenActive,
            Self::WindowRestarted { .. } => Act::WindowRestarted,
        }
    }

    /// Why, for the journal's note and the screen.
    pub fn note(&self) -> String {
        match self {
            Self::FirstSeenInactive => {
                "inactive with no observation window running (deactivated outside rootkeys, or again \
                 after a reactivation): the window starts now"
                    .to_owned()
            }
            Self::SeenActive => "active again after its deactivation (reactivated outside rootkeys): \
                 the next deactivation starts a new window"
                .to_owned(),
            Self::WindowRestarted { window_began, used } => format!(
                "last used {} UTC, after its window began {} UTC: it was active in between, so the \
                 window starts again now",
                used.format("%Y-%m-%d %H:%M"),
                window_began.format("%Y-%m-%d %H:%M")
            ),
        }
    }

    /// Does journaling this observation start a window?
    pub fn starts_window(&self) -> bool {
        !matches!(self, Self::SeenActive)
    }
}

/// The stage of a key, and what rootkeys must journal about it first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub stage: Stage,
    pub observe: Option<Observation>,
}

/// The end of a window, saturating instead of overflowing.
pub fn window_end(since: DateTime<Utc>, window: TimeDelta) -> DateTime<Utc> {
    since
        .checked_add_signed(window)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The window journaled with a record. A record from before windows were
/// journaled gets the longer of the default and the configured window:
/// never a shorter one than was promised.
pub fn journaled_window(record: &Record, configured: TimeDelta) -> TimeDelta {
    match record.window_secs {
        Some(secs) => TimeDelta::try_seconds(secs.max(0)).unwrap_or(TimeDelta::MAX),
        None => configured.max(TimeDelta::days(7)),
    }
}

/// Derive the stage of a live key from its status and the journal records
/// of its account, in file order (the latest record is the last one in the
/// file, whatever its timestamp says: clocks step back). `window` is the
/// configured window, used only for a window that starts now; a running
/// window keeps the length journaled with its start.
pub fn assess(
    key: &RootKey,
    records: &[Record],
    now: DateTime<Utc>,
    window: TimeDelta,
) -> Assessment {
    let plain = |stage| Assessment {
        stage,
        observe: None,
    };
    let Some(key_id) = key.access_key_id.as_deref() else {
        return plain(match key.status {
            KeyStatus::Active => Stage::Active,
            KeyStatus::Inactive => Stage::Inactive,
        });
    };
    let latest = records
        .iter()
        .rev()
        .filter(|r| r.key == key_id && r.applied() && !r.found_already_done())
        .find(|r| {
            matches!(
                r.action,
                Act::Deactivate
                    | Act::Reactivate
                    | Act::FirstSeenInactive
                    | Act::SeenActive
                    | Act::WindowRestarted
            )
        });
    let running = latest.filter(|r| r.starts_window());
    if key.status == KeyStatus::Active {
        return Assessment {
            stage: Stage::Active,
            observe: running.map(|_| Observation::SeenActive),
        };
    }
    let starts_now = |observe| {
        let until = window_end(now, window);
        Assessment {
            stage: Stage::Observing { since: now, until },
            observe: Some(observe),
        }
    };
    let Some(start) = running else {
        return starts_now(Observation::FirstSeenInactive);
    };
    if let Some(used) = &key.last_used
        && used.date > start.time
    {
        return starts_now(Observation::WindowRestarted {
            window_began: start.time,
            used: used.date,
        });
    }
    let since = start.time;
    let until = window_end(since, journaled_window(start, window));
    plain(if now < until {
        Stage::Observing { since, until }
    } else {
        Stage::ReadyToDelete { since: until }
    })
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

    /// What the write does to anything still using the key: the one
    /// wording every front end shows before asking to confirm it.
    /// `signs_session`: the key signs the session that would make the write,
    /// which cannot undo a deactivation with that key.
    pub fn consequence(self, signs_session: bool) -> &'static str {
        match self {
            Self::Deactivate if signs_session => {
                "Deactivating makes every request signed with this key fail with \
                 InvalidClientTokenId. Scripts, tools or servers that still use it will break, \
                 loudly: that is the point of the observation window. Nothing is deleted, but this \
                 session cannot undo it: once the key is inactive it can be reactivated from the \
                 console or a CloudShell root session."
            }
            Self::Deactivate => {
                "Deactivating makes every request signed with this key fail with \
                 InvalidClientTokenId. Scripts, tools or servers that still use it will break, \
                 loudly: that is the point of the observation window. Nothing is deleted: the key \
                 can be reactivated while observing."
            }
            Self::Reactivate => {
                "Reactivating lets requests signed with this key succeed again. The observation \
                 window starts afresh the next time the key is deactivated."
            }
            Self::Delete { .. } => {
                "Deleting removes the key for good. This cannot be undone: anything still using \
                 it stops working and the key cannot be restored."
            }
        }
    }
}

/// Where advice is read, so that it names what the reader can do there: a
/// command on the command line, a key in the interactive view, and in the
/// demo nothing that would run against a live account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Surface {
    #[default]
    Cli,
    /// The interactive view on a live account.
    View,
    /// The interactive view on the simulated account (`rootkeys demo`).
    Demo,
}

/// What to do before deactivating the key that signs this session, so that
/// rootkeys keeps its access.
pub fn switch_before_signing_key(surface: Surface) -> &'static str {
    match surface {
        Surface::Demo => {
            "with a real account, switch to temporary root credentials first (a CloudShell root \
             session), so that rootkeys keeps its access"
        }
        Surface::Cli | Surface::View => {
            "switch to temporary root credentials first (a CloudShell root session, or `aws sts \
             assume-root` from the organization's management account), so that rootkeys keeps its \
             access"
        }
    }
}

/// The warning before deactivating or deleting the key that signs this
/// session; the other active keys, when there are any, come first.
pub fn signing_key_warning(other_active: &[String]) -> String {
    let mut out = "This key signs this very session. After this step rootkeys (and anything else \
                   using these credentials) loses access and stops making calls; once the key is \
                   inactive it can be reactivated from the console or a CloudShell root session."
        .to_owned();
    if !other_active.is_empty() {
        out.push_str(&format!(
            " Handle the other active keys first: {}.",
            other_active.join(", ")
        ));
    }
    out
}

/// Why a write is not allowed now. Each names the rule and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NotRoot {
        caller: String,
    },
    UnknownKey {
        key: String,
    },
    AlreadyActive,
    AlreadyInactive,
    AlreadyDeleted,
    ActiveKeyDelete {
        key: String,
    },
    StillObserving {
        key: String,
        left: TimeDelta,
        /// The window journaled when it began.
        window: TimeDelta,
        /// `--observe`, when shorter than the running window: it does not
        /// shorten it.
        shorter_requested: Option<TimeDelta>,
    },
    KeyIdUnknown,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.advice(Surface::Cli))
    }
}

impl Refusal {
    /// The refusal and what to do, in the terms of where it is read.
    pub fn advice(&self, surface: Surface) -> String {
        let cli = surface == Surface::Cli;
        match self {
            Self::NotRoot { caller } => match surface {
                Surface::Cli => format!(
                    "not signed in as root: this session is {caller}. Only the root user can change \
                     root's keys; sign in with root credentials (e.g. `--profile` naming a root \
                     profile) and run again"
                ),
                Surface::View => format!(
                    "not signed in as root: this session is {caller}. Only the root user can change \
                     root's keys; sign in with root credentials and start rootkeys again"
                ),
                Surface::Demo => format!(
                    "not signed in as root: this simulated session is {caller}, an auditor. Only the \
                     root user can change root's keys; the other demo scenarios sign in as root"
                ),
            },
            Self::UnknownKey { key } if cli => format!(
                "no root access key {key} in this account; `rootkeys status` lists the keys"
            ),
            Self::UnknownKey { key } => {
                format!("no root access key {key} in this account; the table lists root's keys")
            }
            Self::AlreadyActive => "the key is already active".to_owned(),
            Self::AlreadyInactive if cli => {
                "the key is already inactive; it is observing or ready \
                 to delete (see `rootkeys status`)"
                    .to_owned()
            }
            Self::AlreadyInactive => "the key is already inactive; it is observing or ready to \
                 delete (see its stage in the table)"
                .to_owned(),
            Self::AlreadyDeleted => "the key has already been deleted".to_owned(),
            Self::ActiveKeyDelete { key } if cli => format!(
                "active keys are deactivated first: run `rootkeys deactivate {key}`, observe for \
                 the window, then delete"
            ),
            Self::ActiveKeyDelete { .. } => "active keys are deactivated first: press d to \
                 deactivate it, observe for the window, then press D to delete"
                .to_owned(),
            Self::StillObserving {
                key,
                left,
                window,
                shorter_requested,
            } => {
                let mut out = format!(
                    "still observing: {} left of the {} window journaled when it began. Wait for the \
                     window to pass so anything still using the key shows itself.",
                    human(*left),
                    human(*window)
                );
                if let Some(requested) = shorter_requested {
                    out.push_str(&format!(
                        " `--observe {}` does not shorten a running window; it sets windows that \
                         start from now.",
                        human(*requested).replace(' ', "")
                    ));
                }
                out.push_str(&match surface {
                    Surface::Cli => format!(
                        " To override from the command line: `rootkeys delete {key} --force` \
                         (journaled as an override)."
                    ),
                    Surface::View => " Press a to reactivate it if something broke. The view \
                         never overrides a window."
                        .to_owned(),
                    Surface::Demo => " In the demo, press S to move the simulated clock past the \
                         window."
                        .to_owned(),
                });
                out
            }
            Self::KeyIdUnknown => {
                "the key ID is unknown in this view (credential report only); sign in as root"
                    .to_owned()
            }
        }
    }

    /// The key is already where the write would take it: re-running
    /// `deactivate` or `reactivate` is a success with nothing to change.
    pub fn already_done(&self) -> bool {
        matches!(self, Self::AlreadyActive | Self::AlreadyInactive)
    }

    /// What a re-run found, for the journal's note and the screen.
    pub fn already_note(&self) -> &'static str {
        match self {
            Self::AlreadyActive => "already active: nothing to change (no AWS call)",
            _ => "already inactive: nothing to change (no AWS call)",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allowed { forced: bool },
    Refused(Refusal),
}

/// Which action is allowed now. `stage` is `None` when the key is unknown;
/// `configured` is the window `--observe` asks for, which never shortens a
/// running one.
pub fn decide(
    request: Request,
    caller_is_root: bool,
    caller: &str,
    key: &str,
    stage: Option<&Stage>,
    now: DateTime<Utc>,
    configured: TimeDelta,
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
        (Request::Delete { .. }, Stage::Active) => Refused(Refusal::ActiveKeyDelete {
            key: key.to_owned(),
        }),
        (Request::Delete { force: true }, Stage::Observing { .. }) => Allowed { forced: true },
        (Request::Delete { force: false }, Stage::Observing { since, until }) => {
            let window = *until - *since;
            Refused(Refusal::StillObserving {
                key: key.to_owned(),
                left: *until - now,
                window,
                shorter_requested: (configured < window).then_some(configured),
            })
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
    use crate::domain::record::{Outcome, Phase};
    use crate::domain::{KeyStatus, LastUsed};

    #[test]
    fn each_write_states_whether_it_can_be_undone() {
        let deactivate = Request::Deactivate.consequence(false);
        assert!(deactivate.contains("InvalidClientTokenId"), "{deactivate}");
        assert!(deactivate.contains("can be reactivated"), "{deactivate}");
        let delete = Request::Delete { force: true }.consequence(false);
        assert_eq!(delete, Request::Delete { force: false }.consequence(true));
        assert!(delete.contains("cannot be undone"), "{delete}");
        assert!(
            Request::Reactivate
                .consequence(false)
                .contains("succeed again")
        );
        // The session's own key cannot be reactivated with that key.
        let own = Request::Deactivate.consequence(true);
        assert!(!own.contains("can be reactivated while observing"), "{own}");
        assert!(
            own.contains("console or a CloudShell root session"),
            "{own}"
        );
    }

    #[test]
    fn advice_names_what_the_reader_can_do_where_it_is_read() {
        let active = Refusal::ActiveKeyDelete {
            key: "AKIAKEY1".to_owned(),
        };
        let cli = active.advice(Surface::Cli);
        assert!(cli.contains("`rootkeys deactivate AKIAKEY1`"), "{cli}");
        assert_eq!(cli, active.to_string());
        for surface in [Surface::View, Surface::Demo] {
            let text = active.advice(surface);
            assert!(text.contains("press d"), "{text}");
            assert!(!text.contains("rootkeys "), "{text}");
        }
        let observing = Refusal::StillObserving {
            key: "AKIAKEY1".to_owned(),
            left: TimeDelta::days(2),
            window: TimeDelta::days(7),
            shorter_requested: None,
        };
        assert!(
            observing
                .advice(Surface::Cli)
                .contains("rootkeys delete AKIAKEY1 --force")
        );
        for surface in [Surface::View, Surface::Demo] {
            let text = observing.advice(surface);
            assert!(!text.contains("--force"), "{text}");
            assert!(!text.contains("rootkeys "), "{text}");
        }
        assert!(observing.advice(Surface::Demo).contains("press S"));
        assert!(!switch_before_signing_key(Surface::Demo).contains("aws "));
        assert!(switch_before_signing_key(Surface::Cli).contains("aws sts assume-root"));
        for refusal in [
            Refusal::NotRoot {
                caller: "arn:aws:iam::1:user/a".to_owned(),
            },
            Refusal::UnknownKey {
                key: "AKIAKEY1".to_owned(),
            },
            Refusal::AlreadyInactive,
        ] {
            for surface in [Surface::View, Surface::Demo] {
                let text = refusal.advice(surface);
                assert!(!text.contains("`rootkeys"), "{text}");
                assert!(!text.contains("--profile"), "{text}");
            }
        }
    }

    #[test]
    fn the_signing_key_warning_names_other_keys_only_when_there_are_some() {
        let alone = signing_key_warning(&[]);
        assert!(!alone.contains("other"), "{alone}");
        assert!(
            alone.contains("console or a CloudShell root session"),
            "{alone}"
        );
        let with = signing_key_warning(&["AKIAOTHER".to_owned()]);
        assert!(
            with.contains("Handle the other active keys first: AKIAOTHER."),
            "{with}"
        );
    }

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

    fn rec(action: Act, phase: Phase, result: Option<Outcome>, time: &str) -> Record {
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
            window_secs: None,
            note: None,
            version: "test".to_owned(),
        }
    }

    const NOW: &str = "2026-11-25T12:00:00Z";

    const W: TimeDelta = TimeDelta::days(7);

    fn windowed(mut r: Record, window: TimeDelta) -> Record {
        r.window_secs = Some(window.num_seconds());
        r
    }

    #[test]
    fn active_key_is_active() {
        let a = assess(&key(KeyStatus::Active, None), &[], t(NOW), W);
        assert_eq!(a.stage, Stage::Active);
        assert_eq!(a.observe, None);
    }

    #[test]
    fn deactivated_key_observes_then_is_ready() {
        let records = [
            rec(Act::Deactivate, Phase::Intent, None, "2026-11-20T12:00:00Z"),
            windowed(
                rec(
                    Act::Deactivate,
                    Phase::Outcome,
                    Some(Outcome::Ok),
                    "2026-11-20T12:00:01Z",
                ),
                W,
            ),
        ];
        let k = key(KeyStatus::Inactive, Some("2026-11-19T00:00:00Z"));
        let a = assess(&k, &records, t(NOW), W);
        assert_eq!(
            a.stage,
            Stage::Observing {
                since: t("2026-11-20T12:00:01Z"),
                until: t("2026-11-27T12:00:01Z")
            }
        );
        assert_eq!(a.observe, None);
        let later = assess(&k, &records, t("2026-11-28T00:00:00Z"), W);
        assert!(matches!(later.stage, Stage::ReadyToDelete { .. }));
    }

    #[test]
    fn the_journaled_window_is_enforced_not_a_shorter_one_asked_later() {
        let records = [windowed(
            rec(
                Act::Deactivate,
                Phase::Outcome,
                Some(Outcome::Ok),
                "2026-11-25T11:59:00Z",
            ),
            W,
        )];
        let k = key(KeyStatus::Inactive, Some("2026-11-19T00:00:00Z"));
        // A minute later, with `--observe 30s`.
        let a = assess(&k, &records, t(NOW), TimeDelta::seconds(30));
        let Stage::Observing { since, until } = a.stage.clone() else {
            panic!("still observing: {:?}", a.stage)
        };
        assert_eq!(until - since, W);
        let d = decide(
            Request::Delete { force: false },
            true,
            "root",
            "AKIAKEY1",
            Some(&a.stage),
            t(NOW),
            TimeDelta::seconds(30),
        );
        let Decision::Refused(refusal) = d else {
            panic!("a shorter --observe must not unlock delete: {d:?}")
        };
        let text = refusal.to_string();
        assert!(text.contains("7 d window journaled"), "{text}");
        assert!(text.contains("`--observe 30s` does not shorten"), "{text}");
        assert!(text.contains("rootkeys delete AKIAKEY1 --force"), "{text}");
        // Only --force overrides, and it is marked as forced.
        assert_eq!(
            decide(
                Request::Delete { force: true },
                true,
                "root",
                "AKIAKEY1",
                Some(&a.stage),
                t(NOW),
                TimeDelta::seconds(30),
            ),
            Decision::Allowed { forced: true }
        );
        // A longer --observe later does not lengthen it either.
        let later = assess(&k, &records, t("2026-12-03T00:00:00Z"), TimeDelta::days(30));
        assert!(matches!(later.stage, Stage::ReadyToDelete { .. }));
    }

    #[test]
    fn a_record_without_a_window_gets_at_least_the_default() {
        let records = [rec(
            Act::Deactivate,
            Phase::Outcome,
            Some(Outcome::Ok),
            "2026-11-24T12:00:00Z",
        )];
        let k = key(KeyStatus::Inactive, None);
        let a = assess(&k, &records, t(NOW), TimeDelta::seconds(30));
        assert!(matches!(a.stage, Stage::Observing { .. }), "{:?}", a.stage);
    }

    #[test]
    fn failed_deactivation_does_not_start_the_window() {
        let records = [rec(
            Act::Deactivate,
            Phase::Outcome,
            Some(Outcome::Error {
                code: "Throttling".to_owned(),
            }),
            "2026-11-01T00:00:00Z",
        )];
        let k = key(KeyStatus::Inactive, Some("2026-11-24T00:00:00Z"));
        let a = assess(&k, &records, t(NOW), W);
        assert_eq!(a.observe, Some(Observation::FirstSeenInactive));
        assert!(matches!(a.stage, Stage::Observing { since, .. } if since == t(NOW)));
    }

    #[test]
    fn inactive_without_record_always_starts_a_window_whatever_its_last_use() {
        for used in [
            Some("2026-11-24T00:00:00Z"),
            None,
            Some("2020-01-01T00:00:00Z"),
        ] {
            let k = key(KeyStatus::Inactive, used);
            let a = assess(&k, &[], t(NOW), W);
            assert_eq!(a.observe, Some(Observation::FirstSeenInactive), "{used:?}");
            assert_eq!(
                a.stage,
                Stage::Observing {
                    since: t(NOW),
                    until: t(NOW) + W
                },
                "{used:?}"
            );
        }
    }

    #[test]
    fn a_first_sighting_keeps_its_window() {
        let seen = windowed(
            rec(
                Act::FirstSeenInactive,
                Phase::Observed,
                None,
                "2026-11-20T00:00:00Z",
            ),
            TimeDelta::days(10),
        );
        let k = key(KeyStatus::Inactive, Some("2019-01-01T00:00:00Z"));
        let a = assess(&k, &[seen], t(NOW), TimeDelta::days(1));
        assert_eq!(a.observe, None);
        assert_eq!(
            a.stage,
            Stage::Observing {
                since: t("2026-11-20T00:00:00Z"),
                until: t("2026-11-30T00:00:00Z")
            }
        );
    }

    #[test]
    fn reactivation_resets_the_window() {
        let records = [
            rec(
                Act::Deactivate,
                Phase::Outcome,
                Some(Outcome::Ok),
                "2026-11-01T00:00:00Z",
            ),
            rec(
                Act::Reactivate,
                Phase::Outcome,
                Some(Outcome::Ok),
                "2026-11-02T00:00:00Z",
            ),
        ];
        let k = key(KeyStatus::Inactive, Some("2026-11-01T12:00:00Z"));
        let a = assess(&k, &records, t(NOW), W);
        assert_eq!(a.observe, Some(Observation::FirstSeenInactive));
    }

    #[test]
    fn active_after_a_deactivation_is_journaled_and_the_next_sighting_starts_anew() {
        let deactivated = windowed(
            rec(
                Act::Deactivate,
                Phase::Outcome,
                Some(Outcome::Ok),
                "2026-11-01T00:00:00Z",
            ),
            W,
        );
        // Reactivated in the console: rootkeys sees it active.
        let a = assess(
            &key(KeyStatus::Active, None),
            std::slice::from_ref(&deactivated),
            t("2026-11-03T00:00:00Z"),
            W,
        );
        assert_eq!(a.observe, Some(Observation::SeenActive));
        let seen_active = rec(
            Act::SeenActive,
            Phase::Observed,
            None,
            "2026-11-03T00:00:00Z",
        );
        let records = [deactivated, seen_active];
        // Seen active again: nothing more to journal.
        let again = assess(&key(KeyStatus::Active, None), &records, t(NOW), W);
        assert_eq!(again.observe, None);
        // Deactivated in the console later: a new window, not day 0's.
        let k = key(KeyStatus::Inactive, None);
        let a = assess(&k, &records, t(NOW), W);
        assert_eq!(a.observe, Some(Observation::FirstSeenInactive));
        assert!(matches!(a.stage, Stage::Observing { since, .. } if since == t(NOW)));
    }

    #[test]
    fn use_after_the_window_began_restarts_it_and_says_why() {
        let records = [windowed(
            rec(
                Act::Deactivate,
                Phase::Outcome,
                Some(Outcome::Ok),
                "2026-11-01T00:00:00Z",
            ),
            W,
        )];
        // Reactivated, used and deactivated again, all outside rootkeys.
        let k = key(KeyStatus::Inactive, Some("2026-11-20T08:00:00Z"));
        let a = assess(&k, &records, t(NOW), W);
        let Some(observation @ Observation::WindowRestarted { .. }) = a.observe else {
            panic!("must restart: {:?}", a.observe)
        };
        assert!(
            observation.note().contains("2026-11-20 08:00"),
            "{}",
            observation.note()
        );
        assert!(matches!(a.stage, Stage::Observing { since, .. } if since == t(NOW)));
    }

    #[test]
    fn the_latest_record_is_the_last_in_the_file_whatever_its_time() {
        // The clock stepped back between the deactivation and the reactivation.
        let records = [
            windowed(
                rec(
                    Act::Deactivate,
                    Phase::Outcome,
                    Some(Outcome::Ok),
                    "2026-11-10T00:00:00Z",
                ),
                W,
            ),
            rec(
                Act::Reactivate,
                Phase::Outcome,
                Some(Outcome::Ok),
                "2026-11-09T00:00:00Z",
            ),
        ];
        let k = key(KeyStatus::Inactive, None);
        let a = assess(&k, &records, t(NOW), W);
        assert_eq!(a.observe, Some(Observation::FirstSeenInactive));
    }

    #[test]
    fn a_huge_journaled_window_never_overflows() {
        let mut r = rec(
            Act::Deactivate,
            Phase::Outcome,
            Some(Outcome::Ok),
            "2026-11-10T00:00:00Z",
        );
        r.window_secs = Some(i64::MAX);
        let k = key(KeyStatus::Inactive, None);
        let a = assess(&k, &[r], t(NOW), W);
        assert!(matches!(a.stage, Stage::Observing { .. }), "{:?}", a.stage);
        let _ = a.stage.describe(t(NOW));
    }

    #[test]
    fn reconciled_deactivation_counts() {
        let records = [windowed(
            rec(
                Act::Deactivate,
                Phase::Reconciled,
                Some(Outcome::Ok),
                "2026-11-10T00:00:00Z",
            ),
            W,
        )];
        let k = key(KeyStatus::Inactive, Some("2026-11-09T00:00:00Z"));
        let a = assess(&k, &records, t(NOW), W);
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
                W,
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
                W,
            );
            assert_eq!(
                d,
                Decision::Refused(Refusal::ActiveKeyDelete {
                    key: "K".to_owned()
                })
            );
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
            W,
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
            W,
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
                t(NOW),
                W,
            ),
            Decision::Allowed { forced: false }
        );
        assert!(matches!(
            decide(Request::Deactivate, true, "root", "K", None, t(NOW), W),
            Decision::Refused(Refusal::UnknownKey { .. })
        ));
    }

    #[test]
    fn deleted_keys_come_from_applied_deletes_only() {
        let mut ok = rec(
            Act::Delete,
            Phase::Outcome,
            Some(Outcome::Ok),
            "2026-11-20T00:00:00Z",
        );
        ok.key = "AKIAGONE".to_owned();
        let failed = rec(
            Act::Delete,
            Phase::Outcome,
            Some(Outcome::Error {
                code: "AccessDenied".to_owned(),
            }),
            "2026-11-20T00:00:00Z",
        );
        let records = [ok, failed];
        let gone = deleted_keys(&records, &[key(KeyStatus::Inactive, None)]);
        assert_eq!(gone, vec![("AKIAGONE", t("2026-11-20T00:00:00Z"))]);
    }
}
