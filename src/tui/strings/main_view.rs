//! The main view: the keys table and the selected key's facts.

use chrono::{DateTime, TimeDelta, Utc};

use super::NEVER;
use crate::domain::policy::{Request, Stage};
use crate::domain::window::{ago, human};

// Table
pub const KEYS_TITLE: &str = "Root access keys";
pub const COL_KEY: &str = "KEY";
pub const COL_STATUS: &str = "STATUS";
pub const COL_AGE: &str = "AGE";
pub const COL_LAST_USED: &str = "LAST USED";
pub const COL_STAGE: &str = "STAGE";
pub const SIGNING_MARK: &str = "●";
pub const SIGNING_LEGEND: &str = "● signs this session";
pub const NO_KEYS: &str = "Root has no access keys. Nothing to remove.";
pub const SELECT_MARK: &str = "▶ ";

/// The stage column; `compact` for narrow terminals.
pub fn stage_cell(stage: &Stage, now: DateTime<Utc>, compact: bool) -> String {
    match stage {
        Stage::Active => "active".to_owned(),
        Stage::Observing { until, .. } if compact => format!("observing ({})", human(*until - now)),
        Stage::Observing { until, .. } => format!("observing · {} left", human(*until - now)),
        Stage::ReadyToDelete { .. } => "ready to delete".to_owned(),
        Stage::Deleted { at } => format!("deleted {}", at.format("%Y-%m-%d")),
        Stage::Inactive => "inactive".to_owned(),
    }
}

/// `yesterday · s3 · eu-west-1`, or `never`.
pub fn last_used_short(used: Option<&crate::domain::LastUsed>, now: DateTime<Utc>) -> String {
    match used {
        None => NEVER.to_owned(),
        Some(u) => {
            let mut s = ago(now - u.date);
            for part in [&u.service, &u.region].into_iter().flatten() {
                s.push_str(" · ");
                s.push_str(part);
            }
            s
        }
    }
}

/// A key's age for a table cell: `5 h`, `45 d`, `14 mo`, `6 y`.
pub fn age(delta: TimeDelta) -> String {
    let days = delta.num_days();
    if days < 1 {
        format!("{} h", delta.num_hours().max(0))
    } else if days < 60 {
        format!("{days} d")
    } else if days < 730 {
        format!("{} mo", days / 30)
    } else {
        format!("{} y", days / 365)
    }
}

/// `2023-03-04 · 3 y old`
pub fn created(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    format!("{} · {} old", date(t), age(now - t))
}

pub fn date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

pub fn date_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

// Detail pane
pub const DETAIL_TITLE: &str = "Key";
pub const L_KEY_ID: &str = "Key ID";
pub const L_STATUS: &str = "Status";
pub const L_CREATED: &str = "Created";
pub const L_LAST_USED: &str = "Last used";
pub const L_STAGE: &str = "Stage";
pub const L_WINDOW: &str = "Window";
pub const L_SESSION: &str = "Session";
pub const L_REPORT: &str = "Report";
pub const L_ROOT: &str = "Root user";
pub const L_NOTE: &str = "Demo note";
pub const L_USAGE: &str = "Usage";
pub const L_NEXT: &str = "Next";
pub const L_DELETED: &str = "Deleted";
pub const SIGNS_SESSION: &str =
    "● this key signs this session: deactivating it ends rootkeys' access, so handle it last";
pub const REPORT_LOADING: &str = "credential report loading…";
pub const REPORT_NO_SLOT: &str = "no matching slot in the credential report";
pub const AUDITOR_NOTE: &str = "Auditor view: facts from the account summary and the credential report's root row. Key IDs are known only to root.";
pub const KEY_ID_UNKNOWN: &str = "key ID known only to root";
pub const DELETED_BY_JOURNAL: &str = "gone from the account; the journal records its deletion";
pub const NO_NEXT: &str = "nothing to do";

pub fn window_ends(until: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if now < until {
        format!("ends {}", date_time(until))
    } else {
        format!("passed {}", date_time(until))
    }
}

/// When the window began and the length journaled with it (the one
/// enforced, whatever `--observe` says now).
pub fn window_began(since: DateTime<Utc>, until: DateTime<Utc>) -> String {
    format!(
        "began {} · {} (journaled)",
        date_time(since),
        human(until - since)
    )
}

pub fn report_slot(slot: u8, active: bool, rotated: Option<DateTime<Utc>>) -> String {
    let mut s = format!(
        "slot {slot} · {}",
        if active { "active" } else { "inactive" }
    );
    if let Some(r) = rotated {
        s.push_str(&format!(" · last rotated {}", date(r)));
    }
    s
}

pub fn root_facts(mfa: Option<bool>, created: Option<DateTime<Utc>>) -> String {
    let mut parts = Vec::new();
    match mfa {
        Some(true) => parts.push("MFA on".to_owned()),
        Some(false) => parts.push("MFA OFF".to_owned()),
        None => {}
    }
    if let Some(c) = created {
        parts.push(format!("created {}", date(c)));
    }
    if parts.is_empty() {
        "—".to_owned()
    } else {
        parts.join(" · ")
    }
}

pub fn report_failed(message: &str) -> String {
    format!("credential report unavailable: {message}")
}

pub fn next_label(action: Option<Request>, stage: &Stage, root: bool) -> &'static str {
    match (action, stage) {
        _ if !root => "sign in as root",
        (Some(Request::Deactivate), _) => "deactivate (d)",
        (Some(Request::Reactivate), _) => "reactivate (a)",
        (Some(Request::Delete { .. }), _) => "delete (D)",
        (None, Stage::Observing { .. }) => "observe · backout: reactivate (a)",
        (None, Stage::Deleted { .. }) => "verify",
        (None, _) => NO_NEXT,
    }
}
