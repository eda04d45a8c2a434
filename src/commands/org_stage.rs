//! `rootkeys org status | quarantine | release | delete | prevent`: the
//! staged removal of member accounts' root keys from the command line.
//!
//! Each write command checks the prerequisites (centralized root access,
//! then the SCP side), reads the named accounts in Audit sessions, states
//! what will happen to each (one confirmation listing them all: y/N for
//! quarantine and release, the typed account IDs for delete, the typed root
//! ID for prevent), then writes through `org::remediate`, which journals
//! before and after each call in the member's journal. Without a terminal
//! nothing is written unless `--yes` (or `--confirm ACCOUNT`) says so.
//!
//! Exit: 0 done (or already so), 1 declined at a prompt (or, for `status`,
//! root keys present), 2 refused, failed or bad input.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use dialoguer::{Confirm, Input};

use super::audit::last_used_text;
use super::interactive;
use super::org::{exit_of, progress_line};
use crate::domain::scp;
use crate::exit::Exit;
use crate::journal::{JournalError, prepare_state_dir};
use crate::org::OrgAccess;
use crate::org::model::MemberRow;
use crate::org::preflight::PreflightFailure;
use crate::org::remediate::{
    MemberState, OrgRemediator, ScpReady, WriteOutcome, WriteResult, all_for, select, stage_dates,
};
use crate::org::run::{Progress, RunError};
use crate::org::stage::{OrgDecision, OrgRequest, OrgStage, decide};
use crate::text::one_line;

/// Which accounts a write names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    Accounts(Vec<String>),
    /// `--all-noncompliant`: every account whose stage calls for the write.
    AllNoncompliant,
}

/// Parse `ACCOUNT[,ACCOUNT...]` (several arguments allowed); a bad ID is an error.
pub fn accounts(args: &[String]) -> Result<Vec<String>, Exit> {
    let mut out = Vec::new();
    for id in args
        .iter()
        .flat_map(|a| a.split(','))
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            eprintln!(
                "rootkeys: error: \"{}\" is not an AWS account ID (12 digits); give IDs such as \
                 111111111111,222222222222",
                crate::text::foreign(id)
            );
            return Err(Exit::Failed);
        }
        if !out.iter().any(|o| o == id) {
            out.push(id.to_owned());
        }
    }
    Ok(out)
}

fn print_preflight(failure: &PreflightFailure) -> Exit {
    eprintln!("rootkeys: error: {failure}");
    eprintln!("  what to do: {}", failure.fix());
    Exit::Failed
}

fn state_dir(dir: Result<PathBuf, JournalError>) -> Result<PathBuf, Exit> {
    dir.and_then(|dir| prepare_state_dir(&dir).map(|()| dir))
        .map_err(|e| {
            eprintln!("rootkeys: error: {e}");
            Exit::Failed
        })
}

/// A progress line on stderr when it is a terminal.
struct Line {
    terminal: bool,
    shown: bool,
}

impl Line {
    fn new() -> Self {
        Self {
            terminal: std::io::stderr().is_terminal(),
            shown: false,
        }
    }
    fn show(&mut self, text: &str) {
        if self.terminal {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K{text}");
            let _ = err.flush();
            self.shown = true;
        }
    }
    fn clear(&mut self) {
        if self.shown {
            eprint!("\r\x1b[2K");
            self.shown = false;
        }
    }
}

/// Prepare and read the accounts (`only`, or all).
async fn read(
    remediator: &OrgRemediator,
    only: Option<BTreeSet<String>>,
    need_scps: bool,
) -> Result<(ScpReady, crate::org::model::AuditedOrg, Vec<MemberState>), Exit> {
    let prep = remediator
        .prepare()
        .await
        .map_err(|f| print_preflight(&f))?;
    if need_scps && let Err(f) = OrgRemediator::require_scps(&prep) {
        return Err(print_preflight(&f));
    }
    let mut line = Line::new();
    let mut on_progress = |p: &Progress, _: Option<&MemberRow>| {
        line.show(&format!("reading: {}", progress_line(p)));
    };
    let result = remediator.read(&prep, only, &mut on_progress).await;
    line.clear();
    match result {
        Ok((audited, states)) => Ok((prep, audited, states)),
        Err(RunError::Preflight(f)) => Err(print_preflight(&f)),
    }
}

fn keys_text(state: &MemberState, now: DateTime<Utc>) -> String {
    let keys = state.keys();
    if keys.is_empty() {
        return "no root key".to_owned();
    }
    let newest = state.row.last_used();
    format!(
        "{} root key{}, last used {}",
        keys.len(),
        if keys.len() == 1 { "" } else { "s" },
        last_used_text(newest, now)
    )
}

/// Print one result line (and its steps); true when it went well.
fn report(result: &WriteResult) -> bool {
    let id = one_line(&result.account_id);
    match &result.outcome {
        WriteOutcome::Done => {
            outln!("{id}: done");
        }
        WriteOutcome::AlreadyDone(what) => {
            outln!(
                "{id}: {}: nothing to change (journaled as observed)",
                one_line(what)
            );
        }
        WriteOutcome::Refused(why) => {
            eprintln!("{id}: refused: {}", one_line(why));
        }
        WriteOutcome::Failed(why) => {
            eprintln!("{id}: FAILED: {}", one_line(why));
        }
        WriteOutcome::Unknown(why) => {
            eprintln!("{id}: OUTCOME UNKNOWN: {}", one_line(why));
        }
    }
    for step in &result.steps {
        outln!("    {}", one_line(step));
    }
    result.ok()
}

/// y/N (default No), or `--yes`; refused without a terminal.
fn yes_no(prompt: &str, yes: bool, verb: &str) -> Result<(), Exit> {
    if yes {
        return Ok(());
    }
    if !interactive() {
        eprintln!(
            "rootkeys: refused: no terminal to ask on; pass --yes to {verb} non-interactively. \
             Nothing changed."
        );
        return Err(Exit::Failed);
    }
    match Confirm::new().with_prompt(prompt).default(false).interact() {
        Ok(true) => Ok(()),
        Ok(false) => {
            eprintln!("Nothing changed.");
            Err(Exit::Declined)
        }
        Err(e) => {
            eprintln!("rootkeys: prompt failed ({e}); nothing changed.");
            Err(Exit::Failed)
        }
    }
}

/// The typed confirmation: `expected` typed at a terminal (never skipped
/// there), or `--confirm` equal to it when there is none.
fn typed(expected: &str, confirm: Option<&str>, what: &str, nothing: &str) -> Result<(), Exit> {
    if let Some(given) = confirm
        && given.replace(' ', "") != expected
    {
        eprintln!(
            "rootkeys: refused: --confirm names {:?}, not {expected}; {nothing}.",
            crate::text::foreign(given)
        );
        return Err(Exit::Failed);
    }
    if interactive() {
        let answer: Result<String, _> = Input::new()
            .with_prompt(format!("Type {what} ({expected}) to go ahead"))
            .allow_empty(true)
            .interact_text();
        match answer {
            Ok(t) if t.trim().replace(' ', "") == expected => Ok(()),
            Ok(t) => {
                eprintln!(
                    "\"{}\" does not match {expected}; {nothing}.",
                    crate::text::foreign(t.trim())
                );
                Err(Exit::Declined)
            }
            Err(e) => {
                eprintln!("rootkeys: prompt failed ({e}); {nothing}.");
                Err(Exit::Failed)
            }
        }
    } else if confirm.is_none() {
        eprintln!(
            "rootkeys: refused: this needs {what} typed at a terminal, or --confirm {expected} \
             when there is none. {nothing}."
        );
        Err(Exit::Failed)
    } else {
        Ok(())
    }
}

/// The accounts a write names, with their states; unknown IDs reported.
fn pick<'a>(
    states: &'a [MemberState],
    selection: &Selection,
    request: OrgRequest,
) -> Result<Vec<&'a MemberState>, Exit> {
    match selection {
        Selection::AllNoncompliant => Ok(all_for(states, request)),
        Selection::Accounts(ids) => {
            let (found, missing) = select(states, ids);
            if !missing.is_empty() {
                eprintln!(
                    "rootkeys: error: not in the organization: {}",
                    missing.join(", ")
                );
                return Err(Exit::Failed);
            }
            Ok(found)
        }
    }
}

fn only_of(selection: &Selection) -> Option<BTreeSet<String>> {
    match selection {
        Selection::Accounts(ids) => Some(ids.iter().cloned().collect()),
        Selection::AllNoncompliant => None,
    }
}

fn finish(results: &[WriteResult]) -> Exit {
    let mut ok = 0;
    for r in results {
        ok += usize::from(report(r));
    }
    let failed = results.len() - ok;
    if failed == 0 {
        Exit::Done
    } else {
        eprintln!(
            "{ok} of {} account{} done; {failed} not (see above). Each account is journaled on \
             its own: `rootkeys org status` shows where each one stands.",
            results.len(),
            if results.len() == 1 { "" } else { "s" }
        );
        Exit::Failed
    }
}

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

/// The JSON of `org status`: the audit's document, plus per account its
/// stage, quarantine and next action.
pub fn status_json(audited: &crate::org::model::AuditedOrg, states: &[MemberState]) -> String {
    let mut doc: serde_json::Value =
        serde_json::from_str(&audited.to_json()).unwrap_or(serde_json::Value::Null);
    if let Some(accounts) = doc.get_mut("accounts").and_then(|a| a.as_array_mut()) {
        for account in accounts {
            let Some(id) = account.get("account_id").and_then(|v| v.as_str()) else {
                continue;
            };
            let Some(state) = states.iter().find(|s| s.account_id() == id) else {
                continue;
            };
            let (since, ends) = stage_dates(state.stage);
            let used: Vec<serde_json::Value> = state
                .used_since
                .iter()
                .map(|(key, u)| {
                    serde_json::json!({
                        "access_key_id": key,
                        "date": u.date.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        "service": u.service,
                        "region": u.region,
                    })
                })
                .collect();
            if let Some(obj) = account.as_object_mut() {
                obj.insert("stage".into(), state.stage.name().into());
                obj.insert("quarantined".into(), state.attached.into());
                obj.insert("quarantined_since".into(), since.into());
                obj.insert("window_ends".into(), ends.into());
                obj.insert("used_since_quarantine".into(), used.into());
                obj.insert("next_action".into(), state.next_action.clone().into());
                obj.insert("journal_error".into(), state.journal_error.clone().into());
            }
        }
    }
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// The human table of `org status`.
pub fn status_table(
    audited: &crate::org::model::AuditedOrg,
    states: &[MemberState],
    prep: &ScpReady,
    now: DateTime<Utc>,
) -> String {
    let mut out = format!(
        "Organization {}  ·  root {} (SCPs {})  ·  caller {}\n",
        one_line(&audited.organization.id),
        one_line(&prep.root.id),
        if prep.root.scp_enabled {
            "enabled"
        } else {
            "NOT enabled"
        },
        one_line(&audited.caller_arn)
    );
    let count = |f: fn(&OrgStage) -> bool| states.iter().filter(|s| f(&s.stage)).count();
    out.push_str(&format!(
        "{} accounts: {} with keys, {} quarantined, {} ready to delete, {} compliant\n\n",
        states.len(),
        count(|s| *s == OrgStage::KeysPresent),
        count(|s| matches!(s, OrgStage::Quarantined { .. })),
        count(|s| matches!(s, OrgStage::Ready { .. })),
        count(|s| *s == OrgStage::Compliant),
    ));
    // Rows in the audit's order (worst first).
    for row in &audited.rows {
        let Some(s) = states.iter().find(|s| s.account_id() == row.account_id) else {
            continue;
        };
        out.push_str(&format!(
            "{}{}  {}  {}  {}\n",
            one_line(&row.account_id),
            if row.management { " (mgmt)" } else { "" },
            one_line(&row.name),
            s.stage.describe(now),
            keys_text(s, now)
        ));
        if let Some(since) = s.stage.quarantined_since() {
            out.push_str(&format!(
                "    quarantined since {}, window ends {}\n",
                crate::render::time::text(&since),
                s.stage
                    .window_ends()
                    .map_or_else(|| "?".to_owned(), |e| crate::render::time::text(&e))
            ));
        }
        for (key, used) in &s.used_since {
            out.push_str(&format!(
                "    !! {} used {} ({}), after the quarantine began: a consumer just failed; \
                 release and move it to a role\n",
                one_line(key),
                crate::render::time::text(&used.date),
                one_line(used.service.as_deref().unwrap_or("service unknown"))
            ));
        }
        if let Some(e) = &row.error {
            out.push_str(&format!(
                "    error: {}\n    what to do: {}\n",
                one_line(&e.message),
                one_line(&e.advice)
            ));
        }
        if let Some(e) = &s.journal_error {
            out.push_str(&format!("    journal: {}\n", one_line(e)));
        }
        if s.stage != OrgStage::Compliant && !s.next_action.starts_with("none") {
            out.push_str(&format!("    next: {}\n", one_line(&s.next_action)));
        }
    }
    out
}

/// `rootkeys org status`.
pub async fn status(
    access: Arc<dyn OrgAccess>,
    dir: Result<PathBuf, JournalError>,
    window: TimeDelta,
    concurrency: usize,
    only: Option<BTreeSet<String>>,
    json: bool,
) -> Exit {
    let dir = match state_dir(dir) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let remediator = OrgRemediator::new(access.clone(), dir, window).with_concurrency(concurrency);
    let (prep, audited, states) = match read(&remediator, only, false).await {
        Ok(r) => r,
        Err(e) => return e,
    };
    if json {
        outln!("{}", status_json(&audited, &states));
    } else {
        out!("{}", status_table(&audited, &states, &prep, access.now()));
    }
    exit_of(&audited)
}

/// `rootkeys org prevent`.
pub async fn prevent(
    access: Arc<dyn OrgAccess>,
    dir: Result<PathBuf, JournalError>,
    window: TimeDelta,
    yes: bool,
) -> Exit {
    let dir = match state_dir(dir) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let remediator = OrgRemediator::new(access, dir, window);
    let mut state = match remediator.prevent_state().await {
        Ok(s) => s,
        Err(f) => return print_preflight(&f),
    };
    if !state.root.scp_enabled {
        return print_preflight(&PreflightFailure::ScpsDisabled {
            root_id: state.root.id.clone(),
        });
    }
    if let Some(p) = &state.attached {
        outln!(
            "Prevention in force: {} ({}) is attached at the organization root {}: no member \
             root user can create an access key.",
            one_line(&p.name),
            one_line(&p.id),
            one_line(&state.root.id)
        );
        return Exit::Done;
    }
    eprintln!(
        "The organization root {} has no SCP that denies iam:CreateAccessKey to root users.\n\
         rootkeys would create (if needed) and attach at the root the SCP {}:\n\n{}\n\n\
         It applies to every member account (never to the management account); AssumeRoot \
         sessions are exempt.",
        one_line(&state.root.id),
        scp::PREVENT_NAME,
        scp::PREVENT_POLICY
    );
    let root_id = state.root.id.clone();
    if interactive() {
        // Typed at a terminal, with or without --yes.
        if let Err(exit) = typed(&root_id, None, "the root ID", "nothing changed") {
            return exit;
        }
    } else if !yes {
        eprintln!(
            "rootkeys: refused: no terminal to type the root ID on; pass --yes to attach the \
             prevention SCP non-interactively. Nothing changed."
        );
        return Exit::Failed;
    }
    let result = remediator.prevent(&mut state).await;
    let exit = finish(std::slice::from_ref(&result));
    if exit == Exit::Done {
        outln!("Prevention in force at {}. Journaled.", one_line(&root_id));
    }
    exit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_lists_split_on_commas_and_refuse_bad_ids() {
        assert_eq!(
            accounts(&["111111111111,222222222222".into(), "333333333333".into()]),
            Ok(vec![
                "111111111111".to_owned(),
                "222222222222".to_owned(),
                "333333333333".to_owned()
            ])
        );
        assert_eq!(
            accounts(&["111111111111,111111111111".into()]).map(|v| v.len()),
            Ok(1)
        );
        assert_eq!(accounts(&["12345".into()]), Err(Exit::Failed));
    }
}
