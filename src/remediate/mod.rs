//! The safety core shared by the plain-terminal commands and the TUI: fresh
//! facts, the policy, and the journal around every write.
//!
//! Every write goes through [`Remediator::execute`], which (1) asks
//! `sts:GetCallerIdentity` and refuses unless the caller is root, (2) reads
//! live keys and the journal and asks the policy, (3) journals the intent
//! (fsync'd) and only then (4) calls AWS, and (5) journals the outcome.
//! The write path is in `write`, reconciliation of open intents in
//! `reconcile`; this module holds the types, the snapshot and planning.
//!
//! Imports the account port, the domain and the journal; never the front
//! ends (`tui`, `commands`), ratatui or an AWS SDK crate.

mod reconcile;
mod write;

pub use self::reconcile::reconcile;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use crate::account::{self, Account, AccountError};
use crate::domain::policy::{self, Decision, NextStep, Refusal, Request, Stage};
use crate::domain::record::{Phase, Record};
use crate::domain::{Identity, Inventory, KeyStatus, RootKey, View};
use crate::journal::{self, Damaged, Journal, JournalError};

#[derive(Debug, thiserror::Error)]
pub enum RemediateError {
    #[error("{0}")]
    Account(#[from] AccountError),
    #[error("{0}")]
    Journal(#[from] JournalError),
    #[error("refused: {0}")]
    Refused(Refusal),
    #[error(
        "{action} of {key} did not take effect (the live state shows the key {live}): {source}"
    )]
    NotApplied {
        action: &'static str,
        key: String,
        live: String,
        #[source]
        source: Box<AccountError>,
    },
    #[error("the outcome of {action} of {key} is unknown: {cause}")]
    OutcomeUnknown {
        action: &'static str,
        key: String,
        cause: String,
    },
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
    /// Another operation on this account holds the lock (who, and what):
    /// nothing was journaled, open intents were left to it.
    pub busy: Option<String>,
    /// When rootkeys last changed this account, as the journal says (a
    /// credential report older than that is stale).
    pub last_write: Option<DateTime<Utc>>,
    /// Root has an MFA device (`AccountMFAEnabled` from the account
    /// summary, read with the key count); `None` when it could not be read.
    /// The walkthrough's Prevent step checks it.
    pub root_mfa: Option<bool>,
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

    pub fn state_dir(&self) -> &std::path::Path {
        &self.state_dir
    }

    pub fn journal(&self, account_id: &str) -> Result<Journal, JournalError> {
        Journal::open(&self.state_dir, account_id)
    }

    /// Load the inventory and assess every key. When something must be
    /// journaled (open intents to reconcile, keys seen inactive with no
    /// window running, or active again after one), that happens only under
    /// the account's operation lock and against keys read under it; while
    /// another operation holds the lock, nothing is journaled and
    /// [`Snapshot::busy`] says who holds it.
    pub async fn snapshot(&self) -> Result<Snapshot, RemediateError> {
        let inventory = account::load_inventory(self.account.as_ref()).await?;
        let journal = self.journal(&inventory.identity.account_id)?;
        let contents = journal.read()?;
        let first = self.assess(inventory, &contents, &journal, Writes::None)?;
        if first.pending == 0 {
            return Ok(first.snapshot);
        }
        let Some(lock) = journal.try_lock_operation("status: reconcile the journal")? else {
            let mut snapshot = first.snapshot;
            snapshot.busy = Some(
                journal
                    .operation_holder()
                    .unwrap_or_else(|| "another rootkeys process".to_owned()),
            );
            return Ok(snapshot);
        };
        // Under the lock: fresh keys, so an operation that finished since the
        // first read is seen as it left the account.
        let mut inventory = first.snapshot.inventory;
        inventory.keys = self.account.caller_keys().await?;
        account::mark_signing_key(&mut inventory.keys, &inventory.identity);
        let contents = journal.read()?;
        let locked = self.assess(inventory, &contents, &journal, Writes::Journal)?;
        drop(lock);
        Ok(locked.snapshot)
    }

    /// Stages from the live keys and the journal. With [`Writes::Journal`]
    /// (only while holding the operation lock, with keys read under it),
    /// open intents are reconciled and the policy's observations journaled.
    fn assess(
        &self,
        inventory: Inventory,
        contents: &journal::Contents,
        journal: &Journal,
        writes: Writes,
    ) -> Result<Assessed, RemediateError> {
        let now = self.account.now();
        let is_root = inventory.view == View::Root;
        let write = is_root && writes == Writes::Journal;
        let mut pending = 0;
        let mut recorded = Vec::new();
        let mut records = contents.records();
        if is_root {
            let open = contents.open_intents();
            pending += open.len();
            if write {
                for record in reconcile(&open, &inventory.keys, now) {
                    journal.append(&record)?;
                    records.push(record.clone());
                    recorded.push(record);
                }
            }
        }
        let mut keys = Vec::new();
        for key in &inventory.keys {
            let assessment = policy::assess(key, &records, now, self.window);
            if let (Some(observation), true, Some(id)) =
                (&assessment.observe, is_root, &key.access_key_id)
            {
                pending += 1;
                if write {
                    let op = journal::new_op_id(now);
                    let mut record = journal.record(
                        now,
                        &inventory.identity.arn,
                        id,
                        observation.act(),
                        Phase::Observed,
                        &op,
                    );
                    if observation.starts_window() {
                        record.window_secs = Some(self.window.num_seconds());
                    }
                    record.note = Some(observation.note());
                    journal.append(&record)?;
                    records.push(record.clone());
                    recorded.push(record);
                }
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
        let root_mfa = inventory.root_mfa;
        Ok(Assessed {
            snapshot: Snapshot {
                inventory,
                root_mfa,
                keys,
                deleted,
                damaged: contents.damaged.clone(),
                recorded,
                now,
                window_secs: self.window.num_seconds(),
                busy: None,
                last_write: crate::domain::record::last_write(&records),
            },
            pending,
        })
    }

    /// Fresh facts and the policy's decision for one write, for a prompt:
    /// journals nothing (the write itself plans again under the lock).
    pub async fn plan(&self, request: Request, key_id: &str) -> Result<Plan, RemediateError> {
        let identity = self.account.identity().await?;
        self.plan_as(request, key_id, identity, None).await
    }

    async fn plan_as(
        &self,
        request: Request,
        key_id: &str,
        identity: Identity,
        journal: Option<&Journal>,
    ) -> Result<Plan, RemediateError> {
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
        let mut keys = self.account.caller_keys().await?;
        account::mark_signing_key(&mut keys, &identity);
        let inventory = Inventory {
            keys_present: None,
            root_mfa: None,
            view: View::Root,
            identity: identity.clone(),
            keys,
        };
        let (journal, writes) = match journal {
            Some(j) => (j.clone(), Writes::Journal),
            None => (self.journal(&identity.account_id)?, Writes::None),
        };
        let contents = journal.read()?;
        let snapshot = self
            .assess(inventory, &contents, &journal, writes)?
            .snapshot;
        let now = snapshot.now;
        let view = snapshot.view(key_id).cloned();
        let stage = view.as_ref().map(|v| v.stage.clone()).or_else(|| {
            snapshot
                .deleted
                .iter()
                .find(|(k, _)| k == key_id)
                .map(|(_, at)| Stage::Deleted { at: *at })
        });
        let decision = policy::decide(
            request,
            true,
            &identity.arn,
            key_id,
            stage.as_ref(),
            now,
            self.window,
        );
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
}

/// How long a write waits for another operation on the same account.
pub const LOCK_WAIT: Duration = Duration::from_secs(10);

/// Whether an assessment may journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Writes {
    None,
    Journal,
}

struct Assessed {
    snapshot: Snapshot,
    /// Records the journal is waiting for (open intents, observations).
    pending: usize,
}
