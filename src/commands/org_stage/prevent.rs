//! `rootkeys org prevent`.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::TimeDelta;

use super::prompt::typed;
use super::{finish, print_preflight, state_dir};
use crate::commands::interactive;
use crate::domain::scp;
use crate::exit::Exit;
use crate::journal::JournalError;
use crate::org::OrgAccess;
use crate::org::preflight::PreflightFailure;
use crate::org::remediate::OrgRemediator;
use crate::text::one_line;

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
