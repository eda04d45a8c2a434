//! Quarantine and release: the quarantine policy created once, attached
//! to (or detached from) each account, many accounts at a time.

use futures::StreamExt;

use super::{
    MemberState, OrgRemediator, SCP_LIMIT_PER_TARGET, ScpReady, WriteOutcome, WriteResult,
    request_id_text,
};
use crate::account::AccountError;
use crate::domain::record::Act;
use crate::domain::scp;
use crate::org::port::PolicyRef;
use crate::org::stage::{self, OrgDecision, OrgRequest};
use crate::text::one_line;

impl OrgRemediator {
    /// Create rootkeys' quarantine policy unless it exists.
    pub(super) async fn quarantine_policy(
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

    pub(super) async fn quarantine_one(
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

    pub(super) async fn release_one(
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
}
