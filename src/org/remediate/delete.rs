//! Delete: every root key in a Delete session, a fresh Audit session to
//! verify none is left, then the quarantine detached.

use super::{
    MemberState, OrgRemediator, ScpReady, WriteOutcome, WriteResult, hit, request_id_text,
};
use crate::domain::record::{Act, Phase};
use crate::journal::{Journal, JournalError, new_op_id};
use crate::org::run::session_record;
use crate::org::stage::{self, OrgDecision, OrgRequest, OrgStage};
use crate::text::one_line;

impl OrgRemediator {
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
    pub(super) async fn verify(&self, account: &str, caller: &str) -> Result<String, WriteOutcome> {
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

    pub(super) fn journal_session(
        &self,
        opened: &crate::org::model::SessionOpened,
    ) -> Result<(), JournalError> {
        let journal = Journal::open(&self.state_dir, &opened.account_id)?;
        journal.append(&session_record(&journal, opened))
    }
}
