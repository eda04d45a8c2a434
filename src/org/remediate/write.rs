//! One write under an account's operation lock: intent, the AWS call,
//! outcome with the request ID; a write found already done journaled as
//! observed.

use super::{OrgRemediator, WriteOutcome, WriteResult, hit, request_id_text};
use crate::account::AccountError;
use crate::domain::record::{Act, Outcome, Phase};
use crate::journal::{Journal, new_op_id, outcome_of};
use crate::org::stage::{self};

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

impl OrgRemediator {
    /// A write found already done: journaled as observed, no AWS call.
    pub(super) fn observed(
        &self,
        account: &str,
        caller: &str,
        act: Act,
        what: &str,
    ) -> WriteResult {
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
    pub(super) async fn write<F, Fut>(
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
}

#[cfg(test)]
mod tests {
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
}
