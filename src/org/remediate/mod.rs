//! Organization mode's staged removal, the use case both front ends call:
//! quarantine (attach rootkeys' SCP to a member account), release (detach
//! it: the backout), delete (every root key in a Delete session, verified
//! in a fresh Audit session, then the quarantine detached), the status of
//! every account, and prevention (an SCP at the organization root that
//! denies root `iam:CreateAccessKey`).
//!
//! Every write goes through the single-account discipline, in the member
//! account's own journal under its operation lock: intent (fsync'd) → AWS →
//! outcome with AWS's request ID; a write whose answer was lost is
//! journaled as unknown and settled against live state (is the policy
//! attached? are the keys there?) on the next run. What is allowed when is
//! decided by [`super::stage`].
//!
//! Here: the types, preparing (preflight and the SCP side) and reading.
//! `settle` (an account against its journal), `write` (one write under the
//! lock), `quarantine` (quarantine and release), `delete` (delete, verify,
//! detach), `prevent` (the SCP at the root).
//!
//! Imports the port, the model, `journal` and `domain`; no SDK.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

mod delete;
mod prevent;
mod quarantine;
mod settle;
mod write;

use super::model::{AuditedOrg, MemberRow};
use super::port::{OrgAccess, PolicyRef, ScpRoot};
use super::preflight::{self, PreflightFailure, Ready};
use super::run::{self, Options, Progress, RunError};
use super::stage::{OrgRequest, OrgStage, Quarantine};
use crate::account::AccountError;
use crate::domain::scp;
use crate::domain::{LastUsed, RootKey};
use crate::failpoint;
use crate::text::one_line;

/// An SCP target holds at most five service control policies (AWS quota).
pub const SCP_LIMIT_PER_TARGET: usize = 5;

/// What the SCP side of the organization looks like.
#[derive(Debug, Clone)]
pub struct ScpReady {
    pub ready: Ready,
    pub root: ScpRoot,
    /// rootkeys' quarantine policy (its content checked), if it exists.
    pub quarantine: Option<PolicyRef>,
    /// The targets the quarantine policy is attached to.
    pub attached: BTreeSet<String>,
}

/// One account, read and settled against its journal.
#[derive(Debug, Clone)]
pub struct MemberState {
    pub row: MemberRow,
    /// The quarantine policy is attached to the account.
    pub attached: bool,
    /// The quarantine in force according to the journal.
    pub quarantine: Option<Quarantine>,
    pub stage: OrgStage,
    /// Keys whose last use is newer than the quarantine: a consumer that
    /// was just denied.
    pub used_since: Vec<(String, LastUsed)>,
    pub next_action: String,
    /// The journal could not be read or settled (the stage may be stale).
    pub journal_error: Option<String>,
}

impl MemberState {
    pub fn account_id(&self) -> &str {
        &self.row.account_id
    }

    /// Root keys as listed (an unknown account has none listed).
    pub fn keys(&self) -> &[RootKey] {
        &self.row.keys
    }
}

/// What became of one account's write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOutcome {
    /// Done; the lines say what was done (with request IDs).
    Done,
    /// Nothing to do: already so (journaled as observed).
    AlreadyDone(String),
    /// Not allowed now: why and what to do.
    Refused(String),
    /// AWS refused or failed: the error and what to do.
    Failed(String),
    /// The answer was lost: journaled as unknown, settled on the next run.
    Unknown(String),
}

/// The result of a write for one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteResult {
    pub account_id: String,
    pub outcome: WriteOutcome,
    /// The steps taken, for people (`attached p-… (request ID …)`).
    pub steps: Vec<String>,
}

impl WriteResult {
    fn new(account_id: &str, outcome: WriteOutcome) -> Self {
        Self {
            account_id: account_id.to_owned(),
            outcome,
            steps: Vec::new(),
        }
    }

    pub fn ok(&self) -> bool {
        matches!(
            self.outcome,
            WriteOutcome::Done | WriteOutcome::AlreadyDone(_)
        )
    }
}

/// Whether the prevention SCP is in force at the organization root.
#[derive(Debug, Clone)]
pub struct PreventState {
    pub ready: Ready,
    pub root: ScpRoot,
    /// A policy attached at the root that is rootkeys' prevention policy
    /// (by name or by content).
    pub attached: Option<PolicyRef>,
    /// rootkeys' prevention policy, if it exists.
    pub policy: Option<PolicyRef>,
    /// SCPs attached at the root now.
    pub root_policies: usize,
}

/// The use case.
pub struct OrgRemediator {
    access: Arc<dyn OrgAccess>,
    state_dir: PathBuf,
    window: TimeDelta,
    concurrency: usize,
}

fn hit(act: &str, point: &str) {
    failpoint::hit(&format!("{act}-{point}"));
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn request_id_text(id: Option<&str>) -> String {
    id.map_or_else(|| "not given".to_owned(), |id| one_line(id).into_owned())
}

fn organizations_failure(what: &'static str, error: AccountError) -> PreflightFailure {
    PreflightFailure::Account { what, error }
}

impl OrgRemediator {
    pub fn new(access: Arc<dyn OrgAccess>, state_dir: PathBuf, window: TimeDelta) -> Self {
        Self {
            access,
            state_dir,
            window,
            concurrency: run::DEFAULT_CONCURRENCY,
        }
    }

    /// Accounts read or written at once.
    #[must_use]
    pub fn with_concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.clamp(1, run::MAX_CONCURRENCY);
        self
    }

    pub fn access(&self) -> &Arc<dyn OrgAccess> {
        &self.access
    }

    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    pub fn window(&self) -> TimeDelta {
        self.window
    }

    /// The prerequisites of centralized root access, then the SCP side:
    /// the root and its SCP policy type, rootkeys' quarantine policy (a
    /// policy of that name with another content is an error: rootkeys never
    /// overwrites it) and where it is attached.
    pub async fn prepare(&self) -> Result<ScpReady, PreflightFailure> {
        let ready = preflight::check(self.access.as_ref()).await?;
        let (root, found) = futures::join!(
            self.access.scp_root(),
            self.access.find_policy(scp::QUARANTINE_NAME)
        );
        let root = root.map_err(|e| {
            organizations_failure("reading the organization root (organizations:ListRoots)", e)
        })?;
        let found = found.map_err(|e| {
            organizations_failure(
                "looking for the quarantine policy (organizations:ListPolicies, DescribePolicy)",
                e,
            )
        })?;
        let quarantine = match found {
            Some(p) if !scp::same_policy(&p.content, scp::QUARANTINE_POLICY) => {
                return Err(PreflightFailure::PolicyConflict {
                    name: p.policy.name,
                    policy_id: p.policy.id,
                });
            }
            Some(p) => Some(p.policy),
            None => None,
        };
        let attached = match &quarantine {
            Some(p) => self
                .access
                .policy_targets(&p.id)
                .await
                .map_err(|e| {
                    organizations_failure(
                        "listing the quarantined accounts (organizations:ListTargetsForPolicy)",
                        e,
                    )
                })?
                .into_iter()
                .collect(),
            None => BTreeSet::new(),
        };
        Ok(ScpReady {
            ready,
            root,
            quarantine,
            attached,
        })
    }

    /// Writes need SCPs enabled on the root: never enabled silently.
    pub fn require_scps(prep: &ScpReady) -> Result<(), PreflightFailure> {
        if prep.root.scp_enabled {
            Ok(())
        } else {
            Err(PreflightFailure::ScpsDisabled {
                root_id: prep.root.id.clone(),
            })
        }
    }

    /// Read the accounts (`only`, or every account) in Audit sessions and
    /// settle each against its journal: open intents reconciled, a
    /// quarantine attached or detached outside rootkeys journaled, then the
    /// stage.
    pub async fn read(
        &self,
        prep: &ScpReady,
        only: Option<BTreeSet<String>>,
        progress: &mut (dyn FnMut(&Progress, Option<&MemberRow>) + Send),
    ) -> Result<(AuditedOrg, Vec<MemberState>), RunError> {
        let options = Options {
            concurrency: self.concurrency,
            only,
        };
        let audited = run::audit_streamed(
            self.access.as_ref(),
            &prep.ready,
            &options,
            &self.state_dir,
            progress,
        )
        .await?;
        let caller = prep.ready.caller.arn.clone();
        let states = audited
            .rows
            .iter()
            .map(|row| {
                self.settle(
                    row.clone(),
                    prep.attached.contains(&row.account_id),
                    &caller,
                )
            })
            .collect();
        Ok((audited, states))
    }
}

/// Members selected by ID, in the order given, each with its state; IDs
/// that are not in the organization are returned apart.
pub fn select<'a>(
    states: &'a [MemberState],
    ids: &[String],
) -> (Vec<&'a MemberState>, Vec<String>) {
    let by_id: BTreeMap<&str, &MemberState> = states.iter().map(|s| (s.account_id(), s)).collect();
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for id in ids {
        match by_id.get(id.as_str()) {
            Some(s) => found.push(*s),
            None => missing.push(id.clone()),
        }
    }
    (found, missing)
}

/// The accounts a request applies to under `--all-noncompliant`: those
/// whose stage calls for it.
pub fn all_for(states: &[MemberState], request: OrgRequest) -> Vec<&MemberState> {
    states
        .iter()
        .filter(|s| match request {
            OrgRequest::Quarantine => s.stage == OrgStage::KeysPresent,
            OrgRequest::Release => matches!(
                s.stage,
                OrgStage::Quarantined { .. } | OrgStage::Ready { .. } | OrgStage::Deleted
            ),
            OrgRequest::Delete { .. } => {
                matches!(s.stage, OrgStage::Ready { .. } | OrgStage::Deleted)
            }
        })
        .collect()
}

/// RFC 3339 text of a stage's dates (for JSON).
pub fn stage_dates(stage: OrgStage) -> (Option<String>, Option<String>) {
    (
        stage.quarantined_since().map(rfc3339),
        stage.window_ends().map(rfc3339),
    )
}

#[cfg(test)]
mod send_tests {
    use super::*;

    fn is_send<T: Send>(_: &T) {}

    /// The writes can run on any task of the runtime (`tokio::spawn`).
    #[allow(dead_code)]
    fn the_writes_are_send(r: &OrgRemediator, prep: &mut ScpReady, m: &[MemberState]) {
        let mut progress = |_: usize, _: usize| {};
        is_send(&r.quarantine(prep, m, &mut progress));
        is_send(&r.release(prep, m, &mut progress));
        is_send(&r.delete(prep, &m[0], false));
    }
}
