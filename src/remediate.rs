//! The safety core shared by the plain-terminal commands and the TUI: fresh
//! facts, the policy, and the journal around every write.
//!
//! Every write goes through [`Remediator::execute`], which (1) asks
//! `sts:GetCallerIdentity` and refuses unless the caller is root, (2) reads
//! live keys and the journal and asks the policy, (3) journals the intent
//! (fsync'd) and only then (4) calls AWS, and (5) journals the outcome.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use crate::account::{self, Account, AccountError};
use crate::domain::policy::{self, Decision, NextStep, Refusal, Request, Stage};
use crate::domain::record::{Act, Phase, Record, Result as RecordResult};
use crate::domain::{Identity, Inventory, KeyStatus, RootKey, View};
use crate::journal::{self, Damaged, Journal, JournalError};

/// Test-only crash injection: `after-intent` or `after-call` makes the
/// process exit at that point of a write, as a crash would.
pub const FAILPOINT_ENV: &str = "ROOTKEYS_FAILPOINT";
/// Exit status used by an injected crash.
pub const FAILPOINT_EXIT: i32 = 86;

#[derive(Debug, thiserror::Error)]
pub enum RemediateError {
    #[error("{0}")]
    Account(#[from] AccountError),
    #[error("{0}")]
    Journal(#[from] JournalError),
    #[error("refused: {0}")]
    Refused(Refusal),
    #[error(
        "{action} of {key} succeeded in AWS, but its outcome could not be journaled ({source}); \
         the next run reconciles it"
    )]
    OutcomeNotJournaled {
        action: &'static str,
        key: String,
        source: JournalError,
    },
}

/// A key with its stage and the recommended next step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyView {
    #[serde(flatten)]
    pub key: RootKey,
    #[serde(flatten)]
    pub stage: Stage,
    pub next: NextStep,
}

/// Everything the status command and the TUI show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    pub inventory: Inventory,
    pub keys: Vec<KeyView>,
    /// Keys the journal says were deleted and are gone.
    pub deleted: Vec<(String, DateTime<Utc>)>,
    pub damaged: Vec<Damaged>,
    /// Records written while taking the snapshot (reconciled intents,
    /// keys first seen inactive).
    pub recorded: Vec<Record>,
    pub now: DateTime<Utc>,
    pub window_secs: i64,
}

impl Snapshot {
    pub fn window(&self) -> TimeDelta {
        TimeDelta::seconds(self.window_secs)
    }

    pub fn view(&self, key_id: &str) -> Option<&KeyView> {
        self.keys
            .iter()
            .find(|k| k.key.access_key_id.as_deref() == Some(key_id))
    }
}

/// What a write would do, for the prompt.
#[derive(Debug, Clone)]
pub struct Plan {
    pub request: Request,
    pub key_id: String,
    pub identity: Identity,
    pub key: Option<KeyView>,
    pub decision: Decision,
    /// Other active keys, when the planned key signs this session.
    pub other_active: Vec<String>,
}

impl Plan {
    pub fn signs_session(&self) -> bool {
        self.key.as_ref().is_some_and(|k| k.key.signs_this_session)
    }
}

/// The result of a write that went through.
#[derive(Debug, Clone)]
pub struct Done {
    pub outcome: Record,
    /// The key deactivated or deleted was the one signing this session.
    pub session_ended: bool,
}

pub struct Remediator {
    account: Arc<dyn Account>,
    state_dir: PathBuf,
    window: TimeDelta,
}

impl Remediator {
    pub fn new(account: Arc<dyn Account>, state_dir: PathBuf, window: TimeDelta) -> Self {
        Self {
            account,
            state_dir,
            window,
        }
    }

    pub fn account(&self) -> &Arc<dyn Account> {
        &self.account
    }

    pub fn window(&self) -> TimeDelta {
        self.window
    }

    pub fn journal(&self, account_id: &str) -> Result<Journal, JournalError> {
        Journal::open(&self.state_dir, account_id)
    }

    /// Load the inventory, reconcile open intents, record keys first seen
    /// inactive, and assess every key.
    pub async fn snapshot(&self) -> Result<Snapshot, RemediateError> {
        let inventory = account::load_inventory(self.account.as_ref()).await?;
        self.assess(inventory)
    }

    /// The journal half of [`Self::snapshot`], for an inventory already loaded.
    pub fn assess(&self, inventory: Inventory) -> Result<Snapshot, RemediateError> {
        let now = self.account.now();
        let journal = self.journal(&inventory.identity.account_id)?;
        let contents = journal.read()?;
        let is_root = inventory.view == View::Root;
        let mut recorded = Vec::new();
        if is_root {
            for record in reconcile(&contents.open_intents(), &inventory.keys, now) {
                journal.append(&record)?;
                recorded.push(record);
            }
        }
        let mut records = contents.records();
        records.extend(recorded.iter().cloned());
        let mut keys = Vec::new();
        for key in &inventory.keys {
            let assessment = policy::assess(key, &records, now, self.window);
            if let (true, true, Some(id)) =
                (assessment.record_first_seen, is_root, &key.access_key_id)
            {
                let op = journal::new_op_id(now);
                let mut record = journal.record(
                    now,
                    &inventory.identity.arn,
                    id,
                    Act::FirstSeenInactive,
                    Phase::Observed,
                    &op,
                );
                record.note = Some(
                    "inactive with no journal record: the observation window starts now".to_owned(),
                );
                journal.append(&record)?;
                records.push(record.clone());
                recorded.push(record);
            }
            let next = policy::next_step(&assessment.stage, is_root, key.signs_this_session, now);
            keys.push(KeyView {
                key: key.clone(),
                stage: assessment.stage,
                next,
            });
        }
        // Signing key last among the recommended steps.
        keys.sort_by_key(|k| k.key.signs_this_session);
        let deleted = if is_root {
            policy::deleted_keys(&records, &inventory.keys)
                .into_iter()
                .map(|(k, at)| (k.to_owned(), at))
                .collect()
        } else {
            Vec::new()
        };
        Ok(Snapshot {
            inventory,
            keys,
            deleted,
            damaged: contents.damaged,
            recorded,
            now,
            window_secs: self.window.num_seconds(),
        })
    }

    /// Fresh facts and the policy's decision for one write.
    pub async fn plan(&self, request: Request, key_id: &str) -> Result<Plan, RemediateError> {
        let (identity, keys) = futures::join!(self.account.identity(), self.account.caller_keys());
        let identity = identity?;
        if !identity.is_root() {
            return Ok(Plan {
                request,
                key_id: key_id.to_owned(),
                decision: Decision::Refused(Refusal::NotRoot {
                    caller: identity.arn.clone(),
                }),
                identity,
                key: None,
                other_active: Vec::new(),
            });
        }
        let mut keys = keys?;
        account::mark_signing_key(&mut keys, &identity);
        let inventory = Inventory {
            keys_present: None,
            view: View::Root,
            identity: identity.clone(),
            keys,
        };
        let snapshot = self.assess(inventory)?;
        let now = snapshot.now;
        let view = snapshot.view(key_id).cloned();
        let stage = view.as_ref().map(|v| v.stage.clone()).or_else(|| {
            snapshot
                .deleted
                .iter()
                .find(|(k, _)| k == key_id)
                .map(|(_, at)| Stage::Deleted { at: *at })
        });
        let decision = policy::decide(request, true, &identity.arn, key_id, stage.as_ref(), now);
        let other_active = snapshot
            .keys
            .iter()
            .filter(|k| k.key.status == KeyStatus::Active && !k.key.signs_this_session)
            .filter_map(|k| k.key.access_key_id.clone())
            .collect();
        Ok(Plan {
            request,
            key_id: key_id.to_owned(),
            identity,
            key: view,
            decision,
            other_active,
        })
    }

    /// Carry out one write under every safety rule. The decision is taken
    /// again from fresh facts: a plan shown at a prompt may be stale.
    pub async fn execute(&self, request: Request, key_id: &str) -> Result<Done, RemediateError> {
        let plan = self.plan(request, key_id).await?;
        let forced = match plan.decision {
            Decision::Allowed { forced } => forced,
            Decision::Refused(refusal) => return Err(RemediateError::Refused(refusal)),
        };
        let journal = self.journal(&plan.identity.account_id)?;
        let now = self.account.now();
        let op = journal::new_op_id(now);
        let mut intent = journal.record(
            now,
            &plan.identity.arn,
            key_id,
            request.act(),
            Phase::Intent,
            &op,
        );
        if forced {
            intent.forced = true;
            intent.note = Some(
                "OBSERVATION WINDOW OVERRIDDEN (--force): deleted before the window passed"
                    .to_owned(),
            );
        }
        journal.append(&intent)?;
        failpoint("after-intent");
        let result = match request {
            Request::Deactivate => self.account.set_status(key_id, KeyStatus::Inactive).await,
            Request::Reactivate => self.account.set_status(key_id, KeyStatus::Active).await,
            Request::Delete { .. } => self.account.delete_key(key_id).await,
        };
        failpoint("after-call");
        let outcome = journal::outcome_of(
            &intent,
            self.account.now(),
            match &result {
                Ok(()) => RecordResult::Ok,
                Err(e @ AccountError::Unreachable { .. }) => {
                    RecordResult::Unknown { code: e.code() }
                }
                Err(e) => RecordResult::Error { code: e.code() },
            },
        );
        let journaled = journal.append(&outcome);
        result?;
        journaled.map_err(|source| RemediateError::OutcomeNotJournaled {
            action: request.act().verb(),
            key: key_id.to_owned(),
            source,
        })?;
        Ok(Done {
            outcome,
            session_ended: plan.signs_session()
                && matches!(request, Request::Deactivate | Request::Delete { .. }),
        })
    }
}

fn failpoint(name: &str) {
    if std::env::var(FAILPOINT_ENV).is_ok_and(|v| v == name) {
        eprintln!("rootkeys: injected crash at {name}");
        std::process::exit(FAILPOINT_EXIT);
    }
}

/// Settle intents that have no outcome against the live keys.
pub fn reconcile(open: &[&Record], live: &[RootKey], now: DateTime<Utc>) -> Vec<Record> {
    open.iter()
        .map(|intent| {
            let key = live
                .iter()
                .find(|k| k.access_key_id.as_deref() == Some(intent.key.as_str()));
            let applied = match intent.action {
                Act::Deactivate => key.is_some_and(|k| k.status == KeyStatus::Inactive),
                Act::Reactivate => key.is_some_and(|k| k.status == KeyStatus::Active),
                Act::Delete => key.is_none(),
                Act::FirstSeenInactive => true,
            };
            let live_state = match key {
                Some(k) => k.status.to_string(),
                None => "absent".to_owned(),
            };
            Record {
                time: now,
                phase: Phase::Reconciled,
                result: Some(if applied {
                    RecordResult::Ok
                } else {
                    RecordResult::NotApplied
                }),
                note: Some(format!(
                    "intent of {} had no outcome (interrupted); live state: {live_state}",
                    intent.time.to_rfc3339()
                )),
                ..(*intent).clone()
            }
        })
        .collect()
}
