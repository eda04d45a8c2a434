//! Reading an account's row against its journal: open intents reconciled
//! with live state, sightings of a quarantine changed outside rootkeys, the stage.

use chrono::{DateTime, Utc};

use super::{MemberState, OrgRemediator};
use crate::domain::LastUsed;
use crate::domain::record::{Act, Outcome, Phase};
use crate::journal::{Journal, JournalError, new_op_id};
use crate::org::model::{MemberRow, Source};
use crate::org::stage::{self, Facts, Quarantine, journaled_quarantine};

impl OrgRemediator {
    /// One account's row settled against its journal (blocking file I/O:
    /// small, fsync'd appends).
    pub fn settle(&self, row: MemberRow, attached: bool, caller: &str) -> MemberState {
        let now = self.access.now();
        let keys_known = row.source == Source::AssumeRoot && row.error.is_none();
        let settled = if row.management {
            Ok(None)
        } else {
            self.settle_journal(&row, keys_known, attached, caller, now)
                .map(Some)
        };
        let (quarantine, journal_error) = match settled {
            Ok(q) => (q.flatten(), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let stage = stage::stage(
            Facts {
                management: row.management,
                keys: keys_known.then_some(row.keys.as_slice()),
                attached,
                quarantine,
            },
            now,
        );
        let used_since: Vec<(String, LastUsed)> = stage
            .quarantined_since()
            .map(|since| {
                stage::used_since(&row.keys, since)
                    .into_iter()
                    .map(|(k, u)| (k.to_owned(), u.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let next_action = if row.management && row.compliant() == Some(true) {
            "none (no root access key)".to_owned()
        } else {
            stage::next_action(&row.account_id, stage, !used_since.is_empty())
        };
        MemberState {
            row,
            attached,
            quarantine,
            stage,
            used_since,
            next_action,
            journal_error,
        }
    }

    /// Reconcile the member's open organization intents and journal any
    /// sighting; the quarantine in force afterwards.
    pub(super) fn settle_journal(
        &self,
        row: &MemberRow,
        keys_known: bool,
        attached: bool,
        caller: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Quarantine>, JournalError> {
        let journal = Journal::open(&self.state_dir, &row.account_id)?;
        // Another rootkeys writing this account settles it itself.
        let Some(_lock) = journal.try_lock_operation("org status")? else {
            let records = journal.read()?.records();
            return Ok(journaled_quarantine(&records, self.window));
        };
        let contents = journal.read()?;
        for intent in contents.open_intents() {
            let live = match intent.action {
                Act::Quarantine => {
                    Some((attached, if attached { "attached" } else { "not attached" }))
                }
                Act::Release => Some((
                    !attached,
                    if attached { "attached" } else { "not attached" },
                )),
                Act::Delete if keys_known => {
                    let present = row
                        .keys
                        .iter()
                        .any(|k| k.access_key_id.as_deref() == Some(intent.key.as_str()));
                    Some((!present, if present { "present" } else { "absent" }))
                }
                _ => None,
            };
            let Some((applied, live)) = live else {
                continue;
            };
            let mut r = intent.clone();
            r.time = now;
            r.phase = Phase::Reconciled;
            r.result = Some(if applied {
                Outcome::Ok
            } else {
                Outcome::NotApplied
            });
            r.note = Some(format!(
                "intent of {} had no outcome (interrupted); live state: {live}",
                crate::render::time::text(&intent.time)
            ));
            journal.append(&r)?;
        }
        let records = journal.read()?.records();
        let journaled = journaled_quarantine(&records, self.window);
        if let Some((act, window_secs, note)) = stage::sighting(journaled, attached, self.window) {
            let mut r = journal.record(now, caller, "", act, Phase::Observed, &new_op_id(now));
            r.window_secs = window_secs;
            r.note = Some(note.to_owned());
            journal.append(&r)?;
            let records = journal.read()?.records();
            return Ok(journaled_quarantine(&records, self.window));
        }
        Ok(journaled)
    }
}
