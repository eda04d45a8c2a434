//! Reconciliation: intents with no outcome (a crash, a kill, a lost
//! answer) settled against the live keys.
//!
//! Pure over records and keys; imports only the domain.

use chrono::{DateTime, Utc};

use crate::domain::record::{Act, Outcome, Phase, Record};
use crate::domain::{KeyStatus, RootKey};

/// Settle intents that have no outcome against the live keys. Organization
/// mode's intents (a quarantine, a release) are settled by organization
/// mode, which can see the SCPs; they are left open here.
pub fn reconcile(open: &[&Record], live: &[RootKey], now: DateTime<Utc>) -> Vec<Record> {
    open.iter()
        .filter(|intent| !intent.action.organization_only())
        .map(|intent| {
            let key = live
                .iter()
                .find(|k| k.access_key_id.as_deref() == Some(intent.key.as_str()));
            let applied = match intent.action {
                Act::Deactivate => key.is_some_and(|k| k.status == KeyStatus::Inactive),
                Act::Reactivate => key.is_some_and(|k| k.status == KeyStatus::Active),
                Act::Delete => key.is_none(),
                Act::FirstSeenInactive
                | Act::SeenActive
                | Act::WindowRestarted
                | Act::SessionOpened
                | Act::Quarantine
                | Act::Release
                | Act::QuarantineSeen
                | Act::QuarantineGone
                | Act::Verify
                | Act::Prevent => true,
            };
            let live_state = live_state(intent, live);
            Record {
                time: now,
                phase: Phase::Reconciled,
                result: Some(if applied {
                    Outcome::Ok
                } else {
                    Outcome::NotApplied
                }),
                note: Some(format!(
                    "intent of {} had no outcome (interrupted); live state: {live_state}",
                    // The text form of every date rootkeys shows.
                    intent.time.format("%Y-%m-%d %H:%M UTC")
                )),
                ..(*intent).clone()
            }
        })
        .collect()
}

/// The key of an intent as the live state shows it: its status, or absent.
pub(super) fn live_state(intent: &Record, live: &[RootKey]) -> String {
    live.iter()
        .find(|k| k.access_key_id.as_deref() == Some(intent.key.as_str()))
        .map_or_else(|| "absent".to_owned(), |k| k.status.to_string())
}
