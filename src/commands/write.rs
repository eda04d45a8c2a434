//! `deactivate`, `reactivate`, `delete`: plan from fresh facts, state the
//! consequence, ask (y/N, or the typed key ID for delete), then execute
//! through the remediator, which journals before and after.

use dialoguer::{Confirm, Input};

use super::audit::last_used_text;
use super::{Exit, interactive, print_error};
use crate::domain::policy::{self, Decision, Request};
use crate::remediate::{Plan, Remediator};

/// How the operator agreed (or will agree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Consent {
    /// y/N prompt, or `--yes`.
    YesNo { yes: bool },
    /// The key ID typed at a prompt; `--confirm KEY_ID` when no terminal.
    Typed(Option<String>),
}

impl Consent {
    pub fn from_yes(yes: bool) -> Self {
        Self::YesNo { yes }
    }
}

fn describe(plan: &Plan, now: chrono::DateTime<chrono::Utc>) -> String {
    let mut out = String::new();
    if let Some(view) = &plan.key {
        out.push_str(&format!(
            "Key {}: {}\n  last used: {}\n",
            plan.key_id,
            view.stage.describe(now),
            last_used_text(view.key.last_used.as_ref(), now)
        ));
    }
    out.push_str(plan.request.consequence(plan.signs_session()));
    out.push('\n');
    if plan.signs_session() && !matches!(plan.request, Request::Reactivate) {
        out.push_str(&format!(
            "\nWARNING: {}\n",
            policy::signing_key_warning(&plan.other_active)
        ));
    }
    out
}

pub async fn run(
    remediator: &Remediator,
    request: Request,
    key_id: &str,
    consent: Consent,
) -> Exit {
    let plan = match remediator.plan(request, key_id).await {
        Ok(p) => p,
        Err(e) => return print_error(&e),
    };
    let now = remediator.account().now();
    match &plan.decision {
        // Re-running a deactivation or reactivation: nothing to ask or change.
        Decision::Refused(refusal) if refusal.already_done() => {
            if let Some(exit) = already_done(remediator, &plan, now).await {
                return exit;
            }
            // The key changed since: the write is to be made after all,
            // with consent as usual.
        }
        Decision::Refused(refusal) => {
            eprintln!("rootkeys: refused: {refusal}");
            return Exit::Failed;
        }
        Decision::Allowed { .. } => {}
    }
    eprint!("{}", describe(&plan, now));
    if let Decision::Allowed { forced: true } = plan.decision {
        eprintln!(
            "\n!!! --force: the observation window has NOT passed for {key_id}. This override is \
             recorded in the journal."
        );
    }
    if let Err(exit) = obtain_consent(request, key_id, &consent) {
        return exit;
    }
    match remediator.execute(request, key_id).await {
        Ok(done) => {
            let verb = match request {
                Request::Deactivate => "deactivated",
                Request::Reactivate => "reactivated",
                Request::Delete { .. } => "deleted",
            };
            outln!("{key_id} {verb}. Journaled.");
            if done.outcome.phase == crate::domain::record::Phase::Reconciled {
                outln!(
                    "(AWS's answer was lost or ambiguous; the live state shows the key {}: \
                     journaled as settled.)",
                    match request {
                        Request::Deactivate => "inactive",
                        Request::Reactivate => "active",
                        Request::Delete { .. } => "gone",
                    }
                );
            }
            if done.session_ended {
                outln!(
                    "This was the key signing this session: these credentials no longer work, so \
                     rootkeys stops here. Continue with other root credentials (or the console); \
                     the journal keeps the window's start."
                );
                return Exit::Done;
            }
            match request {
                Request::Deactivate => outln!(
                    "Observe for {} before deleting; `rootkeys status` shows the time left, \
                     `rootkeys reactivate {key_id}` backs out.",
                    crate::domain::window::human(remediator.window())
                ),
                Request::Delete { .. } => verify(remediator).await,
                Request::Reactivate => {}
            }
            Exit::Done
        }
        Err(e) => print_error(&e),
    }
}

/// `deactivate` of an inactive key or `reactivate` of an active one: a
/// success that changes nothing, journaled as observed (under the lock,
/// from facts read again). `None` when the key changed meanwhile and the
/// write is to be made after all.
async fn already_done(
    remediator: &Remediator,
    plan: &Plan,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Exit> {
    let key_id = plan.key_id.as_str();
    match remediator
        .record_if_already_done(plan.request, key_id)
        .await
    {
        Ok(Some(_)) => {
            let state = match plan.request {
                Request::Reactivate => "already active".to_owned(),
                _ => match &plan.key {
                    Some(view) => format!("already inactive, {}", view.stage.describe(now)),
                    None => "already inactive".to_owned(),
                },
            };
            outln!("{key_id} is {state}: nothing to change. Journaled as observed.");
            Some(Exit::Done)
        }
        Ok(None) => None,
        Err(e) => Some(print_error(&e)),
    }
}

/// After a deletion: re-read the account summary and state the verdict.
async fn verify(remediator: &Remediator) {
    match remediator.account().keys_present().await {
        Ok(0) => outln!(
            "Verified: the account summary reports no root access key (AccountAccessKeysPresent = 0). \
             CIS \"no root user access key exists\": COMPLIANT."
        ),
        Ok(n) => outln!(
            "The account summary still reports {n} root access key{} (AccountAccessKeysPresent = {n}): NOT COMPLIANT yet.",
            if n == 1 { "" } else { "s" }
        ),
        Err(e) => {
            eprintln!("rootkeys: could not verify: {e}");
            eprintln!("  what to do: {}", e.advice());
        }
    }
}

/// Ask the operator, or check the flag that stands in for asking.
fn obtain_consent(request: Request, key_id: &str, consent: &Consent) -> Result<(), Exit> {
    let tty = interactive();
    match &consent {
        Consent::YesNo { yes: true } => {}
        Consent::YesNo { yes: false } if tty => {
            let verb = request.act().verb();
            let answer = Confirm::new()
                .with_prompt(format!("{verb} {key_id}?"))
                .default(false)
                .interact();
            match answer {
                Ok(true) => {}
                Ok(false) => {
                    eprintln!("Nothing changed.");
                    return Err(Exit::Declined);
                }
                Err(e) => {
                    eprintln!("rootkeys: prompt failed ({e}); nothing changed.");
                    return Err(Exit::Failed);
                }
            }
        }
        Consent::YesNo { yes: false } => {
            eprintln!(
                "rootkeys: refused: no terminal to ask on; pass --yes to {} non-interactively. Nothing changed.",
                request.act().verb()
            );
            return Err(Exit::Failed);
        }
        Consent::Typed(confirm) => {
            if let Some(given) = confirm
                && given != key_id
            {
                eprintln!(
                    "rootkeys: refused: --confirm names {given:?}, not {key_id}; nothing deleted."
                );
                return Err(Exit::Failed);
            }
            if tty {
                // The typed confirmation is never skipped on a terminal.
                let typed: Result<String, _> = Input::new()
                    .with_prompt(format!("Type the key ID ({key_id}) to delete it for good"))
                    .allow_empty(true)
                    .interact_text();
                match typed {
                    Ok(t) if t.trim() == key_id => {}
                    Ok(_) => {
                        eprintln!("That does not match {key_id}; nothing deleted.");
                        return Err(Exit::Declined);
                    }
                    Err(e) => {
                        eprintln!("rootkeys: prompt failed ({e}); nothing deleted.");
                        return Err(Exit::Failed);
                    }
                }
            } else if confirm.is_none() {
                eprintln!(
                    "rootkeys: refused: deletion needs the key ID typed at a terminal, or \
                     --confirm {key_id} when there is none. Nothing deleted."
                );
                return Err(Exit::Failed);
            }
        }
    }
    Ok(())
}
