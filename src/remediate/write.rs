//! The write path: one write under the account's operation lock, its
//! intent and outcome journaled around the AWS call, and an unknown outcome
//! settled at once against the live state.
//!
//! Imports the account port, the domain and the journal; never the front
//! ends, ratatui or an AWS SDK crate.

use super::reconcile::live_state;
use super::{Done, LOCK_WAIT, Plan, RemediateError, Remediator, reconcile};
use crate::account::AccountError;
use crate::domain::KeyStatus;
use crate::domain::policy::{Decision, Refusal, Request, Stage};
use crate::domain::record::{Outcome, Phase, Record};
use crate::domain::window::human;
use crate::failpoint;
use crate::journal::{self, Journal};

impl Remediator {
    /// The intent record of a planned write: the window it starts, or the
    /// override it makes, stated.
    fn intent(&self, journal: &Journal, plan: &Plan, forced: bool) -> Record {
        let (request, key_id) = (plan.request, plan.key_id.as_str());
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
        if request == Request::Deactivate {
            intent.window_secs = Some(self.window.num_seconds());
        }
        if forced {
            intent.forced = true;
            let left = plan.key.as_ref().and_then(|k| match &k.stage {
                Stage::Observing { since, until } => Some((*until - *since, *until - now)),
                _ => None,
            });
            intent.note = Some(match left {
                Some((window, left)) => format!(
                    "OBSERVATION WINDOW OVERRIDDEN (--force): deleted with {} left of its {} window",
                    human(left),
                    human(window)
                ),
                None => "OBSERVATION WINDOW OVERRIDDEN (--force): deleted before the window passed"
                    .to_owned(),
            });
        }
        intent
    }

    /// Journal that a write was found already done: an observed record, no
    /// AWS call.
    fn journal_already_done(
        &self,
        journal: &Journal,
        plan: &Plan,
        refusal: &Refusal,
    ) -> Result<Record, RemediateError> {
        let now = self.account.now();
        let mut seen = journal.record(
            now,
            &plan.identity.arn,
            &plan.key_id,
            plan.request.act(),
            Phase::Observed,
            &journal::new_op_id(now),
        );
        seen.note = Some(refusal.already_note().to_owned());
        journal.append(&seen)?;
        Ok(seen)
    }

    /// A re-run of `deactivate` or `reactivate`: when the key is already
    /// where the write would take it (read again under the operation lock),
    /// journal that as observed and return the record; `None` when the
    /// write is still to be made (ask, then [`Self::execute`]). Never writes
    /// to AWS.
    pub async fn record_if_already_done(
        &self,
        request: Request,
        key_id: &str,
    ) -> Result<Option<Record>, RemediateError> {
        let identity = self.account.identity().await?;
        if !identity.is_root() {
            return Err(RemediateError::Refused(Refusal::NotRoot {
                caller: identity.arn,
            }));
        }
        let journal = self.journal(&identity.account_id)?;
        let purpose = format!("{} of {key_id}", request.act().verb());
        let lock = journal.lock_operation(&purpose, LOCK_WAIT)?;
        let plan = self
            .plan_as(request, key_id, identity, Some(&journal))
            .await?;
        let seen = match &plan.decision {
            Decision::Refused(refusal) if refusal.already_done() => {
                Some(self.journal_already_done(&journal, &plan, refusal)?)
            }
            Decision::Refused(refusal) => return Err(RemediateError::Refused(refusal.clone())),
            Decision::Allowed { .. } => None,
        };
        drop(lock);
        Ok(seen)
    }

    /// Carry out one write under every safety rule. The account's operation
    /// lock is held from planning to the outcome, and the decision is taken
    /// again from facts read under it: a plan shown at a prompt may be stale.
    pub async fn execute(&self, request: Request, key_id: &str) -> Result<Done, RemediateError> {
        failpoint::hit("before-lock");
        let identity = self.account.identity().await?;
        if !identity.is_root() {
            return Err(RemediateError::Refused(Refusal::NotRoot {
                caller: identity.arn,
            }));
        }
        let journal = self.journal(&identity.account_id)?;
        let purpose = format!("{} of {key_id}", request.act().verb());
        let lock = journal.lock_operation(&purpose, LOCK_WAIT)?;
        failpoint::hit("after-lock");
        let plan = self
            .plan_as(request, key_id, identity, Some(&journal))
            .await?;
        failpoint::hit("after-plan");
        let forced = match &plan.decision {
            Decision::Allowed { forced } => *forced,
            // A re-run: the state is seen and journaled, nothing is written.
            Decision::Refused(refusal) if refusal.already_done() => {
                let seen = self.journal_already_done(&journal, &plan, refusal)?;
                drop(lock);
                return Ok(Done {
                    outcome: seen,
                    session_ended: false,
                });
            }
            Decision::Refused(refusal) => return Err(RemediateError::Refused(refusal.clone())),
        };
        let intent = self.intent(&journal, &plan, forced);
        journal.append(&intent)?;
        failpoint::hit("after-intent");
        let result = match request {
            Request::Deactivate => self.account.set_status(key_id, KeyStatus::Inactive).await,
            Request::Reactivate => self.account.set_status(key_id, KeyStatus::Active).await,
            Request::Delete { .. } => self.account.delete_key(key_id).await,
        };
        failpoint::hit("after-call");
        let session_ended =
            plan.signs_session() && matches!(request, Request::Deactivate | Request::Delete { .. });
        let unknown = result
            .as_ref()
            .err()
            .is_some_and(|e| may_have_applied(request, e));
        let outcome = journal::outcome_of(
            &intent,
            self.account.now(),
            match &result {
                Ok(()) => Outcome::Ok,
                Err(e) if unknown => Outcome::Unknown { code: e.code() },
                Err(e) => Outcome::Error { code: e.code() },
            },
        );
        let journaled = journal.append(&outcome);
        failpoint::hit("after-outcome");
        let not_journaled = |source| RemediateError::OutcomeNotJournaled {
            action: request.act().verb(),
            key: key_id.to_owned(),
            source,
        };
        let outcome = match result {
            Ok(()) => {
                journaled.map_err(not_journaled)?;
                outcome
            }
            Err(e) if !unknown => {
                // The failure is journaled if it can be; the error is what
                // the operator needs to see either way.
                drop(journaled);
                return Err(e.into());
            }
            Err(e) => {
                if let Err(source) = journaled {
                    return Err(RemediateError::OutcomeUnknown {
                        action: request.act().verb(),
                        key: key_id.to_owned(),
                        cause: format!("{e}; the journal could not record it either ({source})"),
                    });
                }
                self.settle(&journal, &intent, &e, session_ended).await?
            }
        };
        drop(lock);
        Ok(Done {
            outcome,
            session_ended,
        })
    }

    /// After a write whose outcome is unknown (no answer, a timeout, a 5xx,
    /// an answer that is not AWS's, or a retry that found the work already
    /// done) and journaled as such: read the live state, journal what it
    /// shows, and report what is true.
    async fn settle(
        &self,
        journal: &Journal,
        intent: &Record,
        error: &AccountError,
        session_ended: bool,
    ) -> Result<Record, RemediateError> {
        let unknown = |cause: String| RemediateError::OutcomeUnknown {
            action: intent.action.verb(),
            key: intent.key.clone(),
            cause,
        };
        if session_ended {
            return Err(unknown(format!(
                "{error}. The request may have been applied; the key that signs this session \
                 cannot read the result if it was. The next run (with other root credentials) \
                 reconciles it against the live state"
            )));
        }
        let keys = match self.account.caller_keys().await {
            Ok(keys) => keys,
            Err(read) => {
                return Err(unknown(format!(
                    "{error}. The request may have been applied, and reading the live state failed \
                     too ({read}). The next run reconciles it against the live state"
                )));
            }
        };
        let mut settled = reconcile(&[intent], &keys, self.account.now());
        let Some(mut record) = settled.pop() else {
            return Err(unknown(error.to_string()));
        };
        let live = live_state(intent, &keys);
        record.note = Some(format!(
            "the answer was lost or ambiguous ({}); settled against the live state: {live}",
            error.code()
        ));
        journal.append(&record).map_err(|source| {
            unknown(format!(
                "{error}; the live state shows the key {live}, but the journal could not record \
                 it ({source}); the next run reconciles it"
            ))
        })?;
        if record.applied() {
            Ok(record)
        } else {
            Err(RemediateError::NotApplied {
                action: intent.action.verb(),
                key: intent.key.clone(),
                live,
                source: Box::new(error.clone()),
            })
        }
    }
}

/// Could the write have taken effect although it failed? A lost answer, a
/// timeout, a server error, an answer that is not AWS's; and for a delete,
/// `NoSuchEntity`: the key was there when planned, so a retry of a delete
/// that went through answers exactly that.
fn may_have_applied(request: Request, error: &AccountError) -> bool {
    error.outcome_unknown()
        || matches!(
            (request, error),
            (Request::Delete { .. }, AccountError::NoSuchKey { .. })
        )
}
