//! Asking the operator: y/N (default No) or `--yes`; a typed confirmation
//! or `--confirm`.

use dialoguer::{Confirm, Input};

use crate::commands::interactive;
use crate::exit::Exit;

/// y/N (default No), or `--yes`; refused without a terminal.
pub(super) fn yes_no(prompt: &str, yes: bool, verb: &str) -> Result<(), Exit> {
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
pub(super) fn typed(
    expected: &str,
    confirm: Option<&str>,
    what: &str,
    nothing: &str,
) -> Result<(), Exit> {
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
