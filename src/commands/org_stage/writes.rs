//! `rootkeys org quarantine`, `release` and `delete`.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::TimeDelta;

use super::prompt::{typed, yes_no};
use super::{Line, Selection, finish, keys_text, only_of, pick, read, report, state_dir};
use crate::commands::audit::last_used_text;
use crate::domain::scp;
use crate::exit::Exit;
use crate::journal::JournalError;
use crate::org::OrgAccess;
use crate::org::remediate::{OrgRemediator, WriteOutcome, WriteResult};
use crate::org::stage::{OrgDecision, OrgRequest, OrgStage, decide};
use crate::text::one_line;

/// `rootkeys org quarantine` and `rootkeys org release`.
#[allow(clippy::too_many_lines)] // read, list, ask, write, report: one sequence
pub async fn quarantine_or_release(
    access: Arc<dyn OrgAccess>,
    dir: Result<PathBuf, JournalError>,
    window: TimeDelta,
    concurrency: usize,
    request: OrgRequest,
    selection: Selection,
    yes: bool,
) -> Exit {
    let dir = match state_dir(dir) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let remediator = OrgRemediator::new(access.clone(), dir, window).with_concurrency(concurrency);
    let (mut prep, _, states) = match read(&remediator, only_of(&selection), true).await {
        Ok(r) => r,
        Err(e) => return e,
    };
    let picked = match pick(&states, &selection, request) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let now = access.now();
    let mut go = Vec::new();
    let mut results = Vec::new();
    for state in picked {
        match decide(request, state.stage, now) {
            // Already so: journaled as observed by the write (no AWS call).
            OrgDecision::Go { .. } | OrgDecision::AlreadyDone(_) => go.push(state.clone()),
            OrgDecision::Refused(why) => results.push(WriteResult {
                account_id: state.account_id().to_owned(),
                outcome: WriteOutcome::Refused(why.explain(state.account_id())),
                steps: Vec::new(),
            }),
        }
    }
    if go.is_empty() && results.is_empty() {
        outln!("No account to {}.", request.verb());
        return Exit::Done;
    }
    if !go.is_empty() {
        let verb = request.verb();
        eprintln!(
            "{} {} account{}:",
            if request == OrgRequest::Quarantine {
                "Quarantine"
            } else {
                "Release"
            },
            go.len(),
            if go.len() == 1 { "" } else { "s" }
        );
        for s in &go {
            eprintln!(
                "  {}  {}  {}  {}",
                one_line(s.account_id()),
                one_line(&s.row.name),
                s.stage.describe(now),
                keys_text(s, now)
            );
        }
        if request == OrgRequest::Quarantine {
            eprintln!(
                "\nThe SCP {} will be attached to each: every request made with that account's \
                 root access keys is denied (AssumeRoot sessions and a root console sign-in with \
                 MFA still work). Anything that still uses a key fails loudly. Observe for {}; \
                 `rootkeys org release ACCOUNT` backs out at any time.",
                scp::QUARANTINE_NAME,
                crate::domain::window::human(window)
            );
        } else {
            eprintln!(
                "\nThe SCP {} will be detached from each: their root access keys work again.",
                scp::QUARANTINE_NAME
            );
        }
        let prompt = format!(
            "{verb} {} account{}?",
            go.len(),
            if go.len() == 1 { "" } else { "s" }
        );
        if let Err(exit) = yes_no(&prompt, yes, verb) {
            for r in &results {
                report(r);
            }
            return exit;
        }
        let mut line = Line::new();
        let mut on_progress = |done: usize, total: usize| {
            line.show(&format!("{verb}: {done}/{total} accounts"));
        };
        let written = if request == OrgRequest::Quarantine {
            remediator
                .quarantine(&mut prep, &go, &mut on_progress)
                .await
        } else {
            remediator.release(&mut prep, &go, &mut on_progress).await
        };
        line.clear();
        results.extend(written);
    }
    results.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    let exit = finish(&results);
    if exit == Exit::Done && request == OrgRequest::Quarantine {
        outln!(
            "Observe for {}; `rootkeys org status` shows each account's window and any use \
             since the quarantine began.",
            crate::domain::window::human(window)
        );
    }
    exit
}

/// `rootkeys org delete`.
#[allow(clippy::too_many_arguments, clippy::too_many_lines)]
pub async fn delete(
    access: Arc<dyn OrgAccess>,
    dir: Result<PathBuf, JournalError>,
    window: TimeDelta,
    concurrency: usize,
    selection: Selection,
    confirm: Option<&str>,
    force: bool,
) -> Exit {
    let dir = match state_dir(dir) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let remediator = OrgRemediator::new(access.clone(), dir, window).with_concurrency(concurrency);
    let request = OrgRequest::Delete { force };
    let (mut prep, _, states) = match read(&remediator, only_of(&selection), true).await {
        Ok(r) => r,
        Err(e) => return e,
    };
    let picked = match pick(&states, &selection, request) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let now = access.now();
    let mut go = Vec::new();
    let mut results = Vec::new();
    for state in picked {
        match decide(request, state.stage, now) {
            OrgDecision::Go { .. } if !state.used_since.is_empty() && !force => {
                results.push(WriteResult {
                    account_id: state.account_id().to_owned(),
                    outcome: WriteOutcome::Refused(format!(
                        "{} was used after the quarantine began (a consumer was just denied): \
                         release (`rootkeys org release {id}`), move the consumer to a role, \
                         quarantine again; or override with --force (journaled)",
                        state.used_since[0].0,
                        id = state.account_id()
                    )),
                    steps: Vec::new(),
                });
            }
            OrgDecision::Go { .. } | OrgDecision::AlreadyDone(_) => go.push(state.clone()),
            OrgDecision::Refused(why) => results.push(WriteResult {
                account_id: state.account_id().to_owned(),
                outcome: WriteOutcome::Refused(why.explain(state.account_id())),
                steps: Vec::new(),
            }),
        }
    }
    if go.is_empty() {
        if results.is_empty() {
            outln!("No account to delete root keys in.");
            return Exit::Done;
        }
        return finish(&results);
    }
    eprintln!(
        "Delete every root access key of {} account{}:",
        go.len(),
        if go.len() == 1 { "" } else { "s" }
    );
    for s in &go {
        eprintln!(
            "  {}  {}  {}  {}",
            one_line(s.account_id()),
            one_line(&s.row.name),
            s.stage.describe(now),
            keys_text(s, now)
        );
        for key in s.keys() {
            eprintln!(
                "      {}  last used {}",
                one_line(&key.label()),
                last_used_text(key.last_used.as_ref(), now)
            );
        }
        for (key, used) in &s.used_since {
            eprintln!(
                "      WARNING: {} was used {} after the quarantine began: a consumer was just \
                 denied",
                one_line(key),
                crate::render::time::text(&used.date)
            );
        }
        if force && matches!(s.stage, OrgStage::Quarantined { .. }) {
            eprintln!(
                "      !!! --force: the observation window has NOT passed (it ends {}). This \
                 override is recorded in the journal.",
                s.stage
                    .window_ends()
                    .map_or_else(|| "?".to_owned(), |e| crate::render::time::text(&e))
            );
        }
    }
    eprintln!(
        "\nEach key is deleted in a Delete session (AssumeRoot, IAMDeleteRootUserCredentials); a \
         fresh Audit session then verifies that none is left, and the quarantine is detached. \
         Deletion cannot be undone."
    );
    let expected = go
        .iter()
        .map(|s| s.account_id().to_owned())
        .collect::<Vec<_>>()
        .join(",");
    let what = if go.len() == 1 {
        "the account ID"
    } else {
        "the account IDs, comma-separated"
    };
    if let Err(exit) = typed(&expected, confirm, what, "nothing deleted") {
        for r in &results {
            report(r);
        }
        return exit;
    }
    for (i, s) in go.iter().enumerate() {
        if go.len() > 1 {
            eprintln!("[{}/{}] {}", i + 1, go.len(), one_line(s.account_id()));
        }
        results.push(remediator.delete(&mut prep, s, force).await);
    }
    results.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    let exit = finish(&results);
    if exit == Exit::Done {
        outln!(
            "CIS \"no root user access key exists\": COMPLIANT for {} (verified in a fresh Audit \
             session). Last step: `rootkeys org prevent` keeps root keys from coming back.",
            expected
        );
    }
    exit
}
