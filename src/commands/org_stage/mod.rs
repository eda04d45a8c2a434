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
//! Here: what the commands share (reading, reporting, selection);
//! `prompt` (y/N and typed confirmations), `writes` (quarantine, release,
//! delete), `status`, `prevent`.
//!
//! Exit: 0 done (or already so), 1 declined at a prompt (or, for `status`,
//! root keys present), 2 refused, failed or bad input.

mod prevent;
mod prompt;
mod status;
mod writes;

pub use prevent::prevent;
pub use status::{status, status_json, status_table};
pub use writes::{delete, quarantine_or_release};

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::audit::last_used_text;
use super::org::{print_preflight, progress_line};
use crate::exit::Exit;
use crate::journal::{JournalError, prepare_state_dir};
use crate::org::model::MemberRow;
use crate::org::remediate::{
    MemberState, OrgRemediator, ScpReady, WriteOutcome, WriteResult, all_for, select,
};
use crate::org::run::{Progress, RunError};
use crate::org::stage::OrgRequest;
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

pub(super) fn state_dir(dir: Result<PathBuf, JournalError>) -> Result<PathBuf, Exit> {
    dir.and_then(|dir| prepare_state_dir(&dir).map(|()| dir))
        .map_err(|e| {
            eprintln!("rootkeys: error: {e}");
            Exit::Failed
        })
}

/// A progress line on stderr when it is a terminal.
pub(super) struct Line {
    terminal: bool,
    shown: bool,
}

impl Line {
    pub(super) fn new() -> Self {
        Self {
            terminal: std::io::stderr().is_terminal(),
            shown: false,
        }
    }
    pub(super) fn show(&mut self, text: &str) {
        if self.terminal {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K{text}");
            let _ = err.flush();
            self.shown = true;
        }
    }
    pub(super) fn clear(&mut self) {
        if self.shown {
            eprint!("\r\x1b[2K");
            self.shown = false;
        }
    }
}

/// Prepare and read the accounts (`only`, or all).
pub(super) async fn read(
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

pub(super) fn keys_text(state: &MemberState, now: DateTime<Utc>) -> String {
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
pub(super) fn report(result: &WriteResult) -> bool {
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

/// The accounts a write names, with their states; unknown IDs reported.
pub(super) fn pick<'a>(
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

pub(super) fn only_of(selection: &Selection) -> Option<BTreeSet<String>> {
    match selection {
        Selection::Accounts(ids) => Some(ids.iter().cloned().collect()),
        Selection::AllNoncompliant => None,
    }
}

pub(super) fn finish(results: &[WriteResult]) -> Exit {
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
