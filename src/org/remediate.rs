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
//! Imports the port, the model, `journal` and `domain`; no SDK.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use futures::StreamExt;

use super::model::{AuditedOrg, MemberRow, Source};
use super::port::{OrgAccess, PolicyRef, ScpRoot};
use super::preflight::{self, PreflightFailure, Ready};
use super::run::{self, Options, Progress, RunError, session_record};
use super::stage::{
    self, Facts, OrgDecision, OrgRequest, OrgStage, Quarantine, journaled_quarantine,
};
use crate::account::AccountError;
use crate::domain::record::{Act, Outcome, Phase};
use crate::domain::scp;
use crate::domain::{LastUsed, RootKey};
use crate::failpoint;
use crate::journal::{Journal, JournalError, new_op_id, outcome_of};
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

/// AWS errors that mean a write's aim already holds: the policy was
/// attached (or detached) already, the key is already gone. Journaled as an
/// applied outcome with this reason.
fn already_so(act: Act, err: &AccountError) -> Option<&'static str> {
    match (act, err) {
        (Act::Quarantine | Act::Prevent, AccountError::Service { code, .. })
            if code == "DuplicatePolicyAttachmentException" =>
        {
            Some("already attached (DuplicatePolicyAttachmentException)")
        }
        (Act::Release, AccountError::Service { code, .. })
            if code == "PolicyNotAttachedException" =>
        {
            Some("already detached (PolicyNotAttachedException)")
        }
        // Gone between the Delete session's listing and the delete.
        (Act::Delete, AccountError::NoSuchKey { .. }) => Some("already gone (NoSuchEntity)"),
        _ => None,
    }
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
    fn settle_journal(
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

    /// Create rootkeys' quarantine policy unless it exists.
    async fn quarantine_policy(
        &self,
        prep: &mut ScpReady,
    ) -> Result<(PolicyRef, Option<String>), String> {
        if let Some(p) = &prep.quarantine {
            return Ok((p.clone(), None));
        }
        let written = self
            .access
            .create_policy(
                scp::QUARANTINE_NAME,
                scp::QUARANTINE_DESCRIPTION,
                scp::QUARANTINE_POLICY,
            )
            .await;
        match written {
            Ok(w) => {
                let note = format!(
                    "created SCP {} ({}), request ID {}",
                    scp::QUARANTINE_NAME,
                    one_line(&w.value.id),
                    request_id_text(w.request_id.as_deref())
                );
                prep.quarantine = Some(w.value.clone());
                Ok((w.value, Some(note)))
            }
            Err(AccountError::Service { code, .. }) if code == "DuplicatePolicyException" => {
                // Created meanwhile (another run): use it if it says the same.
                match self.access.find_policy(scp::QUARANTINE_NAME).await {
                    Ok(Some(p)) if scp::same_policy(&p.content, scp::QUARANTINE_POLICY) => {
                        prep.quarantine = Some(p.policy.clone());
                        Ok((p.policy, None))
                    }
                    Ok(_) => Err(format!(
                        "a policy named {} exists with another content; rootkeys never \
                         overwrites it",
                        scp::QUARANTINE_NAME
                    )),
                    Err(e) => Err(format!("{e}; {}", e.advice())),
                }
            }
            Err(e) => Err(format!(
                "could not create the quarantine policy: {e}; {}",
                e.advice()
            )),
        }
    }

    /// Quarantine these accounts (already read and decided by the caller;
    /// each is decided again here, under its lock). One intent and outcome
    /// per account, in its journal.
    pub async fn quarantine(
        &self,
        prep: &mut ScpReady,
        members: &[MemberState],
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Vec<WriteResult> {
        if let Err(failure) = Self::require_scps(prep) {
            return members
                .iter()
                .map(|m| {
                    WriteResult::new(m.account_id(), WriteOutcome::Refused(failure.to_string()))
                })
                .collect();
        }
        let (policy, created) = match self.quarantine_policy(prep).await {
            Ok(p) => p,
            Err(why) => {
                return members
                    .iter()
                    .map(|m| WriteResult::new(m.account_id(), WriteOutcome::Failed(why.clone())))
                    .collect();
            }
        };
        let caller = prep.ready.caller.arn.clone();
        let total = members.len();
        let mut done = 0;
        // Built up front (not in a closure over borrowed members), so the
        // whole future stays `Send`.
        let created_ref = created.as_deref();
        let writes: Vec<_> = members
            .iter()
            .map(|m| self.quarantine_one(m, &policy, created_ref, &caller))
            .collect();
        let mut results: Vec<WriteResult> = futures::stream::iter(writes)
            .buffer_unordered(self.concurrency)
            .inspect(|_| {
                done += 1;
                progress(done, total);
            })
            .collect()
            .await;
        for r in &results {
            if matches!(r.outcome, WriteOutcome::Done | WriteOutcome::AlreadyDone(_)) {
                prep.attached.insert(r.account_id.clone());
            }
        }
        results.sort_by(|a, b| a.account_id.cmp(&b.account_id));
        if let (Some(created), Some(first)) = (created, results.first_mut()) {
            first.steps.insert(0, created);
        }
        results
    }

    async fn quarantine_one(
        &self,
        member: &MemberState,
        policy: &PolicyRef,
        created: Option<&str>,
        caller: &str,
    ) -> WriteResult {
        let account = member.account_id();
        match stage::decide(OrgRequest::Quarantine, member.stage, self.access.now()) {
            OrgDecision::Refused(why) => {
                return WriteResult::new(account, WriteOutcome::Refused(why.explain(account)));
            }
            OrgDecision::AlreadyDone(what) => {
                return self.observed(account, caller, Act::Quarantine, what);
            }
            OrgDecision::Go { .. } => {}
        }
        // Five SCPs per target: a sixth cannot be attached.
        match self.access.policies_for_target(account).await {
            Ok(attached) if attached.iter().any(|p| p.id == policy.id) => {
                return self.observed(account, caller, Act::Quarantine, "already quarantined");
            }
            Ok(attached) if attached.len() >= SCP_LIMIT_PER_TARGET => {
                return WriteResult::new(
                    account,
                    WriteOutcome::Refused(format!(
                        "it already has {} SCPs attached, the most AWS allows per target; detach \
                         one it does not need (`aws organizations list-policies-for-target \
                         --target-id {account} --filter SERVICE_CONTROL_POLICY`), then run again",
                        attached.len()
                    )),
                );
            }
            Ok(_) => {}
            Err(e) => {
                return WriteResult::new(
                    account,
                    WriteOutcome::Failed(format!("{e}; {}", e.advice())),
                );
            }
        }
        let mut note = format!(
            "SCP {} ({}) attached to account {account}: requests made with the root user's \
             access keys are denied; release detaches it",
            scp::QUARANTINE_NAME,
            one_line(&policy.id)
        );
        if let Some(created) = created {
            note.push_str("; ");
            note.push_str(created);
        }
        let window = Some(self.window.num_seconds());
        self.write(
            account,
            caller,
            Act::Quarantine,
            window,
            false,
            "",
            note,
            || {
                let policy_id = policy.id.clone();
                let account = account.to_owned();
                async move {
                    self.access
                        .attach_policy(&policy_id, &account)
                        .await
                        .map(|w| w.request_id)
                }
            },
        )
        .await
    }

    /// A write found already done: journaled as observed, no AWS call.
    fn observed(&self, account: &str, caller: &str, act: Act, what: &str) -> WriteResult {
        let now = self.access.now();
        let journaled = Journal::open(&self.state_dir, account).and_then(|journal| {
            let mut r = journal.record(now, caller, "", act, Phase::Observed, &new_op_id(now));
            r.note = Some(format!("{what}: nothing sent to AWS"));
            journal.append(&r)
        });
        match journaled {
            Ok(()) => WriteResult::new(account, WriteOutcome::AlreadyDone(what.to_owned())),
            Err(e) => WriteResult::new(account, WriteOutcome::Failed(format!("journal: {e}"))),
        }
    }

    /// One write under the account's operation lock: intent, the call,
    /// outcome (with the request ID).
    #[allow(clippy::too_many_arguments)]
    async fn write<F, Fut>(
        &self,
        account: &str,
        caller: &str,
        act: Act,
        window_secs: Option<i64>,
        forced: bool,
        key: &str,
        note: String,
        call: F,
    ) -> WriteResult
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Option<String>, AccountError>>,
    {
        let verb = act.verb();
        let journal = match Journal::open(&self.state_dir, account) {
            Ok(j) => j,
            Err(e) => {
                return WriteResult::new(account, WriteOutcome::Failed(format!("journal: {e}")));
            }
        };
        hit(verb, "before-lock");
        let lock = match journal.try_lock_operation(&format!("org {verb}")) {
            Ok(Some(lock)) => lock,
            Ok(None) => {
                return WriteResult::new(
                    account,
                    WriteOutcome::Refused(format!(
                        "another rootkeys is changing this account ({}); run again when it is done",
                        journal
                            .operation_holder()
                            .unwrap_or_else(|| "holder unknown".to_owned())
                    )),
                );
            }
            Err(e) => {
                return WriteResult::new(account, WriteOutcome::Failed(format!("journal: {e}")));
            }
        };
        hit(verb, "after-lock");
        let now = self.access.now();
        let op = new_op_id(now);
        let mut intent = journal.record(now, caller, key, act, Phase::Intent, &op);
        intent.window_secs = window_secs;
        intent.forced = forced;
        intent.note = Some(note.clone());
        if let Err(e) = journal.append(&intent) {
            return WriteResult::new(account, WriteOutcome::Failed(format!("journal: {e}")));
        }
        hit(verb, "after-intent");
        let answer = call().await;
        hit(verb, "after-call");
        // For people, the note's first clause (`SCP … attached to account …`).
        let short = note.split(": ").next().unwrap_or(&note).to_owned();
        let (result, outcome, (journaled, step)) = match answer {
            Ok(request_id) => {
                let id = request_id_text(request_id.as_deref());
                (
                    Outcome::Ok,
                    WriteOutcome::Done,
                    (
                        format!("{note} (request ID {id})"),
                        format!("{short} (request ID {id})"),
                    ),
                )
            }
            Err(e) if already_so(act, &e).is_some() => {
                let what = already_so(act, &e).unwrap_or_default();
                (
                    Outcome::Ok,
                    WriteOutcome::AlreadyDone(what.to_owned()),
                    (format!("{note}: {what}"), format!("{short}: {what}")),
                )
            }
            Err(e) => {
                let result = stage::outcome_of_error(&e);
                let text = format!("{e}; {}", e.advice());
                let outcome = if matches!(result, Outcome::Unknown { .. }) {
                    WriteOutcome::Unknown(format!(
                        "{text} (journaled as unknown; the next run settles it against AWS)"
                    ))
                } else {
                    WriteOutcome::Failed(text.clone())
                };
                (result, outcome, (text.clone(), format!("{short}: {text}")))
            }
        };
        let mut record = outcome_of(&intent, self.access.now(), result);
        record.note = Some(journaled);
        if let Err(e) = journal.append(&record) {
            return WriteResult::new(account, WriteOutcome::Failed(format!("journal: {e}")));
        }
        hit(verb, "after-outcome");
        drop(lock);
        let steps = match outcome {
            WriteOutcome::Done | WriteOutcome::AlreadyDone(_) => vec![step],
            _ => Vec::new(),
        };
        WriteResult {
            account_id: account.to_owned(),
            outcome,
            steps,
        }
    }

    /// Release (detach the quarantine from) these accounts.
    pub async fn release(
        &self,
        prep: &mut ScpReady,
        members: &[MemberState],
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Vec<WriteResult> {
        let caller = prep.ready.caller.arn.clone();
        let policy = prep.quarantine.clone();
        let total = members.len();
        let mut done = 0;
        let writes: Vec<_> = members
            .iter()
            .map(|m| self.release_one(m, policy.as_ref(), &caller, "release (backout)"))
            .collect();
        let mut results: Vec<WriteResult> = futures::stream::iter(writes)
            .buffer_unordered(self.concurrency)
            .inspect(|_| {
                done += 1;
                progress(done, total);
            })
            .collect()
            .await;
        for r in &results {
            if r.ok() {
                prep.attached.remove(&r.account_id);
            }
        }
        results.sort_by(|a, b| a.account_id.cmp(&b.account_id));
        results
    }

    async fn release_one(
        &self,
        member: &MemberState,
        policy: Option<&PolicyRef>,
        caller: &str,
        why: &str,
    ) -> WriteResult {
        let account = member.account_id();
        match stage::decide(OrgRequest::Release, member.stage, self.access.now()) {
            OrgDecision::Refused(r) => {
                return WriteResult::new(account, WriteOutcome::Refused(r.explain(account)));
            }
            OrgDecision::AlreadyDone(what) => {
                return self.observed(account, caller, Act::Release, what);
            }
            OrgDecision::Go { .. } => {}
        }
        let Some(policy) = policy else {
            return self.observed(account, caller, Act::Release, "not quarantined");
        };
        let note = format!(
            "SCP {} ({}) detached from account {account}: {why}",
            scp::QUARANTINE_NAME,
            one_line(&policy.id)
        );
        self.write(account, caller, Act::Release, None, false, "", note, || {
            let policy_id = policy.id.clone();
            let account = account.to_owned();
            async move {
                self.access
                    .detach_policy(&policy_id, &account)
                    .await
                    .map(|w| w.request_id)
            }
        })
        .await
    }

    /// Delete every root key of one account in a Delete session, verify in
    /// a fresh Audit session that none is left, then detach the quarantine.
    /// `force`: before the window has passed (journaled with each delete).
    #[allow(clippy::too_many_lines)] // one sequence, in the order it is journaled
    pub async fn delete(
        &self,
        prep: &mut ScpReady,
        member: &MemberState,
        force: bool,
    ) -> WriteResult {
        let account = member.account_id().to_owned();
        let caller = prep.ready.caller.arn.clone();
        let now = self.access.now();
        let forced = match stage::decide(OrgRequest::Delete { force }, member.stage, now) {
            OrgDecision::Refused(r) => {
                return WriteResult::new(&account, WriteOutcome::Refused(r.explain(&account)));
            }
            OrgDecision::AlreadyDone(what) => {
                return self.observed(&account, &caller, Act::Delete, what);
            }
            OrgDecision::Go { forced } => forced,
        };
        if !member.used_since.is_empty() && !force {
            return WriteResult::new(
                &account,
                WriteOutcome::Refused(format!(
                    "a key was used after the quarantine began (a consumer was denied): release \
                     (`rootkeys org release {account}`), move the consumer, quarantine again; or \
                     override with --force (journaled)"
                )),
            );
        }
        let mut steps = Vec::new();
        // The Delete session: every key it lists.
        let session = match self.access.open_delete_session(&account, &caller).await {
            Ok(s) => s,
            Err(e) => {
                return WriteResult::new(
                    &account,
                    WriteOutcome::Failed(format!("{e}; {}", e.advice())),
                );
            }
        };
        if let Err(e) = self.journal_session(session.opened()) {
            return WriteResult::new(&account, WriteOutcome::Failed(format!("journal: {e}")));
        }
        steps.push(format!(
            "Delete session opened (AssumeRoot request ID {})",
            request_id_text(session.opened().request_id.as_deref())
        ));
        let keys = match session.keys().await {
            Ok(keys) => keys,
            Err(e) => {
                let mut r = WriteResult::new(
                    &account,
                    WriteOutcome::Failed(format!("{e}; {}", e.advice())),
                );
                r.steps = steps;
                return r;
            }
        };
        for key in &keys {
            let Some(id) = key.access_key_id.clone() else {
                continue;
            };
            let mut note = format!(
                "root access key {} deleted: in the Delete session of AssumeRoot request ID {}",
                one_line(&id),
                request_id_text(session.opened().request_id.as_deref())
            );
            if forced {
                note.push_str(&format!(
                    "; FORCED: the observation window was overridden (--force); it ends {}",
                    member
                        .stage
                        .window_ends()
                        .map_or_else(|| "unknown".to_owned(), |e| crate::render::time::text(&e))
                ));
            }
            let r = self
                .write(
                    &account,
                    &caller,
                    Act::Delete,
                    None,
                    forced,
                    &id,
                    note,
                    || {
                        let id = id.clone();
                        let session = &session;
                        async move {
                            match session.delete_key(&id).await {
                                Ok(w) => Ok(w.request_id),
                                Err(e) => Err(e),
                            }
                        }
                    },
                )
                .await;
            steps.extend(r.steps.iter().cloned());
            match r.outcome {
                WriteOutcome::Done | WriteOutcome::AlreadyDone(_) => {}
                other => {
                    return WriteResult {
                        account_id: account,
                        outcome: other,
                        steps,
                    };
                }
            }
        }
        drop(session);
        // Verify in a fresh Audit session.
        match self.verify(&account, &caller).await {
            Ok(step) => steps.push(step),
            Err(outcome) => {
                return WriteResult {
                    account_id: account,
                    outcome,
                    steps,
                };
            }
        }
        hit("verify", "after-outcome");
        // Then the quarantine is no longer needed.
        let mut member = member.clone();
        member.stage = OrgStage::Deleted;
        let released = self
            .release_one(
                &member,
                prep.quarantine.as_ref(),
                &caller,
                "after a verified delete (no root access key left)",
            )
            .await;
        steps.extend(released.steps.iter().cloned());
        if released.ok() {
            prep.attached.remove(&account);
        }
        WriteResult {
            account_id: account,
            outcome: match released.outcome {
                WriteOutcome::Done | WriteOutcome::AlreadyDone(_) => WriteOutcome::Done,
                other => other,
            },
            steps,
        }
    }

    /// A fresh Audit session lists no root key: journaled as `verify`.
    async fn verify(&self, account: &str, caller: &str) -> Result<String, WriteOutcome> {
        let session = self
            .access
            .open_audit_session(account, caller)
            .await
            .map_err(|e| WriteOutcome::Failed(format!("verify: {e}; {}", e.advice())))?;
        self.journal_session(session.opened())
            .map_err(|e| WriteOutcome::Failed(format!("journal: {e}")))?;
        let request = request_id_text(session.opened().request_id.as_deref());
        let facts = session
            .read_root()
            .await
            .map_err(|e| WriteOutcome::Failed(format!("verify: {e}; {}", e.advice())))?;
        if !facts.keys.is_empty() {
            return Err(WriteOutcome::Failed(format!(
                "verify: a fresh Audit session still lists {} root access key(s); run `rootkeys \
                 org status` and delete again",
                facts.keys.len()
            )));
        }
        let now = self.access.now();
        let journal = Journal::open(&self.state_dir, account)
            .map_err(|e| WriteOutcome::Failed(format!("journal: {e}")))?;
        let mut r = journal.record(
            now,
            caller,
            "",
            Act::Verify,
            Phase::Observed,
            &new_op_id(now),
        );
        r.note = Some(format!(
            "a fresh Audit session (AssumeRoot request ID {request}) lists 0 root access keys"
        ));
        journal
            .append(&r)
            .map_err(|e| WriteOutcome::Failed(format!("journal: {e}")))?;
        Ok(format!(
            "verified: a fresh Audit session (AssumeRoot request ID {request}) lists 0 root \
             access keys"
        ))
    }

    fn journal_session(&self, opened: &super::model::SessionOpened) -> Result<(), JournalError> {
        let journal = Journal::open(&self.state_dir, &opened.account_id)?;
        journal.append(&session_record(&journal, opened))
    }

    /// Is the prevention SCP attached at the organization root?
    pub async fn prevent_state(&self) -> Result<PreventState, PreflightFailure> {
        let ready = preflight::check(self.access.as_ref()).await?;
        let root = self.access.scp_root().await.map_err(|e| {
            organizations_failure("reading the organization root (organizations:ListRoots)", e)
        })?;
        let found = self
            .access
            .find_policy(scp::PREVENT_NAME)
            .await
            .map_err(|e| {
                organizations_failure(
                    "looking for the prevention policy (organizations:ListPolicies, DescribePolicy)",
                    e,
                )
            })?;
        let policy = match found {
            Some(p) if !scp::same_policy(&p.content, scp::PREVENT_POLICY) => {
                return Err(PreflightFailure::PolicyConflict {
                    name: p.policy.name,
                    policy_id: p.policy.id,
                });
            }
            Some(p) => Some(p.policy),
            None => None,
        };
        let at_root = if root.scp_enabled {
            self.access
                .policies_for_target(&root.id)
                .await
                .map_err(|e| {
                    organizations_failure(
                        "listing the SCPs of the root (organizations:ListPoliciesForTarget)",
                        e,
                    )
                })?
        } else {
            Vec::new()
        };
        let attached = at_root
            .iter()
            .find(|p| {
                policy.as_ref().is_some_and(|ours| ours.id == p.id) || p.name == scp::PREVENT_NAME
            })
            .cloned();
        Ok(PreventState {
            ready,
            root_policies: at_root.len(),
            root,
            attached,
            policy,
        })
    }

    /// Create (unless it exists) and attach the prevention SCP at the
    /// organization root; journaled in the caller's account.
    pub async fn prevent(&self, state: &mut PreventState) -> WriteResult {
        let account = state.ready.caller.account_id.clone();
        let caller = state.ready.caller.arn.clone();
        if !state.root.scp_enabled {
            return WriteResult::new(
                &account,
                WriteOutcome::Refused(
                    PreflightFailure::ScpsDisabled {
                        root_id: state.root.id.clone(),
                    }
                    .to_string(),
                ),
            );
        }
        if state.attached.is_some() {
            return self.observed(
                &account,
                &caller,
                Act::Prevent,
                "already attached at the root",
            );
        }
        if state.root_policies >= SCP_LIMIT_PER_TARGET {
            return WriteResult::new(
                &account,
                WriteOutcome::Refused(format!(
                    "the root already has {} SCPs attached, the most AWS allows per target; \
                     detach one, or attach {} to each top-level OU instead",
                    state.root_policies,
                    scp::PREVENT_NAME
                )),
            );
        }
        let mut steps = Vec::new();
        let policy = match &state.policy {
            Some(p) => p.clone(),
            None => match self
                .access
                .create_policy(
                    scp::PREVENT_NAME,
                    scp::PREVENT_DESCRIPTION,
                    scp::PREVENT_POLICY,
                )
                .await
            {
                Ok(w) => {
                    steps.push(format!(
                        "created SCP {} ({}), request ID {}",
                        scp::PREVENT_NAME,
                        one_line(&w.value.id),
                        request_id_text(w.request_id.as_deref())
                    ));
                    state.policy = Some(w.value.clone());
                    w.value
                }
                Err(e) => {
                    return WriteResult::new(
                        &account,
                        WriteOutcome::Failed(format!("{e}; {}", e.advice())),
                    );
                }
            },
        };
        let note = format!(
            "SCP {} ({}) attached at the organization root {}: no member root user can create an \
             access key",
            scp::PREVENT_NAME,
            one_line(&policy.id),
            one_line(&state.root.id)
        );
        let root_id = state.root.id.clone();
        let mut r = self
            .write(
                &account,
                &caller,
                Act::Prevent,
                None,
                false,
                "",
                note,
                || {
                    let policy_id = policy.id.clone();
                    async move {
                        self.access
                            .attach_policy(&policy_id, &root_id)
                            .await
                            .map(|w| w.request_id)
                    }
                },
            )
            .await;
        if r.ok() {
            state.attached = Some(policy);
        }
        steps.append(&mut r.steps);
        r.steps = steps;
        r
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

    #[test]
    fn only_errors_that_mean_the_aim_holds_count_as_already_so() {
        let service = |code: &str| AccountError::Service {
            action: "organizations:AttachPolicy".into(),
            code: code.into(),
            message: String::new(),
        };
        let gone = AccountError::NoSuchKey {
            key: "AKIA1".into(),
        };
        assert!(
            already_so(
                Act::Quarantine,
                &service("DuplicatePolicyAttachmentException")
            )
            .is_some()
        );
        assert!(already_so(Act::Prevent, &service("DuplicatePolicyAttachmentException")).is_some());
        assert!(already_so(Act::Release, &service("PolicyNotAttachedException")).is_some());
        assert!(already_so(Act::Delete, &gone).is_some());
        // Not the other way round, and never a refusal or a lost answer.
        assert!(already_so(Act::Release, &service("DuplicatePolicyAttachmentException")).is_none());
        assert!(already_so(Act::Quarantine, &service("PolicyNotAttachedException")).is_none());
        assert!(already_so(Act::Quarantine, &gone).is_none());
        assert!(already_so(Act::Quarantine, &service("ConstraintViolationException")).is_none());
        let denied = AccountError::AccessDenied {
            action: "organizations:AttachPolicy".into(),
            message: String::new(),
        };
        assert!(already_so(Act::Quarantine, &denied).is_none());
        let lost = AccountError::NoAnswer {
            message: String::new(),
        };
        assert!(already_so(Act::Delete, &lost).is_none());
    }

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
